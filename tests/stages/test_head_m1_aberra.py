"""examples/head-m1-aberra.toml: Aberra et al.'s L5 cell at M1 of the template head (issue 17).

Slow, and skipped where NeMo-TMS's files are not fetched (``tmslab neuron fetch-cells``, or
$TMSLAB_MORPHOLOGIES pointing at them): tmslab does not ship them (licences).
"""

from __future__ import annotations

import json

import numpy as np
import pytest


@pytest.mark.slow
def test_head_m1_example_runs_the_aberra_l5_cell_in_the_head_field(example_run):
    out = example_run("head-m1-aberra.toml")  # skips without the cell's file
    sections = json.loads((out / "results.json").read_text())["sections"]
    neurons = sections["neurons"]
    assert neurons["computed"] and neurons["orientation"] == "radial"
    assert neurons["waveform"] == "monophasic" and "left_out" not in neurons
    (cell,) = neurons["models"]
    assert cell["model"] == "aberra-l5-pc" and "NeMo-TMS" in cell["source"]["note"]
    # Aberra et al. 2020: uniform-field L5 thresholds 184-248 V/m (monophasic); in the local,
    # non-uniform field at the target tmslab found 436 V/m; a factor 3 either way is a regression
    threshold = cell["threshold_peak_e_v_per_m"]
    assert 100.0 < threshold < 1500.0
    applied = neurons["applied_peak_e_v_per_m"]
    assert applied == pytest.approx(sections["field"]["target"]["efield_v_per_m"], rel=1e-3)
    assert cell["fires"] == (threshold <= applied)
    assert cell["threshold_scale"] == pytest.approx(threshold / applied, rel=1e-6)
    assert "Aberra 2018 membranes" in cell["warnings"]  # what the membranes leave out, stated
    rotation = np.asarray(neurons["rotation"])
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(3), atol=1e-9)
