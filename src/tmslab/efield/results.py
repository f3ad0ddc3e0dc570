"""Labelled field results (xarray) and their netCDF files: moved to :mod:`tmslab.io.fields`."""

from tmslab.io.fields import (
    COMPONENTS,
    grid_dataset,
    points_dataset,
    shell_dataset,
    write_netcdf,
)

__all__ = ["COMPONENTS", "grid_dataset", "points_dataset", "shell_dataset", "write_netcdf"]
