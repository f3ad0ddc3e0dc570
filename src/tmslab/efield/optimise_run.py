"""The ``tmslab optimise placement`` run: options checked before the search, the search, the folder.

:func:`prepare_placement` checks every option (head, coil, target, grid, goal, output folder)
in seconds; :func:`run_placement` searches (:func:`tmslab.efield.optimise.optimise_placement`)
and writes the output folder whole or not at all (:func:`write_placement`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tmslab.efield.head import as_coil
from tmslab.efield.optimise import PlacementOptimum, optimise_placement
from tmslab.errors import InvalidValueError, check_positive
from tmslab.units import A_PER_US, MM, MM_PER_M

__all__ = [
    "PLACEMENT_FILES",
    "PlacementSetup",
    "placement_rows",
    "placement_summary",
    "prepare_placement",
    "run_placement",
    "write_placement",
]

FIGURE_NAME = "placement_map.png"
PLACEMENT_FILES = (
    "summary.json",
    "placement_scan.csv",
    "coil_pose.matsimnibs.txt",
    FIGURE_NAME,
)
CLI_GOALS = ("magnitude", "normal", "focal")
MAX_POSES = 2_000_000  # positions x angles; ~30 s per 72k on 2 cores


@dataclass(frozen=True, eq=False)
class PlacementSetup:
    """A checked placement search (everything decided before the work).

    Attributes
    ----------
    head : HeadModel
        The head.
    coil : Coil
        The coil (its own frame).
    target : CorticalTarget
        The target.
    goal : str
        ``"magnitude"``, ``"normal"`` or ``"focal"``.
    avoid_m : (K, 3) ndarray or None, m
        The focal goal's points to avoid (head frame; None: a ring around the target).
    penalty : float, dimensionless
        The focal goal's weight.
    radius_m, step_m, distance_m : float, m
        Search radius, grid step, scalp-to-coil distance.
    angle_step_deg : float, degrees
        Handle-angle step.
    e_goal_v_per_m : float or None, V/m
        Field wanted at the target (for the intensity it needs).
    didt_max_a_per_s : float or None, A/s
        The stimulator+coil's dI/dt at 100 % MSO.
    out : Path or None
        Output folder (checked writable).
    """

    head: Any
    coil: Any
    target: Any
    goal: str
    radius_m: float
    step_m: float
    angle_step_deg: float
    distance_m: float
    e_goal_v_per_m: float | None = None
    didt_max_a_per_s: float | None = None
    out: Path | None = None
    avoid_m: np.ndarray | None = None
    penalty: float = 1.0


def prepare_placement(
    coil,
    *,
    head=None,
    target: str | None = None,
    target_mni_m=None,
    target_label: str | None = None,
    goal: str = "magnitude",
    radius_m: float = 0.02,
    step_m: float = 0.002,
    angle_step_deg: float = 5.0,
    distance_m: float = 0.0,
    e_goal_v_per_m: float | None = None,
    didt_max_a_per_s: float | None = None,
    out: str | Path | None = None,
    avoid_mni_m=None,
    penalty: float = 1.0,
) -> PlacementSetup:
    """Check every option of a placement search before any solve (a few seconds).

    Parameters
    ----------
    coil : Coil or str
        Coil or preset name / coil file.
    head : HeadModel, str, Path or None
        ``"fsaverage"`` (default) or a SimNIBS head mesh ``.msh``.
    target : str or None
        A named target (``"M1-hand"``); or give one of the next two.
    target_mni_m : (3,) array_like, m, or None
        An MNI152 coordinate on the cortex (as published).
    target_label : str or None
        A 10-05 label projected onto the cortex.
    goal : str
        ``"magnitude"``, ``"normal"`` or ``"focal"``.
    radius_m, step_m : float, m
        Search radius around the target's scalp projection and grid spacing.
    angle_step_deg : float, degrees
        Handle-angle step (divides 360).
    distance_m : float, m
        Scalp to coil centre.
    e_goal_v_per_m : float or None, V/m
        Field wanted at the target.
    didt_max_a_per_s : float or None, A/s
        dI/dt at 100 % MSO of the stimulator+coil (reports % MSO).
    out : str, Path or None
        Output folder.
    avoid_mni_m : (K, 3) array_like or None, m
        For ``goal="focal"``: MNI152 coordinates where the field is penalised (each snapped
        to the mid-cortex); None: 6 cortex points 20 mm around the target.
    penalty : float, dimensionless
        For ``goal="focal"``: the weight of the largest |E| at those points.

    Returns
    -------
    PlacementSetup
        Ready for :func:`run_placement`.

    Raises
    ------
    TmslabError
        A one-line error for any bad option.
    """
    from tmslab.conductors.head import load_head, resolve_target

    if goal not in CLI_GOALS:
        raise InvalidValueError(f"--goal {goal!r}: use one of {', '.join(CLI_GOALS)}")
    check_positive("--step-mm", step_m, "m")
    if not (np.isfinite(radius_m) and radius_m >= 0):
        raise InvalidValueError(f"--radius-mm {radius_m / MM:g} must be >= 0")
    if radius_m > 0.1:
        raise InvalidValueError(
            f"--radius-mm {radius_m / MM:g} is larger than a third of the head; search within "
            "100 mm of the target's projection (the coil is placed tangent to the scalp)"
        )
    n_angles = 360.0 / angle_step_deg if angle_step_deg > 0 else 0.0
    if not (n_angles >= 1 and abs(n_angles - round(n_angles)) < 1e-9):
        raise InvalidValueError(f"--angle-step {angle_step_deg:g} must be > 0 and divide 360")
    n_positions = np.pi * (radius_m / step_m + 1) ** 2
    if n_positions * n_angles > MAX_POSES:
        raise InvalidValueError(
            f"about {n_positions * n_angles:,.0f} poses: more than {MAX_POSES:,}; use a coarser "
            "--step-mm or --angle-step, or a smaller --radius-mm"
        )
    if not (np.isfinite(distance_m) and distance_m >= 0):
        raise InvalidValueError(f"--distance-mm {distance_m / MM:g} must be >= 0")
    if e_goal_v_per_m is not None:
        check_positive("--e-goal", e_goal_v_per_m, "V/m")
    if goal != "focal" and avoid_mni_m is not None:
        raise InvalidValueError("--avoid-mni goes with --goal focal")
    if not (np.isfinite(penalty) and penalty >= 0):
        raise InvalidValueError(f"--penalty {penalty:g} must be >= 0")
    if didt_max_a_per_s is not None:
        check_positive("--didt-max", didt_max_a_per_s, "A/s")
    given = [t for t in (target, target_mni_m, target_label) if t is not None]
    if len(given) != 1:
        raise InvalidValueError("give the target: one of --target, --target-mni, --target-label")
    if out is not None:
        from tmslab.outputs import prepare_output_folder

        out = prepare_output_folder(out, PLACEMENT_FILES)
    coil = as_coil(coil)
    head = load_head(head)
    goal_target = resolve_target(head, target, target_mni_m, target_label)
    avoid = None
    if avoid_mni_m is not None:
        from tmslab.conductors.head import cortical_target

        avoid = np.array([cortical_target(head, p).point for p in np.reshape(avoid_mni_m, (-1, 3))])
    return PlacementSetup(
        head,
        coil,
        goal_target,
        goal,
        float(radius_m),
        float(step_m),
        float(angle_step_deg),
        float(distance_m),
        e_goal_v_per_m,
        didt_max_a_per_s,
        out,
        avoid,
        float(penalty),
    )


def run_placement(
    setup: PlacementSetup,
    figure: Callable[[PlacementOptimum, Path], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PlacementOptimum:
    """Search a checked setup and, if it has an ``out`` folder, write it.

    Parameters
    ----------
    setup : PlacementSetup
        From :func:`prepare_placement`.
    figure : callable or None
        ``figure(result, path)`` saving the map (the viz layer's, from the caller).
    progress : callable or None
        ``progress(done, total)``: positions scored so far, of all.

    Returns
    -------
    PlacementOptimum
        The scores, the best pose and its direct check.
    """
    result = optimise_placement(
        setup.head,
        setup.coil,
        setup.target,
        goal=setup.goal,
        avoid_m=setup.avoid_m,
        penalty=setup.penalty,
        radius_m=setup.radius_m,
        step_m=setup.step_m,
        angle_step_deg=setup.angle_step_deg,
        distance_m=setup.distance_m,
        progress=progress,
    )
    if setup.out is not None:
        write_placement(setup.out, setup, result, figure)
    return result


def _intensity(setup: PlacementSetup, result: PlacementOptimum) -> dict[str, Any]:
    if setup.e_goal_v_per_m is None:
        return {}
    didt = result.didt_for(setup.e_goal_v_per_m)
    out: dict[str, Any] = {"e_goal_v_per_m": setup.e_goal_v_per_m, "didt_a_per_us": didt / A_PER_US}
    if setup.didt_max_a_per_s is not None:
        from tmslab.efield.dose import pct_of_max

        pct = pct_of_max(didt, setup.didt_max_a_per_s)
        out.update(pct_mso=pct, exceeds_device=bool(pct > 100.0))
    return out


def placement_summary(setup: PlacementSetup, result: PlacementOptimum) -> dict[str, Any]:
    """What a run reports, as plain values (V/m per A/us, mm, degrees).

    Parameters
    ----------
    setup : PlacementSetup
        The run's options.
    result : PlacementOptimum
        Its result.

    Returns
    -------
    dict
        JSON-ready summary.
    """
    per = A_PER_US  # fields per unit dI/dt -> V/m per A/us
    i, _ = result.best
    target = setup.target
    summary: dict[str, Any] = {
        "head": result.head_name,
        "coil": result.coil_name,
        "target": getattr(target, "name", None),
        "target_mm": (result.target_m * MM_PER_M).tolist(),
        "goal": result.goal,
        "positions": len(result.positions_m),
        "angles": len(result.angles_deg),
        "poses": result.n_poses,
        "best_position_mm": (result.positions_m[i] * MM_PER_M).tolist(),
        "best_offset_mm": float(np.linalg.norm(result.positions_m[i] - result.positions_m[0]))
        * MM_PER_M,
        "best_handle_angle_deg": result.best_angle_deg,
        "pose_matsimnibs_mm": _pose_mm(result.pose).tolist(),
        "score_reciprocity_v_per_m_per_a_per_us": result.best_target_value * per,
        "e_target_reciprocity_v_per_m_per_a_per_us": (result.e_best * per).tolist(),
    }
    if result.avoid_m is not None:
        i, a = result.best
        summary["objective_v_per_m_per_a_per_us"] = result.best_score * per
        summary["avoid_mm"] = (result.avoid_m * MM_PER_M).tolist()
        summary["avoid_max_e_v_per_m_per_a_per_us"] = float(
            np.linalg.norm(result.avoid_efield[i, a], axis=-1).max() * per
        )
        summary["penalty"] = result.penalty
    if result.e_direct is not None:
        summary["score_direct_v_per_m_per_a_per_us"] = result.score_of(result.e_direct) * per
        summary["e_target_direct_v_per_m_per_a_per_us"] = (result.e_direct * per).tolist()
        summary["reciprocity_vs_direct"] = result.agreement
    if result.direct is not None:
        summary["e_max_robust_v_per_m_per_a_per_us"] = result.direct.e_max
        summary["hotspot_distance_mm"] = result.direct.hotspot_distance_m * MM_PER_M
    summary.update(_intensity(setup, result))
    summary["timings_s"] = dict(result.timings_s)
    summary["notes"] = list(result.notes)
    return summary


def _pose_mm(pose: np.ndarray) -> np.ndarray:
    p = np.array(pose, dtype=float)
    p[:3, 3] *= MM_PER_M
    return p


def placement_rows(setup: PlacementSetup, result: PlacementOptimum) -> list[tuple[str, str]]:
    """The summary as (label, value) rows for a table.

    Parameters
    ----------
    setup : PlacementSetup
        The run's options.
    result : PlacementOptimum
        Its result.

    Returns
    -------
    list of (str, str)
        Rows.
    """
    s = placement_summary(setup, result)
    mm = lambda v: "(" + ", ".join(f"{x:.1f}" for x in v) + ") mm"  # noqa: E731
    label = "E_n (into the cortex)" if result.goal == "normal" else "|E|"
    rows = [
        ("target", f"{s['target'] or 'MNI point'} at {mm(s['target_mm'])}"),
        ("searched", f"{s['positions']} positions x {s['angles']} angles = {s['poses']:,} poses"),
        ("best position", f"{mm(s['best_position_mm'])}, {s['best_offset_mm']:.1f} mm from the "
         "target's projection"),
        ("best handle angle", f"{s['best_handle_angle_deg']:g} deg from posterior"),
        (f"{label} at target (reciprocity)",
         f"{s['score_reciprocity_v_per_m_per_a_per_us']:.4g} V/m per A/us"),
    ]  # fmt: skip
    if "score_direct_v_per_m_per_a_per_us" in s:
        rows.append(
            (
                f"{label} at target (direct solve)",
                f"{s['score_direct_v_per_m_per_a_per_us']:.4g} V/m per A/us "
                f"(reciprocity differs by {s['reciprocity_vs_direct']:.2%})",
            )
        )
    if "objective_v_per_m_per_a_per_us" in s:
        rows.append(
            (
                "largest |E| at the points to avoid",
                f"{s['avoid_max_e_v_per_m_per_a_per_us']:.4g} V/m per A/us at "
                f"{len(s['avoid_mm'])} points (objective {s['objective_v_per_m_per_a_per_us']:.4g})",
            )
        )
    if "hotspot_distance_mm" in s:
        rows.append(("hot spot to target", f"{s['hotspot_distance_mm']:.1f} mm"))
    if "didt_a_per_us" in s:
        text = f"{s['didt_a_per_us']:.4g} A/us for {s['e_goal_v_per_m']:g} V/m"
        if "pct_mso" in s:
            text += f" = {s['pct_mso']:.1f} % MSO" + (
                " (EXCEEDS the device's maximum)" if s["exceeds_device"] else ""
            )
        rows.append(("intensity needed", text))
    t = s["timings_s"]
    rows.append(("time", ", ".join(f"{k} {v:.1f} s" for k, v in t.items())))
    rows += [("note", n) for n in s["notes"]]
    return rows


def write_placement(
    out: str | Path,
    setup: PlacementSetup,
    result: PlacementOptimum,
    figure: Callable[[PlacementOptimum, Path], None] | None = None,
) -> Path:
    """Write a search's files into folder ``out``, all at once.

    Files (:data:`PLACEMENT_FILES`): ``summary.json``; ``placement_scan.csv`` (one row per
    position and angle: position x,y,z mm, handle angle deg, E at the target ex,ey,ez and the
    goal's score, V/m per A/us); ``coil_pose.matsimnibs.txt`` (the best pose, mm); and the
    map ``placement_map.png`` if ``figure`` is given.

    Parameters
    ----------
    out : str or Path
        The folder (replaced as a whole).
    setup : PlacementSetup
        The run's options.
    result : PlacementOptimum
        Its result.
    figure : callable or None
        ``figure(result, path)``.

    Returns
    -------
    Path
        The folder.
    """
    from tmslab.io.pose import write_pose
    from tmslab.outputs import OutputSet
    from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS, dumps

    summary = dumps(placement_summary(setup, result), RESULT_SIGNIFICANT_DIGITS) + "\n"
    with OutputSet(Path(out)) as files:
        files.write_text("summary.json", summary)
        files.write("placement_scan.csv", lambda p: _write_scan(p, result))
        files.write("coil_pose.matsimnibs.txt", lambda p: write_pose(p, result.pose, "mm"))
        if figure is not None:
            files.write(FIGURE_NAME, lambda p: figure(result, p))
    return Path(out)


def _write_scan(path: Path, result: PlacementOptimum) -> None:
    n_pos, n_ang = result.score.shape
    pos = np.repeat(result.positions_m * MM_PER_M, n_ang, axis=0)
    ang = np.tile(result.angles_deg, n_pos)
    e = result.efield.reshape(-1, 3) * A_PER_US
    score = result.score.reshape(-1) * A_PER_US
    table = np.column_stack([pos, ang, e, score])
    unit = "v_per_m_per_a_per_us"
    header = f"x_mm,y_mm,z_mm,handle_angle_deg,ex_{unit},ey_{unit},ez_{unit},score_{unit}"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6g")
