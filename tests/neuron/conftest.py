"""Shared fixtures of the neuron-layer tests; registers the ``neuron`` marker (tests that run NEURON)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "neuron: runs the NEURON simulator (slower, CI runs them)")


@pytest.fixture(scope="session")
def drives():
    """The three MagPro X100 pulses the validation uses, at dt = 2.5 us."""
    from tmslab.neuron.drive import get_drive

    return {shape: get_drive(shape, 2.5e-6) for shape in ("monophasic", "biphasic", "half-sine")}


@pytest.fixture(scope="session")
def head():
    """The fsaverage template head."""
    from tmslab.conductors.head import fsaverage_head

    return fsaverage_head()


@pytest.fixture(scope="session")
def target(head):
    """Its M1-hand target."""
    from tmslab.conductors.head import named_target

    return named_target(head, "M1-hand")
