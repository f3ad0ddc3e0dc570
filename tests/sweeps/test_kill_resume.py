"""Kill a running sweep with SIGKILL, run it again: every task stored exactly once, finished
results untouched, and the second run runs only the missing tasks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tmslab.sweeps import SweepStore, load_results, load_sweep_spec

# 12 tasks of a dish scenario with the Shouval model on 8000-pulse trains: ~0.2-1 s each, so
# the sweep is still running when a few tasks are stored.
SPEC = """
[sweep]
name = "kill test"
outputs = ["plasticity.relative_weight", "protocol.duration_s"]
[sweep.parameters]
"protocol.frequency_hz" = { start = 5, stop = 60, num = 12 }

[scenario]
[scenario.protocol]
kind = "rtms"
frequency_hz = 10
pulses_per_train = 8000
[scenario.subject]
species = "dish"
[scenario.plasticity]
model = "shouval"
"""


def _sweep(spec: Path, store: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "tmslab", "sweep", str(spec), "--out", str(store), *extra]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the Dask workers die with it
        env=env,
    )


def _snapshot(store: Path) -> dict[str, bytes]:
    tasks = store / "tasks"
    if not tasks.is_dir():
        return {}
    return {
        entry.name: (entry / "zarr.json").read_bytes()
        for entry in tasks.iterdir()
        if (entry / "zarr.json").is_file()
    }


@pytest.mark.slow
def test_killed_sweep_resumes_without_loss_or_duplicates(tmp_path):
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(SPEC, encoding="utf-8")
    store = tmp_path / "store.zarr"
    n_tasks = load_sweep_spec(spec_path).n_tasks

    first = _sweep(spec_path, store, "--workers", "1")
    try:
        deadline = time.monotonic() + 120
        while len(_snapshot(store)) < 3:
            assert first.poll() is None, f"the sweep ended early: {first.communicate()}"
            assert time.monotonic() < deadline, "no task finished in time"
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        first.communicate()
    assert first.returncode == -signal.SIGKILL

    before = _snapshot(store)
    assert 3 <= len(before) < n_tasks, "kill the sweep while tasks remain"
    for content in before.values():  # whatever was stored is whole
        assert json.loads(content)["attributes"]["results"]

    partial = load_results(store)  # a killed sweep's store reads as it is
    assert int(partial["done"].sum()) == len(before) == partial.attrs["n_done"]
    weights = partial["plasticity.relative_weight"].values
    assert np.isnan(weights[~partial["done"].values]).all()
    assert not np.isnan(weights[partial["done"].values]).any()

    second = _sweep(spec_path, store, "--workers", "1", "--json")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    record = json.loads(out)
    assert record["n_already_done"] == len(before)
    assert record["n_ran"] == n_tasks - len(before)

    after = _snapshot(store)
    assert len(after) == n_tasks  # each task once (one group per task id)
    for tid, content in before.items():
        assert after[tid] == content  # finished results untouched, bitwise
    assert not any((store / ".partial").iterdir())
    ids = [json.loads(c)["attributes"]["id"] for c in after.values()]
    assert sorted(ids) == sorted(after)

    ds = load_results(store)
    assert bool(ds["done"].all())
    assert SweepStore.open(store).done_ids() == set(after)
    assert ds["plasticity.relative_weight"].notnull().all()
