"""Numba compilation with its cache in tmslab's per-user cache directory (never site-packages).

``jit(...)`` is ``numba.njit(cache=True, ...)`` whose cache files go to
``user_cache_dir() / "numba"`` unless the user set NUMBA_CACHE_DIR. The cache directory is chosen
once per function at decoration time, so numba's global setting is restored right after.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


def user_cache_dir() -> Path:
    """tmslab's per-user cache directory.

    ``$TMSLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/tmslab``, else ``~/.cache/tmslab``.

    Returns
    -------
    Path
        The directory (not created here).
    """
    explicit = os.environ.get("TMSLAB_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "tmslab"


@contextmanager
def _numba_cache_dir():
    from numba.core import config

    previous = config.CACHE_DIR
    if not previous:
        target = user_cache_dir() / "numba"
        try:
            target.mkdir(parents=True, exist_ok=True)
            config.CACHE_DIR = str(target)
        except OSError:
            pass  # no writable cache: numba falls back to its own locations
    try:
        yield
    finally:
        config.CACHE_DIR = previous


def jit(**options) -> Callable[[Callable], Callable]:
    """``numba.njit(cache=True, **options)`` with the cache in tmslab's user cache directory.

    Parameters
    ----------
    **options : Any
        Further ``numba.njit`` options (e.g. ``parallel=True``).

    Returns
    -------
    callable
        A decorator compiling the function it is given.
    """
    from numba import njit

    def decorate(function: Callable) -> Callable:
        with _numba_cache_dir():
            return njit(cache=True, **options)(function)

    return decorate
