"""Shared helpers for the placement, unit and boundary tests."""

from __future__ import annotations

import numpy as np


def one_line_error(capsys, *texts: str) -> str:
    """The CLI's stderr: one ``error:`` line containing every text; returns it."""
    err = capsys.readouterr().err.lstrip("\n")  # `run` may end its progress line first
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for text in texts:
        assert text in err, err
    return err


def rotation(axis, angle: float) -> np.ndarray:
    """(3, 3) right-handed rotation by ``angle`` rad about ``axis``."""
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
