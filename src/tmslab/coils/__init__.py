"""Coils: windings, their magnetic-dipole discretisation, presets, SimNIBS ``.ccd`` and ``.tcd``
files, placement.

>>> from tmslab.coils import get_coil, pose_on_sphere
>>> coil = get_coil("magstim-70mm-fig8")
>>> placed = coil.transformed(pose_on_sphere(0.085))
"""

from __future__ import annotations

from tmslab.coils.builders import coil_from_windings, figure8_coil, round_coil, spiral_coil
from tmslab.coils.ccd import CcdHeader, read_ccd, write_ccd
from tmslab.coils.coil import Coil
from tmslab.coils.library import coil_file_didt, get_coil, list_coils, load_coil
from tmslab.coils.placement import identity_pose, pose_on_sphere, read_pose
from tmslab.coils.tcd import TcdFile, read_tcd, read_tcd_file

__all__ = [
    "CcdHeader",
    "Coil",
    "TcdFile",
    "coil_file_didt",
    "coil_from_windings",
    "figure8_coil",
    "get_coil",
    "identity_pose",
    "list_coils",
    "load_coil",
    "pose_on_sphere",
    "read_ccd",
    "read_pose",
    "read_tcd",
    "read_tcd_file",
    "round_coil",
    "spiral_coil",
    "write_ccd",
]
