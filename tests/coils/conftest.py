"""Shared helpers for the placement, unit and boundary tests."""

from __future__ import annotations

import re

import numpy as np


def one_line_error(capsys, *texts: str) -> str:
    """The CLI's stderr: one ``error:`` line containing every text; returns it."""
    lines = capsys.readouterr().err.splitlines()
    # `run` prints one progress line per stage off a terminal ("[3/9] Safety (0.0 s)") first
    lines = [line for line in lines if line and not re.match(r"\[\d+/\d+\] ", line)]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    err = lines[0] + "\n"
    for text in texts:
        assert text in err, err
    return err


def rotation(axis, angle: float) -> np.ndarray:
    """(3, 3) right-handed rotation by ``angle`` rad about ``axis``."""
    a = np.asarray(axis, float) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
