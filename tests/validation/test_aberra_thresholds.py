"""Aberra et al. cells against the published thresholds (issue 17).

Needs NeMo-TMS's ``Aberra_human_L5.swc`` and ``Aberra_human_L23.swc`` (not shipped, GPL-3; see
:mod:`tmslab.neuron.aberra`) in ``$TMSLAB_MORPHOLOGIES``; skipped without them.

Published values:
- Aberra AS, Wang B, Grill WM, Peterchev AV (2020), Brain Stimul 13:175, doi
  10.1016/j.brs.2019.10.002: L5 pyramidal cells have the lowest thresholds of the five cell types;
  monophasic MagPro pulse, lowest 184 V/m and median over directions 248 V/m. Those are the
  minimum and median over the five L5 clones of their utms_maxH_w1_1-25.mat (183.8, 247.7),
  runs with the main axon's cut end disabled (their slurm/run_simUnifEthreshMap.slurm:
  replace_axon=2 for the L5 and L6 cells). Their runs of clone 1 with the axon intact
  (utms_maxH_w1_rax0_16-25.mat), which tmslab models, give lowest 125.8 V/m and median 212.3
  V/m over the 398 directions (reproduced with their own code: tools/aberra_original.py).
- Aberra AS, Peterchev AV, Grill WM (2018), J Neural Eng 15:066023, doi 10.1088/1741-2552/aadbb1:
  for every form of stimulation the lowest-threshold elements are axon (collateral) terminals.
- Weise K et al. (2025), Brain Stimul 18:280, doi 10.1016/j.brs.2025.02.007: conventionally
  simulated cortical neuron thresholds 175-350 V/m.

The table in docs/validation-neurons.md comes from ``python tools/validate_neurons.py
--write-docs`` (50 directions); these tests use 26 directions.

The five cell types (clone 1 of each, Blue Brain folders from Aberra et al. 2020's repository
github.com/Aman-A/TMSsim_Aberra2019 ``nrn/cells``, in ``$TMSLAB_MORPHOLOGIES``; skipped
without them) are compared direction by direction with their own uniform-field thresholds
(``mat/nrn_sim_data/utms_maxH_w1_1-25.mat``, for L5 and L6 ``utms_maxH_w1_rax0_16-25.mat``:
monophasic MagPro X100, 398 directions), at their lowest-threshold direction and six directions evenly through their list (values below).
"""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.neuron.aberra import available

needs_nemo = pytest.mark.skipif(
    not {"aberra-l5-pc", "aberra-l23-pc"} <= set(available()),
    reason="NeMo-TMS Aberra_human_L5.swc / Aberra_human_L23.swc not in $TMSLAB_MORPHOLOGIES",
)
N_DIRECTIONS = 26


@pytest.fixture(scope="module")
def thresholds():
    from tmslab.neuron.directions import fibonacci_sphere
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    directions = fibonacci_sphere(N_DIRECTIONS)
    drive = get_drive("monophasic", 2.5e-6)
    out = {}
    for name in ("aberra-l5-pc", "aberra-l23-pc"):
        model = get_model(name)
        got = direction_thresholds(model, drive, directions, "batched", 0.005)
        out[name] = (model, got)
    return out


@needs_nemo
@pytest.mark.slow
def test_l5_median_threshold_within_20_percent_of_aberra_2020(thresholds):
    """Against the paper's 248 V/m and their intact-axon runs' 212.3 V/m."""
    _, got = thresholds["aberra-l5-pc"]
    th = got.thresholds_v_per_m
    assert np.all(np.isfinite(th))
    assert np.median(th) == pytest.approx(248.0, rel=0.2)
    assert np.median(th) == pytest.approx(212.3, rel=0.2)


@needs_nemo
@pytest.mark.slow
def test_l5_lowest_threshold_within_20_percent_of_aberra_2020_intact_axon(thresholds):
    """Against their runs with the axon intact (utms_maxH_w1_rax0_16-25.mat, lowest 125.8 V/m).

    The paper's 184 V/m comes from runs with the main axon's terminal node disabled (their
    slurm/run_simUnifEthreshMap.slurm sets replace_axon=2 for the L5 and L6 cells: that node
    1000 um wide, cell_chooser.hoc); the cut end of the main axon then cannot fire first, as it
    does in some directions with the axon intact (docs/validation-neurons.md).
    """
    _, got = thresholds["aberra-l5-pc"]
    assert np.min(got.thresholds_v_per_m) == pytest.approx(125.8, rel=0.2)


@needs_nemo
@pytest.mark.slow
def test_l23_thresholds_in_the_simulated_cortical_range(thresholds):
    _, got = thresholds["aberra-l23-pc"]
    th = got.thresholds_v_per_m
    assert np.all(np.isfinite(th))
    assert 175.0 * 0.8 <= np.min(th) and np.median(th) <= 350.0 * 1.2


@needs_nemo
@pytest.mark.slow
def test_l5_has_lower_thresholds_than_l23(thresholds):
    l5 = thresholds["aberra-l5-pc"][1].thresholds_v_per_m
    l23 = thresholds["aberra-l23-pc"][1].thresholds_v_per_m
    assert np.min(l5) < np.min(l23) and np.median(l5) < np.median(l23)


@needs_nemo
@pytest.mark.slow
def test_action_potentials_start_at_axon_terminals(thresholds):
    for model, got in thresholds.values():
        branches = model.morphology.branches
        for node in got.initiation_node:
            b = int(model.cable.branch[node])
            assert branches[b].label in ("node", "unmyelinated")
            assert not any(other.parent == b for other in branches)  # a terminal


@needs_nemo
@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="open discrepancy: by rectangular pulses and Lapicque's fit tmslab's aberra-l5-pc "
    "gives tau 84-86 us (terminal nodes, NaTa_t at 37 degC), below the 100-300 us measured in "
    "human motor cortex (by the measurements' own cTMS method it is 168 us in the most "
    "excitable direction, in range: test_sd_ctms.py)",
)
def test_l5_strength_duration_time_constant_in_the_human_range(thresholds):
    from tmslab.neuron.sd_curve import strength_duration

    model, got = thresholds["aberra-l5-pc"]
    best = got.directions[int(np.argmin(got.thresholds_v_per_m))]
    sd = strength_duration(model, best, [30e-6, 60e-6, 120e-6], 2.5e-6, "batched", 0.005)
    assert 100e-6 <= sd.tau_s <= 300e-6


@needs_nemo
@pytest.mark.slow
@pytest.mark.neuron
def test_neuron_and_batched_agree_on_the_l5_cell():
    """One direction, both solvers, same bisection: within 1 % (measured: 156.45 V/m both)."""
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    model = get_model("aberra-l5-pc")
    drive = get_drive("monophasic", 2.5e-6)
    down = np.array([[0.0, -1.0, 0.0]])
    a, b = (
        direction_thresholds(model, drive, down, s, 0.005).thresholds_v_per_m[0]
        for s in ("neuron", "batched")
    )
    assert a == pytest.approx(b, rel=0.01)


# -- five cell types, Aberra et al. 2020 (clone 1) ------------------------------------------------

# Their directions (theta, phi) in degrees, indices 0, 79, 158, 237, 316, 397 of their 398.
EVEN_DIRECTIONS = [(0, 0), (45, 60), (75, 130), (105, 210), (135, 280), (180, 0)]
# Folder: (lowest-threshold direction, its threshold, thresholds along EVEN_DIRECTIONS), V/m,
# from utms_maxH_w1_1-25.mat (threshEs), Aberra et al.'s repository at commit 8ec575a; L5 and
# L6 from utms_maxH_w1_rax0_16-25.mat, their runs with the axon intact as tmslab models it (the
# 1-25 file's L5 and L6 rows had the main axon's terminal disabled, replace_axon=2).
PUBLISHED_TYPES = {
    "L1_NGC-DA_bNAC219_1": ((90, 320), 352.9, [721.6, 503.1, 473.9, 574.9, 570.1, 475.3]),
    "L23_PC_cADpyr229_1": ((150, 190), 176.3, [306.3, 314.3, 312.4, 237.3, 260.4, 214.1]),
    "L4_LBC_cACint209_1": ((45, 270), 220.2, [254.0, 232.5, 310.0, 235.1, 318.3, 242.7]),
    "L5_TTPC2_cADpyr232_1": ((180, 0), 125.8, [203.4, 229.8, 281.1, 222.0, 175.6, 125.8]),
    "L6_TPC_L4_cADpyr231_1": ((90, 340), 214.6, [336.3, 318.8, 389.7, 383.4, 303.0, 261.6]),
}


def _folder(name: str):
    from tmslab.neuron.aberra import TYPE_FOLDERS, find_folder

    cell = next(c for c in TYPE_FOLDERS.values() if c.folder == name)
    return find_folder(cell)


def _unit(theta_deg: float, phi_deg: float) -> np.ndarray:
    t, p = np.radians(theta_deg), np.radians(phi_deg)
    return np.array([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)])


@pytest.fixture(scope="module")
def type_thresholds():
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import model_from_bluebrain
    from tmslab.neuron.threshold import direction_thresholds

    drive = get_drive("monophasic", 2.5e-6)
    out = {}
    for name, (low_dir, low, even) in PUBLISHED_TYPES.items():
        folder = _folder(name)
        if folder is None:
            continue
        model = model_from_bluebrain(folder)
        dirs = np.array([_unit(*low_dir)] + [_unit(*d) for d in EVEN_DIRECTIONS])
        got = direction_thresholds(model, drive, dirs, "batched", 0.005)
        out[name] = (model, got, np.array([low, *even]))
    if not out:
        pytest.skip("no Blue Brain cell folders of Aberra et al. 2020 in $TMSLAB_MORPHOLOGIES")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PUBLISHED_TYPES))
def test_type_thresholds_against_aberra_2020_direction_by_direction(type_thresholds, name):
    if name not in type_thresholds:
        pytest.skip(f"{name} not in $TMSLAB_MORPHOLOGIES")
    _, got, published = type_thresholds[name]
    th = got.thresholds_v_per_m
    assert np.all(np.isfinite(th))
    # issue 17's goal; with the cell's steady-state rest (tmslab.neuron.rest) all five meet it
    # (docs/validation-neurons.md: medians 0.98-1.11 over 100 directions)
    assert float(np.median(th / published)) == pytest.approx(1.0, abs=0.20)


@pytest.mark.slow
def test_types_in_the_published_order_of_median_threshold(type_thresholds):
    """Over the same seven directions, the types rank by median threshold as Aberra et al.'s."""
    if len(type_thresholds) < 5:
        pytest.skip("needs all five folders")
    ours = {k: float(np.median(v[1].thresholds_v_per_m)) for k, v in type_thresholds.items()}
    theirs = {k: float(np.median(v[2])) for k, v in type_thresholds.items()}
    assert sorted(ours, key=ours.get) == sorted(theirs, key=theirs.get)


@pytest.mark.slow
def test_type_action_potentials_start_at_axon_terminals(type_thresholds):
    for model, got, _ in type_thresholds.values():
        branches = model.morphology.branches
        for node in got.initiation_node:
            b = int(model.cable.branch[node])
            assert branches[b].label in ("node", "unmyelinated")
            assert not any(other.parent == b for other in branches)


@pytest.mark.slow
def test_l1_ngc_has_the_highest_thresholds_of_the_five(type_thresholds):
    """Aberra et al. 2020: L1 interneurons are the least excitable type."""
    if len(type_thresholds) < 5:
        pytest.skip("needs all five folders")
    medians = {k: float(np.median(v[1].thresholds_v_per_m)) for k, v in type_thresholds.items()}
    assert max(medians, key=medians.get) == "L1_NGC-DA_bNAC219_1"
