"""Field values as files: labelled xarray datasets, netCDF, and the CSV of E at points.

Every dataset carries units on each variable, the head and coil it came from, the dI/dt it is
scaled to, and tmslab's provenance (version, inputs) as attributes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

COMPONENTS = ["x", "y", "z"]


def _attrs(meta: dict[str, Any]) -> dict[str, Any]:
    from tmslab import __version__
    from tmslab.provenance import to_jsonable

    attrs = {"tmslab_version": __version__, "conventions": "SI units; head frame, sphere at origin"}
    for key, value in meta.items():
        value = to_jsonable(value)
        attrs[key] = value if isinstance(value, str | int | float) else json.dumps(value)
    return attrs


def points_dataset(points: np.ndarray, efield: np.ndarray, **meta: Any):
    """Dataset of E at points: dims (point, component).

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Field points.
    efield : (N, 3) ndarray, V/m
        E at the points.
    **meta : Any
        Dataset attributes.

    Returns
    -------
    xarray.Dataset
        Coordinates in m, E and |E| in V/m.
    """
    import xarray as xr

    ds = xr.Dataset(
        {
            "position": (("point", "component"), np.asarray(points), {"units": "m"}),
            "E": (
                ("point", "component"),
                np.asarray(efield),
                {"units": "V/m", "long_name": "E-field"},
            ),
            "magnitude": (
                ("point",),
                np.linalg.norm(efield, axis=1),
                {"units": "V/m", "long_name": "|E|"},
            ),
        },
        coords={"point": np.arange(len(points)), "component": COMPONENTS},
        attrs=_attrs(meta),
    )
    return ds


def shell_dataset(
    theta: np.ndarray, phi: np.ndarray, points: np.ndarray, efield: np.ndarray, **meta: Any
):
    """Dataset of E on a spherical shell: dims (theta, phi, component).

    Parameters
    ----------
    theta : (T,) ndarray, rad
        Polar angle.
    phi : (P,) ndarray, rad
        Azimuth.
    points : (T, P, 3) ndarray, m
        Grid points.
    efield : (T, P, 3) ndarray, V/m
        E at the points.
    **meta : Any
        Dataset attributes.

    Returns
    -------
    xarray.Dataset
        Angles in rad, coordinates in m, E and |E| in V/m.
    """
    import xarray as xr

    return xr.Dataset(
        {
            "position": (("theta", "phi", "component"), points, {"units": "m"}),
            "E": (("theta", "phi", "component"), efield, {"units": "V/m"}),
            "magnitude": (("theta", "phi"), np.linalg.norm(efield, axis=-1), {"units": "V/m"}),
        },
        coords={
            "theta": ("theta", theta, {"units": "rad", "long_name": "polar angle from +z"}),
            "phi": ("phi", phi, {"units": "rad", "long_name": "azimuth from +x"}),
            "component": COMPONENTS,
        },
        attrs=_attrs(meta),
    )


def grid_dataset(
    axes: dict[str, np.ndarray],
    points: np.ndarray,
    efield: np.ndarray,
    mask: np.ndarray,
    **meta: Any,
):
    """Dataset on a regular grid; dims are the axes' names plus component; NaN outside the mask.

    Parameters
    ----------
    axes : dict of str to ndarray, m
        Axis name -> coordinates.
    points : (..., 3) ndarray, m
        Grid points, one grid dimension per axis.
    efield : (..., 3) ndarray, V/m
        E at the points.
    mask : (...) ndarray of bool
        Points kept; the others become NaN.
    **meta : Any
        Dataset attributes.

    Returns
    -------
    xarray.Dataset
        Coordinates in m, E and |E| in V/m.
    """
    import xarray as xr

    dims = tuple(axes)
    e = np.where(mask[..., None], efield, np.nan)
    return xr.Dataset(
        {
            "E": ((*dims, "component"), e, {"units": "V/m"}),
            "magnitude": (dims, np.linalg.norm(e, axis=-1), {"units": "V/m"}),
        },
        coords={
            **{name: (name, values, {"units": "m"}) for name, values in axes.items()},
            "component": COMPONENTS,
        },
        attrs=_attrs(meta),
    )


def write_netcdf(dataset, path: str | Path) -> Path:
    """Write a dataset to netCDF-4 atomically.

    Parameters
    ----------
    dataset : xarray.Dataset
        The dataset.
    path : str or Path
        Output file.

    Returns
    -------
    Path
        The path written.
    """
    from tmslab.provenance import atomic_write

    return atomic_write(Path(path), lambda tmp: dataset.to_netcdf(tmp, engine="netcdf4"))


POINT_FIELD_SUFFIXES = (".csv", ".nc")


def write_point_field(
    path: str | Path, points: np.ndarray, efield: np.ndarray, **meta: Any
) -> Path:
    """Write E at points by the file's suffix: ``.nc`` (:func:`points_dataset`) or CSV.

    Parameters
    ----------
    path : .csv (columns x,y,z,ex,ey,ez; 10 significant digits) or .nc
    points : (N, 3) ndarray, m
    efield : (N, 3) ndarray, V/m
    meta : attributes of the netCDF dataset (ignored for CSV)
    """
    from tmslab.io.points import format_rows
    from tmslab.provenance import atomic_write_text

    path = Path(path)
    if path.suffix.lower() == ".nc":
        return write_netcdf(points_dataset(points, efield, **meta), path)
    table = np.hstack([points, efield])
    return atomic_write_text(path, format_rows("x,y,z,ex,ey,ez", table))
