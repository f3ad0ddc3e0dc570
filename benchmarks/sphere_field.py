"""Benchmark: sphere E-field of a figure-8 coil model at 100,000 points (issue 3).

Prints dipole-point pairs per second of tmslab's Numba kernel and of a straightforward
per-dipole NumPy implementation of the same formula run in this process, their ratio, and
their largest relative difference. Goals: >= 2e8 pairs/s, >= 20x NumPy, agreement 1e-10.

    python benchmarks/sphere_field.py [--points 100000] [--baseline-points 20000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors.sphere import get_head
from tmslab.efield.kernels import sphere_efield, sphere_efield_numpy


def brain_points(n: int, radius: float, seed: int = 0) -> np.ndarray:
    """n points uniformly distributed in a ball of ``radius`` (m)."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=(n, 3))
    direction /= np.linalg.norm(direction, axis=1)[:, None]
    return direction * (radius * rng.random(n) ** (1 / 3))[:, None]


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--baseline-points", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    head = get_head("human")
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(head.scalp_radius_m))
    points = brain_points(args.points, head.brain_radius_m)
    pos, mom = coil.dipole_positions, coil.dipole_moments
    k = coil.n_dipoles

    sphere_efield(points[:256], pos, mom)  # compile (or load the cache) outside the timing
    t_numba = best_of(args.repeats, lambda: sphere_efield(points, pos, mom))
    fast = sphere_efield(points, pos, mom)

    subset = points[: args.baseline_points]
    t_numpy = best_of(1, lambda: sphere_efield_numpy(subset, pos, mom))
    slow = sphere_efield_numpy(subset, pos, mom)

    rate_numba = args.points * k / t_numba
    rate_numpy = len(subset) * k / t_numpy
    rel = np.max(np.linalg.norm(fast[: len(subset)] - slow, axis=1)) / np.max(
        np.linalg.norm(slow, axis=1)
    )
    print(f"machine: {os.cpu_count()} cores; coil {coil.name}, {k} dipoles")
    print(f"numba kernel : {args.points} points in {t_numba:.3f} s = {rate_numba:.3e} pairs/s")
    print(f"numpy loop   : {len(subset)} points in {t_numpy:.3f} s = {rate_numpy:.3e} pairs/s")
    print(
        f"speed-up     : {rate_numba / rate_numpy:.1f}x (goal >= 20x); goal >= 2e8 pairs/s: "
        f"{'met' if rate_numba >= 2e8 else 'NOT met'}"
    )
    print(f"max relative difference: {rel:.2e} (goal <= 1e-10)")


if __name__ == "__main__":
    main()
