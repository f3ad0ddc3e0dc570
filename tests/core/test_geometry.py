"""tmslab.geometry: frames and grids on a plane."""

import numpy as np
import pytest


@pytest.mark.parametrize("normal", [(0, 0, 1), (1, 0, 0), (0.3, -0.2, 0.9), (0.95, 0.1, 0)])
def test_tangent_axes_complete_a_right_handed_frame(normal):
    from tmslab.geometry import tangent_axes

    n = np.asarray(normal, float) / np.linalg.norm(normal)
    e1, e2 = tangent_axes(normal)
    frame = np.column_stack([e1, e2, n])
    np.testing.assert_allclose(frame.T @ frame, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(np.cross(e1, e2), n, atol=1e-12)


def test_disc_points_keep_the_disc_and_start_at_the_centre():
    from tmslab.geometry import disc_points

    centre, normal = np.array([0.01, 0.02, 0.08]), np.array([0.1, 0.2, 1.0])
    points = disc_points(centre, normal, 0.006, 0.002)
    offsets = points - centre
    np.testing.assert_allclose(points[0], centre)
    assert len(points) == 29  # |(i, j)| <= 3 on the integer lattice
    assert np.all(np.linalg.norm(offsets, axis=1) <= 0.006 + 1e-12)
    np.testing.assert_allclose(offsets @ (normal / np.linalg.norm(normal)), 0, atol=1e-15)
    assert np.all(np.diff(np.linalg.norm(offsets, axis=1)) >= -1e-15)
