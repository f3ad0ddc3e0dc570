"""Sweep specs: ranges, grid/zip expansion, stable task ids, and one-line errors for bad input."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.sweeps import expand_tasks, load_sweep_spec, sweep_spec_from_mapping, task_id
from tmslab.sweeps.spec import SweepTaskError

from .conftest import DISH_SCENARIO

BASE = {
    "protocol": {"kind": "rtms", "frequency_hz": 10, "pulses_per_train": 100},
    "stimulator": {"intensity_pct_mso": 50},
    "subject": {"species": "dish"},
}


def spec_of(parameters, mode="grid", **sweep):
    return sweep_spec_from_mapping(
        {"sweep": {"mode": mode, "parameters": parameters, **sweep}, "scenario": BASE}
    )


def test_ranges_lists_and_grid_order():
    spec = spec_of(
        {
            "protocol.frequency_hz": {"start": 1, "stop": 20, "num": 5},
            "coil.handle_angle_deg": {"start": 0, "stop": 90, "step": 45},
            "plasticity.model": ["graupner-brunel:DP", "bcm"],
        }
    )
    assert spec.parameters["protocol.frequency_hz"] == (1.0, 5.75, 10.5, 15.25, 20.0)
    assert spec.parameters["coil.handle_angle_deg"] == (0, 45, 90)
    assert all(isinstance(v, int) for v in spec.parameters["coil.handle_angle_deg"])
    assert spec.shape == (5, 3, 2) and spec.n_tasks == 30
    tasks = expand_tasks(spec)
    expected = list(itertools.product(*spec.parameters.values()))
    assert [tuple(t.parameters.values()) for t in tasks] == expected  # last parameter fastest
    assert [t.index for t in tasks] == list(range(30))
    # The task's scenario is the base with the parameter set, nothing else changed.
    last = tasks[-1].mapping
    assert last["protocol"] == {"kind": "rtms", "frequency_hz": 20.0, "pulses_per_train": 100}
    assert last["coil"] == {"handle_angle_deg": 90}
    assert last["plasticity"] == {"model": "bcm"}
    assert BASE["protocol"]["frequency_hz"] == 10  # the base is not modified


def test_zip_mode_pairs_values():
    spec = spec_of(
        {"protocol.frequency_hz": [1, 5, 10], "coil.distance_mm": [0.0, 2.0, 4.0]}, mode="zip"
    )
    tasks = expand_tasks(spec)
    assert spec.shape == (3,)
    assert [
        (t.parameters["protocol.frequency_hz"], t.mapping["coil"]["distance_mm"]) for t in tasks
    ] == [
        (1, 0.0),
        (5, 2.0),
        (10, 4.0),
    ]


def test_task_ids_depend_on_content_only():
    a = task_id({"coil.distance_mm": 2.0, "subject.species": "rat"})
    b = task_id({"subject.species": "rat", "coil.distance_mm": 2.0})
    assert a == b and len(a) == 16
    assert a != task_id({"coil.distance_mm": 4.0, "subject.species": "rat"})
    # Reordering a parameter's values keeps each task's id (resume matches by content).
    one = {t.id: t.parameters for t in expand_tasks(spec_of({"coil.distance_mm": [0, 1, 2]}))}
    two = {t.id: t.parameters for t in expand_tasks(spec_of({"coil.distance_mm": [2, 0, 1]}))}
    assert one == two


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(-1e3, 1e3),
    width=st.floats(1e-3, 1e3),
    num=st.integers(1, 50),
)
def test_linspace_ranges_keep_count_and_ends(start, width, num):
    stop = start + width
    values = spec_of({"coil.handle_angle_deg": {"start": start, "stop": stop, "num": num}})
    values = values.parameters["coil.handle_angle_deg"]
    assert len(values) == num
    assert math.isclose(values[0], start, abs_tol=1e-9)
    if num > 1:
        assert values[-1] == stop
        assert all(b > a for a, b in itertools.pairwise(values))


@settings(max_examples=60, deadline=None)
@given(start=st.integers(-100, 100), step=st.integers(1, 20), count=st.integers(1, 30))
def test_step_ranges_include_the_stop(start, step, count):
    stop = start + step * (count - 1)
    spec = spec_of({"coil.handle_angle_deg": {"start": start, "stop": stop, "step": step}})
    assert spec.parameters["coil.handle_angle_deg"] == tuple(range(start, stop + 1, step))


def test_base_file_is_relative_to_the_spec(tmp_path, write_spec):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "dish.toml").write_text(
        DISH_SCENARIO.replace("[scenario.", "[").replace("[scenario]", ""), encoding="utf-8"
    )
    sub = tmp_path / "specs"
    sub.mkdir()
    path = sub / "spec.toml"
    path.write_text(
        '[sweep]\nbase = "../scenarios/dish.toml"\n[sweep.parameters]\n'
        '"protocol.frequency_hz" = [1, 2]\n',
        encoding="utf-8",
    )
    spec = load_sweep_spec(path)
    assert spec.base["subject"] == {"species": "dish"}
    # The hash covers the base's content: the same content inline gives the same tasks hash.
    inline = sweep_spec_from_mapping(
        {"sweep": {"parameters": {"protocol.frequency_hz": [1, 2]}}, "scenario": spec.base}
    )
    assert inline.tasks_sha256 == spec.tasks_sha256
    assert spec_of({"protocol.frequency_hz": [1, 3]}).tasks_sha256 != spec.tasks_sha256


@pytest.mark.parametrize(
    ("sweep", "fragments"),
    [
        (
            {"parameters": {"coil.handle_angle": [0, 90]}},
            ["'coil.handle_angle'", "coil.handle_angle_deg"],
        ),
        (
            {"parameters": {"coils.distance_mm": [0]}},
            ["'coils.distance_mm'", "not a scenario field"],
        ),
        (
            {"parameters": {"protocol.frequency": [1, 2]}},
            ["'protocol.frequency'", "protocol.frequency_hz"],
        ),
        ({"parameters": {"protocol.course.weeks": [1]}}, ["'protocol.course.weeks'"]),
        (
            {"parameters": {"stimulator.intensity_pct_mt": [80]}},
            ["'stimulator.intensity_pct_mt'", "intensity_pct_mso"],
        ),
        ({"parameters": {"coil.distance_mm": 3}}, ["'coil.distance_mm'", "list"]),
        ({"parameters": {"coil.distance_mm": []}}, ["'coil.distance_mm'", "no values"]),
        ({"parameters": {"coil.distance_mm": [1, 1]}}, ["'coil.distance_mm'", "twice"]),
        (
            {"parameters": {"coil.distance_mm": {"start": 0, "stop": 4}}},
            ["'coil.distance_mm'", "num"],
        ),
        (
            {"parameters": {"coil.distance_mm": {"start": 0, "stop": 4, "num": 2, "size": 1}}},
            ["'size'"],
        ),
        ({"parameters": {"coil.distance_mm": {"start": 4, "stop": 0, "step": 1}}}, ["step"]),
        ({"parameters": {}}, ["[sweep.parameters]"]),
        ({"parameters": {"coil.distance_mm": [0]}, "mode": "cartesian"}, ["'cartesian'"]),
        ({"parameters": {"coil.distance_mm": [0]}, "output": ["x"]}, ["unknown key 'output'"]),
        (
            {"parameters": {"coil.distance_mm": [0]}, "outputs": ["fields.target"]},
            ["'fields.target'"],
        ),
        (
            {
                "parameters": {"coil.distance_mm": [0, 1], "coil.handle_angle_deg": [0]},
                "mode": "zip",
            },
            ["zip", "coil.distance_mm has 2"],
        ),
    ],
)
def test_bad_specs_name_the_key(sweep, fragments):
    with pytest.raises(TmslabError) as info:
        sweep_spec_from_mapping({"sweep": sweep, "scenario": BASE})
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_bad_base_scenarios():
    with pytest.raises(InvalidValueError, match="unknown section or field 'coils'"):
        sweep_spec_from_mapping(
            {"sweep": {"parameters": {"coil.distance_mm": [0]}}, "scenario": {**BASE, "coils": {}}}
        )
    with pytest.raises(InvalidValueError, match="not both"):
        sweep_spec_from_mapping(
            {"sweep": {"base": "x.toml", "parameters": {"coil.distance_mm": [0]}}, "scenario": BASE}
        )
    with pytest.raises(SpecFileError, match="file not found"):
        sweep_spec_from_mapping({"sweep": {"base": "missing.toml", "parameters": {"a.b": [0]}}})
    with pytest.raises(InvalidValueError, match="unknown section 'sweeps'"):
        sweep_spec_from_mapping({"sweeps": {}})


def test_a_bad_combination_fails_before_any_work():
    spec = spec_of({"stimulator.intensity_pct_mso": [50, 90, 120]})
    with pytest.raises(SweepTaskError) as info:
        expand_tasks(spec)
    message = str(info.value)
    assert "task 3 of 3" in message and "stimulator.intensity_pct_mso=120" in message
    assert "less than or equal to 100" in message and "(got 120)" in message


def test_protocol_fields_follow_the_kind_of_the_preset():
    base = {**BASE, "protocol": {"preset": "itbs"}}
    ok = sweep_spec_from_mapping(
        {"sweep": {"parameters": {"protocol.n_trains": [10, 20]}}, "scenario": base}
    )
    assert [t.mapping["protocol"] for t in expand_tasks(ok)] == [
        {"preset": "itbs", "n_trains": 10},
        {"preset": "itbs", "n_trains": 20},
    ]
    with pytest.raises(
        InvalidValueError, match=r"'protocol.frequency_hz' is not a field .*kind tbs"
    ):
        sweep_spec_from_mapping(
            {"sweep": {"parameters": {"protocol.frequency_hz": [1]}}, "scenario": base}
        )


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        ('"coil.handle_angle" = [0, 90]', ["coil.handle_angle"]),
        ('"stimulator.intensity_pct_mt" = [100]', ["intensity_pct_mt", "intensity_pct_mso"]),
        ('"stimulator.intensity_pct_mso" = [50, 150]', ["stimulator.intensity_pct_mso=150"]),
    ],
)
def test_cli_bad_specs_exit_2_with_one_line(cli, tmp_path, write_spec, extra, fragments):
    path = write_spec(f"[sweep]\n[sweep.parameters]\n{extra}\n{DISH_SCENARIO}")
    store = tmp_path / "store"
    cli.fails("sweep", path, "--out", store, "--serial", says=tuple(fragments), quiet=False)
    assert not store.exists()  # nothing written for a spec that fails validation


def test_cli_unknown_scenario_section(cli, tmp_path, write_spec):
    path = write_spec(
        '[sweep]\n[sweep.parameters]\n"coil.distance_mm" = [0]\n'
        + DISH_SCENARIO
        + "[scenario.coils]\nname = 'x'\n"
    )
    cli.fails("sweep", path, "--out", tmp_path / "s", "--serial", says="'coils'", quiet=False)
    missing = tmp_path / "missing.toml"
    cli.fails("sweep", missing, "--out", tmp_path / "s", says="file not found", quiet=False)


EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "sweeps").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_specs_validate(path):
    spec = load_sweep_spec(path)
    tasks = expand_tasks(spec)  # builds every task's scenario
    assert len(tasks) == spec.n_tasks >= 4
    assert spec.outputs  # the examples name what they show
