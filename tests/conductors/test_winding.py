"""The FMM winding number (far triangles as point dipoles, near ones exact) against the exact sum.

Reference: the exact sum of the triangles' solid angles (Van Oosterom & Strackee 1983,
doi:10.1109/TBME.1983.325207) over the fsaverage inner skull (20,480 triangles), at points inside,
outside and within 0.02-0.3 mm of the surface on both sides.
"""

import numpy as np
import pytest

from tmslab.conductors import quality


@pytest.fixture(scope="module")
def skull():
    from tmslab.conductors.head import fsaverage_head
    from tmslab.conductors.head._mesh import vertex_normals

    s = fsaverage_head().conductor().surfaces[0]
    return s, vertex_normals(s.vertices, s.triangles)


def test_fast_winding_matches_the_exact_sum(skull, monkeypatch):
    surface, normals = skull
    rng = np.random.default_rng(7)
    lo, hi = surface.vertices.min(axis=0), surface.vertices.max(axis=0)
    box = rng.uniform(lo - 0.01, hi + 0.01, size=(600, 3))
    pick = rng.choice(len(surface.vertices), 300, replace=False)
    v, n = surface.vertices[pick], normals[pick]
    points = np.concatenate([box, v + 3e-4 * n, v - 3e-4 * n, v + 2e-5 * n, v - 2e-5 * n])
    corners = np.ascontiguousarray(surface.corners())
    exact = quality._winding(points, corners)
    monkeypatch.setattr(quality, "_EXACT_WINDING_BELOW", 0)  # force the FMM path
    fast = quality.winding_numbers(points, corners)
    assert np.abs(fast - exact).max() < 0.01
    np.testing.assert_array_equal(fast > 0.5, exact > 0.5)
    # Just off the surface the side is known, where the offset point is that far from the mesh
    # (at the temporal base two sheets of the skull pass within 0.3 mm of each other).
    from tmslab.conductors.head._mesh import closest_points

    for start, outside, offset in ((1200, True, 2e-5), (1500, False, 2e-5)):
        rows = np.arange(start, start + 300)
        _, _, gap = closest_points(points[rows], surface.vertices, surface.triangles)
        clear = rows[gap > 0.9 * offset]
        assert len(clear) > 290
        np.testing.assert_array_equal(fast[clear] > 0.5, not outside)
