"""The coil: its windings and the magnetic dipoles that stand for them in field computations.

Coil frame (SimNIBS's convention): metres, origin at the centre of the coil's face that rests
on the head, z-axis pointing into the head, y-axis along the handle. Windings lie at z <= 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.sources import Source


def _frozen(array: Any, shape_tail: tuple[int, ...], name: str) -> np.ndarray:
    a = np.array(array, dtype=float)
    if a.ndim != 1 + len(shape_tail) or a.shape[1:] != shape_tail:
        want = "(K, " + ", ".join(map(str, shape_tail)) + ")"
        raise InvalidValueError(f"{name} must be a {want} array; got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise InvalidValueError(f"{name} contains non-finite values (nan or inf)")
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Coil:
    """A TMS coil as magnetic dipoles (for fields) and, when known, its windings.

    dipole_positions: (K, 3) array, metres, coil frame (or head frame once placed).
    dipole_moments: (K, 3) array, m^2 (A m^2 per ampere of coil current).
    windings: closed polylines, each an (M, 3) array in metres, current in vertex order; empty
        for coils read from dipole files.
    winding_currents: (P,) current in each winding per ampere of coil current (default 1 each;
        1/L when a turn is split into L filament layers).
    reference_point: (3,) array, metres: where the coil's peak magnetic field is reported (the
        centre of the windings for a round coil, of one wing for a figure-8), used to convert
        tesla to current.
    """

    name: str
    dipole_positions: np.ndarray
    dipole_moments: np.ndarray
    windings: tuple[np.ndarray, ...] = ()
    winding_currents: tuple[float, ...] = ()
    reference_point: np.ndarray = field(default_factory=lambda: np.zeros(3))
    kind: str = "custom"
    label: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    source: Source | None = None
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        positions = _frozen(self.dipole_positions, (3,), "dipole_positions")
        moments = _frozen(self.dipole_moments, (3,), "dipole_moments")
        if positions.shape != moments.shape:
            raise InvalidValueError(
                f"{positions.shape[0]} dipole positions but {moments.shape[0]} moments; give one "
                "moment per position"
            )
        if len(positions) == 0:
            raise InvalidValueError(f"coil {self.name!r} has no dipoles")
        object.__setattr__(self, "dipole_positions", positions)
        object.__setattr__(self, "dipole_moments", moments)
        object.__setattr__(
            self, "windings", tuple(_frozen(w, (3,), "winding") for w in self.windings)
        )
        currents = tuple(float(c) for c in self.winding_currents) or (1.0,) * len(self.windings)
        if len(currents) != len(self.windings):
            raise InvalidValueError(
                f"{len(self.windings)} windings but {len(currents)} winding currents"
            )
        object.__setattr__(self, "winding_currents", currents)
        ref = np.array(self.reference_point, dtype=float).reshape(3)
        ref.setflags(write=False)
        object.__setattr__(self, "reference_point", ref)

    @property
    def n_dipoles(self) -> int:
        return len(self.dipole_positions)

    @property
    def total_moment(self) -> np.ndarray:
        """Sum of dipole moments, (3,) m^2 per ampere (zero for an ideal figure-8)."""
        return self.dipole_moments.sum(axis=0)

    def transformed(self, pose: np.ndarray) -> Coil:
        """The same coil moved by a 4x4 rigid pose (coil frame -> head frame)."""
        from tmslab.geometry import check_pose

        pose = check_pose(pose)
        rotation, shift = pose[:3, :3], pose[:3, 3]
        return replace(
            self,
            dipole_positions=self.dipole_positions @ rotation.T + shift,
            dipole_moments=self.dipole_moments @ rotation.T,
            windings=tuple(w @ rotation.T + shift for w in self.windings),
            reference_point=rotation @ self.reference_point + shift,
        )

    def magnetic_field(self, points: np.ndarray) -> np.ndarray:
        """Magnetic flux density per ampere, (N, 3) T/A, at points (N, 3) m.

        From the windings (Biot-Savart, exact for the filaments) when known, else from the
        dipoles (valid only away from the dipole sheet).
        """
        from tmslab.coils.biot_savart import winding_magnetic_field

        points = np.atleast_2d(np.asarray(points, float))
        if self.windings:
            return winding_magnetic_field(points, self.windings, self.winding_currents)
        return _dipole_magnetic_field(points, self.dipole_positions, self.dipole_moments)

    @property
    def didt_max_a_per_s(self) -> float | None:
        """Peak dI/dt at 100 % MSO, A/s, from the coil file (``.ccd`` dIdtmax, ``.tcd``
        stimulator maxdIdt); None for presets and files that do not give it."""
        value = self.parameters.get("didt_max_a_per_s")
        return None if value is None else float(value)

    @property
    def tesla_per_ampere(self) -> float:
        """|B| per ampere at the reference point, T/A (how rodent papers' tesla map to current)."""
        return float(np.linalg.norm(self.magnetic_field(self.reference_point[None, :])[0]))

    def summary(self) -> dict[str, Any]:
        """JSON-able description: geometry parameters (SI), counts, field per ampere, source."""
        lo = self.dipole_positions.min(axis=0)
        hi = self.dipole_positions.max(axis=0)
        return {
            "name": self.name,
            "label": self.label or self.name,
            "kind": self.kind,
            "parameters": dict(self.parameters),
            "n_dipoles": self.n_dipoles,
            "n_windings": len(self.windings),
            "extent_m": (hi - lo).tolist(),
            "reference_point_m": self.reference_point.tolist(),
            "tesla_per_ampere": self.tesla_per_ampere,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "source": self.source.to_dict() if self.source else None,
            "assumptions": list(self.assumptions),
        }


def _dipole_magnetic_field(
    points: np.ndarray, positions: np.ndarray, moments: np.ndarray
) -> np.ndarray:
    """B of point dipoles, T per ampere: mu0/(4 pi) (3 (m.d) d / |d|^5 - m / |d|^3)."""
    from tmslab.units import MU0_OVER_4PI

    out = np.zeros((len(points), 3))
    for start in range(0, len(points), 1024):
        d = points[start : start + 1024, None, :] - positions
        dist = np.linalg.norm(d, axis=2)
        m_dot_d = np.sum(moments * d, axis=2)
        term = 3 * m_dot_d[..., None] * d / dist[..., None] ** 5 - moments / dist[..., None] ** 3
        out[start : start + 1024] = term.sum(axis=1)
    return MU0_OVER_4PI * out
