"""Helpers of the sweep tests: spec files written into tmp_path, cheap base scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

# A dish (no E-field model): protocol, dose, safety and plasticity only, ~10 ms a task.
DISH_SCENARIO = """
[scenario]
name = "dish"
[scenario.protocol]
kind = "rtms"
frequency_hz = 10
pulses_per_train = 100
[scenario.stimulator]
device = "magpro-x100"
intensity_pct_mso = 50
[scenario.subject]
species = "dish"
"""

# Through the field stage with the smallest coil model (1968 dipoles): ~1 s a task.
RODENT_SCENARIO = """
[scenario]
name = "rodent field"
[scenario.protocol]
preset = "rat-15hz-7d"
[scenario.stimulator]
intensity_t = 1.0
[scenario.coil]
name = "rodent-round-25-50mm"
[scenario.subject]
species = "rat"
"""


@pytest.fixture
def write_spec(tmp_path):
    """write_spec(text, name="spec.toml") -> path of a spec file in tmp_path."""

    def write(text: str, name: str = "spec.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
