"""Sweep tasks go to Dask in small batches; a failing task does not take its batch with it."""

from __future__ import annotations

import pytest

from tmslab.errors import InvalidValueError
from tmslab.sweeps import runner


@pytest.mark.parametrize(
    "n_tasks, n_workers, size",
    [(1, 1, 1), (3, 2, 1), (24, 2, 3), (100, 1, 8), (100, 2, 8), (1000, 0, 8), (16, 4, 1)],
)
def test_batch_size(n_tasks, n_workers, size):
    assert runner.batch_size(n_tasks, n_workers) == size


def test_every_worker_gets_several_batches():
    for n_tasks in range(1, 300):
        for n_workers in (1, 2, 3, 8):
            size = runner.batch_size(n_tasks, n_workers)
            assert 1 <= size <= runner.MAX_BATCH
            batches = -(-n_tasks // size)
            assert batches >= min(n_tasks, runner.BATCHES_PER_WORKER * n_workers)


def test_a_failing_task_is_reported_alone(monkeypatch):
    def fake(mapping):
        if mapping["n"] == 1:
            raise InvalidValueError("task 1 is bad")
        return {"n": mapping["n"]}

    monkeypatch.setattr(runner, "run_task", fake)
    out = runner._timed_batch([{"n": 0}, {"n": 1}, {"n": 2}])
    assert [o for o, _ in out][0::2] == [{"n": 0}, {"n": 2}]
    assert isinstance(out[1][0], InvalidValueError) and "task 1" in str(out[1][0])
    assert all(elapsed >= 0 for _, elapsed in out)
