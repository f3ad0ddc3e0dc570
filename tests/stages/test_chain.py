"""The whole chain of a scenario: field -> neurons -> plasticity -> evidence, results.nc, compare.

Checks that the stages pass the right values along (not only that they run): the neuron stage's
threshold in the sphere's non-uniform field is close to the uniform-field threshold along the
local field (the cell spans 2.4 mm, the field falls off over d_1/2 = 14 mm); the plasticity
stage pairs each pulse with the L5 cell's spike when it fires; a tesla intensity measured at the
brain surface gives that field there; the comparison's matched intensity is linear in dI/dt.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tests.conftest import EXAMPLES
from tmslab.cli import main


def results(out):
    return json.loads((out / "results.json").read_text())["sections"]


def test_results_nc_holds_the_labelled_results(example_run):
    import xarray as xr

    out = example_run("quickstart.toml")
    sections = results(out)
    with xr.open_dataset(out / "results.nc") as ds:
        thresholds = ds["neurons__models__threshold_peak_e_v_per_m"]
        assert thresholds.attrs["units"] == "V/m"
        np.testing.assert_allclose(
            thresholds.values,
            [m["threshold_peak_e_v_per_m"] for m in sections["neurons"]["models"]],
        )
        assert list(ds["neurons__models__model"].values) == [
            m["model"] for m in sections["neurons"]["models"]
        ]
        assert float(ds["field__target__efield_v_per_m"]) == pytest.approx(
            sections["field"]["target"]["efield_v_per_m"]
        )
        assert ds["protocol__pulse_times_s"].shape == (3000,)
        assert (
            ds.attrs["spec_sha256"]
            == json.loads((out / "provenance.json").read_text())["spec_sha256"]
        )


@pytest.mark.slow
def test_neuron_stage_uses_the_local_field_and_radial_orientation(example_run):
    from tmslab.neuron.activation import as_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    sections = results(example_run("quickstart.toml"))
    neurons = sections["neurons"]
    rotation = np.asarray(neurons["rotation"])
    target = np.asarray(neurons["target_m"])
    np.testing.assert_allclose(rotation[:, 2], target / np.linalg.norm(target), atol=1e-12)
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(3), atol=1e-12)
    l5 = next(m for m in neurons["models"] if m["model"] == "l5-pyramidal")
    # the same cell in a uniform field along the local field direction (in the cell's frame)
    from tmslab.scenario import load_scenario
    from tmslab.stages import run_scenario

    field = run_scenario(load_scenario(EXAMPLES / "quickstart.toml")).sections["field"].value
    e_target = field.efield(target[None])[0]
    local = rotation.T @ (e_target / np.linalg.norm(e_target))
    drive = as_drive(sections["stimulator"]["waveform"])
    uniform = direction_thresholds(get_model("l5-pyramidal"), drive, [local]).thresholds_v_per_m[0]
    assert l5["threshold_peak_e_v_per_m"] == pytest.approx(uniform, rel=0.1)
    assert l5["fires"] == (l5["threshold_peak_e_v_per_m"] <= neurons["applied_peak_e_v_per_m"])
    grid = neurons["activation_map"]
    ratio = np.asarray(grid["threshold_ratio"], float)
    assert np.array_equal(np.asarray(grid["fired"]), ratio <= 1.0)


@pytest.mark.slow
def test_plasticity_pairs_pulses_with_the_target_cells_spike(example_run):
    sections = results(example_run("quickstart.toml"))
    l5 = next(m for m in sections["neurons"]["models"] if m["model"] == "l5-pyramidal")
    assert l5["fires"]
    assert sections["plasticity"]["post_delay_s"] == pytest.approx(l5["spike_time_s"])
    rat = results(example_run("rat-15hz-7d.toml"))
    l5_rat = next(m for m in rat["neurons"]["models"] if m["model"] == "l5-pyramidal")
    if not l5_rat["fires"]:
        assert rat["plasticity"]["post_delay_s"] is None


@pytest.mark.slow
def test_tesla_at_the_brain_surface_is_that_field_there(example_run):
    from tmslab.coils import load_coil, pose_on_sphere
    from tmslab.conductors.sphere import get_head
    from tmslab.protocols.dose import current_per_didt_s
    from tmslab.protocols.stimulators import get_stimulator

    field = results(example_run("mouse-8mm-10hz-50mt.toml"))["field"]
    head = get_head("mouse")
    coil = load_coil("mouse-8mm").transformed(pose_on_sphere(head.scalp_radius_m))
    b_per_a = np.linalg.norm(coil.magnetic_field(np.array([[0, 0, head.brain_radius_m]]))[0])
    current = field["didt_a_per_s"] * current_per_didt_s(
        get_stimulator("magstim-rapid2").waveform("biphasic")
    )
    assert current * b_per_a == pytest.approx(0.05, rel=1e-6)


@pytest.mark.slow
def test_rat_next_to_human_matches_intensity_linearly(example_run):
    sections = results(example_run("rat-15hz-7d.toml"))
    compare = sections["compare"]
    this, other = compare["this"], compare["other"]
    assert this["subject"] == "rat" and other["subject"] == "human"
    matched = compare["other_matched_didt_a_per_s"]
    assert matched == pytest.approx(
        other["didt_a_per_s"] * this["target_efield_v_per_m"] / other["target_efield_v_per_m"]
    )
    assert other["d_half_m"] > 3 * this["d_half_m"]  # the human field reaches deeper


@pytest.mark.slow
def test_evidence_stage_lists_nearest_studies_first(example_run):
    evidence = results(example_run("rat-15hz-7d.toml"))["evidence"]
    distances = [s["distance"] for s in evidence["studies"]]
    assert distances == sorted(distances) and len(distances) == 5
    assert evidence["studies"][0]["species"] == "rat"
    assert evidence["query"] == {
        "frequency_hz": 15.0,
        "pattern": "rTMS",
        "species": "rat",
        "preparation": "in_vivo",
    }


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("[neurons]\nmodel = ['l5-pyramidal']\n", "model"),
        pytest.param(  # runs the whole chain before the compare stage finds the file missing
            "[compare]\nscenario = 'missing.toml'\n", "missing.toml", marks=pytest.mark.slow
        ),
        ("[evidence]\nn_studies = 0\n", "n_studies"),
    ],
)
def test_bad_sections_give_one_line_errors(tmp_path, capsys, extra, key):
    text = (EXAMPLES / "quickstart.toml").read_text() + "\n" + extra
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    *progress, err = capsys.readouterr().err.strip().splitlines()
    assert err.startswith("error:") and key in err
    # Off a terminal, one line per stage run before the failure; nothing else.
    assert all(re.match(r"\[\d+/\d+\] ", line) for line in progress), progress
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_dish_scenario_reports_the_cell_layer_and_its_cells(example_run):
    """A figure-8 over a 35 mm dish: the walls cancel most of the free-space field (the issue's
    premise; tests/efield/bem checks the solver itself), and the neuron stage places flat cells at the
    dish centre in the field found there."""
    sections = results(example_run("culture-35mm-dish-10hz.toml"))
    dish = sections["field"]["dish"]
    assert dish["ratio_to_free_space"]["mean"] < 0.5
    assert dish["efield_v_per_m"]["mean"] == pytest.approx(
        dish["ratio_to_free_space"]["mean"] * dish["free_space_v_per_m"]["mean"]
    )
    neurons = sections["neurons"]
    assert neurons["orientation"] == "flat in the cell layer"
    # the same field, evaluated by the FMM in two batches of points: equal to the FMM's precision
    # (eps from the mesh, ~1e-3; tmslab.efield.bem.fmm.eps_for_edge)
    assert neurons["applied_peak_e_v_per_m"] == pytest.approx(
        sections["field"]["target"]["efield_v_per_m"], rel=1e-4
    )
    shares = neurons["layer_share_above_threshold"]
    for model in neurons["models"]:  # a lower threshold never covers less of the layer
        for other in neurons["models"]:
            if model["threshold_peak_e_v_per_m"] <= other["threshold_peak_e_v_per_m"]:
                assert shares[model["model"]] >= shares[other["model"]]
    assert sections["evidence"]["query"]["preparation"] == "culture"


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ('[subject]\nkind = "mesh"\n', "conductor"),
        ('[subject]\nconductor = "dish-35mm"\n', "conductor"),
        ('[subject]\nkind = "dish"\nconductor = "dish-99mm"\n', "dish-99mm"),
    ],
)
def test_bad_subjects_give_one_line_errors(tmp_path, capsys, subject, key):
    text = (
        (EXAMPLES / "quickstart.toml")
        .read_text()
        .replace('[subject]\nspecies = "human"\nmotor_threshold_pct_mso = 45\n', subject)
    )
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    *progress, err = capsys.readouterr().err.strip().splitlines()
    assert err.startswith("error:") and key in err
    # Off a terminal, one line per stage run before the failure; nothing else.
    assert all(re.match(r"\[\d+/\d+\] ", line) for line in progress), progress
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_mesh_subject_matches_the_analytic_sphere(tmp_path, capsys):
    """A sphere exported as an STL mesh and run as ``kind = "mesh"``: |E| at the target equals
    the analytic sphere's at the same point (Heller & van Hulsteyn 1992) within 2 %."""
    import meshio

    from tmslab.coils import load_coil, pose_on_sphere
    from tmslab.conductors import get_conductor
    from tmslab.conductors.sphere import get_head
    from tmslab.efield.sphere import sphere_efield

    surface = get_conductor("sphere-85mm", edge_m=6e-3).surfaces[0]
    mesh_path = tmp_path / "head.stl"  # STL files are read in millimetres
    meshio.write(mesh_path, meshio.Mesh(surface.vertices * 1e3, [("triangle", surface.triangles)]))
    scenario = tmp_path / "mesh.toml"
    scenario.write_text(
        'name = "mesh head"\n[protocol]\npreset = "single"\n'
        "[stimulator]\nintensity_didt_a_per_us = 100\n"
        '[coil]\nname = "magstim-70mm-fig8"\n'
        f'[subject]\nkind = "mesh"\nconductor = "{mesh_path}"\nconductivities_s_per_m = [0.33]\n'
        "[target]\ndepth_mm = 15\n"
    )
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    capsys.readouterr()
    field = results(out)["field"]
    target = np.asarray(field["target"]["point_m"])
    assert target[2] == pytest.approx(surface.vertices[:, 2].max() - 0.015)
    coil = load_coil("magstim-70mm-fig8").transformed(pose_on_sphere(0.085))
    exact = np.linalg.norm(sphere_efield(coil, target[None], get_head("human"), 1e8)[0])
    assert field["target"]["efield_v_per_m"] == pytest.approx(exact, rel=0.02)
