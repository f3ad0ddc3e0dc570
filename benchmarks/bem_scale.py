"""BEM-FMM scaling on the 8.5 cm sphere: time, memory and accuracy up to whole-head sizes.

Each (code, size) runs in a fresh process (so its peak resident memory is its own) and prints
facets, meshing, operator set-up and GMRES times (wall and CPU seconds: the machine is shared,
CPU time is the steadier figure), GMRES iterations, FMM eps, peak memory, RDM and |ln MAG|
against the analytic sphere (Heller & van Hulsteyn 1992) at 10,000 points 3-30 mm deep, and
the time of a second coil placement that reuses the operator (``BemOperator``).

With ``--base DIR`` (a ``src`` directory of an older tmslab, e.g. made with
``git archive e38047a src | tar -x -C /tmp/base``) the old code runs too, alternating with the
new one, at the sizes up to ``--base-max``.

    python benchmarks/bem_scale.py [--sizes 20000,80000,200000] [--base /tmp/base/src]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RADIUS = 0.085
HERE = Path(__file__).resolve()
NEW_SRC = HERE.parents[1] / "src"


def fibonacci_sphere(n: int) -> np.ndarray:
    i = np.arange(n) + 0.5
    polar = np.arccos(1 - 2 * i / n)
    azimuth = np.pi * (1 + 5**0.5) * i
    return np.c_[np.cos(azimuth) * np.sin(polar), np.sin(azimuth) * np.sin(polar), np.cos(polar)]


def edge_for(triangles: int) -> float:
    """Edge length (m) giving about this many near-equilateral triangles on the sphere."""
    return float(np.sqrt(4 * np.pi * RADIUS**2 / triangles / (np.sqrt(3) / 4)))


def worker(target: int) -> dict:
    """Solve one size with whichever tmslab is first on the path; returns the figures."""
    from tmslab.coils import get_coil, pose_on_sphere
    from tmslab.conductors.library import sphere_conductor
    from tmslab.efield.bem import solve
    from tmslab.efield.kernels import sphere_efield

    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(RADIUS))
    points = np.concatenate(
        [fibonacci_sphere(2000) * (RADIUS - d) for d in (0.003, 0.005, 0.01, 0.02, 0.03)]
    )
    reference = sphere_efield(points, coil.dipole_positions, coil.dipole_moments)
    # warm-up: load the Numba kernels (cached on disk) outside the timings
    solve(sphere_conductor([RADIUS], edge_m=0.02), coil).efield(points[:10], check=False)
    start = time.perf_counter()
    conductor = sphere_conductor([RADIUS], edge_m=edge_for(target))
    meshed = time.perf_counter() - start
    wall, cpu = time.perf_counter(), time.process_time()
    solution = solve(conductor, coil, check=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    e = solution.efield(points, check=False)
    a, b = np.linalg.norm(e), np.linalg.norm(reference)
    t = solution.timings_s
    row = {
        "facets": conductor.n_triangles,
        "edge_mm": conductor.mean_edge_m() * 1e3,
        "mesh_s": meshed,
        "setup_s": t["operator"] + t["rhs"],
        "gmres_s": t["gmres"],
        "total_s": wall,
        "cpu_s": cpu,
        "iters": solution.iterations,
        "eps": solution.eps,
        "rdm": float(np.linalg.norm(e / a - reference / b)),
        "lnmag": float(abs(np.log(a / b))),
        "second_s": float("nan"),
    }
    try:
        from tmslab.efield.bem import BemOperator
    except ImportError:  # the old code has no reusable operator
        BemOperator = None
    if BemOperator is not None:
        operator = BemOperator.build(conductor)
        moved = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(RADIUS, (0.5, 0, 1)))
        start = time.perf_counter()
        operator.solve(moved, check=False)
        row["second_s"] = time.perf_counter() - start
        row["operator_mb"] = operator.operator.nbytes / 2**20
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def run(src: Path, target: int, timeout_s: float) -> dict | None:
    env = dict(os.environ, PYTHONPATH=str(src))
    try:
        done = subprocess.run(
            [sys.executable, str(HERE), "--worker", str(target)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


HEADER = (
    f"{'code':>5} {'facets':>8} {'edge mm':>7} {'mesh s':>7} {'setup s':>8} {'gmres s':>8} "
    f"{'iters':>5} {'total s':>8} {'cpu s':>7} {'2nd s':>7} {'eps':>7} {'peak MB':>8} "
    f"{'RDM':>7} {'|lnMAG|':>8}"
)


def line(code: str, r: dict) -> str:
    return (
        f"{code:>5} {r['facets']:8d} {r['edge_mm']:7.2f} {r['mesh_s']:7.1f} {r['setup_s']:8.1f} "
        f"{r['gmres_s']:8.1f} {r['iters']:5d} {r['total_s']:8.1f} {r['cpu_s']:7.1f} "
        f"{r['second_s']:7.1f} {r['eps']:7.0e} {r['peak_mb']:8.0f} {r['rdm']:7.4f} "
        f"{r['lnmag']:8.5f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,80000,200000")
    parser.add_argument("--base", type=Path, help="src directory of the code to compare with")
    parser.add_argument("--base-max", type=int, default=80000)
    parser.add_argument("--timeout-s", type=float, default=1800.0)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    print(HEADER, flush=True)
    rows = {"new": [], "base": []}
    for target in [int(s) for s in args.sizes.split(",")]:
        codes = [("new", NEW_SRC)]
        if args.base is not None and target <= args.base_max:
            codes.insert(0, ("base", args.base))
        for code, src in codes:
            r = run(src, target, args.timeout_s)
            if r is None:
                print(f"{code:>5} {target:8d}  (failed or over {args.timeout_s:.0f} s)", flush=True)
                continue
            rows[code].append(r)
            print(line(code, r), flush=True)
    for code, rs in rows.items():
        if len(rs) > 1:
            n = np.array([r["facets"] for r in rs], dtype=float)
            p = np.polyfit(np.log(n), np.log([r["cpu_s"] for r in rs]), 1)[0]
            print(f"{code}: CPU time ~ N^{p:.2f} (N log N over this range ~ N^1.1)")
    if rows["new"]:
        r = rows["new"][-1]
        print(f"new, {r['facets']} facets: {r['peak_mb'] * 2**20 / r['facets']:.0f} B peak resident "
              f"per facet, operator {r.get('operator_mb', 0):.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
