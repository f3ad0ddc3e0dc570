"""The field layer's answer for one placed coil over one conductor: :class:`FieldSolution`.

What later layers need from a field computation, typed: E at any points per unit dI/dt, the
dI/dt the stimulator reaches (if any), the target and the orientation of the cell layer there,
the metrics, and the maps the figures draw. The maps are computed on first use, once, by the
efield code here: a sweep that never draws them never pays for them, and the report does not
compute them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

Points = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class FieldSolution:
    """E-field of a placed coil in a conductor, per unit dI/dt, with what the later stages need.

    Attributes
    ----------
    efield_per_didt : callable, (N, 3) ndarray, m -> (N, 3) ndarray, V/m per A/s
        E at points inside the conductor per unit rate of change of the coil current.
    didt_a_per_s : float or None, A/s
        Peak dI/dt of the stimulator at the scenario's intensity; None when the intensity does
        not reach dI/dt (then ``no_didt_reason`` says why).
    target_point_m : (3,) ndarray, m
        The target.
    layer_normal : (3,) ndarray, dimensionless
        Unit outward normal of the cell layer at the target.
    radial_layer : bool
        Cells stand along the normal (cortex) rather than lie flat in the layer (a dish).
    spherical_layers : bool
        Layers are shells about the origin (a spherical head): the activation map needs this.
    inside : callable, (N, 3) ndarray, m -> (N,) bool ndarray
        Whether points lie inside the conductor.
    conductor : str
        The conductor, in words.
    metrics : object or None
        Depth and focality metrics of a spherical head
        (:class:`~tmslab.efield.metrics.FieldMetrics`; E_max at ``didt_a_per_s``, or per A/us
        when there is none), else None.
    layer_magnitude_v_per_m : (M,) ndarray, V/m, or None
        |E| over a dish's cell layer at ``didt_a_per_s``.
    maps : object or None
        The maps the field figure draws (:class:`SphereMaps` or :class:`PlaneSection`).
    no_didt_reason : str or None
        Why there is no dI/dt, as one sentence.
    efield_at_didt : callable or None, (N, 3) ndarray, m -> (N, 3) ndarray, V/m
        The solver's own E at ``didt_a_per_s`` when it solved at that dI/dt (BEM): used as is,
        so the applied field carries no rescaling round-off.
    head : HeadModel or None
        The realistic head the field was solved in (its cortex surfaces), else None.
    cortical_target : CorticalTarget or None
        The target as a vertex of that head's mid-cortical surface, else None.
    """

    efield_per_didt: Points
    didt_a_per_s: float | None
    target_point_m: np.ndarray
    layer_normal: np.ndarray
    radial_layer: bool
    inside: Callable[[np.ndarray], np.ndarray]
    conductor: str
    spherical_layers: bool = False
    metrics: Any = None
    layer_magnitude_v_per_m: np.ndarray | None = None
    maps: Any = None
    no_didt_reason: str | None = None
    efield_at_didt: Points | None = None
    head: Any = None
    cortical_target: Any = None

    @property
    def applied(self) -> bool:
        """Whether the field is known at the scenario's intensity (a dI/dt was reached)."""
        return bool(self.didt_a_per_s)

    def efield(self, points: np.ndarray) -> np.ndarray:
        """E at the scenario's peak dI/dt.

        Parameters
        ----------
        points : (N, 3) ndarray, m

        Returns
        -------
        (N, 3) ndarray, V/m
        """
        if not self.applied:
            from tmslab.errors import InvalidValueError

            raise InvalidValueError(f"no field at a known intensity: {self.no_didt_reason}")
        if self.efield_at_didt is not None:
            return self.efield_at_didt(points)
        return self.efield_per_didt(points) * self.didt_a_per_s


@dataclass(frozen=True)
class SphereMaps:
    """|E| maps of a coil over a spherical head, computed on first use (then kept).

    Attributes
    ----------
    placed : PlacedCoil
        The coil placed in the head's frame.
    head : SphereHead
        The spherical head.
    didt_a_per_s : float, A/s
        The dI/dt the maps are drawn at (per A/us: 1e6).
    emax_point_m : (3,) ndarray, m
        Where |E| is largest on the brain surface.
    """

    placed: Any
    head: Any
    didt_a_per_s: float
    emax_point_m: np.ndarray

    @cached_property
    def shell(self):
        """|E| on the brain surface (xarray Dataset, V/m)."""
        from tmslab.efield.maps import shell_map

        return shell_map(self.placed, self.head, 0.0, didt_a_per_s=self.didt_a_per_s)

    @cached_property
    def section(self):
        """|E| in the yz cross-section (xarray Dataset, V/m)."""
        from tmslab.efield.maps import section_map

        return section_map(self.placed, self.head, plane="yz", didt_a_per_s=self.didt_a_per_s)

    @cached_property
    def depth_profile(self) -> tuple[np.ndarray, np.ndarray]:
        """(depths (K,) m, |E| (K,) V/m) along the radius through ``emax_point_m``."""
        from tmslab.efield.maps import depth_profile

        return depth_profile(
            self.placed, self.head, self.emax_point_m, didt_a_per_s=self.didt_a_per_s
        )


@dataclass(frozen=True)
class PlaneSection:
    """|E| on a vertical (xz) plane through a point of a meshed conductor, computed on first use.

    Attributes
    ----------
    solution : BEM solution
        Its ``efield(points, check=False)`` gives E in V/m.
    conductor : meshed conductor
        ``inside_mask`` tells which grid points it holds.
    lo_m, hi_m : (3,) ndarray, m
        The corners of the conductor's bounding box.
    through_m : (3,) ndarray, m
        A point of the plane (its y is the plane's).
    n : int
        Grid points along each side.
    """

    solution: Any
    conductor: Any
    lo_m: np.ndarray
    hi_m: np.ndarray
    through_m: np.ndarray
    n: int = 61

    @property
    def u_m(self) -> np.ndarray:
        """(n,) ndarray, m: x of the grid."""
        return np.linspace(self.lo_m[0], self.hi_m[0], self.n)

    @property
    def w_m(self) -> np.ndarray:
        """(n,) ndarray, m: z of the grid."""
        return np.linspace(self.lo_m[2], self.hi_m[2], self.n)

    @cached_property
    def magnitude(self) -> np.ndarray:
        """(n, n) ndarray, V/m: |E| on the grid (u along the first axis), NaN outside."""
        from tmslab.conductors.quality import inside_mask

        gu, gw = np.meshgrid(self.u_m, self.w_m, indexing="ij")
        points = np.c_[gu.ravel(), np.full(gu.size, self.through_m[1]), gw.ravel()]
        inside = inside_mask(self.conductor, points)
        magnitude = np.full(len(points), np.nan)
        if np.any(inside):
            field = self.solution.efield(points[inside], check=False)
            magnitude[inside] = np.linalg.norm(field, axis=1)
        return magnitude.reshape(gu.shape)
