"""The fsaverage template head, built from files that pip installs with MNE-Python and nilearn.

Everything is in FreeSurfer surface RAS of fsaverage, which is MNI305 space (fsaverage was made
from the MNI305 average, so its talairach transform is the identity), in metres:
x to the subject's right, y anterior, z superior. MNI152 coordinates differ from MNI305 by a few
millimetres; coordinates quoted in either are taken as they are.

Sources (all read from the installed packages, nothing is downloaded):

- MNE-Python (``mne/data/fsaverage/``): the scalp (``fsaverage-head.fif``, 2,033 vertices), the
  inner skull (``fsaverage-inner_skull-bem.fif``, 10,242 vertices) and the fiducials; and the
  10-05 electrode positions on the fsaverage scalp (``mne/channels/data/montages/
  fsaverage_1005.tsv``, metres). MNE-Python is BSD-3-Clause.
- nilearn (``nilearn/datasets/data/fsaverage5/``): pial and white surfaces per hemisphere
  (fsaverage5, 10,242 vertices each, GIfTI, millimetres). nilearn is BSD-3-Clause (the
  ``LICENSE`` of its distribution).
- The fsaverage subject itself comes from FreeSurfer (Fischl et al. 1999); FreeSurfer's data are
  distributed under the FreeSurfer Software License
  (https://surfer.nmr.mgh.harvard.edu/fswiki/FreeSurferSoftwareLicense). Neither package's
  distribution carries a separate licence file for the fsaverage files; both redistribute them
  inside their BSD-3-Clause packages.

The conductor is the brain compartment bounded by the inner skull (:meth:`HeadModel.conductor`):
the skull's conductivity is about 1/30 of the brain's, so the inner skull is nearly insulating
and the field in the brain of a single compartment bounded by it is the usual first
approximation (in a spherically symmetric head the skull and scalp change nothing at all). What
it leaves out is the CSF and the grey/white contrast inside the brain, which shape the field in
realistic heads (Opitz et al. 2011, NeuroImage 58:849-859). A skull/scalp compartment would need
an outer-skull surface, which the pip-installed files do not contain (MNE ships it in the
downloadable three-layer BEM only), so it is not built here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np

from tmslab.conductors.head._mesh import vertex_normals
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError
from tmslab.geometry import directed_edges
from tmslab.sources import Source
from tmslab.units import MM

__all__ = [
    "FSAVERAGE_SOURCES",
    "Compartment",
    "HeadModel",
    "Hemisphere",
    "SurfaceMesh",
    "UnknownPositionError",
    "fsaverage_head",
]

FRAME = "fsaverage surface RAS (MNI305), m"
# MNI152 -> MNI305 (fsaverage), mm: FreeSurfer's CoordinateSystems wiki, case 8b, the inverse of
# $FREESURFER_HOME/average/mni152.register.dat; (10, -20, 35) -> (9.3131, -21.5849, 33.8345).
# Published MNI coordinates (SPM, FSL, the TMS target literature) are MNI152; fsaverage is
# MNI305, about 2-4 mm away, so coordinates are converted, not used as given.
MNI152_TO_MNI305_MM = np.array(
    [
        [1.0022, 0.0071, -0.0177, 0.0528],
        [-0.0146, 0.9990, 0.0027, -1.5519],
        [0.0129, 0.0094, 1.0027, -1.2012],
        [0.0, 0.0, 0.0, 1.0],
    ]
)
MNI152_SOURCE = Source(
    "FreeSurfer CoordinateSystems (surfer.nmr.mgh.harvard.edu/fswiki/CoordinateSystems, 8b); "
    "Wu et al. 2018, Hum Brain Mapp 39:3793-3808 on the MNI152/MNI305 difference",
    "10.1002/hbm.24213",
    "The linear MNI152 -> MNI305 transform FreeSurfer derives from mni152.register.dat.",
)
HEMISPHERES = ("left", "right")
# Pial and white (nearly) coincide on the medial wall: about 6 % of fsaverage5's vertices fall
# below 1 mm, where real cortex is 1.5-4.5 mm thick. Vertices at the wall's rim can be thicker.
MEDIAL_WALL_THICKNESS_M = 1.0 * MM

FSAVERAGE_SOURCES = (
    Source(
        "MNE-Python (Gramfort et al. 2013, Front Neurosci 7:267), mne/data/fsaverage and "
        "mne/channels/data/montages/fsaverage_1005.tsv; BSD-3-Clause",
        "10.3389/fnins.2013.00267",
        "Scalp (fsaverage-head.fif), inner skull (fsaverage-inner_skull-bem.fif), fiducials "
        "and the 10-05 positions on the fsaverage scalp (the montage 'fsaverage_1005').",
    ),
    Source(
        "nilearn (Abraham et al. 2014, Front Neuroinform 8:14), "
        "nilearn/datasets/data/fsaverage5; BSD-3-Clause",
        "10.3389/fninf.2014.00014",
        "Pial and white surfaces of each hemisphere on fsaverage5 (10,242 vertices), mm.",
    ),
    Source(
        "Fischl, Sereno, Tootell & Dale 1999, Hum Brain Mapp 8:272-284 (fsaverage, FreeSurfer)",
        "10.1002/(SICI)1097-0193(1999)8:4<272::AID-HBM10>3.0.CO;2-4",
        "The template subject; FreeSurfer Software License "
        "(https://surfer.nmr.mgh.harvard.edu/fswiki/FreeSurferSoftwareLicense).",
    ),
)


class UnknownPositionError(UnknownNameError):
    """A 10-05 label that the template does not have; the message lists close matches."""

    def __init__(self, name: str, known) -> None:
        known = list(known)
        close = difflib.get_close_matches(str(name), known, n=5, cutoff=0.5)
        close += [k for k in known if k.lower() == str(name).lower() and k not in close]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        # One line; the full list is long (about 340 labels).
        Exception.__init__(
            self,
            f"unknown 10-05 position {name!r}{hint} (known: {len(known)} labels such as "
            "Fz, Cz, F3, C3, Oz; see HeadModel.positions)",
        )


def _readonly(a, dtype) -> np.ndarray:
    out = np.array(a, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class SurfaceMesh:
    """One triangulated surface of the head.

    Attributes
    ----------
    name : str
        E.g. ``"scalp"``, ``"inner_skull"``, ``"pial"``, ``"white"``, ``"mid"``.
    vertices : (N, 3) ndarray, m
        Vertices.
    triangles : (M, 3) ndarray of int
        Vertex indices, counter-clockwise seen from outside.
    normals : (N, 3) ndarray, dimensionless
        Outward unit vertex normals (area-weighted).
    """

    name: str
    vertices: np.ndarray
    triangles: np.ndarray
    normals: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        v = _readonly(self.vertices, float)
        t = _readonly(self.triangles, np.int64)
        object.__setattr__(self, "vertices", v)
        object.__setattr__(self, "triangles", t)
        n = vertex_normals(v, t) if self.normals is None else self.normals
        object.__setattr__(self, "normals", _readonly(n, float))

    @property
    def n_vertices(self) -> int:
        return len(self.vertices)

    def triangle_surface(self, sigma_in: float, sigma_out: float = 0.0) -> TriangleSurface:
        """This surface as a conductor interface.

        Parameters
        ----------
        sigma_in, sigma_out : float, S/m
            Conductivity inside and outside.

        Returns
        -------
        TriangleSurface
            Sharing vertices and triangles.
        """
        return TriangleSurface(self.name, self.vertices, self.triangles, sigma_in, sigma_out)


@dataclass(frozen=True, eq=False)
class Hemisphere:
    """The cortex of one hemisphere: pial, white and mid-cortical surfaces (same topology).

    Attributes
    ----------
    name : str
        ``"left"`` or ``"right"``.
    pial, white : SurfaceMesh
        The grey-matter/CSF and grey/white-matter boundaries.
    mid : SurfaceMesh
        Vertex-wise half-way between pial and white; its ``normals`` point out of the cortex
        (towards the pial surface and the scalp).
    """

    name: str
    pial: SurfaceMesh
    white: SurfaceMesh
    mid: SurfaceMesh

    @property
    def thickness(self) -> np.ndarray:
        """(N,) ndarray, m: vertex-wise distance between pial and white."""
        return np.linalg.norm(self.pial.vertices - self.white.vertices, axis=1)

    @property
    def medial_wall(self) -> np.ndarray:
        """(N,) ndarray of bool: vertices of the medial wall, where FreeSurfer closes the surface
        across the midline and pial and white (nearly) coincide (thickness below 1 mm; cortex is thicker)."""
        return self.thickness < MEDIAL_WALL_THICKNESS_M


@dataclass(frozen=True)
class Compartment:
    """One homogeneous conductor compartment.

    Attributes
    ----------
    name : str
        E.g. ``"brain"``.
    surface : str
        The name of the surface bounding it (a key of :attr:`HeadModel.surfaces`).
    conductivity : float, S/m
        Its conductivity.
    note : str
        Why it is modelled so.
    """

    name: str
    surface: str
    conductivity: float
    note: str = ""


@dataclass(frozen=True, eq=False)
class HeadModel:
    """A realistic head: surfaces, conductor compartments, cortex and 10-05 positions.

    Attributes
    ----------
    name : str
        ``"fsaverage"``.
    frame : str
        The coordinate frame (metres).
    surfaces : Mapping of str to SurfaceMesh
        ``"scalp"`` and ``"inner_skull"``; closed and outward-oriented.
    compartments : tuple of Compartment
        From the inside out; the conductor is built from these.
    hemispheres : Mapping of str to Hemisphere
        ``"left"`` and ``"right"``.
    positions : Mapping of str to (3,) ndarray, m
        10-05 electrode positions on the scalp (label -> point).
    fiducials : Mapping of str to (3,) ndarray, m
        ``"LPA"``, ``"nasion"``, ``"RPA"``.
    sources : tuple of Source
        Where the data come from, with licences.
    notes : tuple of str
        Modelling choices.
    mni152_to_head : (4, 4) ndarray or None, m
        Affine from MNI152 coordinates to the head's frame (None: MNI coordinates cannot be
        placed on this head, e.g. a subject's mesh without a registration).
    """

    name: str
    frame: str
    surfaces: Mapping[str, SurfaceMesh]
    compartments: tuple[Compartment, ...]
    hemispheres: Mapping[str, Hemisphere]
    positions: Mapping[str, np.ndarray]
    fiducials: Mapping[str, np.ndarray]
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()
    mni152_to_head: np.ndarray | None = None

    def from_mni152(self, points_m) -> np.ndarray:
        """MNI152 coordinates (as published) in the head's frame.

        Parameters
        ----------
        points_m : (3,) or (N, 3) array_like, m
            MNI152 coordinates.

        Returns
        -------
        (3,) or (N, 3) ndarray, m
            The same points in the head's frame (fsaverage: MNI305).

        Raises
        ------
        InvalidValueError
            If the head has no MNI152 registration.
        """
        if self.mni152_to_head is None:
            raise InvalidValueError(
                f"the head {self.name!r} has no MNI152 registration, so MNI coordinates cannot "
                "be placed on it; give a 10-05 position or a point in the head's own frame"
            )
        p = np.asarray(points_m, dtype=float)
        a = self.mni152_to_head
        return p @ a[:3, :3].T + a[:3, 3]

    @property
    def scalp(self) -> SurfaceMesh:
        """The scalp surface."""
        return self.surfaces["scalp"]

    def position(self, label: str) -> np.ndarray:
        """The scalp point of a 10-05 label (case-insensitive).

        Parameters
        ----------
        label : str
            E.g. ``"F3"``, ``"C3"``, ``"Cz"``, ``"FCC3h"``.

        Returns
        -------
        (3,) ndarray, m
            The point on the scalp.

        Raises
        ------
        UnknownPositionError
            If the label is not a 10-05 position of the template; lists close matches.
        """
        if label in self.positions:
            return self.positions[label]
        folded = {k.lower(): k for k in self.positions}
        key = folded.get(str(label).strip().lower())
        if key is None:
            raise UnknownPositionError(label, self.positions)
        return self.positions[key]

    def conductor(self) -> Conductor:
        """The conductor for the E-field solver: the compartments, nested, insulated outside.

        Returns
        -------
        Conductor
            Kind ``"head"``; one surface per compartment, conductivity outside the outermost 0.
            The same object on every call (its triangle arrays are computed once).
        """
        return self._conductor

    @cached_property
    def _conductor(self) -> Conductor:
        surfaces = []
        for k, comp in enumerate(self.compartments):
            outside = (
                self.compartments[k + 1].conductivity if k + 1 < len(self.compartments) else 0.0
            )
            surfaces.append(
                self.surfaces[comp.surface].triangle_surface(comp.conductivity, outside)
            )
        return Conductor(
            tuple(surfaces),
            name=self.name,
            label=f"{self.name} template head ({', '.join(c.name for c in self.compartments)})",
            kind="head",
            source=self.sources[0] if self.sources else None,
            assumptions=self.notes,
        )

    def cortex(self, which: str = "mid") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One cortical surface of both hemispheres, stacked left then right.

        Parameters
        ----------
        which : str
            ``"mid"``, ``"pial"`` or ``"white"``.

        Returns
        -------
        vertices : (N, 3) ndarray, m
            Left hemisphere's vertices first.
        triangles : (M, 3) ndarray of int
            Into the stacked vertices.
        normals : (N, 3) ndarray, dimensionless
            Outward unit normals.
        """
        if which not in ("mid", "pial", "white"):
            raise InvalidValueError(f"cortical surface {which!r}; choose mid, pial or white")
        meshes = [getattr(self.hemispheres[h], which) for h in HEMISPHERES]
        offset = np.cumsum([0] + [m.n_vertices for m in meshes[:-1]])
        return (
            np.concatenate([m.vertices for m in meshes]),
            np.concatenate([m.triangles + o for m, o in zip(meshes, offset, strict=True)]),
            np.concatenate([m.normals for m in meshes]),
        )


def _site_packages_file(package: str, relative: str) -> Path:
    try:
        path = Path(str(resources.files(package).joinpath(relative)))
    except ModuleNotFoundError as error:
        raise SpecFileError(
            f"the fsaverage head needs the {package!r} package; pip install mne nilearn"
        ) from error
    if not path.is_file():
        raise SpecFileError(f"{package} does not contain {relative}; reinstall {package}")
    return path


def _read_fif_surface(path: Path, name: str) -> SurfaceMesh:
    import mne  # slow import: only when the head is built

    (surf,) = mne.read_bem_surfaces(path, verbose=False)
    return _outward(SurfaceMesh(name, surf["rr"], surf["tris"]))


def _outward(mesh: SurfaceMesh) -> SurfaceMesh:
    c = mesh.vertices[mesh.triangles]
    volume = np.einsum("ij,ij->i", c[:, 0], np.cross(c[:, 1], c[:, 2])).sum() / 6.0
    if volume < 0:
        return SurfaceMesh(mesh.name, mesh.vertices, mesh.triangles[:, ::-1])
    return mesh


_UNFOLD_RADIUS_M = 20 * MM  # triangles checked while smoothing a fold: those this near it


def _unfold(mesh: SurfaceMesh, max_rounds: int = 200) -> tuple[SurfaceMesh, int, float]:
    """``mesh`` with its self-intersections smoothed away; (mesh, vertices moved, max shift m).

    MNE's fsaverage inner skull crosses itself (86 triangle pairs in two patches at the floor of
    the middle cranial fossae, z -49 to -41 mm; docs/validation-head.md), which neither a BEM
    nor a volume mesher can represent: each round moves the vertices of the
    crossing triangles and their neighbours half-way to their neighbours' mean (Laplacian
    smoothing), until no pair crosses. The rest of the surface is untouched.
    """
    from scipy.sparse import coo_matrix
    from scipy.spatial import cKDTree

    from tmslab.conductors.quality import find_intersections

    tri = mesh.triangles
    n = mesh.n_vertices
    edges = directed_edges(tri)
    adjacency = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    adjacency = ((adjacency + adjacency.T) > 0).astype(float).tocsr()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    v = mesh.vertices.copy()
    moved = np.zeros(n, dtype=bool)
    hits = find_intersections(v[tri], tri)
    rounds = 0
    while len(hits):
        # smooth, checking only the triangles near the folds (vertices move by about a mm),
        # then the whole surface again
        gap, _ = cKDTree(v[tri[hits].ravel()]).query(v[tri].mean(axis=1))
        near = gap < _UNFOLD_RADIUS_M
        local = tri[near]
        hits = find_intersections(v[local], local)
        while len(hits):
            rounds += 1
            if rounds > max_rounds:
                raise SpecFileError(
                    f"the {mesh.name} surface still crosses itself after {max_rounds} "
                    "smoothing rounds"
                )
            region = np.zeros(n, dtype=bool)
            region[local[hits].ravel()] = True
            region |= adjacency @ region > 0  # and their neighbours
            mean = (adjacency @ v) / degree[:, None]
            v[region] += 0.5 * (mean[region] - v[region])
            moved |= region
            hits = find_intersections(v[local], local)
        hits = find_intersections(v[tri], tri)
    shift = float(np.linalg.norm(v - mesh.vertices, axis=1).max())
    return SurfaceMesh(mesh.name, v, tri), int(moved.sum()), shift


def _read_gifti(path: Path, name: str) -> SurfaceMesh:
    import nibabel as nib

    image = nib.load(path)
    pointset = image.get_arrays_from_intent("NIFTI_INTENT_POINTSET")[0].data
    triangles = image.get_arrays_from_intent("NIFTI_INTENT_TRIANGLE")[0].data
    return _outward(SurfaceMesh(name, np.asarray(pointset, float) * MM, triangles))


def _read_positions(path: Path) -> dict[str, np.ndarray]:
    rows = path.read_text().splitlines()
    header = rows[0].split("\t")
    if header[:4] != ["label", "x", "y", "z"]:
        raise SpecFileError(f"{path}: expected columns label, x, y, z; got {header}")
    out = {}
    for row in rows[1:]:
        if row.strip():
            label, *xyz = row.split("\t")
            out[label] = _readonly([float(v) for v in xyz[:3]], float)
    return out


def _read_fiducials(path: Path) -> dict[str, np.ndarray]:
    import mne

    points, _ = mne.io.read_fiducials(path, verbose=False)
    names = {1: "LPA", 2: "nasion", 3: "RPA"}  # FIFFV_POINT_LPA/NASION/RPA
    return {names[int(p["ident"])]: _readonly(p["r"], float) for p in points}


@cache
def fsaverage_head() -> HeadModel:
    """The fsaverage template head (cached; about 2 s the first time).

    Returns
    -------
    HeadModel
        Scalp, inner skull, brain compartment, fsaverage5 cortex of both hemispheres and the
        10-05 positions projected onto the scalp mesh, in metres (fsaverage surface RAS).

    Raises
    ------
    SpecFileError
        If MNE-Python or nilearn (or their data files) are missing.
    """
    from tmslab.conductors.head._mesh import closest_points
    from tmslab.conductors.mesh_io import simnibs_tissues

    fs = "data/fsaverage/"
    scalp = _read_fif_surface(_site_packages_file("mne", fs + "fsaverage-head.fif"), "scalp")
    inner, n_moved, shift = _unfold(
        _read_fif_surface(
            _site_packages_file("mne", fs + "fsaverage-inner_skull-bem.fif"), "inner_skull"
        )
    )
    fiducials = _read_fiducials(_site_packages_file("mne", fs + "fsaverage-fiducials.fif"))
    raw = _read_positions(_site_packages_file("mne", "channels/data/montages/fsaverage_1005.tsv"))
    # The montage lists the fiducials too (LPA, RPA, NAS, INI: kept, they are scalp points).
    labels = list(raw)
    on_scalp, _, offset = closest_points(
        np.array([raw[k] for k in labels]), scalp.vertices, scalp.triangles
    )
    positions = {k: _readonly(p, float) for k, p in zip(labels, on_scalp, strict=True)}

    hemispheres = {}
    base = "datasets/data/fsaverage5/"
    for hemi in HEMISPHERES:
        pial = _read_gifti(_site_packages_file("nilearn", f"{base}pial_{hemi}.gii.gz"), "pial")
        white = _read_gifti(_site_packages_file("nilearn", f"{base}white_{hemi}.gii.gz"), "white")
        mid = SurfaceMesh("mid", 0.5 * (pial.vertices + white.vertices), pial.triangles)
        hemispheres[hemi] = Hemisphere(hemi, pial, white, _outward(mid))

    gm = dict(simnibs_tissues().values())["gm"]
    compartments = (
        Compartment(
            "brain",
            "inner_skull",
            gm,
            "Bounded by the inner skull and insulated outside (the skull conducts about 1/30 "
            "as well as the brain); SimNIBS's grey-matter conductivity, which does not change "
            "the field of a single compartment.",
        ),
    )
    notes = (
        "Frame: fsaverage surface RAS = MNI305, metres; MNI coordinates (MNI152, as "
        "published) are converted with FreeSurfer's linear MNI152 -> MNI305 transform.",
        "One compartment, the brain inside the inner skull; no skull or scalp compartment "
        "(the pip-installed files have no outer-skull surface).",
        f"10-05 positions projected onto the scalp mesh (moved by at most "
        f"{offset.max() / MM:.1f} mm).",
        "Mid-cortical surface: vertex-wise mean of the fsaverage5 pial and white surfaces.",
        f"The inner skull as MNE ships it crosses itself at the floor of both middle cranial fossae; {n_moved} "
        f"vertices there were smoothed (moved by at most {shift / MM:.1f} mm) until it does not.",
    )
    return HeadModel(
        name="fsaverage",
        frame=FRAME,
        surfaces=MappingProxyType({"scalp": scalp, "inner_skull": inner}),
        compartments=compartments,
        hemispheres=MappingProxyType(hemispheres),
        positions=MappingProxyType(positions),
        fiducials=MappingProxyType(fiducials),
        sources=(*FSAVERAGE_SOURCES, MNI152_SOURCE),
        notes=notes,
        mni152_to_head=_mni152_to_mni305_m(),
    )


def _mni152_to_mni305_m() -> np.ndarray:
    """:data:`MNI152_TO_MNI305_MM` acting on metres (the translation scaled)."""
    a = MNI152_TO_MNI305_MM.copy()
    a[:3, 3] *= MM
    a.setflags(write=False)
    return a
