"""Blue Brain cell folders (tmslab.neuron.bluebrain): biophysics.hoc reader, Aberra's maxH changes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tmslab.errors import SpecFileError
from tmslab.neuron.bluebrain import g_ratio, parse_biophysics
from tmslab.units import S_PER_CM2

HEADER = """begintemplate x_biophys
public biophys, distribute
proc distribute(){local x localobj sl
        forsec sl for(x) {
            execute(stmp)
        }
    }
proc biophys() {
"""


def _hoc(body: str) -> str:
    return HEADER + body + "\n}\nendtemplate x_biophys\n"


def test_uniform_densities_and_all_list():
    bio = parse_biophysics(
        _hoc(
            """	forsec $o1.axonal {
		insert NaTa_t
		insert SK_E2
	}
	forsec $o1.all {
		insert pas
	}
	forsec $o1.all {
		e_pas = -75
	}
		distribute($o1.axonal,"gNaTa_tbar_NaTa_t","(0.0 * %g + 1.0)*3.429725")
		distribute($o1.apical,"gIhbar_Ih","(-0.869600 + 2.087000*exp((%g-0.000000)*0.003100))*0.000080")"""
        )
    )
    assert bio["axonal"].inserted == ("NaTa_t", "SK_E2", "pas")
    assert bio["axonal"].values["gNaTa_tbar_NaTa_t"] == 3.429725
    assert bio["basal"].values["e_pas"] == -75.0
    assert bio["apical"].non_uniform == ("gIhbar_Ih",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("	forsec $o1.axonal {\n		insert Kdr\n	}", "'Kdr' is not one tmslab knows"),
        ("	forsec $o1.myelinated {\n		insert pas\n	}", "'myelinated' is not one"),
        ("	x = 1", "is not a statement tmslab reads"),
        (
            '		distribute($o1.axonal,"gNaTa_tbar_NaTa_t","(1.0 * %g + 1.0)*3.4")',
            "non-uniform distribution",
        ),
    ],
)
def test_unknown_constructs_are_refused_in_one_line(body, message):
    with pytest.raises(SpecFileError, match=message) as info:
        parse_biophysics(_hoc(body))
    assert "\n" not in str(info.value)


def test_a_file_without_biophys_is_refused():
    with pytest.raises(SpecFileError, match="no 'proc biophys"):
        parse_biophysics("// nothing\n")


def test_g_ratio_is_clipped():
    assert g_ratio(np.array([0.01, 10.0])).tolist() == [0.4, 0.8]
    assert 0.4 < float(g_ratio(np.array([1.0]))[0]) < 0.8


def _folders() -> list[Path]:
    out = []
    for folder in os.environ.get("TMSLAB_MORPHOLOGIES", "").split(os.pathsep):
        if folder:
            out += sorted(p.parent.parent for p in Path(folder).glob("*/morphology/*.asc"))
    return out


@pytest.mark.parametrize("folder", _folders()[:2] or [None])
def test_real_folder_membranes_come_from_the_file(folder):
    if folder is None:
        pytest.skip("no Blue Brain cell folders in $TMSLAB_MORPHOLOGIES")
    from tmslab.neuron.bluebrain import read_cell_folder
    from tmslab.neuron.swc import MYELIN, NODE, UNMYELINATED

    bio = parse_biophysics((folder / "biophysics.hoc").read_text())
    cell = read_cell_folder(folder)
    g_na = bio["axonal"].values["gNaTa_tbar_NaTa_t"] * S_PER_CM2
    assert cell.membranes[UNMYELINATED].g_na_s_per_m2 == pytest.approx(g_na)
    assert cell.membranes[NODE].g_na_s_per_m2 == pytest.approx(2 * g_na)
    assert cell.membranes[MYELIN].cm_f_per_m2 == pytest.approx(0.02 * 0.01)
    assert -0.09 < cell.v_rest_v < -0.065
    assert any("left out" in w for w in cell.warnings)
    kinds = {p.kind for p in cell.points}
    assert {1, 5, 6} <= kinds and 2 not in kinds
