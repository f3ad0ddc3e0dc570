"""Depth/focality metrics against Deng et al. 2013, and coil-dependent dose conversions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.coils import get_coil, list_coils, pose_on_sphere
from tmslab.conductors.sphere import get_head, list_heads
from tmslab.efield.metrics import field_metrics
from tmslab.efield.translate import Setup, translate
from tmslab.protocols.dose import coil_dose
from tmslab.protocols.stimulators import get_stimulator

HEAD = get_head("human")


@pytest.fixture(scope="module")
def deng_metrics():
    out = {}
    for name in ("magstim-70mm-fig8", "magstim-70mm-round"):
        coil = get_coil(name).transformed(pose_on_sphere(HEAD.scalp_radius_m))
        out[name] = field_metrics(coil, HEAD)
    return out


# Deng, Lisanby & Peterchev 2013, Brain Stimul 6:1-13 (doi:10.1016/j.brs.2012.02.005), table of
# 50 coils in the 8.5 cm / 7.0 cm sphere: Magstim 70 mm figure-8 d1/2 = 1.41 cm,
# S1/2 = 14.8 cm^2; Magstim 70 mm round d1/2 = 1.44 cm, S1/2 = 66.0 cm^2.
@pytest.mark.parametrize(
    ("coil", "d_half_cm", "s_half_cm2"),
    [("magstim-70mm-fig8", 1.41, 14.8), ("magstim-70mm-round", 1.44, 66.0)],
)
def test_deng_2013_depth_and_focality(deng_metrics, coil, d_half_cm, s_half_cm2):
    m = deng_metrics[coil]
    assert m.d_half_m * 100 == pytest.approx(d_half_cm, rel=0.03)
    assert m.s_half_m2 * 1e4 == pytest.approx(s_half_cm2, rel=0.05)
    assert m.s_half_m2 == pytest.approx(m.v_half_m3 / m.d_half_m)


def test_figure8_is_more_focal_than_round(deng_metrics):
    fig8 = deng_metrics["magstim-70mm-fig8"]
    round_ = deng_metrics["magstim-70mm-round"]
    assert fig8.s_half_m2 < round_.s_half_m2 / 3
    # E_max of the figure-8 lies under its centre, on the vertex.
    assert np.allclose(fig8.emax_point_m, [0, 0, HEAD.brain_radius_m], atol=2e-4)


@pytest.mark.slow
def test_metric_volume_converges_when_the_grid_is_refined():
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(HEAD.scalp_radius_m))
    coarse = field_metrics(coil, HEAD, surface_spacing_m=3e-3, radial_samples=24)
    fine = field_metrics(coil, HEAD, surface_spacing_m=1e-3, radial_samples=64)
    assert coarse.v_half_m3 == pytest.approx(fine.v_half_m3, rel=5e-3)
    assert coarse.d_half_m == pytest.approx(fine.d_half_m, rel=2e-3)


@pytest.mark.slow
def test_metrics_scale_with_didt_but_depth_does_not():
    coil = get_coil("rodent-fig8-25mm").transformed(pose_on_sphere(get_head("rat").scalp_radius_m))
    a = field_metrics(coil, get_head("rat"), didt_a_per_s=1.0)
    b = field_metrics(coil, get_head("rat"), didt_a_per_s=5e7)
    assert b.emax == pytest.approx(5e7 * a.emax)
    assert b.d_half_m == pytest.approx(a.d_half_m)


@pytest.mark.slow
def test_rodent_field_is_shallow_and_unfocal_relative_to_the_brain():
    # The reviews' point: a rodent coil as large as the head fills much of the brain.
    rat = get_head("rat")
    coil = get_coil("rodent-round-25-50mm").transformed(pose_on_sphere(rat.scalp_radius_m))
    m = field_metrics(coil, rat)
    brain_volume = 4 / 3 * np.pi * rat.brain_radius_m**3
    assert m.v_half_m3 / brain_volume > 0.3
    human = field_metrics(
        get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(HEAD.scalp_radius_m)), HEAD
    )
    assert human.v_half_m3 / (4 / 3 * np.pi * HEAD.brain_radius_m**3) < 0.02


WAVE = get_stimulator("magstim-rapid2").waveform("biphasic")


@settings(max_examples=25, deadline=None)
@given(unit=st.sampled_from(["didt", "current", "tesla", "vpm"]), value=st.floats(1e-2, 1e8))
def test_coil_dose_round_trips_through_every_unit(unit, value):
    coil = get_coil("rodent-round-25-50mm")
    dose = coil_dose(coil, WAVE, 2.5e-7, unit=unit, value=value)
    for other, key in (
        ("didt", "didt_a_per_s"),
        ("current", "peak_current_a"),
        ("tesla", "peak_b_t"),
        ("vpm", "efield_v_per_m"),
    ):
        again = coil_dose(coil, WAVE, 2.5e-7, unit=other, value=getattr(dose, key))
        assert again.didt_a_per_s == pytest.approx(dose.didt_a_per_s, rel=1e-12)
    assert dose.peak_b_t == pytest.approx(dose.peak_current_a * coil.tesla_per_ampere)


@pytest.mark.slow
def test_translation_matches_the_field_at_both_targets():
    rat = Setup(get_head("rat"), get_coil("rodent-round-25-50mm"), "hippocampus-ca1")
    human = Setup(
        get_head("human"),
        get_coil("magstim-70mm-fig8"),
        "motor-cortex-hand",
        didt_max_a_per_s=114.73e6,
    )
    result = translate(rat, "tesla", 1.26, human, WAVE)
    src, dst = result["source"], result["destination"]
    assert src["peak_b_t"] == pytest.approx(1.26)
    assert (
        src["efield_v_per_m"]
        == pytest.approx(dst["efield_v_per_m"])
        == pytest.approx(result["matched_efield_v_per_m"])
    )
    assert 0 < dst["pct_mso"] < 100
    # The rat field is far shallower in absolute terms than the human one.
    assert result["d_half_ratio"] > 2
    # Translating back recovers the rat intensity.
    back = translate(human, "didt", dst["didt_a_per_s"], rat, WAVE)
    assert back["destination"]["peak_b_t"] == pytest.approx(1.26, rel=1e-9)


def test_every_preset_has_a_source_and_valid_geometry():
    for name in list_coils():
        coil = get_coil(name)
        assert coil.source is not None and coil.source.citation
        assert coil.n_dipoles >= 200
        assert coil.dipole_positions[:, 2].max() <= 0  # windings above the face (z into head)
        assert coil.tesla_per_ampere > 0
    for name in list_heads():
        head = get_head(name)
        assert head.source.doi and head.brain_radius_m < head.scalp_radius_m
