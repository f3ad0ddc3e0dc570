"""Check a protocol's trains against the maximum safe rTMS train durations of Wassermann 1998.

The table (``tmslab/data/safety_max_train_duration_wassermann1998.csv``) gives, for conventional
rTMS at 1, 5, 10, 20 and 25 Hz and 100-220 % of motor threshold (MT), the maximum safe duration
of a single train, as reproduced in Table 4 of Rossi et al. 2009. Cells printed with '>' are the
longest duration tested without adverse effect: a lower bound, not a limit.

Policy (what :func:`check_protocol` does, in order):

1. **Trains.** Pulses are grouped by ``protocol.train_index``. A train's *frequency* is its peak
   pulse rate, 1 / (shortest inter-pulse interval). Its *duration* is its first-to-last span plus
   one shortest interval: the stimulator's "train duration", n pulses at f Hz lasting n / f
   (40 pulses at 10 Hz = 4.0 s, where first-to-last is 3.9 s), the conservative choice.
   A train's *intensity* is the nominal intensity times its largest ``pulse_scale``.
2. **What the table covers.** Only continuous trains of one frequency. Not covered (verdict
   ``"not-covered"``): single pulses; paired pulses (kind ``"paired"``, or a two-pulse train
   faster than 25 Hz); theta burst (kind ``"tbs"``); trains made of bursts (kind ``"qps"``, or a
   train whose longest inter-pulse interval exceeds ``BURST_IPI_RATIO`` = 1.5 times its shortest);
   peak rates above 25 Hz; intensities above 220 % MT. Each comes with cited guidance.
3. **Cell.** Between tabulated values the next HIGHER tabulated frequency and the next HIGHER
   tabulated intensity are used (15 Hz at 115 % MT -> the 20 Hz / 120 % MT cell). Below 1 Hz the
   1 Hz row is used (lower frequency is safer); below 100 % MT the 100 % MT column (the table does
   not cover sub-threshold intensities; its first column is the conservative stand-in). Values
   within a relative ``REL_TOL`` = 1e-6 of a tabulated value count as that value.
4. **Monotone reading.** The printed table is not monotone (10 Hz: 0.8 s at 150 % MT but 0.9 s
   at 160 % MT). Taking risk never to fall as frequency or intensity rise, a cell is read as
   ``safe_up_to_s`` = the smallest printed value of all cells at lower-or-equal frequency and
   intensity, and ``limit_s`` = the smallest printed *real limit* (cells without '>') among them
   (none if there is none). This lowers nine cells of the printed table and raises none. So a
   '>' cell above a real limit (1 Hz: 360 s at 120 % MT, '>50' s at 130 % MT) keeps that limit:
   900 s at 1 Hz and 130 % MT exceeds the 360 s of 120 % MT.
5. **Verdict per train.** ``"within"``: duration <= safe_up_to_s. ``"exceeds"``: duration >
   limit_s (a real limit: unsafe by the table). ``"beyond-tested"``: in between, i.e. longer
   than the longest duration tested without adverse effect while no limit is known: beyond the
   tested range, NOT a finding that it is unsafe. ``"not-covered"``: the table does not apply.
   Durations are compared with the relative tolerance ``REL_TOL``.
6. **Summary.** ``within_limits``: no train exceeds a real limit. ``beyond_tested_range``: some
   train is beyond the tested range OR not covered by the table. ``covered_by_table``: the table
   applies to every train. Inter-train pauses are reported, not checked (the table ignores them).

Reading the table file is the only I/O (:func:`load_wassermann_table`, cached); the rest is pure
and takes the table as a value.
"""

from __future__ import annotations

from tmslab.protocols.safety.constants import BURST_IPI_RATIO as BURST_IPI_RATIO
from tmslab.protocols.safety.constants import REL_TOL as REL_TOL
from tmslab.protocols.safety.constants import VERDICTS
from tmslab.protocols.safety.constants import Verdict as Verdict
from tmslab.protocols.safety.notes import Cited as Cited
from tmslab.protocols.safety.notes import Note as Note
from tmslab.protocols.safety.report import SafetyReport, check_protocol
from tmslab.protocols.safety.sources import (
    CHEN_1997,
    LERNER_2019,
    OBERMAN_2011,
    ROSSI_2009,
    ROSSI_2021,
    WASSERMANN_1998,
)
from tmslab.protocols.safety.table import TABLE_COLUMNS as TABLE_COLUMNS
from tmslab.protocols.safety.table import TABLE_FILE as TABLE_FILE
from tmslab.protocols.safety.table import (
    SafetyTable,
    TableCell,
    load_wassermann_table,
    parse_table_csv,
)
from tmslab.protocols.safety.train import CATEGORIES as CATEGORIES
from tmslab.protocols.safety.train import CATEGORY_RTMS as CATEGORY_RTMS
from tmslab.protocols.safety.train import TrainCheck, check_train

__all__ = [
    "CHEN_1997",
    "LERNER_2019",
    "OBERMAN_2011",
    "ROSSI_2009",
    "ROSSI_2021",
    "VERDICTS",
    "WASSERMANN_1998",
    "SafetyReport",
    "SafetyTable",
    "TableCell",
    "TrainCheck",
    "check_protocol",
    "check_train",
    "load_wassermann_table",
    "parse_table_csv",
]
