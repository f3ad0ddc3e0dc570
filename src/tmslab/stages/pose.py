"""A scenario's ``[coil] pose``: reading it, and the report rows that describe it."""

from __future__ import annotations

from tmslab.scenario import Scenario
from tmslab.units import MM_PER_M

POSE_UNIT_KEY = "[coil] pose_unit"


def scenario_pose(scenario: Scenario):
    """The ``[coil] pose`` of a scenario, read: ((4, 4) coil -> head pose in m, the unit the
    file was read in), or None. Paths are relative to the scenario file."""
    from pathlib import Path

    from tmslab.coils.placement import pose_file_unit, read_pose

    spec = scenario.spec.coil
    if not spec.pose:
        return None
    path = Path(spec.pose).expanduser()
    if not path.is_absolute() and scenario.path is not None:
        path = scenario.path.parent / path
    matrix = read_pose(path, spec.pose_unit, POSE_UNIT_KEY)
    return matrix, spec.pose_unit or pose_file_unit(path)


def pose_rows(pose, unit: str) -> list[tuple[str, str]]:
    """Report rows describing a pose: the coil centre and where its axis points (head frame)."""
    centre = ", ".join(f"{v * MM_PER_M:.4g}" for v in pose[:3, 3])
    axis = ", ".join(f"{v:.3g}" for v in pose[:3, 2])
    handle = ", ".join(f"{v:.3g}" for v in pose[:3, 1])
    return [
        ("coil pose", f"centre ({centre}) mm; z axis ({axis}); handle ({handle}); file in {unit}")
    ]
