"""Policy constants of the safety check: verdicts and tolerances (see the package docstring of
:mod:`tmslab.protocols.safety`)."""

from __future__ import annotations

from typing import Literal

Verdict = Literal["within", "beyond-tested", "exceeds", "not-covered"]
VERDICTS: tuple[str, ...] = ("within", "beyond-tested", "exceeds", "not-covered")

REL_TOL = 1e-6  # relative tolerance: "equal to a tabulated value", duration comparisons
BURST_IPI_RATIO = 1.5  # longest / shortest inter-pulse interval above which a train is bursts
