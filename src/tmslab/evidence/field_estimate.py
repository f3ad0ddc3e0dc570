"""An E-field estimate for a reviewed rodent study from what it reports: tesla, coil size, species.

Rodent papers give the peak magnetic field (T or mT) and the coil's diameters, rarely the field
in the brain. With the field layer that is enough for an estimate: a round coil of those
diameters, its peak current from the reported field, dI/dt from an assumed pulse shape, and the
analytic sphere of the species. The estimate is E_max, the largest |E| on the brain surface, in
V/m.

Where the tesla was measured: one convention for the scenario and the estimate (issue 21). A
tesla is taken where the study measured it, at the coil's reference point (``"coil"``) or at the
brain surface under the coil centre (``"brain-surface"``), exactly as a scenario's
``[stimulator] intensity_t_at`` is, so the same study's tesla gives the same E_max through both.
The reviews never say where; :data:`TESLA_MEASURED_AT` holds what a primary paper says, and
every other study is taken at the coil (the scenario's default) and flagged as assumed, with the
brain-surface reading beside it.

Coil: the round coil preset with the same diameters when there is one (its assumptions are
documented in ``data/coils.toml``), otherwise a round coil with the rodent 25/50 mm preset's
assumed winding (10 turns, 1 mm casing, 4 mm tall, 2 layers) and the study's diameters; a
single reported diameter is taken as the outer one, with the inner a quarter of it (as the 8 mm
mouse coil preset). Pulse: Magstim Rapid2 biphasic (the field stage's default).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from tmslab.evidence.vocabulary import TESLA_PER_UNIT
from tmslab.units import MM_PER_M

ASSUMED_PULSE = ("magstim-rapid2", "biphasic")
FALLBACK_WINDING = "rodent-round-25-50mm"  # its assumed turns, casing and height
SINGLE_DIAMETER_INNER_FRACTION = 0.25
TESLA_AT = ("coil", "brain-surface")
DEFAULT_TESLA_AT = "coil"  # the scenario's default [stimulator] intensity_t_at
# (study id, arm label) -> (where its primary paper measured the peak field, what says so).
# Only arms whose location was read: Heath's 1 T arm is not known to follow the 50 mT one.
TESLA_MEASURED_AT: dict[tuple[str, str], tuple[str, str]] = {
    ("heath2018", "50 mT"): (
        "brain-surface",
        "Heath et al. 2018 (Transl Psychiatry 8:126) give the 50 mT at the cortical surface, as "
        "read for the mouse-10hz-20d protocol preset and examples/mouse-8mm-10hz-50mt.toml",
    ),
}


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def study_diameters(record: dict[str, Any]) -> tuple[float, float] | None:
    """(inner, outer) winding diameters in m from a study record, or None if none is given."""
    inner = _finite(record.get("coil_inner_diameter_m"))
    outer = _finite(record.get("coil_outer_diameter_m"))
    single = _finite(record.get("coil_diameter_m"))
    if outer is None and single is not None:
        outer = single
    if outer is None:
        return None
    if inner is None or inner >= outer:
        inner = SINGLE_DIAMETER_INNER_FRACTION * outer
    return inner, outer


def tesla_measured_at(record: dict[str, Any]) -> tuple[str, bool, str]:
    """(where, reported, why) for a study record: where its tesla was measured ("coil" or
    "brain-surface"), whether a source says so, and the source or the assumption in words."""
    known = TESLA_MEASURED_AT.get((str(record.get("id")), str(record.get("arm_label"))))
    if known is not None:
        return known[0], True, known[1]
    return (
        DEFAULT_TESLA_AT,
        False,
        "where the field was measured is not reported; taken at the coil's reference point, "
        "the scenario's default",
    )


@lru_cache(maxsize=64)
def _emax_per_tesla(
    species: str, inner_m: float, outer_m: float, at: str = DEFAULT_TESLA_AT
) -> tuple[float, str]:
    """E_max (V/m per T measured ``at`` "coil", the coil's reference point, or "brain-surface",
    the brain surface under the coil centre) and the coil used, cached by geometry."""
    from tmslab.coils import get_coil, list_coils
    from tmslab.coils.placement import pose_on_sphere
    from tmslab.conductors.sphere import get_head
    from tmslab.efield.metrics import brain_surface_emax
    from tmslab.protocols.dose import resolve_dose, tesla_per_ampere
    from tmslab.protocols.stimulators import get_stimulator

    coil = None
    for name in list_coils():
        candidate = get_coil(name)
        p = candidate.parameters
        if (
            candidate.kind == "round"
            and math.isclose(p["outer_diameter_m"], outer_m, rel_tol=1e-6)
            and math.isclose(p["inner_diameter_m"], inner_m, rel_tol=1e-6)
        ):
            coil = candidate
            break
    if coil is None:
        from tmslab.coils.builders import round_coil

        w = get_coil(FALLBACK_WINDING).parameters
        coil = round_coil(
            inner_m,
            outer_m,
            w["turns"],
            face_gap_m=w["face_gap_m"],
            winding_height_m=w["winding_height_m"],
            n_layers=w["layers"],
            name=f"round-{inner_m * MM_PER_M:g}-{outer_m * MM_PER_M:g}mm",
        )
    head = get_head(species)
    placed = coil.transformed(pose_on_sphere(head.scalp_radius_m))
    emax_per_didt, _ = brain_surface_emax(placed, head)
    pulse = get_stimulator(ASSUMED_PULSE[0]).waveform(ASSUMED_PULSE[1])
    if at == "brain-surface":  # the same point as the field stage's (tmslab.stages.field)
        per_ampere = tesla_per_ampere(placed, head.target_point(0.0, (0.0, 0.0, 1.0)))
    else:
        per_ampere = tesla_per_ampere(coil)
    # dI/dt per tesla: the dose of 1 T (the estimate is linear in the tesla)
    one_tesla = resolve_dose(peak_b_t=1.0, b_at=at, tesla_per_a=per_ampere, waveform=pulse)
    return emax_per_didt * one_tesla.didt_a_per_s, coil.name


def estimate_study_field(record: dict[str, Any]) -> dict[str, Any] | None:
    """E_max estimate (V/m) of a study arm, or None when it cannot be made.

    record: an arm row of :func:`~tmslab.evidence.load_evidence` (as a dict). Needs species rat
    or mouse, an intensity in T or mT and a coil diameter. Returns ``{"emax_v_per_m", "coil",
    "tesla", "tesla_at", "tesla_at_reported", "tesla_at_note", "emax_if_brain_surface_v_per_m",
    "assumptions"}``: ``tesla_at`` is where the tesla was taken ("coil" or "brain-surface",
    :func:`tesla_measured_at`); when no source says, ``emax_if_brain_surface_v_per_m`` is the
    estimate had it been measured at the brain surface (else None).
    """
    species = record.get("species")
    unit = record.get("intensity_unit")
    tesla = _finite(record.get("intensity_value"))
    diameters = study_diameters(record)
    if species not in ("rat", "mouse") or unit not in TESLA_PER_UNIT or tesla is None:
        return None
    if diameters is None:
        return None
    tesla *= TESLA_PER_UNIT[unit]
    at, reported, note = tesla_measured_at(record)
    per_tesla, coil = _emax_per_tesla(species, *diameters, at)
    other = None
    if not reported:
        other = _emax_per_tesla(species, *diameters, "brain-surface")[0] * tesla
    where = "the coil's reference point" if at == "coil" else "the brain surface under the coil"
    return {
        "emax_v_per_m": per_tesla * tesla,
        "coil": coil,
        "tesla": tesla,
        "tesla_at": at,
        "tesla_at_reported": reported,
        "tesla_at_note": note,
        "emax_if_brain_surface_v_per_m": other,
        "assumptions": (
            f"field at {where} ({note}); Magstim Rapid2 biphasic pulse shape; "
            f"{coil} winding; analytic {species} sphere"
        ),
    }
