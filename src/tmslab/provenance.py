"""Atomic output files and the provenance every output carries."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write a file through ``write(tmp_path)`` into a temporary sibling, then rename it.

    A failure inside ``write`` leaves no file at ``path`` (nor a half-written one).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        from tmslab.outputs import check_output_file

        check_output_file(target, option="output")  # names the file in the way, if one is
        raise
    _remove_stale_parts(target)
    try:
        # The process id in the name tells a later writer whether the writer is still alive.
        handle, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-", suffix=".part", dir=target.parent
        )
    except OSError as error:  # name the file asked for, not the hidden temporary one
        raise OSError(error.errno, error.strerror, str(target)) from None
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, target)
    except OSError as error:
        if error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, str(target)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _remove_stale_parts(target: Path) -> None:
    """Remove ``.NAME.PID-XXXX.part`` files a killed writer of ``target`` left behind."""
    import re

    from tmslab.outputs import process_alive

    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(?:(\d+)-)?\w+\.part$")
    try:
        siblings = list(target.parent.glob(f".{_glob_escape(target.name)}.*.part"))
    except OSError:
        return
    for part in siblings:
        match = pattern.match(part.name)
        if match and not (match[1] and process_alive(int(match[1]))):
            part.unlink(missing_ok=True)


def _glob_escape(name: str) -> str:
    """``name`` with glob's special characters ([, ], *, ?) taken literally."""
    import glob

    return glob.escape(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and tuples into plain JSON types, recursively."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy array or scalar
        return to_jsonable(value.tolist())
    if isinstance(value, float) and math.isnan(value):  # NaN is not JSON
        return None
    return value


# Computed results carry float noise below this (25.999999999999545 for 26); inputs never rounded.
RESULT_SIGNIFICANT_DIGITS = 12


def round_floats(value: Any, significant: int = RESULT_SIGNIFICANT_DIGITS) -> Any:
    """``value`` (JSON-able) with every float rounded to ``significant`` significant digits.

    Integers, booleans, strings and None are left alone; non-finite floats are kept as they are.
    """
    if isinstance(value, dict):
        return {k: round_floats(v, significant) for k, v in value.items()}
    if isinstance(value, list):
        return [round_floats(v, significant) for v in value]
    if isinstance(value, float) and math.isfinite(value):
        rounded = float(f"{value:.{significant}g}")
        return rounded if math.isfinite(rounded) else value  # 1.795e308 rounds up to inf
    return value


def dumps(value: Any, significant: int | None = None) -> str:
    """Pretty JSON of ``value`` (numpy-aware).

    significant: round every float to this many significant digits (for computed results, to
    drop float noise); None writes floats exactly (inputs and provenance).
    """
    plain = to_jsonable(value)
    if significant is not None:
        plain = round_floats(plain, significant)
    return json.dumps(plain, indent=2, allow_nan=False)


def spec_hash(spec: Any) -> str:
    """SHA-256 of the canonical JSON of ``spec`` (key order does not matter)."""
    canonical = json.dumps(to_jsonable(spec), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def provenance(spec: Any, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """What produced an output: tmslab's version, the full input spec, its hash, the platform."""
    from tmslab import __version__

    return {
        "tmslab_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "spec": to_jsonable(spec),
        "spec_sha256": spec_hash(spec),
        "inputs": to_jsonable(inputs or {}),
    }
