"""The reviewed studies nearest a stimulation scenario (frequency, species, preparation).

Distance of an arm i to a query (f, species, preparation), in octaves of frequency:

    d_i = |log2(f_i / f)| + s_i + p_i

* |log2(f_i / f)|: frequency mismatch in octaves (10 vs 20 Hz and 1 vs 2 Hz both count 1), the
  scale on which rTMS frequencies are chosen. For an arm whose frequency the review leaves
  between candidates (a shared table row "6,67/10"), the nearest candidate is used.
* s_i, species penalty: 0 when the species matches; 0.5 between two rodents (mouse, rat,
  gerbil); 2 otherwise (rodent vs human) or when the arm's species is unknown.
* p_i, preparation penalty: 0 when the preparation matches; 1 otherwise or when unknown.
* q_i, pattern penalty (when the query names a pattern, e.g. iTBS): 0 when the arm's pattern
  matches, 2 otherwise. A theta-burst arm of the query's pattern that gives no numeric
  frequency counts as 0 octaves away (theta-burst studies rarely restate their 50 Hz bursts).

So a mismatch of preparation weighs as much as a factor of 2 in frequency, a rodent-to-human
jump as much as a factor of 4. A penalty is 0 when the query leaves that criterion out. Arms
without any numeric frequency (only "high-frequency", or none) have no distance and are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tmslab.errors import InvalidValueError, check_positive
from tmslab.evidence.vocabulary import PATTERNS, PREPARATIONS, RODENTS, SPECIES, normalise

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SPECIES_PENALTY_RODENTS = 0.5  # between two rodent species
SPECIES_PENALTY_OTHER = 2.0  # rodent vs human, or unknown species
PREPARATION_PENALTY = 1.0  # different or unknown preparation
PATTERN_PENALTY = 2.0  # a different stimulation pattern (rTMS vs iTBS vs cTBS)
THETA_BURST = frozenset({"iTBS", "cTBS"})


def octave_distance(frequencies_hz: np.ndarray, target_hz: float) -> np.ndarray:
    """|log2(f / target)| for each frequency.

    frequencies_hz: (N,) array, Hz, > 0 (NaN allowed, returned as NaN). target_hz: Hz, > 0.
    Returns (N,) array, octaves.
    """
    f = np.asarray(frequencies_hz, dtype=float)
    return np.abs(np.log2(f / target_hz))


def nearest_candidate_distance(candidates_hz: list[np.ndarray], target_hz: float) -> np.ndarray:
    """For each arm, the octave distance of its nearest candidate frequency (NaN when it has none).

    candidates_hz: list of N arrays (each (k_i,), Hz). Returns (N,) array, octaves.
    """
    out = np.full(len(candidates_hz), np.nan)
    for i, values in enumerate(candidates_hz):
        if len(values):
            out[i] = float(np.min(octave_distance(values, target_hz)))
    return out


def species_penalty(arm_species: np.ndarray, wanted: str) -> np.ndarray:
    """Penalty per arm (see the module docstring). arm_species: (N,) object array (None unknown)."""
    out = np.empty(len(arm_species))
    for i, value in enumerate(arm_species):
        if value == wanted:
            out[i] = 0.0
        elif value in RODENTS and wanted in RODENTS:
            out[i] = SPECIES_PENALTY_RODENTS
        else:
            out[i] = SPECIES_PENALTY_OTHER
    return out


def preparation_penalty(arm_preparations: np.ndarray, wanted: str) -> np.ndarray:
    """PREPARATION_PENALTY where the arm's preparation differs from ``wanted`` or is unknown."""
    return np.array([0.0 if v == wanted else PREPARATION_PENALTY for v in arm_preparations])


def closest_studies(
    frequency_hz: float,
    species: str | None = None,
    preparation: str | None = None,
    n: int = 5,
    frame: pd.DataFrame | None = None,
    pattern: str | None = None,
) -> pd.DataFrame:
    """The ``n`` arms nearest the query, sorted by ``distance`` (see the module docstring).

    frequency_hz: Hz, > 0. species, preparation, pattern: vocabulary words or None (not compared).
    n: how many rows, >= 1. Returns the arm rows of :func:`~tmslab.evidence.load_evidence` with
    columns ``distance``, ``frequency_octaves``, ``species_penalty``, ``preparation_penalty``,
    ``pattern_penalty`` first; ties keep data-file order.
    """
    from tmslab.evidence.table import load_evidence

    target = check_positive("frequency_hz", frequency_hz, "Hz")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InvalidValueError(f"n = {n!r} must be a whole number >= 1")
    wanted_species = None if species is None else normalise("species name", species, SPECIES)
    wanted_preparation = (
        None if preparation is None else normalise("preparation", preparation, PREPARATIONS)
    )
    wanted_pattern = None if pattern is None else normalise("pattern", pattern, PATTERNS)
    df = load_evidence() if frame is None else frame
    candidates = []
    for f, listed in zip(df["frequency_hz"], df["frequency_candidates_hz"], strict=True):
        if not np.isnan(f):
            candidates.append(np.array([f]))
        elif isinstance(listed, str):
            candidates.append(np.array([float(v) for v in listed.split(";")]))
        else:
            candidates.append(np.array([]))
    octaves = nearest_candidate_distance(candidates, target)
    q_pen = np.zeros(len(df))
    if wanted_pattern is not None:
        same = (df["pattern"] == wanted_pattern).to_numpy(bool)
        if wanted_pattern in THETA_BURST:
            octaves = np.where(same & np.isnan(octaves), 0.0, octaves)
        q_pen = np.where(same, 0.0, PATTERN_PENALTY)
    s_pen = (
        np.zeros(len(df))
        if wanted_species is None
        else species_penalty(df["species"].to_numpy(object), wanted_species)
    )
    p_pen = (
        np.zeros(len(df))
        if wanted_preparation is None
        else preparation_penalty(df["preparation"].to_numpy(object), wanted_preparation)
    )
    result = df.copy()
    result.insert(0, "pattern_penalty", q_pen)
    result.insert(0, "preparation_penalty", p_pen)
    result.insert(0, "species_penalty", s_pen)
    result.insert(0, "frequency_octaves", octaves)
    result.insert(0, "distance", octaves + s_pen + p_pen + q_pen)
    result = result[~np.isnan(octaves)]
    result = result.sort_values("distance", kind="stable")
    return result.head(int(n)).reset_index(drop=True)
