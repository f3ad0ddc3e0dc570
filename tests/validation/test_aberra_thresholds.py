"""Aberra et al. cells against the published thresholds (issue 17).

Needs NeMo-TMS's ``Aberra_human_L5.swc`` and ``Aberra_human_L23.swc`` (not shipped, GPL-3; see
:mod:`tmslab.neuron.aberra`) in ``$TMSLAB_MORPHOLOGIES``; skipped without them.

Published values:
- Aberra AS, Wang B, Grill WM, Peterchev AV (2020), Brain Stimul 13:175, doi
  10.1016/j.brs.2019.10.002: L5 pyramidal cells have the lowest thresholds of the five cell types;
  monophasic MagPro pulse, lowest 184 V/m and median over directions 248 V/m.
- Aberra AS, Peterchev AV, Grill WM (2018), J Neural Eng 15:066023, doi 10.1088/1741-2552/aadbb1:
  for every form of stimulation the lowest-threshold elements are axon (collateral) terminals.
- Weise K et al. (2025), Brain Stimul 18:280, doi 10.1016/j.brs.2025.02.007: conventionally
  simulated cortical neuron thresholds 175-350 V/m.

The table in docs/validation-neurons.md comes from ``python tools/validate_neurons.py
--write-docs`` (50 directions); these tests use 26 directions.
"""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.neuron.aberra import available

pytestmark = pytest.mark.skipif(
    not {"aberra-l5-pc", "aberra-l23-pc"} <= set(available()),
    reason="NeMo-TMS Aberra_human_L5.swc / Aberra_human_L23.swc not in $TMSLAB_MORPHOLOGIES",
)
N_DIRECTIONS = 26


@pytest.fixture(scope="module")
def thresholds():
    from tmslab.neuron.directions import fibonacci_sphere
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    directions = fibonacci_sphere(N_DIRECTIONS)
    drive = get_drive("monophasic", 2.5e-6)
    out = {}
    for name in ("aberra-l5-pc", "aberra-l23-pc"):
        model = get_model(name)
        got = direction_thresholds(model, drive, directions, "batched", 0.005)
        out[name] = (model, got)
    return out


@pytest.mark.slow
def test_l5_thresholds_within_20_percent_of_aberra_2020(thresholds):
    _, got = thresholds["aberra-l5-pc"]
    th = got.thresholds_v_per_m
    assert np.all(np.isfinite(th))
    assert np.min(th) == pytest.approx(184.0, rel=0.2)
    assert np.median(th) == pytest.approx(248.0, rel=0.2)


@pytest.mark.slow
def test_l23_thresholds_in_the_simulated_cortical_range(thresholds):
    _, got = thresholds["aberra-l23-pc"]
    th = got.thresholds_v_per_m
    assert np.all(np.isfinite(th))
    assert 175.0 * 0.8 <= np.min(th) and np.median(th) <= 350.0 * 1.2


@pytest.mark.slow
def test_l5_has_lower_thresholds_than_l23(thresholds):
    l5 = thresholds["aberra-l5-pc"][1].thresholds_v_per_m
    l23 = thresholds["aberra-l23-pc"][1].thresholds_v_per_m
    assert np.min(l5) < np.min(l23) and np.median(l5) < np.median(l23)


@pytest.mark.slow
def test_action_potentials_start_at_axon_terminals(thresholds):
    for model, got in thresholds.values():
        branches = model.morphology.branches
        for node in got.initiation_node:
            b = int(model.cable.branch[node])
            assert branches[b].label in ("node", "unmyelinated")
            assert not any(other.parent == b for other in branches)  # a terminal


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="open discrepancy: tmslab's aberra-l5-pc gives tau 71 us (terminal nodes, NaTa_t at "
    "37 degC), below the 100-300 us measured in human motor cortex",
)
def test_l5_strength_duration_time_constant_in_the_human_range(thresholds):
    from tmslab.neuron.sd_curve import strength_duration

    model, got = thresholds["aberra-l5-pc"]
    best = got.directions[int(np.argmin(got.thresholds_v_per_m))]
    sd = strength_duration(model, best, [30e-6, 60e-6, 120e-6], 2.5e-6, "batched", 0.005)
    assert 100e-6 <= sd.tau_s <= 300e-6


@pytest.mark.slow
@pytest.mark.neuron
def test_neuron_and_batched_agree_on_the_l5_cell():
    """One direction, both solvers, same bisection: within 1 % (measured: 156.45 V/m both)."""
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    model = get_model("aberra-l5-pc")
    drive = get_drive("monophasic", 2.5e-6)
    down = np.array([[0.0, -1.0, 0.0]])
    a, b = (
        direction_thresholds(model, drive, down, s, 0.005).thresholds_v_per_m[0]
        for s in ("neuron", "batched")
    )
    assert a == pytest.approx(b, rel=0.01)
