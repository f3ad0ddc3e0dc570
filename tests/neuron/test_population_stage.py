"""Populations of placed cells in non-uniform fields, invariances, and the scenario section."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError
from tmslab.neuron.models import get_model
from tmslab.neuron.morphology import rotation_between
from tmslab.neuron.population import grid_positions, population_activation
from tmslab.neuron.threshold import direction_thresholds, field_thresholds
from tmslab.stages.neurons import neuron_section


def uniform(e):
    e = np.asarray(e, dtype=float)
    return lambda points: np.broadcast_to(e, points.shape).copy()


def gradient_field(e0, slope_per_m):
    """E along +x whose magnitude grows linearly with x: E = (e0 (1 + slope x), 0, 0). Its curl
    is zero only on the x axis; the line integral along each tree handles the rest."""

    def efield(points):
        out = np.zeros_like(points)
        out[:, 0] = e0 * (1.0 + slope_per_m * points[:, 0])
        return out

    return efield


def test_in_a_uniform_field_the_population_threshold_is_the_single_cell_one(drives):
    model, drive = get_model("mrg-axon"), drives["biphasic"]
    single = direction_thresholds(model, drive, [(1, 0, 0)]).thresholds_v_per_m[0]
    positions = grid_positions([0, 0, 0], 5e-3, 3)
    search = field_thresholds(model, drive, uniform([1.0, 0, 0]), np.eye(3), positions)
    assert np.all(search.thresholds == search.thresholds[0])  # translation changes nothing
    assert search.thresholds[0] == pytest.approx(single, rel=0.006)  # two bisections to 0.5 %


def test_gradient_field_fires_where_the_field_is_strong(drives):
    """Cells spread along x in a field growing along x: exactly those whose threshold (as a multiple
    of the field) is below the applied scale fire, and they are the ones at large x."""
    model, drive = get_model("l5-pyramidal"), drives["monophasic"]
    single = direction_thresholds(model, drive, [(1, 0, 0)]).thresholds_v_per_m[0]
    efield = gradient_field(single, 100.0)  # +100 % per 10 mm
    positions = np.stack([np.linspace(-4e-3, 4e-3, 9), np.zeros(9), np.zeros(9)], axis=1)
    result = population_activation(model, positions, efield, drive, scale=1.0, thresholds=True)
    # at x = 0 the local field equals the single-cell threshold: the dividing line is there
    assert not np.any(result.fired[positions[:, 0] < -1e-3])
    assert np.all(result.fired[positions[:, 0] > 1e-3])
    assert np.array_equal(result.fired, result.thresholds_scale <= 1.0 + 0.005)
    # stronger local field, lower threshold scale, earlier spike
    assert np.all(np.diff(result.thresholds_scale) < 0)
    fired_times = result.spike_time_s[result.fired]
    assert np.all(np.diff(fired_times) <= 1e-9)
    assert result.field_v_per_m == pytest.approx(single * (1 + 100 * positions[:, 0]))


@settings(max_examples=4, deadline=None)
@given(axis=st.lists(st.floats(-1, 1), min_size=3, max_size=3), shift=st.floats(-0.05, 0.05))
def test_rotating_cell_and_field_together_changes_nothing(drives, axis, shift):
    if np.linalg.norm(axis) < 0.1:
        return
    model, drive = get_model("mrg-axon"), drives["biphasic"]
    rotation = rotation_between([1.0, 0.0, 0.0], axis)
    field = rotation @ np.array([30.0, 0.0, 0.0])
    turned = field_thresholds(model, drive, uniform(field), rotation[None], [[shift, 0.0, 0.0]])
    plain = field_thresholds(model, drive, uniform([30.0, 0.0, 0.0]), np.eye(3)[None], [[0, 0, 0]])
    assert turned.thresholds[0] == pytest.approx(plain.thresholds[0], rel=1e-9)


def test_population_input_errors(drives):
    model = get_model("mrg-axon")
    with pytest.raises(InvalidValueError, match=r"\(P, 3\)"):
        population_activation(model, np.zeros((2, 2)), uniform([1, 0, 0]), drives["biphasic"])
    with pytest.raises(InvalidValueError, match="rotation"):
        population_activation(
            model, np.zeros((2, 3)), uniform([1, 0, 0]), drives["biphasic"], rotations=np.eye(2)
        )
    with pytest.raises(InvalidValueError, match="placed cells need"):
        population_activation(model, np.zeros((2, 3)), np.zeros((5, 3)), drives["biphasic"])


def test_neuron_section_reports_each_model(drives):
    from tmslab.protocols.stimulators import get_stimulator
    from tmslab.scenario import Section

    pulse = get_stimulator("magventure-magpro-x100").waveform("biphasic", dt_s=2.5e-6)
    mrg = direction_thresholds(
        get_model("mrg-axon"), drives["biphasic"], [(1, 0, 0)]
    ).thresholds_v_per_m[0]
    efield = uniform([2 * mrg, 0.0, 0.0])  # twice the MRG axon's threshold at scale 1
    section = neuron_section(
        efield, [0.0, 0.0, 0.0], pulse, 1.0, models=("mrg-axon", "l5-pyramidal")
    )
    assert isinstance(section, Section)
    records = {r["model"]: r for r in section.data["models"]}
    assert records["mrg-axon"]["fires"]
    assert records["mrg-axon"]["threshold_peak_e_v_per_m"] == pytest.approx(mrg, rel=0.006)
    for r in records.values():
        assert r["fires"] == (
            r["threshold_peak_e_v_per_m"] <= section.data["applied_peak_e_v_per_m"] * 1.005
        )
        assert r["source"]["citation"]
    assert section.data["applied_peak_e_v_per_m"] == pytest.approx(2 * mrg)
    from tmslab.viz import draw

    figure = draw(section.figures[0])
    assert figure.axes and len(section.rows) == 3


def test_neuron_section_takes_the_stimulator_stage_waveform(drives):
    from tmslab.protocols.stimulators import get_stimulator

    pulse = get_stimulator("magventure-magpro-x100").waveform("monophasic", dt_s=2.5e-6)
    stage_data = {"shape": "monophasic", "t_s": pulse.t_s, "e_field_normalised": pulse.e_field}
    section = neuron_section(
        uniform([50.0, 0, 0]), [0, 0, 0], stage_data, 1.0, models=("mrg-axon",)
    )
    direct = neuron_section(uniform([50.0, 0, 0]), [0, 0, 0], pulse, 1.0, models=("mrg-axon",))
    assert (
        section.data["models"][0]["threshold_scale"] == direct.data["models"][0]["threshold_scale"]
    )
    with pytest.raises(InvalidValueError, match="callable"):
        neuron_section(np.zeros((3, 3)), [0, 0, 0], pulse, 1.0)
