"""A realistic head: the fsaverage template (MNE-Python and nilearn data), coil placement on its
scalp at 10-05 positions, and cortical targets.

Work in progress for issue 16: the solver, CLI and scenario integration come later. Everything
is in metres in fsaverage surface RAS (MNI305).
"""

from __future__ import annotations

from tmslab.conductors.head.placement import place_coil, pose_at, project_to_scalp, scalp_point
from tmslab.conductors.head.simnibs import MeshHead, load_head, simnibs_head
from tmslab.conductors.head.targets import (
    CorticalTarget,
    cortical_target,
    label_target,
    named_target,
    named_targets,
    resolve_target,
    ring_points,
)
from tmslab.conductors.head.template import HeadModel, fsaverage_head

__all__ = [
    "CorticalTarget",
    "HeadModel",
    "MeshHead",
    "cortical_target",
    "fsaverage_head",
    "label_target",
    "load_head",
    "named_target",
    "named_targets",
    "place_coil",
    "pose_at",
    "project_to_scalp",
    "resolve_target",
    "ring_points",
    "scalp_point",
    "simnibs_head",
]
