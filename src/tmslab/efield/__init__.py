"""Induced E-fields: analytic sphere solution, primary field, metrics, maps, dose translation,
and the field on the cortex of a realistic head (:func:`head_field`).

>>> from tmslab.coils import get_coil, pose_on_sphere
>>> from tmslab.conductors import get_head
>>> from tmslab.efield import sphere_efield, field_metrics
>>> head = get_head("human")
>>> coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(head.scalp_radius_m))
>>> field_metrics(coil, head).d_half_m   # about 0.014 m
"""

from __future__ import annotations

from tmslab.efield.head import CorticalField, head_field
from tmslab.efield.metrics import FieldMetrics, field_metrics
from tmslab.efield.sphere import primary_efield, sphere_efield

__all__ = [
    "CorticalField",
    "FieldMetrics",
    "field_metrics",
    "head_field",
    "primary_efield",
    "sphere_efield",
]
