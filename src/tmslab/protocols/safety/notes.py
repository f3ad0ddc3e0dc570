"""Cited guidance for a safety report: which notes apply and how they cite their sources."""

from __future__ import annotations

from tmslab.protocols.safety.constants import REL_TOL
from tmslab.protocols.safety.sources import (
    CHEN_1997,
    LERNER_2019,
    OBERMAN_2011,
    ROSSI_2009,
    ROSSI_2021,
    WASSERMANN_1998,
)
from tmslab.protocols.safety.table import SafetyTable
from tmslab.protocols.safety.train import CATEGORY_RTMS, TrainCheck
from tmslab.sources import Source

# --- cited guidance --------------------------------------------------------------------------
Cited = tuple[Source, str]  # a source and where in it ("" for the work as a whole)
Note = tuple[str, tuple[Cited, ...]]


def _cite(text: str, cited: tuple[Cited, ...]) -> str:
    """'text (Author year, journal, Table 1, doi:...; ...)'."""
    refs = "; ".join(
        ", ".join(part for part in (source.citation, where, f"doi:{source.doi}") if part)
        for source, where in cited
    )
    return f"{text} ({refs})"


def _notes(checks: list[TrainCheck], table: SafetyTable) -> list[Note]:
    """Cited guidance for the trains of a report, each note at most once, in a fixed order."""
    categories = {c.category for c in checks}
    verdicts = {c.verdict for c in checks}
    covered = [c for c in checks if c.category == CATEGORY_RTMS]
    f_min, f_max = float(table.frequencies[0]), float(table.frequencies[-1])
    i_min, i_max = float(table.intensities[0]), float(table.intensities[-1])
    own: tuple[Cited, ...] = ((table.source, ""),)
    table_cite = (*own, (ROSSI_2009, "Table 4")) if table.source == WASSERMANN_1998 else own
    table1: tuple[Cited, ...] = ((ROSSI_2009, "Table 1"),)
    notes: list[Note] = []

    def add(text: str, cited: tuple[Cited, ...]) -> None:
        notes.append((text, cited))

    if covered:
        add(
            f"Trains were checked against maximum safe single-train durations of conventional "
            f"rTMS at {f_min:g}-{f_max:g} Hz and {i_min:g}-{i_max:g} % MT; values printed "
            "with '>' are the longest durations tested without adverse effect, not limits",
            table_cite,
        )
        add(
            "tmslab reads the table conservatively: the next higher tabulated frequency and "
            "intensity, and no cell allowing longer than a cell at lower or equal frequency "
            "and intensity",
            own,
        )
    if any(c.frequency_hz < f_min * (1 - REL_TOL) for c in covered):
        add(
            f"The table starts at {f_min:g} Hz; slower trains were checked against the "
            f"{f_min:g} Hz row, a conservative choice: seizures with low-frequency rTMS are "
            "rated rare, usually with a protective effect",
            table1,
        )
    if any(c.intensity_pct_mt < i_min * (1 - REL_TOL) for c in covered):
        add(
            f"The table starts at {i_min:g} % MT and does not cover sub-threshold intensities; "
            f"they were checked against the {i_min:g} % MT column, a conservative choice",
            table_cite,
        )
    if len(covered) > 1:
        add(
            "Inter-train intervals are not checked by this table: 20 Hz, 1.6 s trains at "
            "110 % MT were safe 5 s apart, but intervals of 1 s or less were unsafe above "
            "100 % MT",
            ((CHEN_1997, ""),),
        )
    if "beyond-tested" in verdicts:
        add(
            "A train longer than a '>' value is beyond the tested range: no adverse effect "
            "was seen up to that duration and no limit is known past it; this is not a "
            "finding that it is unsafe",
            table_cite,
        )
    if "exceeds" in verdicts:
        add(
            "A survey of 318,560 TMS sessions found 24 seizures (0.08 per 1000 sessions); "
            "seizures appeared more common when safety guidelines were exceeded",
            ((LERNER_2019, ""),),
        )
    if "single-pulse" in categories:
        add(
            "Single pulses are not covered by the train table; seizure induction by "
            "single-pulse TMS is rated rare",
            table1,
        )
    if "paired-pulse" in categories:
        add(
            "Paired pulses are not covered by the train table (their ms interval is not a "
            "train rate); no seizure is reported with paired-pulse TMS",
            table1,
        )
    if "theta-burst" in categories:
        add(
            "Theta burst stimulation is not covered by the rTMS train table; its seizure "
            "risk is rated possible, with one seizure in a normal subject during cTBS",
            table1,
        )
        add(
            "A review of TBS studies published May 2004 - December 2009 found mostly mild "
            "adverse events, in about 5 % of subjects, and advised applying TBS with caution",
            ((OBERMAN_2011, ""),),
        )
    if "patterned" in categories:
        add(
            "Trains made of bursts (patterned rTMS such as QPS) are not covered: the table "
            "is for continuous trains of one frequency",
            table_cite,
        )
    if "frequency-above-table" in categories:
        add(
            f"Trains faster than {f_max:g} Hz are outside the table "
            f"({f_min:g}-{f_max:g} Hz); no tabulated limit applies",
            table_cite,
        )
    if "intensity-above-table" in categories:
        add(
            f"Intensities above {i_max:g} % MT are outside the table "
            f"({i_min:g}-{i_max:g} % MT); no tabulated limit applies",
            table_cite,
        )
    if categories & {"theta-burst", "patterned", "frequency-above-table", "intensity-above-table"}:
        add(
            "The 2009 recommendation of neurophysiological monitoring for new protocols "
            "remains valid; seizure risk is low with traditional parameters and focal coils, "
            "for which large data sets exist",
            ((ROSSI_2021, ""),),
        )
    return notes
