"""Sweep tasks: one scenario each, identified by the content of its parameter values.

:func:`expand_tasks` turns a :class:`~tmslab.sweeps.spec.SweepSpec` into tasks and validates
every task's scenario before any work starts. :func:`run_task` is the pure function a worker
runs: scenario mapping in, flat scalar results out (no files, no figures, no printing).
"""

from __future__ import annotations

import copy
import difflib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.provenance import spec_hash, to_jsonable

# check_output_sections and section_keys live in spec (it validates outputs); re-exported here.
from tmslab.sweeps.spec import (
    SweepSpec,
    SweepTaskError,
    check_output_sections,
    describe_parameters,
    section_keys,
    set_path,
)

Value = float | int | bool | str | None

#: Outputs shown and loaded when a spec names none (those the scenario produces).
DEFAULT_OUTPUTS: tuple[str, ...] = (
    "stimulator.intensity.pct_mso",
    "stimulator.intensity.didt_a_per_s",
    "safety.within_limits",
    "field.target.efield_v_per_m",
    "field.metrics.emax",
    "field.metrics.d_half",
    "plasticity.relative_weight",
    "plasticity.verdict",
)


@dataclass(frozen=True)
class Task:
    """One point of a sweep.

    id: 16 hex digits of the SHA-256 of the canonical parameter values (stable across runs
        and independent of the task's position, so resuming matches tasks by content).
    index: position in the spec's order (grid: last parameter fastest).
    parameters: swept path -> value for this task.
    mapping: the full scenario mapping (base with the parameters set).
    """

    id: str
    index: int
    parameters: dict[str, Any]
    mapping: dict[str, Any]


def task_id(parameters: dict[str, Any]) -> str:
    """Stable id of a task from its parameter values (key order does not matter)."""
    return spec_hash(parameters)[:16]


def expand_tasks(spec: SweepSpec, validate: bool = True) -> list[Task]:
    """Every task of ``spec`` in order; with ``validate`` each task's scenario is built first.

    Raises SweepTaskError naming the task's parameter values and the bad key when a
    combination does not make a valid scenario (nothing has run yet).
    """
    from tmslab.scenario import scenario_from_mapping

    keys = list(spec.parameters)
    columns = list(spec.parameters.values())
    rows: Iterable[tuple[Any, ...]] = (
        itertools.product(*columns) if spec.mode == "grid" else zip(*columns, strict=True)
    )
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        parameters = dict(zip(keys, row, strict=True))
        mapping = copy.deepcopy(spec.base)
        for key, value in parameters.items():
            set_path(mapping, key, value)
        tid = task_id(parameters)
        if tid in seen:
            raise InvalidValueError(
                f"sweep: tasks {seen[tid] + 1} and {index + 1} are the same "
                f"({describe_parameters(parameters)}); remove the repeated zip row"
            )
        seen[tid] = index
        if validate:
            try:
                scenario_from_mapping(mapping, where="scenario")
            except TmslabError as error:
                raise SweepTaskError(
                    f"sweep task {index + 1} of {spec.n_tasks} "
                    f"({describe_parameters(parameters)}): {error}"
                ) from None
        tasks.append(Task(id=tid, index=index, parameters=parameters, mapping=mapping))
    return tasks


def run_task(mapping: dict[str, Any], outputs: Sequence[str] | None = None) -> dict[str, Value]:
    """Run one scenario and return its scalar results.

    mapping: a scenario mapping (as a parsed scenario TOML file).
    outputs: dotted paths into the sections' data (e.g. ``"field.target.efield_v_per_m"``);
        None returns every scalar leaf (numbers, booleans, strings; arrays and lists left out).
    Returns {path: value}; a path the run did not produce maps to None. Values are plain
    Python (float/int/bool/str/None, SI units as the key names). Pure: no files, no figures.
    """
    from tmslab.scenario import scenario_from_mapping
    from tmslab.stages import run_scenario

    scenario = scenario_from_mapping(mapping, where="scenario")
    result = run_scenario(scenario)
    flat = flatten_sections({key: section.data for key, section in result.sections.items()})
    if outputs is None:
        return flat
    return {path: flat.get(path) for path in outputs}


def flatten_sections(sections: dict[str, Any]) -> dict[str, Value]:
    """{"field": {"target": {"efield_v_per_m": 1.0}}} -> {"field.target.efield_v_per_m": 1.0}.

    Keeps scalar leaves only (numbers, booleans, strings, None); NumPy scalars become Python
    numbers, NaN becomes None. Lists and arrays are left out.
    """
    flat: dict[str, Value] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{prefix}.{key}" if prefix else str(key))
            return
        if hasattr(value, "ndim") and getattr(value, "ndim", 1) == 0:
            value = value.item()
        if value is None or isinstance(value, bool | int | float | str):
            flat[prefix] = to_jsonable(value)

    walk(sections, "")
    return flat


def check_outputs(outputs: Iterable[str], result: dict[str, Value]) -> list[str]:
    """Check output paths against one task's full result; returns the paths left undecided.

    A path the result has is fine. A path it lacks is unknown (InvalidValueError naming it
    and the nearest known paths), unless the section reports ``computed = False`` (the stage
    did not run its model for this task, e.g. no E-field in a dish): those paths are returned,
    to be checked against a later task.
    """
    undecided = []
    for path in outputs:
        if path in result:
            continue
        section = path.split(".")[0]
        if result.get(f"{section}.computed") is False:
            undecided.append(path)
            continue
        close = difflib.get_close_matches(path, list(result), n=3, cutoff=0.5)
        if not close:
            close = [k for k in result if k.startswith(section + ".")][:6]
        raise InvalidValueError(
            f"sweep.outputs: unknown output {path!r}; known outputs include: {', '.join(close)}"
        )
    return undecided


def default_outputs(known: Iterable[str]) -> list[str]:
    """:data:`DEFAULT_OUTPUTS` that are among the ``known`` result paths."""
    known = set(known)
    return [path for path in DEFAULT_OUTPUTS if path in known]


__all__ = [
    "DEFAULT_OUTPUTS",
    "SweepTaskError",
    "Task",
    "check_output_sections",
    "check_outputs",
    "default_outputs",
    "expand_tasks",
    "flatten_sections",
    "run_task",
    "section_keys",
    "task_id",
]
