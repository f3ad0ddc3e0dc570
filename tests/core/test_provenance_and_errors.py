"""Atomic writes leave nothing behind on failure; errors are one line; import is cheap."""

import subprocess
import sys

import pytest

from tmslab.errors import InvalidValueError, UnknownNameError, check_positive
from tmslab.provenance import atomic_write, atomic_write_text, dumps


def test_atomic_write_replaces_whole_file(tmp_path):
    path = tmp_path / "a" / "out.txt"
    atomic_write_text(path, "first")
    atomic_write_text(path, "second")
    assert path.read_text() == "second"
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]


def test_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "out.txt"

    def explode(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(path, explode)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write_text(path, "good")
    with pytest.raises(RuntimeError):
        atomic_write(path, lambda tmp: (_ for _ in ()).throw(RuntimeError("x")))
    assert path.read_text() == "good"


def test_errors_are_one_line():
    error = InvalidValueError("first line\nsecond   line")
    assert str(error) == "first line second line"
    unknown = UnknownNameError("protocol", "x", ["b", "a"])
    assert str(unknown) == "unknown protocol 'x'; known protocols: a, b"


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "abc", None])
def test_check_positive_rejects(value):
    with pytest.raises(InvalidValueError):
        check_positive("frequency_hz", value, "Hz")


def test_dumps_handles_numpy_and_nan():
    import numpy as np

    assert (
        dumps({"a": np.arange(2), "b": np.float64("nan")}).replace(" ", "").replace("\n", "")
        == '{"a":[0,1],"b":null}'
    )


def test_import_is_cheap():
    code = "import sys, tmslab; print(sorted(m for m in ('numpy', 'matplotlib', 'scipy', 'pydantic') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
