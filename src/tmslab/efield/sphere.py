"""The E-field a placed coil induces in a spherical head: checked inputs, SI outputs.

Fields are computed per unit dI/dt and scaled by ``didt_a_per_s`` (the protocol layer's peak
dI/dt), so E in V/m = E_per_didt (V/m per A/s) x dI/dt (A/s).
"""

from __future__ import annotations

import numpy as np

from tmslab import budgets
from tmslab.coils.coil import Coil
from tmslab.conductors.sphere import SphereHead
from tmslab.efield.kernels import dipole_vector_potential
from tmslab.efield.kernels import sphere_efield as _sphere_kernel
from tmslab.errors import InvalidValueError
from tmslab.units import MM_PER_M

_SURFACE_TOLERANCE_M = 1e-9


def check_points(points, head: SphereHead | None = None, name: str = "points") -> np.ndarray:
    """``points`` as a float (N, 3) array inside the head (when given); raise otherwise.

    Parameters
    ----------
    points : (N, 3) array_like, m
        Field points, head frame.
    head : SphereHead or None
        Head whose scalp sphere the points must lie in; None: shape and finiteness only.
    name : str
        What to call the points in messages.

    Returns
    -------
    (N, 3) ndarray, m
        The points as floats.

    Raises
    ------
    InvalidValueError
        If the shape is wrong, a value is not finite, or a point is outside the scalp or at the
        centre.
    """
    p = np.asarray(points, dtype=float)
    if p.ndim == 1 and p.shape == (3,):
        p = p[None, :]
    if p.ndim != 2 or p.shape[1] != 3:
        raise InvalidValueError(
            f"{name} must be an (N, 3) array of x, y, z in metres; got shape {p.shape}"
        )
    if not np.all(np.isfinite(p)):
        bad = int(np.flatnonzero(~np.all(np.isfinite(p), axis=1))[0])
        raise InvalidValueError(f"{name} row {bad + 1} is not finite: {p[bad].tolist()}")
    if head is not None and len(p):
        radius = np.linalg.norm(p, axis=1)
        outside = np.flatnonzero(radius > head.scalp_radius_m + _SURFACE_TOLERANCE_M)
        if outside.size:
            i = int(outside[0])
            raise InvalidValueError(
                f"{outside.size} of {len(p)} {name} lie outside the head ({head.name}, radius "
                f"{head.scalp_radius_m * MM_PER_M:g} mm), e.g. row {i + 1} at {radius[i] * MM_PER_M:.4g} mm "
                "from the centre; points are metres in the head frame, sphere centred at the origin"
            )
    return p


def check_coil_outside(coil: Coil, head: SphereHead) -> None:
    """Raise if any dipole of the (placed) coil is inside the head.

    Parameters
    ----------
    coil : Coil
        Coil placed in the head frame.
    head : SphereHead
        The head.

    Raises
    ------
    InvalidValueError
        Naming how far inside the scalp the coil reaches.
    """
    radius = np.linalg.norm(coil.dipole_positions, axis=1)
    inside = radius <= head.scalp_radius_m
    if np.any(inside):
        raise InvalidValueError(
            f"the coil is inside the head: {int(inside.sum())} of {coil.n_dipoles} dipoles lie "
            f"within {head.scalp_radius_m * MM_PER_M:g} mm of the centre (closest at "
            f"{radius.min() * MM_PER_M:.4g} mm); move it out with a pose or --pose, or check the "
            "coil file's units (metres)"
        )


def sphere_efield(
    coil: Coil,
    points,
    head: SphereHead,
    didt_a_per_s: float = 1.0,
) -> np.ndarray:
    """Total E-field at points inside a spherical head, induced by a placed coil.

    Parameters
    ----------
    coil : Coil
        Coil placed in the head frame (see :meth:`Coil.transformed`).
    points : (N, 3) array_like, m
        Field points, head frame, inside the scalp sphere.
    head : SphereHead
        The head.
    didt_a_per_s : float, A/s
        Coil current slope (1 gives the field per unit dI/dt, V/m per A/s).

    Returns
    -------
    (N, 3) ndarray, V/m
        E at the points.

    Raises
    ------
    InvalidValueError
        If a point is outside the head or the coil inside it.
    """
    p = check_points(points, head)
    check_coil_outside(coil, head)
    budgets.check(budgets.point_field(len(p), coil.n_dipoles, hint="the number of points"))
    return _sphere_kernel(p, coil.dipole_positions, coil.dipole_moments) * float(didt_a_per_s)


def primary_efield(coil: Coil, points, didt_a_per_s: float = 1.0) -> np.ndarray:
    """Free-space (primary) E-field -dA/dt of a placed coil.

    Parameters
    ----------
    coil : Coil
        Coil placed in the head frame.
    points : (N, 3) array_like, m
        Field points.
    didt_a_per_s : float, A/s
        Coil current slope.

    Returns
    -------
    (N, 3) ndarray, V/m
        Primary E at the points.
    """
    p = check_points(points)
    budgets.check(budgets.point_field(len(p), coil.n_dipoles, hint="the number of points"))
    return -dipole_vector_potential(p, coil.dipole_positions, coil.dipole_moments) * float(
        didt_a_per_s
    )
