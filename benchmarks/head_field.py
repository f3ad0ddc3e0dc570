"""The field on the fsaverage cortex: set-up, solve per placement, evaluation, memory, reuse.

Prints, for the realistic head of issue 16 (the brain bounded by the inner skull, 20,480
facets; the mid-cortical surface of both hemispheres, 20,484 vertices):

* set-up: loading the head (MNE-Python and nilearn files) and building the BEM operator
  (:class:`tmslab.efield.bem.BemOperator`, the coil-independent part);
* per placement: placing the coil at a 10-05 label, the solve (right-hand side + GMRES), and
  the evaluation of E at the ~20k cortex vertices;
* peak resident memory of the process (``resource.getrusage``);
* N placements reusing the operator, side by side with the baseline that rebuilds it for
  every placement (what ``tmslab field head`` does once per run).

Goals from issue 16 on this 2-core machine: <= 30 s per placement on the template, <= 60 s for
a cold run of ``tmslab field head`` end to end (``--cli`` times one such run in a fresh process).
Wall and CPU seconds are both printed: the machine is shared, CPU time is the steadier figure.

    python benchmarks/head_field.py [--placements 10] [--cli]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clock import Clock

POSITIONS = ("F3", "C3", "F4", "C4", "Fz", "Cz", "FC3", "CP3", "P3", "AF3")
HANDLE_DEG, DISTANCE_M = 45.0, 0.004
COIL = "magstim-70mm-fig8"
SRC = Path(__file__).resolve().parents[1] / "src"


def peak_mb() -> float:
    """Peak resident memory of this process, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=10, help="placements (<= 10)")
    parser.add_argument("--cli", action="store_true", help="also time a cold `tmslab field head`")
    args = parser.parse_args()
    n = max(1, min(args.placements, len(POSITIONS)))

    from tmslab.coils import get_coil
    from tmslab.conductors.head import fsaverage_head, pose_at
    from tmslab.efield.bem import BemOperator, solve

    coil = get_coil(COIL)
    # warm-up: the Numba kernels (cached on disk) load outside the timings
    from tmslab.coils import pose_on_sphere
    from tmslab.conductors.library import sphere_conductor

    solve(sphere_conductor([0.085], edge_m=0.02), coil.transformed(pose_on_sphere(0.085)))

    with Clock() as load:
        head = fsaverage_head()
        conductor = head.conductor()
        vertices, _, _ = head.cortex("mid")
    with Clock() as setup:
        operator = BemOperator.build(conductor)
    print(f"head: {conductor.n_triangles} facets, cortex {len(vertices)} mid-surface vertices")
    print(f"{'set-up':<34}{'wall s':>9}{'cpu s':>9}")
    print(f"{'  load head (MNE + nilearn files)':<34}{load.wall:9.1f}{load.cpu:9.1f}")
    print(f"{'  BEM operator (coil-independent)':<34}{setup.wall:9.1f}{setup.cpu:9.1f}")

    rows = []
    for position in POSITIONS[:n]:
        with Clock() as place:
            placed = coil.transformed(
                pose_at(head, position, handle_angle_deg=HANDLE_DEG, distance_m=DISTANCE_M)
            )
        with Clock() as reuse:
            solution = operator.solve(placed, 1e6, check=False)
        with Clock() as evaluate:
            e = solution.efield(vertices, check=False)
        with Clock() as fresh:  # the baseline: a new operator for this placement
            solve(conductor, placed, 1e6, check=False)
        t = solution.timings_s
        rows.append(
            (
                position, place, reuse, evaluate, fresh, solution.iterations,
                float(np.linalg.norm(e, axis=1).max()), t["rhs"], t["gmres"],
            )
        )  # fmt: skip

    print(
        f"\n{'placement':<10}{'place s':>9}{'solve s':>9}{'(rhs':>7}{'gmres)':>8}{'eval s':>9}"
        f"{'reuse s':>9}{'no reuse s':>12}{'iters':>7}{'max|E| V/m/(A/us)':>19}"
    )
    for position, place, reuse, evaluate, fresh, iters, emax, rhs, gmres in rows:
        total = place.wall + reuse.wall + evaluate.wall
        print(
            f"{position:<10}{place.wall:9.1f}{reuse.wall:9.1f}{rhs:7.1f}{gmres:8.1f}"
            f"{evaluate.wall:9.1f}{total:9.1f}{fresh.wall + place.wall + evaluate.wall:12.1f}"
            f"{iters:7d}{emax:19.3g}"
        )
    with_reuse = setup.wall + sum(r[1].wall + r[2].wall + r[3].wall for r in rows)
    without = sum(r[1].wall + r[4].wall + r[3].wall for r in rows)
    cpu_with = setup.cpu + sum(r[1].cpu + r[2].cpu + r[3].cpu for r in rows)
    cpu_without = sum(r[1].cpu + r[4].cpu + r[3].cpu for r in rows)
    print(
        f"\n{n} placements, wall (cpu) s: reusing the operator {with_reuse:.1f} ({cpu_with:.1f}); "
        f"rebuilding it each time {without:.1f} ({cpu_without:.1f}); "
        f"per placement {with_reuse / n:.1f} vs {without / n:.1f} (goal <= 30)"
    )
    print(f"peak memory: {peak_mb():.0f} MB")

    if args.cli:
        import os
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            # the position option is --position (or --at before its rename)
            help_text = subprocess.run(
                [sys.executable, "-m", "tmslab", "field", "head", "--help"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            at = "--position" if "--position" in help_text else "--at"
            command = [
                sys.executable, "-m", "tmslab", "field", "head", "--coil", COIL, at, "F3",
                "--handle-angle", "45", "--distance-mm", "4", "--target", "DLPFC-Fox2012",
                "--out", str(Path(tmp) / "f3"),
            ]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(SRC)}
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
            wall = time.perf_counter() - start
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
            status = "ok" if done.returncode == 0 else f"failed: {done.stderr.strip()[-200:]}"
            print(
                f"cold `tmslab field head ... --out`: {wall:.1f} s wall, "
                f"{cpu:.1f} s cpu, peak {usage.ru_maxrss / 1024:.0f} MB "
                f"(goal <= 60 s); {status}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
