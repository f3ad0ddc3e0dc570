"""The points of the evidence map: each arm placed at (frequency, intensity) in its unit's panel.

Intensities reported in different units cannot share an axis without a model of the coil and
the stimulator (which the coil layer will provide), so the map uses separate panels:

* ``field``: peak magnetic flux density in tesla (T, and mT / 1000), for a log axis;
* ``%MT``: percent of the motor threshold;
* ``%MSO``: percent of the maximum stimulator output;
* ``none``: no numeric intensity, placed on a category axis (NO_NUMBER_CATEGORIES).

An arm whose frequency the review leaves between candidates gives one point per candidate,
flagged ``ambiguous_frequency``; an arm without any numeric frequency ("high-frequency", "not
specified") gives one point with ``frequency_hz`` NaN, drawn in a "none" column of the map.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PANELS = (
    ("field", "Peak magnetic field", "peak flux density (T)"),
    ("%MT", "Percent of motor threshold", "intensity (% MT)"),
    ("%MSO", "Percent of maximum stimulator output", "intensity (% MSO)"),
    ("none", "No numeric intensity", ""),
)
NO_NUMBER_CATEGORIES = (
    "device maximum",
    "high (review's class)",
    "low (review's class)",
    "not given",
)
MAP_COLUMNS = (
    "id",
    "arm",
    "reference",
    "panel",
    "frequency_hz",
    "y",
    "intensity_reported",
    "effect",
    "preparation",
    "ambiguous_frequency",
)


def _panel_and_y(row) -> tuple[str, float]:
    unit = row["intensity_unit"]
    if unit in ("T", "mT"):
        return "field", float(row["peak_field_t"])
    if unit in ("%MT", "%MSO"):
        return unit, float(row["intensity_value"])
    if unit == "device maximum":
        category = "device maximum"
    elif row["intensity_class"] == "high":
        category = "high (review's class)"
    elif row["intensity_class"] == "low":
        category = "low (review's class)"
    else:
        category = "not given"
    return "none", float(NO_NUMBER_CATEGORIES.index(category))


def map_points(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per drawn point (MAP_COLUMNS) from rows of ``load_evidence()``.

    frequency_hz: Hz (NaN when the review gives no number); y: tesla (panel "field"), percent ("%MT", "%MSO") or the category index
    ("none").
    """
    import pandas as pd

    rows = []
    for _, row in frame.iterrows():
        if not math.isnan(row["frequency_hz"]):
            frequencies, ambiguous = [float(row["frequency_hz"])], False
        elif isinstance(row["frequency_candidates_hz"], str):
            frequencies = [float(v) for v in row["frequency_candidates_hz"].split(";")]
            ambiguous = True
        else:
            frequencies, ambiguous = [math.nan], False
        panel, y = _panel_and_y(row)
        rows.extend(
            {
                "id": row["id"],
                "arm": int(row["arm"]),
                "reference": row["reference"],
                "panel": panel,
                "frequency_hz": f,
                "y": y,
                "intensity_reported": row["intensity_reported"],
                "effect": row["effect"],
                "preparation": row["preparation"],
                "ambiguous_frequency": ambiguous,
            }
            for f in frequencies
        )
    return pd.DataFrame(rows, columns=list(MAP_COLUMNS))
