"""The sweep result store: a Zarr (v3) hierarchy with one group per finished task.

Layout::

    STORE/
      zarr.json              root group; attributes: tmslab_sweep (format), tmslab_version,
                             created_utc, spec (resolved, base inlined), spec_sha256,
                             tasks_sha256, n_tasks, mode, parameters, outputs
      tasks/zarr.json        group holding the finished tasks
      tasks/<task id>/       one group per finished task; its zarr.json attributes hold
                             id, index, parameters, results ({dotted path: scalar}),
                             elapsed_s, finished_utc
      .partial/              task groups being written (never read; cleared on reopen)
      .lock                  advisory lock held by the one process writing the store

Why it survives ``kill -9`` at any moment: a task group is written completely under
``.partial/`` and then moved into ``tasks/`` with one ``os.rename`` of its directory, which
POSIX makes atomic. A reader (or a resumed sweep) sees a task either finished and whole, or
not at all; a kill leaves at most a stray ``.partial/`` entry, removed on the next run. A
finished task is never rewritten (a rename onto an existing task group fails, and the writer
skips tasks already present), so resuming cannot change or duplicate a finished result. The
root group is built in a temporary sibling directory and renamed into place in the same way,
so a store either exists with its spec or not at all. Results are written by one process
only (the client, as each task finishes); ``.lock`` (``flock``, released by the kernel when
the process dies, even by SIGKILL) refuses a second concurrent writer.

Why this layout rather than arrays with a task dimension: results are a mix of numbers,
booleans and strings whose set depends on the scenario, and region writes into shared chunks
are not atomic (a kill during a chunk write would corrupt neighbouring tasks). Per-task
groups make every write independent; :func:`load_results` assembles the xarray Dataset
(parameters as dimensions for a grid) when read. Crash safety, not power-loss durability, is
the aim: files are not fsynced.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tmslab.errors import SpecFileError
from tmslab.sweeps.spec import SweepSpec
from tmslab.sweeps.tasks import Task, Value

STORE_FORMAT = 1
_TASKS = "tasks"
_PARTIAL = ".partial"
_LOCK = ".lock"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_attrs(group_dir: Path) -> dict[str, Any]:
    """The attributes of a Zarr v3 group, read from its zarr.json."""
    meta = json.loads((group_dir / "zarr.json").read_text(encoding="utf-8"))
    return meta.get("attributes", {})


def group_json(attributes: dict[str, Any]) -> str:
    """The zarr.json of a Zarr v3 group with ``attributes``, as zarr-python writes it.

    Written directly for each finished task: byte for byte what ``zarr.create_group`` writes
    (tests/sweeps/test_store_format.py), without its ~5 ms of store machinery per task.
    """
    return json.dumps({"attributes": attributes, "zarr_format": 3, "node_type": "group"}, indent=2)


class SweepStore:
    """A sweep's result store on disk (see the module docstring for the layout).

    Use :meth:`create_or_open` to write (it checks the spec), :meth:`open` to read.
    """

    def __init__(self, path: str | Path, attrs: dict[str, Any]) -> None:
        self.path = Path(path)
        self.attrs = attrs
        self._lock_handle: Any = None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> SweepStore:
        """Open an existing store for reading; SpecFileError if it is not a sweep store."""
        path = Path(path)
        if not (path / "zarr.json").is_file():
            if path.exists():
                raise SpecFileError(f"{path} is not a tmslab sweep store (no zarr.json)")
            raise SpecFileError(f"sweep store not found: {path}")
        try:
            attrs = _read_attrs(path)
        except (OSError, ValueError) as error:
            raise SpecFileError(f"cannot read sweep store {path}: {error}") from None
        if attrs.get("tmslab_sweep") != STORE_FORMAT:
            raise SpecFileError(f"{path} is a Zarr store but not a tmslab sweep store")
        return cls(path, attrs)

    @classmethod
    def create_or_open(cls, path: str | Path, spec: SweepSpec) -> SweepStore:
        """Open ``path`` to write ``spec``'s results, creating it if missing.

        An existing store must have been made by a spec with the same base scenario, mode
        and parameters (same ``tasks_sha256``); otherwise SpecFileError. Takes the writer lock
        and clears what a killed run left in ``.partial/``.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise SpecFileError(f"--out {path} exists and is not a directory; give a store path")
        if not path.exists() or (path.is_dir() and not any(path.iterdir())):
            cls._create(path, spec)
        store = cls.open(path)
        if store.attrs.get("tasks_sha256") != spec.tasks_sha256:
            raise SpecFileError(
                f"store {path} was made from a different sweep (base scenario, mode or "
                f"parameters differ: store {str(store.attrs.get('tasks_sha256'))[:12]}, "
                f"spec {spec.tasks_sha256[:12]}); give a new --out or the original spec"
            )
        store._lock()
        partial = path / _PARTIAL
        if partial.exists():
            for leftover in partial.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)
        partial.mkdir(exist_ok=True)
        return store

    @staticmethod
    def _create(path: Path, spec: SweepSpec) -> None:
        from tmslab.provenance import provenance

        record = provenance(spec.to_dict(), inputs={"spec_file": str(spec.path or "")})
        attrs = {
            "tmslab_sweep": STORE_FORMAT,
            "tmslab_version": record["tmslab_version"],
            "created_utc": record["created_utc"],
            "name": spec.name,
            "spec": record["spec"],
            "spec_sha256": record["spec_sha256"],
            "tasks_sha256": spec.tasks_sha256,
            "n_tasks": spec.n_tasks,
            "mode": spec.mode,
            "parameters": list(spec.parameters),
            "outputs": None if spec.outputs is None else list(spec.outputs),
            "provenance": {k: record[k] for k in ("python", "platform", "inputs")},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
        try:
            # written as zarr writes them, without importing zarr (0.5 s, issue 20)
            (tmp / "zarr.json").write_text(group_json(attrs), encoding="utf-8")
            (tmp / _TASKS).mkdir()
            (tmp / _TASKS / "zarr.json").write_text(group_json({}), encoding="utf-8")
            (tmp / _PARTIAL).mkdir()
            if path.is_dir():  # an empty directory: replace it
                with contextlib.suppress(FileNotFoundError):
                    path.rmdir()
            os.rename(tmp, path)
        except OSError as error:
            # Two sweeps creating the same new store at once: the first rename wins and the
            # other opens that store (same spec, or a clear refusal; then the writer lock).
            if error.errno in (errno.ENOTEMPTY, errno.EEXIST) and (path / "zarr.json").is_file():
                return
            raise SpecFileError(f"cannot create sweep store {path}: {error}") from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _lock(self) -> None:
        import fcntl

        handle = (self.path / _LOCK).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise SpecFileError(
                f"store {self.path} is being written by another sweep; wait for it to finish"
            ) from None
        self._lock_handle = handle

    def close(self) -> None:
        """Release the writer lock (also released when the process exits)."""
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------
    @property
    def spec(self) -> SweepSpec:
        """The sweep spec this store was made from (base scenario inlined)."""
        spec = self.attrs["spec"]
        outputs = spec.get("outputs")
        return SweepSpec(
            base=spec["base"],
            parameters={k: tuple(v) for k, v in spec["parameters"].items()},
            mode=spec["mode"],
            outputs=None if outputs is None else tuple(outputs),
            name=spec.get("name", "sweep"),
            description=spec.get("description", ""),
        )

    def done_ids(self) -> set[str]:
        """Ids of the finished tasks (those whose group is in ``tasks/``)."""
        tasks = self.path / _TASKS
        if not tasks.is_dir():
            return set()
        return {
            entry.name
            for entry in tasks.iterdir()
            if not entry.name.startswith(".") and (entry / "zarr.json").is_file()
        }

    def read(self, tid: str) -> dict[str, Any]:
        """The stored record of a finished task: id, index, parameters, results, elapsed_s."""
        return _read_attrs(self.path / _TASKS / tid)

    def records(self) -> list[dict[str, Any]]:
        """Records of every finished task, in the spec's task order."""
        records = [self.read(tid) for tid in self.done_ids()]
        return sorted(records, key=lambda r: r.get("index", 0))

    # -- writing ---------------------------------------------------------------------------
    def write(self, task: Task, results: dict[str, Value], elapsed_s: float) -> bool:
        """Store one finished task atomically; False if it was already stored (kept as is)."""
        from tmslab.provenance import to_jsonable

        final = self.path / _TASKS / task.id
        if final.exists():
            return False
        tmp = Path(tempfile.mkdtemp(prefix=f"{task.id}.", dir=self.path / _PARTIAL))
        attrs = to_jsonable(
            {
                "id": task.id,
                "index": task.index,
                "parameters": task.parameters,
                "results": results,
                "elapsed_s": elapsed_s,
                "finished_utc": _now(),
            }
        )
        try:
            (tmp / "zarr.json").write_text(group_json(attrs), encoding="utf-8")
            try:
                os.rename(tmp, final)
            except OSError:
                if final.exists():  # stored meanwhile: keep the first one
                    return False
                raise
        finally:
            if tmp.exists():
                with contextlib.suppress(OSError):
                    shutil.rmtree(tmp)
        return True


def load_results(store: str | Path | SweepStore, outputs: Any = None) -> Any:
    """The sweep's results as an ``xarray.Dataset``.

    store: a store path or an open :class:`SweepStore`.
    outputs: the output paths to load as variables: None for the spec's outputs (or the
        default set the tasks produced), "all" for every stored scalar, or a list of paths.
    Grid sweeps have one dimension per swept parameter (named by its dotted path, with the
    values as coordinates); zip sweeps have a ``task`` dimension with the parameters as
    coordinates along it. Variables: one per output (float64 with NaN where missing or not
    finished; bool, or str with "" for missing), ``task_id`` (str) and ``done`` (bool).
    Attributes: tmslab_version, spec (JSON), spec_sha256, tasks_sha256, mode, n_done, n_tasks.
    """
    import numpy as np
    import xarray as xr

    from tmslab.errors import InvalidValueError
    from tmslab.sweeps.tasks import default_outputs, expand_tasks

    store = store if isinstance(store, SweepStore) else SweepStore.open(store)
    spec = store.spec
    tasks = expand_tasks(spec, validate=False)
    by_id = {record["id"]: record for record in store.records()}
    known = sorted({path for record in by_id.values() for path in record["results"]})
    names = resolve_outputs(outputs, spec, known)
    if by_id:
        unknown = [name for name in names if name not in known]
        if unknown and outputs not in (None, "all"):
            raise InvalidValueError(
                f"unknown output {unknown[0]!r}; stored outputs include: "
                f"{', '.join(default_outputs(known) or known[:8])}"
            )
    shape = spec.shape
    if spec.mode == "grid":
        dims = list(spec.parameters)
        coords: dict[str, Any] = {key: list(values) for key, values in spec.parameters.items()}
    else:
        dims = ["task"]
        coords = {"task": np.arange(spec.n_tasks)}
        for key, values in spec.parameters.items():
            coords[key] = ("task", list(values))
    flat_records = [by_id.get(task.id) for task in tasks]
    data_vars: dict[str, Any] = {
        "task_id": (dims, np.array([t.id for t in tasks], dtype=str).reshape(shape)),
        "done": (dims, np.array([r is not None for r in flat_records]).reshape(shape)),
    }
    for name in names:
        values = [None if r is None else r["results"].get(name) for r in flat_records]
        data_vars[name] = (dims, _column(values).reshape(shape))
    attrs = {
        "tmslab_version": store.attrs.get("tmslab_version"),
        "created_utc": store.attrs.get("created_utc"),
        "name": spec.name,
        "spec": json.dumps(store.attrs.get("spec"), sort_keys=True),
        "spec_sha256": store.attrs.get("spec_sha256"),
        "tasks_sha256": store.attrs.get("tasks_sha256"),
        "mode": spec.mode,
        "n_tasks": spec.n_tasks,
        "n_done": len(by_id),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def resolve_outputs(outputs: Any, spec: SweepSpec, known: list[str]) -> list[str]:
    """Output paths to show: a list as given, "all", or the spec's (or default) outputs."""
    from tmslab.sweeps.tasks import default_outputs

    if outputs == "all":
        return list(known)
    if outputs is not None:
        return [outputs] if isinstance(outputs, str) else list(outputs)
    if spec.outputs is not None:
        return list(spec.outputs)
    return default_outputs(known)


def _column(values: list[Any]) -> Any:
    """A 1-D array from a task column: float64 (NaN), bool, or str ("" for missing)."""
    import numpy as np

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present) and len(present) == len(values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, int | float) for v in present):  # bools count as 0/1 here
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    return np.array(["" if v is None else str(v) for v in values], dtype=str)


def write_netcdf(store: str | Path, path: str | Path, outputs: Any = None) -> str:
    """Write :func:`load_results` (``outputs`` as there) to the netCDF file ``path``
    atomically; returns a one-line account."""
    from tmslab.provenance import atomic_write

    dataset = load_results(store, outputs)
    atomic_write(path, dataset.to_netcdf)
    return (
        f"wrote {path}: {dataset.attrs['n_done']}/{dataset.attrs['n_tasks']} tasks, "
        f"{len(dataset.data_vars) - 2} outputs"
    )
