"""Values on a voxel grid as NIfTI-1 files (``.nii``, ``.nii.gz``), as neuroimaging tools read them.

The voxel-to-world affine is in mm, the NIfTI convention (and the header says so in its xyzt
units); the values are float32, their unit in the header's description field. NaN marks voxels
without a value (outside the head), as in :func:`tmslab.io.fields.grid_dataset`.

Values on a cortical surface go onto the MNI152 grid (:func:`mni152_grid`, the grid of
nilearn's ``load_mni152_template``) with :func:`surface_values_on_grid` /
:func:`write_surface_nifti`: each voxel whose centre lies within ``max_distance_m`` (3 mm) of a
surface vertex takes the value of the nearest vertex; the others are NaN.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError

NIFTI_SUFFIXES = (".nii", ".nii.gz")
# nilearn's copy of the MNI152 (ICBM 2009a, symmetric) T1 template, 1 mm; its grid defines ours.
MNI152_PACKAGE, MNI152_FILE = (
    "nilearn",
    "datasets/data/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz",
)
MNI152_RESOLUTION_MM = 2.0
# A voxel within this of a cortex vertex takes its value: the mean edge of the fsaverage5 mid
# surface (3 mm) covers the voxels of the cortical ribbon (2-3 mm thick) around it.
SURFACE_SAMPLING_DISTANCE_M = 3e-3
# The header's description field holds 80 bytes, the last a terminating NUL.
_DESCRIP_BYTES = 79


def _suffix_ok(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) and len(name) > len(s) for s in NIFTI_SUFFIXES)


def _check_affine(affine_mm: np.ndarray) -> np.ndarray:
    affine = np.asarray(affine_mm, dtype=float)
    if affine.shape != (4, 4) or not np.all(np.isfinite(affine)):
        raise InvalidValueError(
            f"NIfTI affine: expected a finite (4, 4) array in mm, got shape {affine.shape}"
        )
    if not np.array_equal(affine[3], [0.0, 0.0, 0.0, 1.0]):
        raise InvalidValueError(f"NIfTI affine: the last row must be 0 0 0 1, got {affine[3]}")
    if np.linalg.matrix_rank(affine[:3, :3]) < 3:
        raise InvalidValueError("NIfTI affine: the 3x3 part is singular (voxels of no volume)")
    return affine


def write_nifti(path: str | Path, values: np.ndarray, affine_mm: np.ndarray, unit: str) -> Path:
    """Write values on a voxel grid as a NIfTI-1 file, atomically.

    Parameters
    ----------
    path : str or Path
        A file ending in ``.nii`` or ``.nii.gz`` (gzip-compressed).
    values : (X, Y, Z) or (X, Y, Z, 3) ndarray, ``unit``
        A scalar or a vector per voxel, in ``unit``; stored as float32. NaN marks voxels
        without a value; infinite values are refused.
    affine_mm : (4, 4) ndarray, mm
        Voxel indices -> world coordinates (sform, as nibabel writes it).
    unit : str
        The values' unit (``"V/m"``), stored in the header's description field (ASCII,
        at most 79 characters).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    InvalidValueError
        A wrong suffix, shape, affine or unit, or infinite values.
    """
    import nibabel as nib

    from tmslab.provenance import atomic_write

    path = Path(path)
    if not _suffix_ok(path):
        raise InvalidValueError(
            f"NIfTI file {str(path)!r}: give a file ending in {' or '.join(NIFTI_SUFFIXES)}"
        )
    array = np.asarray(values, dtype=float)
    if array.ndim not in (3, 4) or (array.ndim == 4 and array.shape[3] != 3) or array.size == 0:
        raise InvalidValueError(
            f"NIfTI values: expected shape (X, Y, Z) or (X, Y, Z, 3), got {array.shape}"
        )
    with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
        array = array.astype(np.float32)
    if np.any(np.isinf(array)):
        raise InvalidValueError("NIfTI values: infinite or too large (> 3e38) values")
    affine = _check_affine(affine_mm)
    if not isinstance(unit, str) or not unit.strip() or not unit.isascii():
        raise InvalidValueError(f"NIfTI unit {unit!r}: give the values' unit as ASCII text")
    if len(unit) > _DESCRIP_BYTES:
        raise InvalidValueError(
            f"NIfTI unit {unit[:20]!r}...: at most {_DESCRIP_BYTES} characters fit the header"
        )
    image = nib.Nifti1Image(array, affine)
    image.header.set_xyzt_units(xyz="mm")
    image.header["descrip"] = unit.encode("ascii")
    # Serialised here and written as bytes: nibabel picks a format by suffix, and the
    # temporary file of atomic_write ends in .part. mtime=0: the same values, the same bytes.
    payload = image.to_bytes()
    if path.name.lower().endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    return atomic_write(path, lambda tmp: tmp.write_bytes(payload))


def read_nifti(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a NIfTI file: its values and voxel-to-world affine.

    Parameters
    ----------
    path : str or Path
        A ``.nii`` or ``.nii.gz`` file with 3-D values or 4-D values of 3 components.

    Returns
    -------
    values : (X, Y, Z) or (X, Y, Z, 3) ndarray, the unit in the header's description
        The values (float64, scaling applied), in the unit the file's description names.
    affine : (4, 4) ndarray, mm
        Voxel indices -> world coordinates.

    Raises
    ------
    SpecFileError
        A missing, unreadable or malformed file, or values of another shape.
    """
    import nibabel as nib
    from nibabel.filebasedimages import ImageFileError

    path = Path(path)
    if not _suffix_ok(path):
        raise SpecFileError(
            f"NIfTI file {path}: expected a file ending in {' or '.join(NIFTI_SUFFIXES)}"
        )
    try:
        image = nib.load(path)
        values = np.asarray(image.get_fdata(), dtype=float)
    except FileNotFoundError:
        raise SpecFileError(f"NIfTI file {path} not found") from None
    except (EOFError, ImageFileError, ValueError) as error:
        # A truncated or corrupt file (a corrupt .gz is an OSError, reported below).
        raise SpecFileError(f"NIfTI file {path} is not a valid NIfTI file: {error}") from None
    except OSError as error:
        raise SpecFileError(f"cannot read NIfTI file {path}: {error.strerror or error}") from None
    if values.ndim not in (3, 4) or (values.ndim == 4 and values.shape[3] != 3):
        raise SpecFileError(
            f"NIfTI file {path}: expected values of shape (X, Y, Z) or (X, Y, Z, 3), "
            f"got {values.shape}"
        )
    return values, np.asarray(image.affine, dtype=float)


def mni152_grid(
    resolution_mm: float = MNI152_RESOLUTION_MM,
) -> tuple[tuple[int, int, int], np.ndarray]:
    """The MNI152 voxel grid at a resolution, as nilearn's ``load_mni152_template`` builds it.

    The 1 mm template's bounding box (its first voxel centre and extent) sampled every
    ``resolution_mm``; at 2 mm: shape (99, 117, 95), origin (-98, -134, -72) mm. Only the
    template's header is read (nilearn itself need not be imported: that takes seconds).

    Parameters
    ----------
    resolution_mm : float, mm
        Voxel size (> 0).

    Returns
    -------
    shape : tuple of 3 int
        Voxels along x, y, z.
    affine : (4, 4) ndarray, mm
        Voxel indices -> MNI coordinates.

    Raises
    ------
    InvalidValueError
        A non-positive resolution.
    SpecFileError
        nilearn (or its template file) is missing.
    """
    from importlib import resources

    import nibabel as nib

    if not (np.isfinite(resolution_mm) and resolution_mm > 0):
        raise InvalidValueError(f"MNI152 resolution {resolution_mm!r} mm must be > 0")
    try:
        path = Path(str(resources.files(MNI152_PACKAGE).joinpath(MNI152_FILE)))
    except ModuleNotFoundError:
        raise SpecFileError(
            "the MNI152 grid needs the 'nilearn' package; pip install nilearn"
        ) from None
    if not path.is_file():
        raise SpecFileError(f"nilearn does not contain {MNI152_FILE}; reinstall nilearn")
    header = nib.load(path).header
    base = header.get_best_affine()
    n = np.asarray(header.get_data_shape()[:3])
    step = np.abs(np.diag(base)[:3])
    extent = (n - 1) * step
    shape = tuple(int(k) for k in np.floor(extent / resolution_mm + 1e-9).astype(int) + 1)
    affine = np.eye(4)
    affine[:3, :3] = np.diag(np.sign(np.diag(base)[:3]) * resolution_mm)
    affine[:3, 3] = base[:3, 3]
    return shape, affine


def surface_values_on_grid(
    vertices_m: np.ndarray,
    values: np.ndarray,
    shape: tuple[int, int, int],
    affine_mm: np.ndarray,
    max_distance_m: float = SURFACE_SAMPLING_DISTANCE_M,
) -> np.ndarray:
    """Values at surface vertices onto a voxel grid: the nearest vertex's, near the surface.

    Parameters
    ----------
    vertices_m : (N, 3) ndarray, m
        Surface vertices, in the grid's world frame (MNI).
    values : (N,) ndarray, any unit
        One value per vertex; NaN vertices are left out.
    shape : tuple of 3 int
        The grid.
    affine_mm : (4, 4) ndarray, mm
        Voxel indices -> world coordinates.
    max_distance_m : float, m
        Voxels whose centre is farther than this from every vertex get NaN.

    Returns
    -------
    (X, Y, Z) ndarray, the unit of ``values``
        NaN where no vertex is near.

    Raises
    ------
    InvalidValueError
        Mismatched shapes or a non-positive distance.
    """
    from scipy.spatial import cKDTree

    from tmslab.units import MM

    v = np.asarray(vertices_m, dtype=float)
    x = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[1] != 3 or x.shape != (len(v),) or len(v) == 0:
        raise InvalidValueError(
            f"surface values: vertices {v.shape} and values {x.shape} must be (N, 3) and (N,)"
        )
    if not (np.isfinite(max_distance_m) and max_distance_m > 0):
        raise InvalidValueError(f"sampling distance {max_distance_m!r} m must be > 0")
    affine = _check_affine(affine_mm)
    keep = np.isfinite(x) & np.all(np.isfinite(v), axis=1)
    v, x = v[keep], x[keep]
    out = np.full(tuple(shape), np.nan)
    if not len(v):
        return out
    # only the voxels of the surface's bounding box (grown by the distance) are looked up
    lo = v.min(axis=0) / MM - max_distance_m / MM
    hi = v.max(axis=0) / MM + max_distance_m / MM
    inverse = np.linalg.inv(affine)
    corners = np.array(
        [[a, b, c, 1.0] for a in (lo[0], hi[0]) for b in (lo[1], hi[1]) for c in (lo[2], hi[2])]
    )
    ijk = corners @ inverse.T
    first = np.clip(np.floor(ijk[:, :3].min(axis=0)).astype(int), 0, np.asarray(shape))
    last = np.clip(np.ceil(ijk[:, :3].max(axis=0)).astype(int) + 1, 0, np.asarray(shape))
    axes = [np.arange(a, b) for a, b in zip(first, last, strict=True)]
    if any(len(a) == 0 for a in axes):
        return out
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    centres_m = (grid @ affine[:3, :3].T + affine[:3, 3]) * MM
    distance, nearest = cKDTree(v).query(centres_m, distance_upper_bound=max_distance_m)
    hit = np.isfinite(distance)
    i, j, k = grid[hit].T
    out[i, j, k] = x[nearest[hit]]
    return out


def write_surface_nifti(
    path: str | Path,
    vertices_m: np.ndarray,
    values: np.ndarray,
    unit: str,
    max_distance_m: float = SURFACE_SAMPLING_DISTANCE_M,
    resolution_mm: float = MNI152_RESOLUTION_MM,
) -> Path:
    """Write values on a cortical surface as a NIfTI file on the MNI152 grid.

    Parameters
    ----------
    path : str or Path
        ``.nii`` or ``.nii.gz``.
    vertices_m : (N, 3) ndarray, m
        Surface vertices in MNI152 coordinates (fsaverage's MNI305 converted: see
        :meth:`tmslab.conductors.head.HeadModel.from_mni152`).
    values : (N,) ndarray, ``unit``
        One value per vertex (NaN: left out).
    unit : str
        The values' unit, e.g. ``"V/m"``.
    max_distance_m : float, m
        See :func:`surface_values_on_grid`.
    resolution_mm : float, mm
        Voxel size of the MNI152 grid (:func:`mni152_grid`).

    Returns
    -------
    Path
        The file written.
    """
    shape, affine = mni152_grid(resolution_mm)
    grid = surface_values_on_grid(vertices_m, values, shape, affine, max_distance_m)
    return write_nifti(path, grid, affine, unit)
