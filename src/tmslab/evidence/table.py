"""The evidence base as pandas tables, and queries on them.

:func:`load_evidence` gives one row per *arm* (a stimulation condition of a study, with all its
findings); :func:`load_outcomes` one row per finding. Columns are SI where a unit exists
(``frequency_hz``, ``session_duration_s``, ``duration_days``, ``coil_*_m``, ``peak_field_t``);
intensities stay as reported (``intensity_value`` + ``intensity_unit``). List-valued fields are
joined with ";" (``sections``, ``refs``, ``frequency_candidates_hz``, ``mechanisms``,
``directions``, ``related``). Missing values are pandas' missing markers (NaN, <NA>); test
them with ``pandas.isna``. :func:`frame_records` turns rows into plain dicts with None.

``effect`` summarises an arm's findings as the review judges them: "positive" (all judged
findings beneficial), "negative" (all detrimental), "mixed", "no_change" (nothing judged and
nothing moved) or "unclear" (changes the review does not judge).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tmslab.errors import InvalidValueError
from tmslab.evidence.schema import Arm, Study
from tmslab.evidence.store import EvidenceBase, load_base
from tmslab.evidence.vocabulary import (
    DIRECTIONS,
    DISEASE_MODELS,
    MECHANISMS,
    PATTERNS,
    PREPARATIONS,
    SPECIES,
    normalise,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

QUERY_DIRECTIONS = (*DIRECTIONS, "positive", "negative")
FREQUENCY_RTOL = 1e-6  # relative tolerance of an exact-frequency match

ARM_COLUMNS = (
    "id",
    "arm",
    "arm_label",
    "reference",
    "authors",
    "year",
    "doi",
    "review",
    "sections",
    "refs",
    "species",
    "strain",
    "cell_type",
    "sex",
    "age",
    "n_subjects",
    "preparation",
    "disease_model",
    "target",
    "pattern",
    "frequency_hz",
    "frequency_candidates_hz",
    "frequency_class",
    "frequency_reported",
    "n_pulses",
    "train_duration_s",
    "train_cycle_s",
    "session_duration_s",
    "sessions_per_day",
    "n_sessions",
    "duration_days",
    "duration_reported",
    "intensity_reported",
    "intensity_value",
    "intensity_unit",
    "intensity_class",
    "peak_field_t",
    "stimulator",
    "pulse_waveform",
    "coil_type",
    "coil_inner_diameter_m",
    "coil_outer_diameter_m",
    "coil_diameter_m",
    "coil_reported",
    "effect",
    "directions",
    "n_outcomes",
    "n_positive",
    "n_negative",
    "outcomes",
    "mechanisms",
    "related",
    "notes",
)
_INTEGER_COLUMNS = (
    "arm",
    "year",
    "n_subjects",
    "n_pulses",
    "sessions_per_day",
    "n_sessions",
    "n_outcomes",
    "n_positive",
    "n_negative",
)
_FLOAT_COLUMNS = (
    "frequency_hz",
    "train_duration_s",
    "train_cycle_s",
    "session_duration_s",
    "duration_days",
    "intensity_value",
    "peak_field_t",
    "coil_inner_diameter_m",
    "coil_outer_diameter_m",
    "coil_diameter_m",
)


def arm_effect(arm: Arm) -> str:
    """positive | negative | mixed | no_change | unclear, from the arm's judged findings."""
    judged = {o.positive for o in arm.outcomes if o.positive is not None}
    if judged == {True}:
        return "positive"
    if judged == {False}:
        return "negative"
    if judged:
        return "mixed"
    if all(o.direction == "no_change" for o in arm.outcomes):
        return "no_change"
    return "unclear"


def _join(values: Sequence[Any]) -> str | None:
    return ";".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values) or None


def _outcome_text(arm: Arm) -> str:
    parts = []
    for o in arm.outcomes:
        where = f" [{o.region}]" if o.region else ""
        judged = {True: " (+)", False: " (-)", None: ""}[o.positive]
        parts.append(f"{o.measure}{where}: {o.direction}{judged}")
    return "; ".join(parts)


def _notes(study: Study, arm: Arm) -> str | None:
    notes = [n for n in (study.notes, arm.notes) if n]
    return " ".join(notes) or None


def arm_row(study: Study, index: int) -> dict[str, Any]:
    """One flat row (the ARM_COLUMNS) for arm ``index`` (0-based) of ``study``."""
    arm = study.arms[index]
    ref = study.reference
    reviews = sorted({c.review for c in study.cited_in})
    return {
        "id": study.id,
        "arm": index + 1,
        "arm_label": arm.label,
        "reference": ref.short,
        "authors": ref.authors,
        "year": ref.year,
        "doi": ref.doi,
        "review": ";".join(reviews),
        "sections": _join(
            [
                f"{c.review}: {c.section}" + (f" row {c.row}" if c.row else "")
                for c in study.cited_in
            ]
        ),
        "refs": _join(sorted({f"{c.review}#{c.ref}" for c in study.cited_in})),
        "species": study.resolved(arm, "species"),
        "strain": study.strain,
        "cell_type": study.resolved(arm, "cell_type"),
        "sex": study.sex,
        "age": study.age,
        "n_subjects": study.n_subjects,
        "preparation": study.resolved(arm, "preparation"),
        "disease_model": study.resolved(arm, "disease_model"),
        "target": study.target,
        "pattern": arm.pattern,
        "frequency_hz": arm.frequency_hz,
        "frequency_candidates_hz": _join(list(arm.frequency_candidates_hz)),
        "frequency_class": arm.frequency_class,
        "frequency_reported": arm.frequency_reported,
        "n_pulses": arm.n_pulses,
        "train_duration_s": arm.train_duration_s,
        "train_cycle_s": arm.train_cycle_s,
        "session_duration_s": arm.session_duration_s,
        "sessions_per_day": arm.sessions_per_day,
        "n_sessions": arm.n_sessions,
        "duration_days": arm.duration_days,
        "duration_reported": arm.duration_reported,
        "intensity_reported": arm.intensity_reported,
        "intensity_value": arm.intensity_value,
        "intensity_unit": arm.intensity_unit,
        "intensity_class": arm.intensity_class,
        "peak_field_t": arm.peak_field_t,
        "stimulator": study.stimulator,
        "pulse_waveform": study.pulse_waveform,
        "coil_type": study.coil_type,
        "coil_inner_diameter_m": study.coil_inner_diameter_m,
        "coil_outer_diameter_m": study.coil_outer_diameter_m,
        "coil_diameter_m": study.coil_diameter_m,
        "coil_reported": study.coil_reported,
        "effect": arm_effect(arm),
        "directions": _join(sorted({o.direction for o in arm.outcomes})),
        "n_outcomes": len(arm.outcomes),
        "n_positive": sum(o.positive is True for o in arm.outcomes),
        "n_negative": sum(o.positive is False for o in arm.outcomes),
        "outcomes": _outcome_text(arm),
        "mechanisms": _join(list(study.mechanisms)),
        "related": _join(list(study.related)),
        "notes": _notes(study, arm),
    }


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    for column in _INTEGER_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    for column in _FLOAT_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("float64")
    return frame


def load_evidence(paths: Sequence[str | Path] | None = None) -> pd.DataFrame:
    """All arms of all records, one row per arm (ARM_COLUMNS), in data-file order.

    paths: study files to read instead of the shipped ones (for checking a new data file).
    """
    base = load_base(paths)
    rows = [arm_row(s, i) for s in base.studies for i in range(len(s.arms))]
    return _frame(rows, ARM_COLUMNS)


OUTCOME_COLUMNS = (
    "id",
    "arm",
    "reference",
    "species",
    "preparation",
    "disease_model",
    "frequency_hz",
    "intensity_reported",
    "measure",
    "region",
    "direction",
    "positive",
    "detail",
)


def load_outcomes(base: EvidenceBase | None = None) -> pd.DataFrame:
    """One row per finding (OUTCOME_COLUMNS): measure, region, direction, positive, detail."""
    base = base or load_base()
    rows = []
    for study in base.studies:
        for index, arm in enumerate(study.arms):
            row = arm_row(study, index)
            rows.extend(
                {
                    **{k: row[k] for k in OUTCOME_COLUMNS[:8]},
                    "measure": outcome.measure,
                    "region": outcome.region,
                    "direction": outcome.direction,
                    "positive": outcome.positive,
                    "detail": outcome.detail,
                }
                for outcome in arm.outcomes
            )
    return _frame(rows, OUTCOME_COLUMNS)


def parse_frequency(value: float | str | tuple[float, float]) -> tuple[float, float]:
    """A frequency filter as a closed range (lo, hi) in Hz.

    value: a number (exact match within a relative 1e-6), a (lo, hi) pair, or a string "10" or
    "5:20". Raises InvalidValueError for anything else or a non-positive / reversed range.
    """
    if isinstance(value, str):
        text = value.strip()
        parts = text.split(":")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise InvalidValueError(
                f"frequency {value!r} is not a number or a range like 5:20 (Hz)"
            ) from None
        if len(numbers) == 1:
            value = numbers[0]
        elif len(numbers) == 2:
            value = (numbers[0], numbers[1])
        else:
            raise InvalidValueError(
                f"frequency {value!r}: give one number or a range like 5:20 (Hz)"
            )
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise InvalidValueError(f"frequency range {value!r} needs two numbers (lo, hi), Hz")
        lo, hi = (float(v) for v in value)
    else:
        try:
            lo = hi = float(value)
        except (TypeError, ValueError):
            raise InvalidValueError(f"frequency {value!r} is not a number (Hz)") from None
        tolerance = abs(lo) * FREQUENCY_RTOL
        lo, hi = lo - tolerance, hi + tolerance
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi <= 0:
        raise InvalidValueError(f"frequency {value!r} must be > 0 Hz (a range needs 0 <= lo <= hi)")
    if lo > hi:
        raise InvalidValueError(f"frequency range {value!r} has lo > hi; give lo:hi in Hz")
    return lo, hi


def _frequency_matches(row: Any, lo: float, hi: float) -> bool:
    values = []
    if not math.isnan(row["frequency_hz"]):
        values.append(row["frequency_hz"])
    if isinstance(row["frequency_candidates_hz"], str):
        values.extend(float(v) for v in row["frequency_candidates_hz"].split(";"))
    return any(lo <= v <= hi for v in values)


def query(
    species: str | None = None,
    frequency_hz: float | str | tuple[float, float] | None = None,
    direction: str | None = None,
    preparation: str | None = None,
    disease_model: str | None = None,
    mechanism: str | None = None,
    pattern: str | None = None,
    review: str | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Arms (rows of :func:`load_evidence`) that satisfy every filter given.

    species, preparation, disease_model, mechanism, pattern: a vocabulary word (case, spaces,
    hyphens and plurals ignored; see :mod:`tmslab.evidence.vocabulary`).
    frequency_hz: Hz, a number, a (lo, hi) range or "lo:hi"; an arm matches when its frequency,
    or one of its unassigned candidate frequencies, lies in the range.
    direction: increase | decrease | no_change (some finding moved that way) or positive |
    negative (some finding the review judges beneficial / detrimental).
    review: a review key ("krasilnikova2024", "antidepressant-review").
    An unknown word raises UnknownNameError listing the allowed ones.
    """
    df = load_evidence() if frame is None else frame
    mask = [True] * len(df)

    def keep(column: str, wanted: str) -> None:
        nonlocal mask
        mask = [m and v == wanted for m, v in zip(mask, df[column], strict=True)]

    if species is not None:
        keep("species", normalise("species name", species, SPECIES))
    if preparation is not None:
        keep("preparation", normalise("preparation", preparation, PREPARATIONS))
    if disease_model is not None:
        keep("disease_model", normalise("disease model", disease_model, DISEASE_MODELS))
    if pattern is not None:
        keep("pattern", normalise("pattern", pattern, PATTERNS))
    if review is not None:
        base = load_base()
        key = normalise("review", review, base.reviews)
        mask = [m and key in str(v).split(";") for m, v in zip(mask, df["review"], strict=True)]
    if mechanism is not None:
        tag = normalise("mechanism", mechanism, MECHANISMS)
        mask = [
            m and tag in (v or "").split(";") for m, v in zip(mask, df["mechanisms"], strict=True)
        ]
    if frequency_hz is not None:
        lo, hi = parse_frequency(frequency_hz)
        mask = [
            m and _frequency_matches(r, lo, hi)
            for m, (_, r) in zip(mask, df.iterrows(), strict=True)
        ]
    if direction is not None:
        wanted = normalise("direction", direction, QUERY_DIRECTIONS)
        mask = [
            m and _direction_matches(r, wanted)
            for m, (_, r) in zip(mask, df.iterrows(), strict=True)
        ]
    return df[mask].reset_index(drop=True)


def _direction_matches(row: Any, wanted: str) -> bool:
    if wanted in DIRECTIONS:
        return wanted in (row["directions"] or "").split(";")
    return row["n_positive" if wanted == "positive" else "n_negative"] > 0


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts for JSON: NaN/NA -> None, numpy scalars -> Python numbers."""
    import pandas as pd

    records = []
    for row in frame.astype(object).to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                clean[key] = None
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        records.append(clean)
    return records
