"""``[coil] pose`` / ``pose_unit`` and ``[subject] mesh_unit`` in scenario files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tmslab.cli import main
from tmslab.coils.placement import pose_on_sphere, write_pose
from tmslab.errors import InvalidValueError
from tmslab.scenario import load_scenario, scenario_from_mapping
from tmslab.stages.pose import scenario_pose

BASE = {"protocol": {"preset": "single"}}


@pytest.mark.parametrize(
    ("coil", "message"),
    [
        ({"pose": "p.txt", "distance_mm": 4}, "not both"),
        ({"pose_unit": "mm"}, "pose_unit needs pose"),
        ({"pose": "p.txt", "pose_unit": "cm"}, "pose_unit"),
    ],
)
def test_bad_pose_keys(coil, message):
    with pytest.raises(InvalidValueError, match=message):
        scenario_from_mapping({**BASE, "coil": {"name": "magstim-70mm-fig8", **coil}})


def test_pose_path_is_relative_to_the_scenario_file(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    folder.mkdir()
    pose = pose_on_sphere(0.085, (0.2, 0.1, 1.0), distance_m=0.004)
    write_pose(folder / "pose.txt", pose, "mm")
    (folder / "s.toml").write_text(
        '[protocol]\npreset = "single"\n[coil]\nname = "magstim-70mm-fig8"\npose = "pose.txt"\n'
    )
    monkeypatch.chdir(tmp_path)
    matrix, unit = scenario_pose(load_scenario(folder / "s.toml"))
    assert unit == "mm" and np.array_equal(matrix, pose)


def _mesh_scenario(tmp_path, pose_lines: str, extra_subject: str = "") -> tuple:
    import meshio

    from tmslab.conductors import get_conductor

    surface = get_conductor("sphere-85mm", edge_m=6e-3).surfaces[0]
    mesh = tmp_path / "head.stl"
    meshio.write(mesh, meshio.Mesh(surface.vertices * 1e3, [("triangle", surface.triangles)]))
    scenario = tmp_path / "mesh.toml"
    scenario.write_text(
        'name = "posed mesh"\n[protocol]\npreset = "single"\n'
        "[stimulator]\nintensity_didt_a_per_us = 100\n"
        f'[coil]\nname = "magstim-70mm-fig8"\n{pose_lines}'
        f'[subject]\nkind = "mesh"\nconductor = "{mesh}"\nconductivities_s_per_m = [0.33]\n'
        f"{extra_subject}[target]\ndepth_mm = 15\n"
    )
    return scenario, surface


def test_run_with_a_pose_far_from_the_mesh_exits_2(tmp_path, cli):
    write_pose(tmp_path / "pose.txt", pose_on_sphere(0.085, distance_m=0.085), "m")
    scenario, _ = _mesh_scenario(tmp_path, 'pose = "pose.txt"\n')
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    cli.error("8.5 cm from the mesh surface", "[coil] pose_unit mm", progress=True)
    assert not out.exists()


def test_run_with_a_wrong_mesh_unit_exits_2(tmp_path, cli):
    scenario, _ = _mesh_scenario(tmp_path, "", 'mesh_unit = "m"\n')
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    cli.error("170 m across", "--mesh-unit mm", progress=True)
    assert not out.exists()


@pytest.mark.slow
def test_tilted_pose_on_a_mesh_head_matches_the_analytic_sphere(tmp_path, capsys):
    """A coil posed over (1, 0, 2) (a matsimnibs in mm): the target lies 15 mm along the coil
    axis below the surface, and |E| there equals the analytic sphere's (Heller & van Hulsteyn
    1992) within 2 %."""
    from tmslab.coils import load_coil
    from tmslab.conductors.sphere import get_head
    from tmslab.efield.sphere import sphere_efield

    pose = pose_on_sphere(0.085, (1.0, 0.0, 2.0), distance_m=0.002, handle_angle_deg=20)
    write_pose(tmp_path / "pose.txt", pose, "mm")
    scenario, _ = _mesh_scenario(tmp_path, 'pose = "pose.txt"\n')
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    capsys.readouterr()
    field = json.loads((out / "results.json").read_text())["sections"]["field"]
    target = np.asarray(field["target"]["point_m"])
    axis = -pose[:3, 2]  # outward, towards the coil
    assert np.allclose(target / np.linalg.norm(target), axis, atol=1e-6)
    assert np.linalg.norm(target) == pytest.approx(0.085 - 0.015, abs=1e-3)  # facets sag <1 mm
    coil = load_coil("magstim-70mm-fig8").transformed(pose)
    exact = np.linalg.norm(sphere_efield(coil, target[None], get_head("human"), 1e8)[0])
    assert field["target"]["efield_v_per_m"] == pytest.approx(exact, rel=0.02)


@pytest.mark.slow
def test_head_pose_equal_to_the_default_placement_gives_the_same_field(tmp_path):
    """A pose file holding the vertex placement (4 mm gap, handle angle 0) reproduces the
    default placement's E_max in the sphere head."""
    from tmslab.stages import STAGES

    write_pose(tmp_path / "pose.txt", pose_on_sphere(0.085, distance_m=0.004), "mm")
    text = (
        '[protocol]\npreset = "single"\n[stimulator]\nintensity_didt_a_per_us = 100\n'
        '[coil]\nname = "magstim-70mm-fig8"\n'
    )
    (tmp_path / "posed.toml").write_text(text + 'pose = "pose.txt"\n')
    (tmp_path / "plain.toml").write_text(text + "distance_mm = 4\n")
    emax = {}
    for name in ("posed", "plain"):
        scenario = load_scenario(tmp_path / f"{name}.toml")
        done = {}
        for key, _, stage in STAGES:
            done[key] = stage(scenario, done)
            if key == "field":
                break
        emax[name] = done["field"].data["metrics"]["emax"]
    assert emax["posed"] == pytest.approx(emax["plain"], rel=1e-9)


@pytest.mark.slow
def test_dish_pose_equal_to_the_default_placement_gives_the_same_layer_field(tmp_path):
    """A pose file holding the default dish placement (10 mm above the medium) gives the same
    cell-layer field, and the report names the pose."""
    from tmslab.conductors import get_conductor
    from tmslab.efield.bem import pose_above
    from tmslab.stages import STAGES

    height = get_conductor("dish-35mm").geometry["medium_height_m"]
    write_pose(tmp_path / "pose.txt", pose_above(height, 0.01), "mm")
    text = (
        '[protocol]\npreset = "single"\n[stimulator]\nintensity_didt_a_per_us = 100\n'
        '[subject]\nkind = "dish"\n[coil]\nname = "magstim-70mm-fig8"\n'
    )
    (tmp_path / "posed.toml").write_text(text + 'pose = "pose.txt"\n')
    (tmp_path / "plain.toml").write_text(text + "distance_mm = 10\n")
    field = {}
    for name in ("posed", "plain"):
        scenario = load_scenario(tmp_path / f"{name}.toml")
        done = {}
        for key, _, stage in STAGES:
            done[key] = stage(scenario, done)
            if key == "field":
                break
        field[name] = done["field"]
    a, b = (field[k].data["dish"]["efield_v_per_m"]["mean"] for k in ("posed", "plain"))
    assert a == pytest.approx(b, rel=1e-9)
    assert any(label == "coil pose" for label, _ in field["posed"].rows)
