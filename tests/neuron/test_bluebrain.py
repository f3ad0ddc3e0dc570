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
    assert any("Held at their resting state" in w for w in cell.warnings)
    kinds = {p.kind for p in cell.points}
    assert {1, 5, 6} <= kinds and 2 not in kinds


def _straight_axon(lengths_um, diameter_um):
    """Soma, then an axon: a first section, then a branch point into two terminal sections."""
    from tmslab.neuron.swc import SwcPoint
    from tmslab.units import UM

    first, second = lengths_um
    r = diameter_um / 2 * UM
    pts = [SwcPoint(1, 1, (0.0, 0.0, 0.0), 10 * UM, -1)]
    pts.append(SwcPoint(2, 2, (0.0, -10 * UM, 0.0), r, 1))
    pts.append(SwcPoint(3, 2, (0.0, -(10 + first) * UM, 0.0), r, 2))
    pts.append(SwcPoint(4, 2, (second * UM, -(10 + first) * UM, 0.0), r, 3))
    pts.append(SwcPoint(5, 2, (-second * UM, -(10 + first) * UM, 0.0), r, 3))
    return pts


@pytest.mark.parametrize(
    ("first", "second", "diameter", "n_terminal"),
    [(500.0, 800.0, 2.0, 5), (500.0, 100.0, 2.0, 4), (500.0, 30.0, 0.1, 0)],
)
def test_aberra_myelinate_counts_internodes_as_add_myelin(first, second, diameter, n_terminal):
    """axon[0]: 50 um unmyelinated, one internode, one node; terminal sections:
    int(L / (70 d + 1)) internodes (or int(L / 21) if that is 0), none below 0.2 um."""
    from tmslab.neuron.bluebrain import aberra_myelinate
    from tmslab.neuron.swc import MYELIN, NODE, UNMYELINATED, swc_branches

    points = aberra_myelinate(_straight_axon((first, second), diameter))
    branches = swc_branches(points)
    kinds = [b.kind for b in branches]
    assert 2 not in kinds
    n_myelin = kinds.count(MYELIN)
    assert kinds.count(NODE) == n_myelin
    first_myelin = 1  # axon[0] is 510 um (>= 70 um) long; add_myelin checks no diameter there
    assert n_myelin == first_myelin + 2 * n_terminal
    if n_terminal == 0:
        assert kinds.count(UNMYELINATED) >= 2
    total = sum(
        float(np.sum(np.linalg.norm(np.diff(b.points_m, axis=0), axis=1)))
        for b in branches
        if b.kind != 1
    )
    assert total == pytest.approx((10 + first + 2 * second) * 1e-6, rel=1e-9)
