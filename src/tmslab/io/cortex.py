"""The field on a cortical surface as files: GIfTI per hemisphere and one CSV.

:func:`write_cortex_gifti` splits a surface stacked from several hemispheres (left then right,
as :meth:`tmslab.conductors.head.HeadModel.cortex` stacks them) into one GIfTI pair per
hemisphere, named as FreeSurfer and SimNIBS name them: ``lh.mid.surf.gii`` (pointset in mm) and
``lh.mid.func.gii`` (one named float32 data array per quantity), then ``rh.*``.
:func:`read_cortex_gifti` stacks them back. :func:`write_cortex_csv` writes one row per vertex:
``x,y,z`` (m), ``ex,ey,ez``, ``magn`` and ``normal`` (V/m), as SimNIBS names the quantities.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.io.gifti import DATA_SUFFIX, SURFACE_SUFFIX, read_gifti_data, read_gifti_surface

__all__ = [
    "CSV_COLUMNS",
    "HEMISPHERE_PREFIX",
    "cortex_gifti_names",
    "read_cortex_csv",
    "read_cortex_gifti",
    "write_cortex_csv",
    "write_cortex_gifti",
]

CSV_COLUMNS = ("x", "y", "z", "ex", "ey", "ez", "magn", "normal")
# FreeSurfer's hemisphere prefixes; other names are used as they are.
HEMISPHERE_PREFIX = {"left": "lh", "right": "rh"}


def _prefix(hemisphere: str) -> str:
    return HEMISPHERE_PREFIX.get(hemisphere, hemisphere)


def cortex_gifti_names(hemispheres: Sequence[str], surface: str = "mid") -> tuple[str, ...]:
    """The file names :func:`write_cortex_gifti` writes, surface then data per hemisphere.

    Parameters
    ----------
    hemispheres : sequence of str
        E.g. ``("left", "right")``.
    surface : str
        The surface's name in the file names.

    Returns
    -------
    tuple of str
        E.g. ``("lh.mid.surf.gii", "lh.mid.func.gii", "rh.mid.surf.gii", "rh.mid.func.gii")``.
    """
    names = []
    for hemi in hemispheres:
        stem = f"{_prefix(hemi)}.{surface}"
        names += [stem + SURFACE_SUFFIX, stem + DATA_SUFFIX]
    return tuple(names)


def _split(vertices, triangles, sizes: Sequence[int]):
    vertices = np.asarray(vertices, dtype=float)
    triangles = np.asarray(triangles)
    if sum(sizes) != len(vertices) or any(n < 3 for n in sizes):
        raise InvalidValueError(
            f"cortex GIfTI: hemisphere sizes {list(sizes)} must each be >= 3 and add up to the "
            f"{len(vertices)} vertices"
        )
    if triangles.ndim != 2 or triangles.shape[1:] != (3,):
        raise InvalidValueError(f"cortex GIfTI: triangles must be (M, 3), got {triangles.shape}")
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    parts = []
    for start, stop in itertools.pairwise(offsets):
        inside = (triangles >= start) & (triangles < stop)
        if np.any(inside.any(axis=1) & ~inside.all(axis=1)):
            raise InvalidValueError(
                "cortex GIfTI: a triangle joins vertices of two hemispheres; give the "
                "hemispheres' vertices stacked in order with their sizes"
            )
        parts.append((slice(start, stop), triangles[inside.all(axis=1)] - start))
    return parts


def write_cortex_gifti(
    folder: str | Path,
    vertices_m: np.ndarray,
    triangles: np.ndarray,
    hemispheres: Sequence[tuple[str, int]],
    data: Mapping[str, np.ndarray],
    units: Mapping[str, str],
    surface: str = "mid",
) -> tuple[Path, ...]:
    """Write a stacked cortical surface and its values as one GIfTI pair per hemisphere.

    Parameters
    ----------
    folder : str or Path
        Output folder (created if missing).
    vertices_m : (N, 3) ndarray, m
        All hemispheres' vertices, stacked in the order of ``hemispheres``.
    triangles : (M, 3) ndarray of int
        Into the stacked vertices; no triangle may join two hemispheres.
    hemispheres : sequence of (str, int)
        (name, number of vertices) in stacking order; ``left``/``right`` become ``lh``/``rh``.
    data : mapping of str to (N,) or (N, 3) ndarray, units of ``units``
        Quantity name -> values at the stacked vertices; one named data array each.
    units : mapping of str to str
        Quantity name -> unit, stored in each array's metadata.
    surface : str
        The surface's name in the file names (``lh.mid.surf.gii``).

    Returns
    -------
    tuple of Path
        Surface then data file of each hemisphere (:func:`cortex_gifti_names`).

    Raises
    ------
    InvalidValueError
        Sizes that do not add up, a triangle across hemispheres, wrong shapes, NaN, no unit.
    """
    from tmslab.io.gifti import write_gifti

    folder = Path(folder)
    sizes = [int(n) for _, n in hemispheres]
    parts = _split(vertices_m, triangles, sizes)
    vertices = np.asarray(vertices_m, dtype=float)
    arrays = {k: np.asarray(v, dtype=float) for k, v in data.items()}
    for name, values in arrays.items():
        if len(values) != len(vertices):
            raise InvalidValueError(
                f"cortex GIfTI data {name!r}: {len(values)} values for {len(vertices)} vertices"
            )
    written: list[Path] = []
    for (hemi, _), (rows, faces) in zip(hemispheres, parts, strict=True):
        path = folder / f"{_prefix(hemi)}.{surface}{SURFACE_SUFFIX}"
        written += write_gifti(
            path, vertices[rows], faces, {k: v[rows] for k, v in arrays.items()}, units
        )
    return tuple(written)


def read_cortex_gifti(
    folder: str | Path, hemispheres: Sequence[str] = ("left", "right"), surface: str = "mid"
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], tuple[int, ...]]:
    """Read back what :func:`write_cortex_gifti` wrote, stacked in the order of ``hemispheres``.

    Parameters
    ----------
    folder : str or Path
        The folder holding ``lh.mid.surf.gii``, ``lh.mid.func.gii`` and so on.
    hemispheres : sequence of str
        Their names (``left``/``right`` read ``lh``/``rh``).
    surface : str
        The surface's name in the file names.

    Returns
    -------
    vertices : (N, 3) ndarray, m
        Stacked.
    triangles : (M, 3) ndarray of int
        Into the stacked vertices.
    data : dict of str to (N,) or (N, 3) ndarray
        Quantity name -> values, stacked.
    sizes : tuple of int
        Vertices per hemisphere.

    Raises
    ------
    SpecFileError
        A missing or malformed file, or hemispheres with different quantities or sizes.
    """
    folder = Path(folder)
    vertices, triangles, sizes = [], [], []
    data: dict[str, list[np.ndarray]] = {}
    offset = 0
    for index, hemi in enumerate(hemispheres):
        stem = folder / f"{_prefix(hemi)}.{surface}"
        v, t = read_gifti_surface(stem.with_name(stem.name + SURFACE_SUFFIX))
        values = read_gifti_data(stem.with_name(stem.name + DATA_SUFFIX))
        if index and set(values) != set(data):
            raise SpecFileError(
                f"cortex GIfTI {folder}: {hemi} has quantities {sorted(values)}, the first "
                f"hemisphere {sorted(data)}"
            )
        for name, array in values.items():
            if len(array) != len(v):
                raise SpecFileError(
                    f"cortex GIfTI {folder}: {hemi} {name!r} has {len(array)} values for "
                    f"{len(v)} vertices"
                )
            data.setdefault(name, []).append(array)
        vertices.append(v)
        triangles.append(t + offset)
        sizes.append(len(v))
        offset += len(v)
    stacked = {k: np.concatenate(v) for k, v in data.items()}
    return np.concatenate(vertices), np.concatenate(triangles), stacked, tuple(sizes)


def write_cortex_csv(
    path: str | Path,
    vertices_m: np.ndarray,
    efield: np.ndarray,
    magnitude: np.ndarray,
    normal: np.ndarray,
) -> Path:
    """Write the field on a cortical surface as CSV, one row per vertex (10 significant digits).

    Parameters
    ----------
    path : str or Path
        Output file (written atomically).
    vertices_m : (N, 3) ndarray, m
        Vertex positions (columns ``x,y,z``).
    efield : (N, 3) ndarray, V/m
        E at the vertices (``ex,ey,ez``).
    magnitude : (N,) ndarray, V/m
        |E| (``magn``).
    normal : (N,) ndarray, V/m
        Normal component (``normal``; the caller's sign convention).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    InvalidValueError
        Wrong shapes or non-finite values.
    """
    from tmslab.io.points import format_rows
    from tmslab.provenance import atomic_write_text

    v = np.asarray(vertices_m, dtype=float)
    n = len(v)
    columns = [v, np.asarray(efield, dtype=float)]
    columns += [np.asarray(magnitude, dtype=float)[:, None], np.asarray(normal, dtype=float)[:, None]]  # fmt: skip
    for name, c, width in zip(("vertices", "efield", "magnitude", "normal"), columns, (3, 3, 1, 1), strict=True):  # fmt: skip
        if c.shape != (n, width):
            raise InvalidValueError(
                f"cortex CSV {name}: expected shape ({n}, {width}), got {c.shape}"
            )
    table = np.hstack(columns)
    if not np.all(np.isfinite(table)):
        raise InvalidValueError("cortex CSV: NaN or infinite values")
    return atomic_write_text(Path(path), format_rows(",".join(CSV_COLUMNS), table))


def read_cortex_csv(path: str | Path) -> dict[str, np.ndarray]:
    """Read a file of :func:`write_cortex_csv`.

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    dict of str to ndarray
        ``"points"`` (N, 3) m, ``"efield"`` (N, 3) V/m, ``"magn"`` (N,) V/m and
        ``"normal"`` (N,) V/m.

    Raises
    ------
    SpecFileError
        A missing file, another header or a malformed row.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(f"cortex CSV {path} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecFileError(f"cannot read cortex CSV {path}: {error}") from None
    lines = text.splitlines()
    header = lines[0].strip() if lines else ""
    if header != ",".join(CSV_COLUMNS):
        raise SpecFileError(
            f"cortex CSV {path}: expected the header {','.join(CSV_COLUMNS)}, got {header!r}"
        )
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        try:
            values = [float(c) for c in cells]
        except ValueError:
            values = []
        if len(values) != len(CSV_COLUMNS) or not np.all(np.isfinite(values)):
            raise SpecFileError(
                f"cortex CSV {path} line {number}: expected {len(CSV_COLUMNS)} finite numbers"
            )
        rows.append(values)
    table = np.array(rows, dtype=float).reshape(-1, len(CSV_COLUMNS))
    return {
        "points": table[:, 0:3],
        "efield": table[:, 3:6],
        "magn": table[:, 6],
        "normal": table[:, 7],
    }
