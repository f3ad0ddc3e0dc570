"""Values on a voxel grid as NIfTI-1 files (``.nii``, ``.nii.gz``), as neuroimaging tools read them.

The voxel-to-world affine is in mm, the NIfTI convention (and the header says so in its xyzt
units); the values are float32, their unit in the header's description field. NaN marks voxels
without a value (outside the head), as in :func:`tmslab.io.fields.grid_dataset`.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError

NIFTI_SUFFIXES = (".nii", ".nii.gz")
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
