"""``tmslab meta``: JSON and table outputs, figures, and one-line errors (exit 2) on bad input."""

import json

import pytest

from tests.evidence.meta.refs import DATA, close, reference

BCG = str(DATA / "bcg.csv")
NORMAND = str(DATA / "normand1999.csv")
HACKSHAW = str(DATA / "hackshaw1998.csv")


def write_csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# ---- outputs ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["FE", "DL", "REML", "PM", "ML"])
def test_run_json_matches_metafor(cli, method):
    code, out, err = cli("meta", "run", BCG, "--measure", "RR", "--method", method, "--json")
    assert code == 0, err
    record = json.loads(out)
    ref = reference("bcg_rr")["fits"][method]
    assert record["k"] == 13 and record["measure"] == "RR" and record["method"] == method
    for ours, theirs in (
        ("estimate", "beta"),
        ("se", "se"),
        ("ci_lb", "ci_lb"),
        ("ci_ub", "ci_ub"),
        ("tau2", "tau2"),
        ("i2", "I2"),
        ("h2", "H2"),
        ("q", "QE"),
        ("pval", "pval"),
        ("q_pval", "QEp"),
    ):
        close(record[ours], ref[theirs])
    if method == "FE":
        assert record["tau2_ci_lb"] is None and record["se_tau2"] is None
    else:
        close([record["pi_lb"], record["pi_ub"]], [ref["pi_lb"], ref["pi_ub"]])
        close([record["tau2_ci_lb"], record["tau2_ci_ub"]], ref["tau2_ci"])
        close([record["i2_ci_lb"], record["i2_ci_ub"]], ref["I2_ci"])
        close([record["h2_ci_lb"], record["h2_ci_ub"]], ref["H2_ci"])
    # ratios on the natural scale, for reading
    assert record["exp"]["estimate"] == pytest.approx(2.718281828459045 ** record["estimate"])
    assert len(record["studies"]) == 13
    assert sum(s["weight_percent"] for s in record["studies"]) == pytest.approx(100.0)


def test_run_knha_json(cli):
    code, out, _ = cli(
        "meta", "run", BCG, "--measure", "RR", "--method", "REML", "--knha", "--json"
    )
    record = json.loads(out)
    ref = reference("bcg_rr")["fits"]["REML_knha"]
    assert code == 0 and record["test"] == "knha" and record["statistic_kind"] == "t"
    assert record["df"] == 12
    close([record["ci_lb"], record["ci_ub"]], [ref["ci_lb"], ref["ci_ub"]])
    close(record["se"], ref["se"])


def test_run_smd_revman_and_exact(cli):
    for correction, case in (("exact", "normand1999_smd"), ("revman", "normand1999_smd_revman")):
        code, out, _ = cli(
            "meta",
            "run",
            NORMAND,
            "--measure",
            "SMD",
            "--method",
            "PM",
            "--smd-correction",
            correction,
            "--json",
        )
        record = json.loads(out)
        assert code == 0 and record["smd_correction"] == correction
        close(record["estimate"], reference(case)["fits"]["PM"]["beta"])
        close(record["tau2"], reference(case)["fits"]["PM"]["tau2"])


def test_run_mods_json(cli):
    code, out, _ = cli(
        "meta", "run", BCG, "--measure", "RR", "--mods", "ablat,year", "--method", "REML", "--json"
    )
    record = json.loads(out)
    ref = reference("bcg_rr")["meta_regression"]["ablat_year:REML"]
    assert code == 0 and record["p"] == 3
    assert [c["name"] for c in record["coefficients"]] == ["intrcpt", "ablat", "year"]
    close([c["estimate"] for c in record["coefficients"]], ref["beta"])
    close(record["qm"], ref["QM"])
    close(record["r2"], ref["R2"])
    assert record["pi_lb"] is None  # no single pooled effect in a meta-regression


def test_run_table_output_and_figures(cli, tmp_path):
    forest, funnel = tmp_path / "forest.png", tmp_path / "funnel.svg"
    code, out, err = cli(
        "meta",
        "run",
        BCG,
        "--measure",
        "RR",
        "--method",
        "DL",
        "--forest",
        str(forest),
        "--funnel",
        str(funnel),
    )
    assert code == 0, err
    assert "-0.714117" in out and "0.30876" in out and "92.1173" in out
    assert "Aronson 1948" in out
    assert forest.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert funnel.read_text().lstrip().startswith("<?xml")


def test_run_json_with_figure_keeps_stdout_pure_json(cli, tmp_path):
    forest = tmp_path / "f.pdf"
    code, out, _ = cli("meta", "run", BCG, "--measure", "OR", "--json", "--forest", str(forest))
    assert code == 0 and json.loads(out)["measure"] == "OR"
    assert forest.read_bytes().startswith(b"%PDF")


def test_loo_json_matches_leave1out(cli, tmp_path):
    plot = tmp_path / "loo.png"
    code, out, _ = cli(
        "meta",
        "loo",
        NORMAND,
        "--measure",
        "SMD",
        "--method",
        "REML",
        "--json",
        "--plot",
        str(plot),
    )
    record = json.loads(out)
    ref = reference("normand1999_smd")["leave1out"]["REML"]
    assert code == 0 and len(record["leave_one_out"]) == 9
    assert record["leave_one_out"][0]["omitted"] == "Edinburgh"
    close([row["estimate"] for row in record["leave_one_out"]], ref["estimate"])
    close([row["i2"] for row in record["leave_one_out"]], ref["I2"])
    assert plot.exists()


def test_loo_table(cli):
    code, out, _ = cli("meta", "loo", NORMAND, "--measure", "SMD")
    assert code == 0 and "Orpington-Moderate" in out and "Leave-one-out" in out


def test_egger_json_and_table(cli):
    code, out, _ = cli("meta", "egger", HACKSHAW, "--measure", "GEN", "--json")
    record = json.loads(out)
    ref = reference("hackshaw1998_gen")["egger"]["REML"]
    assert code == 0
    close(record["statistic"], ref["zval"])
    close(record["pval"], ref["pval"])
    close(record["limit_estimate"], ref["limit_estimate"])
    code, out, _ = cli("meta", "egger", HACKSHAW, "--measure", "GEN")
    assert code == 0 and "2.10549" in out


def test_trimfill_json_and_funnel(cli, tmp_path):
    funnel = tmp_path / "tf.png"
    code, out, _ = cli(
        "meta",
        "trimfill",
        HACKSHAW,
        "--measure",
        "GEN",
        "--method",
        "REML",
        "--json",
        "--funnel",
        str(funnel),
    )
    record = json.loads(out)
    ref = reference("hackshaw1998_gen")["trimfill"]["REML"]
    assert code == 0 and record["k0"] == ref["k0"] == 7 and record["side"] == "left"
    assert record["k"] == 44 and len(record["filled"]) == 7
    close(record["estimate"], ref["beta"])
    assert funnel.exists()
    code, out, _ = cli("meta", "trimfill", HACKSHAW, "--measure", "GEN", "--side", "right")
    assert code == 0 and "right side" in out


def test_meta_help_lists_commands(cli):
    code, out, _ = cli("meta", "--help")
    assert code == 0
    for command in ("run", "loo", "egger", "trimfill"):
        assert command in out


# ---- bad input: one line naming row and column, exit 2 ------------------------------------------


def test_missing_column(cli, tmp_path):
    path = write_csv(tmp_path, "study,ai,bi,ci\nA,1,2,3\nB,2,3,4\n")
    cli.fails("meta", "run", path, "--measure", "RR", says=("missing column(s) di", "RR"))


def test_missing_yi_vi_columns_hint(cli, tmp_path):
    path = write_csv(tmp_path, "study,ai,bi,ci,di\nA,1,2,3,4\n")
    cli.fails("meta", "run", path, "--measure", "GEN", says=("yi", "vi"))


def test_non_positive_variance(cli, tmp_path):
    path = write_csv(tmp_path, "study,yi,vi\nA,0.1,0.02\nB,0.3,0\nC,0.2,0.05\n")
    cli.fails("meta", "run", path, "--measure", "GEN", says=("row 2 (B)", "column 'vi'", "> 0"))


def test_non_positive_standard_error(cli, tmp_path):
    path = write_csv(tmp_path, "yi,sei\n0.1,0.2\n0.3,-0.1\n")
    cli.fails("meta", "run", path, "--measure", "GEN", says=("row 2", "column 'sei'"))


def test_non_numeric_cell(cli, tmp_path):
    path = write_csv(tmp_path, "study,ai,bi,ci,di\nA,1,2,3,4\nB,2,x3,4,5\n")
    cli.fails(
        "meta",
        "run",
        path,
        "--measure",
        "OR",
        says=("row 2 (B)", "column 'bi'", "'x3' is not a number"),
    )


def test_empty_cell(cli, tmp_path):
    path = write_csv(tmp_path, "m1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,10,0,1,10\n1,,10,0,1,10\n")
    cli.fails("meta", "run", path, "--measure", "MD", says=("row 2", "column 'sd1i'", "empty"))


def test_negative_count(cli, tmp_path):
    path = write_csv(tmp_path, "study,ai,n1i,ci,n2i\nA,1,20,3,20\nB,-2,20,4,20\n")
    cli.fails("meta", "run", path, "--measure", "RR", says=("row 2 (B)", "column 'ai'", "negative"))


def test_events_exceed_group_size(cli, tmp_path):
    path = write_csv(tmp_path, "study,ai,n1i,ci,n2i\nA,1,20,3,20\nB,2,20,24,20\n")
    cli.fails("meta", "run", path, "--measure", "OR", says=("row 2 (B)", "column 'ci'", "exceed"))


def test_inconsistent_group_size(cli, tmp_path):
    path = write_csv(tmp_path, "ai,bi,ci,di,n1i,n2i\n1,9,2,8,10,10\n1,9,2,8,11,10\n")
    cli.fails("meta", "run", path, "--measure", "RR", says=("row 2", "column 'n1i'"))


def test_negative_sd_and_tiny_smd_study(cli, tmp_path):
    path = write_csv(
        tmp_path, "study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,1,1,10,0,1,10\nB,1,-1,10,0,1,10\n"
    )
    cli.fails("meta", "run", path, "--measure", "SMD", says=("row 2 (B)", "column 'sd1i'"))
    path = write_csv(tmp_path, "study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,1,1,10,0,1,10\nB,1,1,1,0,1,2\n")
    cli.fails("meta", "run", path, "--measure", "SMD", says=("row 2 (B)", "column 'n1i'", ">= 4"))


def test_zero_variance_from_zero_sds(cli, tmp_path):
    path = write_csv(tmp_path, "m1i,sd1i,n1i,m2i,sd2i,n2i\n1,1,10,0,1,10\n1,0,10,0,0,10\n")
    cli.fails("meta", "run", path, "--measure", "MD", says=("row 2", "sd1i"))


def test_too_few_studies_for_the_method(cli, tmp_path):
    path = write_csv(tmp_path, "study,yi,vi\nOnly,0.2,0.04\n")
    cli.fails(
        "meta",
        "run",
        path,
        "--measure",
        "GEN",
        "--method",
        "REML",
        says=("at least 2 studies", "got 1"),
    )
    code, out, _ = cli("meta", "run", path, "--measure", "GEN", "--method", "FE", "--json")
    assert code == 0 and json.loads(out)["estimate"] == pytest.approx(0.2)
    two = write_csv(tmp_path, "yi,vi\n0.2,0.04\n0.5,0.1\n", name="two.csv")
    cli.fails("meta", "egger", two, "--measure", "GEN", says="at least 3 studies")
    cli.fails("meta", "loo", two, "--measure", "GEN", says="at least 3 studies")
    cli.fails("meta", "trimfill", two, "--measure", "GEN", says="at least 3 studies")
    cli.fails("meta", "run", two, "--measure", "GEN", "--mods", "vi", says="at least 3 studies")


def test_bad_moderators(cli, tmp_path):
    path = write_csv(
        tmp_path, "study,yi,vi,dose\nA,0.1,0.02,1\nB,0.3,0.04,high\nC,0.2,0.05,3\nD,0.5,0.1,4\n"
    )
    cli.fails(
        "meta",
        "run",
        path,
        "--measure",
        "GEN",
        "--mods",
        "dose",
        says=("row 2 (B)", "column 'dose'"),
    )
    cli.fails(
        "meta",
        "run",
        path,
        "--measure",
        "GEN",
        "--mods",
        "weight",
        says="no moderator column 'weight'",
    )


def test_unknown_names_and_files(cli, tmp_path):
    cli.fails("meta", "run", BCG, "--measure", "RDX", says="unknown measure 'RDX'")
    # metafor's risk difference is a measure tmslab does not compute: named as such
    cli.fails("meta", "run", BCG, "--measure", "RD", says=("'RD'", "does not compute", "GEN"))
    cli.fails("meta", "run", BCG, "--measure", "RR", "--method", "HS", says="unknown method 'HS'")
    cli.fails("meta", "run", NORMAND, "--measure", "SMD", "--smd-correction", "glass", says="glass")
    cli.fails("meta", "run", str(tmp_path / "none.csv"), "--measure", "RR", says="does not exist")
    empty = write_csv(tmp_path, "", name="empty.csv")
    cli.fails("meta", "run", empty, "--measure", "RR", says="empty")
    header_only = write_csv(tmp_path, "yi,vi\n", name="header.csv")
    cli.fails("meta", "run", header_only, "--measure", "GEN", says="no studies")
    twice = write_csv(tmp_path, "yi,vi,YI\n1,1,1\n", name="twice.csv")
    cli.fails("meta", "run", twice, "--measure", "GEN", says="appears twice")


def test_bad_figure_name_writes_nothing(cli, tmp_path):
    forest, funnel = tmp_path / "forest.png", tmp_path / "funnel.gif"
    cli.fails(
        "meta",
        "run",
        BCG,
        "--measure",
        "RR",
        "--forest",
        str(forest),
        "--funnel",
        str(funnel),
        says="funnel.gif",
    )
    assert list(tmp_path.iterdir()) == []


def test_funnel_with_moderators_is_refused(cli, tmp_path):
    funnel = tmp_path / "f.png"
    cli.fails(
        "meta",
        "run",
        BCG,
        "--measure",
        "RR",
        "--mods",
        "ablat",
        "--funnel",
        str(funnel),
        says="--funnel needs a model without moderators",
    )
    assert not funnel.exists()


def test_collinear_moderators(cli, tmp_path):
    path = write_csv(tmp_path, "yi,vi,a,b\n0.1,0.02,1,2\n0.3,0.04,2,4\n0.2,0.05,3,6\n0.5,0.1,4,8\n")
    cli.fails("meta", "run", path, "--measure", "GEN", "--mods", "a,b", says="collinear")
