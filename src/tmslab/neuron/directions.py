"""Directions on the sphere for threshold maps."""

from __future__ import annotations

import numpy as np

from tmslab.errors import InvalidValueError


def fibonacci_sphere(n: int) -> np.ndarray:
    """``n`` nearly evenly spread unit vectors (Fibonacci lattice).

    Point k sits at height z = 1 - (2k + 1) / n and azimuth k times the golden angle, so each
    covers an equal area 4 pi / n of the sphere.

    Parameters
    ----------
    n : int
        Number of directions.

    Returns
    -------
    (n, 3) ndarray, dimensionless
        Unit vectors.
    """
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise InvalidValueError(f"number of directions {n!r}; it must be an integer >= 1")
    k = np.arange(int(n))
    z = 1.0 - (2.0 * k + 1.0) / n
    radius = np.sqrt(1.0 - z**2)
    phi = k * np.pi * (3.0 - np.sqrt(5.0))
    return np.stack([radius * np.cos(phi), radius * np.sin(phi), z], axis=1)
