"""Sweep specifications: a base scenario, the scenario fields to vary, and how to combine them.

A sweep spec is a TOML file::

    [sweep]
    name = "intensity x handle angle"            # optional
    base = "../quickstart.toml"                  # a scenario file, relative to this spec
    mode = "grid"                                # grid (cartesian product) or zip
    outputs = ["field.target.efield_v_per_m"]    # optional; dotted paths into section data

    [sweep.parameters]
    "stimulator.intensity_pct_mt" = [80, 100, 120]
    "protocol.frequency_hz" = { start = 1, stop = 20, num = 5 }   # linspace, both ends included
    "coil.handle_angle_deg" = { start = 0, stop = 90, step = 45 }  # 0, 45, 90

Instead of ``base`` the scenario may be given inline as a top-level ``[scenario]`` table (with
``[scenario.protocol]``, ``[scenario.coil]`` ...). A parameter is a dotted path to a scenario
field: ``section.field`` for the validated sections (``stimulator``, ``coil``, ``subject``,
``target``, ``plasticity``), ``protocol.FIELD`` or ``protocol.course.FIELD`` for the fields
the protocol's kind accepts, or a top-level ``name``/``description``.

Everything is validated here, before any work starts: unknown keys, unknown parameter paths,
ranges, list lengths in zip mode, and every expanded task's scenario (see
:func:`expand_tasks`). Errors are one line naming the key (and value) at fault.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from tmslab.errors import InvalidValueError, SpecFileError, TmslabError, UnknownNameError
from tmslab.provenance import spec_hash, to_jsonable

Mode = Literal["grid", "zip"]
MODES = ("grid", "zip")
INTENSITY_FIELDS = (
    "intensity_pct_mt",
    "intensity_pct_mso",
    "intensity_didt_a_per_us",
    "intensity_t",
)
MAX_TASKS = 100_000  # guards memory and the scheduler against a typo in a range
_SPEC_KEYS = ("sweep", "scenario")
_SWEEP_KEYS = ("name", "description", "base", "mode", "outputs", "parameters")
_RANGE_KEYS = ("start", "stop", "num", "step")

Scalar = str | int | float | bool


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep.

    base: the base scenario mapping (as a parsed scenario TOML file).
    parameters: dotted scenario path -> the values it takes, in order (lists and ranges
        expanded; numbers in the units the scenario field names, e.g. ``_mm``, ``_hz``).
    mode: "grid" (every combination; tasks ordered with the last parameter varying fastest)
        or "zip" (the i-th task takes the i-th value of every parameter).
    outputs: dotted paths into the results' section data to show and load by default, or
        None for :data:`tmslab.sweeps.tasks.DEFAULT_OUTPUTS` (those the scenario produces).
    """

    base: dict[str, Any]
    parameters: dict[str, tuple[Scalar, ...]]
    mode: Mode = "grid"
    outputs: tuple[str, ...] | None = None
    name: str = "sweep"
    description: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape (one axis per parameter), or ``(n_tasks,)`` in zip mode."""
        sizes = tuple(len(values) for values in self.parameters.values())
        if self.mode == "zip":
            return (sizes[0],)
        return sizes

    @property
    def n_tasks(self) -> int:
        return math.prod(self.shape)

    def task_defining(self) -> dict[str, Any]:
        """What determines the tasks and their results: base scenario, mode and parameters."""
        return to_jsonable(
            {
                "base": self.base,
                "mode": self.mode,
                "parameters": {k: list(v) for k, v in self.parameters.items()},
            }
        )

    @property
    def tasks_sha256(self) -> str:
        """Hash of :meth:`task_defining`: a store is resumable only by a spec with the same."""
        return spec_hash(self.task_defining())

    def to_dict(self) -> dict[str, Any]:
        """The full, resolved spec (base inlined), JSON-able: what provenance records."""
        return {
            "name": self.name,
            "description": self.description,
            **self.task_defining(),
            "outputs": None if self.outputs is None else list(self.outputs),
        }


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec TOML file (``base`` is resolved relative to it)."""
    from tmslab.io.toml import read_toml

    path = Path(path)
    if path.is_dir():
        raise SpecFileError(f"{path} is a directory; give a sweep spec .toml file")
    spec = sweep_spec_from_mapping(read_toml(path), where=path.name, root=path.parent)
    object.__setattr__(spec, "path", path)
    return spec


def sweep_spec_from_mapping(
    data: dict[str, Any], where: str = "sweep spec", root: str | Path = "."
) -> SweepSpec:
    """Validate a parsed sweep spec; ``root`` is the folder ``base`` paths are relative to.

    Raises InvalidValueError / SpecFileError with a one-line message naming the key.
    """
    if not isinstance(data, dict):
        raise InvalidValueError(f"{where}: a sweep spec must be a table, got {data!r}")
    _no_unknown(data, _SPEC_KEYS, where, "section")
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        raise InvalidValueError(
            f"{where}: the [sweep] section is missing; add [sweep] with base = SCENARIO.toml "
            "and a [sweep.parameters] table"
        )
    _no_unknown(sweep, _SWEEP_KEYS, f"{where}: [sweep]", "key")
    base = _base_mapping(data, sweep, where, Path(root))
    mode = sweep.get("mode", "grid")
    if mode not in MODES:
        raise InvalidValueError(f"{where}: sweep.mode = {mode!r} is not allowed; use grid or zip")
    raw_parameters = sweep.get("parameters")
    if not isinstance(raw_parameters, dict) or not raw_parameters:
        raise InvalidValueError(
            f'{where}: [sweep.parameters] is missing or empty; add e.g. "coil.distance_mm" = [0, 5]'
        )
    parameters = {
        str(key): _values(key, value, f"{where}: sweep.parameters")
        for key, value in raw_parameters.items()
    }
    for key in parameters:
        check_parameter_path(key, base, parameters, where=f"{where}: sweep.parameters")
    if mode == "zip":
        lengths = {key: len(values) for key, values in parameters.items()}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k} has {n}" for k, n in lengths.items())
            raise InvalidValueError(
                f"{where}: mode = 'zip' needs lists of one length, but {shown} values"
            )
    outputs = sweep.get("outputs")
    if outputs is not None:
        if (
            not isinstance(outputs, list)
            or not outputs
            or not all(isinstance(o, str) and o for o in outputs)
        ):
            raise InvalidValueError(
                f"{where}: sweep.outputs must be a list of dotted paths such as "
                f'"field.target.efield_v_per_m", got {outputs!r}'
            )
        check_output_sections(outputs, where=f"{where}: sweep.outputs")
        outputs = tuple(dict.fromkeys(outputs))
    spec = SweepSpec(
        base=base,
        parameters=parameters,
        mode=mode,
        outputs=outputs,
        name=str(sweep.get("name") or base.get("name") or "sweep"),
        description=str(sweep.get("description", "")),
    )
    if spec.n_tasks > MAX_TASKS:
        raise InvalidValueError(
            f"{where}: the sweep has {spec.n_tasks} tasks, more than the limit of {MAX_TASKS}"
        )
    return spec


def section_keys() -> list[str]:
    """Keys of the scenario's stages (``protocol``, ``stimulator``, ... ``plasticity``)."""
    from tmslab.stages import STAGES

    return [key for key, _, _ in STAGES]


def check_output_sections(outputs: Iterable[str], where: str = "sweep.outputs") -> None:
    """Raise InvalidValueError for an output path whose first part is not a stage's key."""
    keys = section_keys()
    for path in outputs:
        if path.split(".")[0] not in keys or not all(path.split(".")):
            raise InvalidValueError(
                f"{where}: unknown output {path!r}; outputs are dotted paths into a section's "
                f"data, starting with one of: {', '.join(keys)}"
            )


def _no_unknown(table: dict[str, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
    unknown = [key for key in table if key not in allowed]
    if unknown:
        raise InvalidValueError(
            f"{where}: unknown {what} {unknown[0]!r}; allowed: {', '.join(allowed)}"
        )


def _base_mapping(
    data: dict[str, Any], sweep: dict[str, Any], where: str, root: Path
) -> dict[str, Any]:
    from tmslab.io.toml import read_toml

    inline = data.get("scenario")
    base = sweep.get("base")
    if inline is not None and base is not None:
        raise InvalidValueError(
            f"{where}: give either sweep.base (a scenario file) or a [scenario] table, not both"
        )
    if inline is not None:
        if not isinstance(inline, dict):
            raise InvalidValueError(f"{where}: [scenario] must be a table, got {inline!r}")
        mapping = copy.deepcopy(inline)
        label = f"{where}: [scenario]"
    elif isinstance(base, str) and base:
        path = Path(base)
        path = path if path.is_absolute() else root / path
        if path.is_dir():
            raise SpecFileError(f"{where}: sweep.base = {base!r} is a directory; give a .toml")
        if not path.exists():
            raise SpecFileError(f"{where}: sweep.base = {base!r}: file not found ({path})")
        mapping = read_toml(path)
        label = f"{where}: base {path.name}"
    else:
        raise InvalidValueError(
            f"{where}: sweep.base must name a scenario file (relative to the spec), or give "
            "the scenario inline as a [scenario] table"
        )
    from tmslab.scenario import scenario_from_mapping

    scenario_from_mapping(mapping, where=label)  # the base itself must be a valid scenario
    return mapping


def _values(key: str, value: Any, where: str) -> tuple[Scalar, ...]:
    """A parameter's values: a non-empty list of scalars, or a start/stop/num|step range."""
    if isinstance(value, dict):
        values = _range(key, value, where)
    elif isinstance(value, list):
        values = tuple(value)
    else:
        raise InvalidValueError(
            f"{where}: {key!r} = {value!r} must be a list of values or a range "
            "{ start, stop, num } / { start, stop, step }; fixed values belong in the base scenario"
        )
    if not values:
        raise InvalidValueError(f"{where}: {key!r} has no values")
    for item in values:
        if not isinstance(item, str | int | float | bool) or (
            isinstance(item, float) and not math.isfinite(item)
        ):
            raise InvalidValueError(
                f"{where}: {key!r} value {item!r} is not allowed; give numbers, strings or booleans"
            )
    seen: set[str] = set()
    for item in values:
        marker = repr(item)
        if marker in seen:
            raise InvalidValueError(f"{where}: {key!r} lists the value {item!r} twice")
        seen.add(marker)
    return values


def _range(key: str, table: dict[str, Any], where: str) -> tuple[float | int, ...]:
    _no_unknown(table, _RANGE_KEYS, f"{where}: {key!r}", "range key")
    missing = [k for k in ("start", "stop") if k not in table]
    if missing:
        raise InvalidValueError(f"{where}: {key!r} range needs {missing[0]!r}")
    if ("num" in table) == ("step" in table):
        raise InvalidValueError(
            f"{where}: {key!r} range needs exactly one of 'num' (count) or 'step' (spacing)"
        )
    for name, number in table.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise InvalidValueError(f"{where}: {key!r} range {name} = {number!r} is not a number")
        if not math.isfinite(number):
            raise InvalidValueError(f"{where}: {key!r} range {name} = {number!r} is not finite")
    start, stop = table["start"], table["stop"]
    if "num" in table:
        num = table["num"]
        if not isinstance(num, int) or num < 1:
            raise InvalidValueError(
                f"{where}: {key!r} range num = {num!r} must be a whole number >= 1"
            )
        if num > MAX_TASKS:
            raise InvalidValueError(f"{where}: {key!r} range num = {num} exceeds {MAX_TASKS}")
        if num == 1:
            return (start,)
        width = (stop - start) / (num - 1)
        values = [_tidy(start + i * width, start, stop) for i in range(num)]
        values[0], values[-1] = start, stop  # the ends exactly as given
        return tuple(values)
    step = table["step"]
    if step == 0 or (stop - start) * step < 0:
        raise InvalidValueError(
            f"{where}: {key!r} range step = {step!r} does not lead from {start!r} to {stop!r}"
        )
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_TASKS:
        raise InvalidValueError(f"{where}: {key!r} range has {count} values, over {MAX_TASKS}")
    return (start, *(_tidy(start + i * step, start, stop, step) for i in range(1, count)))


def _tidy(value: float, *given: float) -> float | int:
    """Integers stay integers when every range number is one; floats lose rounding dust
    (kept to 12 significant digits, so 0.1 + 2 * 0.1 is 0.3)."""
    if all(isinstance(g, int) for g in given) and float(value).is_integer():
        return int(value)
    return float(f"{value:.12g}")


def check_parameter_path(
    key: str,
    base: dict[str, Any],
    parameters: dict[str, tuple[Scalar, ...]] | None = None,
    where: str = "sweep.parameters",
) -> None:
    """Raise InvalidValueError unless ``key`` names a field of the scenario schema.

    Sections are checked against :class:`tmslab.scenario.ScenarioSpec`; ``protocol.*`` against
    the fields of the protocol kinds the sweep can reach (the base's kind or preset, and any
    swept ``protocol.kind`` / ``protocol.preset`` values). A swept intensity in another unit
    than the base's intensity is refused (the scenario takes one intensity).
    """
    from tmslab.scenario import ScenarioSpec

    parts = key.split(".")
    sections = ScenarioSpec.model_fields
    if not all(parts) or parts[0] not in sections:
        raise InvalidValueError(
            f"{where}: {key!r} is not a scenario field; paths start with one of: "
            f"{', '.join(sections)}"
        )
    head = parts[0]
    annotation = sections[head].annotation
    if head in ("name", "description"):
        if len(parts) != 1:
            raise InvalidValueError(f"{where}: {key!r} is not a scenario field ({head} is text)")
        return
    if head == "protocol":
        _check_protocol_path(key, parts[1:], base, parameters or {}, where)
        return
    model = _section_model(annotation)
    if len(parts) != 2 or model is None or parts[1] not in model.model_fields:
        allowed = ", ".join(f"{head}.{f}" for f in (model.model_fields if model else ()))
        raise InvalidValueError(f"{where}: {key!r} is not a scenario field; allowed: {allowed}")
    if head == "stimulator" and parts[1] in INTENSITY_FIELDS:
        given = [f for f in INTENSITY_FIELDS if (base.get("stimulator") or {}).get(f) is not None]
        swept = [f for f in INTENSITY_FIELDS if f"stimulator.{f}" in (parameters or {})]
        others = sorted({*given, *swept} - {parts[1]})
        if others:
            raise InvalidValueError(
                f"{where}: {key!r} mixes intensity units with stimulator.{others[0]} "
                "(in the base or swept); a scenario takes one intensity, so remove "
                f"stimulator.{others[0]} from the base scenario or the sweep"
            )


def _section_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model of a section's annotation (``Model`` or ``Model | None``)."""
    import typing

    candidates = typing.get_args(annotation) or (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _check_protocol_path(
    key: str,
    rest: list[str],
    base: dict[str, Any],
    parameters: dict[str, tuple[Scalar, ...]],
    where: str,
) -> None:
    from tmslab.protocols.library import preset_spec
    from tmslab.protocols.spec import SPEC_CLASSES, CourseSpec

    if not rest:
        raise InvalidValueError(
            f"{where}: {key!r} names the whole [protocol] table; sweep one field, e.g. "
            "protocol.preset or protocol.frequency_hz"
        )
    protocol = base.get("protocol") or {}
    presets = [protocol.get("preset"), *parameters.get("protocol.preset", ())]
    kinds = {protocol.get("kind"), *parameters.get("protocol.kind", ())}
    for preset in presets:
        if isinstance(preset, str):
            try:
                kinds.add(preset_spec(preset).get("kind"))
            except UnknownNameError as error:
                raise InvalidValueError(f"{where}: protocol.preset: {error}") from None
    classes = [SPEC_CLASSES[k] for k in kinds if k in SPEC_CLASSES]
    fields = {"preset", "kind"}.union(*(cls.model_fields for cls in classes))
    if rest[0] not in fields:
        names = ", ".join(sorted(k for k in kinds if isinstance(k, str))) or "unknown"
        raise InvalidValueError(
            f"{where}: {key!r} is not a field of the protocol (kind {names}); allowed: "
            f"{', '.join('protocol.' + f for f in sorted(fields))}"
        )
    if rest[0] == "course":
        if len(rest) != 2 or rest[1] not in CourseSpec.model_fields:
            allowed = ", ".join(f"protocol.course.{f}" for f in CourseSpec.model_fields)
            raise InvalidValueError(
                f"{where}: {key!r} is not a protocol course field; allowed: {allowed}"
            )
    elif len(rest) != 1:
        raise InvalidValueError(f"{where}: {key!r} is not a scenario field (too deep)")


def set_path(mapping: dict[str, Any], key: str, value: Any) -> None:
    """Set the dotted ``key`` in a nested mapping, creating tables on the way."""
    parts = key.split(".")
    table = mapping
    for part in parts[:-1]:
        child = table.get(part)
        if not isinstance(child, dict):
            child = {}
            table[part] = child
        table = child
    table[parts[-1]] = value


def describe_parameters(parameters: dict[str, Any]) -> str:
    """``a=1, b='x'``: a task's parameter values, for messages."""
    return ", ".join(f"{k}={v!r}" for k, v in parameters.items())


class SweepTaskError(TmslabError):
    """A task of a sweep has an invalid scenario, or failed while running."""
