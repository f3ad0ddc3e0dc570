"""Reference values from R's metafor 3.8 (written by reference/make_reference.R) and helpers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from tmslab.sources import Source

HERE = Path(__file__).parent
DATA = HERE / "data"
REFERENCE = HERE / "reference"

#: reference file -> (csv, measure, SMD correction)
CASES = {
    "bcg_rr": ("bcg.csv", "RR", "exact"),
    "bcg_or": ("bcg.csv", "OR", "exact"),
    "normand1999_smd": ("normand1999.csv", "SMD", "exact"),
    "normand1999_smd_revman": ("normand1999.csv", "SMD", "revman"),
    "normand1999_md": ("normand1999.csv", "MD", "exact"),
    "hackshaw1998_gen": ("hackshaw1998.csv", "GEN", "exact"),
    "bangertdrowns2004_gen": ("bangertdrowns2004.csv", "GEN", "exact"),
    "nielweise2007_or": ("nielweise2007.csv", "OR", "exact"),
    "nielweise2007_rr": ("nielweise2007.csv", "RR", "exact"),
}
#: where each CSV comes from: metafor's bundled data (R package metadat 1.2), first sources
SOURCES = {
    "bcg.csv": Source(
        "Colditz et al. 1994, JAMA 271(9):698-702 (metafor dat.bcg)",
        "10.1001/jama.1994.03510330076038",
        "13 BCG vaccine trials: TB cases (ai, ci) and non-cases (bi, di); ablat, year, alloc",
    ),
    "normand1999.csv": Source(
        "Normand 1999, Statistics in Medicine 18(3):321-359 (metafor dat.normand1999)",
        "10.1002/(SICI)1097-0258(19990215)18:3<321::AID-SIM28>3.0.CO;2-P",
        "9 stroke-unit studies: length of stay (days), means, SDs and group sizes",
    ),
    "hackshaw1998.csv": Source(
        "Hackshaw, Law & Wald 1997, BMJ 315(7114):980-988 (metafor dat.hackshaw1998)",
        "10.1136/bmj.315.7114.980",
        "37 studies of lung cancer and passive smoking: log odds ratios yi and variances vi",
    ),
    "bangertdrowns2004.csv": Source(
        "Bangert-Drowns, Hurley & Wilkinson 2004, Rev Educ Res 74(1):29-58 "
        "(metafor dat.bangertdrowns2004)",
        "10.3102/00346543074001029",
        "48 writing-to-learn studies: standardized mean differences yi and variances vi",
    ),
    "nielweise2007.csv": Source(
        "Niel-Weise, Stijnen & van den Broek 2007, Intensive Care Med 33(12):2058-2068 "
        "(metafor dat.nielweise2007)",
        "10.1007/s00134-007-0897-3",
        "18 catheter trials: infections ai, ci of n1i, n2i; zero cells; tau^2 = 0 under DL",
    ),
}
METHODS = ("FE", "DL", "REML", "PM", "ML")
#: agreement demanded by the issue: 1e-6 absolute, relative for figures far above 1
ATOL = 1e-6
RTOL = 1e-9


@cache
def reference(name: str) -> dict:
    return json.loads((REFERENCE / f"{name}.json").read_text())


def vec(value) -> np.ndarray:
    """metafor's JSON holds length-1 vectors as scalars and NA as null."""
    return np.atleast_1d(np.asarray(value, dtype=float))


def split_key(key: str) -> tuple[str, bool]:
    """'REML_knha' -> ('REML', True)."""
    method, _, test = key.partition("_")
    return method, test == "knha"


def close(actual, expected, atol: float = ATOL, rtol: float = RTOL) -> None:
    np.testing.assert_allclose(vec(actual), vec(expected), rtol=rtol, atol=atol)
