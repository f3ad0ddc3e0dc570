"""Field coupling by quasipotentials: the extracellular potential each compartment sees.

A cable responds to the field only through the potential differences along it. For a uniform
field E the quasipotential is phi(r) = -E . r. For a non-uniform field (which need not be
curl-free, as a TMS field is not) it is the line integral of E along the tree from the root,

    phi(root) = -E(root) . r(root),   phi(child) = phi(parent) - integral of E . dl,

taken along each edge between neighbouring nodes with the trapezoid rule, which is exact for a
field that varies linearly along the edge (and so reproduces -E . r for any uniform field).
The solvers apply phi(t) = amplitude * phi * e(t) as NEURON's ``e_extracellular``
(Wang, Grill & Peterchev 2018, Biophys J 115:95-107, doi 10.1016/j.bpj.2018.06.004).

Fields come as a callable ``efield(points) -> E`` with ``points: (N, 3) array, metres`` and
``E: (N, 3) array, V/m`` (the field layer's form, at the waveform's peak), or as an (M, 3)
array of the field at the cable's M nodes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tmslab.errors import InvalidValueError

FieldLike = Callable[[np.ndarray], np.ndarray] | np.ndarray


def unit_vector(direction) -> np.ndarray:
    """``direction`` as a (3,) unit vector.

    Parameters
    ----------
    direction : (3,) array_like, dimensionless
        Any non-zero length.

    Returns
    -------
    (3,) ndarray, dimensionless
        The normalised direction.

    Raises
    ------
    InvalidValueError
        If it is not a non-zero 3-vector.
    """
    try:
        d = np.asarray(direction, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidValueError(f"direction {direction!r} is not three numbers") from None
    if d.shape != (3,) or not np.all(np.isfinite(d)):
        raise InvalidValueError(f"direction {direction!r} is not three finite numbers x,y,z")
    norm = float(np.linalg.norm(d))
    if norm == 0:
        raise InvalidValueError("direction 0,0,0 has no direction; give e.g. 1,0,0")
    return d / norm


def uniform_quasipotential(position_m: np.ndarray, field_v_per_m) -> np.ndarray:
    """``phi = -E . r`` of a uniform field.

    Parameters
    ----------
    position_m : (M, 3) ndarray, m
        Node positions.
    field_v_per_m : (3,) or (D, 3) ndarray, V/m
        One or D uniform fields.

    Returns
    -------
    (M,) or (D, M) ndarray, V
        Quasipotentials.
    """
    e = np.asarray(field_v_per_m, dtype=float)
    return -(e @ np.asarray(position_m, dtype=float).T)


def field_at(position_m: np.ndarray, efield: FieldLike) -> np.ndarray:
    """The field at the M nodes, from a callable or an array.

    Parameters
    ----------
    position_m : (M, 3) ndarray, m
        Node positions.
    efield : callable or (M, 3) ndarray, V/m
        A function of (M, 3) positions in m returning (M, 3) V/m, or the values themselves.

    Returns
    -------
    (M, 3) ndarray, V/m
        Field at the nodes.

    Raises
    ------
    InvalidValueError
        If the shape is wrong or a value is not finite.
    """
    position = np.asarray(position_m, dtype=float)
    if callable(efield):
        values = np.asarray(efield(position), dtype=float)
        if values.shape != position.shape:
            raise InvalidValueError(
                f"the field function returned shape {values.shape} for {len(position)} points; "
                f"it must return an ({len(position)}, 3) array of E in V/m"
            )
    else:
        values = np.asarray(efield, dtype=float)
        if values.shape != position.shape:
            raise InvalidValueError(
                f"the field array has shape {values.shape} but the morphology has "
                f"{len(position)} nodes; give an ({len(position)}, 3) array of E (V/m) at the "
                "cable's node positions (Cable.position_m)"
            )
    if not np.all(np.isfinite(values)):
        raise InvalidValueError("the field has non-finite values at some nodes")
    return values


def line_integral_quasipotential(
    parent: np.ndarray, position_m: np.ndarray, field_v_per_m: np.ndarray
) -> np.ndarray:
    """Quasipotentials of a non-uniform field by the line integral along the tree.

    Parameters
    ----------
    parent : (M,) ndarray of int
        Parent of each node, ``parent[i] < i`` (-1 for the root).
    position_m : (..., M, 3) ndarray, m
        Node positions; leading dimensions (e.g. many placed cells) broadcast.
    field_v_per_m : (..., M, 3) ndarray, V/m
        Field at the nodes.

    Returns
    -------
    (..., M) ndarray, V
        Quasipotentials, 0 at the root.
    """
    r = np.asarray(position_m, dtype=float)
    e = np.asarray(field_v_per_m, dtype=float)
    parent = np.asarray(parent)
    phi = np.empty(e.shape[:-1])
    root = parent < 0
    phi[..., root] = -np.sum(e[..., root, :] * r[..., root, :], axis=-1)
    p = np.where(root, 0, parent)
    increment = -0.5 * np.sum((e + e[..., p, :]) * (r - r[..., p, :]), axis=-1)
    for i in np.nonzero(~root)[0]:
        phi[..., i] = phi[..., parent[i]] + increment[..., i]
    return phi


def quasipotentials(cable, efield: FieldLike) -> np.ndarray:
    """Quasipotentials at the nodes of ``cable`` for a field callable or array.

    Parameters
    ----------
    cable : Cable
        The compartment tree.
    efield : callable or (M, 3) ndarray, V/m
        Field per unit amplitude of the drive (see :func:`field_at`).

    Returns
    -------
    (M,) ndarray, V
        Quasipotentials per unit amplitude.
    """
    values = field_at(cable.position_m, efield)
    return line_integral_quasipotential(cable.parent, cable.position_m, values)
