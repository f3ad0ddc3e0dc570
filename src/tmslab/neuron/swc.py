"""Reading SWC morphologies (Cannon et al. 1998; the NeuroMorpho.Org format) into branches.

An SWC file has one point per line, ``id type x y z radius parent`` (micrometres, parent -1 for
the root); ``#`` starts a comment. Types: 1 soma, 2 axon, 3 basal dendrite, 4 apical dendrite;
TREES toolbox / NeMo-TMS files (Shirinpour et al. 2021, Brain Stimul 14:1470, doi
10.1016/j.brs.2021.09.004) add 5 myelinated internode, 6 node of Ranvier and 7 unmyelinated axon
(their region names ``myelin``, ``node``, ``unmyelin``), which is how the Aberra et al. 2018 cells
are distributed. Any other type is custom: the reader keeps it, and
:func:`tmslab.neuron.models.model_from_swc` refuses it unless told how to model it.

A point's type is the type of the stretch from its parent to it (NEURON's and TREES' convention),
so a branch ends where the type changes as well as at a branch point: a one-point type-6 run
between myelin points is a node as long as the distance to its parent (about 1 um).

The soma follows NEURON's one-point convention: a cylinder through the root point along y, as
long as it is wide (2 r, so its area is the sphere's 4 pi r^2); every other soma point is
absorbed into it and whatever hangs from a soma point hangs from the soma's middle.

Files are checked before anything is allocated: a point further than 20 cm from the origin, a
tree wider than 10 cm, a radius <= 0 or above 1 mm, a repeated id, a missing parent, a loop, a
binary file: each gives a one-line SpecFileError naming the line.

Blue Brain / NMC cell morphologies (used by Aberra et al. 2020) are CC BY-NC-SA and are not
shipped with tmslab: load them from your own disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tmslab.errors import SpecFileError
from tmslab.units import UM, UM_PER_CM, UM_PER_MM

SOMA, AXON, BASAL, APICAL = 1, 2, 3, 4
MYELIN, NODE, UNMYELINATED = 5, 6, 7  # TREES toolbox / NeMo-TMS regions
TYPE_NAMES = {
    SOMA: "soma",
    AXON: "axon",
    BASAL: "basal dendrite",
    APICAL: "apical dendrite",
    MYELIN: "myelinated internode",
    NODE: "node of Ranvier",
    UNMYELINATED: "unmyelinated axon",
}
# Plausibility limits (micrometres): a cortical neuron spans at most a few mm, and no neurite is
# a mm thick. Checked per line, before anything is allocated (issue 15: a 1e12 um point asked
# for 373 GiB of compartments).
MAX_COORDINATE_UM = 2e5  # 20 cm from the origin (cells placed in head coordinates)
MAX_EXTENT_UM = 1e5  # 10 cm across
MAX_RADIUS_UM = 1e3  # 1 mm


@dataclass(frozen=True)
class SwcPoint:
    """One SWC sample.

    Attributes
    ----------
    ident : int
        Identifier.
    kind : int
        SWC type.
    position_m : tuple of float, m
        Position (x, y, z).
    radius_m : float, m
        Radius.
    parent : int
        Parent identifier (-1 for the root).
    line : int
        Line of the file it was read from (0 if it was not read from a file).
    """

    ident: int
    kind: int
    position_m: tuple[float, float, float]
    radius_m: float
    parent: int
    line: int = 0


@dataclass(frozen=True, eq=False)
class SwcBranch:
    """An unbranched piece of an SWC tree, all of one type.

    Attributes
    ----------
    points_m : (K, 3) ndarray, m
        Centre line.
    diameters_m : (K,) ndarray, m
        Diameters.
    kind : int
        SWC type of its points.
    parent : int
        Index of the parent SwcBranch (-1 for the soma or the root).
    parent_x : float, dimensionless
        Attachment point on the parent (0.5 on the soma, 1 elsewhere).
    line : int
        Line of its first SWC point in the file (0 if unknown).
    """

    points_m: np.ndarray
    diameters_m: np.ndarray
    kind: int
    parent: int
    parent_x: float
    line: int = 0


def _integer(text: str) -> int:
    """An SWC integer field; '3.0' is accepted (some writers print floats), '3.5' is not."""
    value = float(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


def parse_swc(text: str, where: str = "SWC") -> list[SwcPoint]:
    """Parse SWC text into points.

    Checks, line by line and before any array is built: 7 numeric fields, integer id, type and
    parent, finite coordinates within 20 cm of the origin, 0 < radius <= 1 mm, unique ids, no
    self-parent; then one root, every parent present, no loop, extent <= 10 cm.

    Parameters
    ----------
    text : str
        SWC text (micrometres).
    where : str
        File name used in messages.

    Returns
    -------
    list of SwcPoint
        The points, in SI units.

    Raises
    ------
    SpecFileError
        One line, with the line number, if malformed.
    """
    if "\x00" in text:
        raise SpecFileError(f"{where}: contains NUL bytes; this is a binary file, not SWC text")
    points: list[SwcPoint] = []
    seen: dict[int, int] = {}
    low = np.full(3, np.inf)
    high = np.full(3, -np.inf)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) < 7:
            raise SpecFileError(
                f"{where}, line {number}: {len(fields)} fields; an SWC line has 7: "
                "id type x y z radius parent"
            )
        try:
            ident, kind, parent = _integer(fields[0]), _integer(fields[1]), _integer(fields[6])
            x, y, z, r = (float(v) for v in fields[2:6])
        except (ValueError, OverflowError):
            raise SpecFileError(
                f"{where}, line {number}: {' '.join(fields[:7])[:80]!r} is not numbers "
                "(integers id type parent; numbers x y z radius)"
            ) from None
        if not np.all(np.isfinite([x, y, z, r])):
            raise SpecFileError(f"{where}, line {number}: non-finite coordinate or radius")
        if max(abs(x), abs(y), abs(z)) > MAX_COORDINATE_UM:
            raise SpecFileError(
                f"{where}, line {number}: point {ident} at ({x:g}, {y:g}, {z:g}) um is more "
                f"than {MAX_COORDINATE_UM / UM_PER_CM:g} cm from the origin; SWC coordinates are in "
                "micrometres (a file in nm or a corrupt line?)"
            )
        if r <= 0:
            raise SpecFileError(f"{where}, line {number}: radius {r:g} um; it must be > 0")
        if r > MAX_RADIUS_UM:
            raise SpecFileError(
                f"{where}, line {number}: radius {r:g} um is implausible for a neurite (over "
                f"{MAX_RADIUS_UM / UM_PER_MM:g} mm); SWC radii are in micrometres"
            )
        if ident < 0:
            raise SpecFileError(f"{where}, line {number}: point id {ident}; ids must be >= 0")
        if ident in seen:
            raise SpecFileError(
                f"{where}, line {number}: point id {ident} appears twice (first on line "
                f"{seen[ident]})"
            )
        if parent == ident:
            raise SpecFileError(f"{where}, line {number}: point {ident} is its own parent")
        seen[ident] = number
        xyz = np.array([x, y, z])
        low, high = np.minimum(low, xyz), np.maximum(high, xyz)
        if np.any(high - low > MAX_EXTENT_UM):
            raise SpecFileError(
                f"{where}, line {number}: point {ident} makes the tree wider than "
                f"{MAX_EXTENT_UM / UM_PER_CM:g} cm; SWC coordinates are in micrometres"
            )
        points.append(
            SwcPoint(
                ident, kind, (x * UM, y * UM, z * UM), r * UM, parent if parent >= 0 else -1, number
            )
        )
    if not points:
        raise SpecFileError(
            f"{where}: no points; an SWC file needs lines 'id type x y z radius parent'"
        )
    roots = [p for p in points if p.parent < 0]
    if len(roots) != 1:
        lines = ", ".join(str(p.line) for p in roots[:5])
        raise SpecFileError(
            f"{where}: {len(roots)} root points (parent -1)"
            + (f" on lines {lines}" if roots else "")
            + "; an SWC file must describe one tree"
        )
    for p in points:
        if p.parent >= 0 and p.parent not in seen:
            raise SpecFileError(
                f"{where}, line {p.line}: point {p.ident} has parent {p.parent}, which is not "
                "in the file"
            )
    return points


def read_swc(path: str | Path) -> list[SwcBranch]:
    """Read an SWC file into branches (see the module docstring).

    Parameters
    ----------
    path : str or Path
        SWC file.

    Returns
    -------
    list of SwcBranch
        The branches, soma (if any) first.

    Raises
    ------
    SpecFileError
        If the file is malformed.
    """
    return swc_branches(*_read_points(path))


def read_swc_points(path: str | Path) -> list[SwcPoint]:
    """The checked points of an SWC file (see :func:`parse_swc`).

    Parameters
    ----------
    path : str or Path
        SWC file.

    Returns
    -------
    list of SwcPoint
        The points.

    Raises
    ------
    SpecFileError
        If the file is malformed.
    """
    return _read_points(path)[0]


def read_morphology_text(path: str | Path, kind: str) -> str:
    """The text of a morphology file, refused in one line when missing or unreadable.

    Parameters
    ----------
    path : path
        The file.
    kind : str
        Its format in messages (``"SWC"``, ``"ASC"``).

    Returns
    -------
    str
        The text (UTF-8; undecodable bytes replaced, the parsers name the line).

    Raises
    ------
    SpecFileError
        If the file is missing or unreadable.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SpecFileError(f"{kind} file {path} not found") from None
    except OSError as error:
        raise SpecFileError(f"cannot read {kind} file {path}: {error.strerror or error}") from None
    return data.decode("utf-8", errors="replace")  # the parsers refuse NUL bytes (binary)


def _read_points(path: str | Path) -> tuple[list[SwcPoint], str]:
    name = Path(path).name
    return parse_swc(read_morphology_text(path, "SWC"), where=name), name


def swc_branches(points: list[SwcPoint], where: str = "SWC") -> list[SwcBranch]:
    """Join SWC points into unbranched branches, the soma (if any) first.

    Parameters
    ----------
    points : list of SwcPoint
        Checked points.
    where : str
        File name used in messages.

    Returns
    -------
    list of SwcBranch
        The branches.
    """
    by_id = {p.ident: p for p in points}
    children: dict[int, list[int]] = {p.ident: [] for p in points}
    for p in points:
        if p.parent >= 0:
            children[p.parent].append(p.ident)
    root = next(p for p in points if p.parent < 0)
    reached = _reachable(root.ident, children)
    if len(reached) != len(points):
        stray = min((p for p in points if p.ident not in reached), key=lambda p: p.line)
        raise SpecFileError(
            f"{where}, line {stray.line}: point {stray.ident} is on a loop of parents "
            f"({len(points) - len(reached)} point(s) cannot reach the root); the parents must "
            "form a tree"
        )

    branches: list[SwcBranch] = []
    starts: list[tuple[int, int, float]] = []  # (first point id, parent branch, parent_x)
    if root.kind == SOMA:
        soma_ids = _connected_of_type(root.ident, children, by_id, SOMA)
        r = root.radius_m
        centre = np.array(root.position_m)
        branches.append(
            SwcBranch(
                np.array([centre - np.array([0.0, r, 0.0]), centre + np.array([0.0, r, 0.0])]),
                np.array([2 * r, 2 * r]),
                SOMA,
                -1,
                1.0,
                root.line,
            )
        )
        for sid in sorted(soma_ids):
            starts += [(c, 0, 0.5) for c in children[sid] if c not in soma_ids]
    else:
        if not children[root.ident]:
            raise SpecFileError(f"{where}: a single point is not a cable; give at least two")
        # The first branch from the root point becomes the root branch; the others start at its
        # near end (x = 0), which is the root point.
        starts += [
            (c, 0 if k else -1, 0.0 if k else 1.0) for k, c in enumerate(children[root.ident])
        ]

    while starts:
        first, parent_branch, parent_x = starts.pop(0)
        head = by_id[first]
        chain = [first]
        # a branch ends at a branch point and where the type changes (a node between internodes)
        while len(children[chain[-1]]) == 1 and by_id[children[chain[-1]][0]].kind == head.kind:
            chain.append(children[chain[-1]][0])
        anchor = by_id[head.parent].position_m if head.parent >= 0 else None
        positions = [np.array(by_id[i].position_m) for i in chain]
        diameters = [2 * by_id[i].radius_m for i in chain]
        if anchor is not None:
            positions.insert(0, np.array(anchor))
            diameters.insert(0, diameters[0])
        keep = [0] + [
            k for k in range(1, len(positions)) if np.any(positions[k] != positions[k - 1])
        ]
        if len(keep) < 2:
            raise SpecFileError(
                f"{where}, line {head.line}: point {first} starts a branch of zero length (it "
                "sits on its parent); move it or remove it"
            )
        index = len(branches)
        branches.append(
            SwcBranch(
                np.array([positions[k] for k in keep]),
                np.array([diameters[k] for k in keep]),
                head.kind,
                parent_branch,
                parent_x,
                head.line,
            )
        )
        starts += [(c, index, 1.0) for c in children[chain[-1]]]
    return branches


def _reachable(start: int, children: dict[int, list[int]]) -> set[int]:
    seen, stack = {start}, [start]
    while stack:
        for c in children[stack.pop()]:
            if c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


def _connected_of_type(start: int, children, by_id, kind: int) -> set[int]:
    seen, stack = {start}, [start]
    while stack:
        for c in children[stack.pop()]:
            if by_id[c].kind == kind and c not in seen:
                seen.add(c)
                stack.append(c)
    return seen


def format_swc(points: list[SwcPoint], name: str = "tree") -> str:
    """SWC text in the TREES toolbox layout that NeMo-TMS distributes (``swc_tree``).

    Six header comment lines, then ``%d %d %12.8f %12.8f %12.8f %12.8f %d`` per point, micrometres,
    parent -1 for the root. Inverse of :func:`parse_swc` to 1e-8 um.

    Parameters
    ----------
    points : list of SwcPoint
        The points (SI units).
    name : str
        Tree name in the header.

    Returns
    -------
    str
        The file's text.
    """
    header = [
        f"# TREES toolbox tree - {name}",
        '# written by an automatic procedure "swc_tree" part of the TREES package',
        "# in MATLAB",
        "# copyright 2009 Hermann Cuntz",
        "#",
        "# inode R X Y Z D/2 idpar",
    ]
    rows = []
    for p in points:
        x, y, z = (c / UM for c in p.position_m)
        rows.append(
            f"{p.ident:d} {p.kind:d} {x:12.8f} {y:12.8f} {z:12.8f} {p.radius_m / UM:12.8f} "
            f"{p.parent:d}"
        )
    return "\n".join(header + rows) + "\n"
