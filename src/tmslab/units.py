"""Constants and the few unit conversions done at the edges (CLI, files, reports).

Inside tmslab everything is SI: seconds, hertz, amperes, A/s, volts, tesla, V/m.
"""

from __future__ import annotations

MS = 1e-3  # seconds per millisecond
US = 1e-6  # seconds per microsecond
A_PER_US = 1e6  # A/s per A/us
MM = 1e-3  # metres per millimetre
MT = 1e-3  # tesla per millitesla
UH = 1e-6  # henry per microhenry
UF = 1e-6  # farad per microfarad


def ms_to_s(value_ms: float) -> float:
    """Milliseconds -> seconds."""
    return value_ms * MS


def s_to_ms(value_s: float) -> float:
    """Seconds -> milliseconds."""
    return value_s / MS


def a_per_us_to_a_per_s(value: float) -> float:
    """dI/dt in A/us (as stimulator manuals give it) -> A/s."""
    return value * A_PER_US


def a_per_s_to_a_per_us(value: float) -> float:
    """dI/dt in A/s -> A/us."""
    return value / A_PER_US
