"""Parameter sweeps: pure tasks, a Dask runner and a resumable Zarr result store.

>>> from tmslab.sweeps import load_sweep_spec, run_sweep, load_results
>>> spec = load_sweep_spec("examples/sweeps/quickstart-intensity-angle.toml")  # doctest: +SKIP
>>> run_sweep(spec, "sweep.zarr", workers=2)                                   # doctest: +SKIP
>>> load_results("sweep.zarr")["field.target.efield_v_per_m"]                  # doctest: +SKIP

A spec varies scenario fields (dotted paths such as ``coil.handle_angle_deg``) over lists or
ranges, as a grid or zipped (:mod:`tmslab.sweeps.spec`). Each task is one scenario, run by
:func:`run_task` and identified by a hash of its parameter values (:mod:`tmslab.sweeps.tasks`).
:func:`run_sweep` runs the tasks a store lacks on a Dask LocalCluster, an existing scheduler
or in-process, writing each result as it finishes (:mod:`tmslab.sweeps.runner`); the store
layout and why a killed sweep loses nothing are in :mod:`tmslab.sweeps.store`.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DEFAULT_OUTPUTS",
    "Series",
    "SweepRun",
    "SweepSpec",
    "SweepStore",
    "SweepSummary",
    "SweepTaskError",
    "Task",
    "dask_client",
    "expand_tasks",
    "figure_series",
    "load_results",
    "load_sweep_spec",
    "run_sweep",
    "run_task",
    "summarize",
    "sweep_spec_from_mapping",
    "task_id",
]

_LAZY = {
    "SweepSpec": "tmslab.sweeps.spec",
    "SweepTaskError": "tmslab.sweeps.spec",
    "load_sweep_spec": "tmslab.sweeps.spec",
    "sweep_spec_from_mapping": "tmslab.sweeps.spec",
    "DEFAULT_OUTPUTS": "tmslab.sweeps.tasks",
    "Task": "tmslab.sweeps.tasks",
    "expand_tasks": "tmslab.sweeps.tasks",
    "run_task": "tmslab.sweeps.tasks",
    "task_id": "tmslab.sweeps.tasks",
    "SweepStore": "tmslab.sweeps.store",
    "load_results": "tmslab.sweeps.store",
    "SweepRun": "tmslab.sweeps.runner",
    "dask_client": "tmslab.sweeps.runner",
    "run_sweep": "tmslab.sweeps.runner",
    "Series": "tmslab.sweeps.summary",
    "SweepSummary": "tmslab.sweeps.summary",
    "figure_series": "tmslab.sweeps.summary",
    "summarize": "tmslab.sweeps.summary",
}


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tmslab.sweeps' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
