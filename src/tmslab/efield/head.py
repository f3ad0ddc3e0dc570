"""The E-field on the cortex of a realistic head (issue 16): solve, summarise, write.

:func:`head_field` solves the boundary-element problem of a placed coil on the head's conductor
(:meth:`tmslab.conductors.head.HeadModel.conductor`, the brain bounded by the inner skull) and
evaluates E at the vertices of the mid-cortical surface (half-way between pial and white) of both
hemispheres. The result, :class:`CorticalField`, gives in SI units:

- |E|, the normal component E_n and the tangential magnitude at every vertex. **Sign of E_n**:
  as SimNIBS, positive INTO the cortex, i.e. along minus the outward normal of the mid surface
  (``E_n = -E . n_out``); the tangential magnitude is ``|E - (E . n) n|``.
- The maximum: ``e_max`` is the robust maximum, the area-weighted 99.9th percentile of |E| over
  the cortex (what SimNIBS reports as its maximum); ``e_max_raw`` is the largest vertex value.
  The hot spot is the vertex of ``e_max_raw``.
- Focality: the cortical area where |E| >= 50 % and >= 75 % of ``e_max`` (the robust maximum),
  from vertex areas (a third of each adjacent triangle's area), in m^2 (``to_dict`` adds cm^2).
- At a target (a :class:`~tmslab.conductors.head.CorticalTarget`): |E| and E_n at its vertex,
  and the distance from the target to the hot spot.

Statistics run over the cortex only: the medial-wall vertices (where FreeSurfer closes each
hemisphere across the midline) are not grey matter and are left out (their field is still
evaluated and written).

The ``tmslab field head`` run (options checked before the solve, the output folder) is
:mod:`tmslab.efield.head_run`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.sources import Source
from tmslab.units import A_PER_US, CM2_PER_M2, MM, MM_PER_M

__all__ = [
    "FOCALITY_LEVELS",
    "ROBUST_PERCENTILE",
    "CorticalField",
    "as_coil",
    "check_coil_outside",
    "cortical_field",
    "head_field",
    "head_field_rows",
    "vertex_areas",
    "weighted_percentile",
]

ROBUST_PERCENTILE = 99.9  # SimNIBS's robust maximum: percentile of |E| weighted by area
FOCALITY_LEVELS = (0.5, 0.75)  # fractions of the robust maximum
SIGN_CONVENTION = (
    "E_n is positive INTO the cortex (along minus the outward normal of the mid-cortical "
    "surface), as in SimNIBS"
)


# The files of --out; the folder holds exactly these, from one run.
def vertex_areas(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area per vertex: a third of the area of each triangle it belongs to.

    Parameters
    ----------
    vertices : (N, 3) ndarray, m
        Vertices.
    triangles : (M, 3) ndarray of int
        Vertex indices.

    Returns
    -------
    (N,) ndarray, m^2
        Sums to the surface's area.
    """
    v = np.asarray(vertices, dtype=float)
    t = np.asarray(triangles)
    c = v[t]
    area = 0.5 * np.linalg.norm(np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0]), axis=1)
    out = np.zeros(len(v))
    for k in range(3):
        np.add.at(out, t[:, k], area / 3.0)
    return out


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of ``values`` weighted by ``weights`` (SimNIBS's definition).

    The smallest value whose cumulative weight (sorted ascending) reaches ``q`` % of the total.

    Parameters
    ----------
    values : (N,) ndarray, any unit
        Values.
    weights : (N,) ndarray, any unit, >= 0
        Weights (e.g. vertex areas, m^2).
    q : float, %
        In [0, 100].

    Returns
    -------
    float, the unit of ``values``
        The percentile.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if v.shape != w.shape or v.ndim != 1 or len(v) == 0:
        raise InvalidValueError(f"weighted percentile: shapes {v.shape} and {w.shape} differ")
    if not 0 <= q <= 100:
        raise InvalidValueError(f"percentile q = {q!r} must be in [0, 100]")
    order = np.argsort(v)
    cumulative = np.cumsum(w[order])
    k = int(np.searchsorted(cumulative, q / 100.0 * cumulative[-1], side="left"))
    return float(v[order][min(k, len(v) - 1)])


@dataclass(frozen=True, eq=False)
class CorticalField:
    """The E-field on the mid-cortical surface of a head (SI units; module docstring).

    Attributes
    ----------
    head_name : str
        E.g. ``"fsaverage"``.
    coil_name : str
        The coil.
    pose : (4, 4) ndarray, m
        Coil -> head transform (SimNIBS matsimnibs convention, metres).
    didt_a_per_s : float, A/s
        The coil's dI/dt the fields are computed at (1e6 A/s: V/m per A/us).
    vertices : (N, 3) ndarray, m
        Mid-cortical vertices, hemispheres stacked (``hemispheres`` gives the order and sizes).
    triangles : (M, 3) ndarray of int
        Into ``vertices``.
    normals : (N, 3) ndarray, dimensionless
        Outward unit normals of the mid surface.
    efield : (N, 3) ndarray, V/m
        E at the vertices.
    hemispheres : tuple of (str, int)
        (name, number of vertices), in stacking order.
    cortex : (N,) ndarray of bool
        Vertices counted in the statistics (False on the medial wall).
    target : CorticalTarget or None
        Where the field is reported.
    sources : tuple of Source
        Data and methods behind the result.
    assumptions : tuple of str
        Modelling choices, one line each.
    solve_time_s : float, s
        Wall time of the solve and the evaluation.
    to_mni152 : (4, 4) ndarray or None, m
        Head frame -> MNI152 (the inverse of the head's registration); None: the head has none
        (then no NIfTI on the MNI152 grid is written).
    """

    head_name: str
    coil_name: str
    pose: np.ndarray
    didt_a_per_s: float
    vertices: np.ndarray
    triangles: np.ndarray
    normals: np.ndarray
    efield: np.ndarray
    hemispheres: tuple[tuple[str, int], ...]
    cortex: np.ndarray
    target: Any = None
    sources: tuple[Source, ...] = ()
    assumptions: tuple[str, ...] = ()
    solve_time_s: float = float("nan")
    to_mni152: np.ndarray | None = None

    def vertices_mni152(self) -> np.ndarray:
        """The vertices in MNI152 coordinates, (N, 3) m (needs ``to_mni152``)."""
        a = self.to_mni152
        if a is None:
            raise InvalidValueError(f"the head {self.head_name!r} has no MNI152 registration")
        return self.vertices @ a[:3, :3].T + a[:3, 3]

    # --- per vertex --------------------------------------------------------------------------
    @cached_property
    def magnitude(self) -> np.ndarray:
        """(N,) ndarray, V/m: |E|."""
        return np.linalg.norm(self.efield, axis=1)

    @cached_property
    def normal_component(self) -> np.ndarray:
        """(N,) ndarray, V/m: E_n, positive into the cortex (``-E . n_out``, as SimNIBS)."""
        return -np.einsum("ij,ij->i", self.efield, self.normals)

    @cached_property
    def tangential(self) -> np.ndarray:
        """(N,) ndarray, V/m: magnitude of the part of E tangential to the surface."""
        along = np.einsum("ij,ij->i", self.efield, self.normals)[:, None] * self.normals
        return np.linalg.norm(self.efield - along, axis=1)

    @cached_property
    def areas(self) -> np.ndarray:
        """(N,) ndarray, m^2: vertex areas (a third of each adjacent triangle)."""
        return vertex_areas(self.vertices, self.triangles)

    # --- summary -----------------------------------------------------------------------------
    @cached_property
    def e_max(self) -> float:
        """float, V/m: robust maximum, the area-weighted 99.9th percentile of |E| on the cortex."""
        return weighted_percentile(
            self.magnitude[self.cortex], self.areas[self.cortex], ROBUST_PERCENTILE
        )

    @property
    def hotspot_index(self) -> int:
        """int: the cortex vertex of the largest |E| (index into ``vertices``)."""
        allowed = np.flatnonzero(self.cortex)
        return int(allowed[np.argmax(self.magnitude[allowed])])

    @property
    def e_max_raw(self) -> float:
        """float, V/m: the largest |E| at a cortex vertex (at the hot spot)."""
        return float(self.magnitude[self.hotspot_index])

    @property
    def hotspot(self) -> np.ndarray:
        """(3,) ndarray, m: the hot spot's position."""
        return self.vertices[self.hotspot_index].copy()

    @property
    def hotspot_hemisphere(self) -> str:
        """str: the hemisphere of the hot spot."""
        return self._hemisphere_of(self.hotspot_index)

    def _hemisphere_of(self, index: int) -> str:
        stop = 0
        for name, n in self.hemispheres:
            stop += n
            if index < stop:
                return name
        raise InvalidValueError(f"vertex {index} is not on the surface")

    def focal_area(self, fraction: float) -> float:
        """Cortical area where |E| >= ``fraction`` of the robust maximum.

        Parameters
        ----------
        fraction : float, dimensionless
            E.g. 0.5.

        Returns
        -------
        float, m^2
            Sum of the areas of those cortex vertices.
        """
        above = self.cortex & (self.magnitude >= fraction * self.e_max)
        return float(self.areas[above].sum())

    @property
    def e_target(self) -> float | None:
        """float or None, V/m: |E| at the target's vertex."""
        return None if self.target is None else float(self.magnitude[self.target.index])

    @property
    def en_target(self) -> float | None:
        """float or None, V/m: E_n at the target's vertex (positive into the cortex)."""
        return None if self.target is None else float(self.normal_component[self.target.index])

    @property
    def hotspot_distance_m(self) -> float | None:
        """float or None, m: from the target's vertex to the hot spot."""
        if self.target is None:
            return None
        return float(np.linalg.norm(self.hotspot - self.vertices[self.target.index]))

    def to_dict(self) -> dict[str, Any]:
        """The summary, JSON-friendly, units in the keys.

        Returns
        -------
        dict
            ``e_max_v_per_m`` (robust: area-weighted 99.9th percentile), ``e_max_raw_v_per_m``
            (largest vertex), hot spot, focality (m^2 and cm^2), the target's values (None
            without a target), pose, sources and assumptions.
        """
        target = self.target
        out: dict[str, Any] = {
            "head": self.head_name,
            "coil": self.coil_name,
            "didt_a_per_s": float(self.didt_a_per_s),
            "pose_m": np.asarray(self.pose, dtype=float).tolist(),
            "surface": "mid-cortical (half-way between pial and white)",
            "n_vertices": len(self.vertices),
            "n_cortex_vertices": int(self.cortex.sum()),
            "e_max_v_per_m": self.e_max,
            "e_max_definition": f"area-weighted {ROBUST_PERCENTILE:g}th percentile of |E| on "
            "the cortex (SimNIBS's robust maximum)",
            "e_max_raw_v_per_m": self.e_max_raw,
            "hotspot_m": self.hotspot.tolist(),
            "hotspot_hemisphere": self.hotspot_hemisphere,
            "hotspot_definition": "the cortex vertex of the largest |E| (e_max_raw)",
        }
        for fraction in FOCALITY_LEVELS:
            pct = round(fraction * 100)
            area = self.focal_area(fraction)
            out[f"area_above_{pct}pct_m2"] = area
            out[f"area_above_{pct}pct_cm2"] = area * CM2_PER_M2
        out["normal_sign"] = SIGN_CONVENTION
        out["target"] = None if target is None else target.name
        out["target_m"] = None if target is None else self.vertices[target.index].tolist()
        out["target_hemisphere"] = None if target is None else target.hemisphere
        out["target_snap_distance_m"] = None if target is None else float(target.distance_m)
        out["e_target_v_per_m"] = self.e_target
        out["en_target_v_per_m"] = self.en_target
        out["hotspot_distance_m"] = self.hotspot_distance_m
        out["solve_time_s"] = float(self.solve_time_s)
        out["sources"] = [s.to_dict() for s in self.sources]
        if target is not None and target.source is not None:
            out["sources"].append(target.source.to_dict())
        out["assumptions"] = list(self.assumptions)
        return out

    def rows(self) -> list[tuple[str, str]]:
        """Rows for a person: (quantity, value with unit); see :func:`head_field_rows`."""
        return head_field_rows(self)


def head_field_rows(f: CorticalField) -> list[tuple[str, str]]:
    """The summary as (quantity, value) text rows, fields per the run's dI/dt.

    Parameters
    ----------
    f : CorticalField
        The result.

    Returns
    -------
    list of (str, str)
        Labels and values with units (mm, V/m, cm^2).
    """
    per = "V/m per A/us" if f.didt_a_per_s == A_PER_US else "V/m"
    didt = f"{f.didt_a_per_s / A_PER_US:g} A/us"
    mm = lambda p: "({:.1f}, {:.1f}, {:.1f}) mm".format(*(np.asarray(p) * MM_PER_M))  # noqa: E731
    rows = [
        ("head, coil", f"{f.head_name}, {f.coil_name}"),
        ("coil centre", mm(np.asarray(f.pose)[:3, 3])),
        ("dI/dt", didt),
        ("max |E| (99.9th pct, robust)", f"{f.e_max:.3g} {per}"),
        ("max |E| (largest vertex)", f"{f.e_max_raw:.3g} {per}"),
        ("hot spot", f"{mm(f.hotspot)} ({f.hotspot_hemisphere})"),
    ]
    rows += [
        (f"area |E| >= {x:.0%} of max", f"{f.focal_area(x) * CM2_PER_M2:.1f} cm^2")
        for x in FOCALITY_LEVELS
    ]
    if f.target is not None:
        rows += [
            ("target", f"{f.target.name} at {mm(f.vertices[f.target.index])}"),
            ("|E| at target", f"{f.e_target:.3g} {per}"),
            ("E_n at target (+ into cortex)", f"{f.en_target:.3g} {per}"),
            ("hot spot to target", f"{f.hotspot_distance_m * MM_PER_M:.1f} mm"),
        ]
    rows.append(("solve", f"{f.solve_time_s:.0f} s"))
    return rows


def _mean_edge_m(vertices: np.ndarray, triangles: np.ndarray) -> float:
    c = vertices[triangles]
    edges = np.linalg.norm(c - np.roll(c, 1, axis=1), axis=2)
    return float(edges.mean())


def cortical_field(
    head,
    efield: np.ndarray,
    *,
    coil_name: str,
    pose: np.ndarray,
    didt_a_per_s: float,
    target=None,
    solve_time_s: float = float("nan"),
    extra_sources: tuple[Source, ...] = (),
) -> CorticalField:
    """Wrap E at the head's mid-cortical vertices into a :class:`CorticalField` (no solve).

    Parameters
    ----------
    head : HeadModel
        The head whose ``cortex("mid")`` the field was evaluated on.
    efield : (N, 3) ndarray, V/m
        E at those vertices (stacked as :meth:`HeadModel.cortex` stacks them).
    coil_name : str
        The coil.
    pose : (4, 4) ndarray, m
        Coil -> head transform.
    didt_a_per_s : float, A/s
        The dI/dt ``efield`` corresponds to.
    target : CorticalTarget or None
        The target.
    solve_time_s : float, s
        Wall time of the solve.
    extra_sources : tuple of Source
        E.g. the coil's source.

    Returns
    -------
    CorticalField
        The result.
    """
    from tmslab.conductors.head.template import HEMISPHERES

    vertices, triangles, normals = head.cortex("mid")
    e = np.asarray(efield, dtype=float)
    if e.shape != vertices.shape:
        raise InvalidValueError(
            f"cortical field: E has shape {e.shape}, the mid surface {vertices.shape}"
        )
    hemis = tuple((h, head.hemispheres[h].mid.n_vertices) for h in HEMISPHERES)
    cortex = ~np.concatenate([head.hemispheres[h].medial_wall for h in HEMISPHERES])
    comp = ", ".join(f"{c.name} ({c.conductivity:g} S/m)" for c in head.compartments)
    conductor_note = getattr(head, "conductor_note", None) or (
        f"Conductor: {comp} bounded by the {head.compartments[-1].surface.replace('_', ' ')}, "
        "insulated outside; skull and scalp not modelled, nor CSF or the grey/white contrast."
    )
    assumptions = (
        conductor_note,
        f"Cortex: mid-cortical surface of {head.name} (vertex-wise mean of pial and white), "
        f"{len(vertices)} vertices, mean edge {_mean_edge_m(vertices, triangles) / MM:.1f} mm; "
        "features smaller than that (sulcal walls, the hand knob) are smoothed.",
        f"{SIGN_CONVENTION}.",
        f"Maximum: area-weighted {ROBUST_PERCENTILE:g}th percentile of |E| (robust, as SimNIBS) "
        "and the largest vertex value (raw); medial-wall vertices excluded.",
        *head.notes,
    )
    registration = getattr(head, "mni152_to_head", None)
    return CorticalField(
        to_mni152=None if registration is None else np.linalg.inv(registration),
        head_name=head.name,
        coil_name=coil_name,
        pose=np.array(pose, dtype=float),
        didt_a_per_s=float(didt_a_per_s),
        vertices=vertices,
        triangles=triangles,
        normals=normals,
        efield=e,
        hemispheres=hemis,
        cortex=cortex,
        target=target,
        sources=tuple(head.sources) + tuple(extra_sources),
        assumptions=assumptions,
        solve_time_s=float(solve_time_s),
    )


def as_coil(coil):
    """A :class:`~tmslab.coils.Coil`: ``coil`` itself, or the preset or file it names.

    Parameters
    ----------
    coil : Coil, str or Path
        A coil, a preset name or a coil file.

    Returns
    -------
    Coil
        The coil in its own frame.
    """
    from tmslab.coils import get_coil

    return get_coil(coil) if isinstance(coil, str | Path) else coil


def head_field(
    head, coil, pose: np.ndarray, target=None, didt_a_per_s: float = A_PER_US
) -> CorticalField:
    """The E-field of a placed coil on the head's mid-cortical surface (BEM; 1-2 min).

    Parameters
    ----------
    head : HeadModel
        E.g. :func:`tmslab.conductors.head.fsaverage_head`.
    coil : Coil or str
        The coil (unplaced, its own frame) or a preset name.
    pose : (4, 4) ndarray, m
        Coil -> head transform (e.g. :func:`tmslab.conductors.head.pose_at`).
    target : CorticalTarget or None
        Where to report the field (:func:`tmslab.conductors.head.cortical_target`, ...).
    didt_a_per_s : float, A/s
        Coil dI/dt; the default 1e6 A/s = 1 A/us gives V/m per A/us.

    Returns
    -------
    CorticalField
        E on the cortex and its summary.

    Raises
    ------
    InvalidValueError
        A coil inside the conductor, a bad pose or a non-positive dI/dt.

    Examples
    --------
    >>> from tmslab.conductors.head import fsaverage_head, named_target, pose_at
    >>> head = fsaverage_head()
    >>> pose = pose_at(head, "C3", handle_angle_deg=45, distance_m=0.004)
    >>> f = head_field(head, "magstim-70mm-fig8", pose, named_target(head, "M1-hand"))  # doctest: +SKIP
    >>> f.e_target  # V/m per A/us  # doctest: +SKIP
    """
    from tmslab.efield.bem import solve
    from tmslab.errors import check_positive
    from tmslab.geometry import check_pose

    check_positive("dI/dt", didt_a_per_s, "A/s")
    pose = check_pose(pose)
    coil = as_coil(coil)
    start = time.perf_counter()
    solution = solve(head.conductor(), coil.transformed(pose), didt_a_per_s=didt_a_per_s)
    vertices, _, _ = head.cortex("mid")
    e = solution.efield(vertices)
    elapsed = time.perf_counter() - start
    extra = (coil.source,) if getattr(coil, "source", None) is not None else ()
    return cortical_field(
        head,
        e,
        coil_name=coil.name,
        pose=pose,
        didt_a_per_s=didt_a_per_s,
        target=target,
        solve_time_s=elapsed,
        extra_sources=extra,
    )


# --- the command's workflow -------------------------------------------------------------------
def check_coil_outside(head, placed, distance_option: str = "--distance-mm") -> None:
    """Refuse a coil with any dipole inside the scalp (the brain lies inside it).

    Parameters
    ----------
    head : HeadModel
        The head.
    placed : Coil
        The coil in the head's frame.
    distance_option : str
        How the message names the coil's distance (CLI option or scenario field).

    Raises
    ------
    InvalidValueError
        Counting the dipoles inside.
    """
    from tmslab.conductors.quality import inside_mask
    from tmslab.conductors.surfaces import Conductor

    scalp = Conductor((head.surfaces["scalp"].triangle_surface(1.0),))
    inside = inside_mask(scalp, placed.dipole_positions)
    if np.any(inside):
        raise InvalidValueError(
            f"{int(inside.sum())} of {len(inside)} coil dipoles lie inside the scalp; "
            f"raise the coil with a larger distance ({distance_option})"
        )
