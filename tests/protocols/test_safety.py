"""Safety check against the maximum safe rTMS train durations of Wassermann 1998.

Reference values are the cells of Table 4 of Rossi et al. 2009 (Clin Neurophysiol 120:2008-2039,
doi 10.1016/j.clinph.2009.08.016), which reproduces Wassermann 1998 (Electroencephalogr Clin
Neurophysiol 108:1-16, doi 10.1016/S0168-5597(97)00096-8); '>' marks the longest duration tested.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.protocols.protocol import Course, Protocol
from tmslab.protocols.safety import (
    OBERMAN_2011,
    ROSSI_2009,
    ROSSI_2021,
    WASSERMANN_1998,
    SafetyTable,
    check_protocol,
    check_train,
    load_wassermann_table,
    parse_table_csv,
)
from tmslab.protocols.spec import build

RANK = {"within": 0, "beyond-tested": 1, "exceeds": 2}

# Cells as printed in Rossi et al. 2009, Table 4: (Hz, % MT) -> (seconds, printed with '>').
PRINTED_CELLS = {
    (1, 100): (1800, True),
    (1, 110): (1800, True),
    (1, 120): (360, False),
    (1, 130): (50, True),
    (1, 170): (27, False),
    (1, 220): (6, False),
    (5, 100): (10, True),
    (5, 130): (10, True),
    (5, 140): (7.6, False),
    (5, 220): (1.2, False),
    (10, 110): (5, True),
    (10, 120): (4.2, False),
    (10, 130): (2.9, False),
    (10, 150): (0.8, False),
    (10, 160): (0.9, False),
    (20, 100): (2.05, False),
    (20, 110): (1.6, False),
    (20, 120): (1.0, False),
    (25, 100): (1.28, False),
    (25, 180): (0.08, False),
    (25, 220): (0.08, False),
}
# Every cell printed with '>' in Rossi et al. 2009, Table 4.
PRINTED_WITH_GT = (
    {(1, i) for i in (100, 110, 130, 140, 150, 160)}
    | {(5, i) for i in (100, 110, 120, 130)}
    | {(10, 100), (10, 110)}
)

FDA_10HZ = dict(
    kind="rtms", frequency_hz=10, pulses_per_train=40, n_trains=75, inter_train_interval_s=26
)
ITBS = dict(kind="tbs", bursts_per_train=10, n_trains=20, train_cycle_s=10)


def rtms_train(frequency_hz, n_pulses):
    return np.arange(n_pulses) / frequency_hz


@pytest.fixture(scope="module")
def table():
    return load_wassermann_table()


# --- the table against its source ------------------------------------------------------------
def test_table_grid_and_source(table):
    """5 frequencies x 13 intensities, Wassermann 1998 via Rossi et al. 2009 Table 4."""
    assert table.shape == (5, 13)
    np.testing.assert_array_equal(table.frequencies, [1, 5, 10, 20, 25])
    np.testing.assert_array_equal(table.intensities, np.arange(100, 221, 10))
    assert table.source == WASSERMANN_1998
    assert table.source.doi == "10.1016/S0168-5597(97)00096-8"
    assert "10.1016/j.clinph.2009.08.016" in table.source.note


@pytest.mark.parametrize("cell, printed", sorted(PRINTED_CELLS.items()))
def test_table_cells_as_printed(table, cell, printed):
    """Cells of Rossi et al. 2009 Table 4 (Wassermann 1998), e.g. 10 Hz / 120 % MT = 4.2 s."""
    i = list(table.frequencies).index(cell[0])
    j = list(table.intensities).index(cell[1])
    assert table.max_train_s[i, j] == pytest.approx(printed[0])
    assert bool(table.longest_tested[i, j]) is printed[1]


def test_cells_printed_with_gt_are_exactly_the_longest_tested(table):
    """The '>' cells of Rossi et al. 2009 Table 4 and no others are marked longest_tested."""
    marked = {
        (int(table.frequencies[i]), int(table.intensities[j]))
        for i, j in zip(*np.nonzero(table.longest_tested), strict=False)
    }
    assert marked == PRINTED_WITH_GT


def test_table_is_loaded_once_and_read_only(table):
    assert load_wassermann_table() is table
    with pytest.raises(ValueError):
        table.max_train_s[0, 0] = 1.0


def test_monotone_reading_only_lowers_cells(table):
    """Policy step 4: no cell allows longer than one at lower-or-equal frequency and intensity.

    The printed table is not monotone (Rossi 2009 Table 4, 10 Hz: 0.8 s at 150 %, 0.9 s at 160 %).
    """
    safe, limit = table.safe_up_to_s, table.limit_s
    for values in (safe, limit):  # non-increasing along frequency and along intensity
        assert np.all(values[1:] <= values[:-1]) and np.all(values[:, 1:] <= values[:, :-1])
    assert np.all(safe <= table.max_train_s) and np.all(safe <= limit)
    lowered = {
        (int(table.frequencies[i]), int(table.intensities[j]))
        for i, j in zip(*np.nonzero(safe < table.max_train_s), strict=False)
    }
    assert lowered == {
        (5, 210),
        (10, 160),
        (10, 190),
        (20, 180),
        (20, 190),
        (20, 200),
        (25, 150),
        (25, 190),
        (25, 200),
    }
    # Real limits are what is printed wherever the table is already monotone.
    real = ~table.longest_tested & (safe == table.max_train_s)
    np.testing.assert_array_equal(limit[real], table.max_train_s[real])
    # 1 Hz: 130-160 % MT were tested to 50 s ('>50') but the 120 % MT limit (360 s) still binds.
    assert table.limit_s[0, 3] == 360 and table.safe_up_to_s[0, 3] == 50
    assert math.isinf(table.limit_s[0, 0]) and math.isinf(table.limit_s[2, 1])


# --- interpolation policy --------------------------------------------------------------------
@pytest.mark.parametrize(
    "frequency, intensity, cell",
    [
        (15, 115, (20, 120)),  # between entries: next higher frequency and intensity
        (7, 120, (10, 120)),
        (0.5, 110, (1, 110)),  # below 1 Hz: the 1 Hz row
        (10, 80, (10, 100)),  # below 100 % MT: the 100 % MT column
        (10 + 1e-9, 120 + 1e-9, (10, 120)),  # rounding noise is not a higher frequency
        (25, 220, (25, 220)),
        (20.5, 100, (25, 100)),
    ],
)
def test_conservative_cell(table, frequency, intensity, cell):
    """15 Hz at 115 % MT uses the 20 Hz / 120 % MT cell of Rossi 2009 Table 4 (1.0 s)."""
    found = table.lookup(frequency, intensity)
    assert (found.frequency_hz, found.intensity_pct_mt) == cell
    if cell == (20, 120):
        assert found.max_train_s == found.safe_up_to_s == found.limit_s == 1.0


@pytest.mark.parametrize("frequency, intensity", [(26, 120), (50, 100), (10, 221), (1, 500)])
def test_outside_the_table(table, frequency, intensity):
    assert table.lookup(frequency, intensity) is None


# --- verdicts --------------------------------------------------------------------------------
def test_fda_10hz_at_120_is_within(table):
    """10 Hz, 40-pulse trains (4.0 s) at 120 % MT: 4.0 s <= 4.2 s (Rossi 2009 Table 4)."""
    report = check_protocol(build(FDA_10HZ), 120)
    assert len(report.trains) == 75
    assert {t.verdict for t in report.trains} == {"within"}
    train = report.trains[0]
    assert train.frequency_hz == pytest.approx(10)
    assert train.duration_s == pytest.approx(4.0)  # n / f, not the 3.9 s first-to-last span
    assert train.span_s == pytest.approx(3.9)
    assert (train.cell.frequency_hz, train.cell.intensity_pct_mt) == (10, 120)
    assert train.limit_s == train.safe_up_to_s == 4.2
    assert report.within_limits and report.covered_by_table and not report.beyond_tested_range
    assert report.pulses_per_session == 3000
    assert report.shortest_inter_train_pause_s == pytest.approx(26)


def test_fda_10hz_at_130_exceeds():
    """At 130 % MT the limit is 2.9 s (Rossi 2009 Table 4): 4.0 s exceeds it."""
    report = check_protocol(build(FDA_10HZ), 130)
    assert {t.verdict for t in report.trains} == {"exceeds"}
    assert report.trains[0].limit_s == 2.9
    assert not report.within_limits and report.covered_by_table and not report.beyond_tested_range
    assert any("doi:10.1016/j.clinph.2019.03.016" in note for note in report.notes)  # Lerner 2019


@pytest.mark.parametrize("n_pulses, verdict", [(41, "within"), (42, "within"), (43, "exceeds")])
def test_duration_is_pulses_over_frequency(n_pulses, verdict):
    """42 pulses at 10 Hz last 4.2 s, exactly the 10 Hz / 120 % MT limit (Rossi 2009 Table 4)."""
    report = check_protocol(
        build(dict(kind="rtms", frequency_hz=10, pulses_per_train=n_pulses)), 120
    )
    assert report.trains[0].verdict == verdict


def test_1hz_900_pulses_at_110_is_within():
    """900 s at 1 Hz, 110 % MT: below the '>1800' s tested (Rossi 2009 Table 4)."""
    report = check_protocol(build(dict(kind="rtms", frequency_hz=1, pulses_per_train=900)), 110)
    train = report.trains[0]
    assert train.verdict == "within" and train.cell.longest_tested and train.limit_s is None
    assert report.within_limits and not report.beyond_tested_range


def test_1hz_beyond_the_tested_1800_s_is_not_unsafe():
    """2000 s at 1 Hz, 110 % MT: longer than the '>1800' s tested, but no limit is known."""
    report = check_protocol(build(dict(kind="rtms", frequency_hz=1, pulses_per_train=2000)), 110)
    assert report.trains[0].verdict == "beyond-tested"
    assert report.within_limits and report.beyond_tested_range and report.covered_by_table
    assert any("not a finding that it is unsafe" in note for note in report.notes)


def test_1hz_at_130_beyond_tested_then_exceeds():
    """1 Hz, 130 % MT is printed '>50' s, and 120 % MT has a real 360 s limit (Rossi 2009 Table 4).

    100 s is beyond the tested 50 s but below 360 s: beyond-tested, not unsafe. 900 s also exceeds
    the 360 s limit of the lower intensity, which binds the higher one (policy step 4).
    """
    short = check_protocol(build(dict(kind="rtms", frequency_hz=1, pulses_per_train=100)), 130)
    assert short.trains[0].verdict == "beyond-tested"
    assert short.within_limits and short.beyond_tested_range
    assert short.trains[0].safe_up_to_s == 50 and short.trains[0].limit_s == 360
    long = check_protocol(build(dict(kind="rtms", frequency_hz=1, pulses_per_train=900)), 130)
    assert long.trains[0].verdict == "exceeds"
    assert "1 Hz / 120 % MT" in long.trains[0].reason


def test_non_monotone_cell_is_read_conservatively():
    """10 Hz: 160 % MT is printed 0.9 s, 150 % MT 0.8 s (Rossi 2009 Table 4): 0.9 s exceeds."""
    report = check_protocol(build(dict(kind="rtms", frequency_hz=10, pulses_per_train=9)), 160)
    train = report.trains[0]
    assert train.cell.max_train_s == 0.9 and train.limit_s == 0.8
    assert train.verdict == "exceeds" and "10 Hz / 150 % MT" in train.reason


def test_slow_and_subthreshold_trains_use_the_first_row_and_column():
    """0.5 Hz at 90 % MT: the 1 Hz / 100 % MT cell, with notes (Rossi 2009 Tables 1 and 4)."""
    report = check_protocol(build(dict(kind="rtms", frequency_hz=0.5, pulses_per_train=100)), 90)
    train = report.trains[0]
    assert (train.cell.frequency_hz, train.cell.intensity_pct_mt) == (1, 100)
    assert train.duration_s == pytest.approx(200) and train.verdict == "within"
    assert any("starts at 1 Hz" in note for note in report.notes)
    assert any("does not cover sub-threshold" in note for note in report.notes)


def test_itbs_is_not_covered_with_tbs_guidance():
    """iTBS: not covered; Rossi 2009 Table 1 (one seizure during cTBS), Oberman et al. 2011
    (doi 10.1097/WNP.0b013e318205135f), Rossi et al. 2021 (doi 10.1016/j.clinph.2020.10.003)."""
    report = check_protocol(build(ITBS), 80)
    assert {t.verdict for t in report.trains} == {"not-covered"}
    assert {t.category for t in report.trains} == {"theta-burst"}
    assert report.within_limits and report.beyond_tested_range and not report.covered_by_table
    for source in (ROSSI_2009, OBERMAN_2011, ROSSI_2021):
        assert source in report.sources
        assert any(f"doi:{source.doi}" in note for note in report.notes)
    assert report.trains[0].cell is None and report.trains[0].limit_s is None


def test_single_and_paired_pulses_are_not_covered_but_low_risk():
    """Rossi 2009 Table 1: seizures rare with single pulses, not reported with paired pulses."""
    paired = check_protocol(build(dict(kind="paired", isi_s=0.003, repetitions=10)), 120)
    assert {t.category for t in paired.trains} == {"paired-pulse"}
    assert paired.trains[0].frequency_hz == pytest.approx(1 / 0.003)
    assert paired.within_limits and not paired.covered_by_table and paired.beyond_tested_range
    assert any("no seizure is reported with paired-pulse" in note for note in paired.notes)
    single = check_protocol(build(dict(kind="single", repetitions=20)), 120)
    assert {t.category for t in single.trains} == {"single-pulse"}
    assert single.within_limits and not single.covered_by_table
    assert any("rated rare" in note and ROSSI_2009.doi in note for note in single.notes)


@pytest.mark.parametrize(
    "spec, intensity, category",
    [
        (dict(kind="qps", isi_s=0.005), 90, "patterned"),
        (dict(kind="custom", pulse_times_s=[0, 0.05, 0.1, 1.0, 1.05, 1.1]), 100, "patterned"),
        (dict(kind="custom", pulse_times_s=list(np.arange(10) / 30)), 100, "frequency-above-table"),
        (dict(kind="custom", pulse_times_s=[0, 0.003]), 100, "paired-pulse"),
        (dict(kind="rtms", frequency_hz=10, pulses_per_train=5), 230, "intensity-above-table"),
    ],
)
def test_outside_the_table_is_not_covered(spec, intensity, category):
    """Bursts, > 25 Hz and > 220 % MT lie outside Rossi 2009 Table 4; Rossi et al. 2021 guidance."""
    report = check_protocol(build(spec), intensity)
    assert report.trains[0].category == category
    assert report.trains[0].verdict == "not-covered"
    assert report.within_limits and report.beyond_tested_range and not report.covered_by_table
    if category != "paired-pulse":
        assert ROSSI_2021 in report.sources


def test_pulse_scale_raises_the_train_intensity():
    """A train whose pulses are at 1.2 x 110 % MT = 132 % MT uses the 140 % MT cell (1.3 s)."""
    times = rtms_train(10, 20)
    protocol = Protocol("scaled", "custom", times, np.zeros(20, int), np.full(20, 1.2))
    train = check_protocol(protocol, 110).trains[0]
    assert train.intensity_pct_mt == pytest.approx(132)
    assert train.cell.intensity_pct_mt == 140 and train.verdict == "exceeds"


def test_mixed_trains_and_course_totals():
    """Per-train verdicts in one session; pulses per day and in total from the course."""
    times = np.concatenate([rtms_train(10, 40), 100 + rtms_train(10, 50)])
    index = np.repeat([0, 1], [40, 50])
    course = Course(days=5, sessions_per_day=2, session_interval_s=3600)
    protocol = Protocol("mixed", "custom", times, index, np.ones(90), course=course)
    report = check_protocol(protocol, 120)
    assert [t.verdict for t in report.trains] == ["within", "exceeds"]
    assert report.verdict_counts == {
        "within": 1,
        "beyond-tested": 0,
        "exceeds": 1,
        "not-covered": 0,
    }
    assert (report.pulses_per_session, report.pulses_per_day, report.total_pulses) == (90, 180, 900)
    assert report.shortest_inter_train_pause_s == pytest.approx(100 - 3.9)
    assert any("Chen et al. 1997" in note for note in report.notes)


def test_to_dict_is_plain_json():
    """`tmslab protocol check --json` prints this; within_limits and beyond_tested_range on top."""
    for spec, intensity in (
        (FDA_10HZ, 130),
        (ITBS, 80),
        (dict(kind="rtms", frequency_hz=1, pulses_per_train=2000), 100),
    ):
        data = check_protocol(build(spec), intensity).to_dict()
        assert json.loads(json.dumps(data, allow_nan=False)) == data
        assert isinstance(data["within_limits"], bool) and isinstance(
            data["beyond_tested_range"], bool
        )
        assert data["table_source"]["doi"] == WASSERMANN_1998.doi
        assert all("doi:" in note for note in data["notes"])
        assert {"index", "frequency_hz", "duration_s", "limit_s", "cell", "verdict"} <= set(
            data["trains"][0]
        )


# --- properties ------------------------------------------------------------------------------
frequencies = st.floats(0.2, 25.0)
intensities = st.floats(50.0, 220.0)
pulses = st.integers(2, 400)


@settings(max_examples=200, deadline=None)
@given(f=frequencies, i=intensities, n=pulses, di=st.floats(0, 100), dn=st.integers(0, 400))
def test_more_intensity_or_a_longer_train_is_never_milder(table, f, i, n, di, dn):
    """Raising intensity or lengthening a train never turns "exceeds" into "within" (nor any
    verdict into a milder one), although Rossi 2009 Table 4 itself is not monotone."""
    base = check_train(rtms_train(f, n), i, table)
    stronger = check_train(rtms_train(f, n), min(i + di, 220.0), table)
    longer = check_train(rtms_train(f, n + dn), i, table)
    assert RANK[stronger.verdict] >= RANK[base.verdict]
    assert RANK[longer.verdict] >= RANK[base.verdict]


@settings(max_examples=200, deadline=None)
@given(f=frequencies, i=intensities, n=pulses, df=st.floats(0, 25))
def test_a_faster_train_of_the_same_duration_is_never_milder(table, f, i, n, df):
    f2 = min(f + df, 25.0)
    base = check_train(rtms_train(f, n), i, table)
    n2 = max(2, math.ceil(n * f2 / f))  # the same duration or longer
    while n2 / f2 < n / f:
        n2 += 1
    faster = check_train(rtms_train(f2, n2), i, table)
    assert RANK[faster.verdict] >= RANK[base.verdict]


@settings(max_examples=200, deadline=None)
@given(f=frequencies, i=intensities, n=pulses)
def test_verdict_agrees_with_the_cell(table, f, i, n):
    """The cell is at or above the train's frequency and intensity; the verdict follows from it."""
    train = check_train(rtms_train(f, n), i, table)
    cell = train.cell
    assert cell.frequency_hz >= f * (1 - 1e-9) or cell.frequency_hz == 1
    assert cell.intensity_pct_mt >= i * (1 - 1e-9) or cell.intensity_pct_mt == 100
    assert train.duration_s == pytest.approx(n / f)
    assert train.safe_up_to_s <= cell.max_train_s
    if train.verdict == "within":
        assert train.duration_s <= train.safe_up_to_s * (1 + 1e-6)
    elif train.verdict == "exceeds":
        assert train.duration_s > train.limit_s
    else:
        assert train.safe_up_to_s < train.duration_s
        assert train.limit_s is None or train.duration_s <= train.limit_s * (1 + 1e-6)


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0, -120, float("nan"), float("inf"), "abc", None, True, [120]])
def test_bad_intensity_is_one_actionable_line(bad):
    with pytest.raises(InvalidValueError) as info:
        check_protocol(build(FDA_10HZ), bad)
    message = str(info.value)
    assert "\n" not in message and "intensity_pct_mt" in message and repr(bad) in message
    assert "> 0" in message


def test_bad_arguments():
    with pytest.raises(InvalidValueError, match="Protocol"):
        check_protocol(FDA_10HZ, 120)
    with pytest.raises(InvalidValueError, match="SafetyTable"):
        check_protocol(build(FDA_10HZ), 120, table={"10 Hz": 4.2})
    with pytest.raises(InvalidValueError, match="no pulses"):
        check_train(np.array([]), 120, load_wassermann_table())
    with pytest.raises(InvalidValueError, match="two pulses"):
        check_train(np.array([0.0, 0.1, 0.1]), 120, load_wassermann_table())


GOOD_CSV = (
    "frequency_hz,intensity_pct_mt,max_train_s,longest_tested\n1,100,10,true\n1,110,5,false\n"
)


def test_parse_table_csv_builds_a_table():
    table = parse_table_csv(GOOD_CSV, WASSERMANN_1998)
    assert isinstance(table, SafetyTable) and table.shape == (1, 2)
    assert table.lookup(1, 105).max_train_s == 5


@pytest.mark.parametrize(
    "text, match",
    [
        ("frequency_hz,intensity,max_train_s,longest_tested\n1,100,10,true\n", "columns"),
        (GOOD_CSV + "1,120,x,false\n", "line 4"),
        (GOOD_CSV + "1,120,3,maybe\n", "longest_tested"),
        (GOOD_CSV + "1,110,3,false\n", "twice"),
        (GOOD_CSV + "5,100,3,false\n", "incomplete"),
        (GOOD_CSV + "1,120,-3,false\n", "> 0"),
        ("frequency_hz,intensity_pct_mt,max_train_s,longest_tested\n", "no rows"),
    ],
)
def test_malformed_table_is_one_line_spec_error(text, match):
    with pytest.raises(SpecFileError, match=match) as info:
        parse_table_csv(text, WASSERMANN_1998, where="table.csv")
    assert isinstance(info.value, TmslabError) and "\n" not in str(info.value)
    assert str(info.value).startswith("table.csv")


def test_table_validates_its_arrays():
    with pytest.raises(InvalidValueError, match="shape"):
        SafetyTable([1, 5], [100], [[1.0]], [[False]], WASSERMANN_1998)
    with pytest.raises(InvalidValueError, match="ascending"):
        SafetyTable([5, 1], [100], [[1.0], [2.0]], [[False], [False]], WASSERMANN_1998)
