"""Junction conductors: open interface patches whose compartments are closed (issue 16).

A ball cut into two hemispherical patches is the same conductor as the closed ball. Split balls
with a junction circle (two halves of different conductivity and the outside meeting) are
solved in tests/conductors/head/test_simnibs.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.efield.bem.conftest import rdm_mag
from tmslab.conductors.quality import check_conductor, inside_mask
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.efield.bem import solve
from tmslab.errors import TmslabError

INNER = np.array([[0.0, 0.0, 0.012], [0.005, -0.004, 0.0], [-0.01, 0.0, -0.01], [0.0, 0.01, 0.0]])


def _halves(surface: TriangleSurface, sigma_left: float, sigma_right: float):
    """The surface cut by x = 0 (triangle centroids) into two open patches."""
    left = surface.corners().mean(axis=1)[:, 0] < 0
    return tuple(
        TriangleSurface(f"{surface.name}-{side}", surface.vertices, surface.triangles[mask], s, 0.0)
        for side, mask, s in (("left", left, sigma_left), ("right", ~left, sigma_right))
    )


def test_a_ball_cut_into_patches_is_the_closed_ball(small_ball):
    conductor, coil = small_ball
    patches = Conductor(_halves(conductor.surfaces[0], 0.33, 0.33), name="patches")
    assert patches.is_junction and not conductor.is_junction
    assert patches.outer_bodies == ((0, 1),) and conductor.outer_bodies == ((0,),)
    check_conductor(patches)
    probe = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.019], [0.0, 0.0, 0.021], [0.03, 0.0, 0.0]])
    assert inside_mask(patches, probe).tolist() == [True, True, False, False]
    rdm, mag = rdm_mag(solve(patches, coil).efield(INNER), solve(conductor, coil).efield(INNER))
    # the same facets and equations (curvature continued across the cut): the same solution
    assert rdm < 1e-9 and abs(mag - 1) < 1e-9


def test_open_patches_and_inward_surfaces_are_refused(small_ball):
    conductor, _ = small_ball
    surface = conductor.surfaces[0]
    # a ball whose halves differ needs the disc between them: without it the halves are open
    open_halves = Conductor(_halves(surface, 0.33, 0.1), name="open")
    with pytest.raises(TmslabError, match="not closed and consistently oriented"):
        check_conductor(open_halves)
    flipped = Conductor((surface.flipped().with_conductivities(0.33, 0.0),), name="flipped")
    with pytest.raises(TmslabError, match="inward"):
        check_conductor(flipped)
