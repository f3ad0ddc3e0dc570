"""A SimNIBS head mesh (charm ``.msh``, millimetres) as a realistic head for ``field head``.

SimNIBS's charm writes a tetrahedral head mesh in Gmsh 2.2 binary format (its
``simnibs/mesh_tools/mesh_io.py``, ``write_msh``): tetrahedra tagged with the tissue (1 WM, 2 GM,
3 CSF, 4 bone, 5 scalp, 6 eye balls, 7 compact bone, 8 spongy bone, 9 blood, 10 muscle) and
triangles on the tissue boundaries tagged 1000 + tissue (``reconstruct_unique_surface``: each
boundary face once, tagged with the tissue higher in charm's hierarchy WM, GM, blood, CSF, bone,
..., the outer boundary 1005). The tags and default conductivities here are SimNIBS's
(``simnibs/utils/mesh_element_properties.py``, ``tissue_conductivities``).

What this module builds from a mesh (all in metres):

- **The conductor**, one interface patch per pair of touching tissues (and tissue/air), from the
  faces of the tetrahedra between different tissue tags: every facet carries the conductivities
  of its two sides, so compartments may touch and meet at junctions (no nesting assumed; see
  :mod:`tmslab.conductors.surfaces`). The surface triangles, when present, must lie on these
  faces (checked); the two sides of a triangle come from the tetrahedra, which the tag alone
  does not tell (a WM-tagged triangle may face GM or CSF).
- **The cortex**: the WM|GM boundary, and the grey-matter outer boundary (GM against anything
  but WM). The mid-cortical surface is an approximation: each WM|GM vertex moved half-way to
  the nearest point of the GM outer boundary, with the WM|GM triangles and normals (pointing
  out of the white matter). That nearest point is not the vertex's partner across the cortex
  where the GM is folded tightly (opposite banks of a sulcus within half a thickness): there
  the mid surface lies nearer the white surface than half-way. The "pial" surface of each
  hemisphere is those nearest points (same triangles as the white surface).
- **Hemispheres** by the sign of x of each WM|GM triangle's centroid (SimNIBS subject space is
  the scanner's RAS, so x > 0 is right when the head is roughly centred; cerebellar cortex is
  included).
- **The scalp** for placing coils: the outer boundary of the mesh.
- **10-10 positions** if charm's ``eeg_positions/EEG10-10_UI_Jurak_2007.csv`` lies beside the mesh
  (in the m2m folder); otherwise none, and coils are placed at MNI points (``--position-mni``).
- **MNI152 coordinates** through charm's 12-parameter affine ``toMNI/MNI2conform_12DOF.txt``
  (MNI152 -> subject, mm) if it lies beside the mesh; SimNIBS's own ``mni2subject_coords``
  defaults to the nonlinear warp, which differs from the affine by a few mm in places. Without
  the file, MNI coordinates are refused (:meth:`HeadModel.from_mni152`).

Coordinates stay in the mesh's frame (subject space), in metres.
"""

from __future__ import annotations

import csv
import io
import warnings
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import numpy as np

from tmslab.conductors.head._mesh import closest_points
from tmslab.conductors.head.template import (
    HEMISPHERES,
    Compartment,
    HeadModel,
    Hemisphere,
    SurfaceMesh,
)
from tmslab.conductors.mesh_io import MAX_MESH_SIZE_M, MIN_MESH_SIZE_M
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.sources import Source
from tmslab.units import MM

__all__ = [
    "SIMNIBS_SOURCE",
    "SIMNIBS_TISSUES",
    "MeshHead",
    "TetMesh",
    "load_head",
    "read_simnibs_mesh",
    "simnibs_head",
    "tissue_interfaces",
]

SURFACE_OFFSET = 1000  # charm tags boundary triangles 1000 + tissue
AIR = 0  # tag of the outside

# SimNIBS tissue tags, names and default conductivities (S/m): simnibs/utils/
# mesh_element_properties.py (ElementTags, tissue_names, tissue_conductivities), SimNIBS 4.
SIMNIBS_TISSUES: MappingProxyType[int, tuple[str, float]] = MappingProxyType(
    {
        1: ("WM", 0.126),
        2: ("GM", 0.275),
        3: ("CSF", 1.654),
        4: ("bone", 0.010),
        5: ("scalp", 0.465),
        6: ("eye_balls", 0.5),
        7: ("compact_bone", 0.008),
        8: ("spongy_bone", 0.025),
        9: ("blood", 0.6),
        10: ("muscle", 0.16),
        11: ("cartilage", 0.88),
        12: ("fat", 0.078),
    }
)
WM, GM = 1, 2

SIMNIBS_SOURCE = Source(
    "SimNIBS 4 (Thielscher, Antunes & Saturnino 2015, Conf Proc IEEE EMBC 2015:222-225), "
    "simnibs/utils/mesh_element_properties.py; charm head meshes (Puonti et al. 2020, "
    "NeuroImage 219:117044)",
    "10.1109/EMBC.2015.7318340",
    "Tissue tags 1-12 and their default conductivities (WM 0.126, GM 0.275, CSF 1.654, bone "
    "0.010, scalp 0.465, eye balls 0.5, compact bone 0.008, spongy bone 0.025, blood 0.6, "
    "muscle 0.16, cartilage 0.88, fat 0.078 S/m); the .msh layout (Gmsh 2.2) and charm's "
    "surface tags (1000 + tissue).",
)

EEG_POSITIONS = (
    "eeg_positions/EEG10-10_UI_Jurak_2007.csv",
    "eeg_positions/EEG10-10_Neuroelectrics.csv",
)
MNI_AFFINE = "toMNI/MNI2conform_12DOF.txt"
_FIDUCIALS = {"nz": "nasion", "nasion": "nasion", "lpa": "LPA", "rpa": "RPA"}
# tetrahedron faces (opposite corners 3, 2, 1, 0)
_FACES = np.array([[0, 1, 2], [0, 3, 1], [0, 2, 3], [1, 3, 2]])
_OPPOSITE = np.array([3, 2, 1, 0])


@dataclass(frozen=True, eq=False)
class TetMesh:
    """The tetrahedra and tagged surface triangles of a SimNIBS mesh.

    Attributes
    ----------
    path : Path
        The file.
    nodes : (N, 3) ndarray, m
        Node coordinates.
    tetrahedra : (T, 4) ndarray of int
        Node indices.
    tissue : (T,) ndarray of int
        Tissue tag of each tetrahedron (1-12).
    triangles : (S, 3) ndarray of int
        Surface triangles (may be empty).
    surface_tags : (S,) ndarray of int
        Their tags (1001-1012).
    """

    path: Path
    nodes: np.ndarray
    tetrahedra: np.ndarray
    tissue: np.ndarray
    triangles: np.ndarray
    surface_tags: np.ndarray


def read_simnibs_mesh(path: str | Path, unit_m: float = MM) -> TetMesh:
    """Read a SimNIBS ``.msh`` (Gmsh 2.2, binary or ASCII) with tissue tags.

    Parameters
    ----------
    path : str or Path
        The mesh.
    unit_m : float, m
        The file's length unit (SimNIBS writes millimetres).

    Returns
    -------
    TetMesh
        Nodes in metres.

    Raises
    ------
    SpecFileError
        Unreadable file, no tetrahedra, missing or unknown tissue tags, or a size that is not a
        head's in the given unit (a mesh in metres read as millimetres).
    """
    import meshio

    path = Path(path)
    if not path.exists():
        raise SpecFileError(f"mesh file {path} does not exist")
    said = io.StringIO()
    try:
        with warnings.catch_warnings(), redirect_stdout(said), redirect_stderr(said):
            warnings.simplefilter("ignore")
            mesh = meshio.read(path, file_format="gmsh")
    except (Exception, SystemExit) as error:  # meshio raises many types for malformed files
        reason = " ".join(str(error).split()) or "unreadable or truncated"
        raise SpecFileError(f"cannot read SimNIBS mesh {path}: {reason}") from None
    tags = mesh.cell_data.get("gmsh:physical")
    if tags is None:
        raise SpecFileError(
            f"SimNIBS mesh {path} has no element tags: its tetrahedra need tissue tags "
            "(1 WM, 2 GM, ...)"
        )
    tets = [
        (b.data, np.asarray(t)) for b, t in zip(mesh.cells, tags, strict=True) if b.type == "tetra"
    ]
    tris = [
        (b.data, np.asarray(t))
        for b, t in zip(mesh.cells, tags, strict=True)
        if b.type == "triangle"
    ]
    if not tets:
        raise SpecFileError(
            f"SimNIBS mesh {path} has no tetrahedra (a surface-only mesh); a head mesh from "
            "charm is needed (nested closed surfaces load with --conductor FILE)"
        )
    tetrahedra = np.concatenate([d for d, _ in tets]).astype(np.int64)
    tissue = np.concatenate([t for _, t in tets]).astype(np.int64)
    unknown = sorted(set(np.unique(tissue).tolist()) - set(SIMNIBS_TISSUES))
    if unknown:
        raise SpecFileError(
            f"SimNIBS mesh {path}: tetrahedra with tissue tags {unknown[:5]} (missing or unknown "
            f"tags); SimNIBS tags are {min(SIMNIBS_TISSUES)}-{max(SIMNIBS_TISSUES)}"
        )
    if tris:
        triangles = np.concatenate([d for d, _ in tris]).astype(np.int64)
        surface_tags = np.concatenate([t for _, t in tris]).astype(np.int64)
    else:
        triangles, surface_tags = np.zeros((0, 3), np.int64), np.zeros(0, np.int64)
    nodes = np.asarray(mesh.points, dtype=float)[:, :3]
    used = nodes[np.unique(tetrahedra)]
    if not np.all(np.isfinite(used)):
        raise SpecFileError(f"SimNIBS mesh {path}: some node coordinates are not finite")
    size = float(np.ptp(used, axis=0).max())
    if not MIN_MESH_SIZE_M <= size * unit_m <= MAX_MESH_SIZE_M:
        raise SpecFileError(
            f"SimNIBS mesh {path} is {size:.4g} file units across ({size * unit_m:.4g} m), not a "
            f"head's size; SimNIBS meshes are in mm (is this one in metres?)"
        )
    return TetMesh(path, nodes * unit_m, tetrahedra, tissue, triangles, surface_tags)


def _interface_faces(mesh: TetMesh):
    """Faces between different tissues (and air): nodes (F, 3), inner tag, outer tag (F,).

    Each face is oriented out of its inner side, the smaller tag (air, 0, is always outside).
    """
    # int32 node ids: a charm head has millions of tetrahedra (4 faces each)
    tets, tissue, nodes = mesh.tetrahedra.astype(np.int32), mesh.tissue, mesh.nodes
    faces = tets[:, _FACES].reshape(-1, 3)
    owner = np.repeat(np.arange(len(tets)), 4)
    opposite = tets[:, _OPPOSITE].ravel()
    key = np.sort(faces, axis=1)
    order = np.lexsort((key[:, 2], key[:, 1], key[:, 0]))
    key = key[order]
    new = np.concatenate([[True], np.any(key[1:] != key[:-1], axis=1)])
    start = np.flatnonzero(new)
    counts = np.diff(np.concatenate([start, [len(key)]]))
    if np.any(counts > 2):
        raise SpecFileError(
            f"SimNIBS mesh {mesh.path}: {int((counts > 2).sum())} faces are shared by more "
            "than two tetrahedra (a corrupt mesh)"
        )
    first = order[start]
    second = np.where(counts == 2, order[np.minimum(start + 1, len(order) - 1)], -1)
    tag_a = tissue[owner[first]]
    tag_b = np.where(second >= 0, tissue[owner[np.maximum(second, 0)]], AIR)
    keep = tag_a != tag_b
    first, second, tag_a, tag_b = first[keep], second[keep], tag_a[keep], tag_b[keep]
    # the inner side: the smaller non-air tag
    swap = (tag_b != AIR) & (tag_b < tag_a)
    inner_face = np.where(swap, second, first)
    inner, outer = np.where(swap, tag_b, tag_a), np.where(swap, tag_a, tag_b)
    tri = faces[inner_face]
    corners = nodes[tri]
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    towards_inner = np.einsum("ij,ij->i", normal, nodes[opposite[inner_face]] - corners[:, 0])
    tri = np.where((towards_inner > 0)[:, None], tri[:, ::-1], tri)
    return tri.astype(np.int64), inner, outer


def _name(tag: int) -> str:
    return "air" if tag == AIR else SIMNIBS_TISSUES[tag][0]


def _compact(nodes: np.ndarray, tri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    used, inverse = np.unique(tri, return_inverse=True)
    return nodes[used], inverse.reshape(-1, 3)


def tissue_interfaces(
    mesh: TetMesh, conductivities: dict[int, float] | None = None, faces=None
) -> tuple[TriangleSurface, ...]:
    """One interface patch per pair of touching tissues (and tissue/air).

    Parameters
    ----------
    mesh : TetMesh
        The mesh.
    conductivities : dict of int to float, S/m, or None
        Conductivity per tissue tag, overriding SimNIBS's defaults.
    faces : tuple of ndarray or None, dimensionless
        The interface faces (triangles (F, 3) int, inner and outer tags (F,) int) when already
        computed; None: found from the tetrahedra.

    Returns
    -------
    tuple of TriangleSurface
        Named ``"WM|GM"``, ``"scalp|air"``, ...; oriented out of the tissue with the smaller
        tag (sigma_in); patches between equal conductivities are left out (no charge).
    """
    sigma = {tag: value for tag, (_, value) in SIMNIBS_TISSUES.items()}
    sigma.update({int(k): float(v) for k, v in (conductivities or {}).items()})
    sigma[AIR] = 0.0
    tri, inner, outer = faces if faces is not None else _interface_faces(mesh)
    out = []
    pairs = np.unique(np.stack([inner, outer], axis=1), axis=0)
    for a, b in pairs.tolist():
        if sigma[a] <= 0:
            raise InvalidValueError(f"conductivity of {_name(a)} = {sigma[a]} S/m must be > 0")
        if sigma[a] == sigma[b]:
            continue
        v, t = _compact(mesh.nodes, tri[(inner == a) & (outer == b)])
        out.append(TriangleSurface(f"{_name(a)}|{_name(b)}", v, t, sigma[a], sigma[b]))
    return tuple(out)


def _check_surface_triangles(mesh: TetMesh, tri: np.ndarray) -> None:
    if not len(mesh.triangles):
        return
    tissue_tags = mesh.surface_tags - SURFACE_OFFSET
    if not set(np.unique(tissue_tags).tolist()) <= set(SIMNIBS_TISSUES):
        bad = sorted(set(np.unique(mesh.surface_tags).tolist()))[:5]
        raise SpecFileError(
            f"SimNIBS mesh {mesh.path}: surface triangles with tags {bad}; SimNIBS tags them "
            "1000 + tissue (1001-1012)"
        )
    faces = {tuple(f) for f in np.sort(tri, axis=1).tolist()}
    on = np.array([tuple(f) in faces for f in np.sort(mesh.triangles, axis=1).tolist()])
    if not on.all():
        raise SpecFileError(
            f"SimNIBS mesh {mesh.path}: {int((~on).sum())} surface triangles do not lie between "
            "tetrahedra of different tissues (tags and tetrahedra disagree)"
        )


def _read_positions(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """10-10 positions and fiducials (m) from charm's eeg_positions CSV next to the mesh."""
    for name in EEG_POSITIONS:
        csv_path = path.parent / name
        if csv_path.exists():
            break
    else:
        return {}, {}
    positions, fiducials = {}, {}
    with open(csv_path, newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 5:
                continue
            try:
                point = np.array([float(c) for c in row[1:4]]) * MM
            except ValueError:
                continue
            kind, label = row[0].strip().lower(), row[4].strip()
            if kind == "fiducial" and label.lower() in _FIDUCIALS:
                fiducials[_FIDUCIALS[label.lower()]] = point
            elif kind in ("electrode", "referenceelectrode") and label:
                positions[label] = point
    return positions, fiducials


def _read_mni_affine(path: Path) -> np.ndarray | None:
    """MNI152 -> mesh frame (m) from charm's 12-DOF affine beside the mesh, or None."""
    affine_path = path.parent / MNI_AFFINE
    if not affine_path.exists():
        return None
    try:
        a = np.loadtxt(affine_path, dtype=float)
    except ValueError as error:
        raise SpecFileError(f"cannot read {affine_path}: {error}") from None
    if a.shape != (4, 4) or not np.all(np.isfinite(a)):
        raise SpecFileError(f"{affine_path} is not a 4 x 4 affine (MNI152 -> subject, mm)")
    a[:3, 3] *= MM
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class MeshHead(HeadModel):
    """A :class:`HeadModel` read from a SimNIBS mesh: its conductor has junctions.

    Attributes
    ----------
    interfaces : tuple of TriangleSurface
        One patch per pair of touching tissues (:func:`tissue_interfaces`).
    """

    interfaces: tuple[TriangleSurface, ...] = ()

    @cached_property
    def _conductor(self) -> Conductor:
        return Conductor(
            self.interfaces,
            name=self.name,
            label=f"SimNIBS head mesh {self.name} ({len(self.interfaces)} tissue interfaces)",
            kind="head",
            source=self.sources[0] if self.sources else None,
            assumptions=self.notes,
        )

    def position(self, label: str) -> np.ndarray:
        """The scalp point of a 10-10 label (see :meth:`HeadModel.position`).

        Parameters
        ----------
        label : str
            A 10-10 label from charm's EEG positions, e.g. ``"C3"``.

        Returns
        -------
        (3,) ndarray, m
            The point.

        Raises
        ------
        InvalidValueError
            If the mesh came without charm's EEG positions.
        """
        if not self.positions:
            raise InvalidValueError(
                f"the SimNIBS head {self.name!r} has no 10-10 positions (no "
                f"{EEG_POSITIONS[0]} beside the mesh); place the coil with --position-mni X,Y,Z"
            )
        return super().position(label)

    @property
    def conductor_note(self) -> str:
        """How the conductor is built, for a result's assumptions."""
        tissues = ", ".join(f"{c.name} ({c.conductivity:g} S/m)" for c in self.compartments)
        return (
            f"Conductor: the SimNIBS mesh's tissues {tissues}, each facet between two tissues "
            "carrying both conductivities (junctions, not nested), insulated outside."
        )


def _hemisphere(name, white_v, pial_v, normals, tri) -> Hemisphere:
    used, inverse = np.unique(tri, return_inverse=True)
    t = inverse.reshape(-1, 3)
    w, p, n = white_v[used], pial_v[used], normals[used]
    mid = 0.5 * (w + p)
    return Hemisphere(
        name,
        pial=SurfaceMesh("pial", p, t, n),
        white=SurfaceMesh("white", w, t, n),
        mid=SurfaceMesh("mid", mid, t, n),
    )


def simnibs_head(
    path: str | Path,
    conductivities: dict[int, float] | None = None,
    unit_m: float = MM,
    check: bool = True,
) -> MeshHead:
    """A SimNIBS head mesh as a :class:`MeshHead` for the ``field head`` path (module docstring).

    Parameters
    ----------
    path : str or Path
        A charm ``.msh`` (mm).
    conductivities : dict of int to float, S/m, or None
        Per tissue tag, overriding SimNIBS's defaults.
    unit_m : float, m
        The file's length unit.
    check : bool
        Check that the tissue compartments are closed and the patches consistently oriented
        (:func:`tmslab.conductors.quality.check_conductor`).

    Returns
    -------
    MeshHead
        The head, in metres in the mesh's frame.

    Raises
    ------
    SpecFileError
        See :func:`read_simnibs_mesh`; also a mesh without grey-matter surfaces (no WM|GM
        boundary or no outer GM boundary) or one whose hemispheres cannot be told apart.
    """
    from tmslab.conductors.head._mesh import vertex_normals

    mesh = read_simnibs_mesh(path, unit_m)
    path = mesh.path
    tri, inner, outer = _interface_faces(mesh)
    _check_surface_triangles(mesh, tri)
    white_tri = tri[(inner == WM) & (outer == GM)]
    pial_tri = tri[(inner == GM) & (outer != WM)]
    if not len(white_tri) or not len(pial_tri):
        missing = "WM|GM" if not len(white_tri) else "grey-matter outer (GM|CSF)"
        raise SpecFileError(
            f"SimNIBS mesh {path} has no grey-matter surfaces (no {missing} boundary between "
            "tetrahedra tagged 1 WM and 2 GM); a charm head mesh is needed"
        )
    if len(mesh.triangles) and not np.any(mesh.surface_tags == SURFACE_OFFSET + GM):
        raise SpecFileError(f"SimNIBS mesh {path} has no grey-matter surface triangles (tag 1002)")
    interfaces = tissue_interfaces(mesh, conductivities, (tri, inner, outer))
    # the cortex: WM|GM vertices moved half-way to the GM outer boundary
    white_v, white_t = _compact(mesh.nodes, white_tri)
    pial_nodes, pial_t = _compact(mesh.nodes, pial_tri)
    pial_v, _, _ = closest_points(white_v, pial_nodes, pial_t)
    normals = vertex_normals(white_v, white_t)
    centre_x = white_v[white_t].mean(axis=1)[:, 0]
    sides = {"left": white_t[centre_x < 0], "right": white_t[centre_x >= 0]}
    if not all(len(t) for t in sides.values()):
        raise SpecFileError(
            f"SimNIBS mesh {path}: all of the cortex lies at x {'>=' if len(sides['right']) else '<'} "
            "0; left and right hemispheres cannot be told apart (the head is not centred)"
        )
    hemispheres = {h: _hemisphere(h, white_v, pial_v, normals, sides[h]) for h in HEMISPHERES}
    scalp_v, scalp_t = _compact(mesh.nodes, tri[outer == AIR])
    positions, fiducials = _read_positions(path)
    present = sorted(set(np.unique(mesh.tissue).tolist()))
    sigma = {tag: value for tag, (_, value) in SIMNIBS_TISSUES.items()}
    sigma.update({int(k): float(v) for k, v in (conductivities or {}).items()})
    compartments = tuple(
        Compartment(
            SIMNIBS_TISSUES[t][0],
            "scalp",
            sigma[t],
            "SimNIBS default" if t not in (conductivities or {}) else "given",
        )
        for t in present
    )
    notes = (
        "SimNIBS mesh: the mid-cortical surface is the WM|GM boundary moved half-way to the "
        "nearest point of the grey matter's outer boundary (an approximation where sulcal banks "
        "are closer than half a cortical thickness).",
        "Hemispheres split by the sign of x (mesh frame); cerebellar cortex included.",
        "Coordinates are the mesh's subject space; MNI152 coordinates are mapped into it "
        f"with charm's 12-DOF affine ({MNI_AFFINE}) when it lies beside the mesh.",
    )
    head = MeshHead(
        name=path.stem,
        frame=f"SimNIBS subject space of {path.name}, m",
        surfaces=MappingProxyType(
            {
                "scalp": SurfaceMesh("scalp", scalp_v, scalp_t),
                "white": SurfaceMesh("white", white_v, white_t, normals),
                "gm_outer": SurfaceMesh("gm_outer", pial_nodes, pial_t),
            }
        ),
        compartments=compartments,
        hemispheres=MappingProxyType(hemispheres),
        positions=MappingProxyType(positions),
        fiducials=MappingProxyType(fiducials),
        sources=(SIMNIBS_SOURCE,),
        notes=notes,
        mni152_to_head=_read_mni_affine(path),
        interfaces=interfaces,
    )
    if check:
        from tmslab.conductors.quality import check_conductor

        check_conductor(head.conductor())
    return head


def load_head(head=None) -> HeadModel:
    """A head by name or file: ``"fsaverage"`` (also None) or a SimNIBS ``.msh``; a head passes.

    Parameters
    ----------
    head : HeadModel, str, Path or None
        The head, ``"fsaverage"`` or the path of a SimNIBS head mesh (mm).

    Returns
    -------
    HeadModel
        The head.

    Raises
    ------
    TmslabError
        For another name, or a mesh that cannot be used (:func:`simnibs_head`).
    """
    from tmslab.conductors.head.template import fsaverage_head

    if head is None or (isinstance(head, str) and head.strip().lower() == "fsaverage"):
        return fsaverage_head()
    if isinstance(head, str | Path):
        path = Path(head)
        if path.suffix.lower() != ".msh":
            raise InvalidValueError(
                f"--head {str(head)!r}: give fsaverage or a SimNIBS head mesh (.msh)"
            )
        return simnibs_head(path)
    return head
