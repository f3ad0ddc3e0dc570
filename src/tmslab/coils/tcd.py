"""SimNIBS 4 ``.tcd`` coil definition files (JSON), read as SimNIBS reads them.

Format (``simnibs/resources/coil_models/coil_model.schema.json``; ``TmsCoil.from_tcd_dict``):
``coilElementList`` (required) holds elements of

- type 1, magnetic dipoles: ``points`` (N, 3) in **mm**, ``values`` (N, 3) moments in A m^2
  per ampere;
- type 2, line current elements: ``points`` (N, 3) in **mm** (the element's position; SimNIBS
  evaluates each as a point current element there), ``values`` (N, 3) the segment's direction
  and length in **mm**;
- type 3, a sampled A-field grid (``data``, ``affine``) -- not supported here.

Arrays are JSON lists or base64 of zlib-compressed float64 (int64 for casing faces).
``stimulatorList`` (required) gives ``name``, ``brand``, ``maxdIdt`` in **A/s** and
``waveformList``; each element names its stimulator by index. ``deformList`` /
``deformRangeList`` move elements (translations ``x``/``y``/``z`` in mm, ``rot2p`` rotations in
degrees about the axis point1 -> point2), applied in list order at their ``initial`` values.
``coilModels`` are casings (``points`` mm, ``faces``); ``coilCasing`` picks the coil's.

tmslab builds one :class:`Coil` (one coil current): dipoles as given; line elements chained
into closed current paths, kept as windings (exact Biot-Savart for B) and turned into a
magnetic-dipole sheet for the sphere solver.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.errors import SpecFileError

MM = 1e-3
A_PER_US = 1e6
# Dipole-sheet strips no longer than this (m): the sheet's field then matches Biot-Savart of
# the windings to well under 1 % at the cortex (tests/coils/test_tcd.py).
SHEET_STEP_M = 3e-3
# Largest distance between the two ends of an open path (the leads) that is closed.
LEAD_GAP_M = 25e-3
_TOP_KEYS = {
    "name",
    "brand",
    "version",
    "limits",
    "resolution",
    "coilCasing",
    "coilElementList",
    "stimulatorList",
    "deformList",
    "deformRangeList",
    "coilModels",
    "selfIntersectionTest",
}
_ELEMENT_KEYS = {
    "name",
    "stimulator",
    "elementCasing",
    "deformations",
    "type",
    "points",
    "values",
    "data",
    "affine",
}


@dataclass(frozen=True)
class TcdWaveform:
    """A stimulator waveform: name, sample times (s) and normalised signal."""

    name: str | None
    time_s: np.ndarray
    signal: np.ndarray

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n_samples": len(self.time_s),
            "duration_s": float(self.time_s[-1] - self.time_s[0]),
        }


@dataclass(frozen=True)
class TcdStimulator:
    """One entry of ``stimulatorList``; didt_max_a_per_s is ``maxdIdt`` (A/s) or None."""

    name: str | None
    brand: str | None
    didt_max_a_per_s: float | None
    waveforms: tuple[TcdWaveform, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "brand": self.brand,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "waveforms": [w.summary() for w in self.waveforms],
        }


@dataclass(frozen=True)
class TcdCasing:
    """A casing surface: vertices (V, 3) m, faces (F, 3) vertex indices."""

    vertices_m: np.ndarray
    faces: np.ndarray

    def summary(self) -> dict[str, Any]:
        lo, hi = self.vertices_m.min(axis=0), self.vertices_m.max(axis=0)
        return {
            "n_vertices": len(self.vertices_m),
            "n_faces": len(self.faces),
            "min_m": lo.tolist(),
            "max_m": hi.tolist(),
        }


@dataclass(frozen=True)
class TcdElement:
    """A stimulating element after its deformations: type 1 (dipoles) or 2 (line elements).

    points_m: (N, 3) m; values: (N, 3) moments in m^2 (type 1) or segment vectors in m (type 2).
    """

    name: str
    type: int
    stimulator: int
    points_m: np.ndarray
    values: np.ndarray
    deformed: bool = False
    n_deformations: int = 0


@dataclass(frozen=True)
class TcdFile:
    """Everything tmslab keeps from a ``.tcd`` file (SI units)."""

    path: Path
    name: str | None
    brand: str | None
    version: str | None
    elements: tuple[TcdElement, ...]
    stimulators: tuple[TcdStimulator, ...]
    casing: TcdCasing | None
    models: tuple[TcdCasing, ...] = ()  # every coilModels entry (coil and element casings)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "brand": self.brand,
            "version": self.version,
            "elements": [
                {"name": e.name, "type": e.type, "count": len(e.points_m), "deformed": e.deformed}
                for e in self.elements
            ],
            "stimulators": [s.summary() for s in self.stimulators],
            "casing": self.casing.summary() if self.casing else None,
        }


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> SpecFileError:
        return SpecFileError(f"{self.path}: {where}: {message}")

    def array(self, value: Any, where: str, dtype: type = np.float64, width: int = 3) -> np.ndarray:
        """A (N, width) array from a JSON list or base64 zlib-compressed binary."""
        if isinstance(value, str):
            try:
                raw = zlib.decompress(base64.b64decode(value, validate=True))
                flat = np.frombuffer(raw, dtype=dtype)
            except (binascii.Error, zlib.error, ValueError):
                raise self.fail(
                    where, "is a string but not base64 of zlib-compressed binary numbers"
                ) from None
            if flat.size == 0 or flat.size % width:
                raise self.fail(where, f"holds {flat.size} numbers, not a multiple of {width}")
            out = flat.reshape(-1, width)
        elif isinstance(value, list):
            try:
                out = np.array(value, dtype=float)
            except (TypeError, ValueError):
                raise self.fail(where, f"must be a list of [{width} numbers]") from None
            if width == 1 and out.ndim == 1:  # waveforms: plain lists of numbers
                out = out[:, None]
            if out.ndim != 2 or out.shape[1] != width or len(out) == 0:
                raise self.fail(where, f"must be a non-empty list of [{width} numbers]")
            if dtype is np.int64:
                if not np.all(out == np.round(out)):
                    raise self.fail(where, "must hold integer vertex indices")
                out = out.astype(np.int64)
        else:
            raise self.fail(where, f"must be a list of [{width} numbers] or a base64 string")
        if dtype is np.float64 and not np.all(np.isfinite(out)):
            raise self.fail(where, "holds a non-finite value (nan or inf)")
        return out

    def text(self, mapping: dict, key: str, where: str) -> str | None:
        value = mapping.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(where, f"{key} must be text, got {value!r:.40}")
        return value

    def index(self, mapping: dict, key: str, size: int, where: str, what: str) -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < size:
            raise self.fail(where, f"{key} = {value!r:.40} is not an index into the {size} {what}")
        return value


def read_tcd_file(path: str | Path) -> TcdFile:
    """Parse and check a ``.tcd`` file; raises SpecFileError (one line) on anything SimNIBS's
    schema rejects, on type-3 (sampled A-field) elements and on implausible units."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpecFileError(f"cannot read coil file {path}: {error.strerror or error}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecFileError(f"{path} is not a .tcd file (not UTF-8 JSON text)") from None
    except json.JSONDecodeError as error:
        raise SpecFileError(
            f"{path} is not valid .tcd JSON (line {error.lineno}: {error.msg})"
        ) from None
    except RecursionError:
        raise SpecFileError(f"{path} is not a .tcd file (JSON nested too deeply)") from None
    r = _Reader(path)
    if not isinstance(data, dict):
        raise SpecFileError(f"{path}: a .tcd file is a JSON object with a coilElementList")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise r.fail("top level", f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("coilElementList", "stimulatorList"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise r.fail(key, "is required and must be a non-empty list")
    stimulators = tuple(
        _stimulator(r, s, f"stimulatorList[{i}]") for i, s in enumerate(data["stimulatorList"])
    )
    casings = [
        _casing(r, m, f"coilModels[{i}]") for i, m in enumerate(_list(r, data, "coilModels"))
    ]
    ranges = [
        _deform_range(r, d, f"deformRangeList[{i}]")
        for i, d in enumerate(_list(r, data, "deformRangeList"))
    ]
    deforms = [
        _deformation(r, d, f"deformList[{i}]", ranges)
        for i, d in enumerate(_list(r, data, "deformList"))
    ]
    elements = tuple(
        _element(r, e, f"coilElementList[{i}]", len(stimulators), deforms, len(casings))
        for i, e in enumerate(data["coilElementList"])
    )
    casing_index = r.index(data, "coilCasing", len(casings), "top level", "coilModels")
    return TcdFile(
        path=path,
        name=r.text(data, "name", "top level"),
        brand=r.text(data, "brand", "top level"),
        version=r.text(data, "version", "top level"),
        elements=elements,
        stimulators=stimulators,
        casing=casings[casing_index] if casing_index is not None else None,
        models=tuple(casings),
    )


def _list(r: _Reader, data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise r.fail(key, "must be a list")
    return value


def _object(r: _Reader, value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise r.fail(where, "must be a JSON object")
    return value


def _number(r: _Reader, value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise r.fail(where, f"must be a finite number, got {value!r:.40}")
    return float(value)


def _stimulator(r: _Reader, item: Any, where: str) -> TcdStimulator:
    item = _object(r, item, where)
    didt = item.get("maxdIdt")
    if didt is not None:
        didt = _number(r, didt, f"{where}.maxdIdt")
        # Schema: A/s. Measured coils give 84-250 A/us = 0.8e8-2.5e8 A/s.
        if not 1e6 <= didt <= 2e9:
            hint = " (it looks like A/us)" if 1 <= didt <= 2000 else ""
            raise r.fail(
                f"{where}.maxdIdt",
                f"{didt:g} is not a plausible peak dI/dt in A/s{hint}; .tcd gives A/s, "
                "e.g. 1.47e8 for 147 A/us",
            )
    waveforms = []
    for i, w in enumerate(_list(r, item, "waveformList")):
        w = _object(r, w, f"{where}.waveformList[{i}]")
        t = r.array(w.get("time"), f"{where}.waveformList[{i}].time", width=1).ravel()
        s = r.array(w.get("signal"), f"{where}.waveformList[{i}].signal", width=1).ravel()
        if len(t) != len(s) or len(t) < 2:
            raise r.fail(f"{where}.waveformList[{i}]", "time and signal need equal lengths >= 2")
        waveforms.append(TcdWaveform(r.text(w, "name", where), t, s))
    return TcdStimulator(
        r.text(item, "name", where), r.text(item, "brand", where), didt, tuple(waveforms)
    )


def _casing(r: _Reader, item: Any, where: str) -> TcdCasing:
    item = _object(r, item, where)
    vertices = r.array(item.get("points"), f"{where}.points") * MM
    faces = r.array(item.get("faces"), f"{where}.faces", dtype=np.int64)
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise r.fail(f"{where}.faces", f"index outside the {len(vertices)} casing points")
    return TcdCasing(vertices, faces)


def _deform_range(r: _Reader, item: Any, where: str) -> tuple[float, float, float]:
    item = _object(r, item, where)
    initial = _number(r, item.get("initial"), f"{where}.initial")
    bounds = item.get("range")
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise r.fail(f"{where}.range", "must be [minimum, maximum]")
    lo, hi = (_number(r, b, f"{where}.range") for b in bounds)
    if not lo <= initial <= hi:
        raise r.fail(where, f"initial {initial:g} lies outside the range [{lo:g}, {hi:g}]")
    return initial, lo, hi


def _deformation(r: _Reader, item: Any, where: str, ranges: list) -> np.ndarray:
    """The 4x4 affine (metres) of a deformation at its range's initial value."""
    item = _object(r, item, where)
    index = r.index(item, "deformRange", len(ranges), where, "deformRangeList entries")
    if index is None:
        raise r.fail(where, "needs a deformRange index")
    value = ranges[index][0]
    kind = item.get("type")
    affine = np.eye(4)
    if kind in ("x", "y", "z"):
        affine["xyz".index(kind), 3] = value * MM
        return affine
    if kind != "rot2p":
        raise r.fail(f"{where}.type", f"{kind!r:.40} is not one of x, y, z, rot2p")
    p1, p2 = (
        np.array([_number(r, v, f"{where}.{k}") for v in _triple(r, item.get(k), f"{where}.{k}")])
        * MM
        for k in ("point1", "point2")
    )
    axis = p2 - p1
    if not np.linalg.norm(axis) > 0:
        raise r.fail(where, "point1 and point2 coincide; a rotation needs an axis")
    rotation = _rotation(axis / np.linalg.norm(axis), math.radians(value))
    affine[:3, :3] = rotation
    affine[:3, 3] = p1 - rotation @ p1
    return affine


def _triple(r: _Reader, value: Any, where: str) -> list:
    if not isinstance(value, list) or len(value) != 3:
        raise r.fail(where, "must be [x, y, z] in mm")
    return value


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues: right-handed rotation by angle (rad) about a unit axis."""
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * k @ k


def _element(
    r: _Reader, item: Any, where: str, n_stim: int, deforms: list, n_casings: int
) -> TcdElement:
    item = _object(r, item, where)
    name = r.text(item, "name", where) or where
    label = f"{where} ({name!r})" if name != where else where
    unknown = set(item) - _ELEMENT_KEYS
    if unknown:
        raise r.fail(label, f"unknown key(s) {', '.join(sorted(unknown))}")
    kind = item.get("type")
    if kind == 3:
        raise r.fail(
            label,
            "is a sampled A-field grid (type 3), which tmslab does not support; it reads "
            "dipole (type 1) and line-segment (type 2) elements",
        )
    if isinstance(kind, bool) or kind not in (1, 2):
        raise r.fail(label, f"type = {kind!r:.40}; give 1 (dipoles) or 2 (line elements)")
    stimulator = r.index(item, "stimulator", n_stim, label, "stimulators")
    if stimulator is None:
        raise r.fail(label, "needs a stimulator index (into stimulatorList)")
    r.index(item, "elementCasing", n_casings, label, "coilModels")
    points = r.array(item.get("points"), f"{label}.points") * MM
    values = r.array(item.get("values"), f"{label}.values")
    if len(points) != len(values):
        raise r.fail(label, f"{len(points)} points but {len(values)} values")
    reach = float(np.abs(points).max())
    if reach > 1.0:
        raise r.fail(label, f"points reach {reach * 1e3:g} mm; .tcd points are in mm")
    if kind == 2:
        values = values * MM
        # Zero-length elements (present in SimNIBS's own files) carry no current: drop them.
        keep = np.linalg.norm(values, axis=1) > 0
        if not keep.any():
            raise r.fail(f"{label}.values", "every line element has zero length")
        points, values = points[keep], values[keep]
    affine = np.eye(4)
    indices = item.get("deformations") or []
    if not isinstance(indices, list):
        raise r.fail(f"{label}.deformations", "must be a list of indices")
    for i in indices:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(deforms):
            raise r.fail(f"{label}.deformations", f"{i!r:.20} is not an index into deformList")
        affine = deforms[i] @ affine  # SimNIBS applies them in list order
    points = points @ affine[:3, :3].T + affine[:3, 3]
    values = values @ affine[:3, :3].T
    deformed = not np.allclose(affine, np.eye(4))
    return TcdElement(name, kind, stimulator, points, values, deformed, len(indices))


def segment_loops(
    starts: np.ndarray, ends: np.ndarray, tolerance: float, lead_gap: float = 0.0
) -> tuple[list[np.ndarray], float, float]:
    """Chain straight segments into closed current paths.

    starts, ends: (N, 3) m. Each segment's end is joined to the nearest segment start within
    tolerance (m). If exactly one path is open and its two ends (the leads) are at most
    lead_gap (m) apart, they are joined by a straight segment. Returns the loops as vertex
    arrays (M, 3) m, current in vertex order, the largest gap bridged between segments (m) and
    the lead gap closed (m, 0 if none). Raises ValueError naming the first open end otherwise.
    """
    from scipy.spatial import cKDTree

    distance, successor = cKDTree(starts).query(ends)
    open_ends = np.flatnonzero(distance > tolerance)
    lead = 0.0
    if len(open_ends) == 1:
        # The one start nothing leads into: the other end of the open path.
        back, _ = cKDTree(ends).query(starts)
        open_starts = np.flatnonzero(back > tolerance)
        if len(open_starts) == 1:
            i, j = int(open_ends[0]), int(open_starts[0])
            gap = float(np.linalg.norm(ends[i] - starts[j]))
            if gap <= lead_gap:
                successor[i], distance[i], lead = j, 0.0, gap
                open_ends = open_ends[:0]
    if len(open_ends):
        i = int(open_ends[0])
        raise ValueError(
            f"segment {i} ends at {np.round(ends[i] / MM, 2).tolist()} mm with no segment "
            f"starting within {tolerance / MM:.3g} mm ({len(open_ends)} open end(s))"
        )
    if len(np.unique(successor)) != len(successor):
        raise ValueError("two segments end at the start of the same segment (branching path)")
    seen = np.zeros(len(starts), bool)
    loops = []
    for first in range(len(starts)):
        if seen[first]:
            continue
        order = []
        i = first
        while not seen[i]:
            seen[i] = True
            order.append(i)
            i = int(successor[i])
        vertices = starts[order]
        if lead and int(open_ends.size) == 0 and first <= j and j in order:
            # Keep the open path's last end as a vertex, then the straight lead segment.
            k = order.index(j)
            order = order[k:] + order[:k]
            vertices = np.vstack([starts[order], ends[order[-1]]])
        loops.append(vertices)
    return loops, float(distance.max()), lead


def loop_dipoles(loop: np.ndarray, step_m: float = SHEET_STEP_M) -> tuple[np.ndarray, np.ndarray]:
    """Magnetic dipoles for one closed polyline: a fan of triangles from the centroid, each
    cut into strips parallel to its outer edge no longer than step_m along the fan.

    The sheet's dipole density is exact (each strip carries its vector area, m^2 per A); the
    strips are thin across (one polyline edge), so the cost is M x (fan length / step).
    loop: (M, 3) m. Returns positions (K, 3) m and moments (K, 3) m^2.
    """
    vertices = np.asarray(loop, float)
    apex = vertices.mean(axis=0)
    b, c = vertices, np.roll(vertices, -1, axis=0)
    area = 0.5 * np.cross(b - apex, c - apex)  # (M, 3) vector areas
    mid = 0.5 * (b + c)
    n = max(1, math.ceil(np.linalg.norm(mid - apex, axis=1).max() / step_m))
    t = np.linspace(0.0, 1.0, n + 1)
    t0, t1 = t[:-1], t[1:]
    fraction = t1**2 - t0**2  # share of the triangle's area in each strip
    centroid_t = (2.0 / 3.0) * (t1**3 - t0**3) / fraction  # strip centroid on the median
    positions = apex + centroid_t[None, :, None] * (mid - apex)[:, None, :]
    moments = fraction[None, :, None] * area[:, None, :]
    return positions.reshape(-1, 3), moments.reshape(-1, 3)


def point_element_magnetic_field(
    points: np.ndarray, positions: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    """B of point current elements as SimNIBS evaluates type-2 elements, T per ampere:
    mu0/(4 pi) sum dl x (r - p)/|r - p|^3. points (N, 3) m; positions, vectors (K, 3) m."""
    from tmslab.units import MU0_OVER_4PI

    out = np.zeros((len(points), 3))
    for start in range(0, len(points), 256):
        d = points[start : start + 256, None, :] - positions
        dist3 = np.linalg.norm(d, axis=2)[..., None] ** 3
        out[start : start + 256] = np.sum(np.cross(vectors, d) / dist3, axis=1)
    return MU0_OVER_4PI * out


def read_tcd(path: str | Path, name: str | None = None) -> Coil:
    """Read a ``.tcd`` file into a :class:`Coil` (one coil current).

    Dipole elements are used as given; line elements are chained into closed paths (windings,
    exact Biot-Savart for B) and a dipole sheet spanning each path (for the sphere solver).
    The stimulator's ``maxdIdt`` becomes ``coil.didt_max_a_per_s``; names, stimulators,
    waveforms and casing are summarised in ``coil.parameters["tcd"]``. Coils whose elements
    are driven by different stimulators, or whose line elements do not close, are refused.
    """
    tcd = read_tcd_file(path)
    path = tcd.path
    used = sorted({e.stimulator for e in tcd.elements})
    if len(used) > 1:
        raise SpecFileError(
            f"{path}: its elements are driven by {len(used)} stimulators "
            f"({', '.join(str(tcd.stimulators[i].name) for i in used)}); tmslab models one coil "
            "current: split the file into one coil per stimulator"
        )
    stimulator = tcd.stimulators[used[0]]
    positions, moments, assumptions = [], [], []
    for e in tcd.elements:
        if e.type == 1:
            positions.append(e.points_m)
            moments.append(e.values)
    windings: list[np.ndarray] = []
    lines = [e for e in tcd.elements if e.type == 2]
    if lines:
        mids = np.concatenate([e.points_m for e in lines])
        vectors = np.concatenate([e.values for e in lines])
        length = float(np.median(np.linalg.norm(vectors, axis=1)))
        try:
            windings, gap, lead = segment_loops(
                mids - vectors / 2, mids + vectors / 2, 0.6 * length, LEAD_GAP_M
            )
        except ValueError as error:
            names = ", ".join(dict.fromkeys(e.name for e in lines))
            raise SpecFileError(
                f"{path}: the line elements ({names}) do not form closed current paths: "
                f"{error}; tmslab needs closed paths to model the coil"
            ) from None
        if lead:
            assumptions.append(
                f"The line elements form one open path (the leads); its ends, {lead / MM:.3g} mm "
                "apart, are joined by a straight segment (SimNIBS leaves them open)."
            )
        for loop in windings:
            p, m = loop_dipoles(loop)
            positions.append(p)
            moments.append(m)
        assumptions.append(
            f"{len(vectors)} line elements chained into {len(windings)} closed path(s) (gaps up "
            f"to {gap / MM:.3g} mm bridged); B from Biot-Savart of the paths, the sphere solver "
            f"uses a dipole sheet spanning them (strips <= {SHEET_STEP_M / MM:g} mm)."
        )
    if any(e.n_deformations for e in tcd.elements):
        assumptions.append(
            "Flexible coil: elements placed at the deformations' initial values; SimNIBS fits "
            "them to the head, tmslab does not."
        )
    if tcd.models:
        assumptions.extend(_casing_check(tcd))
    pos = np.concatenate(positions)
    mom = np.concatenate(moments)
    summary = tcd.summary()
    parameters = {
        "file": str(path),
        "format": "SimNIBS .tcd" + (f" (coil version {tcd.version})" if tcd.version else ""),
        "coilname": tcd.name,
        "brand": tcd.brand,
        "stimulator": " ".join(v for v in (stimulator.brand, stimulator.name) if v) or None,
        "didt_max_a_per_s": stimulator.didt_max_a_per_s,
        "tcd": summary,
    }
    label = " ".join(v for v in (tcd.brand, tcd.name) if v)
    # Windings give exact B only when they carry all the current (no dipole elements too).
    exact = tuple(windings) if all(e.type == 2 for e in tcd.elements) else ()
    return Coil(
        name=name or path.stem,
        dipole_positions=pos,
        dipole_moments=mom,
        windings=exact,
        reference_point=np.array([*pos[:, :2].mean(axis=0), _face_z(pos, tcd.elements)]),
        kind="file",
        label=f"{path.name} ({label})" if label else path.name,
        parameters={k: v for k, v in parameters.items() if v is not None},
        assumptions=tuple(assumptions),
    )


def _casing_check(tcd: TcdFile, margin_m: float = 0.01) -> list[str]:
    """A note when current elements lie well outside the casings' box (units or frame off?).

    Element casings are stored undeformed, so the box is that of all casings as stored."""
    points = np.concatenate([e.points_m for e in tcd.elements])
    vertices = np.concatenate([m.vertices_m for m in tcd.models])
    lo = vertices.min(axis=0) - margin_m
    hi = vertices.max(axis=0) + margin_m
    outside = int(np.sum(np.any((points < lo) | (points > hi), axis=1)))
    if not outside:
        return []
    return [
        f"{outside} of {len(points)} current elements lie more than {margin_m / MM:g} mm outside "
        "the casing's bounding box: check the file's units (mm) and frame."
    ]


def _face_z(positions: np.ndarray, elements: tuple[TcdElement, ...]) -> float:
    """z of the current-carrying layer nearest the head (largest z of the given points)."""
    given = [e.points_m[:, 2].max() for e in elements]
    return float(max(given)) if given else float(positions[:, 2].max())
