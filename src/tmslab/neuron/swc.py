"""Reading SWC morphologies (Cannon et al. 1998; the NeuroMorpho.Org format) into branches.

An SWC file has one point per line, ``id type x y z radius parent`` (micrometres, parent -1 for
the root); ``#`` starts a comment. Types: 1 soma, 2 axon, 3 basal dendrite, 4 apical dendrite,
others custom. The soma follows NEURON's one-point convention: a cylinder through the root
point along y, as long as it is wide (2 r, so its area is the sphere's 4 pi r^2); every other
soma point is absorbed into it and whatever hangs from a soma point hangs from the soma's middle.
Other points are joined into unbranched branches between branch points.

Blue Brain / NMC cell morphologies (used by Aberra et al. 2020) are CC BY-NC-SA and are not
shipped with tmslab: load them from your own disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tmslab.errors import SpecFileError

SOMA, AXON, BASAL, APICAL = 1, 2, 3, 4
UM = 1e-6


@dataclass(frozen=True)
class SwcPoint:
    """One SWC sample: identifier, type, position (m), radius (m), parent identifier."""

    ident: int
    kind: int
    position_m: tuple[float, float, float]
    radius_m: float
    parent: int


@dataclass(frozen=True, eq=False)
class SwcBranch:
    """An unbranched piece of an SWC tree.

    points_m: (K, 3) array, metres. diameters_m: (K,) array, metres. kind: SWC type of its
    points. parent: index of the parent SwcBranch (-1 for the soma or the root). parent_x:
    attachment point on the parent (0.5 on the soma, 1 elsewhere).
    """

    points_m: np.ndarray
    diameters_m: np.ndarray
    kind: int
    parent: int
    parent_x: float


def parse_swc(text: str, where: str = "SWC") -> list[SwcPoint]:
    """Parse SWC text into points; SpecFileError (one line, with the line number) if malformed."""
    points: list[SwcPoint] = []
    seen: set[int] = set()
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
            ident, kind, parent = int(fields[0]), int(float(fields[1])), int(fields[6])
            x, y, z, r = (float(v) for v in fields[2:6])
        except ValueError:
            raise SpecFileError(
                f"{where}, line {number}: {' '.join(fields[:7])!r} is not numbers "
                "(id type x y z radius parent)"
            ) from None
        if not np.all(np.isfinite([x, y, z, r])):
            raise SpecFileError(f"{where}, line {number}: non-finite coordinate or radius")
        if r <= 0:
            raise SpecFileError(f"{where}, line {number}: radius {r:g} um; it must be > 0")
        if ident in seen:
            raise SpecFileError(f"{where}, line {number}: point id {ident} appears twice")
        if parent == ident:
            raise SpecFileError(f"{where}, line {number}: point {ident} is its own parent")
        seen.add(ident)
        points.append(SwcPoint(ident, kind, (x * UM, y * UM, z * UM), r * UM, parent))
    if not points:
        raise SpecFileError(
            f"{where}: no points; an SWC file needs lines 'id type x y z radius parent'"
        )
    roots = [p for p in points if p.parent < 0]
    if len(roots) != 1:
        raise SpecFileError(
            f"{where}: {len(roots)} root points (parent -1); an SWC file must describe one tree"
        )
    for p in points:
        if p.parent >= 0 and p.parent not in seen:
            raise SpecFileError(
                f"{where}: point {p.ident} has parent {p.parent}, which is not in the file"
            )
    return points


def read_swc(path: str | Path) -> list[SwcBranch]:
    """Read an SWC file into branches (see the module docstring). SpecFileError if malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise SpecFileError(f"SWC file {path} not found") from None
    except OSError as error:
        raise SpecFileError(f"cannot read SWC file {path}: {error.strerror or error}") from None
    return swc_branches(parse_swc(text, where=path.name), where=path.name)


def swc_branches(points: list[SwcPoint], where: str = "SWC") -> list[SwcBranch]:
    """Join SWC points into unbranched branches, the soma (if any) first."""
    by_id = {p.ident: p for p in points}
    children: dict[int, list[int]] = {p.ident: [] for p in points}
    for p in points:
        if p.parent >= 0:
            children[p.parent].append(p.ident)
    root = next(p for p in points if p.parent < 0)
    reached = _reachable(root.ident, children)
    if len(reached) != len(points):
        raise SpecFileError(
            f"{where}: {len(points) - len(reached)} point(s) form a loop; the parents must form a tree"
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
        chain = [first]
        while len(children[chain[-1]]) == 1:
            chain.append(children[chain[-1]][0])
        head = by_id[first]
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
                f"{where}: point {first} starts a branch of zero length (it sits on its parent); "
                "move it or remove it"
            )
        index = len(branches)
        branches.append(
            SwcBranch(
                np.array([positions[k] for k in keep]),
                np.array([diameters[k] for k in keep]),
                head.kind,
                parent_branch,
                parent_x,
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
