"""Reading Neurolucida ASCII (.asc) morphologies as Blue Brain writes them.

The Blue Brain Project's neocortical microcircuit cells (Markram et al. 2015, Cell 163:456,
doi 10.1016/j.cell.2015.09.029), which Aberra et al. 2020 (Brain Stimul 13:175, doi
10.1016/j.brs.2019.10.002) use, ship their morphology as ``morphology/*.asc``
("BBP-SDK/BBP-MUK Write-ASC"): S-expressions, micrometres, ``;`` comments::

    ("CellBody" (Color Red) (CellBody) (x y z 0) ...)        soma contour
    ( (Color Blue) (Axon) (x y z d) ... ( (x y z d) ... | (x y z d) ... ) )
                                                             a tree; ( a | b ) is a branch point
    (Dendrite) / (Apical)                                    basal / apical trees

A point is ``(x y z d)`` (diameter, not radius). Markers (``(Dot ...)``, ``(FilledCircle ...)``,
...), spines (``<( ... )>``) and end tags (``Normal``, ``Incomplete``, ...) are skipped and
counted. The soma contour is kept as read; :func:`asc_points` turns the whole cell into
:class:`~tmslab.neuron.swc.SwcPoint` s (SWC types 1 soma, 2 axon, 3 basal, 4 apical) with a
one-point soma of the contour's area as NEURON's Import3d makes it (a solid of revolution about
the contour's principal axis), so the SWC machinery (branches, myelination) applies.
Each child branch starts at its parent's last point, as in Import3d.

Checks as for SWC: a coordinate further than 20 cm from the origin, a tree wider than 10 cm, a
diameter <= 0 or above 2 mm, a point that is not 3-4 numbers, unbalanced brackets, a binary
file: one-line :class:`~tmslab.errors.SpecFileError` naming the line.

Blue Brain morphologies are CC BY-NC-SA: tmslab does not ship them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tmslab.errors import SpecFileError
from tmslab.neuron.swc import (
    APICAL,
    AXON,
    BASAL,
    MAX_COORDINATE_UM,
    MAX_EXTENT_UM,
    MAX_RADIUS_UM,
    SOMA,
    SwcPoint,
    read_morphology_text,
)
from tmslab.units import UM, UM_PER_CM, UM_PER_MM

TREE_TYPES = {"axon": AXON, "dendrite": BASAL, "apical": APICAL}
# Words that end a branch in Neurolucida files; skipped.
END_TAGS = frozenset(("normal", "incomplete", "high", "low", "generated", "midpoint", "origin"))
SOMA_SLICES = 21  # Import3d's contour2centroid samples the soma at 21 points
_TOKEN = re.compile(r'"[^"]*"|;[^\n]*|[()|<>]|[^\s()|<>";]+')


@dataclass(frozen=True, eq=False)
class AscTree:
    """One unbranched piece of a Neurolucida tree.

    Attributes
    ----------
    points_m : (K, 3) ndarray, m
        Centre line (a child's first point is its parent's last).
    diameters_m : (K,) ndarray, m
        Diameters.
    kind : int
        SWC type (2 axon, 3 basal, 4 apical).
    parent : int
        Index of the parent piece, -1 for a tree's root piece (attached to the soma).
    line : int
        Line of its first point in the file.
    """

    points_m: np.ndarray
    diameters_m: np.ndarray
    kind: int
    parent: int
    line: int


@dataclass(frozen=True, eq=False)
class AscMorphology:
    """A Neurolucida cell.

    Attributes
    ----------
    soma_contour_m : (S, 3) ndarray, m
        Soma outline as drawn (S >= 3), or an empty (0, 3) array if the file has no soma.
    pieces : tuple of AscTree
        Neurite pieces, parents before children.
    n_markers : int
        Markers skipped.
    n_spines : int
        Spines skipped.
    where : str
        File name.
    """

    soma_contour_m: np.ndarray
    pieces: tuple[AscTree, ...]
    n_markers: int
    n_spines: int
    where: str

    def length_m(self, kind: int) -> float:
        """Total length of the pieces of one SWC type.

        Parameters
        ----------
        kind : int
            SWC type (2 axon, 3 basal, 4 apical dendrite).

        Returns
        -------
        float, m
            The length.
        """
        return float(
            sum(
                np.sum(np.linalg.norm(np.diff(p.points_m, axis=0), axis=1))
                for p in self.pieces
                if p.kind == kind
            )
        )


def _tokens(text: str, where: str) -> list[tuple[str, int]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        out.extend((tok, number) for tok in _TOKEN.findall(line) if not tok.startswith(";"))
    return out


def _nest(tokens: list[tuple[str, int]], where: str) -> list:
    """Tokens into nested lists; each list is (line, items); '<' ... '>' spines are counted."""
    stack: list[tuple[int, list]] = [(0, [])]
    for tok, line in tokens:
        if tok == "(":
            stack.append((line, []))
        elif tok == ")":
            if len(stack) == 1:
                raise SpecFileError(f"{where}, line {line}: ')' without a matching '('")
            opened, items = stack.pop()
            stack[-1][1].append(("list", opened, items))
        elif tok in "<>":
            stack[-1][1].append(("angle", line, tok))
        elif tok == "|":
            stack[-1][1].append(("bar", line, tok))
        else:
            stack[-1][1].append(("word", line, tok))
    if len(stack) != 1:
        raise SpecFileError(
            f"{where}, line {stack[-1][0]}: '(' is never closed; the file is cut short or malformed"
        )
    return stack[0][1]


def _number(word: str) -> float | None:
    try:
        value = float(word)
    except ValueError:
        return None
    return value


def _as_point(items: list) -> list[float] | None:
    """The numbers of a point list ``(x y z d [S1])``, or None if it is not a point."""
    if not items or items[0][0] != "word" or _number(items[0][2]) is None:
        return None
    values = []
    for kind, _, tok in items:
        if kind != "word":
            return None
        value = _number(tok)
        if value is None:
            if values and len(values) >= 3:
                continue  # a section tag such as S1 after the numbers
            return None
        values.append(value)
    return values


def _property(items: list) -> str | None:
    """The lower-case name of a property list such as ``(Axon)`` or ``(Color Red)``."""
    if items and items[0][0] == "word" and _number(items[0][2]) is None:
        return items[0][2].lower()
    return None


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where
        self.pieces: list[AscTree] = []
        self.markers = 0
        self.spines = 0
        self.low = np.full(3, np.inf)
        self.high = np.full(3, -np.inf)

    def check(self, values: list[float], line: int, contour: bool = False) -> None:
        where = self.where
        if len(values) not in (3, 4):
            raise SpecFileError(
                f"{where}, line {line}: a point has {len(values)} numbers; a Neurolucida point "
                "is (x y z diameter), micrometres"
            )
        if not np.all(np.isfinite(values)):
            raise SpecFileError(f"{where}, line {line}: non-finite coordinate or diameter")
        x, y, z = values[:3]
        if max(abs(x), abs(y), abs(z)) > MAX_COORDINATE_UM:
            raise SpecFileError(
                f"{where}, line {line}: point ({x:g}, {y:g}, {z:g}) um is more than "
                f"{MAX_COORDINATE_UM / UM_PER_CM:g} cm from the origin; Neurolucida coordinates "
                "are in micrometres (a file in nm or a corrupt line?)"
            )
        if not contour:
            d = values[3] if len(values) == 4 else 0.0
            if d <= 0:
                raise SpecFileError(
                    f"{where}, line {line}: neurite diameter {d:g} um; it must be > 0"
                )
            if d > 2 * MAX_RADIUS_UM:
                raise SpecFileError(
                    f"{where}, line {line}: diameter {d:g} um is implausible for a neurite "
                    f"(over {2 * MAX_RADIUS_UM / UM_PER_MM:g} mm); Neurolucida diameters are "
                    "in micrometres"
                )
        xyz = np.array(values[:3])
        self.low, self.high = np.minimum(self.low, xyz), np.maximum(self.high, xyz)
        if np.any(self.high - self.low > MAX_EXTENT_UM):
            raise SpecFileError(
                f"{where}, line {line}: this point makes the cell wider than "
                f"{MAX_EXTENT_UM / UM_PER_CM:g} cm; Neurolucida coordinates are in micrometres"
            )

    def skip(self, items: list) -> None:
        """Count the markers and spines inside ``items`` (recursively)."""
        for kind, _, sub in items:
            if kind == "angle" and sub == "<":
                self.spines += 1

    def branch(self, items: list, kind: int, parent: int, start: tuple | None, line: int) -> None:
        """Points of one piece, then its children (a list split by '|')."""
        points: list[list[float]] = [] if start is None else [list(start)]
        first_line = line
        children: list[list] = []
        depth = 0
        k = 0
        while k < len(items):
            what, at, sub = items[k]
            k += 1
            if what == "angle":
                depth += 1 if sub == "<" else -1
                if sub == "<":
                    self.spines += 1
                continue
            if depth > 0:
                continue  # inside a spine
            if what == "word":
                if sub.lower() in END_TAGS or sub.startswith('"'):
                    continue
                raise SpecFileError(
                    f"{self.where}, line {at}: unexpected {sub!r} in a tree; expected points "
                    "'(x y z d)', a branch '( ... | ... )' or an end tag (Normal, Incomplete)"
                )
            if what == "bar":
                raise SpecFileError(
                    f"{self.where}, line {at}: '|' outside a branch list '( ... | ... )'"
                )
            values = _as_point(sub)
            if values is not None:
                self.check(values, at)
                if start is None and not points:
                    first_line = at
                points.append(values)
                continue
            name = _property(sub)
            if name is not None:
                if name in TREE_TYPES or name in ("color", "resolution", "name", "imagecoords"):
                    continue
                self.markers += 1  # (Dot ...), (FilledCircle ...), ...
                continue
            children.append(sub)
        if len(points) - (start is not None) < 1:
            raise SpecFileError(f"{self.where}, line {line}: a branch without points")
        xyz = np.array([p[:3] for p in points]) * UM
        diam = np.array([p[3] for p in points]) * UM
        if start is not None:
            diam[0] = diam[1]  # the parent's last point, with the child's diameter (Import3d)
        keep = [0] + [i for i in range(1, len(xyz)) if np.any(xyz[i] != xyz[i - 1])]
        index = len(self.pieces)
        if len(keep) >= 2:
            self.pieces.append(AscTree(xyz[keep], diam[keep], kind, parent, first_line))
        else:
            index = parent  # a zero-length piece: its children hang from its parent
        last = tuple(points[-1])
        for group in children:
            for part in _split_bars(group):
                if part:
                    self.branch(part, kind, index, last, part[0][1])


def _split_bars(items: list) -> list[list]:
    parts: list[list] = [[]]
    for item in items:
        if item[0] == "bar":
            parts.append([])
        else:
            parts[-1].append(item)
    return parts


def parse_asc(text: str, where: str = "ASC") -> AscMorphology:
    """Parse Neurolucida ASCII text (see the module docstring).

    Parameters
    ----------
    text : str
        The file's text (micrometres).
    where : str
        File name used in messages.

    Returns
    -------
    AscMorphology
        The cell, SI units.

    Raises
    ------
    SpecFileError
        One line, with the line number, if malformed.
    """
    if "\x00" in text:
        raise SpecFileError(f"{where}: contains NUL bytes; this is a binary file, not ASC text")
    reader = _Reader(where)
    contour: list[list[float]] = []
    n_trees = 0
    for what, line, items in _nest(_tokens(text, where), where):
        if what != "list":
            if what == "word" and items.lower() not in END_TAGS:
                raise SpecFileError(
                    f"{where}, line {line}: {items!r} outside any '( ... )'; is this a "
                    "Neurolucida ASCII file?"
                )
            continue
        names = {_property(sub) for kind, _, sub in items if kind == "list"}
        names |= {sub.strip('"').lower() for kind, _, sub in items if kind == "word"}
        if "cellbody" in names:
            for kind, at, sub in items:
                values = _as_point(sub) if kind == "list" else None
                if values is not None:
                    reader.check(values, at, contour=True)
                    contour.append(values[:3])
            continue
        tree = [TREE_TYPES[n] for n in names if n in TREE_TYPES]
        if not tree:
            reader.markers += 1
            continue
        n_trees += 1
        reader.branch(items, tree[0], -1, None, line)
    if not reader.pieces and not contour:
        raise SpecFileError(
            f"{where}: no soma contour and no trees; a Neurolucida cell needs '(CellBody)' or "
            "'(Axon)' / '(Dendrite)' / '(Apical)' lists of points"
        )
    if contour and len(contour) < 3:
        raise SpecFileError(f"{where}: the soma contour has {len(contour)} points; it needs >= 3")
    soma = np.array(contour, dtype=float).reshape(-1, 3) * UM
    return AscMorphology(soma, tuple(reader.pieces), reader.markers, reader.spines, where)


def read_asc(path: str | Path) -> AscMorphology:
    """Read a Neurolucida ASCII file (see :func:`parse_asc`).

    Parameters
    ----------
    path : str or Path
        The .asc file.

    Returns
    -------
    AscMorphology
        The cell.

    Raises
    ------
    SpecFileError
        If the file is missing or malformed.
    """
    return parse_asc(read_morphology_text(path, "ASC"), where=Path(path).name)


def soma_profile(contour_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre line and diameters of a soma contour as a solid of revolution (Import3d's way).

    The contour's principal axis (largest spread of its points) is cut at ``SOMA_SLICES``
    equally spaced places between its extremes; the diameter at each is the contour's width
    across the axis there (NEURON's Import3d ``contour2centroid`` does the same, with the
    centroid of the outline as origin).

    Parameters
    ----------
    contour_m : (S, 3) ndarray, m
        The outline.

    Returns
    -------
    points_m : (SOMA_SLICES, 3) ndarray, m
        Centre line.
    diameters_m : (SOMA_SLICES,) ndarray, m
        Width at each point (the end ones are 0).
    """
    pts = np.asarray(contour_m, dtype=float)
    centre = pts.mean(axis=0)
    rel = pts - centre
    _, _, vt = np.linalg.svd(rel, full_matrices=False)
    major, minor = vt[0], vt[1]
    along = rel @ major
    across = rel @ minor
    s = np.linspace(along.min(), along.max(), SOMA_SLICES)
    closed_a = np.append(along, along[0])
    closed_c = np.append(across, across[0])
    widths = np.zeros_like(s)
    for i, si in enumerate(s):
        hits = []
        for k in range(len(along)):
            a0, a1 = closed_a[k], closed_a[k + 1]
            if (a0 - si) * (a1 - si) <= 0 and a0 != a1:
                f = (si - a0) / (a1 - a0)
                hits.append(closed_c[k] + f * (closed_c[k + 1] - closed_c[k]))
        widths[i] = max(hits) - min(hits) if len(hits) >= 2 else 0.0
    return centre + np.outer(s, major), widths


def soma_area_m2(contour_m: np.ndarray) -> float:
    """Lateral area of :func:`soma_profile`'s solid of revolution (frusta).

    Parameters
    ----------
    contour_m : (S, 3) ndarray, m
        The soma outline.

    Returns
    -------
    float, m^2
        The area.
    """
    points, diam = soma_profile(contour_m)
    r = diam / 2
    h = np.linalg.norm(np.diff(points, axis=0), axis=1)
    slant = np.sqrt(h**2 + np.diff(r) ** 2)
    return float(np.sum(np.pi * (r[:-1] + r[1:]) * slant))


def asc_points(cell: AscMorphology) -> list[SwcPoint]:
    """The cell as SWC points: a one-point soma of the contour's area, then the trees.

    The soma point sits at the contour's centroid with radius sqrt(A / 4 pi) (tmslab's one-point
    soma is a cylinder as long as it is wide, area 4 pi r^2); every tree's first point hangs from
    it. Piece boundaries are kept: consecutive pieces are joined through their shared point.

    Parameters
    ----------
    cell : AscMorphology
        A read cell.

    Returns
    -------
    list of SwcPoint
        Points, parents first (SI units).
    """
    points: list[SwcPoint] = []
    root = -1
    if len(cell.soma_contour_m):
        area = soma_area_m2(cell.soma_contour_m)
        centre = tuple(float(v) for v in cell.soma_contour_m.mean(axis=0))
        points.append(SwcPoint(1, SOMA, centre, float(np.sqrt(area / (4 * np.pi))), -1, 0))
        root = 1
    last_of: dict[int, int] = {}
    for index, piece in enumerate(cell.pieces):
        if piece.parent >= 0:
            parent = last_of[piece.parent]
            rows = range(1, len(piece.points_m))  # the first point is the parent's last
        else:
            parent = root
            rows = range(len(piece.points_m))
        for k in rows:
            ident = len(points) + 1
            points.append(
                SwcPoint(
                    ident,
                    piece.kind,
                    tuple(float(v) for v in piece.points_m[k]),
                    float(piece.diameters_m[k] / 2),
                    parent,
                    piece.line,
                )
            )
            parent = ident
        last_of[index] = parent
    if root < 0 and points:
        raise SpecFileError(f"{cell.where}: no soma contour '(CellBody)'; tmslab needs a soma")
    return points
