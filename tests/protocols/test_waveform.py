"""Physics of the RLC stimulator model and the device presets built on it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from tmslab.errors import InvalidValueError, TmslabError, UnknownNameError
from tmslab.protocols.stimulators import (
    ASSUMED_CAPACITANCE_F,
    get_coil_didt,
    get_stimulator,
    list_coil_didts,
    list_stimulators,
)
from tmslab.protocols.waveform import MAX_DT_S, SHAPES, RLCCircuit, rlc_waveform
from tmslab.units import A_PER_US, US

# Stimulator-like circuits: C 20-500 uF, L 5-50 uH, R up to half of critical damping.
fractions = st.floats(0.0, 0.5, allow_nan=False)


@st.composite
def circuits(draw, min_damping_fraction: float = 0.0):
    c = draw(st.floats(20e-6, 500e-6))
    inductance = draw(st.floats(5e-6, 50e-6))
    frac = draw(st.floats(min_damping_fraction, 0.5))
    r = frac * 2.0 * math.sqrt(inductance / c)
    rd = draw(st.floats(0.05, 0.5))  # tail time constant <= 1 ms
    return RLCCircuit(c, inductance, r, rd)


v0s = st.floats(10.0, 3000.0)
common = settings(max_examples=60, deadline=None)


def ode_reference(circuit: RLCCircuit, v0: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integrate L dI/dt + R I = v_C, dv_C/dt = -I/C numerically: an independent reference."""

    def rhs(_, y):
        current, v_c = y
        return [
            (v_c - circuit.resistance_ohm * current) / circuit.inductance_h,
            -current / circuit.capacitance_f,
        ]

    sol = solve_ivp(rhs, (0.0, t[-1]), [0.0, v0], t_eval=t, rtol=1e-11, atol=1e-9, method="DOP853")
    current, v_c = sol.y
    return current, (v_c - circuit.resistance_ohm * current) / circuit.inductance_h


# -- the closed form -----------------------------------------------------------------------------


@common
@given(circuits(), v0s, st.sampled_from(SHAPES))
def test_didt_at_trigger_is_v0_over_l(circuit, v0, shape):
    w = circuit.waveform(shape, v0)
    assert w.didt_a_per_s[0] == pytest.approx(v0 / circuit.inductance_h, rel=1e-12)
    assert w.e_field[0] == 1.0
    assert w.current_a[0] == 0.0
    if shape != "monophasic":
        assert w.peak_didt_a_per_s == pytest.approx(v0 / circuit.inductance_h, rel=1e-12)
    else:  # the diode-branch tail can be steeper than the discharge onset
        i_peak = circuit.current(np.array([circuit.rise_time_s]), v0)[0]
        tau = circuit.decay_time_constant_s
        sampled_tail = i_peak / tau * math.exp(-w.dt_s / tau)  # first tail sample is <= dt late
        assert v0 / circuit.inductance_h * (1 - 1e-12) <= w.peak_didt_a_per_s
        assert min(sampled_tail, v0 / circuit.inductance_h) * (1 - 1e-12) <= w.peak_didt_a_per_s
        assert w.peak_didt_a_per_s <= max(i_peak / tau, v0 / circuit.inductance_h) * (1 + 1e-12)


@pytest.mark.parametrize(
    "circuit",
    [
        RLCCircuit(200e-6, 12e-6, 0.02),
        RLCCircuit(60e-6, 25e-6, 0.3),  # heavily damped, Q ~ 1.1
        RLCCircuit(185e-6, 16e-6, 0.0),  # lossless
    ],
)
def test_closed_form_matches_numerical_ode(circuit):
    v0 = 1500.0
    w = circuit.waveform("biphasic", v0, dt_s=0.5 * US)
    inside = w.t_s < w.duration_s
    current, didt = ode_reference(circuit, v0, w.t_s[inside])
    np.testing.assert_allclose(w.current_a[inside], current, rtol=0, atol=1e-7 * w.peak_current_a)
    np.testing.assert_allclose(
        w.didt_a_per_s[inside], didt, rtol=0, atol=1e-7 * w.peak_didt_a_per_s
    )


@common
@given(circuits(), v0s, st.floats(0.1, 10.0))
def test_linear_in_capacitor_voltage(circuit, v0, factor):
    a = circuit.waveform("biphasic", v0)
    b = circuit.waveform("biphasic", v0 * factor)
    np.testing.assert_allclose(b.didt_a_per_s, factor * a.didt_a_per_s, rtol=1e-12, atol=0)
    np.testing.assert_allclose(a.scaled(factor).current_a, b.current_a, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a.e_field, b.e_field, rtol=1e-13, atol=1e-15)


# -- shapes --------------------------------------------------------------------------------------


@common
@given(circuits(), v0s)
def test_biphasic_is_one_full_cycle_with_zero_net_charge(circuit, v0):
    w = circuit.waveform("biphasic", v0, dt_s=0.1 * US)
    period = 2 * math.pi / circuit.omega
    assert w.duration_s == pytest.approx(period, rel=1e-12)
    assert w.duration_s == pytest.approx(circuit.damped_period_s, rel=1e-12)
    # the free current returns to zero exactly at the end of the cycle, where the switch opens
    assert abs(circuit.current(np.array([period]), v0)[0]) < 1e-9 * w.peak_current_a
    assert w.t_s[-1] >= w.duration_s > w.t_s[-2]
    assert w.current_a[-1] == 0.0 and w.didt_a_per_s[-1] == 0.0
    # integral of e(t) over the pulse ~ 0 (zero net coil current change), unlike |e|
    inside = w.t_s < w.duration_s
    net = np.sum(w.e_field[inside]) * w.dt_s
    total = np.sum(np.abs(w.e_field[inside])) * w.dt_s
    assert abs(net) < 1e-2 * total
    # one sign change of the current, at half a period; two of the E-field
    # (crossings are linearly interpolated between samples: error ~ dt**2 curvature, < 1 % of dt)
    np.testing.assert_allclose(w.zero_crossings_s, [period / 2], atol=1e-2 * w.dt_s)
    assert len(w.didt_zero_crossings_s) == 2


def test_biphasic_efield_zero_crossings_are_analytic():
    circuit = RLCCircuit(200e-6, 12e-6, 0.05)
    w = circuit.waveform("biphasic", 1000.0, dt_s=0.1 * US)
    phase0 = math.atan2(circuit.omega, circuit.alpha_per_s)
    expected = [(phase0 + k * math.pi) / circuit.omega for k in (0, 1)]
    np.testing.assert_allclose(w.didt_zero_crossings_s, expected, rtol=0, atol=1e-3 * US)
    assert circuit.rise_time_s == pytest.approx(expected[0], rel=1e-12)


def test_period_tends_to_natural_period_as_resistance_vanishes():
    c, inductance = 200e-6, 12e-6
    natural = 2 * math.pi * math.sqrt(inductance * c)
    lossless = RLCCircuit(c, inductance, 0.0)
    assert lossless.damped_period_s == pytest.approx(natural, rel=1e-14)
    assert lossless.natural_period_s == pytest.approx(natural, rel=1e-14)
    previous = natural
    for r in (1e-4, 1e-3, 1e-2, 1e-1):
        circuit = RLCCircuit(c, inductance, r)
        x = circuit.alpha_per_s / circuit.natural_angular_frequency
        # T_d = T_0 / sqrt(1 - x^2): longer with damping, converging to T_0
        assert circuit.damped_period_s == pytest.approx(natural / math.sqrt(1 - x * x), rel=1e-12)
        assert circuit.damped_period_s > previous
        previous = circuit.damped_period_s
    assert RLCCircuit(c, inductance, 1e-6).damped_period_s == pytest.approx(natural, rel=1e-9)


@common
@given(circuits(), v0s)
def test_half_sine_ends_at_half_period_without_reversal(circuit, v0):
    w = circuit.waveform("half-sine", v0)
    assert w.duration_s == pytest.approx(math.pi / circuit.omega, rel=1e-12)
    assert np.all(w.current_a >= -1e-12 * w.peak_current_a)
    assert w.zero_crossings_s.size == 0
    assert np.all(w.current_a[w.t_s >= w.duration_s] == 0.0)


@common
@given(circuits(), v0s, st.integers(1, 5))
def test_polyphasic_has_n_cycles(circuit, v0, n):
    w = circuit.waveform("polyphasic", v0, n_cycles=n)
    assert w.duration_s == pytest.approx(n * circuit.damped_period_s, rel=1e-12)
    assert len(w.zero_crossings_s) == 2 * n - 1
    if n == 1:
        np.testing.assert_array_equal(w.current_a, circuit.waveform("biphasic", v0).current_a)


@common
@given(circuits(), v0s, st.floats(0.05, 1.0), st.sampled_from([1e-2, 1e-3, 1e-4]))
def test_monophasic_current_never_reverses_and_decays(circuit, v0, rd, fraction):
    circuit = circuit.with_damping_resistance(rd)
    w = circuit.waveform("monophasic", v0, decay_fraction=fraction)
    tau = circuit.inductance_h / (circuit.resistance_ohm + rd)
    assert circuit.decay_time_constant_s == pytest.approx(tau, rel=1e-12)
    assert w.duration_s == pytest.approx(
        circuit.rise_time_s + tau * math.log(1 / fraction), rel=1e-12
    )
    assert np.all(w.current_a >= 0.0)
    assert w.zero_crossings_s.size == 0
    # the peak is at the rise time; the tail is the exponential I_p exp(-(t - t_p)/tau)
    t_peak = circuit.rise_time_s
    i_peak = circuit.current(np.array([t_peak]), v0)[0]
    assert abs(w.t_s[np.argmax(w.current_a)] - t_peak) <= w.dt_s
    tail = (w.t_s >= t_peak) & (w.t_s < w.duration_s)
    np.testing.assert_allclose(
        w.current_a[tail], i_peak * np.exp(-(w.t_s[tail] - t_peak) / tau), rtol=1e-12
    )
    np.testing.assert_allclose(w.didt_a_per_s[tail], -w.current_a[tail] / tau, rtol=1e-12)
    last_inside = w.current_a[w.t_s < w.duration_s][-1]
    assert last_inside >= fraction * i_peak * (1 - 1e-9)
    assert last_inside * math.exp(-w.dt_s / tau) < fraction * i_peak * (1 + 1e-9)


@common
@given(
    st.floats(50 * US, 800 * US),
    st.floats(0.0, 3000.0),
    st.floats(20e-6, 500e-6),
)
def test_from_timing_round_trip(period, alpha, c):
    circuit = RLCCircuit.from_timing(period, alpha, c)
    assert circuit.damped_period_s == pytest.approx(period, rel=1e-10)
    assert circuit.alpha_per_s == pytest.approx(alpha, rel=1e-10, abs=1e-9)
    assert circuit.capacitance_f == c


@common
@given(st.floats(30 * US, 200 * US), st.floats(5e-6, 50e-6), st.floats(0.0, 0.05))
@example(rise=0.00019014113764866718, inductance=4.296742510936935e-05, r=1.7724910970002785e-188)
def test_from_rise_time_round_trip(rise, inductance, r):
    circuit = RLCCircuit.from_rise_time(rise, inductance, r)
    assert circuit.rise_time_s == pytest.approx(rise, rel=1e-9)
    assert (circuit.inductance_h, circuit.resistance_ohm) == (inductance, r)


def test_waveform_arrays_are_read_only():
    w = RLCCircuit(200e-6, 12e-6, 0.02).waveform("biphasic", 1000.0)
    with pytest.raises(ValueError):
        w.didt_a_per_s[0] = 0.0
    assert w.dt_s == pytest.approx(1 * US)


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: RLCCircuit(-1e-4, 12e-6, 0.02), InvalidValueError, "capacitance_f"),
        (lambda: RLCCircuit(2e-4, 0.0, 0.02), InvalidValueError, "inductance_h"),
        (lambda: RLCCircuit(2e-4, 12e-6, -0.01), InvalidValueError, "resistance_ohm"),
        (lambda: RLCCircuit(2e-4, 12e-6, float("nan")), InvalidValueError, "resistance_ohm"),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02).waveform("biphasic", 0.0),
            InvalidValueError,
            "v0_v",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02).waveform("biphasic", -5.0),
            InvalidValueError,
            "v0_v",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02).waveform("biphasic", 1e3, dt_s=6e-6),
            InvalidValueError,
            "dt_s",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02).waveform("biphasic", 1e3, dt_s=0.0),
            InvalidValueError,
            "dt_s",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02).waveform("triphasic", 1e3),
            UnknownNameError,
            "triphasic",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02).waveform("polyphasic", 1e3, n_cycles=0),
            InvalidValueError,
            "n_cycles",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.02, 0.1).waveform(
                "monophasic", 1e3, decay_fraction=1.0
            ),
            InvalidValueError,
            "decay_fraction",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 0.0).waveform("monophasic", 1e3),
            InvalidValueError,
            "never decays",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 1e-4).waveform("monophasic", 1e3),
            InvalidValueError,
            "would last",
        ),
        (
            lambda: RLCCircuit(2e-4, 12e-6, 1.0).waveform("biphasic", 1e3),
            InvalidValueError,
            "not underdamped",
        ),
        (
            lambda: RLCCircuit(1e-6, 1e-6, 2.0).waveform("half-sine", 1e3),
            InvalidValueError,
            "not underdamped",
        ),
        (
            lambda: RLCCircuit(1e-6, 2e-6, 0.0).waveform("half-sine", 1e3, dt_s=5e-6),
            InvalidValueError,
            "too coarse",
        ),
        (lambda: RLCCircuit.from_rise_time(100 * US, 10e-6, 1.0), InvalidValueError, "rise_time_s"),
    ],
)
def test_bad_input_raises_one_line_tmslab_error(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert isinstance(info.value, TmslabError)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_critically_damped_is_rejected_and_max_dt_is_allowed():
    c, inductance = 2e-4, 12e-6
    critical = RLCCircuit(c, inductance, 2 * math.sqrt(inductance / c))
    assert not critical.is_underdamped
    with pytest.raises(InvalidValueError):
        _ = critical.omega
    w = RLCCircuit(c, inductance, 0.02).waveform("biphasic", 1e3, dt_s=MAX_DT_S)
    assert w.dt_s == pytest.approx(MAX_DT_S)
    assert rlc_waveform(RLCCircuit(c, inductance, 0.02), "Half sine", 1e3).shape == "half-sine"


# -- presets -------------------------------------------------------------------------------------

# Samples of the damped-cosine fits to measured dI/dt waveforms distributed with SimNIBS
# (Drakaki et al. 2022, doi:10.1016/j.brs.2022.04.017), files
# resources/coil_models/Drakaki_BrainStim_2022/{MagVenture_MC-B70,Magstim_D70}.tsv: (t in us, fit).
MAGPRO_FIT = [(0.1, 0.99983653), (80.0, -0.11884400), (90.0, -0.30543038), (230.0, 0.07960411)]
RAPID_FIT = [(0.1, 0.99976873), (95.0, -0.20021609), (100.0, -0.27754649), (260.0, 0.06866975)]


@pytest.mark.parametrize(
    ("name", "fit"), [("magventure-magpro-x100", MAGPRO_FIT), ("magstim-rapid2", RAPID_FIT)]
)
def test_biphasic_presets_reproduce_the_measured_waveform_fit(name, fit):
    w = get_stimulator(name).waveform("biphasic", 100, dt_s=0.1 * US)
    for t_us, value in fit:
        k = round(t_us / 0.1)
        assert w.t_s[k] == pytest.approx(t_us * US)
        assert w.e_field[k] == pytest.approx(value, abs=2e-3)


def test_preset_timing_matches_the_documented_values():
    rapid = get_stimulator("Magstim Rapid²").circuit("biphasic")
    assert rapid.damped_period_s == pytest.approx(344.5 * US, abs=0.5 * US)  # measured fit, D70
    magpro = get_stimulator("MagPro X100").circuit("biphasic")
    assert 270 * US <= magpro.damped_period_s <= 310 * US
    assert magpro.damped_period_s == pytest.approx(303.0 * US, abs=0.5 * US)  # measured fit, MC-B70
    m200 = get_stimulator("magstim 200").circuit("monophasic")
    assert 80 * US <= m200.rise_time_s <= 120 * US
    assert m200.duration_s("monophasic") == pytest.approx(1000 * US, rel=1e-9)
    magpro_mono = get_stimulator("magventure-magpro-x100").circuit("monophasic")
    assert magpro_mono.rise_time_s == pytest.approx(73.9 * US, abs=0.1 * US)
    for name in list_stimulators():
        for shape, circuit in get_stimulator(name).circuits.items():
            assert circuit.is_underdamped, (name, shape)


def test_derived_circuit_values_match_the_notes():
    rapid = get_stimulator("magstim-rapid2")
    c = rapid.circuit("biphasic")
    assert c.capacitance_f == ASSUMED_CAPACITANCE_F
    assert (c.inductance_h / 1e-6, c.resistance_ohm * 1e3) == (
        pytest.approx(14.97, abs=0.01),
        pytest.approx(34.4, abs=0.1),
    )
    assert rapid.max_voltage_v == pytest.approx(1718, abs=1)
    magpro = get_stimulator("magventure-magpro-x100")
    c = magpro.circuit("biphasic")
    assert (c.inductance_h / 1e-6, c.resistance_ohm * 1e3) == (
        pytest.approx(11.61, abs=0.01),
        pytest.approx(18.7, abs=0.1),
    )
    assert magpro.max_voltage_v == pytest.approx(1803, abs=1)
    m200 = get_stimulator("magstim-200-2").circuit("monophasic")
    assert m200.capacitance_f / 1e-6 == pytest.approx(297, abs=1)


def test_measured_peak_didt_presets():
    expected = {
        ("magstim-rapid2", "D70"): 114.73,
        ("magventure-magpro-x100", "MC-B70"): 155.33,
        ("magventure-magpro-x100", "MCF-B65"): 147.86,
    }
    assert set(list_coil_didts()) == set(expected)
    for (stim, coil), a_per_us in expected.items():
        preset = get_coil_didt(stim, coil)
        assert preset.didt_max_a_per_s == pytest.approx(a_per_us * A_PER_US, rel=1e-12)
        assert preset.source.doi == "10.1016/j.brs.2022.04.017"
    assert get_coil_didt("MagPro X100", "mcf b65").coil == "MCF-B65"


@pytest.mark.parametrize("name", list_stimulators())
def test_full_output_waveform_hits_the_measured_didt(name):
    stim = get_stimulator(name)
    if stim.max_voltage_v is None:
        with pytest.raises(InvalidValueError, match="not known"):
            stim.waveform(stim.shapes[0])
        return
    reference = get_coil_didt(name, stim.reference_coil).didt_max_a_per_s
    for shape in stim.shapes:
        w = stim.waveform(shape, 100)
        assert w.didt_a_per_s[0] == pytest.approx(reference, rel=1e-12)
        assert stim.waveform(shape, 40).didt_a_per_s[0] == pytest.approx(0.4 * reference, rel=1e-12)


def test_every_preset_carries_a_source():
    for name in list_stimulators():
        source = get_stimulator(name).source
        assert source.citation and source.note
        assert source.doi.startswith("10.") or "Manual" in source.citation
    for stim, coil in list_coil_didts():
        source = get_coil_didt(stim, coil).source
        assert source.doi.startswith("10.") and "dIdtmax" in source.note


def test_unknown_names_raise():
    with pytest.raises(UnknownNameError, match="magventure-magpro-x100"):
        get_stimulator("Neuronetics")
    with pytest.raises(KeyError):
        get_coil_didt("magstim-rapid2", "MC-B70")
    with pytest.raises(InvalidValueError, match="available: biphasic"):
        get_stimulator("magstim-rapid2").circuit("monophasic")
    with pytest.raises(InvalidValueError, match="pct_mso"):
        get_stimulator("magstim-rapid2").waveform("biphasic", 120)
