"""Scenarios on a realistic head: ``[subject] model``, ``[coil] position``, ``[target] mni``.

Validation is checked on the scenario file (fast); the whole chain runs on a head of spheres
standing in for fsaverage (a small BEM, seconds); the fsaverage example runs in the slow test.
"""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.scenario import scenario_from_mapping

BASE = {
    "protocol": {"preset": "single"},
    "stimulator": {"intensity_didt_a_per_us": 100},
}
HEAD = {"kind": "head", "model": "fsaverage", "species": "human"}
COIL = {"name": "magstim-70mm-fig8", "position": "F3", "distance_mm": 4}


def _spec(**sections):
    return scenario_from_mapping({**BASE, **sections})


def test_a_head_scenario_validates():
    scenario = _spec(subject=HEAD, coil=COIL, target={"name": "dlpfc-fox2012"})
    assert scenario.spec.subject.model == "fsaverage"
    assert scenario.spec.coil.position == "F3"
    scenario = _spec(
        subject=HEAD,
        coil={"name": "magstim-70mm-fig8", "position_mni": [-40, 40, 60], "handle_towards": "Fz"},
        target={"mni": [-38, 44, 26]},
    )
    assert scenario.spec.target.mni == (-38.0, 44.0, 26.0)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"subject": {**HEAD, "model": "colin27"}, "coil": COIL}, "model 'colin27'"),
        ({"subject": HEAD, "coil": {"name": "magstim-70mm-fig8"}}, r"\[coil\] .*position"),
        ({"subject": HEAD, "coil": COIL, "target": {"name": "hand knob"}}, "cortical target"),
        ({"subject": HEAD, "coil": COIL, "target": {"depth_mm": 10}}, "depth_mm is for"),
        ({"coil": COIL}, r"\[coil\] position places a coil on a realistic head"),
        ({"target": {"mni": [-38, 44, 26]}}, r"\[target\] mni needs a realistic head"),
        ({"subject": {**HEAD, "kind": "dish"}}, "model"),
        ({"subject": {**HEAD, "species": "rat"}}, "species"),
        (
            {"subject": HEAD, "coil": {**COIL, "position_mni": [0, 0, 90]}},
            "one of pose, position and position_mni",
        ),
        ({"subject": HEAD, "coil": COIL, "target": {"mni": [1, 2]}}, "mni"),
        ({"subject": HEAD, "coil": COIL, "neurons": {"cortex_method": "guess"}}, "cortex_method"),
        (
            {"subject": HEAD, "coil": COIL, "target": {"mni": [1, 2, 3], "name": "M1-hand"}},
            "not both",
        ),
    ],
)
def test_bad_head_scenarios_are_one_line_errors(sections, message):
    with pytest.raises(TmslabError, match=message) as error:
        _spec(**sections)
    assert "\n" not in str(error.value)


def test_load_head_resolves_fsaverage_and_refuses_others():
    from tmslab.stages.field_head import load_head

    with pytest.raises(InvalidValueError, match="fsaverage"):
        load_head("colin27")
    with pytest.raises(InvalidValueError, match=r"\.msh"):
        load_head("ernie.msh")


@pytest.fixture
def sphere_head(monkeypatch):
    """A head of spheres (tests/efield/test_head.py) as the scenario's head: BEM in seconds."""
    from tests.efield.test_head import sphere_model
    from tmslab.stages import field_head

    head = sphere_model()
    monkeypatch.setattr(field_head, "load_head", lambda model: head)
    return head


def test_the_whole_chain_runs_on_the_cortical_field(sphere_head):
    from tmslab.efield.head import CorticalField
    from tmslab.stages import run_scenario

    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "rtms-1hz"},
            "stimulator": {"intensity_didt_a_per_us": 100},
            "coil": {"name": "magstim-70mm-fig8", "position": "Cz", "distance_mm": 4},
            "subject": HEAD,
            "neurons": {"models": ["mrg-axon"], "cortex_cells": 8, "cortex_radius_mm": 5},
        }
    )
    result = run_scenario(scenario)
    field = result.sections["field"]
    solution = field.value
    cortex = solution.maps
    assert isinstance(cortex, CorticalField) and cortex.didt_a_per_s == 100e6
    # no [target]: the cells stand at the hot spot, along the cortex's outward normal there
    assert field.data["target"]["name"] == "hot spot"
    np.testing.assert_allclose(solution.target_point_m, cortex.hotspot)
    np.testing.assert_allclose(solution.layer_normal, cortex.normals[cortex.hotspot_index])
    assert solution.radial_layer and not solution.spherical_layers
    # E of the solution at the cortex vertices is the cortical field's (to the FMM's precision)
    step = len(cortex.vertices) // 7
    np.testing.assert_allclose(
        solution.efield(cortex.vertices[::step]),
        cortex.efield[::step],
        atol=1e-3 * cortex.e_max_raw,
    )
    metrics = field.data["metrics"]
    assert metrics["emax"] == pytest.approx(cortex.e_max)
    assert metrics["e_target"] == pytest.approx(cortex.e_max_raw)
    assert metrics["hotspot_distance_m"] == 0.0
    assert metrics["area_above_75pct_m2"] < metrics["area_above_50pct_m2"]
    assert [f.plot for f in field.figures] == ["plot_cortical_field"]
    # the console summary (first three rows): the coil and its placement, E at the target, max
    assert [label for label, _ in field.rows[:3]] == [
        "coil",
        "|E| at target",
        "max |E| (99.9th pct, robust)",
    ]
    # the neuron stage ran on that field
    neurons = result.sections["neurons"].data
    assert neurons["computed"] and neurons["orientation"] == "radial"
    assert "activation_map" not in neurons
    # the cortex map: the MRG axon names no layer, so L5 cells stand in the cortex around the
    # target, somata at the L5 depth
    (record,) = neurons["cortex_maps"]
    assert record["model"] == "l5-pyramidal" and record["layer"] == "L5"
    assert record["n_cells"] == 8 and record["radius_m"] == pytest.approx(0.005)
    assert record["didt_a_per_s"] == pytest.approx(100e6)
    assert "timings_s" not in record  # results.json is the same on every run
    notes = result.sections["neurons"].notes
    assert any("places l5-pyramidal cells" in n for n in notes)
    scale, fraction = record["io_curve"]["scale"], record["io_curve"]["fraction_activated"]
    assert np.all(np.diff(fraction) >= 0) and fraction[0] == 0
    rows = dict(result.sections["neurons"].rows)
    fired = int(rows["l5-pyramidal cells in the cortex around the target"].split(" of ")[0])
    assert fired / 8 == pytest.approx(fraction[np.searchsorted(scale, 1.0)])
    cortex_figure = result.sections["neurons"].figures[-1]
    assert cortex_figure.plot == "plot_cortex_threshold_map"
    assert neurons["applied_peak_e_v_per_m"] == pytest.approx(cortex.e_max_raw, rel=1e-3)
    assert "plasticity" in result.sections and "evidence" in result.sections
    # the report draws the cortex figure
    from tmslab.viz import draw

    figure = draw(field.figures[0])
    assert len(figure.axes) >= 4
    assert len(draw(cortex_figure).axes) >= 3


def test_without_a_dose_the_head_field_is_per_a_per_us(sphere_head):
    from tmslab.stages import run_scenario

    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "single"},
            "coil": {"name": "magstim-70mm-fig8", "position": "Cz", "distance_mm": 4},
            "subject": HEAD,
        }
    )
    result = run_scenario(scenario)
    field = result.sections["field"]
    assert field.data["didt_a_per_s"] is None and not field.value.applied
    assert field.data["target"]["efield_per_didt"] > 0
    assert "per A/µs" in field.figures[0].caption
    assert result.sections["neurons"].data["computed"] is False


def test_a_coil_inside_the_scalp_is_refused(sphere_head, monkeypatch):
    from tmslab.stages import field_head, run_scenario

    # a pose 20 mm inside the 85 mm scalp
    monkeypatch.setattr(
        field_head,
        "_pose",
        lambda scenario, head, section: (
            np.array([[1.0, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0.065], [0, 0, 0, 1]]),
            "inside",
        ),
    )
    scenario = scenario_from_mapping(
        {**BASE, "coil": {"name": "magstim-70mm-fig8", "position": "Cz"}, "subject": HEAD}
    )
    with pytest.raises(InvalidValueError, match=r"inside the scalp; raise the coil"):
        run_scenario(scenario)


@pytest.mark.slow
def test_head_example_runs_on_fsaverage(example_run):
    """About 2-3 minutes: 120 % MT at F3, the DLPFC target on the fsaverage cortex."""
    import json

    out = example_run("head-dlpfc-10hz.toml")
    sections = json.loads((out / "results.json").read_text())["sections"]
    field = sections["field"]
    assert field["computed"] and field["target"]["name"] == "DLPFC-Fox2012"
    e = field["target"]["efield_v_per_m"]
    assert 20 < e < 150  # V/m at 120 % MT (about 69 A/us)
    assert field["metrics"]["emax"] >= e
    assert sections["neurons"]["computed"]
    html = (out / "report.html").read_text()
    assert "mid-cortical surface" in html and "DLPFC-Fox2012" in html


def test_tesla_at_the_brain_surface_is_measured_where_the_coil_axis_enters_the_brain(
    sphere_head,
):
    from tmslab.stages import run_scenario

    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "single"},
            "stimulator": {"intensity_t": 0.5, "intensity_t_at": "brain-surface"},
            "coil": {"name": "magstim-70mm-fig8", "position": "Cz", "distance_mm": 4},
            "subject": HEAD,
            "neurons": {"models": ["mrg-axon"], "activation_map": False},
        }
    )
    field = run_scenario(scenario).sections["field"]
    assert field.data["didt_a_per_s"] > 0
    assert any("brain surface (inner skull)" in note for note in field.notes)
    # the 'brain' of the head of spheres is 75 mm: 14 mm below the coil centre at 89 mm
    from tmslab.coils import get_coil
    from tmslab.protocols.dose import tesla_per_ampere

    pose = field.value.maps.pose  # the cortical field holds the pose
    at_brain = tesla_per_ampere(get_coil("magstim-70mm-fig8").transformed(pose), [0, 0, 0.075])
    assert field.data["tesla_per_ampere"] == pytest.approx(at_brain, rel=0.02)


def test_a_target_outside_the_brain_is_a_one_line_error_in_mm(sphere_head):
    from tmslab.stages import run_scenario

    scenario = scenario_from_mapping(
        {
            **BASE,
            "coil": {"name": "magstim-70mm-fig8", "position": "Cz", "distance_mm": 4},
            "subject": HEAD,
            "target": {"mni": [0, 0, 120]},
        }
    )
    with pytest.raises(InvalidValueError, match=r"^\[target\] MNI \(0, 0, 120\) mm lies outside"):
        run_scenario(scenario)


# --- [optimise]: the placement searched before the field is solved ---------------------------------
OPTIMISE = {"radius_mm": 8, "step_mm": 8, "angle_step_deg": 90}


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"subject": HEAD, "coil": COIL, "target": {"name": "M1-hand"}, "optimise": {}},
         r"\[optimise\] searches the coil position"),
        ({"subject": HEAD, "coil": {"name": "magstim-70mm-fig8"}, "optimise": {}},
         r"\[optimise\] needs a target"),
        ({"optimise": {}}, r"\[optimise\] searches placements on a realistic head"),
        ({"subject": HEAD, "coil": {"name": "magstim-70mm-fig8"}, "target": {"name": "M1-hand"},
          "optimise": {"angle_step_deg": 7}}, "must divide 360"),
        ({"subject": HEAD, "coil": {"name": "magstim-70mm-fig8"}, "target": {"name": "M1-hand"},
          "optimise": {"goal": "sharpest"}}, "goal"),
        ({"subject": HEAD, "coil": {"name": "magstim-70mm-fig8"}, "target": {"name": "M1-hand"},
          "optimise": {"avoid_mni": [[0, 0, 60]]}}, 'avoid_mni goes with goal = "focal"'),
    ],
)  # fmt: skip
def test_bad_optimise_sections_are_one_line_errors(sections, message):
    with pytest.raises(TmslabError, match=message) as error:
        _spec(**sections)
    assert "\n" not in str(error.value)


@pytest.mark.slow
def test_the_chain_runs_at_the_searched_pose(sphere_head):
    """On the head of spheres the best pose for a target sits over it; the field stage solves
    there and checks the reciprocity score against its own direct solve."""
    from tmslab.stages import run_scenario

    point = 0.06 * np.array([0.3, 0.1, 1.0]) / np.linalg.norm([0.3, 0.1, 1.0])
    scenario = scenario_from_mapping(
        {
            **BASE,
            "coil": {"name": "magstim-70mm-fig8", "distance_mm": 4},
            "subject": HEAD,
            "target": {"mni": (point * 1e3).tolist()},
            "optimise": OPTIMISE,
            "neurons": {"models": ["mrg-axon"], "activation_map": False},
        }
    )
    field = run_scenario(scenario).sections["field"]
    data = field.data["optimise"]
    assert data["poses"] == 5 * 4 and data["offset_m"] == 0.0
    assert data["reciprocity_vs_direct"] < 0.01
    assert [f.plot for f in field.figures] == ["plot_placement", "plot_cortical_field"]
    assert field.rows[0][0] == "coil" and "best of 20 poses" in field.rows[0][1]
    from tmslab.viz import draw

    assert len(draw(field.figures[0]).axes) >= 2


@pytest.mark.slow
def test_optimised_head_example_runs_on_fsaverage(example_run):
    """About 1-2 minutes: the DLPFC protocol with the coil placed by the [optimise] search; the
    searched pose beats the F3 placement of head-dlpfc-10hz.toml at the target."""
    import json

    out = example_run("head-dlpfc-optimised.toml")
    field = json.loads((out / "results.json").read_text())["sections"]["field"]
    assert field["optimise"]["poses"] == 81 * 36  # 15 mm / 3 mm grid x 10 degree steps
    assert field["optimise"]["reciprocity_vs_direct"] < 0.01
    assert field["target"]["efield_normal_v_per_m"] > 0
    assert field["target"]["efield_v_per_m"] > 55  # at F3, handle 45 deg: about 50 V/m
    html = (out / "report.html").read_text()
    assert "Placement search" in html


def test_the_cortex_map_holds_what_the_budget_allows_and_says_so(sphere_head, monkeypatch):
    from tmslab import budgets
    from tmslab.neuron.drive import drive_from_waveform
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import map_size
    from tmslab.protocols.stimulators import get_stimulator
    from tmslab.stages import run_scenario

    pulse = get_stimulator("magstim-rapid2").waveform("biphasic")
    drive = drive_from_waveform(pulse, name=pulse.shape)
    # a slow machine's cable solver: the map, not the small head's solve, meets the limit
    monkeypatch.setattr(budgets, "COMPARTMENT_STEPS_PER_S", 2e6)
    per_cell = budgets.neuron_map(1, *map_size(get_model("l5-pyramidal"), drive)).seconds
    monkeypatch.setenv(budgets.MINUTES_ENV, str(3.5 * per_cell / 60))
    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "single"},
            "stimulator": {"device": "magstim-rapid2", "waveform": "biphasic",
                           "intensity_didt_a_per_us": 100},
            "coil": {"name": "D70", "model": "magstim-70mm-fig8", "position": "Cz",
                     "distance_mm": 4},
            "subject": HEAD,
            "neurons": {"models": ["l5-pyramidal"]},
        }
    )  # fmt: skip
    neurons = run_scenario(scenario).sections["neurons"]
    assert neurons.data["cortex_maps"][0]["n_cells"] == 3
    assert any("3 cells, not 100" in note and "cortex_cells" in note for note in neurons.notes)


def test_the_cortex_map_from_the_direction_table(sphere_head, monkeypatch, tmp_path):
    from tmslab.stages import run_scenario

    monkeypatch.setenv("TMSLAB_CACHE_DIR", str(tmp_path))
    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "single"},
            "stimulator": {"intensity_didt_a_per_us": 100},
            "coil": {"name": "magstim-70mm-fig8", "position": "Cz", "distance_mm": 4},
            "subject": HEAD,
            "neurons": {"models": ["l5-pyramidal"], "cortex_cells": 40, "cortex_method": "table"},
        }
    )
    neurons = run_scenario(scenario).sections["neurons"]
    (record,) = neurons.data["cortex_maps"]
    assert record["method"] == "table" and record["n_cells"] == 40
    assert record["table_directions"] == 400 and record["table_check_cells"] == 10
    assert 0 < record["table_median_abs_error"] <= record["table_max_abs_error"] < 0.10
    rows = dict(neurons.rows)
    assert "estimated from the 400-direction" in rows["l5-pyramidal: thresholds"]
