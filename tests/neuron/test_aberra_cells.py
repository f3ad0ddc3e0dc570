"""Aberra et al. 2018 cells: the ``aberra`` SWC membranes, the named models read from the users'
NeMo-TMS files, and Aberra-style myelination of plain SWC axons (issue 17).

The NeMo-TMS morphologies are not shipped (GPL-3, derived from CC BY-NC-SA Blue Brain cells);
these tests use tmslab's own synthetic pyramidal cell in the same TREES layout
(``data/nemo_synthetic_pyramidal.swc``, see test_swc_types.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.neuron.aberra import CELLS, MORPHOLOGY_ENV, MorphologyNotFoundError
from tmslab.neuron.membranes import (
    ABERRA_DENDRITE,
    ABERRA_MYELIN,
    ABERRA_NODE,
    ABERRA_SOMA,
    ABERRA_UNMYELINATED,
    CTX_AXON_UNMYELINATED,
)
from tmslab.neuron.models import ABERRA_SWC_WARNING, get_model, list_models, model_from_swc
from tmslab.neuron.myelin import MyelinationRules, myelinate
from tmslab.neuron.swc import MYELIN, NODE, UNMYELINATED, format_swc, parse_swc, swc_branches
from tmslab.units import S_PER_CM2, UF_PER_CM2, UM

FIXTURE = Path(__file__).parent / "data" / "nemo_synthetic_pyramidal.swc"
TEXT = FIXTURE.read_text()


def plain(text: str) -> str:
    """The fixture with its myelin, nodes and unmyelinated axon turned back into plain axon."""
    out = []
    for line in text.splitlines():
        fields = line.split(" ", 2)
        if not line.startswith("#") and fields[1] in ("5", "6", "7"):
            fields[1] = "2"
            line = " ".join(fields)
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture(autouse=True)
def no_user_morphologies(monkeypatch, tmp_path):
    """Point the morphology search at an empty folder, and forget cached named models."""
    from tmslab.neuron import models

    monkeypatch.setenv(MORPHOLOGY_ENV, str(tmp_path / "none"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in CELLS:
        models._CACHE.pop(name, None)
    yield
    for name in CELLS:
        models._CACHE.pop(name, None)


# -- membranes ----------------------------------------------------------------------------------


def test_aberra_membranes_carry_the_published_numbers():
    """NeMo-TMS's Aberra_L5_model.m: nodes twice the axon's NaTa_t, myelin cm 0.02 uF/cm^2 and
    g 1/1.125e6 S/cm^2, dendrites cm 2 uF/cm^2, soma Kv3.1 0.303472 and Na 0.983955 S/cm^2."""
    assert ABERRA_NODE.g_na_s_per_m2 == pytest.approx(2 * 3.137968 * S_PER_CM2)
    assert ABERRA_NODE.g_kp_s_per_m2 == CTX_AXON_UNMYELINATED.g_kp_s_per_m2
    assert ABERRA_UNMYELINATED.g_na_s_per_m2 == CTX_AXON_UNMYELINATED.g_na_s_per_m2
    assert ABERRA_MYELIN.cm_f_per_m2 == pytest.approx(0.02 * UF_PER_CM2)
    assert ABERRA_MYELIN.g_leak_s_per_m2 == pytest.approx(S_PER_CM2 / 1.125e6)
    assert ABERRA_DENDRITE.cm_f_per_m2 == pytest.approx(2 * UF_PER_CM2)
    assert ABERRA_SOMA.g_k_s_per_m2 == pytest.approx(0.303472 * S_PER_CM2)
    assert ABERRA_SOMA.g_na_s_per_m2 == pytest.approx(0.983955 * S_PER_CM2)
    for m in (ABERRA_NODE, ABERRA_UNMYELINATED, ABERRA_MYELIN, ABERRA_DENDRITE, ABERRA_SOMA):
        assert m.ra_ohm_m == pytest.approx(1.0)  # 100 ohm cm


def test_swc_types_get_the_aberra_membranes():
    model = model_from_swc(FIXTURE, membrane="aberra")
    by_label = {b.label: b.membrane for b in model.morphology.branches}
    assert by_label["node"] is ABERRA_NODE
    assert by_label["myelin"] is ABERRA_MYELIN
    assert by_label["unmyelinated"] is ABERRA_UNMYELINATED
    assert by_label["soma"] is ABERRA_SOMA
    assert by_label["apic"] is ABERRA_DENDRITE and by_label["dend"] is ABERRA_DENDRITE
    assert model.celsius == 37.0 and model.v_rest_v == pytest.approx(-0.08086)
    assert ABERRA_SWC_WARNING in model.warnings  # what is left out is said beside every threshold
    assert not any("MRG" in w for w in model.warnings)


@pytest.mark.neuron
@pytest.mark.slow
def test_neuron_and_batched_agree_on_the_aberra_membranes():
    """NEURON (tmslab_ctxaxon.mod + pas) and the batched solver: same threshold, same site."""
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.threshold import direction_thresholds

    model = model_from_swc(FIXTURE, membrane="aberra")
    down = np.array([[0.0, -1.0, 0.0]])
    for shape in ("monophasic", "biphasic"):
        drive = get_drive(shape, 2.5e-6)
        got = [direction_thresholds(model, drive, down, s, 0.005) for s in ("neuron", "batched")]
        a, b = (g.thresholds_v_per_m[0] for g in got)
        assert a == pytest.approx(b, rel=0.011)


def test_fixture_threshold_is_cortical_and_starts_in_the_axon():
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.threshold import direction_thresholds

    model = model_from_swc(FIXTURE, membrane="aberra")
    got = direction_thresholds(
        model, get_drive("monophasic", 2.5e-6), np.array([[0.0, -1.0, 0.0]]), "batched", 0.02
    )
    assert 50.0 < got.thresholds_v_per_m[0] < 1000.0
    branch = model.morphology.branches[model.cable.branch[got.initiation_node[0]]]
    assert branch.label in ("node", "unmyelinated")


# -- named models -------------------------------------------------------------------------------


def test_named_model_without_its_file_is_a_one_line_error_naming_where_to_get_it():
    with pytest.raises(MorphologyNotFoundError) as caught:
        get_model("aberra-l5-pc")
    text = str(caught.value)
    assert "\n" not in text and "Aberra_human_L5.swc" in text and "NeMo-TMS" in text
    assert MORPHOLOGY_ENV in text
    assert isinstance(caught.value, TmslabError)
    assert "aberra-l5-pc" not in list_models()  # listed only where it can be built


def test_cli_named_model_without_file_exits_2(capsys):
    from tmslab.cli import main

    code = main(["neuron", "threshold", "--model", "aberra-l23-pc", "--solver", "batched"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_named_model_reads_the_users_file_and_flags_a_different_one(monkeypatch, tmp_path):
    folder = tmp_path / "cells"
    folder.mkdir()
    (folder / "Aberra_human_L5.swc").write_text(TEXT)
    monkeypatch.setenv(MORPHOLOGY_ENV, str(folder))
    assert "aberra-l5-pc" in list_models() and "aberra-l23-pc" not in list_models()
    model = get_model("aberra-l5-pc")
    assert model.name == "aberra-l5-pc"
    assert "SHA-256 differs" in model.warnings[0]
    # its own NeMo-TMS densities (tmslab/data/neuron/nemo_tms/aberra-l5-pc.biophysics.hoc)
    names = {b.membrane.name for b in model.morphology.branches}
    assert {"aberra-l5-pc-node", "aberra-l5-pc-myelin", "aberra-l5-pc-apical"} <= names
    assert model.held is not None
    assert not any("no fixed meaning" in w for w in model.warnings)  # 6/7 roles known per cell


# -- myelination --------------------------------------------------------------------------------


def _runs(points):
    """(type, length um) of each same-type stretch, by branch."""
    out = []
    for piece in swc_branches(points):
        steps = np.linalg.norm(np.diff(piece.points_m, axis=0), axis=1)
        out.append((piece.kind, float(np.sum(steps)) / UM, piece))
    return out


def test_myelinate_lays_out_internodes_and_nodes():
    points = myelinate(parse_swc(plain(TEXT)))
    kinds = Counter(p.kind for p in points)
    assert kinds[MYELIN] and kinds[NODE] and 2 not in kinds
    runs = _runs(points)
    nodes = [length for kind, length, _ in runs if kind == NODE]
    assert nodes and max(nodes) == pytest.approx(1.0, abs=1e-6)
    # every axon end is a node (as in NeMo-TMS's cells), the axon starts unmyelinated at the soma
    pieces = [piece for _, _, piece in runs]
    parents = {piece.parent for piece in pieces}
    ends = [p.kind for i, p in enumerate(pieces) if i not in parents and p.kind in (5, 6, 7)]
    assert ends and set(ends) == {NODE}
    first_axon = next(p for p in pieces if p.kind in (5, 6, 7) and p.parent == 0)
    assert first_axon.kind == UNMYELINATED


def test_myelinate_keeps_the_tree_and_round_trips():
    before = parse_swc(plain(TEXT))
    after = myelinate(before)
    old = {p.ident: p for p in before}
    assert all(old[p.ident].position_m == p.position_m for p in after if p.ident in old)
    assert {p.ident for p in before} <= {p.ident for p in after}
    assert parse_swc(format_swc(after, "x")) == parse_swc(format_swc(after, "x"))
    length = sum(length for _, length, _ in _runs(before))
    assert sum(length for _, length, _ in _runs(after)) == pytest.approx(length, rel=1e-9)


def test_myelinate_refuses_a_myelinated_file_and_bad_rules():
    with pytest.raises(InvalidValueError, match="already"):
        myelinate(parse_swc(TEXT))
    with pytest.raises(InvalidValueError):
        MyelinationRules(node_length_m=0.0)


def test_thin_axon_stays_unmyelinated():
    rules = MyelinationRules(min_diameter_m=1.0)  # thicker than any axon: nothing myelinated
    kinds = {p.kind for p in myelinate(parse_swc(plain(TEXT)), rules)}
    assert MYELIN not in kinds and NODE not in kinds and UNMYELINATED in kinds


def test_model_from_swc_myelinates_on_request(tmp_path):
    path = tmp_path / "plain.swc"
    path.write_text(plain(TEXT))
    model = model_from_swc(path, membrane="aberra", myelinate=True)
    labels = Counter(b.label for b in model.morphology.branches)
    assert labels["node"] and labels["myelin"]
    assert any("myelinated by tmslab" in w for w in model.warnings)
    with pytest.raises(InvalidValueError, match="already"):
        model_from_swc(FIXTURE, membrane="aberra", myelinate=True)


# -- soma channel set (NaTs2_t) -------------------------------------------------------------------


@pytest.mark.parametrize("v", [-100.0, -80.86, -60.0, -32.0, -10.0, 0.0, 35.0])
def test_soma_na_is_nats2_t_as_published(v):
    """Hay et al. 2011's NaTs2_t (as Aberra et al. 2018 scale it, phi = 2.3^((T - 21)/10)):
    alpha_m = 0.182 (v + 32) / (1 - exp(-(v + 32)/6)), beta_m = 0.124 (-v - 32) /
    (1 - exp((v + 32)/6)), alpha_h = -0.015 (v + 60) / (1 - exp((v + 60)/6)), beta_h =
    -0.015 (-v - 60) / (1 - exp(-(v + 60)/6)); the other gates are the axon set's."""
    import math

    from tmslab.neuron.kinetics import CTX_AXON, CTX_SOMA, gate_state

    def ratio(x, y):  # x / (1 - exp(-x / y)) with its limit y at x = 0
        return y if abs(x) < 1e-9 else x / (1 - math.exp(-x / y))

    phi = 2.3 ** ((37.0 - 21.0) / 10.0)
    ma, mb = 0.182 * ratio(v + 32, 6), 0.124 * ratio(-v - 32, 6)
    ha, hb = 0.015 * ratio(-(v + 60), 6), 0.015 * ratio(v + 60, 6)
    for gate, (a, b) in enumerate(((ma, mb), (ha, hb))):
        inf, tau = gate_state(CTX_SOMA, v, gate, 37.0)
        assert inf == pytest.approx(a / (a + b), rel=1e-4, abs=1e-12)
        assert tau == pytest.approx(1 / ((a + b) * phi), rel=1e-4)
    for gate in range(2, 9):
        assert gate_state(CTX_SOMA, v, gate, 37.0) == gate_state(CTX_AXON, v, gate, 37.0)
    assert ABERRA_SOMA.channels == "ctx-soma"


@pytest.mark.neuron
def test_soma_set_agrees_with_neuron_through_an_action_potential():
    """A soma-only cell with the NaTs2_t set, driven by a field: NEURON (vshna = 6) and the
    batched solver trace the same membrane potential to 0.01 mV."""
    from tmslab.neuron.batched import BatchedSolver
    from tmslab.neuron.coupling import uniform_quasipotential
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.nrn import NeuronSolver
    from tmslab.neuron.threshold import direction_thresholds

    model = model_from_swc(FIXTURE, membrane="aberra")
    drive = get_drive("biphasic", 2.5e-6)
    direction = np.array([0.0, -1.0, 0.0])
    profile = uniform_quasipotential(model.cable.position_m, direction)[None]
    amplitude = 1.2 * direction_thresholds(model, drive, [direction]).thresholds_v_per_m[0]
    ours = BatchedSolver(model, drive).simulate(profile, [amplitude], keep_traces=True)
    theirs = NeuronSolver(model, drive).simulate(profile, [amplitude], keep_traces=True)
    assert ours.fired[0] and theirs.fired[0]
    assert np.max(np.abs(ours.traces_v - theirs.traces_v)) < 1e-5


def test_resolve_cell_passes_myelinate_to_swc_files_only(tmp_path):
    from tmslab.neuron.workflows import resolve_cell

    path = tmp_path / "plain.swc"
    path.write_text(plain(TEXT))
    cell = resolve_cell(None, path, membrane="aberra", myelinate=True)
    assert any(b.label == "node" for b in cell.morphology.branches)
    with pytest.raises(InvalidValueError, match="--myelinate"):
        resolve_cell("axon-straight", myelinate=True)


def test_cli_myelinates_a_plain_swc_axon_on_request(tmp_path, cli):
    """`--myelinate` reaches the SWC reader: the cell is flagged as myelinated by tmslab."""
    path = tmp_path / "plain.swc"
    path.write_text(plain(TEXT))
    args = ["neuron", "nodes", "--swc", path, "--membrane", "aberra", "--out", tmp_path / "n.csv"]
    assert "myelinated by tmslab" not in cli.ok(*args).out
    assert "myelinated by tmslab" in cli.ok(*args, "--myelinate").out
