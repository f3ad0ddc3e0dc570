"""metafor's data sets as shipped, in the files R writes of them, pooled as metafor pools them.

Fixtures in ``data/metafor/`` are written by hand byte for byte as R 4 writes them (values from
metadat 1.2's data-raw, public facts of the trials):

- ``dat.bcg.txt``: ``write.table(dat.bcg, "dat.bcg.txt")``: space-separated, strings and
  header quoted, a quoted row-names field that the header lacks;
- ``dat.colditz1994.csv``: ``write.csv(dat.colditz1994, "dat.colditz1994.csv")``: the header
  starts with ``""`` for the row names;
- ``dat.nielweise2007.txt``: ``write.table(dat.nielweise2007, ...)``, whose columns already
  carry escalc's names (ai, n1i, ci, n2i);
- ``dat.normand1999.tsv``: ``write.table(dat.normand1999, ..., sep="\\t", col.names=NA)``.

Colditz et al. 1994 (doi:10.1001/jama.1994.03510330076038) is dat.bcg = dat.colditz1994:
``rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)`` gives, with REML,
estimate -0.7145, se 0.1798, tau^2 0.3132 (Viechtbauer 2010, doi:10.18637/jss.v036.i03);
the full metafor output is in ``reference/bcg_rr.json`` and is compared to 1e-6.

Before this change all four files were refused: the columns are tpos..cneg (no --columns), the
write.table layout was read as one comma-less column, and write.csv's "" header was an error.
"""

import json

import numpy as np
import pytest

from tests.evidence.meta.refs import DATA, close, reference
from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.evidence.meta import fit, get_measure, load_meta_csv, map_columns, read_table

METAFOR = DATA / "metafor"
BCG_TXT = METAFOR / "dat.bcg.txt"
COLDITZ_CSV = METAFOR / "dat.colditz1994.csv"
NIELWEISE_TXT = METAFOR / "dat.nielweise2007.txt"
NORMAND_TSV = METAFOR / "dat.normand1999.tsv"
BCG_COLUMNS = "ai=tpos,bi=tneg,ci=cpos,di=cneg"
METHODS = ("FE", "DL", "REML", "PM", "ML")


# ---- the R layouts as read --------------------------------------------------------------------


def test_write_table_layout_is_read_with_its_row_names():
    table = read_table(BCG_TXT)
    assert table.layout == "whitespace"
    assert table.header == (
        "trial",
        "author",
        "year",
        "tpos",
        "tneg",
        "cpos",
        "cneg",
        "ablat",
        "alloc",
    )
    assert table.k == 13 and table.row_names == tuple(str(i) for i in range(1, 14))
    assert table.rows[1]["author"] == "Ferguson & Simes"  # a quoted string with spaces
    assert table.rows[7]["tneg"] == "87886" and table.rows[12]["alloc"] == "systematic"


def test_write_csv_layout_drops_the_empty_row_names_header():
    csv_table, txt_table = read_table(COLDITZ_CSV), read_table(BCG_TXT)
    assert csv_table.layout == "csv"
    assert csv_table.header == txt_table.header and csv_table.rows == txt_table.rows


def test_tab_separated_with_col_names_na():
    table = read_table(NORMAND_TSV)
    assert table.layout == "tab" and table.header[0] == "study" and table.k == 9
    assert table.rows[0]["source"] == "Edinburgh"


# ---- pooled as metafor pools them ---------------------------------------------------------------


@pytest.mark.parametrize("path", [BCG_TXT, COLDITZ_CSV], ids=["write.table", "write.csv"])
@pytest.mark.parametrize("method", METHODS)
def test_bcg_as_shipped_matches_metafor(path, method):
    data = load_meta_csv(path, "RR", columns=BCG_COLUMNS)
    ref = reference("bcg_rr")
    close(data.yi, ref["yi"], atol=1e-12)
    close(data.vi, ref["vi"], atol=1e-12)
    result = fit(data.yi, data.vi, method)
    theirs = ref["fits"][method]
    close(result.estimate, theirs["beta"])
    close(result.se, theirs["se"])
    close(result.tau2, theirs["tau2"])
    close(result.q, theirs["QE"])


def test_bcg_reml_published_figures():
    """Viechtbauer 2010 (JSS 36(3)): -0.7145 (se 0.1798), tau^2 = 0.3132 (REML)."""
    data = load_meta_csv(BCG_TXT, "RR", columns=BCG_COLUMNS)
    result = fit(data.yi, data.vi, "REML")
    assert round(result.estimate, 4) == -0.7145
    assert round(float(result.se[0]), 4) == 0.1798
    assert round(result.tau2, 4) == 0.3132


def test_bcg_odds_ratio_and_meta_regression_from_write_csv():
    data = load_meta_csv(COLDITZ_CSV, "OR", columns=BCG_COLUMNS)
    result = fit(data.yi, data.vi, "REML")
    close(result.estimate, reference("bcg_or")["fits"]["REML"]["beta"])
    close(result.tau2, reference("bcg_or")["fits"]["REML"]["tau2"])


def test_nielweise_escalc_names_directly_from_write_table():
    """dat.nielweise2007 ships with escalc's own names: no --columns needed."""
    for measure, case in (("OR", "nielweise2007_or"), ("RR", "nielweise2007_rr")):
        data = load_meta_csv(NIELWEISE_TXT, measure)
        close(data.yi, reference(case)["yi"], atol=1e-12)
        result = fit(data.yi, data.vi, "REML")
        close(result.estimate, reference(case)["fits"]["REML"]["beta"])
        close(result.tau2, reference(case)["fits"]["REML"]["tau2"])


def test_normand_smd_from_tab_separated_file():
    data = load_meta_csv(NORMAND_TSV, "SMD", columns="study=source")
    ref = reference("normand1999_smd")
    close(data.yi, ref["yi"], atol=1e-12)
    assert list(data.labels) == list(ref["study"])
    close(fit(data.yi, data.vi, "PM").estimate, ref["fits"]["PM"]["beta"])


def test_labels_from_slab_mapping_and_row_names(tmp_path):
    data = load_meta_csv(BCG_TXT, "RR", columns=BCG_COLUMNS + ",slab=author")
    assert data.labels[:2] == ("Aronson", "Ferguson & Simes")
    # R's automatic row names 1..k label nothing; named row names do
    assert load_meta_csv(BCG_TXT, "RR", columns=BCG_COLUMNS).labels[0] == "Study 1"
    named = tmp_path / "named.txt"
    named.write_text('"yi" "vi"\n"Aronson" -0.9 0.33\n"Ferguson" -1.6 0.19\n')
    assert load_meta_csv(named, "GEN").labels == ("Aronson", "Ferguson")


def test_write_table_na_is_reported_as_missing(tmp_path):
    path = tmp_path / "na.txt"
    text = BCG_TXT.read_text().replace('"3" 3 "Rosenthal et al" 1960 3 228', '"3" 3 NA 1960 NA 228')
    path.write_text(text)
    with pytest.raises(InvalidValueError, match=r"row 3, column 'tpos' is missing \(NA\)"):
        load_meta_csv(path, "RR", columns=BCG_COLUMNS)


def test_escaped_quotes_in_write_table_and_doubled_in_write_csv(tmp_path):
    txt, csv = tmp_path / "q.txt", tmp_path / "q.csv"
    txt.write_text('"study" "yi" "vi"\n"1" "the \\"A\\" trial" 0.1 0.2\n"2" "B" 0.3 0.1\n')
    csv.write_text('"","study","yi","vi"\n"1","the ""A"" trial",0.1,0.2\n"2","B",0.3,0.1\n')
    for path in (txt, csv):
        assert load_meta_csv(path, "GEN").labels == ('the "A" trial', "B")


# ---- --columns ----------------------------------------------------------------------------------


def test_map_columns_rejects_bad_targets_and_missing_columns():
    table = read_table(BCG_TXT)
    with pytest.raises(SpecFileError, match=r"no column 'tpoz' \(columns present: trial, author"):
        map_columns(table, "ai=tpoz")
    with pytest.raises(InvalidValueError, match="'aj' is not an argument tmslab reads"):
        map_columns(table, "aj=tpos")
    with pytest.raises(InvalidValueError, match="x1i is metafor's argument for events"):
        map_columns(table, "x1i=tpos")
    with pytest.raises(InvalidValueError, match="already given for ai"):
        map_columns(table, "ai=tpos,bi=tpos")
    with pytest.raises(InvalidValueError, match="not argument=column"):
        map_columns(table, "ai:tpos")
    with pytest.raises(InvalidValueError, match="names 'AI' twice"):
        map_columns(table, "ai=tpos,AI=tneg")


def test_missing_columns_suggest_the_metafor_mapping():
    with pytest.raises(SpecFileError, match=f"give --columns {BCG_COLUMNS}"):
        load_meta_csv(BCG_TXT, "RR")


@pytest.mark.parametrize(
    "measure, what", [("ZCOR", "ri, ni"), ("IRR", "x1i, x2i, t1i, t2i"), ("rd", "ai, bi")]
)
def test_metafor_measures_tmslab_does_not_compute_are_named(measure, what):
    with pytest.raises(InvalidValueError, match="does not compute") as error:
        get_measure(measure)
    assert what in str(error.value) and "GEN" in str(error.value)


def test_metafor_measure_names_are_accepted_case_insensitively():
    assert [get_measure(m).name for m in ("rr", "Or", "smd", "MD", "gen")] == [
        "RR",
        "OR",
        "SMD",
        "MD",
        "GEN",
    ]


# ---- the CLI ----------------------------------------------------------------------------------


def test_cli_run_write_table_with_columns(cli):
    code, out, err = cli(
        "meta", "run", BCG_TXT, "--measure", "RR", "--columns", BCG_COLUMNS, "--json"
    )
    assert code == 0, err
    record = json.loads(out)
    ref = reference("bcg_rr")["fits"]["REML"]
    close(record["estimate"], ref["beta"])
    close(record["se"], ref["se"])
    close(record["tau2"], ref["tau2"])
    assert record["k"] == 13


def test_cli_run_write_csv_meta_regression(cli):
    code, out, err = cli(
        "meta",
        "run",
        COLDITZ_CSV,
        "--measure",
        "RR",
        "--columns",
        BCG_COLUMNS + ",study=author",
        "--mods",
        "ablat,year",
        "--json",
    )
    assert code == 0, err
    record = json.loads(out)
    ref = reference("bcg_rr")["meta_regression"]["ablat_year:REML"]
    close([c["estimate"] for c in record["coefficients"]], ref["beta"])
    close(record["qm"], ref["QM"])


@pytest.mark.parametrize("command", ["loo", "egger", "trimfill"])
def test_cli_other_commands_take_columns(cli, command):
    code, out, err = cli(
        "meta", command, BCG_TXT, "--measure", "RR", "--columns", BCG_COLUMNS, "--json"
    )
    assert code == 0, err
    assert json.loads(out)["measure"] == "RR"


def test_cli_nielweise_write_table_directly(cli):
    code, out, err = cli("meta", "run", NIELWEISE_TXT, "--measure", "OR", "--json")
    assert code == 0, err
    close(json.loads(out)["estimate"], reference("nielweise2007_or")["fits"]["REML"]["beta"])


@pytest.mark.parametrize(
    "columns, fragments",
    [
        ("ai=tpoz,bi=tneg,ci=cpos,di=cneg", ("no column 'tpoz'", "columns present: trial")),
        ("ai=tpos,bj=tneg", ("'bj' is not an argument",)),
        ("ai=tpos,ri=tneg", ("ri is metafor's argument", "does not compute")),
        ("ai", ("not argument=column",)),
    ],
)
def test_cli_bad_columns_one_line_nothing_written(cli, tmp_path, columns, fragments):
    forest = tmp_path / "forest.png"
    cli.fails(
        "meta",
        "run",
        BCG_TXT,
        "--measure",
        "RR",
        "--columns",
        columns,
        "--forest",
        forest,
        says=tuple(fragments),
    )
    assert list(tmp_path.iterdir()) == []


def test_cli_as_shipped_without_columns_says_which(cli):
    cli.fails(
        "meta",
        "run",
        COLDITZ_CSV,
        "--measure",
        "OR",
        says=("missing column(s) ai, bi, ci, di", "found: trial, author", BCG_COLUMNS),
    )


def test_cli_unsupported_measure(cli):
    cli.fails("meta", "run", BCG_TXT, "--measure", "PETO", says=("'PETO'", "does not compute"))


def test_cli_rda_file_is_refused_with_the_fix(cli, tmp_path):
    rda = tmp_path / "dat.bcg.rda"
    rda.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))
    cli.fails("meta", "run", rda, "--measure", "RR", says=("binary", "write.csv"))


def test_errors_are_tmslab_errors_with_one_line(tmp_path):
    ragged = tmp_path / "ragged.txt"
    ragged.write_text('"yi" "vi"\n"1" 0.1 0.2\n"2" Smith et al 0.3 0.1\n')
    with pytest.raises(TmslabError) as error:
        read_table(ragged)
    assert "line 3" in str(error.value) and "quote text" in str(error.value)
    assert "\n" not in str(error.value)
    assert np.isfinite(load_meta_csv(BCG_TXT, "RR", columns=BCG_COLUMNS).yi).all()


def test_write_csv2_decimal_commas_are_named(tmp_path):
    path = tmp_path / "csv2.csv"
    path.write_text('"";"yi";"vi"\n"1";-0,5;0,1\n"2";0,25;0,2\n')
    with pytest.raises(InvalidValueError, match="decimal comma"):
        load_meta_csv(path, "GEN")


def test_columns_of_measures_tmslab_does_not_compute_are_named(tmp_path):
    path = tmp_path / "cor.txt"
    path.write_text('"study" "ri" "ni"\n"1" "A" 0.3 40\n"2" "B" 0.1 55\n')
    with pytest.raises(SpecFileError, match="columns ri, ni are metafor arguments") as error:
        load_meta_csv(path, "GEN")
    assert "does not compute" in str(error.value) and "escalc" in str(error.value)


def test_moderator_na_from_write_table_is_reported(tmp_path):
    path = tmp_path / "na_mod.txt"
    path.write_text(BCG_TXT.read_text().replace(' 44 "random"\n', ' NA "random"\n', 1))
    with pytest.raises(InvalidValueError, match=r"row 1, column 'ablat' is missing \(NA\)"):
        load_meta_csv(path, "RR", columns=BCG_COLUMNS, mods=["ablat"])
