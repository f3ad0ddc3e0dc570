"""Huang et al. 2011 theta-burst model (Clin Neurophysiol 122:1011, doi
10.1016/j.clinph.2010.08.016) and its corrected version (github.com/BIOMAKE/Revised_Huang_Model)."""

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.plasticity import tbs
from tmslab.plasticity.data import huang_sets
from tmslab.protocols.library import get_protocol


def script_recursion(bursts, trains, tbi, tgap, p, c=1.0):
    """Stages I-II exactly as the original / revised MATLAB scripts write them."""
    fk, ri, ik = p.f_k / c, p.r_i / c**2, p.i_k / c**2
    cmin, f, i = [0.0], [0.0], [0.0]
    for n in range(1, bursts + 1):
        kt = p.k_per_s * tbi
        cmin.append(c * (1 - np.exp(-n * kt)) / (1 - np.exp(-kt)) * np.exp(-kt))
        if p.increment_lag == 2:
            fn = cmin[n] if n == 1 else (p.r_f * (cmin[n] - cmin[n - 2]) + f[n - 1]) * np.exp(-fk)
        else:
            fn = (p.r_f * (cmin[n] - cmin[n - 1]) + f[n - 1]) * np.exp(-fk)
        f.append(fn)
        i.append((ri * cmin[n] + i[n - 1]) * np.exp(-ik))
    # FC_check / IC_check of HuangModel_Revised.m: trains add, decaying over the gaps
    g = (
        (1 - np.exp(-trains * p.b_k_per_s * tgap)) / (1 - np.exp(-p.b_k_per_s * tgap))
        if trains > 1
        else 1
    )
    return f[-1] * g, i[-1] * g


@pytest.mark.parametrize("set_name", ["revised", "huang2011"])
@pytest.mark.parametrize(
    ("protocol", "bursts", "trains", "tgap"), [("itbs", 10, 20, 8.0), ("ctbs", 200, 1, 0.0)]
)
def test_matches_the_scripts(set_name, protocol, bursts, trains, tgap):
    p = huang_sets()[set_name]
    run = tbs.simulate(get_protocol(protocol).pulse_times_s, p)
    f, i = script_recursion(bursts, trains, 0.16, tgap, p)
    assert run.facilitation[-1] == pytest.approx(f, rel=1e-9)
    assert run.inhibition[-1] == pytest.approx(i, rel=1e-9)


@pytest.mark.parametrize("set_name", ["revised", "huang2011"])
def test_itbs_facilitates_ctbs_inhibits(set_name):
    # Huang et al. 2005 (Neuron 45:201): iTBS raises and cTBS lowers MEPs; the model reproduces it
    p = huang_sets()[set_name]
    assert tbs.simulate(get_protocol("itbs").pulse_times_s, p).net > 0
    assert tbs.simulate(get_protocol("ctbs").pulse_times_s, p).net < 0
    assert tbs.simulate(get_protocol("ctbs300").pulse_times_s, p).net < 0


@pytest.mark.parametrize("set_name", ["revised", "huang2011"])
def test_relaxed_ctbs300_turns_facilitatory(set_name):
    # Huang 2011 / Gentner et al. 2008 (Cereb Cortex 18:2046): without a preceding contraction
    # (more calcium per burst), cTBS300 facilitates while cTBS600 still inhibits
    p = huang_sets()[set_name]
    assert tbs.simulate(get_protocol("ctbs300").pulse_times_s, p, contraction_before=False).net > 0
    assert tbs.simulate(get_protocol("ctbs").pulse_times_s, p, contraction_before=False).net < 0


def test_after_effect_peaks_later_for_more_bursts():
    # stage III: t_inh = 1800 s B^3.6/(130^3.6 + B^3.6): 200 bursts (cTBS600) -> 1485 s
    p = huang_sets()["huang2011"]
    run = tbs.simulate(get_protocol("ctbs").pulse_times_s, p)
    assert run.peak_time_s == round(1800 * 200**3.6 / (130**3.6 + 200**3.6))
    assert np.sign(run.peak_effect) == np.sign(run.net)
    assert abs(run.after_effect[-1]) < abs(run.peak_effect)


def test_bursts_and_trains_detected():
    pattern = tbs.burst_pattern(get_protocol("itbs").pulse_times_s)
    assert pattern.n_bursts == 200
    assert np.unique(pattern.train).size == 20
    assert pattern.period_s == pytest.approx(0.2)


@pytest.mark.parametrize("name", ["rtms-1hz", "qps5", "rtms-20hz"])
def test_non_theta_burst_patterns_are_refused(name):
    with pytest.raises(InvalidValueError, match="bursts of 3 pulses"):
        tbs.simulate(get_protocol(name).pulse_times_s, huang_sets()["revised"])
