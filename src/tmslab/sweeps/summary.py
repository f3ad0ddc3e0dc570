"""What a sweep's results look like at a glance: table rows and figure series (no drawing here).

Both work from the stored records, so they show a partly finished sweep as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmslab.errors import InvalidValueError
from tmslab.sweeps.store import SweepStore, resolve_outputs
from tmslab.wording import Listing


@dataclass(frozen=True)
class SweepSummary:
    """A sweep's state and its results table.

    columns: swept parameter paths, then output paths. rows: one per finished task, in the
    spec's order (values as stored: numbers in SI units as the key names, str, bool or None).
    """

    name: str
    store: Path
    mode: str
    n_tasks: int
    n_done: int
    parameters: list[str]
    outputs: list[str]
    rows: list[list[Any]]
    spec_sha256: str
    tmslab_version: str

    @property
    def columns(self) -> list[str]:
        return [*self.parameters, *self.outputs]

    @property
    def title(self) -> str:
        return f"{self.name}: {self.n_done}/{self.n_tasks} tasks done ({self.mode})"

    @property
    def footer(self) -> str:
        """Where the results are and what made them."""
        return (
            f"store {self.store}, tmslab {self.tmslab_version}, spec sha256 {self.spec_sha256[:12]}"
        )

    def listing(self, limit: int = 0) -> Listing:
        """The results table, its first ``limit`` rows (0: all); the record is :meth:`to_dict`."""
        rows = self.rows if limit <= 0 else self.rows[:limit]
        style = {"justify": "right", "overflow": "fold"}
        return Listing(self.title, self.columns, rows, self.to_dict(), style=style)

    def notes(self, limit: int = 0) -> list[str]:
        """The lines under the table: how many rows ``limit`` left out, then :attr:`footer`."""
        left_out = 0 if limit <= 0 else max(len(self.rows) - limit, 0)
        more = [f"({left_out} more rows; --limit 0 shows all)"] if left_out else []
        return [*more, self.footer]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "store": str(self.store),
            "mode": self.mode,
            "n_tasks": self.n_tasks,
            "n_done": self.n_done,
            "parameters": self.parameters,
            "outputs": self.outputs,
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
            "spec_sha256": self.spec_sha256,
            "tmslab_version": self.tmslab_version,
        }


def summarize(store: str | Path | SweepStore, outputs: Any = None) -> SweepSummary:
    """The summary of a store: counts, and one row per finished task.

    outputs: None (the spec's outputs, else the default set), "all", or a list of paths.
    """
    store = store if isinstance(store, SweepStore) else SweepStore.open(store)
    spec = store.spec
    records = store.records()
    known = sorted({path for record in records for path in record["results"]})
    names = resolve_outputs(outputs, spec, known)
    _check_known(names, known, records)
    parameters = list(spec.parameters)
    rows = [
        [record["parameters"].get(p) for p in parameters]
        + [record["results"].get(o) for o in names]
        for record in records
    ]
    return SweepSummary(
        name=spec.name,
        store=store.path,
        mode=spec.mode,
        n_tasks=spec.n_tasks,
        n_done=len(records),
        parameters=parameters,
        outputs=names,
        rows=rows,
        spec_sha256=str(store.attrs.get("spec_sha256", "")),
        tmslab_version=str(store.attrs.get("tmslab_version", "")),
    )


def _check_known(names: list[str], known: list[str], records: list[dict[str, Any]]) -> None:
    if not records:
        return
    for name in names:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=4, cutoff=0.5) or known[:6]
            raise InvalidValueError(
                f"unknown output {name!r}; stored outputs include: {', '.join(close)}"
            )


@dataclass(frozen=True)
class Series:
    """One line of a sweep figure: ``y`` against ``x`` (sorted by x) for one hue value."""

    label: str | None
    x: list[Any]
    y: list[float]


def figure_series(
    store: str | Path | SweepStore,
    x: str,
    y: str,
    hue: str | None = None,
    where: dict[str, Any] | None = None,
) -> list[Series]:
    """Data of a figure of output ``y`` against swept parameter ``x``, one series per ``hue``.

    where: {parameter: value} fixing other swept parameters. In a grid, every other parameter
    with more than one value must be ``hue`` or fixed by ``where`` (else InvalidValueError
    naming it), so each point is one task. Unfinished tasks and non-numeric values are left out.
    """
    store = store if isinstance(store, SweepStore) else SweepStore.open(store)
    spec = store.spec
    parameters = list(spec.parameters)
    where = dict(where or {})
    for name in [x, *([hue] if hue else []), *where]:
        if name not in spec.parameters:
            raise InvalidValueError(
                f"{name!r} is not a swept parameter of this sweep; swept: {', '.join(parameters)}"
            )
    if hue == x:
        raise InvalidValueError(f"--hue {hue!r} is the same parameter as --x")
    for name, value in list(where.items()):
        where[name] = _match_value(name, value, spec.parameters[name])
    if spec.mode == "grid":
        free = [
            p
            for p in parameters
            if p not in (x, hue) and p not in where and len(spec.parameters[p]) > 1
        ]
        if free:
            raise InvalidValueError(
                f"the sweep also varies {free[0]!r}; pass it as --hue or fix it with "
                f"--where {free[0]}=VALUE (values: {', '.join(map(str, spec.parameters[free[0]]))})"
            )
    records = store.records()
    known = {path for record in records for path in record["results"]}
    if records and y not in known:
        _check_known([y], sorted(known), records)
    groups: dict[Any, list[tuple[Any, float]]] = {}
    for record in records:
        params = record["parameters"]
        if any(params.get(k) != v for k, v in where.items()):
            continue
        value = record["results"].get(y)
        if isinstance(value, bool):
            value = float(value)
        if not isinstance(value, int | float) or not math.isfinite(value):
            continue
        key = params.get(hue) if hue else None
        groups.setdefault(key, []).append((params[x], float(value)))
    order = list(spec.parameters[hue]) if hue else [None]
    series = []
    for key in order:
        points = groups.get(key)
        if not points:
            continue
        points.sort(key=lambda p: _sort_key(p[0]))
        series.append(
            Series(
                label=None if hue is None else f"{hue} = {key}",
                x=[p[0] for p in points],
                y=[p[1] for p in points],
            )
        )
    return series


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def _match_value(name: str, given: Any, values: tuple[Any, ...]) -> Any:
    """The swept value ``given`` (a string from the command line) stands for."""
    for value in values:
        if value == given or str(value) == str(given):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                if math.isclose(float(given), float(value), rel_tol=1e-9, abs_tol=1e-12):
                    return value
            except (TypeError, ValueError):
                pass
    raise InvalidValueError(
        f"--where {name}={given}: not a swept value; values: {', '.join(map(str, values))}"
    )


def parse_where(items: list[str] | None) -> dict[str, str]:
    """``PARAM=VALUE`` texts (``--where``) as {param: value text}."""
    fixed = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InvalidValueError(f"--where {item!r}: give PARAM=VALUE")
        fixed[name.strip()] = value.strip()
    return fixed


def sweep_plot_data(
    store: str | Path, x: str, y: str, hue: str | None = None, where: list[str] | None = None
) -> tuple[Series, str]:
    """The :func:`figure_series` of ``y`` against ``x`` (``where``: ``PARAM=VALUE`` texts
    fixing other parameters) and the figure's title (the sweep's name and the fixed values)."""
    fixed = parse_where(where)
    opened = SweepStore.open(store)
    series = figure_series(opened, x, y, hue=hue, where=fixed)
    shown = ", ".join(f"{k} = {v}" for k, v in fixed.items())
    return series, opened.spec.name + (f" ({shown})" if fixed else "")
