"""The table reader under hypothesis: every layout R and spreadsheets write round-trips, and every
corruption gives one line naming the problem (a TmslabError), never a traceback.

The writers below follow R 4's ``utils::write.table`` (sep " ", strings quoted with ``\\"``
escapes, numbers bare, a quoted row name leading each row and missing from the header;
``col.names=NA`` puts ``""`` over the row names; ``row.names=FALSE`` drops them) and
``write.csv`` (sep ",", quotes doubled, ``""`` over the row names), as the R documentation of
write.table describes them; plain CSV is Python's csv module (RFC 4180, minimal quoting).
"""

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.evidence.meta.data import MISSING, effect_data, read_table

LAYOUTS = (
    "write.table",
    "write.table col.names=NA",
    "write.table row.names=FALSE",
    "write.table sep=tab",
    "write.csv",
    "csv",
    "csv semicolon",
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names_st = st.from_regex(r"[A-Za-z][A-Za-z0-9._]{0,8}", fullmatch=True)
# text a cell can hold: no control characters (no line breaks, tabs, NULs); no backslash,
# which R's write.table leaves unescaped and its read.table then reads as an escape
text_st = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\\"), max_size=10
).map(str.strip)
number_st = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
)


def _r_string(text: str, double: bool) -> str:
    return '"' + text.replace('"', '""' if double else '\\"') + '"'


def write_layout(layout: str, header, rows, numeric) -> str:
    """``rows`` (lists of cell texts) as ``layout`` writes them; numeric[j]: column j is bare."""
    if layout.startswith("csv"):
        out = io.StringIO()
        writer = csv.writer(
            out, delimiter=";" if "semicolon" in layout else ",", lineterminator="\n"
        )
        writer.writerows([header, *rows])
        return out.getvalue()
    double = layout == "write.csv"
    sep = "," if double else ("\t" if "tab" in layout else " ")

    def cell(text, j):
        return text if numeric[j] else _r_string(text, double)

    row_names = "row.names=FALSE" not in layout
    head = [_r_string(h, double) for h in header]
    if row_names and ("col.names=NA" in layout or double):
        head = ['""', *head]
    lines = [sep.join(head)]
    for i, row in enumerate(rows, start=1):
        cells = [cell(text, j) for j, text in enumerate(row)]
        lines.append(sep.join([f'"{i}"', *cells] if row_names else cells))
    return "\n".join(lines) + "\n"


@st.composite
def tables(draw, min_k=1, max_k=6):
    header = draw(st.lists(names_st, min_size=2, max_size=6, unique_by=str.lower))
    numeric = [True] + [draw(st.booleans()) for _ in header[1:]]  # a number first: no blank row
    k = draw(st.integers(min_k, max_k))
    rows = [
        [draw(number_st if numeric[j] else text_st) for j in range(len(header))] for _ in range(k)
    ]
    return header, rows, numeric


def _read_text(text: str | bytes, name: str = "data.txt"):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return read_table(path)


def _gen(text: str | bytes):
    return effect_data(_read_text(text), "GEN")


def _assert_one_line(error: TmslabError):
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message


# ---- round trips ------------------------------------------------------------------------------


@SETTINGS
@given(tables(), st.sampled_from(LAYOUTS))
def test_valid_tables_round_trip(table, layout):
    header, rows, numeric = table
    read = _read_text(write_layout(layout, header, rows, numeric))
    assert read.header == tuple(header)
    assert [dict(r) for r in read.rows] == [dict(zip(header, row, strict=True)) for row in rows]
    named = layout.startswith("write") and "row.names=FALSE" not in layout
    assert read.row_names == (tuple(str(i) for i in range(1, len(rows) + 1)) if named else ())


@SETTINGS
@given(
    st.lists(st.tuples(st.floats(-5, 5), st.floats(1e-4, 10)), min_size=1, max_size=8),
    st.sampled_from(LAYOUTS),
    st.booleans(),
)
def test_effect_sizes_round_trip_exactly(studies, layout, crlf):
    header = ["study", "yi", "vi"]
    rows = [[f"S {i}", repr(y), repr(v)] for i, (y, v) in enumerate(studies)]
    text = write_layout(layout, header, rows, [False, True, True])
    if crlf:  # R on Windows writes \r\n
        text = text.replace("\n", "\r\n")
    data = _gen(text)
    assert data.yi.tolist() == [y for y, _ in studies]
    assert data.vi.tolist() == [v for _, v in studies]
    assert data.labels == tuple(row[0] for row in rows)


# ---- corruptions ------------------------------------------------------------------------------


def _gen_text(layout, k=3):
    rows = [[f"S{i}", f"0.{i}", f"0.0{i + 1}"] for i in range(k)]
    return write_layout(layout, ["study", "yi", "vi"], rows, [False, True, True]), rows


@SETTINGS
@given(st.sampled_from(LAYOUTS), st.data())
def test_binary_files_are_refused(layout, data):
    text, _ = _gen_text(layout)
    raw = text.encode()
    at = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3", b"\x80abc"]))
    corrupt = data.draw(
        st.sampled_from([raw[:at] + junk + raw[at:], b"\x1f\x8b\x08" + raw, b"RDX3\n" + raw])
    )
    with pytest.raises(SpecFileError) as error:
        _gen(corrupt)
    _assert_one_line(error.value)


@SETTINGS
@given(st.sampled_from(LAYOUTS), st.integers(2, 5), st.data())
def test_ragged_rows_are_refused(layout, k, data):
    text, _ = _gen_text(layout, k)
    lines = text.split("\n")
    i = data.draw(st.integers(1, k))  # a data line
    sep = "," if layout in ("write.csv", "csv") else ";" if "semicolon" in layout else None
    sep = sep or ("\t" if "tab" in layout else " ")
    cells = lines[i].split(sep)
    if data.draw(st.booleans()):
        cells = cells[:-1]
    else:
        cells = [*cells, "0.5"]
    lines[i] = sep.join(cells)
    with pytest.raises(SpecFileError, match=r"line \d+ has \d+ cells") as error:
        _gen("\n".join(lines))
    _assert_one_line(error.value)


bad_numbers = st.one_of(
    st.sampled_from(["NaN", "Inf", "-Inf", "NA", "", "1_000", "0x10", "1,5", "TRUE"]),
    text_st.filter(lambda t: t.lower() not in MISSING),
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text


@SETTINGS
@given(st.sampled_from(LAYOUTS), bad_numbers, st.integers(0, 2), st.sampled_from(["yi", "vi"]))
def test_non_numbers_nan_and_missing_are_refused(layout, bad, i, column):
    assume(not _is_number(bad) or bad.lower() in ("nan", "inf", "-inf"))
    rows = [[f"S{j}", f"0.{j}", f"0.0{j + 1}"] for j in range(3)]
    rows[i][1 if column == "yi" else 2] = bad
    # R quotes text; a bare bad cell must be refused just the same
    text = write_layout(layout, ["study", "yi", "vi"], rows, [False, False, False])
    with pytest.raises(TmslabError) as error:
        _gen(text)
    _assert_one_line(error.value)
    message = str(error.value)
    assert isinstance(error.value, InvalidValueError | SpecFileError)
    if isinstance(error.value, InvalidValueError):
        assert f"row {i + 1} (S{i})" in message and f"column {column!r}" in message


@SETTINGS
@given(st.sampled_from(LAYOUTS), st.sampled_from(["yi", "vi", "study"]), st.data())
def test_duplicate_column_names_are_refused(layout, twice, data):
    header = ["study", "yi", "vi"]
    header.append(data.draw(st.sampled_from([twice, twice.upper(), twice.title()])))
    rows = [[f"S{j}", f"0.{j}", f"0.0{j + 1}", "1"] for j in range(2)]
    with pytest.raises(SpecFileError, match="appears twice") as error:
        _gen(write_layout(layout, header, rows, [False, True, True, True]))
    _assert_one_line(error.value)


@pytest.mark.parametrize("text", ["", "\n\n", "  \n\t\n", '"yi" "vi"\n', "yi,vi\n", '"",""\n'])
def test_empty_files_are_refused(text):
    with pytest.raises(SpecFileError, match=r"empty|no studies") as error:
        _gen(text)
    _assert_one_line(error.value)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('"yi" "vi"\n"1" "0.1 0.2\n', "never closed"),
        ('"yi" "vi"\n"1" "0.1"x 0.2\n', "after a closing quote"),
        ('yi,vi\n"0.1,0.2\n', "not valid CSV"),
        ('yi,vi\n"0.1"x,0.2\n', "not valid CSV"),
    ],
)
def test_broken_quotes_are_refused(text, fragment):
    with pytest.raises(SpecFileError, match=fragment) as error:
        _gen(text)
    _assert_one_line(error.value)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_any_input_reads_or_gives_one_line_tmslab_error(content):
    try:
        _gen(content)
    except TmslabError as error:
        _assert_one_line(error)


def test_tab_separated_write_table_escapes_quotes_with_backslashes():
    """R's write.table(sep="\\t") writes a quote inside a string as \\" (qmethod "escape");
    hypothesis found the tab layout read it as broken CSV."""
    table = _read_text('"A"\t"B"\n"1"\t0\t"\\""\n')
    assert [row["B"] for row in table.rows] == ['"']
