"""SimNIBS head meshes with junctions (issue 16): reading, the junction BEM, bad input.

The fixture (:mod:`tests.conductors.head.simnibs_fixture`): WM ball r 50 mm, GM shell 50-60 mm,
the shell 60-70 mm split at x = 0 into scalp (x < 0) and bone (x > 0), written in SimNIBS's
Gmsh 2.2 binary layout. Measured (10 mm mesh, 3,576 facets; coil 10 mm above, tilted to +x):
with bone given the scalp's conductivity (a spherically symmetric head) the junction solve
matches the analytic sphere to RDM 0.0048 and the nested solve on the same facets exactly (the
same equations: RDM 1e-15);
the split head differs from it by RDM 0.20 (the junction matters), is mirror-symmetric (bone
and scalp swapped, coil mirrored: RDM 0.003) and converges under refinement (10 vs 7 mm: RDM
0.005; 8 vs 6 mm: 0.003). Normal current and tangential E are continuous across every
interface to 0.3 % of sigma |E| away from the junction lines; within one facet of a junction
line the mismatch is 2-4 % (the field is singular there) and does not shrink with refinement.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.conductors.head.simnibs_fixture import write_ball_head
from tests.efield.bem.conftest import fibonacci_sphere, rdm_mag
from tmslab.coils import get_coil, pose_on_sphere
from tmslab.errors import TmslabError
from tmslab.units import MM

pytest.importorskip("gmsh", reason="the fixture is meshed with Gmsh")

SIZE_MM = 10.0
BONE, SCALP = 4, 5


@pytest.fixture(scope="module")
def ball_msh(tmp_path_factory):
    """The fixture in an m2m-like folder with charm's MNI affine (the identity here)."""
    folder = tmp_path_factory.mktemp("m2m_ball")
    (folder / "toMNI").mkdir()
    np.savetxt(folder / "toMNI" / "MNI2conform_12DOF.txt", np.eye(4))
    return write_ball_head(folder / "ballhead.msh", SIZE_MM)


@pytest.fixture(scope="module")
def coil():
    pose = pose_on_sphere(0.070, direction=(0.3, 0.0, 1.0), distance_m=0.01)
    return get_coil("magstim-70mm-fig8").transformed(pose)


@pytest.fixture(scope="module")
def points():
    """Points in the WM (r 40 mm) and mid-GM (r 55 mm) under the coil, off every interface."""
    p = np.concatenate([fibonacci_sphere(300) * r for r in (0.040, 0.055)])
    return p[p[:, 2] > 0.02]


@pytest.fixture(scope="module")
def split_solution(ball_msh, coil):
    from tmslab.conductors.head import simnibs_head
    from tmslab.efield.bem import solve

    head = simnibs_head(ball_msh)
    return head, solve(head.conductor(), coil, didt_a_per_s=1e6)


def test_the_file_has_simnibs_binary_layout(ball_msh):
    from tmslab.conductors.head.simnibs import read_simnibs_mesh

    raw = ball_msh.read_bytes()
    assert raw.startswith(b"$MeshFormat\n2.2 1 8\n\x01\x00\x00\x00\n$EndMeshFormat\n$Nodes\n")
    mesh = read_simnibs_mesh(ball_msh)
    assert sorted(np.unique(mesh.tissue).tolist()) == [1, 2, 4, 5]
    assert sorted(np.unique(mesh.surface_tags).tolist()) == [1001, 1002, 1004, 1005]
    assert np.ptp(mesh.nodes, axis=0).max() == pytest.approx(0.140, abs=1e-3)  # mm -> m


def test_head_has_junction_patches_cortex_and_scalp(ball_msh):
    from tmslab.conductors.head import simnibs_head
    from tmslab.conductors.quality import check_conductor

    head = simnibs_head(ball_msh)
    conductor = head.conductor()
    names = {s.name: s for s in conductor.surfaces}
    assert set(names) == {"WM|GM", "GM|bone", "GM|scalp", "bone|air", "bone|scalp", "scalp|air"}
    assert conductor.is_junction and not names["bone|scalp"].is_closed
    assert names["GM|bone"].sigma_in == 0.275 and names["GM|bone"].sigma_out == 0.010
    assert names["WM|GM"].sigma_in == 0.126 and names["scalp|air"].sigma_out == 0.0
    assert len(conductor.outer_bodies) == 1 and len(conductor.outer_bodies[0]) == 2
    check_conductor(conductor)
    # mid-cortex half-way between r 50 and 60 mm, normals out of the WM, hemispheres by x
    for side, hemi in head.hemispheres.items():
        r = np.linalg.norm(hemi.mid.vertices, axis=1)
        assert np.all((r > 0.0535) & (r < 0.0555))
        radial = np.einsum("ij,ij->i", hemi.mid.normals, hemi.mid.vertices) / r
        assert np.all(radial > 0.9)
        assert not hemi.medial_wall.any()
        x = hemi.mid.vertices[:, 0]
        assert (x < 0.01).all() if side == "left" else (x > -0.01).all()
    r = np.linalg.norm(head.scalp.vertices, axis=1)
    assert np.all(np.abs(r - 0.070) < 1e-6)


def test_equal_halves_match_the_analytic_sphere(ball_msh, coil, points):
    """Bone given the scalp's conductivity: spherically symmetric, so the analytic field holds."""
    from tmslab.conductors.head import simnibs_head
    from tmslab.conductors.sphere import SphereHead
    from tmslab.efield.bem import solve
    from tmslab.efield.sphere import sphere_efield

    head = simnibs_head(ball_msh, {BONE: 0.465})
    names = [s.name for s in head.conductor().surfaces]
    assert "bone|scalp" not in names  # no charge between equal conductivities
    e = solve(head.conductor(), coil).efield(points)
    exact = sphere_efield(coil, points, SphereHead("ball", 0.0699, 0.050))
    rdm, mag = rdm_mag(e, exact)
    assert rdm < 0.01 and abs(mag - 1) < 0.01


@pytest.mark.slow
def test_equal_halves_match_the_nested_solve(ball_msh, coil, points):
    """The same facets as closed nested surfaces (WM|GM, GM|shell, shell|air) give the same field."""
    from tmslab.conductors.head import simnibs_head
    from tmslab.conductors.surfaces import Conductor, TriangleSurface, welded_vertex_ids
    from tmslab.efield.bem import solve

    junction = simnibs_head(ball_msh, {BONE: 0.465}).conductor()
    groups: dict[tuple[float, float], list] = {}
    for s in junction.surfaces:
        groups.setdefault((s.sigma_in, s.sigma_out), []).append(s)
    closed = []
    for (inside, outside), parts in groups.items():
        offsets = np.cumsum([0] + [len(s.vertices) for s in parts[:-1]])
        v = np.concatenate([s.vertices for s in parts])
        t = np.concatenate([s.triangles + o for s, o in zip(parts, offsets, strict=True)])
        ids = welded_vertex_ids([v])[0]
        unique, first = np.unique(ids, return_index=True)
        closed.append(
            TriangleSurface("+", v[first], np.searchsorted(unique, ids)[t], inside, outside)
        )
    nested = Conductor(tuple(closed))
    assert not nested.is_junction
    rdm, mag = rdm_mag(solve(junction, coil).efield(points), solve(nested, coil).efield(points))
    # the same facets and, with the curvature continued across patch edges, the same equations
    assert rdm < 1e-6 and abs(mag - 1) < 1e-6


def test_split_head_differs_and_keeps_currents_continuous(split_solution, coil, points):
    """The junction changes the field; normal current and tangential E are continuous across
    every interface away from the junction lines (within 0.5 %)."""
    from tmslab.conductors.sphere import SphereHead
    from tmslab.efield.sphere import sphere_efield

    _, solution = split_solution
    conductor = solution.conductor
    e = solution.efield(points) / 1e6
    exact = sphere_efield(coil, points, SphereHead("ball", 0.0699, 0.050))
    assert rdm_mag(e, exact)[0] > 0.1
    for k, surface in enumerate(conductor.surfaces):
        if surface.sigma_out == 0:
            continue
        index = np.flatnonzero(conductor.surface_index == k)
        centre, normal = conductor.centroids[index], conductor.normals[index]
        away = np.abs(centre[:, 0]) > conductor.sizes[index]  # from the junction lines at x = 0
        if not away.any():
            continue
        step = 1e-3 * conductor.sizes[index][away, None]
        c, n = centre[away], normal[away]
        e_in, e_out = solution.efield(c - step * n), solution.efield(c + step * n)
        j_in = surface.sigma_in * np.einsum("ij,ij->i", e_in, n)
        j_out = surface.sigma_out * np.einsum("ij,ij->i", e_out, n)
        scale = max(surface.sigma_in, surface.sigma_out) * np.linalg.norm(e_in)
        assert np.linalg.norm(j_in - j_out) / scale < 0.005, surface.name
        jump = e_in - e_out
        tangential = jump - np.einsum("ij,ij->i", jump, n)[:, None] * n
        assert np.linalg.norm(tangential) / np.linalg.norm(e_in) < 0.005, surface.name


@pytest.mark.slow
def test_split_head_mirror_symmetry_and_refinement(
    tmp_path, ball_msh, coil, points, split_solution
):
    """Swapping bone and scalp and mirroring the coil in x mirrors the field; a finer mesh
    (7 mm) agrees with the 10 mm one far better than the junction's effect."""
    from tmslab.conductors.head import simnibs_head
    from tmslab.efield.bem import solve

    _, solution = split_solution
    e = solution.efield(points) / 1e6
    mirror = np.diag([-1.0, 1.0, 1.0])
    swapped = write_ball_head(tmp_path / "swapped.msh", SIZE_MM, retag={BONE: SCALP, SCALP: BONE})
    # the mirror image of the coil: dipoles at M r with moments -M m (pseudovectors, det M = -1)
    mirrored_coil = replace(
        coil,
        dipole_positions=coil.dipole_positions @ mirror,
        dipole_moments=-(coil.dipole_moments @ mirror),
        windings=(),
        winding_currents=(),
    )
    e_m = solve(simnibs_head(swapped).conductor(), mirrored_coil).efield(points @ mirror)
    rdm, mag = rdm_mag(e_m @ mirror, e)  # E'(M p) = M E(p)
    assert rdm < 0.01 and abs(mag - 1) < 0.01
    fine = write_ball_head(tmp_path / "fine.msh", 7.0)
    e_fine = solve(simnibs_head(fine).conductor(), coil).efield(points)
    assert rdm_mag(e, e_fine)[0] < 0.01


def test_broken_junction_conductors_are_refused(ball_msh):
    from tmslab.conductors.head import simnibs_head
    from tmslab.conductors.quality import check_conductor
    from tmslab.conductors.surfaces import Conductor, TriangleSurface

    surfaces = simnibs_head(ball_msh, check=False).conductor().surfaces
    flipped = tuple(s.flipped() if s.name == "bone|scalp" else s for s in surfaces)
    with pytest.raises(TmslabError, match="not closed and consistently oriented"):
        check_conductor(Conductor(flipped, name="flipped"))
    holed = tuple(
        TriangleSurface(s.name, s.vertices, s.triangles[1:], s.sigma_in, s.sigma_out)
        if s.name == "GM|bone"
        else s
        for s in surfaces
    )
    with pytest.raises(TmslabError, match="open edges"):
        check_conductor(Conductor(holed, name="holed"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(scale=MM), "not a head's size; SimNIBS meshes are in mm"),  # written in metres
        (dict(retag={2: 3}), "no grey-matter surfaces"),
        (dict(retag={5: 42}), "missing or unknown tags"),
        (dict(retag={5: 0}), "missing or unknown tags"),
    ],
)
def test_bad_meshes_give_one_line_errors(tmp_path, kwargs, message):
    from tmslab.conductors.head import simnibs_head

    path = write_ball_head(tmp_path / "bad.msh", 14.0, **kwargs)
    with pytest.raises(TmslabError, match=message) as error:
        simnibs_head(path)
    assert "\n" not in str(error.value)


def test_no_positions_asks_for_a_point(ball_msh):
    from tmslab.conductors.head import load_head

    head = load_head(str(ball_msh))
    with pytest.raises(TmslabError, match=r"no 10-10 positions.*--position-mni"):
        head.position("C3")
    with pytest.raises(TmslabError, match="fsaverage or a SimNIBS head mesh"):
        load_head("colin27")


def test_cli_bad_heads_exit_2(tmp_path, ball_msh, capsys):
    from tmslab.cli import main

    base = ["field", "head", "--coil", "magstim-70mm-fig8", "--position-mni", "0,0,80"]
    metres = write_ball_head(tmp_path / "metres.msh", 14.0, scale=MM)
    no_gm = write_ball_head(tmp_path / "nogm.msh", 14.0, retag={2: 3})
    for head, message in [
        (ball_msh.with_suffix(".stl"), "fsaverage or a SimNIBS head mesh"),
        (metres, "is this one in metres?"),
        (no_gm, "no grey-matter surfaces"),
    ]:
        assert main([*base, "--head", str(head)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert main([*base[:4], "--head", str(ball_msh), "--position", "C3"]) == 2
    assert "no 10-10 positions" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_field_head_on_a_mesh(ball_msh, capsys):
    """``--head MESH.msh --position-mni``: a solve on the fixture (about 12 s)."""
    import json

    from tmslab.cli import main

    base = ["field", "head", "--coil", "magstim-70mm-fig8", "--head", str(ball_msh)]
    args = ["--position-mni", "20,0,60", "--distance-mm", "5", "--target-mni", "15,0,52", "--json"]
    assert main([*base, *args]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["head"] == "ballhead" and 0.1 < result["e_max_v_per_m"] < 10
    assert result["e_target_v_per_m"] > 0


def test_positions_from_charms_eeg_csv(tmp_path, ball_msh):
    """charm's ``eeg_positions/EEG10-10_UI_Jurak_2007.csv`` beside the mesh gives the labels."""
    import shutil

    from tmslab.conductors.head import label_target, pose_at, simnibs_head

    mesh = shutil.copy(ball_msh, tmp_path / "ernie.msh")
    (tmp_path / "eeg_positions").mkdir()
    rows = {"C3": (-1.0, 0.0, 1.0), "Cz": (0.0, 0.0, 1.0), "Nz": (0.0, 1.0, 0.0)}
    lines = ["Type,X,Y,Z,Name"]  # a header line, skipped
    for name, d in rows.items():
        x, y, z = 70.0 * np.asarray(d) / np.linalg.norm(d)
        kind = "Fiducial" if name == "Nz" else "Electrode"
        lines.append(f"{kind},{x},{y},{z},{name}")
    (tmp_path / "eeg_positions" / "EEG10-10_UI_Jurak_2007.csv").write_text("\n".join(lines))
    head = simnibs_head(mesh)
    assert sorted(head.positions) == ["C3", "Cz"] and "nasion" in head.fiducials
    np.testing.assert_allclose(head.position("c3"), [-0.0495, 0.0, 0.0495], atol=1e-4)
    pose = pose_at(head, "Cz", handle_angle_deg=0.0, distance_m=0.004)
    np.testing.assert_allclose(pose[:3, 3], [0.0, 0.0, 0.074], atol=1e-3)
    np.testing.assert_allclose(pose[:3, 2], [0.0, 0.0, -1.0], atol=0.05)  # into the head
    target = label_target(head, "C3")
    assert target.hemisphere == "left" and target.distance_m == pytest.approx(0.015, abs=3e-3)


def test_mni_coordinates_need_charms_affine(tmp_path, ball_msh):
    import shutil

    from tmslab.conductors.head import simnibs_head

    head = simnibs_head(ball_msh)
    np.testing.assert_allclose(head.from_mni152([0.01, 0.02, 0.03]), [0.01, 0.02, 0.03])
    shifted = tmp_path / "toMNI"
    shifted.mkdir()
    affine = np.eye(4)
    affine[:3, 3] = [5.0, 0.0, -2.0]  # mm
    np.savetxt(shifted / "MNI2conform_12DOF.txt", affine)
    head = simnibs_head(shutil.copy(ball_msh, tmp_path / "sub.msh"))
    np.testing.assert_allclose(head.from_mni152([0.0, 0.0, 0.05]), [0.005, 0.0, 0.048])
    bare = tmp_path / "bare"
    bare.mkdir()
    head = simnibs_head(shutil.copy(ball_msh, bare / "sub.msh"))
    with pytest.raises(TmslabError, match="no MNI152 registration"):
        head.from_mni152([0.0, 0.0, 0.05])
