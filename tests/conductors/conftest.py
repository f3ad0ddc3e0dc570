"""Fixtures the conductor tests share with the BEM tests (defined there once)."""

from tests.efield.bem.conftest import small_ball

__all__ = ["small_ball"]
