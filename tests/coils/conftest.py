"""Shared helpers of the coil tests."""

from __future__ import annotations

import numpy as np


def rotation(axis, angle: float) -> np.ndarray:
    """(3, 3) right-handed rotation by ``angle`` rad about ``axis``."""
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
