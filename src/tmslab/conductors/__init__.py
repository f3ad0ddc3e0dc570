"""Conductor models in which the E-field is computed: spherical heads (analytic field) and
piecewise-homogeneous conductors bounded by triangle meshes (numerical field: dishes, plates,
ellipsoidal heads, imported meshes)."""

from __future__ import annotations

from tmslab.conductors.library import get_conductor, list_conductors
from tmslab.conductors.sphere import SphereHead, get_head, list_heads, sphere_head
from tmslab.conductors.surfaces import Conductor, TriangleSurface

__all__ = [
    "Conductor",
    "SphereHead",
    "TriangleSurface",
    "get_conductor",
    "get_head",
    "list_conductors",
    "list_heads",
    "sphere_head",
]
