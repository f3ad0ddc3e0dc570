"""Run a sweep: the missing tasks on Dask distributed (or in-process), results stored as they finish.

Workers only compute (:func:`~tmslab.sweeps.tasks.run_task`); the client process is the single
writer of the store, writing each result the moment ``as_completed`` hands it over. A run
killed at any point loses at most the tasks in flight; the next run skips every stored task.

Tasks go to Dask in small batches (:func:`batch_size`, at most :data:`MAX_BATCH` tasks, and
enough batches for every worker to get several): each Dask task costs the scheduler, the client
and the worker some milliseconds, as much as a cheap scenario takes (issue 20).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.sweeps.spec import SweepSpec, SweepTaskError, describe_parameters
from tmslab.sweeps.store import SweepStore
from tmslab.sweeps.tasks import Task, check_outputs, expand_tasks, run_task

#: Environment of every worker process: one thread each, so 2 workers use 2 cores, not 2 x N.
WORKER_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}


#: Largest number of scenarios in one Dask task.
MAX_BATCH = 8
#: Dask tasks per worker at least, so that the workers stay balanced to the end.
BATCHES_PER_WORKER = 4


def batch_size(n_tasks: int, n_workers: int) -> int:
    """Scenarios per Dask task for ``n_tasks`` over ``n_workers`` workers (1 to MAX_BATCH)."""
    return max(1, min(MAX_BATCH, n_tasks // (BATCHES_PER_WORKER * max(1, n_workers))))


@dataclass
class SweepRun:
    """What a call of :func:`run_sweep` did.

    n_tasks: tasks in the sweep; n_already_done: found in the store at the start;
    n_ran: run and stored now; failures: (task, one-line message) of tasks that failed
    (not stored, so a later run retries them); elapsed_s: wall time of the run (s);
    workers: LocalCluster workers (0: in-process); scheduler: the address when one was given.
    """

    store: Path
    n_tasks: int
    n_already_done: int
    n_ran: int = 0
    failures: list[tuple[Task, str]] = field(default_factory=list)
    elapsed_s: float = 0.0
    workers: int = 0
    scheduler: str | None = None

    @property
    def complete(self) -> bool:
        return self.n_already_done + self.n_ran == self.n_tasks

    def to_dict(self) -> dict[str, Any]:
        """The counts and the wall time (s), JSON-ready."""
        return {
            "store": str(self.store),
            "n_tasks": self.n_tasks,
            "n_already_done": self.n_already_done,
            "n_ran": self.n_ran,
            "elapsed_s": self.elapsed_s,
        }

    def line(self) -> str:
        """One line for a person: what ran, and how much of the sweep is stored."""
        return (
            f"ran {self.n_ran} task(s) in {self.elapsed_s:.3g} s; "
            f"{self.n_already_done + self.n_ran}/{self.n_tasks} stored in {self.store}"
        )


def start_line(name: str, n_tasks: int, n_done: int, n_todo: int, where: str) -> str:
    """``sweep NAME: N tasks, K already done, M to run on WHERE``, as a sweep starts."""
    return f"sweep {name}: {n_tasks} tasks, {n_done} already done, {n_todo} to run on {where}"


def where_to_run(workers: int, scheduler: str | None) -> str:
    """Check the ``--workers`` / ``--scheduler`` choice and describe it ("2 worker(s)", ...).

    Raises InvalidValueError for a negative worker count or a scheduler that is no address.
    """
    if workers < 0:
        raise InvalidValueError(f"--workers {workers} is not allowed; give 0 (in-process) or more")
    if scheduler is not None and not re.fullmatch(r"([a-z]+://)?[\w.\-\[\]:]+:\d+", scheduler):
        raise InvalidValueError(
            f"--scheduler {scheduler!r} is not an address; give HOST:PORT, e.g. tcp://host:8786"
        )
    if scheduler:
        return f"scheduler {scheduler}"
    return "this process" if workers == 0 else f"{workers} worker(s)"


Progress = Callable[[int, int], None]  # (finished now, to run)


def run_sweep(
    spec: SweepSpec,
    store: str | Path,
    workers: int = 2,
    scheduler: str | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_progress: Progress | None = None,
) -> SweepRun:
    """Run the tasks of ``spec`` missing from ``store`` and write each result as it finishes.

    workers: processes of the LocalCluster (one thread each); 0 runs in this process.
    scheduler: address of a running Dask scheduler (``tcp://host:8786``); ``workers`` is then
        ignored and the cluster's workers are used.
    on_start(n_already_done, n_to_run) is called once before running; on_progress(k, n) after
        each stored task. Every task's scenario is validated before anything runs or is written.
    Raises SweepTaskError after the run if some tasks failed (the others are stored).
    """
    if workers < 0:
        raise InvalidValueError(
            f"--workers = {workers} is not allowed; give 0 (in-process) or more"
        )
    start = time.perf_counter()
    tasks = expand_tasks(spec)  # validate all before touching the store
    with contextlib.ExitStack() as stack:
        # Checked before the store is created: a sweep refused here leaves nothing behind.
        client = None
        if scheduler is not None:
            client = stack.enter_context(dask_client(workers, scheduler))
        first = _first_result(spec, store, tasks)
        sweep_store = stack.enter_context(SweepStore.create_or_open(store, spec))
        done = sweep_store.done_ids()
        todo = [task for task in tasks if task.id not in done]
        run = SweepRun(
            store=Path(store),
            n_tasks=len(tasks),
            n_already_done=len(tasks) - len(todo),
            workers=workers,
            scheduler=scheduler,
        )
        if on_start is not None:
            on_start(run.n_already_done, len(todo))
        outputs_checker = _OutputsChecker(spec, sweep_store, done)
        if todo:
            ahead = [first] if first is not None and first[0].id not in done else []
            rest = [task for task in todo if not ahead or task.id != ahead[0][0].id]
            results = itertools.chain(
                ahead,
                (
                    ()
                    if not rest
                    else _run_serial(rest)
                    if scheduler is None and workers == 0
                    else _run_dask(rest, workers, scheduler, client)
                ),
            )
            for task, outcome, elapsed in results:
                if isinstance(outcome, BaseException):
                    run.failures.append((task, _one_line(outcome)))
                else:
                    sweep_store.write(task, outcome, elapsed)
                    run.n_ran += 1
                    outputs_checker.check(outcome)
                if on_progress is not None:
                    on_progress(run.n_ran + len(run.failures), len(todo))
    run.elapsed_s = time.perf_counter() - start
    if run.failures:
        task, message = run.failures[0]
        raise SweepTaskError(
            f"{len(run.failures)} of {len(todo)} sweep tasks failed (the other results are stored; "
            f"run again to retry); first: task {task.index + 1} "
            f"({describe_parameters(task.parameters)}): {message}"
        )
    return run


def _first_result(
    spec: SweepSpec, store: str | Path, tasks: list[Task]
) -> tuple[Task, Any, float] | None:
    """For a new store whose spec names outputs: the first task, run here, its outputs checked.

    Output paths are only known from a result; running one task before the store exists means
    an unknown output is refused with nothing written (InvalidValueError).
    """
    if not spec.outputs or not tasks or (Path(store) / "zarr.json").is_file():
        return None
    first = next(_run_serial(tasks[:1]))
    if not isinstance(first[1], BaseException):
        check_outputs(list(spec.outputs), first[1])
    return first


class _OutputsChecker:
    """Checks the spec's output paths against the first results (stored or new)."""

    def __init__(self, spec: SweepSpec, store: SweepStore, done: set[str]) -> None:
        self.pending = list(spec.outputs or ())
        for tid in list(done)[:3]:
            if self.pending:
                self.check(store.read(tid)["results"])

    def check(self, results: dict[str, Any]) -> None:
        if self.pending:
            self.pending = check_outputs(self.pending, results)


def _one_line(error: BaseException) -> str:
    if isinstance(error, TmslabError):
        return str(error)
    return " ".join(f"{type(error).__name__}: {error}".split())


def _run_serial(todo: list[Task]) -> Iterator[tuple[Task, Any, float]]:
    for task in todo:
        t0 = time.perf_counter()
        try:
            outcome: Any = run_task(task.mapping)
        except Exception as error:
            outcome = error
        yield task, outcome, time.perf_counter() - t0


def _timed_batch(mappings: list[dict[str, Any]]) -> list[tuple[Any, float]]:
    """What a worker runs: each task's (results or the exception it raised, compute time)."""
    out: list[tuple[Any, float]] = []
    for mapping in mappings:
        t0 = time.perf_counter()
        try:
            outcome: Any = run_task(mapping)
        except Exception as error:  # one task's failure must not take its batch with it
            outcome = error
        out.append((outcome, time.perf_counter() - t0))
    return out


@contextlib.contextmanager
def dask_client(workers: int = 2, scheduler: str | None = None) -> Iterator[Any]:
    """A quiet ``distributed.Client``: on ``scheduler`` if given, else on a new LocalCluster of
    ``workers`` single-threaded processes (no dashboard, logging silenced)."""
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise InvalidValueError(
                f"--scheduler {scheduler}: cannot connect ({type(error).__name__}: {error})"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise InvalidValueError(f"a Dask cluster needs --workers >= 1, got {workers}")
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        env=dict(WORKER_ENV),  # set in each worker process before it imports anything
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _run_dask(
    todo: list[Task], workers: int, scheduler: str | None, client: Any = None
) -> Iterator[tuple[Task, Any, float]]:
    from distributed import as_completed

    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(workers, scheduler))
        n_workers = len(client.nthreads()) if scheduler is not None else workers
        size = batch_size(len(todo), n_workers)
        futures = {}
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            future = client.submit(
                _timed_batch,
                [task.mapping for task in batch],
                key=f"tmslab-sweep-{batch[0].id}-{len(batch)}",
                pure=False,
            )
            futures[future.key] = (future, batch)
        for future in as_completed([f for f, _ in futures.values()]):
            batch = futures[future.key][1]
            try:
                outcomes = future.result()
            except Exception as error:  # the worker died or the batch could not run
                for task in batch:
                    yield task, error, 0.0
            else:
                for task, (outcome, elapsed) in zip(batch, outcomes, strict=True):
                    yield task, outcome, elapsed if not isinstance(outcome, BaseException) else 0.0
            future.release()
