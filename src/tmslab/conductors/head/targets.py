"""Cortical targets on the mid-cortical surface of a realistic head.

A target is a vertex of the mid-cortical surface (half-way between pial and white): the one
nearest to an MNI coordinate (:func:`cortical_target`), the one nearest to a 10-05 scalp
position (:func:`label_target`: the cortex closest to the electrode), or a named target from the
literature (:func:`named_target`). Vertices of the medial wall (where FreeSurfer closes each
hemisphere's surface across the midline, pial and white coinciding; :attr:`Hemisphere.medial_wall`)
are never targets; a point near the midline can still snap to the wall's rim, which the thickness
test does not catch (no medial-wall label ships with the packages). MNI coordinates are MNI152,
as published, and are converted to the head's frame (:meth:`HeadModel.from_mni152`; fsaverage is
MNI305, 2-4 mm away).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from tmslab.conductors.head.template import HEMISPHERES, HeadModel
from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.geometry import tangent_axes
from tmslab.sources import Source
from tmslab.units import MM

__all__ = [
    "MAX_TARGET_DISTANCE_M",
    "NAMED_TARGETS",
    "CorticalTarget",
    "cortical_target",
    "label_target",
    "named_target",
    "named_targets",
    "resolve_target",
    "ring_points",
]

# An MNI coordinate farther than this from the mid-cortex is not a cortical target (white matter,
# a ventricle, outside the brain): half a gyrus plus the spread of coordinates across templates.
MAX_TARGET_DISTANCE_M = 10 * MM


@dataclass(frozen=True)
class CorticalTarget:
    """A target on the mid-cortical surface.

    Attributes
    ----------
    name : str
        Label, e.g. ``"M1-hand"`` or ``"MNI (-37, -21, 58) mm"``.
    point : (3,) ndarray, m
        The mid-cortical vertex.
    normal : (3,) ndarray, dimensionless
        The outward normal of the mid-cortical surface there (pointing out of the cortex).
    hemisphere : str
        ``"left"`` or ``"right"``.
    vertex : int
        Index into that hemisphere's mid surface.
    index : int
        Index into both hemispheres stacked left then right (:meth:`HeadModel.cortex`).
    requested : (3,) ndarray, m
        The point asked for, in the head's frame (an MNI coordinate converted, or a scalp
        position).
    distance_m : float, m
        From ``requested`` to ``point``.
    source : Source or None
        Where a named target comes from.
    """

    name: str
    point: np.ndarray
    normal: np.ndarray
    hemisphere: str
    vertex: int
    index: int
    requested: np.ndarray
    distance_m: float
    source: Source | None = None


@cache
def _named() -> dict[str, tuple[tuple[float, float, float], Source]]:
    return {
        "M1-hand": (
            (-37.0, -21.0, 58.0),
            Source(
                "Mayka, Corcos, Leurgans & Vaillancourt 2006, NeuroImage 31:1453-1474",
                "10.1016/j.neuroimage.2006.02.004",
                "Left primary motor cortex (M1) centre, (-37, -21, 58) mm, as used in SimNIBS's "
                "MNI-targeting examples; a meta-analytic centre, close to the hand knob "
                "(Yousry et al. 1997) but not identical to it.",
            ),
        ),
        "DLPFC-Fox2012": (
            (-38.0, 44.0, 26.0),
            Source(
                "Fox, Buckner, White, Greicius & Pascual-Leone 2012, Biol Psychiatry 72:595-603",
                "10.1016/j.biopsych.2012.04.028",
                "Left DLPFC target anticorrelated with the subgenual cingulate, MNI (-38, 44, 26) "
                "mm; the coordinate as widely quoted from the paper (we could not re-read its "
                "table here).",
            ),
        ),
    }


NAMED_TARGETS = ("DLPFC-Fox2012", "M1-hand")


def named_targets() -> dict[str, tuple[np.ndarray, Source]]:
    """The named targets: name -> (MNI coordinate (3,) m, source).

    Returns
    -------
    dict of str to ((3,) ndarray, Source), m
        Name -> (MNI coordinate, source).
    """
    return {k: (np.array(v) * MM, s) for k, (v, s) in _named().items()}


def _as_point(point_m) -> np.ndarray:
    p = np.asarray(point_m, dtype=float)
    if p.shape != (3,) or not np.all(np.isfinite(p)):
        raise InvalidValueError(f"a target must be 3 finite coordinates in metres; got {point_m!r}")
    if np.abs(p).max() > 1.0:
        raise InvalidValueError(
            f"target {p.tolist()} is more than 1 m from the origin; give metres, not mm"
        )
    return p


def _nearest(head: HeadModel, p: np.ndarray) -> tuple[str, int, int, float]:
    from scipy.spatial import cKDTree

    vertices, _, _ = head.cortex("mid")
    # Only cortex: the medial wall closes the surface across the midline (no grey matter).
    cortex = ~np.concatenate([head.hemispheres[h].medial_wall for h in HEMISPHERES])
    allowed = np.flatnonzero(cortex)
    dist, k = cKDTree(vertices[allowed]).query(p)
    index = int(allowed[k])
    n_left = head.hemispheres[HEMISPHERES[0]].mid.n_vertices
    hemi = HEMISPHERES[0] if index < n_left else HEMISPHERES[1]
    vertex = int(index) if index < n_left else int(index - n_left)
    return hemi, vertex, int(index), float(dist)


def _target(head, name, p, hemi, vertex, index, dist, source=None) -> CorticalTarget:
    mid = head.hemispheres[hemi].mid
    return CorticalTarget(
        name=name,
        point=mid.vertices[vertex].copy(),
        normal=mid.normals[vertex].copy(),
        hemisphere=hemi,
        vertex=vertex,
        index=index,
        requested=p,
        distance_m=dist,
        source=source,
    )


def cortical_target(
    head: HeadModel,
    mni_m,
    name: str | None = None,
    max_distance_m: float = MAX_TARGET_DISTANCE_M,
    source: Source | None = None,
) -> CorticalTarget:
    """The mid-cortical vertex nearest to an MNI coordinate.

    Parameters
    ----------
    head : HeadModel
        The head.
    mni_m : (3,) array_like, m
        The MNI152 coordinate (as published; converted to the head's frame).
    name : str or None
        Label; by default the coordinate in mm.
    max_distance_m : float, m
        Refuse coordinates farther than this from the mid-cortex.
    source : Source or None
        Where the coordinate comes from.

    Returns
    -------
    CorticalTarget
        The target.

    Raises
    ------
    InvalidValueError
        If the coordinate lies outside the inner skull or farther than ``max_distance_m`` from
        the mid-cortical surface.
    """
    from tmslab.conductors.quality import inside_mask

    mni = _as_point(mni_m)
    label = name or "MNI ({:.0f}, {:.0f}, {:.0f}) mm".format(*(mni / MM))
    p = head.from_mni152(mni)
    if not inside_mask(head.conductor(), p[None])[0]:
        raise InvalidValueError(
            f"target {label} lies outside the brain (the inner skull); give an MNI coordinate "
            "on the cortex, in metres"
        )
    hemi, vertex, index, dist = _nearest(head, p)
    if dist > max_distance_m:
        raise InvalidValueError(
            f"target {label} is {dist / MM:.1f} mm from the cortex (more than "
            f"{max_distance_m / MM:g} mm); give a cortical coordinate"
        )
    return _target(head, label, p, hemi, vertex, index, dist, source)


def label_target(head: HeadModel, label: str) -> CorticalTarget:
    """The mid-cortical vertex nearest to a 10-05 scalp position.

    Parameters
    ----------
    head : HeadModel
        The head.
    label : str
        A 10-05 label, e.g. ``"F3"``.

    Returns
    -------
    CorticalTarget
        ``distance_m`` is the scalp-to-mid-cortex distance.

    Raises
    ------
    UnknownPositionError
        For an unknown label.
    """
    p = head.position(label)
    hemi, vertex, index, dist = _nearest(head, p)
    return _target(head, f"{label} (cortex)", p.copy(), hemi, vertex, index, dist)


def named_target(head: HeadModel, name: str) -> CorticalTarget:
    """A named target from the literature, on the cortex.

    Parameters
    ----------
    head : HeadModel
        The head.
    name : str
        One of :data:`NAMED_TARGETS` (case-insensitive).

    Returns
    -------
    CorticalTarget
        With its source.

    Raises
    ------
    UnknownNameError
        For an unknown name.
    """
    table = named_targets()
    key = {k.lower(): k for k in table}.get(str(name).strip().lower())
    if key is None:
        raise UnknownNameError("cortical target", name, table)
    point, source = table[key]
    return cortical_target(head, point, name=key, source=source)


def resolve_target(
    head: HeadModel, name: str | None = None, mni_m=None, label: str | None = None
) -> CorticalTarget | None:
    """The cortical target given by at most one of a name, an MNI152 coordinate or a label.

    Parameters
    ----------
    head : HeadModel
        The head.
    name : str or None
        A named target (:func:`named_target`).
    mni_m : (3,) array_like, m, or None
        An MNI152 coordinate (:func:`cortical_target`).
    label : str or None
        A 10-05 label (:func:`label_target`).

    Returns
    -------
    CorticalTarget or None
        None when none is given.

    Raises
    ------
    InvalidValueError
        More than one given, or the target's own checks.
    """
    if sum(x is not None for x in (name, mni_m, label)) > 1:
        raise InvalidValueError("give at most one target: a name, an MNI coordinate or a label")
    if name is not None:
        return named_target(head, name)
    if mni_m is not None:
        return cortical_target(head, mni_m)
    if label is not None:
        return label_target(head, label)
    return None


def ring_points(head: HeadModel, target: CorticalTarget, radius_m: float = 0.02, count: int = 6):
    """Mid-cortical vertices on a ring around a target: where "the field elsewhere" is sampled.

    For each of ``count`` directions evenly spread on the plane normal to the target's cortical
    normal, the cortex vertex (medial wall excluded) whose offset from the target lies closest
    to ``radius_m`` along that direction.

    Parameters
    ----------
    head : HeadModel
        The head.
    target : CorticalTarget
        The target.
    radius_m : float, m
        Ring radius (straight-line distance from the target).
    count : int
        Number of points.

    Returns
    -------
    (count, 3) ndarray, m
        The points, in the head's frame.

    Raises
    ------
    InvalidValueError
        For a non-positive radius or count.
    """
    from tmslab.conductors.head.template import HEMISPHERES

    if not (np.isfinite(radius_m) and radius_m > 0) or count < 1:
        raise InvalidValueError(f"ring of {count} points at {radius_m!r} m: give both > 0")
    vertices, _, _ = head.cortex("mid")
    cortex = ~np.concatenate([head.hemispheres[h].medial_wall for h in HEMISPHERES])
    candidates = vertices[cortex]
    e1, e2 = tangent_axes(target.normal)
    offsets = candidates - np.asarray(target.point, dtype=float)
    points = []
    for angle in 2 * np.pi * np.arange(count) / count:
        want = radius_m * (np.cos(angle) * e1 + np.sin(angle) * e2)
        points.append(candidates[int(np.argmin(np.linalg.norm(offsets - want, axis=1)))])
    return np.array(points)
