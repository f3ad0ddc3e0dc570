"""Reading and writing files: TOML specs and presets, points, coil poses, field values.

A low layer: it imports only the core modules (errors, provenance, geometry, units) and NumPy.
Every reader turns a missing, unreadable or malformed file into a one-line
:class:`tmslab.errors.SpecFileError`.
"""

from __future__ import annotations

from tmslab.io.toml import parse_toml_text, read_data_toml, read_toml

__all__ = ["parse_toml_text", "read_data_toml", "read_toml"]
