"""The fsaverage template head: surfaces closed and nested, the frame, the 10-05 positions."""

from pathlib import Path

import numpy as np
import pytest

from tmslab.conductors.head.template import UnknownPositionError
from tmslab.conductors.quality import check_closed_oriented, check_outward, inside_mask
from tmslab.conductors.surfaces import Conductor
from tmslab.errors import UnknownNameError
from tmslab.units import MM


def _closed(mesh):
    surface = mesh.triangle_surface(1.0)
    check_closed_oriented(surface)
    check_outward(surface)
    return surface


def test_head_surfaces_closed_outward(head):
    assert head.scalp.n_vertices == 2033
    assert head.surfaces["inner_skull"].n_vertices == 10242
    volumes = {name: _closed(mesh).volume() for name, mesh in head.surfaces.items()}
    # Intracranial volume of an adult, about 1.2-1.8 litres; fsaverage's inner skull is larger
    # (an average of aligned heads is blurred outwards): accept 1.2-2.5 litres.
    assert 1.2e-3 < volumes["inner_skull"] < 2.5e-3
    assert volumes["scalp"] > volumes["inner_skull"]


def test_cortex_closed_same_topology(head):
    for hemi in head.hemispheres.values():
        assert hemi.pial.n_vertices == hemi.white.n_vertices == hemi.mid.n_vertices == 10242
        np.testing.assert_array_equal(hemi.mid.triangles, hemi.pial.triangles)
        np.testing.assert_allclose(
            hemi.mid.vertices, 0.5 * (hemi.pial.vertices + hemi.white.vertices)
        )
        for mesh in (hemi.pial, hemi.white, hemi.mid):
            _closed(mesh)
        # normals out of the cortex: on average away from the hemisphere's centroid
        centre = hemi.mid.vertices.mean(axis=0)
        assert np.mean(np.einsum("ij,ij->i", hemi.mid.normals, hemi.mid.vertices - centre)) > 0


def _every(n, k):
    return np.arange(0, n, k)


def test_pial_inside_inner_skull_sample(head):
    brain = head.conductor()
    for hemi in head.hemispheres.values():
        pick = _every(hemi.pial.n_vertices, 10)
        assert inside_mask(brain, hemi.pial.vertices[pick]).all()


@pytest.mark.slow
def test_pial_inside_inner_skull_everywhere(head):
    brain = head.conductor()
    for hemi in head.hemispheres.values():
        assert inside_mask(brain, hemi.pial.vertices).all()


def test_mid_between_pial_and_white_sample(head):
    for hemi in head.hemispheres.values():
        pick = _every(hemi.mid.n_vertices, 20)
        points = hemi.mid.vertices[pick]
        pial = Conductor((hemi.pial.triangle_surface(1.0),))
        white = Conductor((hemi.white.triangle_surface(1.0),))
        assert inside_mask(pial, points).mean() > 0.97
        assert (~inside_mask(white, points)).mean() > 0.97


def test_inner_skull_inside_scalp(head):
    scalp = Conductor((head.scalp.triangle_surface(1.0),))
    assert inside_mask(scalp, head.surfaces["inner_skull"].vertices).all()


def test_frame_is_mni_metres(head):
    f = head.fiducials
    assert f["nasion"][1] > 70 * MM and abs(f["nasion"][0]) < 5 * MM
    assert f["LPA"][0] < -70 * MM < 70 * MM < f["RPA"][0]
    left = head.hemispheres["left"].pial.vertices
    right = head.hemispheres["right"].pial.vertices
    assert left[:, 0].max() < 5 * MM and right[:, 0].min() > -5 * MM
    lo, hi = np.concatenate([left, right]).min(axis=0), np.concatenate([left, right]).max(axis=0)
    # the MNI brain: x about +-70 mm, y -105..70 mm, z -50..80 mm
    np.testing.assert_allclose(lo / MM, [-70, -105, -50], atol=8)
    np.testing.assert_allclose(hi / MM, [70, 70, 80], atol=8)


def _colin27_1005() -> dict[str, np.ndarray]:
    """FieldTrip's standard_1005.elc (10-05 positions fitted on the Colin27 head in MNI space,
    Oostenveld & Praamstra 2001 positions), as MNE ships it; mm."""
    import mne

    path = Path(mne.__file__).parent / "channels/data/montages/colin27_1005.elc"
    lines = path.read_text().splitlines()
    i, j = lines.index("Positions"), lines.index("Labels")
    points = np.array([[float(v) for v in row.split()] for row in lines[i + 1 : j]])
    labels = [row.strip() for row in lines[j + 1 : j + 1 + len(points)]]
    return dict(zip(labels, points, strict=True))


TEN_TWENTY = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8",
              "P3", "Pz", "P4", "O1", "Oz", "O2"]  # fmt: skip


def test_ten_twenty_positions_match_an_independent_mni_head(head):
    # The 10-20 positions on fsaverage against the same positions on Colin27 (another MNI
    # head): within 2 cm everywhere, within 1.5 cm at F3, C3 and Cz.
    ref = _colin27_1005()
    dist = {k: np.linalg.norm(head.position(k) / MM - ref[k]) for k in TEN_TWENTY}
    assert max(dist.values()) < 20, dist
    assert max(dist["F3"], dist["C3"], dist["Cz"]) < 15, dist
    # F3 over the left DLPFC, C3 over the left central region
    assert head.position("F3")[0] < -40 * MM and head.position("F3")[1] > 40 * MM
    assert head.position("C3")[0] < -50 * MM and abs(head.position("C3")[1]) < 30 * MM


def test_positions_on_scalp(head):
    from tmslab.conductors.head._mesh import closest_points

    points = np.array(list(head.positions.values()))
    _, _, dist = closest_points(points, head.scalp.vertices, head.scalp.triangles)
    assert dist.max() < 1e-9
    assert len(head.positions) >= 335


def test_unknown_position_lists_close_matches(head):
    with pytest.raises(UnknownPositionError) as info:
        head.position("C33")
    message = str(info.value)
    assert isinstance(info.value, UnknownNameError)
    assert "\n" not in message and "C3" in message
    np.testing.assert_array_equal(head.position("cz"), head.position("Cz"))


def test_conductor_is_the_brain(head):
    conductor = head.conductor()
    assert conductor.kind == "head"
    (surface,) = conductor.surfaces
    assert surface.name == "inner_skull" and surface.sigma_out == 0.0
    assert [c.name for c in head.compartments] == ["brain"]


def test_sources_and_licences(head):
    text = " ".join(f"{s.citation} {s.note}" for s in head.sources)
    assert "BSD-3-Clause" in text and "FreeSurfer" in text
    assert any("MNE" in s.citation for s in head.sources)
    assert any("nilearn" in s.citation for s in head.sources)


def test_the_brain_boundary_passes_the_mesh_checks_a_user_mesh_must_pass(head):
    # MNE's inner skull crosses itself near (-38, -31, -45) mm; the template smooths it
    # (tmslab.conductors.head.template._unfold) so that a BEM can use it.
    from tmslab.conductors.quality import check_surface

    for surface in head.conductor().surfaces:
        check_surface(surface)
    assert any("crosses itself" in note for note in head.notes)
