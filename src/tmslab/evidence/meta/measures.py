"""The outcome measures tmslab pools: names, scales and the columns each needs (metafor's names)."""

from __future__ import annotations

from dataclasses import dataclass

from tmslab.errors import InvalidValueError, UnknownNameError


@dataclass(frozen=True)
class Measure:
    """An outcome measure.

    name: metafor's measure code; label: what yi is; ratio: True if yi is a log ratio (pooled
    on the log scale, shown exponentiated); columns: the alternative column sets accepted.
    """

    name: str
    label: str
    ratio: bool
    columns: tuple[tuple[str, ...], ...]


MEASURES: dict[str, Measure] = {
    "RR": Measure(
        "RR", "log risk ratio", True, (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))
    ),
    "OR": Measure(
        "OR", "log odds ratio", True, (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))
    ),
    "SMD": Measure(
        "SMD",
        "standardized mean difference (Hedges' g)",
        False,
        (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    ),
    "MD": Measure(
        "MD",
        "mean difference (outcome unit)",
        False,
        (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    ),
    "GEN": Measure("GEN", "effect size", False, (("yi", "vi"), ("yi", "sei"))),
}


# metafor's escalc measures tmslab does not compute, with the arguments they read (metafor 5.1
# R/escalc.r), so a metafor user is told what is missing instead of "unknown".
_UNSUPPORTED_GROUPS: tuple[tuple[str, str], ...] = (
    (
        "PETO RD AS PHI ZPHI YUQ YUY RTET ZTET PBIT OR2D OR2DN OR2DL "
        "MPRD MPRR MPOR MPORC MPPETO MPORM",
        "2x2 tables: ai, bi, ci, di",
    ),
    ("IRR IRD IRSD", "incidence rates: x1i, x2i, t1i, t2i"),
    (
        "SMDH SMD1 SMD1H ROM VR CVR RPB ZPB RBIS ZBIS D2OR D2ORN D2ORL CLES AUC CLESN AUCN",
        "two groups: m1i, m2i, sd1i, sd2i, n1i, n2i",
    ),
    ("COR UCOR ZCOR", "correlations: ri, ni"),
    ("PCOR ZPCOR SPCOR ZSPCOR", "partial correlations: ti, ni, mi (r2i)"),
    ("R2 ZR2 R2F ZR2F", "R^2: r2i, mi, ni"),
    ("PR PLN PLO PRZ PAS PFT", "proportions: xi, ni (or mi)"),
    ("IR IRLN IRS IRFT", "incidence rates: xi, ti"),
    ("MN SMN MNLN SDLN CVLN", "one group: mi, sdi, ni"),
    (
        "MC SMCC SMCR SMCRH SMCRP SMCRPH CLESCN AUCCN ROMC VRC CVRC",
        "paired means: m1i, m2i, sd1i, sd2i, ni, ri",
    ),
    ("ARAW AHW ABT", "Cronbach's alpha: ai, mi, ni"),
    ("REH", "genotype counts: ai, bi, ci"),
    ("HR HD", "hazard rates"),
)
#: metafor measure code -> what it is computed from, for the measures tmslab does not compute
UNSUPPORTED_MEASURES: dict[str, str] = {
    code: what for codes, what in _UNSUPPORTED_GROUPS for code in codes.split()
}

#: The one place metafor's escalc argument names meet tmslab's column names: metafor argument
#: (as in ``escalc(ai=tpos, ...)`` or ``--columns ai=tpos``) -> tmslab column. tmslab chose
#: metafor's names, so the map is the identity; ``study`` also answers to metafor's ``slab``.
ESCALC_COLUMNS: dict[str, str] = {
    **{name: name for measure in MEASURES.values() for names in measure.columns for name in names},
    "study": "study",
    "slab": "study",
}
#: escalc arguments only measures outside :data:`MEASURES` read -> what metafor reads there
UNSUPPORTED_ARGUMENTS: dict[str, str] = {
    "x1i": "events for incidence rates, measures IRR, IRD, IRSD",
    "x2i": "events for incidence rates, measures IRR, IRD, IRSD",
    "t1i": "person-times, measures IRR, IRD, IRSD",
    "t2i": "person-times, measures IRR, IRD, IRSD",
    "xi": "event counts of one group, measures PR, PLO, IR, ...",
    "mi": "complements or one-group means, measures PR, MN, ARAW, ...",
    "ri": "correlations, measures COR, ZCOR, MC, SMCR, ...",
    "ti": "person-times or t statistics, measures IR, PCOR, ...",
    "fi": "F statistics",
    "pi": "(signed) p-values",
    "sdi": "one-group SDs, measures MN, SDLN, SMCR, ...",
    "r2i": "R^2 values, measures R2, ZR2, SPCOR",
    "ni": "one-group sizes, measures COR, PR, MN, MC, ...",
}
UNSUPPORTED_HINT = "compute yi and vi with metafor's escalc() and use --measure GEN"


def get_measure(name: str) -> Measure:
    """The measure called ``name`` (metafor's code, case-insensitive), or a TmslabError.

    metafor's other escalc measures (RD, ZCOR, IRR, ...) are named as such, with what they need.
    """
    key = str(name).strip().upper()
    if key in UNSUPPORTED_MEASURES:
        raise InvalidValueError(
            f"measure {str(name)!r} is one of metafor's escalc measures "
            f"({UNSUPPORTED_MEASURES[key]}) that tmslab does not compute; use "
            f"{', '.join(sorted(MEASURES))}, or {UNSUPPORTED_HINT}"
        )
    if key not in MEASURES:
        raise UnknownNameError("measure", str(name), MEASURES)
    return MEASURES[key]
