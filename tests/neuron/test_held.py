"""Channels held at their resting state (tmslab.neuron.held): Ih, Im, Ca_HVA, Ca_LVAst, Ca, SK_E2
with CaDynamics_E2.

The steady state is checked against integrating the Blue Brain .mod files' equations (Hay et al.
2011, PLoS Comput Biol 7:e1002107, doi 10.1371/journal.pcbi.1002107) in time; the real cells
against NEURON with their own .mod files in tools/bluebrain_left_out.py (docs/validation-neurons.md:
steady state equal to 1e-8 mV for L5_TTPC2_cADpyr232_1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.constants import R, physical_constants, zero_Celsius
from scipy.integrate import solve_ivp

from tmslab.errors import SpecFileError
from tmslab.neuron.held import MECHANISMS, HeldChannels, held_current, held_leak, open_conductances

from .test_aberra_folders import ASC, BIOPHYSICS

F = physical_constants["Faraday constant"][0]
CELSIUS = 37.0


def _one_node(densities_s_per_cm2: dict[str, float], gamma=0.0005, decay=300.0) -> HeldChannels:
    d = np.zeros((len(MECHANISMS), 1))
    for name, g in densities_s_per_cm2.items():
        d[MECHANISMS.index(name), 0] = g * 1e4
    one = lambda x: np.array([x], dtype=float)  # noqa: E731
    return HeldChannels(d, one(gamma), one(decay), one(0.1), one(1e-4))


def _mod_rates(v: float):
    """Steady states and time constants as the .mod files write them (ms, mV)."""
    qt = 2.3 ** ((CELSIUS - 21) / 10)
    a = 0.001 * 6.43 * (v + 154.9) / (math.exp((v + 154.9) / 11.9) - 1)
    b = 0.001 * 193 * math.exp(v / 33.1)
    ih = (a / (a + b), 1 / (a + b))
    a = 3.3e-3 * math.exp(2.5 * 0.04 * (v + 35))
    b = 3.3e-3 * math.exp(-2.5 * 0.04 * (v + 35))
    im = (a / (a + b), 1 / (a + b) / qt)
    am = 0.055 * (-27 - v) / (math.exp((-27 - v) / 3.8) - 1)
    bm = 0.94 * math.exp((-75 - v) / 17)
    ah = 0.000457 * math.exp((-13 - v) / 50)
    bh = 0.0065 / (math.exp((-v - 15) / 28) + 1)
    hva = (am / (am + bm), 1 / (am + bm), ah / (ah + bh), 1 / (ah + bh))
    u = v + 10
    lva = (
        1 / (1 + math.exp((u + 30) / -6)),
        (5 + 20 / (1 + math.exp((u + 25) / 5))) / qt,
        1 / (1 + math.exp((u + 80) / 6.4)),
        (20 + 50 / (1 + math.exp((u + 40) / 7))) / qt,
    )
    return ih, im, hva, lva


def _integrate(held: HeldChannels, v: float, ek: float) -> np.ndarray:
    """Every gate and [Ca]i integrated at a clamped v until nothing moves; open g (S/cm^2)."""
    g = held.density_s_per_m2[:, 0] * 1e-4
    ih, im, hva, lva = _mod_rates(v)
    rt = R * (CELSIUS + zero_Celsius) / (2 * F) * 1e3

    def rhs(_t, y):
        m_ih, m_im, m_hva, h_hva, m_lva, h_lva, z, cai = y
        eca = rt * math.log(2.0 / cai)
        ica = (g[2] * m_hva**2 * h_hva + g[3] * m_lva**2 * h_lva + g[4] * m_hva**2 * h_hva) * (
            v - eca
        )
        dcai = (
            -1e4 * ica * held.gamma[0] / (2 * F * held.depth_um[0])
            - (cai - held.min_cai_mm[0]) / held.decay_ms[0]
        )
        z_inf = 1 / (1 + (0.00043 / max(cai, 1e-7)) ** 4.8)
        return [
            (ih[0] - m_ih) / ih[1],
            (im[0] - m_im) / im[1],
            (hva[0] - m_hva) / hva[1],
            (hva[2] - h_hva) / hva[3],
            (lva[0] - m_lva) / lva[1],
            (lva[2] - h_lva) / lva[3],
            (z_inf - z) / 1.0,
            dcai,
        ]

    y0 = [0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1e-4]
    end = solve_ivp(rhs, (0, 2e5), y0, method="LSODA", rtol=1e-10, atol=1e-14).y[:, -1]
    m_ih, m_im, m_hva, h_hva, m_lva, h_lva, z, _ = end
    return np.array(
        [
            g[0] * m_ih,
            g[1] * m_im,
            g[2] * m_hva**2 * h_hva,
            g[3] * m_lva**2 * h_lva,
            g[4] * m_hva**2 * h_hva,
            g[5] * z,
        ]
    )


@pytest.mark.parametrize("v", [-90.0, -75.0, -63.0, -45.0])
def test_steady_state_is_where_the_mod_equations_settle(v):
    """Gates and [Ca]i (CaDynamics_E2 with E_Ca by Nernst) integrated at a clamped potential."""
    held = _one_node(
        {"Ih": 8e-5, "Im": 7e-4, "Ca_HVA": 9.9e-4, "Ca_LVAst": 3.3e-3, "Ca": 4e-4, "SK_E2": 8e-3}
    )
    g, _ = open_conductances(held, np.array([v]), np.array([-85.0]), CELSIUS)
    expected = _integrate(held, v, -85.0)
    assert g[:, 0] * 1e-4 == pytest.approx(expected, rel=1e-6, abs=1e-15)


def test_held_leak_carries_the_resting_current():
    held = _one_node({"Ih": 8e-5, "Ca_HVA": 1e-3, "SK_E2": 1e-2})
    rest, ek = np.array([-70.0]), np.array([-85.0])
    g, e = held_leak(held, rest, ek, CELSIUS)
    current = held_current(held, rest, ek, CELSIUS)  # A/m^2
    assert g[0] * (rest[0] - e[0]) * 1e-3 == pytest.approx(current[0], rel=1e-12)
    assert np.all(held_current(_one_node({}), rest, ek, CELSIUS) == 0)


def test_calcium_rises_above_its_floor_with_the_inward_current():
    from tmslab.neuron.held import steady_calcium_mm

    held = _one_node({"Ca_HVA": 1e-2}, gamma=0.05, decay=80.0)
    low = steady_calcium_mm(held, np.array([0.0]), np.array([-70.0]), CELSIUS)
    high = steady_calcium_mm(held, np.array([50.0]), np.array([-70.0]), CELSIUS)
    assert low[0] == pytest.approx(1e-4) and high[0] > 1e-4


def test_distributions_are_evaluated_and_anything_else_refused():
    from tmslab.neuron.bluebrain import distribution_value

    text = "(-0.869600 + 2.087000*exp((%g-0.000000)*0.003100))*0.000080"
    assert distribution_value(text, 500.0) == pytest.approx(
        (-0.8696 + 2.087 * math.exp(500 * 0.0031)) * 8e-5
    )
    for bad in ("__import__('os').system('true')", "(%g)**2", "1 +"):
        with pytest.raises(SpecFileError, match="not one tmslab reads"):
            distribution_value(bad, 10.0)


HELD_BIOPHYSICS = BIOPHYSICS.replace(
    "\t\tinsert Ca_HVA\n",
    "\t\tinsert Ca_HVA\n\t\tinsert SK_E2\n\t\tinsert Ih\n\t\tinsert CaDynamics_E2\n",
).replace(
    "\t\tdistribute($o1.somatic,",
    '\t\tdistribute($o1.somatic,"gIhbar_Ih","(0.0 * %g + 1.0)*0.0008")\n'
    '\t\tdistribute($o1.basal,"gIhbar_Ih","(-0.8696 + 2.087*exp((%g-0.0)*0.0031))*0.0008")\n'
    '\t\tdistribute($o1.somatic,"gSK_E2bar_SK_E2","(0.0 * %g + 1.0)*0.05")\n'
    "\t\tdistribute($o1.somatic,",
    1,
)
HELD_BIOPHYSICS = HELD_BIOPHYSICS.replace(
    "\tforsec $o1.all {\n\t\tinsert pas\n",
    "\tforsec $o1.basal {\n\t\tinsert Ih\n\t}\n\tforsec $o1.all {\n\t\tinsert pas\n",
    1,
)


@pytest.fixture
def held_cell(tmp_path):
    from tmslab.neuron.models import model_from_bluebrain

    path = tmp_path / "cell"
    (path / "morphology").mkdir(parents=True)
    (path / "morphology" / "cell.asc").write_text(ASC)
    (path / "biophysics.hoc").write_text(HELD_BIOPHYSICS)
    return model_from_bluebrain(path)


def test_a_folder_with_held_channels_rests_with_them(held_cell):
    from dataclasses import replace

    from tmslab.neuron.rest import node_membranes

    model = held_cell
    assert set(model.held.present()) == {"Ih", "Ca_HVA", "SK_E2"}
    soma = int(np.flatnonzero(model.cable.has_membrane & (model.cable.branch == 0))[0])
    assert model.held.density_s_per_m2[MECHANISMS.index("Ih"), soma] == pytest.approx(8.0)
    dend = [k for k, b in enumerate(model.morphology.branches) if b.label == "dend"]
    nodes = np.flatnonzero(np.isin(model.cable.branch, dend) & model.cable.has_membrane)
    ih = model.held.density_s_per_m2[MECHANISMS.index("Ih"), nodes]
    assert np.all(np.diff(ih) > 0)  # growing with the distance from the soma
    assert any("Held at their resting state" in w for w in model.warnings)
    # Ih (E = -45 mV) depolarises the cell
    bare = replace(model, held=None)
    assert np.min(model.rest_v - bare.rest_v) > 0.5e-3
    # frozen at rest they add conductance where they are, and nothing elsewhere
    extra = node_membranes(model)["gl"] - node_membranes(model, held=False)["gl"]
    has = np.any(model.held.density_s_per_m2 > 0, axis=0) & model.cable.has_membrane
    assert np.all(extra[has] > 0) and np.all(extra[~has] == 0)


def test_neuron_and_batched_agree_with_held_channels(held_cell):
    """tmslab's NEURON solver puts the frozen conductance on each segment's leak as the batched
    solver does: the same threshold (within the 1 % of the issue) and the same rest held."""
    pytest.importorskip("neuron")
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.threshold import direction_thresholds

    drive = get_drive("monophasic", 5e-6)
    direction = np.array([[0.0, 0.0, -1.0]])
    th = {
        solver: direction_thresholds(held_cell, drive, direction, solver, 0.005).thresholds_v_per_m[
            0
        ]
        for solver in ("batched", "neuron")
    }
    assert th["neuron"] == pytest.approx(th["batched"], rel=0.01)
    from tmslab.neuron.nrn import NeuronSolver

    solver = NeuronSolver(held_cell, drive)
    run = solver.simulate(np.zeros((1, held_cell.cable.n_nodes)), np.zeros(1), keep_traces=True)
    rest = held_cell.rest_v[held_cell.record_nodes]
    assert np.max(np.abs(run.traces_v[0] - rest[:, None])) < 1e-8  # V: the rest is held


@pytest.mark.parametrize(
    ("name", "axon_na", "apical_na", "soma_sk"),
    [
        ("aberra-l5-pc", 3.137968, 0.026145, 0.008407),
        ("aberra-l23-pc", 3.429725, 0.012009, 0.099433),
    ],
)
def test_named_swc_cells_take_their_own_nemo_tms_densities(name, axon_na, apical_na, soma_sk):
    """NeMo-TMS's Aberra_L5_model.m and Aberra_L23_model.m differ (the L2/3 cell has its own axon
    set): each named cell takes its script's numbers, Na and K integrated, the rest held."""
    from tmslab.neuron.models import _nemo_biophysics, model_from_swc
    from tmslab.units import S_PER_CM2

    from .test_aberra_cells import FIXTURE

    morphology, cable, held, text = _nemo_biophysics(
        model_from_swc(FIXTURE, membrane="aberra"), name
    )
    by_label = {b.label: b.membrane for b in morphology.branches}
    assert by_label["node"].g_na_s_per_m2 == pytest.approx(2 * axon_na * S_PER_CM2)
    assert by_label["unmyelinated"].g_na_s_per_m2 == pytest.approx(axon_na * S_PER_CM2)
    assert by_label["apic"].channels == "ctx-soma"
    assert by_label["apic"].g_na_s_per_m2 == pytest.approx(apical_na * S_PER_CM2)
    assert by_label["myelin"].cm_f_per_m2 == pytest.approx(0.0002)
    soma = int(np.flatnonzero(cable.has_membrane & (cable.branch == 0))[0])
    assert held.density_s_per_m2[MECHANISMS.index("SK_E2"), soma] == pytest.approx(soma_sk * 1e4)
    axon_nodes = [k for k, b in enumerate(morphology.branches) if b.label in ("node", "myelin")]
    on_axon = np.isin(cable.branch, axon_nodes)
    assert not np.any(held.density_s_per_m2[:, on_axon])  # nodes and internodes hold none
    assert "held at their resting state" in text


def test_a_reversal_tmslab_has_to_assume_is_said(tmp_path):
    """Calcium channels without CaDynamics_E2, or Im/SK_E2 without an ek, are flagged."""
    from tmslab.neuron.bluebrain import read_cell_folder

    path = tmp_path / "cell"
    (path / "morphology").mkdir(parents=True)
    (path / "morphology" / "cell.asc").write_text(ASC)
    (path / "biophysics.hoc").write_text(BIOPHYSICS)  # somatic Ca_HVA, no CaDynamics_E2
    assert any("without CaDynamics_E2" in w for w in read_cell_folder(path).warnings)
    (path / "biophysics.hoc").write_text(HELD_BIOPHYSICS)  # with it; SK_E2 and no ek
    warnings = read_cell_folder(path).warnings
    assert not any("without CaDynamics_E2" in w for w in warnings)
    assert any("sets no ek" in w for w in warnings)
