"""Surface values as GIfTI files, readable by FreeSurfer, SimNIBS, nilearn and Connectome Workbench.

:func:`write_gifti` writes two files: the surface (``NAME.surf.gii``: a pointset in mm, as those
tools expect, and the triangles) and the values on it (``NAME.func.gii``: one float32 data array
per quantity, its name and unit in the array's metadata). Inside tmslab vertices are in m; the
readers convert back.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.units import MM, MM_PER_M

SURFACE_SUFFIX = ".surf.gii"
MIN_SURFACE_SIZE_M = 5 * MM  # as for meshes (conductors.mesh_io): smaller is a unit slip
MAX_SURFACE_SIZE_M = 1.0
DATA_SUFFIX = ".func.gii"
# Metadata keys of each data array; "Name" is the key GIfTI tools show as the array's name.
NAME_KEY = "Name"
UNIT_KEY = "Unit"


def _surface_path(path: str | Path) -> Path:
    path = Path(path)
    if not path.name.lower().endswith(SURFACE_SUFFIX) or len(path.name) == len(SURFACE_SUFFIX):
        raise InvalidValueError(
            f"GIfTI surface {str(path)!r}: give a file ending in {SURFACE_SUFFIX}"
        )
    return path


def data_path_for(surface_path: str | Path) -> Path:
    """The data file written beside a surface file: ``NAME.surf.gii`` -> ``NAME.func.gii``.

    Parameters
    ----------
    surface_path : str or Path
        A file ending in ``.surf.gii``.

    Returns
    -------
    Path
        The sibling ending in ``.func.gii``.
    """
    path = _surface_path(surface_path)
    return path.with_name(path.name[: -len(SURFACE_SUFFIX)] + DATA_SUFFIX)


def _mesh(vertices_m: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices as float32 mm and triangles as int32, checked."""
    vertices = np.asarray(vertices_m, dtype=float)
    if vertices.ndim != 2 or vertices.shape[1] != 3 or len(vertices) < 3:
        raise InvalidValueError(
            f"GIfTI vertices: expected an (N, 3) array in m with N >= 3, got shape {vertices.shape}"
        )
    with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
        vertices_mm = (vertices * MM_PER_M).astype(np.float32)
    if not np.all(np.isfinite(vertices_mm)):
        raise InvalidValueError("GIfTI vertices: NaN, infinite or too large (> 3e35 mm) values")
    faces = np.asarray(triangles)
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) < 1:
        raise InvalidValueError(
            f"GIfTI triangles: expected an (M, 3) array of vertex indices, got shape {faces.shape}"
        )
    if not np.issubdtype(faces.dtype, np.integer):
        raise InvalidValueError(f"GIfTI triangles: expected integer indices, got {faces.dtype}")
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise InvalidValueError(
            f"GIfTI triangles: indices must be in 0..{len(vertices) - 1}, "
            f"got {faces.min()}..{faces.max()}"
        )
    return vertices_mm, faces.astype(np.int32)


def _quantities(
    data: Mapping[str, np.ndarray], units: Mapping[str, str], n: int
) -> list[tuple[str, str, np.ndarray]]:
    """(name, unit, float32 values) per quantity, checked against the N vertices."""
    quantities = []
    for name, values in data.items():
        if not isinstance(name, str) or not name.strip():
            raise InvalidValueError(f"GIfTI data: quantity name {name!r} must be a non-empty text")
        unit = units.get(name)
        if not isinstance(unit, str) or not unit.strip():
            raise InvalidValueError(f"GIfTI data {name!r}: give its unit in units[{name!r}]")
        array = np.asarray(values, dtype=float)
        if array.shape not in ((n,), (n, 3)):
            raise InvalidValueError(
                f"GIfTI data {name!r}: expected shape ({n},) or ({n}, 3) for {n} vertices, "
                f"got {array.shape}"
            )
        with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
            array = array.astype(np.float32)
        if not np.all(np.isfinite(array)):
            raise InvalidValueError(
                f"GIfTI data {name!r}: NaN, infinite or too large (> 3e38) values"
            )
        quantities.append((name, unit, array))
    return quantities


def write_gifti(
    path: str | Path,
    vertices_m: np.ndarray,
    triangles: np.ndarray,
    data: Mapping[str, np.ndarray],
    units: Mapping[str, str],
) -> tuple[Path, Path]:
    """Write a surface GIfTI and, beside it, a data GIfTI of the values on its vertices.

    Each file is written atomically (a temporary sibling renamed into place).

    Parameters
    ----------
    path : str or Path
        The surface file, ending in ``.surf.gii``; the data file is ``NAME.func.gii`` beside it.
    vertices_m : (N, 3) ndarray, m
        Vertex positions; stored as float32 mm (NIFTI_INTENT_POINTSET).
    triangles : (M, 3) ndarray of int
        Vertex indices of each triangle (NIFTI_INTENT_TRIANGLE).
    data : mapping of str to (N,) or (N, 3) ndarray, units of ``units``
        Quantity name -> values at the vertices (SI inside tmslab); one float32 data array each
        (NIFTI_INTENT_NONE for (N,), NIFTI_INTENT_VECTOR for (N, 3)), in the mapping's order.
    units : mapping of str to str
        Quantity name -> its unit (``"V/m"``), stored in the array's metadata.

    Returns
    -------
    tuple of Path
        The surface file and the data file.

    Raises
    ------
    InvalidValueError
        A path not ending in ``.surf.gii``, a wrong shape, NaN or a missing unit.
    """
    import nibabel as nib

    from tmslab.provenance import atomic_write

    surface_path = _surface_path(path)
    vertices_mm, faces = _mesh(vertices_m, triangles)
    quantities = _quantities(data, units, len(vertices_mm))
    surface = nib.gifti.GiftiImage(
        darrays=[
            nib.gifti.GiftiDataArray(
                vertices_mm, intent="NIFTI_INTENT_POINTSET", datatype="NIFTI_TYPE_FLOAT32"
            ),
            nib.gifti.GiftiDataArray(
                faces, intent="NIFTI_INTENT_TRIANGLE", datatype="NIFTI_TYPE_INT32"
            ),
        ]
    )
    values = nib.gifti.GiftiImage(
        darrays=[
            nib.gifti.GiftiDataArray(
                array,
                intent="NIFTI_INTENT_VECTOR" if array.ndim == 2 else "NIFTI_INTENT_NONE",
                datatype="NIFTI_TYPE_FLOAT32",
                meta=nib.gifti.GiftiMetaData({NAME_KEY: name, UNIT_KEY: unit}),
            )
            for name, unit, array in quantities
        ]
    )
    # Serialised here and written as bytes: nibabel picks a format by suffix, and the
    # temporary file of atomic_write ends in .part.
    surface_bytes = surface.to_xml()
    values_bytes = values.to_xml()
    data_path = data_path_for(surface_path)
    atomic_write(surface_path, lambda tmp: tmp.write_bytes(surface_bytes))
    atomic_write(data_path, lambda tmp: tmp.write_bytes(values_bytes))
    return surface_path, data_path


def _load(path: str | Path, kind: str):
    """The GIfTI image at ``path``; a missing or malformed file is a one-line SpecFileError."""
    from xml.parsers.expat import ExpatError

    import nibabel as nib
    from nibabel.filebasedimages import ImageFileError

    path = Path(path)
    if not path.name.lower().endswith((".gii", ".gii.gz")):  # gzipped as nilearn ships them
        raise SpecFileError(f"{kind} {path}: expected a GIfTI file ending in .gii or .gii.gz")
    try:
        image = nib.load(path)
    except FileNotFoundError:
        raise SpecFileError(f"{kind} {path} not found") from None
    except OSError as error:
        raise SpecFileError(f"cannot read {kind} {path}: {error.strerror or error}") from None
    except (ExpatError, ImageFileError, ValueError, TypeError, KeyError) as error:
        # Malformed XML is an ExpatError; bad content, whatever nibabel's checks raise.
        raise SpecFileError(f"{kind} {path} is not a valid GIfTI file: {error}") from None
    if not isinstance(image, nib.gifti.GiftiImage):
        raise SpecFileError(f"{kind} {path} is not a GIfTI file")
    return image


def read_gifti_surface(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read the surface of a GIfTI file (pointset in mm, as :func:`write_gifti` writes it).

    Parameters
    ----------
    path : str or Path
        A ``.gii`` file with one NIFTI_INTENT_POINTSET and one NIFTI_INTENT_TRIANGLE array.

    Returns
    -------
    vertices_m : (N, 3) ndarray, m
        Vertex positions.
    triangles : (M, 3) ndarray of int
        Vertex indices of each triangle.

    Raises
    ------
    SpecFileError
        A missing, unreadable or malformed file, or one without exactly one surface.
    """
    image = _load(path, "GIfTI surface")
    points = image.get_arrays_from_intent("NIFTI_INTENT_POINTSET")
    faces = image.get_arrays_from_intent("NIFTI_INTENT_TRIANGLE")
    if len(points) != 1 or len(faces) != 1:
        raise SpecFileError(
            f"GIfTI surface {path}: expected one pointset and one triangle array, "
            f"found {len(points)} and {len(faces)}"
        )
    vertices = np.asarray(points[0].data, dtype=float)
    triangles = np.asarray(faces[0].data, dtype=np.int64)
    if (
        vertices.ndim != 2
        or vertices.shape[1] != 3
        or triangles.ndim != 2
        or triangles.shape[1] != 3
    ):
        raise SpecFileError(
            f"GIfTI surface {path}: expected (N, 3) vertices and (M, 3) triangles, "
            f"got {vertices.shape} and {triangles.shape}"
        )
    if len(triangles) and (triangles.min() < 0 or triangles.max() >= len(vertices)):
        raise SpecFileError(
            f"GIfTI surface {path}: triangle indices outside 0..{len(vertices) - 1}"
        )
    size_m = float(np.ptp(vertices, axis=0).max()) * MM if len(vertices) else 0.0
    if not MIN_SURFACE_SIZE_M <= size_m <= MAX_SURFACE_SIZE_M:
        # GIfTI pointsets are in mm (FreeSurfer, SimNIBS, nilearn); metres read as mm would
        # give a head 1000 times too small without a word
        raise SpecFileError(
            f"GIfTI surface {path} is {size_m / MM:.4g} mm across read in mm; a surface under "
            f"{MIN_SURFACE_SIZE_M / MM:g} mm or over {MAX_SURFACE_SIZE_M:g} m across is most "
            "likely written in another unit (GIfTI pointsets are in mm)"
        )
    return vertices * MM, triangles


def read_gifti_data(path: str | Path) -> dict[str, np.ndarray]:
    """Read the data arrays of a GIfTI file, by the name in each array's metadata.

    Parameters
    ----------
    path : str or Path
        A ``.gii`` file, e.g. the ``.func.gii`` of :func:`write_gifti`.

    Returns
    -------
    dict of str to (N,) or (N, 3) ndarray, the unit in the file's metadata
        Quantity name -> float64 values, in the file's order; an array without a
        name is called ``array<i>`` (its position).

    Raises
    ------
    SpecFileError
        A missing, unreadable or malformed file, or two arrays of the same name.
    """
    image = _load(path, "GIfTI data")
    values: dict[str, np.ndarray] = {}
    for index, array in enumerate(image.darrays):
        name = array.meta.get(NAME_KEY) or f"array{index}"
        if name in values:
            raise SpecFileError(f"GIfTI data {path}: two arrays are called {name!r}")
        values[name] = np.asarray(array.data, dtype=float)
    return values
