"""Mesh checks with clear errors, mesh files in and out, presets and their errors."""

from __future__ import annotations

import meshio
import numpy as np
import pytest

from tmslab.coils import get_coil
from tmslab.conductors import get_conductor, list_conductors
from tmslab.conductors.library import sphere_conductor
from tmslab.conductors.mesh_io import write_surfaces
from tmslab.conductors.meshing import icosphere
from tmslab.conductors.quality import check_surface, inside_mask
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.efield.bem import solve
from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError


def ball(radius=0.02, n=2, centre=(0, 0, 0)):
    v, t = icosphere(radius, n)
    return v + np.asarray(centre), t


def test_open_surface_is_rejected():
    v, t = ball()
    with pytest.raises(InvalidValueError, match="is open"):
        check_surface(TriangleSurface("cap", v, t[:-3], 1.0))


def test_inconsistent_orientation_is_rejected():
    v, t = ball()
    t = t.copy()
    t[0] = t[0, ::-1]
    with pytest.raises(InvalidValueError, match="not consistently oriented"):
        check_surface(TriangleSurface("s", v, t, 1.0))


def test_inward_normals_are_rejected():
    v, t = ball()
    with pytest.raises(InvalidValueError, match="inward"):
        check_surface(TriangleSurface("s", v, t[:, ::-1], 1.0))


def test_self_intersection_is_found():
    v1, t1 = ball()
    v2, t2 = ball(centre=(0.0073, 0.0041, 0.0029))
    surface = TriangleSurface("two", np.vstack([v1, v2]), np.vstack([t1, t2 + len(v1)]), 1.0)
    with pytest.raises(InvalidValueError, match="intersects itself"):
        check_surface(surface)


def test_good_meshes_pass_and_inside_test_works():
    conductor = get_conductor("dish-35mm", edge_m=3e-3)
    for surface in conductor.surfaces:
        check_surface(surface)
    inside = inside_mask(conductor, np.array([[0, 0, 0.001], [0, 0, 0.003], [0.02, 0, 0.001]]))
    assert inside.tolist() == [True, False, False]


@pytest.mark.parametrize("suffix", [".stl", ".vtk", ".msh", ".obj"])
def test_mesh_file_round_trip(tmp_path, suffix):
    original = sphere_conductor([0.03, 0.02], [0.465, 0.275], edge_m=6e-3)
    path = write_surfaces(original, tmp_path / f"head{suffix}", unit_m=1e-3)
    again = get_conductor(path, conductivities=[0.275, 0.465])
    assert again.n_triangles == original.n_triangles
    assert [s.sigma_in for s in again.surfaces] == [0.275, 0.465]
    assert [s.sigma_out for s in again.surfaces] == [0.465, 0.0]
    assert again.surfaces[1].volume() == pytest.approx(original.surfaces[0].volume(), rel=1e-6)


def test_simnibs_tagged_surfaces_get_default_conductivities(tmp_path):
    scalp_v, scalp_t = ball(0.03, 2)
    bone_v, bone_t = ball(0.025, 2)
    mesh = meshio.Mesh(
        np.vstack([scalp_v, bone_v]) * 1e3,
        [("triangle", np.vstack([scalp_t, bone_t + len(scalp_v)]))],
        cell_data={
            "gmsh:physical": [np.r_[np.full(len(scalp_t), 1005), np.full(len(bone_t), 1004)]],
            "gmsh:geometrical": [np.r_[np.full(len(scalp_t), 1005), np.full(len(bone_t), 1004)]],
        },
    )
    path = tmp_path / "head.msh"
    meshio.write(path, mesh, file_format="gmsh22")
    conductor = get_conductor(path)
    names = [s.name for s in conductor.surfaces]
    assert names == ["bone", "scalp"]
    assert conductor.surfaces[0].sigma_in == 0.010 and conductor.surfaces[0].sigma_out == 0.465
    assert conductor.surfaces[1].sigma_in == 0.465 and conductor.surfaces[1].sigma_out == 0.0


def test_open_mesh_file_gives_a_clear_error(tmp_path):
    v, t = ball()
    path = tmp_path / "open.stl"
    meshio.write(path, meshio.Mesh(v * 1e3, [("triangle", t[:-1])]), file_format="stl")
    with pytest.raises(InvalidValueError, match="open"):
        get_conductor(path)


def test_unreadable_mesh_file(tmp_path):
    path = tmp_path / "broken.stl"
    path.write_text("solid nonsense\n facet normal x y z\n")
    with pytest.raises(SpecFileError):
        get_conductor(path)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="plate-6-well") as error:
        get_conductor("plate-7-well")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name", [n for n in list_conductors() if n != "plate-96-well"])
def test_every_preset_meshes_closed_and_carries_a_source(name):
    conductor = get_conductor(name, edge_m=None if "sphere" not in name else 12e-3)
    for surface in conductor.surfaces[:2]:
        check_surface(surface)
    if not name.startswith("sphere"):
        assert conductor.source is not None and conductor.source.citation


def test_coil_inside_the_conductor_is_rejected(small_ball):
    conductor, _ = small_ball
    coil = get_coil("magstim-70mm-round")  # coil frame: windings around the origin
    with pytest.raises(InvalidValueError, match="coil intersects"):
        solve(conductor, coil)


def test_points_outside_the_conductor_are_rejected(small_ball):
    conductor, coil = small_ball
    solution = solve(conductor, coil)
    with pytest.raises(InvalidValueError, match="outside the conductor"):
        solution.efield([[0, 0, 0.03]])


def test_equal_conductivities_on_both_sides_are_rejected():
    v, t = ball()
    with pytest.raises(InvalidValueError, match="equal conductivities"):
        Conductor((TriangleSurface("s", v, t, 0.3, 0.3),))
