"""The threaded and serial builds of each field kernel are separate Numba cache entries (issue 20).

Numba keys its on-disk cache by the function's qualified name and line, not by ``parallel``; when
both builds came from one Python function, whichever compiled first was stored once and served
both, and the threaded kernel ran at 4.7e7 instead of 2.3e8 pairs/s. These tests fail on that
layout (one function object, one index file) without compiling anything.
"""

from __future__ import annotations

import pytest

from tmslab.efield import kernels


@pytest.mark.parametrize("name", sorted(kernels.VARIANTS))
def test_variants_have_their_own_cache_files(name):
    serial, threaded = kernels.VARIANTS[name]
    assert serial.py_func is not threaded.py_func
    assert serial.py_func.__qualname__ != threaded.py_func.__qualname__
    files = [d._cache._cache_file for d in (serial, threaded)]
    assert files[0]._index_name != files[1]._index_name
    assert serial.targetoptions.get("parallel") in (None, False)
    assert threaded.targetoptions.get("parallel") is True


def test_variants_share_the_source_of_one_formula():
    # one formula, two builds: the copies run the same bytecode
    for serial, threaded in kernels.VARIANTS.values():
        assert serial.py_func.__code__ is threaded.py_func.__code__


def test_every_njit_kernel_in_the_module_is_a_distinct_cache_entry():
    dispatchers = [
        v for v in vars(kernels).values() if hasattr(v, "_cache") and hasattr(v, "py_func")
    ]
    assert len(dispatchers) >= 4
    names = [d._cache._cache_file._index_name for d in dispatchers]
    assert len(set(names)) == len(names), names
