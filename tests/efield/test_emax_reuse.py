"""The E_max search is done once per geometry and handed on (issue 20).

The field stage, the evidence stage's estimate for a study with the scenario's coil and species,
and the comparison all asked for the same search (a 7,200-point grid, then Nelder-Mead); the
rat example ran it three times. The reused answer must be the searched one, bit for bit.
"""

from __future__ import annotations

import numpy as np

from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors.sphere import get_head
from tmslab.efield import metrics


def _placed(species: str, lift_m: float = 0.0):
    head = get_head(species)
    coil = get_coil("rodent-round-25-50mm").transformed(
        pose_on_sphere(head.scalp_radius_m + lift_m)
    )
    return coil, head


def _count_kernel_calls(monkeypatch) -> list[int]:
    calls: list[int] = []
    kernel = metrics.sphere_efield

    def counted(points, positions, moments):
        calls.append(len(points))
        return kernel(points, positions, moments)

    monkeypatch.setattr(metrics, "sphere_efield", counted)
    return calls


def test_second_search_of_a_geometry_computes_nothing(monkeypatch):
    metrics._EMAX_DONE.clear()
    calls = _count_kernel_calls(monkeypatch)
    coil, head = _placed("rat")
    first = metrics.brain_surface_emax(coil, head)
    searched = len(calls)
    assert searched > 10  # the grid and the Nelder-Mead steps
    again = metrics.brain_surface_emax(coil, head)
    assert len(calls) == searched  # before: the whole search again
    assert again[0] == first[0] and np.array_equal(again[1], first[1])
    # the same answer as a fresh search, bit for bit
    fresh = metrics._search_emax(coil, head)
    assert fresh[0] == first[0] and np.array_equal(fresh[1], first[1])


def test_another_geometry_is_searched_again(monkeypatch):
    metrics._EMAX_DONE.clear()
    calls = _count_kernel_calls(monkeypatch)
    rat = metrics.brain_surface_emax(*_placed("rat"))
    n = len(calls)
    lifted = metrics.brain_surface_emax(*_placed("rat", lift_m=1e-3))
    assert len(calls) > n and lifted[0] < rat[0]
    mouse = metrics.brain_surface_emax(*_placed("mouse"))
    assert mouse[0] != rat[0]


def test_a_returned_point_cannot_change_the_kept_answer():
    metrics._EMAX_DONE.clear()
    coil, head = _placed("rat")
    _, point = metrics.brain_surface_emax(coil, head)
    point[:] = 0.0
    assert np.linalg.norm(metrics.brain_surface_emax(coil, head)[1]) > 0
