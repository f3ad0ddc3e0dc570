"""Placement search by reciprocity against direct solves, on the fsaverage template head.

Issue 18's goal on this 2-core machine: 1,000 positions x 72 handle angles in <= 30 s after the
head's set-up. Printed side by side, in the same process:

* set-up (once per head): loading the head and building the BEM operator;
* per target: the adjoint solves (three GMRES solves with the transposed operator) and the
  sampling of the volume-current part of the reciprocal field on its grid;
* the scan: every position x angle by reciprocity, and the time per evaluated pose;
* the baseline: direct BEM solves of a few of the same poses (what a brute-force search costs
  per pose), and the ratio of the two per-pose times;
* the agreement of reciprocity and the direct solves at those poses.

The scan runs twice: the first includes compiling the Numba kernels when the cache is cold (run
with ``--cold`` to empty a private cache first), the second is warm. Wall and CPU seconds are
both printed; the machine is shared, CPU time is the steadier figure.

    python benchmarks/placement.py [--positions 1000] [--angle-step 5] [--direct 6] [--cold]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clock import Clock

SRC = Path(__file__).resolve().parents[1] / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=1000, help="about this many positions")
    parser.add_argument("--angle-step", type=float, default=5.0)
    parser.add_argument("--direct", type=int, default=6, help="direct solves for the baseline")
    parser.add_argument("--target", default="M1-hand")
    parser.add_argument("--cold", action="store_true", help="start from an empty Numba cache")
    args = parser.parse_args()
    if args.cold:
        cache = tempfile.mkdtemp(prefix="tmslab-numba-")
        os.environ["NUMBA_CACHE_DIR"] = cache
    sys.path.insert(0, str(SRC))
    import numpy as np

    from tmslab.coils import get_coil
    from tmslab.conductors.head import fsaverage_head, named_target
    from tmslab.conductors.head.placement import project_to_scalp, scalp_grid_poses
    from tmslab.efield.bem.solve import BemOperator
    from tmslab.efield.optimise import GRID_STEP_M, _corners
    from tmslab.efield.reciprocity import BemReciprocity, auxiliary_coil_for, field_over_angles
    from tmslab.geometry import turned_about_z

    step = 0.002
    radius = step * np.sqrt(args.positions / np.pi)  # a disc of about that many grid points
    n_angles = round(360 / args.angle_step)
    coil = get_coil("magstim-70mm-fig8")
    print(
        f"numba cache: {'cold (' + os.environ['NUMBA_CACHE_DIR'] + ')' if args.cold else 'as is'}"
    )
    with Clock() as c_setup:
        head = fsaverage_head()
        target = named_target(head, args.target)
        operator = BemOperator.build(head.conductor())
    print(f"set-up (head + operator, {operator.n} facets):      {c_setup}")
    _, base = scalp_grid_poses(
        head, project_to_scalp(head, target.point), radius, step, distance_m=0.004
    )
    aux = auxiliary_coil_for(coil, n_angles, base[0], target.point)
    with Clock() as c_adjoint:
        rec = BemReciprocity.build(operator, target.point, _corners(aux, base), base[0, :3, :3], GRID_STEP_M)  # fmt: skip
    print(f"adjoint (GMRES {list(rec.iterations)}, grid {rec.grid.shape[:3]}):     {c_adjoint}")
    poses = len(base) * n_angles
    scans = []
    for label in ("first (compiles if cold)", "warm"):
        with Clock() as c_scan:
            e = field_over_angles(rec.bfield, coil, base, n_angles, aux=aux)
        scans.append(c_scan)
        print(
            f"scan {len(base)} positions x {n_angles} angles = {poses:,} poses, {label}: "
            f"{c_scan}  = {c_scan.wall / poses * 1e6:.0f} us/pose"
        )
    rng = np.random.default_rng(0)
    picks = [
        (int(rng.integers(len(base))), int(rng.integers(n_angles))) for _ in range(args.direct)
    ]
    differences = []
    with Clock() as c_direct:
        for i, a in picks:
            placed = coil.transformed(base[i] @ turned_about_z(np.deg2rad(a * args.angle_step)))
            d = operator.solve(placed).efield(target.point[None])[0]
            differences.append(np.linalg.norm(e[i, a] - d) / np.linalg.norm(d))
    per_direct = c_direct.wall / len(picks)
    per_recip = scans[-1].wall / poses
    print(
        f"baseline: {len(picks)} direct BEM solves:              {c_direct}  = {per_direct:.1f} s/pose"
    )
    print(
        f"per pose: reciprocity {per_recip * 1e6:.0f} us vs direct {per_direct:.1f} s: "
        f"{per_direct / per_recip:,.0f}x; the whole scan by direct solves would take "
        f"{per_direct * poses / 3600:.1f} h"
    )
    print(f"reciprocity vs direct at those poses: max |dE|/|E| = {max(differences):.2e}")
    total = c_adjoint.wall + scans[-1].wall
    verdict = "met" if scans[-1].wall <= 30 else "NOT met"
    print(
        f"goal: {poses:,} poses <= 30 s after the head's set-up: scan {scans[-1].wall:.1f} s "
        f"(warm; {verdict}), adjoint + scan {total:.1f} s"
    )
    if args.cold:
        shutil.rmtree(os.environ["NUMBA_CACHE_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
