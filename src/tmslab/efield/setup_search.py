"""Cross-species set-up search: the rodent coil and distance that best reproduce a human field.

Given a reference field (a human set-up's |E| at its target and its depth and focality) and a
rodent sphere head, every candidate coil is placed over the vertex at every candidate distance,
with the target below the point of largest |E| on the brain surface (as
:class:`~tmslab.efield.translate.Setup` does). For each, the field per unit dI/dt gives |E| at
the target and the metrics of :func:`~tmslab.efield.metrics.field_metrics`; the dI/dt that makes
|E| at the rodent target equal to the human one follows from linearity. All numbers are per unit
dI/dt or plain SI; waveforms and stimulators live in :mod:`tmslab.protocols.setup_search`.

Why only coil and distance: in a sphere, moving the coil over the scalp or turning its handle
rotates the whole field with it, and the target is placed under the field's maximum, so position
and handle angle change none of the compared numbers.

Score (smaller is better). Depth and focality are compared RELATIVE to the brain, because a
rodent brain is 9 (rat) to 15 (mouse) times smaller than a human one::

    rel_d = d_1/2 / R_brain,  rel_S = S_1/2 / (4 pi R_brain^2),  rel_V = V_1/2 / (4/3 pi R_brain^3)
    score = ln(rel_d / rel_d_ref)^2 + ln(rel_S / rel_S_ref)^2

so a candidate twice as deep (relative) costs as much as one half as deep, and 0 is a perfect
match. V_1/2 = S_1/2 d_1/2 adds nothing to the score; it is reported. Candidates whose required
dI/dt exceeds their stimulator+coil pair's peak dI/dt at 100 % MSO (when that is known) are ranked
after all the others.

Validation: the field of a coil outside a sphere is scale invariant: scaling the coil, its
distance and the sphere by k leaves |E| per unit dI/dt at corresponding points unchanged and
scales d_1/2 by k, S_1/2 by k^2 and V_1/2 by k^3 (Heller & van Hulsteyn 1992, Biophys J
62:1049; the metrics of Deng, Lisanby & Peterchev 2013, Brain Stimul 6:1-13). A copy of the
human coil scaled by R_brain,rodent / R_brain,human at the scaled distance therefore reproduces
the human relative depth and focality exactly (tests/efield/test_setup_search.py). On the
rodent heads of ``data/heads.toml`` the scaled distance can be negative (the rat's 2.5 mm of
scalp and skull are thicker, relative to its brain, than the human's 15 mm): such a set-up
cannot be built, and the search says so.

Speed: every candidate is first measured on a coarser metrics grid (:data:`COARSE`, about 0.5 %
on S_1/2), then the best ``refine`` are measured again at field_metrics' full resolution.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.conductors.sphere import SphereHead
from tmslab.efield.kernels import sphere_efield
from tmslab.efield.metrics import FieldMetrics, field_metrics
from tmslab.efield.sphere import check_coil_outside
from tmslab.efield.translate import Setup
from tmslab.errors import InvalidValueError, check_positive
from tmslab.units import MM, MM_PER_M

__all__ = [
    "COARSE",
    "DEFAULT_GRID",
    "CandidateCoil",
    "FieldReference",
    "Placement",
    "SearchGrid",
    "SetupCandidate",
    "SetupSearch",
    "candidate_coils",
    "coil_span",
    "grid_placements",
    "match_score",
    "reference_from_setup",
    "relative_metrics",
    "scaled_coil",
    "scaled_distance",
    "search_setups",
]

# field_metrics settings of the first pass: a direction grid of brain radius / 16 and 12 radial
# samples (full: / 48 and 32). Measured against full resolution on rodent and human coils over
# the rat: d_1/2 within 0.03 %, S_1/2 within 0.5 %, 3 to 6 times faster.
COARSE = {"surface_spacing_fraction": 1 / 16, "radial_samples": 12}
GAP_TOLERANCE_M = 1e-9  # a scaled distance this close to 0 is an exact fit, not a refusal
MAX_PLACEMENTS = 2000  # a grid larger than this is refused before any field is computed
Progress = Callable[[int, int, str], None]


def relative_metrics(
    d_half_m: float, s_half_m2: float, v_half_m3: float, brain_radius_m: float
) -> tuple[float, float, float]:
    """Depth and focality relative to the brain's size.

    Parameters
    ----------
    d_half_m : float, m
        Half-value depth d_1/2.
    s_half_m2 : float, m^2
        Half-value surface S_1/2.
    v_half_m3 : float, m^3
        Half-value volume V_1/2.
    brain_radius_m : float, m
        The brain sphere's radius.

    Returns
    -------
    rel_d : float, dimensionless
        d_1/2 / R_brain.
    rel_s : float, dimensionless
        S_1/2 / (4 pi R_brain^2): the share of the brain surface.
    rel_v : float, dimensionless
        V_1/2 / (4/3 pi R_brain^3): the share of the brain volume.
    """
    r = check_positive("brain radius", brain_radius_m, "m")
    return d_half_m / r, s_half_m2 / (4 * math.pi * r**2), v_half_m3 / (4 / 3 * math.pi * r**3)


def match_score(rel_d: float, rel_s: float, ref_rel_d: float, ref_rel_s: float) -> float:
    """Sum of squared log-ratios of relative depth and focality; 0 is a perfect match.

    Parameters
    ----------
    rel_d, rel_s : float, dimensionless
        The candidate's d_1/2 / R_brain and S_1/2 / (4 pi R_brain^2).
    ref_rel_d, ref_rel_s : float, dimensionless
        The reference's.

    Returns
    -------
    float, dimensionless
        ``ln(rel_d / ref_rel_d)^2 + ln(rel_s / ref_rel_s)^2``; inf when a value is not positive
        (a field that is nowhere above half its maximum below the surface).
    """
    values = (rel_d, rel_s, ref_rel_d, ref_rel_s)
    if not all(math.isfinite(v) and v > 0 for v in values):
        return math.inf
    return math.log(rel_d / ref_rel_d) ** 2 + math.log(rel_s / ref_rel_s) ** 2


@dataclass(frozen=True)
class FieldReference:
    """The field to reproduce: |E| at a target and the depth and focality of the whole field.

    Attributes
    ----------
    label : str
        What it is, e.g. the human scenario's name.
    brain_radius_m : float, m
        Radius of its brain sphere.
    scalp_radius_m : float, m
        Radius of its scalp sphere.
    coil_distance_m : float, m
        Gap between its scalp and coil face.
    target : str
        The target's name (or depth) as shown.
    target_depth_m : float, m
        Depth of the target below the brain surface.
    target_efield_v_per_m : float, V/m
        |E| at the target: what every candidate is scaled to.
    emax_v_per_m : float, V/m
        Largest |E| on the brain surface.
    d_half_m : float, m
        Half-value depth.
    s_half_m2 : float, m^2
        Half-value surface area.
    v_half_m3 : float, m^3
        Half-value volume.
    """

    label: str
    brain_radius_m: float
    scalp_radius_m: float
    coil_distance_m: float
    target: str
    target_depth_m: float
    target_efield_v_per_m: float
    emax_v_per_m: float
    d_half_m: float
    s_half_m2: float
    v_half_m3: float

    def __post_init__(self) -> None:
        check_positive("the reference |E| at the target", self.target_efield_v_per_m, "V/m")
        check_positive("the reference d_1/2", self.d_half_m, "m")
        check_positive("the reference S_1/2", self.s_half_m2, "m^2")
        check_positive("the reference brain radius", self.brain_radius_m, "m")

    @property
    def relative(self) -> tuple[float, float, float]:
        """(d_1/2 / R, S_1/2 / (4 pi R^2), V_1/2 / (4/3 pi R^3)), dimensionless."""
        return relative_metrics(self.d_half_m, self.s_half_m2, self.v_half_m3, self.brain_radius_m)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (SI), with the relative metrics."""
        rel_d, rel_s, rel_v = self.relative
        return {
            "label": self.label,
            "brain_radius_m": self.brain_radius_m,
            "scalp_radius_m": self.scalp_radius_m,
            "coil_distance_m": self.coil_distance_m,
            "target": self.target,
            "target_depth_m": self.target_depth_m,
            "target_efield_v_per_m": self.target_efield_v_per_m,
            "emax_v_per_m": self.emax_v_per_m,
            "d_half_m": self.d_half_m,
            "s_half_m2": self.s_half_m2,
            "v_half_m3": self.v_half_m3,
            "relative_d_half": rel_d,
            "relative_s_half": rel_s,
            "relative_v_half": rel_v,
        }


def reference_from_setup(setup: Setup, didt_a_per_s: float, label: str = "") -> FieldReference:
    """The reference field of a sphere set-up at a given peak dI/dt.

    Parameters
    ----------
    setup : Setup
        Head, coil, target and distance (e.g. the human set-up).
    didt_a_per_s : float, A/s
        Peak dI/dt of its pulse.
    label : str
        What to call it.

    Returns
    -------
    FieldReference
        |E| at the target and the metrics at that dI/dt.
    """
    from tmslab.efield.translate import describe

    didt = check_positive("dI/dt", didt_a_per_s, "A/s")
    info = describe(setup)
    metrics = info["metrics_per_didt"]
    return FieldReference(
        label=label or f"{setup.coil.name} over the {setup.head.name} head",
        brain_radius_m=setup.head.brain_radius_m,
        scalp_radius_m=setup.head.scalp_radius_m,
        coil_distance_m=setup.distance_m,
        target=str(setup.target),
        target_depth_m=info["target_depth_m"],
        target_efield_v_per_m=info["efield_per_didt"] * didt,
        emax_v_per_m=metrics.emax * didt,
        d_half_m=metrics.d_half_m,
        s_half_m2=metrics.s_half_m2,
        v_half_m3=metrics.v_half_m3,
    )


@dataclass(frozen=True, eq=False)
class CandidateCoil:
    """A coil to try, where it comes from, and its stimulator pairing if known.

    Attributes
    ----------
    name : str
        Shown in the table, e.g. ``"figure-8 10 mm, 10 turns"`` or a preset name.
    family : str
        ``"preset"``, ``"round"``, ``"figure-8"`` (parametric), ``"scaled"`` (a scaled copy of
        the reference coil) or ``"custom"``.
    coil : Coil
        In its own frame.
    outer_diameter_m : float or None, m
        Outer winding diameter (per wing for a figure-8), when the coil has one.
    turns : int or None
        Turns (per wing), when known.
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt at 100 % MSO of its stimulator+coil pair; None when not known.
    didt_max_source : str or None
        Where ``didt_max_a_per_s`` comes from.
    """

    name: str
    family: str
    coil: Coil
    outer_diameter_m: float | None = None
    turns: int | None = None
    didt_max_a_per_s: float | None = None
    didt_max_source: str | None = None


@dataclass(frozen=True)
class Placement:
    """A candidate coil at a scalp-to-coil-face distance (over the vertex).

    Attributes
    ----------
    coil : CandidateCoil
        The coil.
    distance_m : float, m
        Gap between scalp and coil face.
    """

    coil: CandidateCoil
    distance_m: float


@dataclass(frozen=True)
class SearchGrid:
    """The candidate set: parametric coils, presets and distances.

    Parametric coils are flat, one layer, with the inner winding diameter ``inner_fraction``
    times the outer one and the windings ``face_gap_m`` behind the coil face (the casing); a
    figure-8's wings touch (:func:`tmslab.coils.builders.figure8_coil`).

    Attributes
    ----------
    outer_diameters_m : tuple of float, m
        Outer winding diameters of the parametric coils.
    turns : tuple of int
        Turns (per wing) of the parametric coils.
    distances_m : tuple of float, m
        Scalp-to-coil-face gaps tried for every coil.
    kinds : tuple of str
        Parametric kinds: ``"round"``, ``"figure-8"``.
    presets : tuple of str or None
        Coil presets to try; None: every preset of ``data/coils.toml`` (the human ones are
        there for reference). Presets of the same geometry are tried once.
    inner_fraction : float, dimensionless
        Inner / outer winding diameter of the parametric coils.
    face_gap_m : float, m
        Coil face to windings of the parametric coils.
    scaled_reference : bool
        Also try the reference coil scaled by the brain-radius ratio (needs the reference coil).
    refine : int
        How many of the best candidates are measured again at full resolution.
    wide_span_radii : float, dimensionless
        Coils wider than this many brain radii (the span of their windings) are tried at the
        smallest distance only: they are broader and deeper than the head already, and moving
        them away only makes their field broader and deeper (relative to the brain).
    """

    outer_diameters_m: tuple[float, ...] = tuple(d * MM for d in (5, 7, 10, 14, 20, 28, 40, 56, 70))
    turns: tuple[int, ...] = (10,)
    distances_m: tuple[float, ...] = tuple(d * MM for d in (0, 1, 2, 5))
    kinds: tuple[str, ...] = ("round", "figure-8")
    presets: tuple[str, ...] | None = None
    inner_fraction: float = 0.5
    face_gap_m: float = 0.5 * MM
    scaled_reference: bool = True
    refine: int = 5
    wide_span_radii: float = 4.0

    def __post_init__(self) -> None:
        for d in self.outer_diameters_m:
            check_positive("outer diameter", d, "m")
        for n in self.turns:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise InvalidValueError(f"turns = {n!r} is not allowed; give integers >= 1")
        if not self.distances_m:
            raise InvalidValueError("give at least one coil distance")
        for d in self.distances_m:
            if not (math.isfinite(d) and 0 <= d <= 0.05):
                raise InvalidValueError(
                    f"coil distance {d * MM_PER_M:g} mm is not allowed; give 0 to 50 mm"
                )
        unknown = set(self.kinds) - {"round", "figure-8"}
        if unknown:
            raise InvalidValueError(
                f"coil kinds {', '.join(sorted(unknown))}; give round and/or figure-8"
            )
        if not 0 <= self.inner_fraction < 1:
            raise InvalidValueError(
                f"inner_fraction = {self.inner_fraction!r}; give a number in [0, 1)"
            )
        if not (math.isfinite(self.face_gap_m) and self.face_gap_m >= 0):
            raise InvalidValueError(f"face gap {self.face_gap_m!r} m; give a size >= 0 m")
        if isinstance(self.refine, bool) or not isinstance(self.refine, int) or self.refine < 0:
            raise InvalidValueError(f"refine = {self.refine!r}; give an integer >= 0")
        n = (len(self.outer_diameters_m) * len(self.turns) * len(self.kinds) + 20) * len(
            self.distances_m
        )
        if n > MAX_PLACEMENTS:
            raise InvalidValueError(
                f"the grid has about {n} coil placements (more than {MAX_PLACEMENTS}); give "
                "fewer diameters, turns or distances"
            )


DEFAULT_GRID = SearchGrid()


def scaled_coil(coil: Coil, factor: float, name: str | None = None) -> Coil:
    """A geometric copy of ``coil``, ``factor`` times the size (same turns, same current).

    Positions scale by ``factor`` and dipole moments (per ampere, an area) by ``factor``^2, so
    |E| per unit dI/dt at corresponding points is unchanged (scale invariance).

    Parameters
    ----------
    coil : Coil
        In its own frame (the face centre is the origin, so the casing scales too).
    factor : float, dimensionless
        Size ratio.
    name : str or None
        The copy's name (default ``"<name> x<factor>"``).

    Returns
    -------
    Coil
        The scaled coil.
    """
    k = check_positive("scale factor", factor)
    params = {
        key: (value * k if key.endswith("_m") and isinstance(value, float) else value)
        for key, value in coil.parameters.items()
    }
    params.pop("didt_max_a_per_s", None)  # a stimulator pairing does not carry over
    return replace(
        coil,
        name=name or f"{coil.name} x{k:.4g}",
        label=f"{coil.label or coil.name}, scaled by {k:.4g}",
        dipole_positions=coil.dipole_positions * k,
        dipole_moments=coil.dipole_moments * k**2,
        windings=tuple(w * k for w in coil.windings),
        reference_point=coil.reference_point * k,
        parameters=params,
        assumptions=(*coil.assumptions, f"Geometric copy scaled by {k:.4g}."),
    )


def scaled_distance(reference: FieldReference, head: SphereHead) -> float:
    """Scalp-to-coil-face gap on ``head`` that puts a scaled reference coil where the scaled
    reference set-up has it (same coil-to-brain gap relative to the brain radius).

    Parameters
    ----------
    reference : FieldReference
        The reference set-up.
    head : SphereHead
        The rodent head.

    Returns
    -------
    float, m
        The gap; negative when the head's scalp and skull are too thick, relative to its
        brain, for the scaled set-up to be built.
    """
    k = head.brain_radius_m / reference.brain_radius_m
    reference_gap = reference.scalp_radius_m - reference.brain_radius_m + reference.coil_distance_m
    return k * reference_gap - (head.scalp_radius_m - head.brain_radius_m)


def _outer_diameter(coil: Coil) -> float | None:
    value = coil.parameters.get("outer_diameter_m")
    return float(value) if value is not None else None


def _turns(coil: Coil) -> int | None:
    value = coil.parameters.get("turns", coil.parameters.get("turns_per_wing"))
    return int(value) if value is not None else None


def candidate_coils(
    grid: SearchGrid = DEFAULT_GRID, reference_coil: Coil | None = None, scale: float = 1.0
) -> tuple[CandidateCoil, ...]:
    """The coils of a grid: presets (each geometry once), parametric coils and, with
    ``reference_coil``, its scaled copy.

    Parameters
    ----------
    grid : SearchGrid
        What to try.
    reference_coil : Coil or None
        The reference set-up's coil, for the scaled copy (``grid.scaled_reference``).
    scale : float, dimensionless
        The scaled copy's size ratio (rodent / reference brain radius).

    Returns
    -------
    tuple of CandidateCoil
        Without stimulator pairings (the dose layer adds them).
    """
    from tmslab.coils.builders import figure8_coil, round_coil
    from tmslab.coils.library import get_coil, list_coils

    out: list[CandidateCoil] = []
    seen: dict[bytes, int] = {}
    for name in grid.presets if grid.presets is not None else list_coils():
        coil = get_coil(name)
        key = coil.dipole_positions.tobytes() + coil.dipole_moments.tobytes()
        if key in seen:  # e.g. round-7cm is the Magstim 70 mm round coil's geometry
            first = out[seen[key]]
            out[seen[key]] = replace(first, name=f"{first.name} (= {coil.name})")
            continue
        seen[key] = len(out)
        out.append(CandidateCoil(coil.name, "preset", coil, _outer_diameter(coil), _turns(coil)))
    builders = {"round": round_coil, "figure-8": figure8_coil}
    for kind in grid.kinds:
        for outer in grid.outer_diameters_m:
            for turns in grid.turns:
                name = f"{kind} {outer * MM_PER_M:g} mm, {turns} turns"
                coil = builders[kind](
                    outer * grid.inner_fraction,
                    outer,
                    turns,
                    face_gap_m=grid.face_gap_m,
                    name=name,
                    label=f"parametric {name}",
                    assumptions=(
                        f"Flat, one layer, inner diameter {grid.inner_fraction:g} x outer, "
                        f"windings {grid.face_gap_m * MM_PER_M:g} mm behind the coil face.",
                    ),
                )
                out.append(CandidateCoil(name, kind, coil, outer, turns))
    if grid.scaled_reference and reference_coil is not None:
        coil = scaled_coil(reference_coil, scale)
        out.append(
            CandidateCoil(
                f"{reference_coil.name} scaled x{scale:.3g}",
                "scaled",
                coil,
                None
                if _outer_diameter(reference_coil) is None
                else _outer_diameter(reference_coil) * scale,
                _turns(reference_coil),
            )
        )
    return tuple(out)


def coil_span(coil: Coil) -> float:
    """Largest extent of a coil's dipoles across its face (x-y plane of its own frame).

    Parameters
    ----------
    coil : Coil
        In its own frame.

    Returns
    -------
    float, m
        max over x and y of (max - min) of the dipole positions.
    """
    xy = coil.dipole_positions[:, :2]
    return float(np.max(xy.max(axis=0) - xy.min(axis=0)))


def grid_placements(
    coils: Sequence[CandidateCoil],
    grid: SearchGrid = DEFAULT_GRID,
    brain_radius_m: float | None = None,
    extra_distances: dict[str, float] | None = None,
) -> tuple[Placement, ...]:
    """Every coil at every distance of the grid (and any extra distance per coil name).

    Parameters
    ----------
    coils : sequence of CandidateCoil
        The coils.
    grid : SearchGrid
        Its ``distances_m`` and ``wide_span_radii``.
    brain_radius_m : float or None, m
        The rodent brain's radius: coils wider than ``grid.wide_span_radii`` of it get the
        smallest distance only (None: every coil gets every distance).
    extra_distances : dict of str to float, m, optional
        Coil name -> one more distance for it (e.g. the scaled distance of the scaled coil);
        a negative one is left out.

    Returns
    -------
    tuple of Placement
        The placements, coil by coil.
    """
    extra = extra_distances or {}
    out = []
    for coil in coils:
        distances = sorted(grid.distances_m)
        if (
            brain_radius_m is not None
            and coil_span(coil.coil) > grid.wide_span_radii * brain_radius_m
        ):
            distances = distances[:1]
        more = extra.get(coil.name)
        if more is not None and more > -GAP_TOLERANCE_M:
            more = max(more, 0.0)  # rounding of an exact fit
        if more is not None and more >= 0 and all(abs(more - d) > 1e-9 for d in distances):
            distances.append(more)
        out.extend(Placement(coil, d) for d in sorted(distances))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class SetupCandidate:
    """One rodent set-up: a coil at a distance over the vertex, the target under E_max.

    Attributes
    ----------
    name : str
        The coil's name in the table.
    family : str
        ``"preset"``, ``"round"``, ``"figure-8"``, ``"scaled"`` or ``"custom"``.
    coil : Coil
        In its own frame.
    outer_diameter_m : float or None, m
        Outer winding diameter, when known.
    turns : int or None
        Turns (per wing), when known.
    distance_m : float, m
        Gap between scalp and coil face.
    efield_per_didt : float, V/m per A/s
        |E| at the target per unit dI/dt.
    metrics : FieldMetrics
        E_max (per unit dI/dt), d_1/2, S_1/2, V_1/2.
    relative_d_half : float, dimensionless
        d_1/2 / R_brain.
    relative_s_half : float, dimensionless
        S_1/2 / (4 pi R_brain^2).
    relative_v_half : float, dimensionless
        V_1/2 / (4/3 pi R_brain^3).
    required_didt_a_per_s : float, A/s
        Peak dI/dt that gives the reference |E| at the target.
    didt_max_a_per_s : float or None, A/s
        The pair's peak dI/dt at 100 % MSO, when known.
    reachable : bool or None
        Whether the required dI/dt is within it (None: not known).
    score : float, dimensionless
        :func:`match_score` against the reference (0 is a perfect match).
    full_resolution : bool
        Whether the metrics are at field_metrics' full resolution (else :data:`COARSE`).
    """

    name: str
    family: str
    coil: Coil
    outer_diameter_m: float | None
    turns: int | None
    distance_m: float
    efield_per_didt: float
    metrics: FieldMetrics
    relative_d_half: float
    relative_s_half: float
    relative_v_half: float
    required_didt_a_per_s: float
    didt_max_a_per_s: float | None
    reachable: bool | None
    score: float
    full_resolution: bool

    @property
    def matched_emax_v_per_m(self) -> float:
        """E_max on the brain surface, V/m, at the required dI/dt."""
        return self.metrics.emax * self.required_didt_a_per_s

    def rank_key(self) -> tuple[bool, float, str, float]:
        """Sort key: set-ups known to be out of reach last, then by score.

        Returns
        -------
        tuple
            (out of reach, score, name, distance in m).
        """
        return (self.reachable is False, self.score, self.name, self.distance_m)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (SI)."""
        return {
            "name": self.name,
            "family": self.family,
            "coil": self.coil.name,
            "outer_diameter_m": self.outer_diameter_m,
            "turns": self.turns,
            "distance_m": self.distance_m,
            "efield_per_didt": self.efield_per_didt,
            "emax_per_didt": self.metrics.emax,
            "d_half_m": self.metrics.d_half_m,
            "s_half_m2": self.metrics.s_half_m2,
            "v_half_m3": self.metrics.v_half_m3,
            "relative_d_half": self.relative_d_half,
            "relative_s_half": self.relative_s_half,
            "relative_v_half": self.relative_v_half,
            "required_didt_a_per_s": self.required_didt_a_per_s,
            "matched_emax_v_per_m": self.matched_emax_v_per_m,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "reachable": self.reachable,
            "score": self.score if math.isfinite(self.score) else None,
            "full_resolution": self.full_resolution,
        }


@dataclass(frozen=True, eq=False)
class SetupSearch:
    """The ranked candidates of a set-up search and what none of them matches.

    Attributes
    ----------
    reference : FieldReference
        The field to reproduce.
    head : SphereHead
        The rodent head.
    target : str
        The rodent target as shown.
    target_depth_m : float, m
        Its depth below the brain surface.
    candidates : tuple of SetupCandidate
        Best first (:meth:`SetupCandidate.rank_key`).
    unmatched : tuple of str
        What cannot be matched, in plain words.
    notes : tuple of str
        How the search was made (grid, symmetry, resolution).
    """

    reference: FieldReference
    head: SphereHead
    target: str
    target_depth_m: float
    candidates: tuple[SetupCandidate, ...]
    unmatched: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def best(self) -> SetupCandidate:
        """The first-ranked candidate."""
        return self.candidates[0]

    def top(self, n: int) -> tuple[SetupCandidate, ...]:
        """The ``n`` best candidates.

        Parameters
        ----------
        n : int
            How many.

        Returns
        -------
        tuple of SetupCandidate
            Best first.
        """
        return self.candidates[: max(0, int(n))]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-able record (SI): reference, head, target, ranked candidates, unmatched, notes.

        Parameters
        ----------
        top : int or None
            Keep only the best ``top`` candidates (default all).

        Returns
        -------
        dict
            The record.
        """
        chosen = self.candidates if top is None else self.top(top)
        return {
            "reference": self.reference.to_dict(),
            "head": self.head.name,
            "brain_radius_m": self.head.brain_radius_m,
            "target": self.target,
            "target_depth_m": self.target_depth_m,
            "n_candidates": len(self.candidates),
            "candidates": [{"rank": i + 1, **c.to_dict()} for i, c in enumerate(chosen)],
            "unmatched": list(self.unmatched),
            "notes": list(self.notes),
        }


def _measure(
    placement: Placement,
    head: SphereHead,
    target: str | float,
    reference: FieldReference,
    full: bool,
) -> SetupCandidate:
    """One placement's field at the target and its metrics (per unit dI/dt)."""
    setup = Setup(head, placement.coil.coil, target, distance_m=placement.distance_m)
    placed = setup.placed_coil()
    check_coil_outside(placed, head)
    resolution: dict[str, Any] = {}
    if not full:
        resolution = {
            "surface_spacing_m": head.brain_radius_m * COARSE["surface_spacing_fraction"],
            "radial_samples": COARSE["radial_samples"],
        }
    metrics = field_metrics(placed, head, **resolution)
    point = setup.target_point(metrics.emax_point_m)
    e_vec = sphere_efield(point[None], placed.dipole_positions, placed.dipole_moments)[0]
    e_per_didt = float(np.linalg.norm(e_vec))
    rel_d, rel_s, rel_v = relative_metrics(
        metrics.d_half_m, metrics.s_half_m2, metrics.v_half_m3, head.brain_radius_m
    )
    ref_d, ref_s, _ = reference.relative
    required = reference.target_efield_v_per_m / e_per_didt if e_per_didt > 0 else math.inf
    didt_max = placement.coil.didt_max_a_per_s
    return SetupCandidate(
        name=placement.coil.name,
        family=placement.coil.family,
        coil=placement.coil.coil,
        outer_diameter_m=placement.coil.outer_diameter_m,
        turns=placement.coil.turns,
        distance_m=placement.distance_m,
        efield_per_didt=e_per_didt,
        metrics=metrics,
        relative_d_half=rel_d,
        relative_s_half=rel_s,
        relative_v_half=rel_v,
        required_didt_a_per_s=required,
        didt_max_a_per_s=didt_max,
        reachable=None if didt_max is None else bool(required <= didt_max * (1 + 1e-12)),
        score=match_score(rel_d, rel_s, ref_d, ref_s),
        full_resolution=full,
    )


def search_setups(
    reference: FieldReference,
    head: SphereHead,
    target: str | float,
    placements: Sequence[Placement],
    *,
    refine: int = DEFAULT_GRID.refine,
    progress: Progress | None = None,
) -> SetupSearch:
    """Measure every placement on ``head``, rank them against ``reference``.

    Parameters
    ----------
    reference : FieldReference
        The field to reproduce (|E| at the target, depth and focality).
    head : SphereHead
        The rodent head.
    target : str or float, m
        A named target of ``head`` or a depth below its brain surface.
    placements : sequence of Placement
        The coils and distances to try (:func:`grid_placements`).
    refine : int
        How many of the best are measured again at full resolution.
    progress : callable or None
        ``progress(done, total, label)`` after each measurement.

    Returns
    -------
    SetupSearch
        Ranked candidates, what cannot be matched, and notes.

    Raises
    ------
    InvalidValueError
        If there are no placements, too many, or the target is not in the head.
    """
    if not placements:
        raise InvalidValueError("no candidate set-ups to search; give at least one coil")
    if len(placements) > MAX_PLACEMENTS:
        raise InvalidValueError(
            f"{len(placements)} candidate set-ups (more than {MAX_PLACEMENTS}); give fewer"
        )
    depth = head.target_depth(target)  # refuses an unknown target before any field
    refine = max(0, min(int(refine), len(placements)))
    total = len(placements) + refine
    measured: list[tuple[SetupCandidate, Placement]] = []
    for i, placement in enumerate(placements):
        measured.append((_measure(placement, head, target, reference, full=False), placement))
        if progress is not None:
            progress(i + 1, total, placement.coil.name)
    measured.sort(key=lambda pair: pair[0].rank_key())
    for i in range(refine):  # the best again at full resolution: the table's numbers
        placement = measured[i][1]
        measured[i] = (_measure(placement, head, target, reference, full=True), placement)
        if progress is not None:
            progress(len(placements) + i + 1, total, f"refining {placement.coil.name}")
    measured.sort(key=lambda pair: pair[0].rank_key())
    ranked = tuple(candidate for candidate, _ in measured)
    shown = target if isinstance(target, str) else f"{depth * MM_PER_M:g} mm deep"
    return SetupSearch(
        reference=reference,
        head=head,
        target=shown,
        target_depth_m=depth,
        candidates=ranked,
        unmatched=tuple(_unmatched(reference, head, ranked)),
        notes=(
            "Each coil lies over the vertex, the target below the point of largest |E| on the "
            "brain surface; in a sphere, position and handle angle rotate the field with the "
            "coil and change none of the compared numbers.",
            f"Score: ln(rel d_1/2 ratio)^2 + ln(rel S_1/2 ratio)^2 against the reference, with "
            f"rel d_1/2 = d_1/2 / R_brain and rel S_1/2 = S_1/2 / (4 pi R_brain^2); "
            f"{len(ranked)} set-ups, the best {refine} at full metrics resolution.",
        ),
    )


def _pct(value: float) -> str:
    return f"{100 * value:.3g} %"


def _unmatched(
    reference: FieldReference, head: SphereHead, ranked: Sequence[SetupCandidate]
) -> list[str]:
    """Plain-words statements of what no candidate reaches."""
    out = []
    ref_d, ref_s, _ = reference.relative
    species = head.species if head.species != "any" else head.name
    finite = [c for c in ranked if math.isfinite(c.score)]
    if not finite:
        return ["No candidate has a field above half its maximum below the brain surface."]
    tissue_ref = (reference.scalp_radius_m - reference.brain_radius_m) / reference.brain_radius_m
    tissue = (head.scalp_radius_m - head.brain_radius_m) / head.brain_radius_m
    if scaled_distance(reference, head) < -GAP_TOLERANCE_M:
        out.append(
            f"The {species}'s scalp and skull ({(head.scalp_radius_m - head.brain_radius_m) * MM_PER_M:.3g} mm, "
            f"{tissue:.2f} brain radii) are thicker, relative to its brain, than the reference's "
            f"({(reference.scalp_radius_m - reference.brain_radius_m) * MM_PER_M:.3g} mm, "
            f"{tissue_ref:.2f} brain radii): a scaled copy of the reference set-up cannot be "
            f"built on the {species} (its coil would sit "
            f"{-scaled_distance(reference, head) * MM_PER_M:.2g} mm inside the scalp); no coil "
            f"gets as close to the {species} brain, relative to its size, as the reference coil "
            "gets to the reference brain."
        )
    focal = min(finite, key=lambda c: c.relative_s_half)
    if focal.relative_s_half > ref_s * 1.05:
        out.append(
            f"No candidate is as focal as the reference: the most focal ({focal.name} at "
            f"{focal.distance_m * MM_PER_M:.3g} mm) puts {_pct(focal.relative_s_half)} of the "
            f"brain surface above E_max/2, the reference {_pct(ref_s)}."
        )
    shallow = min(finite, key=lambda c: c.relative_d_half)
    deep = max(finite, key=lambda c: c.relative_d_half)
    if shallow.relative_d_half > ref_d * 1.05:
        out.append(
            f"No candidate is as shallow as the reference: the least deep ({shallow.name}) "
            f"reaches d_1/2 = {shallow.relative_d_half:.3g} brain radii, the reference "
            f"{ref_d:.3g}."
        )
    elif deep.relative_d_half < ref_d / 1.05:
        out.append(
            f"No candidate reaches as deep as the reference: the deepest ({deep.name}) reaches "
            f"d_1/2 = {deep.relative_d_half:.3g} brain radii, the reference {ref_d:.3g}."
        )
    out.append(
        f"Range over the candidates: d_1/2 {shallow.relative_d_half:.3g} to "
        f"{deep.relative_d_half:.3g} brain radii (reference {ref_d:.3g}); S_1/2 "
        f"{_pct(focal.relative_s_half)} to {_pct(max(c.relative_s_half for c in finite))} of "
        f"the brain surface (reference {_pct(ref_s)})."
    )
    best = ranked[0]
    if math.isfinite(best.score):
        out.append(
            f"The best set-up ({best.name} at {best.distance_m * MM_PER_M:.3g} mm) reaches "
            f"{best.relative_d_half / ref_d:.3g} times the reference's relative d_1/2 and "
            f"{best.relative_s_half / ref_s:.3g} times its relative S_1/2."
        )
        ratio_ref = reference.emax_v_per_m / reference.target_efield_v_per_m
        ratio = best.metrics.emax / best.efield_per_didt
        if ratio > ratio_ref * 1.1:
            out.append(
                f"With |E| at the target matched ({reference.target_efield_v_per_m:.3g} V/m), "
                f"the {species} brain surface under the best set-up gets E_max = "
                f"{best.matched_emax_v_per_m:.3g} V/m, the reference's "
                f"{reference.emax_v_per_m:.3g} V/m: the {species} target lies deeper relative "
                f"to the field ({ratio:.3g} x E_at_target against {ratio_ref:.3g} x)."
            )
    out_of_reach = [c for c in ranked if c.reachable is False]
    if out_of_reach:
        out.append(
            f"{len(out_of_reach)} set-up(s) need more than their stimulator's maximum to reach "
            "the reference |E| at the target; they are ranked last."
        )
    return out
