"""Surface meshes from files (meshio: Gmsh .msh, STL, VTK/VTU, OBJ, PLY, OFF, ...).

A file holds one or more closed triangle surfaces. They are split into connected components
(for SimNIBS head meshes: by the tissue tags 1001-1005 of their triangles), oriented outwards,
checked (:mod:`tmslab.conductors.quality`) and nested by containment. Conductivities are given
per compartment, innermost first, or taken from the SimNIBS defaults by tissue tag.
"""

from __future__ import annotations

import io
import warnings
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from pathlib import Path

import numpy as np

from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.units import MM, MM_PER_M

DEFAULT_CONDUCTIVITY = 0.33  # S/m when none is given; irrelevant for one insulated compartment
SIMNIBS_SURFACE_OFFSET = 1000
WRITE_FORMATS = {".msh": "gmsh22", ".stl": "stl", ".vtk": "vtk", ".vtu": "vtu", ".obj": "obj",
                 ".ply": "ply", ".off": "off"}  # fmt: skip  # SimNIBS tags a tissue's outer surface triangles with 1000 + tag


@cache
def simnibs_tissues() -> dict[int, tuple[str, float]]:
    """SimNIBS tissue tag -> (name, default conductivity S/m), Thielscher et al. 2015."""
    from tmslab.io.toml import read_data_toml

    tissues = read_data_toml("data/conductors/heads.toml")["tissues"]
    return {
        int(v["tag"]): (name, float(v["conductivity_s_per_m"]))
        for name, v in tissues.items()
        if isinstance(v, dict)
    }


def _components(triangles: np.ndarray) -> list[np.ndarray]:
    """Triangle index arrays of the edge-connected components."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    t = len(triangles)
    edges = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    key = np.sort(edges, axis=1)
    owner = np.tile(np.arange(t), 3)
    _, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_edges = int(inverse.max()) + 1
    incidence = coo_matrix((np.ones(3 * t), (owner, inverse)), shape=(t, n_edges)).tocsr()
    adjacency = incidence @ incidence.T
    count, labels = connected_components(adjacency, directed=False)
    return [np.flatnonzero(labels == k) for k in range(count)]


def _compact(vertices: np.ndarray, triangles: np.ndarray):
    used, inverse = np.unique(triangles, return_inverse=True)
    return vertices[used], inverse.reshape(-1, 3)


def _weld(vertices: np.ndarray, triangles: np.ndarray, tolerance: float):
    """Merge duplicate vertices (STL stores each triangle's corners separately)."""
    scale = max(float(np.ptp(vertices, axis=0).max()), 1e-30)
    keys = np.round(vertices / (tolerance * scale)).astype(np.int64)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return vertices[first], inverse.ravel()[triangles]


MESH_UNITS_M = {"mm": MM, "m": 1.0}
MIN_MESH_SIZE_M = 5e-3  # a conductor under 5 mm across is a unit slip (metres read as mm)
MAX_MESH_SIZE_M = 1.0  # over 1 m across: millimetres read as metres


def mesh_unit_m(unit: str | None, option: str = "--mesh-unit") -> float | None:
    """The length of a mesh unit name in metres.

    Parameters
    ----------
    unit : str or None
        ``"mm"`` or ``"m"``; None stays None.
    option : str
        Option named in the error message.

    Returns
    -------
    float or None, m
        Length of one file unit.

    Raises
    ------
    InvalidValueError
        For any other unit.
    """
    if unit is None:
        return None
    text = str(unit).strip().lower()
    if text not in MESH_UNITS_M:
        raise InvalidValueError(f"{option} {unit!r}: give mm or m")
    return MESH_UNITS_M[text]


def _unit_name(unit_m: float) -> str:
    return next((k for k, v in MESH_UNITS_M.items() if v == unit_m), f"{unit_m:g} m")


def _check_header(path: Path) -> None:
    """Refuse PLY/OFF files whose header is cut short: meshio's readers loop forever on them."""
    suffix = path.suffix.lower()
    if suffix not in (".ply", ".off"):
        return
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if suffix == ".ply":
        complete = b"end_header" in head
    else:
        lines = [line.strip() for line in head.splitlines()[1:]]
        complete = any(line and not line.startswith(b"#") for line in lines)
    if not complete:
        raise SpecFileError(
            f"cannot read mesh {path}: its {suffix[1:].upper()} header is cut short"
        )


def read_surfaces(path: str | Path, unit_m: float | None = None):
    """Closed surfaces from a mesh file.

    A mesh under :data:`MIN_MESH_SIZE_M` or over :data:`MAX_MESH_SIZE_M` across in the chosen unit
    is refused (the unit is wrong): give the unit (``--mesh-unit`` on the command line,
    ``[subject] mesh_unit`` in scenarios).

    Parameters
    ----------
    path : str or Path
        Mesh file (anything meshio reads; .msh, .stl, .off, ...).
    unit_m : float or None, m
        Length of the file's unit; None: mm for .msh/.stl and when the mesh is larger than 2 m
        across, else m.

    Returns
    -------
    list of (str, int, (V, 3) ndarray, (T, 3) ndarray)
        Name, tag, vertices (m) and triangles (vertex indices) of each surface.

    Raises
    ------
    SpecFileError
        If the file cannot be read, has no closed surface or an implausible size.
    """
    import meshio

    path = Path(path)
    if not path.exists():
        raise SpecFileError(f"mesh file {path} does not exist")
    _check_header(path)
    said = io.StringIO()
    try:
        # meshio prints its complaints and, for some formats, calls sys.exit: keep both in.
        with warnings.catch_warnings(), redirect_stdout(said), redirect_stderr(said):
            warnings.simplefilter("ignore", RuntimeWarning)  # STL size probe overflows harmlessly
            mesh = meshio.read(path)
    except (Exception, SystemExit) as error:  # meshio raises many types for malformed files
        reason = str(error) if not isinstance(error, SystemExit) else said.getvalue()
        reason = " ".join(reason.split()) or "unreadable or truncated"
        raise SpecFileError(f"cannot read mesh {path}: {reason}") from None
    blocks = [(i, b.data) for i, b in enumerate(mesh.cells) if b.type == "triangle"]
    if not blocks:
        raise SpecFileError(f"mesh {path} holds no triangles (a closed surface mesh is needed)")
    tags = None
    for key in ("gmsh:physical", "gmsh:geometrical", "medit:ref", "cell_tags"):
        if key in mesh.cell_data:
            tags = np.concatenate([np.asarray(mesh.cell_data[key][i]) for i, _ in blocks])
            break
    triangles = np.concatenate([b for _, b in blocks]).astype(np.int64)
    vertices = np.asarray(mesh.points, dtype=float)
    if vertices.ndim != 2 or vertices.shape[1] < 3 or not len(vertices):
        raise SpecFileError(f"mesh {path}: its points are not x, y, z triples")
    vertices = vertices[:, :3]
    if triangles.ndim != 2 or triangles.shape[1] != 3 or not len(triangles):
        raise SpecFileError(f"mesh {path}: its triangles are not index triples")
    if triangles.min() < 0 or triangles.max() >= len(vertices):
        raise SpecFileError(
            f"mesh {path}: a triangle refers to point {int(triangles.max())} of "
            f"{len(vertices)} (the file is truncated or corrupt)"
        )
    used = vertices[np.unique(triangles)]
    if not np.all(np.isfinite(used)):
        raise SpecFileError(f"mesh {path}: some triangle corners are not finite (nan or inf)")
    size = float(np.ptp(used, axis=0).max())
    if unit_m is None:
        unit_m = MM if size > 2.0 or path.suffix.lower() in (".msh", ".stl") else 1.0
    unit = _unit_name(unit_m)
    if not MIN_MESH_SIZE_M <= size * unit_m <= MAX_MESH_SIZE_M:
        small = size * unit_m < MIN_MESH_SIZE_M
        fix = "m" if small and unit_m < 1.0 else "mm" if not small and unit_m >= 1.0 else None
        advice = (
            f'is it in {fix}? give --mesh-unit {fix} (scenarios: [subject] mesh_unit = "{fix}")'
            if fix
            else "check the file's unit (--mesh-unit mm or m)"
        )
        raise SpecFileError(
            f"mesh {path} is {size:.4g} {unit} across ({size * unit_m:.4g} m), "
            f"outside {MIN_MESH_SIZE_M * MM_PER_M:g} mm to {MAX_MESH_SIZE_M:g} m; {advice}"
        )
    vertices = vertices * unit_m
    vertices, triangles = _weld(vertices, triangles, 1e-9)
    groups: list[tuple[str, int | None, np.ndarray]] = []
    if tags is not None and np.any(tags > SIMNIBS_SURFACE_OFFSET):
        tissues = simnibs_tissues()
        for tag in sorted(set(tags.tolist())):
            tissue = tag - SIMNIBS_SURFACE_OFFSET
            if tissue in tissues:
                groups.append((tissues[tissue][0], tissue, np.flatnonzero(tags == tag)))
        if not groups:
            raise SpecFileError(
                f"mesh {path}: no SimNIBS tissue surfaces (triangle tags 1001-1005) found"
            )
    else:
        for k, component in enumerate(_components(triangles)):
            groups.append((f"surface-{k + 1}", None, component))
    out = []
    for name, tag, index in groups:
        v, t = _compact(vertices, triangles[index])
        out.append((name, tag, v, t))
    return out


def _volume(vertices: np.ndarray, triangles: np.ndarray) -> float:
    c = vertices[triangles]
    return float(np.einsum("ij,ij->i", c[:, 0], np.cross(c[:, 1], c[:, 2])).sum() / 6.0)


def conductor_from_file(
    path: str | Path,
    conductivities: list[float] | None = None,
    unit_m: float | None = None,
    check: bool = True,
) -> Conductor:
    """A :class:`Conductor` from a surface mesh file.

    Surfaces must be nested (each inside the next larger one) or disjoint outermost surfaces; the
    outermost ones are insulated.

    Parameters
    ----------
    path : str or Path
        Mesh file.
    conductivities : list of float or None, S/m
        One per compartment from the innermost surface outwards (the conductivity inside each
        surface); None: SimNIBS defaults for tissue-tagged meshes, 0.33 S/m otherwise.
    unit_m : float or None, m
        The file's length unit (``MM`` for mm); None: by format, see :func:`read_surfaces`.
    check : bool
        Run the surface checks (:func:`tmslab.conductors.quality.check_conductor`).

    Returns
    -------
    Conductor
        The conductor, in metres.

    Raises
    ------
    SpecFileError
        If the file is unreadable or its surfaces are not closed, nested or disjoint.
    """
    from tmslab.conductors.quality import check_closed_oriented, check_conductor, inside_mask

    raw = read_surfaces(path, unit_m)
    surfaces = []
    for name, tag, v, t in raw:
        draft = TriangleSurface(name, v, t, 1.0, 0.0)
        check_closed_oriented(draft)
        if _volume(v, t) < 0:
            t = t[:, ::-1].copy()
        surfaces.append((name, tag, v, t))
    surfaces.sort(key=lambda s: _volume(s[2], s[3]))
    n = len(surfaces)
    if conductivities is None:
        tissues = simnibs_tissues()
        sig = [
            tissues[tag][1] if tag in tissues else DEFAULT_CONDUCTIVITY for _, tag, _, _ in surfaces
        ]
    else:
        sig = [float(s) for s in conductivities]
        if len(sig) != n:
            raise InvalidValueError(
                f"{path}: {n} compartment(s) (surfaces {', '.join(s[0] for s in surfaces)}, "
                f"innermost first) but {len(sig)} conductivities given"
            )
    # Which surface encloses which: the smallest enclosing one is the parent.
    parents: list[int | None] = []
    for i, (_, _, v, t) in enumerate(surfaces):
        parent = None
        probe = v[t[0]].mean(axis=0)
        for j in range(i + 1, n):
            outer = Conductor((TriangleSurface("probe", surfaces[j][2], surfaces[j][3], 1.0),))
            if inside_mask(outer, probe[None, :])[0]:
                parent = j
                break
        parents.append(parent)
    built = []
    for i, (name, _, v, t) in enumerate(surfaces):
        outside = 0.0 if parents[i] is None else sig[parents[i]]
        if sig[i] <= 0:
            raise InvalidValueError(f"conductivity of {name!r} = {sig[i]} S/m must be > 0")
        built.append(TriangleSurface(name, v, t, sig[i], outside))
    conductor = Conductor(
        tuple(built),
        name=str(path),
        label=f"mesh {Path(path).name}",
        kind="mesh",
        geometry={"file": str(path)},
    )
    if check:
        check_conductor(conductor)
    return conductor


def write_surfaces(conductor: Conductor, path: str | Path, unit_m: float = 1.0) -> Path:
    """Write the conductor's surfaces to a mesh file meshio can write (tags per surface).

    Parameters
    ----------
    conductor : Conductor
        Surfaces to write.
    path : str or Path
        Output file; the suffix picks the format.
    unit_m : float, m
        The file's length unit (``MM`` writes millimetres).

    Returns
    -------
    Path
        The path written.
    """
    import meshio

    from tmslab.provenance import atomic_write

    offsets = np.cumsum([0] + [len(s.vertices) for s in conductor.surfaces[:-1]])
    points = np.concatenate([s.vertices for s in conductor.surfaces]) / unit_m
    tri = np.concatenate(
        [s.triangles + o for s, o in zip(conductor.surfaces, offsets, strict=True)]
    )
    tags = np.concatenate([np.full(s.n_triangles, i + 1) for i, s in enumerate(conductor.surfaces)])
    path = Path(path)
    suffix = path.suffix.lower()
    cell_data = {"gmsh:physical": [tags], "gmsh:geometrical": [tags]} if suffix == ".msh" else {}
    if suffix in (".vtk", ".vtu"):
        cell_data = {"surface": [tags]}
    mesh = meshio.Mesh(points, [("triangle", tri)], cell_data=cell_data)
    if suffix not in WRITE_FORMATS:
        raise InvalidValueError(
            f"cannot write a surface mesh as {path.name!r}; use {', '.join(WRITE_FORMATS)}"
        )
    return atomic_write(
        path, lambda tmp: meshio.write(tmp, mesh, file_format=WRITE_FORMATS[suffix])
    )
