"""LTP / LTD / none: the verdict on a predicted change, and the threshold it used.

A change counts when the relative weight moves by more than ``threshold``. The default, 5 %, is
tmslab's convention (not a published criterion); every prediction reports the threshold it used,
and callers may pass another. For the theta-burst model, which predicts facilitation and inhibition rather than a
weight, the verdict compares the balance (F - I)/(F + I) with the same threshold.
"""

from __future__ import annotations

import math

from tmslab.errors import InvalidValueError

DEFAULT_THRESHOLD = 0.05
LTP, LTD, NONE = "LTP", "LTD", "none"
VERDICTS = (LTP, LTD, NONE)


def check_threshold(threshold: float) -> float:
    """``threshold`` as float if 0 <= threshold < 1, else InvalidValueError."""
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise InvalidValueError(f"threshold = {threshold!r} is not a number") from None
    if not 0 <= value < 1:
        raise InvalidValueError(
            f"threshold = {threshold!r}; give a relative change in [0, 1), e.g. 0.05 for 5 %"
        )
    return value


def verdict(change: float, threshold: float = DEFAULT_THRESHOLD) -> str:
    """'LTP' if ``change`` > threshold, 'LTD' if < -threshold, else 'none'.

    change: relative change (relative weight - 1, or the TBS balance), dimensionless.
    """
    threshold = check_threshold(threshold)
    if not math.isfinite(change):
        raise InvalidValueError(f"the predicted change {change!r} is not a finite number")
    if change > threshold:
        return LTP
    if change < -threshold:
        return LTD
    return NONE
