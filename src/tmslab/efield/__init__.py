"""Induced E-fields: analytic sphere solution, primary field, metrics, maps, dose translation.

>>> from tmslab.coils import get_coil, pose_on_sphere
>>> from tmslab.conductors import get_head
>>> from tmslab.efield import sphere_efield, field_metrics
>>> head = get_head("human")
>>> coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(head.scalp_radius_m))
>>> field_metrics(coil, head).d_half_m   # about 0.014 m
"""

from __future__ import annotations

from tmslab.efield.metrics import FieldMetrics, field_metrics
from tmslab.efield.sphere import primary_efield, sphere_efield

__all__ = ["FieldMetrics", "field_metrics", "primary_efield", "sphere_efield"]
