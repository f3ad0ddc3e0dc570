"""Constants for the few unit conversions done at the edges (CLI, files, reports).

Inside tmslab everything is SI: seconds, hertz, amperes, A/s, volts, tesla, V/m. Dose units that
need device data (%MSO, %MT) live in :mod:`tmslab.protocols.dose`.
"""

from __future__ import annotations

US = 1e-6  # seconds per microsecond
A_PER_US = 1e6  # A/s per A/us (stimulator manuals and coil files give dI/dt in A/us)
