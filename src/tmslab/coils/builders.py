"""Coils from parameters: round, figure-8 and spiral windings, and coils from any windings.

Conventions (coil frame, metres): the coil face is the plane z = 0, z points into the head, the
handle lies along +y. The winding block starts ``face_gap_m`` above the face (casing) and is
``winding_height_m`` tall; its current is split over ``n_layers`` filament layers spread over
that height (one layer when the height is zero). The turns of a flat spiral are modelled as
concentric circles with radii at the centres of N equal bands between the inner and outer
winding diameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.coils.discretise import concentric_turn_dipoles, polyline_dipoles
from tmslab.errors import InvalidValueError, check_positive
from tmslab.sources import Source
from tmslab.units import MM_PER_M

_VERTICES_PER_TURN = 96  # polygon vertices of a drawn turn (Biot-Savart error < 1e-3)


def turn_radii(inner_diameter_m: float, outer_diameter_m: float, n_turns: int) -> np.ndarray:
    """Radii of ``n_turns`` turns filling the band between two winding diameters.

    Parameters
    ----------
    inner_diameter_m, outer_diameter_m : float, m
        Inner and outer diameter of the winding band.
    n_turns : int
        Number of turns.

    Returns
    -------
    (n_turns,) ndarray, m
        Turn radii, innermost first.

    Raises
    ------
    InvalidValueError
        If a diameter is not positive, the inner one is not smaller, or ``n_turns`` < 1.
    """
    inner = check_positive("inner diameter", inner_diameter_m, "m") if inner_diameter_m else 0.0
    outer = check_positive("outer diameter", outer_diameter_m, "m")
    if int(n_turns) != n_turns or n_turns < 1:
        raise InvalidValueError(f"turns = {n_turns!r} is not allowed; give an integer >= 1")
    if inner >= outer:
        raise InvalidValueError(
            f"inner diameter {inner * MM_PER_M:g} mm must be smaller than outer diameter "
            f"{outer * MM_PER_M:g} mm"
        )
    width = (outer - inner) / 2 / n_turns
    return inner / 2 + width * (np.arange(n_turns) + 0.5)


def _layer_heights(face_gap_m: float, winding_height_m: float, n_layers: int) -> np.ndarray:
    if face_gap_m < 0 or winding_height_m < 0:
        raise InvalidValueError("face gap and winding height must be >= 0 m")
    if int(n_layers) != n_layers or n_layers < 1:
        raise InvalidValueError(f"layers = {n_layers!r} is not allowed; give an integer >= 1")
    if winding_height_m == 0:
        n_layers = 1
    offsets = (np.arange(n_layers) + 0.5) / n_layers * winding_height_m
    return -(face_gap_m + offsets)  # z of each layer: above the face, i.e. negative


def _circle(center: np.ndarray, radius: float, sign: float) -> np.ndarray:
    phi = np.linspace(0, 2 * np.pi, _VERTICES_PER_TURN, endpoint=False)
    if sign < 0:
        phi = phi[::-1]
    return np.column_stack(
        [
            center[0] + radius * np.cos(phi),
            center[1] + radius * np.sin(phi),
            np.full_like(phi, center[2]),
        ]
    )


def _wing(
    center_xy: tuple[float, float],
    radii: np.ndarray,
    heights: np.ndarray,
    sign: float,
    n_radial: int,
    n_angular: int,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Dipoles and drawn turns of one wing; each layer carries 1/len(heights) of the current."""
    positions, moments, windings = [], [], []
    for z in heights:
        center = np.array([center_xy[0], center_xy[1], z])
        pos, mom = concentric_turn_dipoles(
            radii, center, sign=sign, n_radial=n_radial, n_angular=n_angular
        )
        positions.append(pos)
        moments.append(mom / len(heights))
        windings.extend(_circle(center, r, sign) for r in radii)
    return positions, moments, windings


def round_coil(
    inner_diameter_m: float,
    outer_diameter_m: float,
    n_turns: int,
    *,
    face_gap_m: float = 0.0,
    winding_height_m: float = 0.0,
    n_layers: int = 1,
    n_radial: int = 4,
    n_angular: int = 24,
    name: str = "round",
    **info: Any,
) -> Coil:
    """A flat round coil of ``n_turns`` between two winding diameters, centred on the z-axis.

    Current runs counter-clockwise seen from the head side (+z). The dipole count is
    ``n_turns * n_radial * n_angular * n_layers``. The reference point (for tesla) is the winding
    centre on the layer nearest the head.

    Parameters
    ----------
    inner_diameter_m, outer_diameter_m : float, m
        Inner and outer winding diameter.
    n_turns : int
        Turns per layer.
    face_gap_m : float, m
        Distance from the coil face (z = 0) to the layer nearest the head.
    winding_height_m : float, m
        Height of the winding stack; layers are spread over it.
    n_layers : int
        Filament layers the turns are split into.
    n_radial, n_angular : int
        Quadrature nodes per annulus and around (see
        :func:`tmslab.coils.discretise.concentric_turn_dipoles`).
    name : str
        Coil name.
    **info : Any
        Extra :class:`~tmslab.coils.coil.Coil` fields (label, source, assumptions, ...).

    Returns
    -------
    Coil
        Dipoles and windings in the coil frame.

    Raises
    ------
    InvalidValueError
        If the inner diameter is not smaller than the outer one, or a size is not positive.
    """
    radii = turn_radii(inner_diameter_m, outer_diameter_m, n_turns)
    heights = _layer_heights(face_gap_m, winding_height_m, n_layers)
    pos, mom, windings = _wing((0.0, 0.0), radii, heights, 1.0, n_radial, n_angular)
    params = {
        "inner_diameter_m": inner_diameter_m,
        "outer_diameter_m": outer_diameter_m,
        "turns": int(n_turns),
        "face_gap_m": face_gap_m,
        "winding_height_m": winding_height_m,
        "layers": int(n_layers),
    }
    return Coil(
        name=name,
        dipole_positions=np.concatenate(pos),
        dipole_moments=np.concatenate(mom),
        windings=tuple(windings),
        winding_currents=(1.0 / len(heights),) * len(windings),
        reference_point=np.array([0.0, 0.0, heights[0]]),
        kind="round",
        parameters=params,
        **info,
    )


def figure8_coil(
    inner_diameter_m: float,
    outer_diameter_m: float,
    n_turns: int,
    *,
    wing_separation_m: float | None = None,
    face_gap_m: float = 0.0,
    winding_height_m: float = 0.0,
    n_layers: int = 1,
    n_radial: int = 4,
    n_angular: int = 24,
    name: str = "figure-8",
    **info: Any,
) -> Coil:
    """A flat figure-8 coil: two round wings of ``n_turns`` each, centres on the x-axis.

    Currents are opposite in the two wings and run the same way (along -y) under the centre, so the
    induced field under the centre is along the handle axis. The reference point (for tesla) is the
    centre of the +x wing on the layer nearest the head.

    Parameters
    ----------
    inner_diameter_m, outer_diameter_m : float, m
        Inner and outer winding diameter of each wing.
    n_turns : int
        Turns per wing and layer.
    wing_separation_m : float or None, m
        Distance between the wing centres; None: the outer diameter (wings touching).
    face_gap_m : float, m
        Distance from the coil face (z = 0) to the layer nearest the head.
    winding_height_m : float, m
        Height of the winding stack.
    n_layers : int
        Filament layers the turns are split into.
    n_radial, n_angular : int
        Quadrature nodes per annulus and around.
    name : str
        Coil name.
    **info : Any
        Extra :class:`~tmslab.coils.coil.Coil` fields.

    Returns
    -------
    Coil
        Dipoles and windings in the coil frame.

    Raises
    ------
    InvalidValueError
        If the wings would overlap or a size is not positive.
    """
    radii = turn_radii(inner_diameter_m, outer_diameter_m, n_turns)
    separation = wing_separation_m if wing_separation_m is not None else outer_diameter_m
    check_positive("wing separation", separation, "m")
    if separation < outer_diameter_m * (1 - 1e-9):
        raise InvalidValueError(
            f"wing separation {separation * MM_PER_M:g} mm is smaller than the outer diameter "
            f"{outer_diameter_m * MM_PER_M:g} mm; the wings would overlap"
        )
    heights = _layer_heights(face_gap_m, winding_height_m, n_layers)
    half = separation / 2
    pos_a, mom_a, win_a = _wing((half, 0.0), radii, heights, 1.0, n_radial, n_angular)
    pos_b, mom_b, win_b = _wing((-half, 0.0), radii, heights, -1.0, n_radial, n_angular)
    params = {
        "inner_diameter_m": inner_diameter_m,
        "outer_diameter_m": outer_diameter_m,
        "turns_per_wing": int(n_turns),
        "wing_separation_m": separation,
        "face_gap_m": face_gap_m,
        "winding_height_m": winding_height_m,
        "layers": int(n_layers),
    }
    return Coil(
        name=name,
        dipole_positions=np.concatenate(pos_a + pos_b),
        dipole_moments=np.concatenate(mom_a + mom_b),
        windings=tuple(win_a + win_b),
        winding_currents=(1.0 / len(heights),) * (len(win_a) + len(win_b)),
        reference_point=np.array([half, 0.0, heights[0]]),
        kind="figure-8",
        parameters=params,
        **info,
    )


def spiral_winding(
    inner_diameter_m: float, outer_diameter_m: float, n_turns: int, z_m: float = 0.0
) -> np.ndarray:
    """An Archimedean spiral from the inner to the outer diameter, closed by a radial return lead.

    The lead's contribution is part of the winding's field.

    Parameters
    ----------
    inner_diameter_m, outer_diameter_m : float, m
        Start and end diameter of the spiral.
    n_turns : int
        Number of turns.
    z_m : float, m
        Height of the spiral's plane.

    Returns
    -------
    (M, 3) ndarray, m
        Vertices of the closed polyline, current in vertex order.
    """
    inner = inner_diameter_m / 2
    outer = outer_diameter_m / 2
    phi = np.linspace(0, 2 * np.pi * n_turns, _VERTICES_PER_TURN * int(n_turns) + 1)
    rho = inner + (outer - inner) * phi / phi[-1]
    return np.column_stack([rho * np.cos(phi), rho * np.sin(phi), np.full_like(phi, z_m)])[:-1]


def spiral_coil(
    inner_diameter_m: float,
    outer_diameter_m: float,
    n_turns: int,
    *,
    face_gap_m: float = 0.0,
    subdivisions: int = 6,
    name: str = "spiral",
    **info: Any,
) -> Coil:
    """A flat Archimedean spiral coil, discretised exactly as drawn.

    One layer at ``face_gap_m`` above the face, a fan of dipoles spanning the closed spiral (see
    :func:`tmslab.coils.discretise.polyline_dipoles`). Compare :func:`round_coil`, which models the
    same spiral as concentric circles.

    Parameters
    ----------
    inner_diameter_m, outer_diameter_m : float, m
        Start and end diameter of the spiral.
    n_turns : int
        Number of turns.
    face_gap_m : float, m
        Height of the spiral above the coil face.
    subdivisions : int
        Each fan triangle is split into ``subdivisions**2`` dipoles.
    name : str
        Coil name.
    **info : Any
        Extra :class:`~tmslab.coils.coil.Coil` fields.

    Returns
    -------
    Coil
        Dipoles and the spiral winding in the coil frame.
    """
    turn_radii(inner_diameter_m, outer_diameter_m, n_turns)  # validates
    winding = spiral_winding(inner_diameter_m, outer_diameter_m, n_turns, -face_gap_m)
    coil = coil_from_windings([winding], name=name, subdivisions=subdivisions, **info)
    params = {
        "inner_diameter_m": inner_diameter_m,
        "outer_diameter_m": outer_diameter_m,
        "turns": int(n_turns),
        "face_gap_m": face_gap_m,
    }
    from dataclasses import replace

    return replace(coil, kind="spiral", parameters=params, reference_point=[0.0, 0.0, -face_gap_m])


def coil_from_windings(
    windings,
    *,
    name: str = "custom",
    subdivisions: int = 4,
    source: Source | None = None,
    **info: Any,
) -> Coil:
    """A coil from closed polylines.

    Each winding becomes a fan of dipoles (``subdivisions**2`` per polygon edge). The reference
    point is the centroid of the first winding.

    Parameters
    ----------
    windings : sequence of (M, 3) ndarray, m
        Closed polylines in the coil frame, current in vertex order.
    name : str
        Coil name.
    subdivisions : int
        Dipoles per fan triangle are ``subdivisions**2``.
    source : Source or None
        Where the geometry comes from.
    **info : Any
        Extra :class:`~tmslab.coils.coil.Coil` fields.

    Returns
    -------
    Coil
        Dipoles and windings in the coil frame.

    Raises
    ------
    InvalidValueError
        If no winding is given or one is not an (M, 3) array of at least three points.
    """
    positions, moments = [], []
    windings = [np.asarray(w, float) for w in windings]
    if not windings:
        raise InvalidValueError("give at least one winding")
    for w in windings:
        pos, mom = polyline_dipoles(w, subdivisions)
        positions.append(pos)
        moments.append(mom)
    return Coil(
        name=name,
        dipole_positions=np.concatenate(positions),
        dipole_moments=np.concatenate(moments),
        windings=tuple(windings),
        reference_point=windings[0].mean(axis=0),
        kind="custom",
        source=source,
        **info,
    )
