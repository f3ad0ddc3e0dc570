"""``tmslab optimise rodent``: the table, JSON and figure on a small grid, and refusals before
any field is computed."""

from __future__ import annotations

from pathlib import Path

import pytest

import tmslab.efield.setup_search as numerics
import tmslab.stages.setup_search as api
from tmslab.units import MM

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
QUICKSTART = EXAMPLES / "quickstart.toml"
SMALL = numerics.SearchGrid(
    outer_diameters_m=(7 * MM, 14 * MM),
    turns=(6,),
    distances_m=(0.0, 1 * MM),
    presets=("rodent-round-25-50mm",),
    scaled_reference=False,
    refine=1,
)


@pytest.fixture
def small_grid(monkeypatch):
    monkeypatch.setattr(numerics, "DEFAULT_GRID", SMALL)


def test_json(cli, small_grid):
    record = cli.ok(
        "optimise", "rodent", "--scenario", QUICKSTART, "--species", "rat", "--target",
        "hippocampus-ca1", "--top", "3", "--json",
    ).json()  # fmt: skip
    # 1 preset (wider than the rat's head: nearest distance only) + 2 kinds x 2 sizes x 2
    # distances (the 14 mm figure-8's windings span < 4 rat brain radii)
    assert record["n_candidates"] == 1 + 8
    assert len(record["candidates"]) == 3
    assert record["head"] == "rat" and record["target"] == "hippocampus-ca1"
    ref = record["reference"]
    # the human quickstart as `tmslab run` computes it: DLPFC at 120 % MT, 70 mm figure-8
    assert ref["label"].startswith("quickstart")
    assert ref["target_efield_v_per_m"] == pytest.approx(121.7, rel=0.01)
    assert ref["relative_d_half"] == pytest.approx(ref["d_half_m"] / 0.070)
    best = record["candidates"][0]
    assert best["rank"] == 1 and best["efield_v_per_m"] == pytest.approx(
        ref["target_efield_v_per_m"]
    )
    assert best["pct_mso"] is None  # no pairing for a parametric coil: never invented
    assert record["stimulator"] == "MagVenture MagPro X100"
    assert any("cannot be built on the rat" in line for line in record["unmatched"])


def test_table_and_figure(cli, small_grid, tmp_path):
    plot = tmp_path / "setups.png"
    result = cli.ok(
        "optimise", "rodent", "--scenario", QUICKSTART, "--species", "mouse", "--top", "2",
        "--plot", plot, "--stimulator", "magstim-200-2",
    )  # fmt: skip
    lines = result.out.splitlines()
    assert lines[0].startswith("Rodent set-ups (mouse, target cortex)")
    assert lines[1].split("\t")[:3] == ["rank", "coil", "distance mm"]
    assert lines[2].startswith("1\t") and lines[4].startswith("ref\t")
    assert any("has no target 'dorsolateral prefrontal cortex'" in line for line in lines)
    # another device than the scenario's: its pulse shape, and no pairing for any coil
    assert any("Magstim 200² monophasic pulse" in line for line in lines)
    assert any("is known: none;" in line for line in lines)
    assert plot.stat().st_size > 10_000
    assert f"wrote figure: {plot}" in result.out


@pytest.fixture
def tripwire(monkeypatch):
    """Refusals must come before the human scenario's stages (and any field) run."""

    def refuse(*args, **kwargs):
        raise AssertionError("the work started for a refused request")

    monkeypatch.setattr(api, "_run_field", refuse)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--species", "dog"), "give rat or mouse"),
        (("--species", "rat", "--target", "amygdala"), "unknown target"),
        (("--species", "rat", "--target", "9mm"), "outside the brain"),
        (("--species", "rat", "--stimulator", "nonsense"), "stimulator"),
        (("--species", "rat", "--plot", "figure.gif"), "figure.gif"),
        (("--species", "rat", "--top", "0"), "--top"),
    ],
)
def test_bad_options_are_refused(cli, tripwire, args, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli.fails("optimise", "rodent", "--scenario", QUICKSTART, *args, says=says)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("scenario", "says"),
    [
        ("rat-15hz-7d.toml", "is a rat scenario; give a human scenario"),
        ("head-dlpfc-10hz.toml", "realistic head 'fsaverage'"),
        ("culture-35mm-dish-10hz.toml", "not a head"),
        ("missing.toml", "missing.toml"),
    ],
)
def test_scenarios_that_are_not_human_sphere_heads_are_refused(cli, tripwire, scenario, says):
    cli.fails(
        "optimise", "rodent", "--scenario", EXAMPLES / scenario, "--species", "rat", says=says
    )


def test_a_human_scenario_without_a_dose_is_refused(cli, small_grid, tmp_path):
    text = QUICKSTART.read_text().replace("motor_threshold_pct_mso = 45\n", "")
    path = tmp_path / "no-threshold.toml"
    path.write_text(text)
    cli.fails(
        "optimise", "rodent", "--scenario", path, "--species", "rat",
        says="gives no |E| at its target", progress=True,
    )  # fmt: skip


@pytest.mark.slow
def test_default_search_on_the_mouse_ranks_the_scaled_human_coil_first(cli):
    # On the mouse the scaled Magstim 70 mm figure-8 can sit at the scaled distance (0.13 mm):
    # scale invariance makes it an exact match, and the full default search must find it.
    record = cli.ok(
        "optimise", "rodent", "--scenario", QUICKSTART, "--species", "mouse", "--top", "3",
        "--json",
    ).json()  # fmt: skip
    best, ref = record["candidates"][0], record["reference"]
    assert best["family"] == "scaled"
    # 15 mm of human scalp and skull scaled by 4.8/70, less the mouse's 0.9 mm
    assert best["distance_m"] == pytest.approx(4.8 / 70 * 15e-3 - 0.9e-3, rel=1e-6)
    assert best["relative_d_half"] == pytest.approx(ref["relative_d_half"], rel=1e-3)
    assert best["relative_s_half"] == pytest.approx(ref["relative_s_half"], rel=1e-3)
    assert best["score"] < 1e-6
