"""Coil poses on the fsaverage scalp: normal, distance, handle convention, errors, matsimnibs."""

import numpy as np
import pytest

from tmslab.coils.placement import read_pose
from tmslab.conductors.head._mesh import closest_points
from tmslab.conductors.head.placement import (
    handle_angle_for,
    pose_at,
    project_to_scalp,
    scalp_normal,
    scalp_point,
    write_matsimnibs,
)
from tmslab.conductors.head.template import UnknownPositionError
from tmslab.conductors.quality import inside_mask
from tmslab.conductors.surfaces import Conductor
from tmslab.errors import InvalidValueError
from tmslab.geometry import check_pose
from tmslab.units import MM


def _scalp_distance(head, point):
    return closest_points(np.asarray(point)[None], head.scalp.vertices, head.scalp.triangles)[2][0]


def test_m1_standard_placement_left(head):
    # Left M1: handle 45 degrees posterior-lateral (towards the back and the subject's left).
    pose = pose_at(head, "C3", handle_angle_deg=45, distance_m=4 * MM)
    check_pose(pose)
    x, y, z, centre = pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3]
    np.testing.assert_allclose(np.cross(y, z), x, atol=1e-12)
    assert y[1] < -0.3 and y[0] < -0.3  # posterior and lateral (left)
    assert handle_angle_for(head, pose) == pytest.approx(45)
    # centre 4 mm above the scalp, along the outward normal; z into the head
    assert _scalp_distance(head, centre) == pytest.approx(4 * MM, abs=0.5 * MM)
    scalp = Conductor((head.scalp.triangle_surface(1.0),))
    assert not inside_mask(scalp, centre[None])[0]
    assert inside_mask(scalp, (centre + 20 * MM * z)[None])[0]
    np.testing.assert_allclose(centre - 4 * MM * (-z), head.position("C3"), atol=1e-12)


def test_m1_standard_placement_right_mirrors(head):
    pose = pose_at(head, "C4", handle_angle_deg=-45, distance_m=4 * MM)
    y = pose[:3, 1]
    assert y[1] < -0.3 and y[0] > 0.3  # posterior and lateral (right)


def test_handle_zero_is_posterior_and_positive_turns_left_at_vertex(head):
    y0 = pose_at(head, "Cz")[:3, 1]
    assert y0[1] < -0.9
    y90 = pose_at(head, "Cz", handle_angle_deg=90)[:3, 1]
    assert y90[0] < -0.9


def test_handle_towards_label(head):
    pose = pose_at(head, "C3", handle_towards="Pz")
    z, y = pose[:3, 2], pose[:3, 1]
    towards = head.position("Pz") - head.position("C3")
    towards -= (towards @ z) * z
    assert y @ towards / np.linalg.norm(towards) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(InvalidValueError, match="at the coil position"):
        pose_at(head, "C3", handle_towards="C3")
    with pytest.raises(UnknownPositionError):
        pose_at(head, "C3", handle_towards="Q9")


def test_smoothed_normal_close_to_the_local_one(head):
    point = head.position("F3")
    local = scalp_normal(head, point, radius_m=0.0)
    smooth = scalp_normal(head, point)
    assert np.degrees(np.arccos(np.clip(local @ smooth, -1, 1))) < 15
    # outward: away from the head's middle
    assert smooth @ (point - np.array([0.0, -0.02, 0.02])) > 0


def test_any_scalp_point_and_mni_projection(head):
    near = head.position("F3") + 3 * MM * scalp_normal(head, head.position("F3"))
    assert _scalp_distance(head, scalp_point(head, near)) < 1e-9
    dlpfc = np.array([-38.0, 44.0, 26.0]) * MM
    on_scalp = project_to_scalp(head, dlpfc)
    assert _scalp_distance(head, on_scalp) < 1e-9
    # the nearest scalp point is no farther than the nearest 10-20 electrode (F3)
    assert np.linalg.norm(on_scalp - dlpfc) <= np.linalg.norm(head.position("F3") - dlpfc)
    pose = pose_at(head, on_scalp, distance_m=0.0)
    check_pose(pose)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda h: scalp_point(h, [0.0, 0.0, 0.0]), "from the scalp"),
        (lambda h: scalp_point(h, [-48.6, 48.9, 50.2]), "not mm"),
        (lambda h: project_to_scalp(h, [0.0, 0.0, 0.3]), "outside the scalp"),
        (lambda h: pose_at(h, "C3", distance_m=-1 * MM), "must be >= 0"),
        (lambda h: pose_at(h, "C3", handle_angle_deg=float("nan")), "finite"),
    ],
)
def test_bad_input_one_line(head, call, match):
    with pytest.raises(InvalidValueError, match=match) as info:
        call(head)
    assert "\n" not in str(info.value)


def test_write_matsimnibs_round_trip(head, tmp_path):
    pose = pose_at(head, "C3", handle_angle_deg=45, distance_m=4 * MM)
    path = write_matsimnibs(tmp_path / "c3.txt", pose)
    np.testing.assert_allclose(read_pose(path, unit="mm"), pose, atol=1e-9)


def test_handle_angle_where_posterior_is_the_axis_is_refused(head, monkeypatch):
    """Where the scalp normal points posterior, 'an angle from posterior' is undefined: refused
    (it once switched silently to an angle from +x), and handle_towards still works."""
    import numpy as np

    from tmslab.conductors.head import placement
    from tmslab.errors import InvalidValueError

    point = head.position("Oz")
    monkeypatch.setattr(placement, "scalp_normal", lambda *args: np.array([0.0, -1.0, 0.0]))
    with pytest.raises(InvalidValueError, match="handle_towards"):
        placement.pose_at_scalp_point(head, point, handle_angle_deg=30.0)
    pose = placement.pose_at_scalp_point(head, point, handle_towards="Cz")
    np.testing.assert_allclose(pose[:3, 2], [0.0, 1.0, 0.0], atol=1e-12)  # into the head


def test_place_coil_describes_the_placement_and_needs_one_position(head):
    import pytest

    from tmslab.conductors.head import place_coil, pose_at
    from tmslab.errors import InvalidValueError
    from tmslab.units import MM

    pose, words = place_coil(head, "C3", handle_angle_deg=45, distance_m=4 * MM)
    np.testing.assert_allclose(pose, pose_at(head, "C3", handle_angle_deg=45, distance_m=4 * MM))
    assert words == "C3, handle 45 deg from posterior, 4 mm above the scalp"
    _, words = place_coil(head, None, np.array([-37.0, -21.0, 58.0]) * MM, handle_towards="Cz")
    assert words.startswith("MNI (-37, -21, 58) mm on the scalp, handle towards Cz")
    for args in ((None, None), ("C3", np.zeros(3))):
        with pytest.raises(InvalidValueError, match="give the coil position"):
            place_coil(head, *args)


def test_resolve_target_takes_at_most_one(head):
    import pytest

    from tmslab.conductors.head import named_target, resolve_target
    from tmslab.errors import InvalidValueError

    assert resolve_target(head) is None
    assert resolve_target(head, "M1-hand").vertex == named_target(head, "M1-hand").vertex
    with pytest.raises(InvalidValueError, match="at most one"):
        resolve_target(head, "M1-hand", label="C3")
