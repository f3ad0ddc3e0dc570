"""Reading and writing files: TOML specs and presets (``toml``), points (``points``), coil poses
as SimNIBS matsimnibs (``pose``), fields as CSV/netCDF (``fields``), surfaces and their values as
GIfTI (``gifti``) and volumes as NIfTI (``nifti``).

A low layer: it imports only the core modules (errors, provenance, geometry, units), NumPy, and
xarray/nibabel inside the functions that write those formats.
Every reader turns a missing, unreadable or malformed file into a one-line
:class:`tmslab.errors.SpecFileError`.
"""

from __future__ import annotations

from tmslab.io.toml import parse_toml_text, read_data_toml, read_toml

__all__ = ["parse_toml_text", "read_data_toml", "read_toml"]
