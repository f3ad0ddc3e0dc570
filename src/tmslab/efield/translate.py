"""Cross-species (and cross-coil) dose translation in spherical heads.

Given an experiment (head, coil, placement, intensity in any supported unit, target depth), find
the E-field at its target, and the intensity another setup needs to induce the same |E| at its
own target, with how depth and focality then differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.coils.placement import pose_on_sphere
from tmslab.conductors.sphere import SphereHead
from tmslab.efield.dose import chain_dose, didt_at_pct, pct_of_max
from tmslab.efield.kernels import sphere_efield
from tmslab.efield.metrics import field_metrics
from tmslab.efield.sphere import check_coil_outside
from tmslab.errors import InvalidValueError


class PulseShape(Protocol):
    """What a translation needs of a pulse: its I_peak / dI/dt(0), s, which links a peak coil
    current (and, through the coil, a peak B) to the peak dI/dt.
    :class:`tmslab.protocols.waveform.Waveform` is one."""

    @property
    def current_per_didt_s(self) -> float: ...


@dataclass(frozen=True)
class Setup:
    """A coil over a spherical head, centred over the vertex, and a target below it.

    Parameters
    ----------
    head : SphereHead
    coil : Coil
        In its own frame; :meth:`placed_coil` puts it over the vertex.
    target : str or float, m
        A named target of the head, or a depth below the brain surface. The target lies at that
        depth below the point of the brain surface where |E| is largest (for a figure-8 under
        its centre; for a round coil under its windings, since the field vanishes on its axis),
        unless ``target_direction`` gives the direction from the centre.
    distance_m : float, m
        Scalp-to-coil-face gap.
    handle_angle_deg : float, degrees
        Rotation of the handle.
    didt_max_a_per_s : float or None, A/s
        The stimulator+coil pair's peak dI/dt at 100 % MSO (plain number: links % MSO and dI/dt).
    target_direction : (3,) tuple or None
        Direction of the target from the head centre.
    """

    head: SphereHead
    coil: Coil
    target: str | float = 0.0
    distance_m: float = 0.0
    handle_angle_deg: float = 0.0
    didt_max_a_per_s: float | None = field(default=None)
    target_direction: tuple[float, float, float] | None = None

    def placed_coil(self) -> Coil:
        """The coil over the vertex, ``distance_m`` above the scalp, turned by the handle angle.

        Returns
        -------
        Coil
            The coil in the head's frame.
        """
        pose = pose_on_sphere(
            self.head.scalp_radius_m,
            distance_m=self.distance_m,
            handle_angle_deg=self.handle_angle_deg,
        )
        return self.coil.transformed(pose)

    def target_point(self, emax_point_m=None) -> np.ndarray:
        """The target at the target depth, along target_direction or towards the E_max point.

        Parameters
        ----------
        emax_point_m : (3,) array_like, m, optional
            Where |E| is largest on the brain surface; used when ``target_direction`` is None
            (default: straight down from the vertex).

        Returns
        -------
        (3,) ndarray, m
            The target point in the head's frame.
        """
        direction = self.target_direction or emax_point_m
        if direction is None:
            direction = (0.0, 0.0, 1.0)
        return self.head.target_point(self.head.target_depth(self.target), direction)


def describe(setup: Setup) -> dict[str, Any]:
    """Field per unit dI/dt at the target and the head's depth/focality metrics (SI).

    Parameters
    ----------
    setup : Setup
        The coil, the head and the target.

    Returns
    -------
    dict
        ``placed_coil`` (Coil, head frame), ``target_point_m`` ((3,) ndarray, m),
        ``target_depth_m`` (m), ``efield_per_didt`` (|E| at the target, V/m per A/s) and
        ``metrics_per_didt`` (:class:`~tmslab.efield.metrics.FieldMetrics` per unit dI/dt).
    """
    placed = setup.placed_coil()
    check_coil_outside(placed, setup.head)
    metrics = field_metrics(placed, setup.head)
    target = setup.target_point(metrics.emax_point_m)
    e_vec = sphere_efield(target[None], placed.dipole_positions, placed.dipole_moments)[0]
    return {
        "placed_coil": placed,
        "target_point_m": target,
        "target_depth_m": setup.head.target_depth(setup.target),
        "efield_per_didt": float(np.linalg.norm(e_vec)),
        "metrics_per_didt": metrics,
    }


def _coil_dose(setup: Setup, info: dict[str, Any], pulse: PulseShape, unit: str, value: float):
    return chain_dose(
        unit,
        value,
        tesla_per_a=setup.coil.tesla_per_ampere,
        current_per_didt_s=pulse.current_per_didt_s,
        efield_per_didt=info["efield_per_didt"],
    )


def _setup_summary(setup: Setup, info: dict[str, Any], didt: float, pulse: PulseShape) -> dict:
    dose = _coil_dose(setup, info, pulse, "didt", didt)
    metrics = info["metrics_per_didt"]
    out = {
        "head": setup.head.name,
        "species": setup.head.species,
        "coil": setup.coil.name,
        "target": setup.target,
        "target_depth_m": info["target_depth_m"],
        "distance_m": setup.distance_m,
        **dose.to_dict(),
        "emax_v_per_m": metrics.emax * didt,
        "target_over_emax": info["efield_per_didt"] / metrics.emax,
        "d_half_m": metrics.d_half_m,
        "v_half_m3": metrics.v_half_m3,
        "s_half_m2": metrics.s_half_m2,
        "pct_mso": None,
    }
    if setup.didt_max_a_per_s:
        out["pct_mso"] = pct_of_max(didt, setup.didt_max_a_per_s)
    return out


def translate(
    source: Setup,
    unit: str,
    value: float,
    destination: Setup,
    waveform: PulseShape,
    destination_waveform: PulseShape | None = None,
) -> dict[str, Any]:
    """Match |E| at the destination's target to the source experiment's.

    Parameters
    ----------
    source, destination : Setup
    unit : str
        The source intensity's unit: one of :data:`tmslab.efield.dose.UNITS` (didt, current,
        tesla, vpm) or ``pct_mso``, which needs ``source.didt_max_a_per_s``.
    value : float, A/s, A, T, V/m or % MSO (as ``unit``)
        The source intensity in ``unit``.
    waveform : PulseShape
        The source pulse, e.g. a :class:`~tmslab.protocols.waveform.Waveform` (its shape links
        tesla and current to dI/dt).
    destination_waveform : PulseShape, optional
        The destination pulse (default: the same shape).

    Returns
    -------
    dict
        ``matched_efield_v_per_m``, ``source`` and ``destination`` summaries (SI) and the
        differences in depth and focality.
    """
    src = describe(source)
    dst = describe(destination)
    if unit == "pct_mso":
        if not source.didt_max_a_per_s:
            raise InvalidValueError(
                "an intensity in % MSO needs the stimulator's peak dI/dt at 100 % MSO "
                "(--didt-max A/us) for the source coil"
            )
        unit, value = "didt", didt_at_pct(value, source.didt_max_a_per_s)
    src_dose = _coil_dose(source, src, waveform, unit, value)
    target_e = src_dose.efield_v_per_m
    dst_didt = target_e / dst["efield_per_didt"]
    dst_wave = destination_waveform or waveform
    src_summary = _setup_summary(source, src, src_dose.didt_a_per_s, waveform)
    dst_summary = _setup_summary(destination, dst, dst_didt, dst_wave)
    return {
        "matched_efield_v_per_m": target_e,
        "source": src_summary,
        "destination": dst_summary,
        "d_half_ratio": dst_summary["d_half_m"] / src_summary["d_half_m"],
        "s_half_ratio": dst_summary["s_half_m2"] / src_summary["s_half_m2"],
        "relative_depth_of_target": {
            "source": src_summary["target_depth_m"] / src_summary["d_half_m"],
            "destination": dst_summary["target_depth_m"] / dst_summary["d_half_m"],
        },
    }
