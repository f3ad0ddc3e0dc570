"""The threshold search: lookahead rounds decide on the same amplitudes as plain bisection.

Reference: plain bisection (``batch=1``) on runs with known thresholds; the lookahead variant
(several bisection levels per call of ``run``) must return the same thresholds, bit for bit,
because it follows the path the plain search takes through the same midpoints.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.neuron.threshold import _lookahead, bisect_thresholds


def _runner(true_thresholds, log=None):
    def run(idx, amps):
        if log is not None:
            log.append(len(idx))
        fired = amps >= true_thresholds[idx]
        return fired, np.where(fired, 1e-3 * amps, np.nan), np.where(fired, idx, -1)

    return run


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(1e-4, 5e4), st.just(np.inf)), min_size=1, max_size=6),
    st.sampled_from([1, 3, 7, 15, 40]),
    st.floats(0.3, 3.0),
)
def test_lookahead_matches_plain_bisection(thresholds, batch, guess):
    true = np.asarray(thresholds)
    plain = bisect_thresholds(_runner(true), len(true), guess)
    ahead = bisect_thresholds(_runner(true), len(true), guess, batch=batch)
    np.testing.assert_array_equal(ahead.thresholds, plain.thresholds)
    np.testing.assert_array_equal(ahead.lower, plain.lower)
    np.testing.assert_array_equal(ahead.spike_time_s, plain.spike_time_s)
    np.testing.assert_array_equal(ahead.initiation_node, plain.initiation_node)


def test_lookahead_takes_fewer_rounds():
    true = np.array([0.731])
    plain, ahead = [], []
    bisect_thresholds(_runner(true, plain), 1, 1.0)
    bisect_thresholds(_runner(true, ahead), 1, 1.0, batch=15)
    assert len(ahead) < len(plain) / 2  # 8 bisection levels in 2 rounds of 15 instead of 8
    assert max(ahead) <= 15


@pytest.mark.parametrize(
    ("n", "batch", "levels"),
    [(1, 1, 1), (1, 15, 4), (2, 15, 3), (3, 15, 2), (8, 15, 1), (0, 15, 1)],
)
def test_lookahead_depth_fits_the_batch(n, batch, levels):
    assert _lookahead(n, batch) == levels


def test_threaded_chunks_give_the_serial_result():
    # The batched kernel's chunks on two threads against one thread: identical spikes.
    from tmslab.neuron.activation import as_drive
    from tmslab.neuron.batched import BatchedSolver
    from tmslab.neuron.coupling import uniform_quasipotential
    from tmslab.neuron.models import get_model

    model = get_model("mrg-axon")
    drive = as_drive("magpro-x100:biphasic")
    directions = np.random.default_rng(1).normal(size=(70, 3))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    profiles = uniform_quasipotential(model.cable.position_m, directions)
    amps = np.linspace(50.0, 400.0, 70)
    one = BatchedSolver(model, drive, threads=1).simulate(profiles, amps)
    two = BatchedSolver(model, drive, threads=2).simulate(profiles, amps)
    assert 0 < one.fired.sum() < 70
    np.testing.assert_array_equal(one.fired, two.fired)
    np.testing.assert_array_equal(one.spike_time_s, two.spike_time_s)
    np.testing.assert_array_equal(one.initiation_node, two.initiation_node)
