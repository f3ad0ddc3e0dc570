"""Shared small conductors and coils for the BEM tests (kept coarse so the suite stays fast)."""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors.meshing import icosphere
from tmslab.conductors.surfaces import Conductor, TriangleSurface

R_HEAD = 0.085


def fibonacci_sphere(n: int) -> np.ndarray:
    """(n, 3) nearly uniform unit vectors."""
    i = np.arange(n) + 0.5
    polar = np.arccos(1 - 2 * i / n)
    azimuth = np.pi * (1 + 5**0.5) * i
    return np.c_[np.cos(azimuth) * np.sin(polar), np.sin(azimuth) * np.sin(polar), np.cos(polar)]


def shell_points(radius: float, depths=(0.003, 0.005, 0.01, 0.02, 0.03), n: int = 600):
    """Points on shells at the given depths (m) below a sphere of ``radius`` m."""
    return np.concatenate([fibonacci_sphere(n) * (radius - d) for d in depths])


def rdm_mag(numerical: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """SimNIBS's RDM and MAG over all points (vectors stacked)."""
    a, b = np.linalg.norm(numerical), np.linalg.norm(reference)
    return float(np.linalg.norm(numerical / a - reference / b)), float(a / b)


@pytest.fixture(scope="session")
def fig8_over_head():
    return get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(R_HEAD))


@pytest.fixture(scope="session")
def small_ball():
    """An icosphere of 2 cm radius (1280 triangles) with a fig-8 coil 1 cm above it."""
    v, t = icosphere(0.02, 3)
    conductor = Conductor((TriangleSurface("ball", v, t, 0.33),), name="ball", kind="sphere")
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(0.02, distance_m=0.01))
    return conductor, coil
