"""Doses of the cross-species set-up search: what each rodent set-up needs of its stimulator.

For every candidate of :func:`tmslab.efield.setup_search.search_setups`, the peak dI/dt that
gives the reference |E| at the rodent target is turned into the other dose units
(:func:`tmslab.efield.dose.chain_dose`): peak coil current through the pulse shape's
I_peak / dI/dt(0), peak B at the coil's reference point through the coil model, and % MSO
through the stimulator+coil pair's peak dI/dt at 100 % MSO.

What is and is not known: % MSO needs that pair's peak dI/dt, measured (the pairs of
:mod:`tmslab.protocols.stimulators`) or given for the reference set-up's coil. tmslab does not
model coil inductance, so for a parametric or preset coil without a measured pair the % MSO is
reported as not available, never estimated; the required dI/dt and peak current are reported
instead. The peak current uses the stimulator's pulse shape with its reference coil: another
coil's inductance would change the pulse's timing, which is not modelled either.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tmslab.coils.coil import Coil
from tmslab.conductors.sphere import SphereHead
from tmslab.efield.dose import CoilDose, chain_dose
from tmslab.efield.setup_search import (
    DEFAULT_GRID,
    CandidateCoil,
    FieldReference,
    SearchGrid,
    SetupCandidate,
    SetupSearch,
    candidate_coils,
    grid_placements,
    scaled_distance,
    search_setups,
)
from tmslab.errors import UnknownNameError
from tmslab.protocols.dose import pct_mso_of
from tmslab.protocols.stimulators import Stimulator, get_coil_didt
from tmslab.units import A_PER_US, KA, MM_PER_M

NO_PCT = (
    "no measured peak dI/dt at 100 % MSO for this coil on the stimulator, and tmslab does not "
    "model coil inductance: % MSO not available"
)


@dataclass(frozen=True)
class CandidateDose:
    """What one set-up needs to give the reference |E| at its target.

    Attributes
    ----------
    candidate : SetupCandidate
        The set-up.
    dose : CoilDose
        Required peak dI/dt (A/s), peak current (A), peak B at the coil's reference point (T)
        and |E| at the target (V/m, the reference's).
    pct_mso : float or None, % MSO
        Stimulator output that gives it (may exceed 100); None when not available.
    exceeds_maximum : bool or None
        Whether it needs more than 100 % MSO; None when not known.
    didt_max_a_per_s : float or None, A/s
        The pair's peak dI/dt at 100 % MSO.
    didt_max_source : str or None
        Where that comes from.
    note : str or None
        Why % MSO is not available.
    """

    candidate: SetupCandidate
    dose: CoilDose
    pct_mso: float | None
    exceeds_maximum: bool | None
    didt_max_a_per_s: float | None
    didt_max_source: str | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (SI; % MSO as a plain number)."""
        return {
            **self.candidate.to_dict(),
            **self.dose.to_dict(),
            "pct_mso": self.pct_mso,
            "exceeds_maximum": self.exceeds_maximum,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "didt_max_source": self.didt_max_source,
            "pct_mso_note": self.note,
        }


@dataclass(frozen=True, eq=False)
class RodentSetupSearch:
    """A set-up search with the dose each candidate needs.

    Attributes
    ----------
    search : SetupSearch
        The ranked candidates and what cannot be matched.
    doses : tuple of CandidateDose
        One per candidate, in rank order.
    stimulator : str
        The stimulator the doses are for (label).
    waveform : str
        Its pulse shape.
    notes : tuple of str
        Where the pairings come from and what is not modelled.
    """

    search: SetupSearch
    doses: tuple[CandidateDose, ...]
    stimulator: str
    waveform: str
    notes: tuple[str, ...] = ()

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-able record: the search's (:meth:`SetupSearch.to_dict`) with doses.

        Parameters
        ----------
        top : int or None
            Keep only the best ``top`` candidates (default all).

        Returns
        -------
        dict
            The record.
        """
        out = self.search.to_dict(top)
        doses = self.doses if top is None else self.doses[: max(0, int(top))]
        out["candidates"] = [{"rank": i + 1, **d.to_dict()} for i, d in enumerate(doses)]
        out["stimulator"] = self.stimulator
        out["waveform"] = self.waveform
        out["notes"] = [*out["notes"], *self.notes]
        return out

    def table(self, top: int = 10) -> tuple[str, list[str], list[list[str]]]:
        """The best ``top`` set-ups as a table for people (mm, mm^2, A/us, kA).

        Parameters
        ----------
        top : int
            How many rows.

        Returns
        -------
        title : str
            With the reference's relative depth and focality.
        columns : list of str
            Column names.
        rows : list of list of str
            One per set-up, best first; the reference last.
        """
        ref = self.search.reference
        rel_d, rel_s, _ = ref.relative
        title = (
            f"Rodent set-ups ({self.search.head.name}, target {self.search.target}) matching "
            f"{ref.target_efield_v_per_m:.3g} V/m at the target: {ref.label}"
        )
        columns = [
            "rank",
            "coil",
            "distance mm",
            "d1/2 mm",
            "d1/2/R (x ref)",
            "S1/2 mm^2",
            "S1/2 share (x ref)",
            "score",
            "dI/dt A/us",
            "I_peak kA",
            "% MSO",
        ]
        rows = []
        for i, d in enumerate(self.doses[: max(0, int(top))]):
            c = d.candidate
            pct = (
                "n/a"
                if d.pct_mso is None
                else f"{d.pct_mso:.3g}" + (" (>max)" if d.exceeds_maximum else "")
            )
            rows.append(
                [
                    str(i + 1),
                    c.name,
                    f"{c.distance_m * MM_PER_M:.3g}",
                    f"{c.metrics.d_half_m * MM_PER_M:.3g}",
                    f"{c.relative_d_half:.3g} ({c.relative_d_half / rel_d:.2f})",
                    f"{c.metrics.s_half_m2 * MM_PER_M**2:.3g}",
                    f"{c.relative_s_half:.3g} ({c.relative_s_half / rel_s:.2f})",
                    f"{c.score:.3g}" if math.isfinite(c.score) else "inf",
                    f"{d.dose.didt_a_per_s / A_PER_US:.4g}",
                    f"{d.dose.peak_current_a / KA:.3g}",
                    pct,
                ]
            )
        rows.append(
            [
                "ref",
                ref.label,
                f"{ref.coil_distance_m * MM_PER_M:.3g}",
                f"{ref.d_half_m * MM_PER_M:.3g}",
                f"{rel_d:.3g} (1)",
                f"{ref.s_half_m2 * MM_PER_M**2:.4g}",
                f"{rel_s:.3g} (1)",
                "0",
                "",
                "",
                "",
            ]
        )
        return title, columns, rows


def pair_didt(stimulator: Stimulator, coil_name: str) -> tuple[float, str] | None:
    """The measured peak dI/dt at 100 % MSO of ``coil_name`` on ``stimulator``, if any.

    Parameters
    ----------
    stimulator : Stimulator
        The device.
    coil_name : str
        The coil as its maker names it (or a preset name).

    Returns
    -------
    tuple of (float, str) or None, A/s
        dI/dt and its source; None when the pair was not measured.
    """
    try:
        pair = get_coil_didt(stimulator.name, coil_name)
    except UnknownNameError:
        return None
    return pair.didt_max_a_per_s, str(pair.source)


def _paired(
    coil: CandidateCoil, stimulator: Stimulator, known: Mapping[str, tuple[float, str]]
) -> CandidateCoil:
    link = known.get(coil.coil.name) or pair_didt(stimulator, coil.coil.name)
    if coil.family not in ("preset", "custom") or link is None:
        return coil
    return replace(coil, didt_max_a_per_s=link[0], didt_max_source=link[1])


def candidate_dose(
    candidate: SetupCandidate, current_per_didt_s: float, source: str | None = None
) -> CandidateDose:
    """The dose a set-up needs for the reference |E| at its target.

    Parameters
    ----------
    candidate : SetupCandidate
        The set-up (its required dI/dt and pair's peak dI/dt at 100 % MSO).
    current_per_didt_s : float, s
        The pulse's I_peak / dI/dt(0).
    source : str or None
        Where the pair's peak dI/dt comes from.

    Returns
    -------
    CandidateDose
        dI/dt, current, peak B, |E| and % MSO when the pairing is known.
    """
    dose = chain_dose(
        "didt",
        candidate.required_didt_a_per_s,
        tesla_per_a=candidate.coil.tesla_per_ampere,
        current_per_didt_s=current_per_didt_s,
        efield_per_didt=candidate.efield_per_didt,
    )
    didt_max = candidate.didt_max_a_per_s
    if didt_max is None:
        return CandidateDose(candidate, dose, None, None, None, None, NO_PCT)
    pct = pct_mso_of(dose.didt_a_per_s, didt_max)  # unchecked: may be out of reach
    return CandidateDose(candidate, dose, pct, pct > 100.0, didt_max, source)


def search_with_doses(
    reference: FieldReference,
    head: SphereHead,
    target: str | float,
    *,
    stimulator: Stimulator,
    shape: str,
    reference_coil: Coil | None = None,
    known_pairs: Mapping[str, tuple[float, str]] | None = None,
    grid: SearchGrid = DEFAULT_GRID,
    progress: Callable[[int, int, str], None] | None = None,
) -> RodentSetupSearch:
    """Search rodent set-ups for ``reference`` and give each the dose it needs.

    Parameters
    ----------
    reference : FieldReference
        The human field (|E| at the target, depth, focality).
    head : SphereHead
        The rodent head.
    target : str or float, m
        The rodent target: a name of ``head`` or a depth.
    stimulator : Stimulator
        The device the doses are for.
    shape : str
        Its pulse shape (links dI/dt and current).
    reference_coil : Coil or None
        The human coil, for its scaled copy among the candidates.
    known_pairs : mapping of str to (float, str), A/s, optional
        Coil name -> (peak dI/dt at 100 % MSO, source) known beyond the measured pairs, e.g. the
        human scenario's coil on its stimulator.
    grid : SearchGrid
        The candidate set.
    progress : callable or None
        ``progress(done, total, label)``.

    Returns
    -------
    RodentSetupSearch
        Ranked set-ups with doses.
    """
    circuit = stimulator.circuit(shape)  # refuses a shape the device does not offer
    pulse = circuit.waveform(shape, stimulator.max_voltage_v or 1.0)  # the shape, any amplitude
    known = dict(known_pairs or {})
    scale = head.brain_radius_m / reference.brain_radius_m
    coils = [_paired(c, stimulator, known) for c in candidate_coils(grid, reference_coil, scale)]
    extra = {c.name: scaled_distance(reference, head) for c in coils if c.family == "scaled"}
    placements = grid_placements(coils, grid, head.brain_radius_m, extra)
    search = search_setups(
        reference, head, target, placements, refine=grid.refine, progress=progress
    )
    sources = {c.coil.name: c.didt_max_source for c in coils}
    doses = tuple(
        candidate_dose(c, pulse.current_per_didt_s, sources.get(c.coil.name))
        for c in search.candidates
    )
    paired = sorted({c.coil.name for c in coils if c.didt_max_a_per_s is not None})
    notes = [
        f"Doses for the {stimulator.label} {shape} pulse (peak current from its pulse shape "
        "with its reference coil; another coil's inductance, not modelled, changes it).",
        "% MSO where the coil's peak dI/dt at 100 % MSO on this stimulator is known: "
        + (", ".join(paired) if paired else "none")
        + "; elsewhere not available (tmslab does not model coil inductance).",
    ]
    if reference_coil is not None and reference_coil.name in known and doses:
        best = doses[0].dose
        notes.append(
            f"For scale: the reference coil on the {stimulator.label} gives "
            f"{known[reference_coil.name][0] / A_PER_US:.4g} A/us at 100 % MSO; the best set-up "
            f"needs {best.didt_a_per_s / A_PER_US:.4g} A/us and {best.peak_current_a / KA:.3g} kA."
        )
    return RodentSetupSearch(search, doses, stimulator.label, shape, tuple(notes))
