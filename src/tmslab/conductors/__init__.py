"""Conductor models in which the E-field is computed: spherical heads (analytic field)."""

from __future__ import annotations

from tmslab.conductors.sphere import SphereHead, get_head, list_heads, sphere_head

__all__ = ["SphereHead", "get_head", "list_heads", "sphere_head"]
