"""Thresholds of many placed copies of one cell, looked up in its uniform-field direction table.

In a uniform field a cell's threshold depends only on the field's direction in the cell's own
frame (Aberra et al. 2018, their threshold-direction maps). Weise et al. 2023
(doi:10.1162/imag_a_00036) estimate the thresholds of cells placed in a realistic head from such
precomputed maps, looked up with the macroscopic field at each cell, and found them within
-3 % to +3.7 % of full simulations in 98 % of cases. tmslab does the same:

* the table is the batched solver's threshold search along D Fibonacci directions
  (:func:`~tmslab.neuron.threshold.direction_thresholds`, in two passes: :func:`_search`), cached
  on disk under
  ``user_cache_dir()/direction-tables`` by a SHA-256 of every array the simulation reads (the
  cell's compartments and membranes, its rest, the pulse, the step, the search), so a changed cell
  or pulse never reads a stale table;
* a placed cell's estimate is the table interpolated at the direction of the applied field at its
  soma, in its own frame, divided by that field's magnitude. The interpolation is linear in the
  excitability 1/threshold over the triangles of the directions' convex hull (a spherical
  Delaunay triangulation): excitability varies about as the cosine of the angle to a preferred
  direction, which is smooth, where the threshold diverges.

The estimate ignores how the field varies along the cell. :func:`tmslab.neuron.cortex.
cortex_threshold_map` therefore simulates a sample of the cells with the field at every
compartment and reports the difference beside the thresholds. On the fsaverage head under a
figure-8 coil at C3, for 1,000 ``aberra-l5-pc`` cells around M1-hand, the 400-direction table
differs from the full simulation by 1.0 % in the median and 5.6 % at most
(``benchmarks/neuron_map.py``, ``docs/validation-neurons.md``).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError

DEFAULT_DIRECTIONS = 400
TABLE_FORMAT = 2  # bump when the search or the kernel changes what a table holds
TWO_PASS_FROM = 100  # directions from which a table is searched in two passes (_search)
COARSE_EVERY = 4
GUESS_STEP = 1.05  # the second pass's first bracket: +-5 % around the interpolated guess
_CACHE_FOLDER = "direction-tables"


@dataclass(frozen=True, eq=False)
class DirectionTable:
    """Uniform-field thresholds of one cell over directions of its own frame.

    Attributes
    ----------
    model : str
        The cell model.
    waveform : str
        The pulse.
    directions : (D, 3) ndarray, dimensionless
        Unit vectors in the cell's frame.
    thresholds_v_per_m : (D,) ndarray, V/m
        Peak field at threshold (NaN: did not fire up to the search limit).
    initiation_node : (D,) ndarray of int
        Node where the spike starts at threshold (-1: none).
    rel_tol : float, dimensionless
        Relative width of the bisection bracket.
    key : str
        SHA-256 of everything the simulations read (the cache key).
    n_simulations : int
        Runs simulated to build it (0: read from the cache).
    """

    model: str
    waveform: str
    directions: np.ndarray
    thresholds_v_per_m: np.ndarray
    initiation_node: np.ndarray
    rel_tol: float
    key: str
    n_simulations: int = 0

    def estimate(self, e_local_v_per_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Thresholds of cells whose soma sees the field ``e_local_v_per_m`` (their own frame).

        Parameters
        ----------
        e_local_v_per_m : (P, 3) ndarray, V/m
            Applied field at each soma, in the cell's frame.

        Returns
        -------
        scale : (P,) ndarray, dimensionless
            Factor on that field at which the cell fires (NaN where a direction of the
            surrounding triangle did not fire, or the field is zero).
        node : (P,) ndarray of int
            Initiation node of the nearest table direction (-1: none).
        """
        e = np.atleast_2d(np.asarray(e_local_v_per_m, dtype=float))
        magnitude = np.linalg.norm(e, axis=1)
        safe = np.where(magnitude > 0, magnitude, 1.0)
        u = np.where(magnitude[:, None] > 0, e / safe[:, None], [0.0, 0.0, 1.0])  # no field: NaN
        threshold = interpolate_on_sphere(self.directions, self.thresholds_v_per_m, u)
        scale = np.where(magnitude > 0, threshold / safe, np.nan)
        nearest = np.argmax(u @ self.directions.T, axis=1)
        node = np.where(np.isfinite(scale), self.initiation_node[nearest], -1)
        return scale, node


def interpolate_on_sphere(directions: np.ndarray, thresholds: np.ndarray, queries: np.ndarray):
    """Thresholds at ``queries``, linear in 1/threshold over the spherical Delaunay triangles.

    Parameters
    ----------
    directions : (D, 3) ndarray, dimensionless
        Unit vectors spread over the whole sphere (D >= 4, not all in one plane).
    thresholds : (D,) ndarray, V/m
        Threshold along each (NaN: none).
    queries : (P, 3) ndarray, dimensionless
        Unit vectors.

    Returns
    -------
    (P,) ndarray, V/m
        Interpolated thresholds; NaN where a corner of the triangle is NaN. Exact at the table's
        own directions.
    """
    from scipy.spatial import ConvexHull

    d = np.asarray(directions, dtype=float)
    q = np.atleast_2d(np.asarray(queries, dtype=float))
    hull = ConvexHull(d)
    normals, offsets = hull.equations[:, :3], hull.equations[:, 3]
    if np.any(offsets >= 0):
        raise InvalidValueError("the table's directions do not surround the origin")
    # the ray along q leaves the hull through the facet it meets first: largest (n . q) / -offset
    facet = np.argmax((q @ normals.T) / -offsets, axis=1)
    corners = hull.simplices[facet]  # (P, 3)
    weights = np.linalg.solve(np.transpose(d[corners], (0, 2, 1)), q[:, :, None])[:, :, 0]
    weights /= weights.sum(axis=1, keepdims=True)
    excitability = 1.0 / np.asarray(thresholds, dtype=float)[corners]
    return 1.0 / np.sum(weights * excitability, axis=1)


def check_directions(n_directions) -> int:
    """``n_directions`` as an int, or a one-line error unless it is an integer >= 12.

    Parameters
    ----------
    n_directions : int
        Directions of a table.

    Returns
    -------
    int
        The same number.
    """
    ok = not isinstance(n_directions, bool) and isinstance(n_directions, int | float | np.integer)
    if not ok or int(n_directions) != n_directions or n_directions < 12:
        raise InvalidValueError(
            f"table directions {n_directions!r}: give an integer >= 12 (default {DEFAULT_DIRECTIONS})"
        )
    return int(n_directions)


def table_key(engine, n_directions: int, rel_tol: float, guess: float) -> str:
    """SHA-256 of everything a direction table's simulations read.

    Parameters
    ----------
    engine : BatchedSolver
        The solver of the cell and pulse (its arrays are hashed).
    n_directions : int
        Directions of the table.
    rel_tol : float, dimensionless
        Bisection bracket.
    guess : float, V/m
        First field tried.

    Returns
    -------
    str
        64 hex digits.
    """
    import tmslab

    digest = hashlib.sha256()
    header = (
        f"format {TABLE_FORMAT}; tmslab {tmslab.__version__}; {n_directions} directions; "
        f"rel_tol {rel_tol!r}; guess {guess!r}"
    )
    digest.update(header.encode())
    for name, array in engine.inputs().items():
        a = np.ascontiguousarray(array)
        digest.update(f"{name} {a.dtype} {a.shape}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def direction_table(
    model,
    drive,
    n_directions: int = DEFAULT_DIRECTIONS,
    rel_tol: float = 0.005,
    *,
    cache: bool = True,
    cache_dir: Path | None = None,
    threads: int | None = None,
) -> DirectionTable:
    """The uniform-field direction table of ``model`` under ``drive``: from the cache or computed.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    n_directions : int
        Directions (a Fibonacci lattice), at least 12.
    rel_tol : float, dimensionless
        Bisection bracket of each direction's threshold.
    cache : bool
        Read and write the on-disk cache.
    cache_dir : Path or None
        Cache folder (default ``user_cache_dir()/direction-tables``).
    threads : int or None
        Threads of the batched solver.

    Returns
    -------
    DirectionTable
        The table (``n_simulations`` 0 when it came from the cache).
    """
    from tmslab.neuron.batched import BatchedSolver
    from tmslab.neuron.directions import fibonacci_sphere

    n = check_directions(n_directions)
    guess = model.threshold_guess_v_per_m
    key = table_key(BatchedSolver(model, drive, threads), n, rel_tol, guess)
    path = (cache_dir or _default_cache_dir()) / f"{key[:32]}.npz"
    if cache:
        found = _read(path, key, model.name, drive.name, rel_tol)
        if found is not None:
            return found
    directions = fibonacci_sphere(n)
    thresholds, nodes, runs = _search(model, drive, directions, rel_tol, guess, threads)
    table = DirectionTable(
        model.name, drive.name, directions, thresholds, nodes, rel_tol, key, runs
    )
    if cache:
        _write(path, table)
    return table


def _search(model, drive, directions, rel_tol, guess, threads):
    """Thresholds (V/m) and initiation nodes along ``directions``, and the runs it took.

    Every :data:`COARSE_EVERY`-th direction is searched from the model's guess (bracketing by
    factors of 2: about 10 runs each); the others start from the coarse thresholds interpolated
    at their direction, bracketing by :data:`GUESS_STEP` (about 6 runs each). Both end on the
    same ``rel_tol`` bracket.
    """
    from tmslab.neuron.threshold import direction_thresholds

    n = len(directions)

    def search(index, first, step):
        return direction_thresholds(
            model, drive, directions[index], "batched", rel_tol, first, step, threads=threads
        )

    if n < TWO_PASS_FROM:
        found = search(np.arange(n), guess, 2.0)
        return (
            found.thresholds_v_per_m,
            np.asarray(found.initiation_node, np.int64),
            found.n_simulations,
        )
    coarse = np.arange(0, n, COARSE_EVERY)
    rest = np.setdiff1d(np.arange(n), coarse)
    first = search(coarse, guess, 2.0)
    thresholds = np.full(n, np.nan)
    nodes = np.full(n, -1, dtype=np.int64)
    thresholds[coarse], nodes[coarse] = first.thresholds_v_per_m, first.initiation_node
    start = interpolate_on_sphere(directions[coarse], first.thresholds_v_per_m, directions[rest])
    second = search(rest, np.where(np.isfinite(start), start, guess), GUESS_STEP)
    thresholds[rest], nodes[rest] = second.thresholds_v_per_m, second.initiation_node
    return thresholds, nodes, first.n_simulations + second.n_simulations


def _default_cache_dir() -> Path:
    from tmslab.neuron._jit import user_cache_dir

    return user_cache_dir() / _CACHE_FOLDER


def _read(path: Path, key: str, model: str, waveform: str, rel_tol: float):
    """The cached table at ``path`` if it is whole and its key matches, else None."""
    try:
        with np.load(path, allow_pickle=False) as f:
            if str(f["key"]) != key:
                return None
            return DirectionTable(
                model,
                waveform,
                np.array(f["directions"], dtype=float),
                np.array(f["thresholds_v_per_m"], dtype=float),
                np.array(f["initiation_node"], dtype=np.int64),
                rel_tol,
                key,
            )
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile):
        return None  # absent, partial or foreign: compute it again


def _write(path: Path, table: DirectionTable) -> None:
    """Write the table whole (a rename) or not at all; a cache that cannot be written is skipped."""
    from tmslab.errors import TmslabError
    from tmslab.provenance import atomic_write

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:  # a handle: np.savez would add ".npz" to a path
            np.savez(
                f,
                key=np.array(table.key),
                directions=table.directions,
                thresholds_v_per_m=table.thresholds_v_per_m,
                initiation_node=table.initiation_node,
            )

    try:
        atomic_write(path, write)
    except (OSError, TmslabError):  # a read-only folder, or a file where the folder should be
        return
