"""Issue 21.4: a centimetre-long HH axon had no threshold because the 6 ms response window ended
before its spike reached the recording site (the middle of the axon). The window is now sized
from the conduction time, and a threshold that cannot be found says why.

Reference velocity: Hodgkin & Huxley 1952 (J Physiol 117:500-544, doi
10.1113/jphysiol.1952.sp004764) computed 18.8 m/s for the 476 um squid axon at 18.5 degC; cable
theory scales the velocity of an unmyelinated fibre with sqrt(diameter).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tmslab.neuron.coupling import uniform_quasipotential
from tmslab.neuron.models import get_model, list_models, model_from_swc
from tmslab.neuron.simulation import (
    conduction_time_s,
    response_window_s,
    slowest_velocity_m_per_s,
)
from tmslab.neuron.threshold import direction_thresholds

LENGTH_MM = 15.0
OLD_WINDOW_S = 6e-3


def _long_axon(tmp_path, length_mm: float = LENGTH_MM):
    """A straight 2 um HH axon along x, one SWC piece, recorded at its middle."""
    n = 31
    rows = [
        f"{i + 1} 2 {i * length_mm * 1000 / (n - 1):.1f} 0 0 1.0 {i if i else -1}" for i in range(n)
    ]
    path = tmp_path / "long_axon.swc"
    path.write_text("\n".join(rows) + "\n")
    return model_from_swc(path, membrane="hh", max_segment_m=50e-6)


def test_slowest_velocity_is_half_hodgkin_huxley_at_their_axon():
    assert slowest_velocity_m_per_s(np.array([476e-6]), 18.5)[0] == pytest.approx(9.4)
    # sqrt(diameter) scaling and Q10 = 3 on the rates (velocity ~ sqrt(rates))
    assert slowest_velocity_m_per_s(np.array([4 * 476e-6]), 28.5)[0] == pytest.approx(
        9.4 * 2 * np.sqrt(3)
    )


@pytest.mark.parametrize("name", list_models())
def test_built_in_windows_are_long_enough_and_almost_unchanged(name):
    model = get_model(name)
    window = response_window_s(model)
    assert window >= conduction_time_s(model)
    assert window == pytest.approx(model.response_window_s, rel=0.01)


def test_long_hh_axon_has_a_threshold_and_fires_after_the_old_window(tmp_path, drives):
    model = _long_axon(tmp_path)
    # 7.5 mm from either end to the middle at <= 0.3 m/s
    assert conduction_time_s(model) > 20e-3
    result = direction_thresholds(model, drives["monophasic"], [(1.0, 0.0, 0.0)], "batched")
    threshold = result.thresholds_v_per_m[0]
    spike = result.spike_time_s[0]
    assert np.isfinite(threshold)  # NaN with the 6 ms window
    assert spike > OLD_WINDOW_S
    # the spike conducted 7.5 mm no slower than the bound and no faster than the HH estimate x 2
    velocity = LENGTH_MM / 2 * 1e-3 / spike
    bound = slowest_velocity_m_per_s(np.array([2e-6]), model.celsius)[0]
    assert bound < velocity < 4 * bound


@pytest.mark.neuron
def test_long_axon_neuron_agrees_with_batched(tmp_path, drives):
    from tmslab.neuron.batched import BatchedSolver
    from tmslab.neuron.nrn import NeuronSolver

    model = _long_axon(tmp_path)
    drive = drives["monophasic"]
    profile = uniform_quasipotential(model.cable.position_m, (1.0, 0.0, 0.0))[None]
    amplitude = [3000.0]
    ours = BatchedSolver(model, drive).simulate(profile, amplitude)
    theirs = NeuronSolver(model, drive).simulate(profile, amplitude)
    assert ours.fired[0] and theirs.fired[0]
    assert ours.spike_time_s[0] > OLD_WINDOW_S
    assert theirs.spike_time_s[0] == pytest.approx(ours.spike_time_s[0], abs=0.05e-3)


def test_missing_threshold_says_why_in_cli_and_json():
    from tmslab.cli import app

    runner = CliRunner()
    args = ["neuron", "threshold", "-m", "hh-axon-straight", "--solver", "batched", "-d", "0,1,0"]
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output)
    assert record["threshold_v_per_m"] is None
    reason = record["no_threshold_reason"]
    assert reason.startswith("no spike up to 96,000 V/m: hh-axon-straight did not fire")
    assert "within 6 ms" in reason
    text = runner.invoke(app, args)
    assert "no spike up to 96,000 V/m" in " ".join(text.output.split())


def test_missing_threshold_says_why_in_the_scenario_report():
    from tmslab.protocols.stimulators import get_stimulator
    from tmslab.stages.neurons import neuron_section

    pulse = get_stimulator("magventure-magpro-x100").waveform("monophasic", dt_s=2.5e-6)

    def across(points):  # a uniform field across the straight axon excites nothing
        return np.broadcast_to([0.0, 100.0, 0.0], points.shape).copy()

    section = neuron_section(across, [0.0, 0.0, 0.0], pulse, 1.0, models=("hh-axon-straight",))
    record = section.data["models"][0]
    assert not np.isfinite(record["threshold_peak_e_v_per_m"])
    assert record["no_threshold_reason"].startswith("no spike up to ")
    assert "V/m at the target: hh-axon-straight did not fire" in record["no_threshold_reason"]
    assert record["no_threshold_reason"] in section.rows[1][1]
