"""BEM-FMM on the 8.5 cm sphere with a figure-8 coil: time, memory and accuracy vs mesh size.

Prints, for sphere meshes of about 5k, 20k and 80k triangles: mean edge, triangles, meshing,
operator set-up and GMRES solve times, GMRES iterations, peak memory (resident set, from
getrusage, of the process so far), RDM and |ln MAG| against the analytic sphere at points 3-30
mm deep, and the fitted exponent p of time ~ N^p (N log N has p slightly above 1).

    python benchmarks/bem_sphere.py [--sizes 5000,20000,80000]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors.library import sphere_conductor
from tmslab.efield.bem import solve
from tmslab.efield.kernels import sphere_efield

RADIUS = 0.085


def fibonacci_sphere(n: int) -> np.ndarray:
    i = np.arange(n) + 0.5
    polar = np.arccos(1 - 2 * i / n)
    azimuth = np.pi * (1 + 5**0.5) * i
    return np.c_[np.cos(azimuth) * np.sin(polar), np.sin(azimuth) * np.sin(polar), np.cos(polar)]


def edge_for(triangles: int) -> float:
    """Edge length (m) giving about this many near-equilateral triangles on the sphere."""
    return float(np.sqrt(4 * np.pi * RADIUS**2 / triangles / (np.sqrt(3) / 4)))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,80000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(RADIUS))
    points = np.concatenate(
        [fibonacci_sphere(2000) * (RADIUS - d) for d in (0.003, 0.005, 0.01, 0.02, 0.03)]
    )
    reference = sphere_efield(points, coil.dipole_positions, coil.dipole_moments)
    # warm-up: compile the Numba kernels (cached on disk) outside the timings
    solve(sphere_conductor([RADIUS], edge_m=0.02), coil).efield(points[:10], check=False)
    print(f"{'edge mm':>8} {'tris':>7} {'mesh s':>7} {'setup s':>8} {'gmres s':>8} {'iters':>5} "
          f"{'total s':>8} {'peak MB':>8} {'RDM':>7} {'|lnMAG|':>8}")  # fmt: skip
    totals, counts = [], []
    for target in sizes:
        start = time.perf_counter()
        conductor = sphere_conductor([RADIUS], edge_m=edge_for(target))
        meshed = time.perf_counter() - start
        start = time.perf_counter()
        solution = solve(conductor, coil, check=False)
        solved = time.perf_counter() - start
        e = solution.efield(points, check=False)
        a, b = np.linalg.norm(e), np.linalg.norm(reference)
        rdm = np.linalg.norm(e / a - reference / b)
        t = solution.timings_s
        setup = t["operator"] + t["rhs"]
        totals.append(solved)
        counts.append(conductor.n_triangles)
        print(f"{conductor.mean_edge_m() * 1e3:8.2f} {conductor.n_triangles:7d} {meshed:7.1f} "
              f"{setup:8.1f} {t['gmres']:8.1f} {solution.iterations:5d} {solved:8.1f} "
              f"{peak_rss_mb():8.0f} {rdm:7.4f} {abs(np.log(a / b)):8.5f}", flush=True)  # fmt: skip
    if len(sizes) > 1:
        exponent = np.polyfit(np.log(counts), np.log(totals), 1)[0]
        print(f"solve time ~ N^{exponent:.2f} (N log N over this range ~ N^1.1)")


if __name__ == "__main__":
    main()
