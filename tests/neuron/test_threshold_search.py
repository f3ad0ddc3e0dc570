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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(1e-2, 5e3), min_size=1, max_size=8),
    st.lists(st.floats(0.05, 20.0), min_size=8, max_size=8),
)
def test_per_run_guesses_with_a_small_step_find_the_same_bracket(thresholds, off):
    """Guesses per run and a 5 % first step (squared after each miss) end on the same 0.5 %
    bracket as the plain search, however far off the guesses are (x0.05 to x20 here)."""
    true = np.array(thresholds)
    guesses = true * np.array(off[: len(true)])
    found = bisect_thresholds(_runner(true), len(true), guesses, 0.005, step=1.05)
    assert np.all(found.thresholds >= true) and np.all(found.lower < true)
    assert np.all(found.thresholds - found.lower <= 0.005 * found.thresholds)


def test_good_guesses_save_runs():
    true = np.geomspace(50.0, 500.0, 40)
    plain = bisect_thresholds(_runner(true), 40, 200.0, 0.005)
    near = bisect_thresholds(_runner(true), 40, true * 1.03, 0.005, step=1.05)
    assert near.n_simulations < 0.75 * plain.n_simulations
    np.testing.assert_allclose(near.thresholds, plain.thresholds, rtol=0.005)


@pytest.mark.parametrize("bad", [{"step": 1.0}, {"guess": [1.0, -1.0]}])
def test_bad_steps_and_guesses_are_refused(bad):
    from tmslab.errors import InvalidValueError

    options = {"guess": [1.0, 2.0], **bad}
    with pytest.raises(InvalidValueError):
        bisect_thresholds(_runner(np.ones(2)), 2, options.pop("guess"), 0.005, **options)


def test_the_floor_is_a_millionth_of_the_guess():
    """A run that fires at every amplitude stops halving below guess * 1e-6, as always."""
    always = lambda idx, amps: (np.ones(len(idx), bool), np.full(len(idx), 1e-3), idx)  # noqa: E731
    found = bisect_thresholds(always, 1, 300.0, 0.005)
    given = bisect_thresholds(always, 1, 300.0, 0.005, min_amplitude=300.0 * 1e-6)
    assert found.n_simulations == given.n_simulations == 20  # 300 / 2^19 > 3e-4 > 300 / 2^20
