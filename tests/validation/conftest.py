"""Fixtures the validation checks share with the layer tests (defined there once)."""

from tests.efield.bem.conftest import fig8_over_head
from tests.neuron.conftest import drives

__all__ = ["drives", "fig8_over_head"]
