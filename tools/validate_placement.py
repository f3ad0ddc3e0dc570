"""Brute force against reciprocity: the placement search of ``tmslab optimise placement``.

On the fsaverage template head, every pose of a coarse grid (coil centres on the scalp around
the target's projection x handle angles) is solved directly with the BEM (one GMRES solve per
pose, E at the target), and the same grid is scored by reciprocity
(:func:`tmslab.efield.optimise.optimise_placement`: the adjoint solve once, then the auxiliary
coil grid). Issue 18's bar: the two optima agree to one grid step in position and angle, and E
at the optimum to 1 %.

Printed per target and goal: the best pose of each, the largest difference of the scores over
the grid (relative to the best), and the direct E at the reciprocity optimum against the direct
optimum. The figures are in docs/validation-placement.md.

Run from the repository root (about 1 minute per 4 direct solves on 2 cores)::

    python tools/validate_placement.py
    python tools/validate_placement.py --targets M1-hand --radius-mm 4 --step-mm 4 --angle-step 45
    python tools/validate_placement.py --json figures.json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from tmslab.units import A_PER_US, MM


def check(target_name: str, radius_m: float, step_m: float, angle_step: float, distance_m: float):
    from tmslab.coils import get_coil
    from tmslab.conductors.head import fsaverage_head, named_target
    from tmslab.efield.bem.solve import BemOperator
    from tmslab.efield.optimise import optimise_placement
    from tmslab.geometry import turned_about_z

    head = fsaverage_head()
    target = named_target(head, target_name)
    coil = get_coil("magstim-70mm-fig8")
    operator = BemOperator.build(head.conductor())
    start = time.perf_counter()
    recip = optimise_placement(
        head, coil, target, radius_m=radius_m, step_m=step_m, angle_step_deg=angle_step,
        distance_m=distance_m, verify=False, operator=operator,
    )  # fmt: skip
    recip_s = time.perf_counter() - start
    from tmslab.conductors.head.placement import project_to_scalp, scalp_grid_poses

    _, base = scalp_grid_poses(
        head, project_to_scalp(head, target.point), radius_m, step_m, distance_m=distance_m
    )
    direct = np.empty_like(recip.efield)
    start = time.perf_counter()
    for i, b in enumerate(base):
        for j, a in enumerate(recip.angles_deg):
            placed = coil.transformed(b @ turned_about_z(np.deg2rad(a)))
            direct[i, j] = operator.solve(placed).efield(target.point[None])[0]
    direct_s = time.perf_counter() - start
    rows = []
    for goal, vector in (("magnitude", None), ("normal", -target.normal)):
        score_r = np.linalg.norm(recip.efield, axis=2) if vector is None else recip.efield @ vector
        score_d = np.linalg.norm(direct, axis=2) if vector is None else direct @ vector
        best_r = np.unravel_index(int(np.argmax(score_r)), score_r.shape)
        best_d = np.unravel_index(int(np.argmax(score_d)), score_d.shape)
        position_gap = float(
            np.linalg.norm(recip.positions_m[best_r[0]] - recip.positions_m[best_d[0]])
        )
        angle_gap = abs(
            (recip.angles_deg[best_r[1]] - recip.angles_deg[best_d[1]] + 180) % 360 - 180
        )
        rows.append(
            {
                "target": target_name,
                "goal": goal,
                "poses": int(score_r.size),
                "best_reciprocity": [int(best_r[0]), int(best_r[1])],
                "best_direct": [int(best_d[0]), int(best_d[1])],
                "position_gap_mm": position_gap / MM,
                "angle_gap_deg": float(angle_gap),
                "max_score_difference": float(np.abs(score_r - score_d).max() / score_d.max()),
                "e_at_optimum_difference": float(
                    abs(score_d[best_r] - score_d[best_d]) / abs(score_d[best_d])
                ),
                "reciprocity_vs_direct_at_optimum": float(
                    abs(score_r[best_d] - score_d[best_d]) / abs(score_d[best_d])
                ),
                "best_direct_v_per_m_per_a_per_us": float(score_d[best_d] * A_PER_US),
                "reciprocity_s": recip_s,
                "direct_s": direct_s,
                "direct_s_per_pose": direct_s / score_r.size,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["M1-hand", "DLPFC-Fox2012"])
    parser.add_argument("--radius-mm", type=float, default=4.0)
    parser.add_argument("--step-mm", type=float, default=4.0)
    parser.add_argument("--angle-step", type=float, default=45.0)
    parser.add_argument("--distance-mm", type=float, default=4.0)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    rows = []
    for name in args.targets:
        rows += check(
            name, args.radius_mm * MM, args.step_mm * MM, args.angle_step, args.distance_mm * MM
        )
        for r in rows[-2:]:
            print(
                f"{r['target']:>14} {r['goal']:>9}: {r['poses']} poses; best recip {r['best_reciprocity']}"
                f" direct {r['best_direct']} (gap {r['position_gap_mm']:.1f} mm, {r['angle_gap_deg']:g} deg);"
                f" max score diff {r['max_score_difference']:.2%}; E at optimum "
                f"{r['best_direct_v_per_m_per_a_per_us']:.4g} V/m per A/us, recip vs direct there "
                f"{r['reciprocity_vs_direct_at_optimum']:.2%}; time recip {r['reciprocity_s']:.0f} s, "
                f"direct {r['direct_s']:.0f} s ({r['direct_s_per_pose']:.1f} s/pose)",
                flush=True,
            )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
