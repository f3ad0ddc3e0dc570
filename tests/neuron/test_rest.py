"""The resting state (tmslab.neuron.rest): uniform where every membrane takes its leak from the
cell's v_rest, the steady state where membranes keep their own e_pas (Aberra et al.'s cells).

Checked against NEURON's own steady state, reached as Aberra et al. reach it
(TMSsim_Aberra2019 ``nrn/ssprocinit.hoc``: fully implicit steps of 1e9 ms from t = -1e11 ms), and
against the batched solver left alone for its whole window (an exact rest does not drift).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.neuron.membranes import ABERRA_DENDRITE, ABERRA_E_PAS_V, leak_reversal_in_cell
from tmslab.neuron.models import get_model, model_from_swc
from tmslab.neuron.rest import resting_potentials, uniform_rest
from tmslab.units import MV, MV_PER_V

FIXTURE = Path(__file__).parent / "data" / "nemo_synthetic_pyramidal.swc"


@pytest.fixture(scope="module")
def aberra_cell():
    return model_from_swc(FIXTURE, membrane="aberra")


def test_cells_without_own_leak_rest_uniformly_at_v_rest():
    for name in ("axon-straight", "mrg-axon", "l5-pyramidal"):
        model = get_model(name)
        assert uniform_rest(model)
        np.testing.assert_array_equal(model.rest_v, np.full(model.cable.n_nodes, model.v_rest_v))


def test_aberra_cell_rests_between_its_e_pas_and_the_axons_own_rest(aberra_cell):
    """Passive dendrites pull toward e_pas (-75 mV), the axon's persistent K current toward
    -80.86 mV (its own rest); nowhere lies outside (the Na window is above)."""
    rest_mv = aberra_cell.rest_v * MV_PER_V
    assert not uniform_rest(aberra_cell)
    labels = np.array([aberra_cell.morphology.branches[b].label for b in aberra_cell.cable.branch])
    assert np.all(rest_mv > -80.87) and np.all(rest_mv < -74.99)
    assert np.ptp(rest_mv) > 0.1  # not uniform
    assert rest_mv[labels == "apic"].mean() > rest_mv[labels == "node"].mean()


def test_rest_balances_every_compartment(aberra_cell):
    """At the rest the steady-state ionic current of each compartment and the axial currents to
    its neighbours sum to zero."""
    from tmslab.neuron.rest import _steady_currents, node_membranes
    from tmslab.units import MICROSIEMENS_PER_S

    cable = aberra_cell.cable
    p = node_membranes(aberra_cell)
    v = aberra_cell.rest_v * MV_PER_V
    current, slope = np.empty_like(v), np.empty_like(v)
    keys = ("gl", "gna", "gk", "gnap", "gkp", "gkt", "el", "ena", "ek")
    _steady_currents(v, p["kind"], aberra_cell.celsius, *(p[k] for k in keys), current, slope)
    g = cable.g_axial_s * MICROSIEMENS_PER_S
    axial = np.zeros_like(v)
    flow = g[1:] * (v[1:] - v[cable.parent[1:]])  # nA from each child to its parent
    np.add.at(axial, np.arange(1, len(v)), flow)
    np.add.at(axial, cable.parent[1:], -flow)
    scale = np.max(np.abs(flow))
    assert np.max(np.abs(current + axial)) < 1e-9 * max(scale, 1.0)


def test_placing_a_cell_keeps_its_rest(aberra_cell):
    rotation = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    moved = aberra_cell.placed(rotation, np.array([0.01, 0.0, 0.0]))
    np.testing.assert_array_equal(moved.rest_v, aberra_cell.rest_v)
    np.testing.assert_allclose(resting_potentials(moved), aberra_cell.rest_v, atol=1e-12)


def test_own_leak_is_kept_and_without_it_the_cells_rest_sets_it():
    assert leak_reversal_in_cell(ABERRA_DENDRITE, -0.070, 37.0) == ABERRA_E_PAS_V
    plain = replace(ABERRA_DENDRITE, e_leak_v=None)
    assert leak_reversal_in_cell(plain, -0.070, 37.0) == pytest.approx(-0.070)


def test_batched_solver_stays_at_rest_without_a_field(aberra_cell):
    from tmslab.neuron.batched import BatchedSolver
    from tmslab.neuron.drive import get_drive

    solver = BatchedSolver(aberra_cell, get_drive("monophasic", 2.5e-6))
    profile = np.zeros((1, aberra_cell.cable.n_nodes))
    result = solver.simulate(profile, np.ones(1), stop_on_spike=False, keep_traces=True)
    start = aberra_cell.rest_v[aberra_cell.record_nodes]
    drift = np.max(np.abs(result.traces_v[0] - start[:, None]))
    assert not result.fired[0]
    assert drift < 1e-4 * MV  # gate tables interpolate the rates: 0.1 uV


def test_a_leak_in_the_na_window_has_no_rest_and_says_why(aberra_cell):
    """A strong dendritic leak reversing at +20 mV holds the cell above its Na threshold: Newton
    finds no rest near v_rest and says why, in one line."""
    from tmslab.neuron.morphology import Morphology

    hot = replace(ABERRA_DENDRITE, e_leak_v=20.0 * MV, g_leak_s_per_m2=1e3)
    branches = tuple(
        replace(b, membrane=hot) if b.label in ("apic", "dend") else b
        for b in aberra_cell.morphology.branches
    )
    broken = replace(aberra_cell, morphology=Morphology(branches, "hot"))
    with pytest.raises(InvalidValueError, match=r"no resting state.*e_leak_v"):
        resting_potentials(broken)


@pytest.mark.neuron
def test_rest_is_neurons_steady_state_as_aberra_reach_it(aberra_cell):
    """NEURON with tmslab's mechanisms, stepped as nrn/ssprocinit.hoc steps (dt 1e9 ms from
    -1e11 ms, fully implicit), settles where tmslab's Newton solve says, to 1e-5 mV."""
    from tmslab.neuron import nrn
    from tmslab.neuron.drive import get_drive

    solver = nrn.NeuronSolver(aberra_cell, get_drive("monophasic", 2.5e-6))
    h = nrn.h
    h.CVode().active(0)
    h.secondorder = 0
    h.celsius = aberra_cell.celsius
    h.finitialize(aberra_cell.v_rest_v * MV_PER_V)
    h.t, h.dt = -1e11, 1e9
    while h.t < -h.dt:
        h.fadvance()
    settled = np.array([seg.v for seg in solver._segments])
    expected = aberra_cell.rest_v[solver._nodes] * MV_PER_V
    assert np.max(np.abs(settled - expected)) < 1e-5


@pytest.mark.neuron
def test_neuron_solver_starts_from_the_rest_and_stays(aberra_cell):
    from tmslab.neuron import nrn
    from tmslab.neuron.drive import get_drive

    solver = nrn.NeuronSolver(aberra_cell, get_drive("monophasic", 2.5e-6))
    traces = solver._run_one(np.zeros(aberra_cell.cable.n_nodes))
    start = aberra_cell.rest_v[aberra_cell.record_nodes] * MV_PER_V
    assert np.max(np.abs(traces - start[:, None])) < 1e-6
