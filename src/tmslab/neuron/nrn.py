"""The NEURON simulator: the only module of tmslab that imports ``neuron``.

A :class:`NeuronSolver` builds a cell from a :class:`~tmslab.neuron.models.CellModel` (one
section per branch, ``nseg`` and per-segment diameters from the model, no 3-D points, so NEURON's
areas and axial resistances are those of :mod:`tmslab.neuron.cable`), inserts the membranes
(built-in ``hh`` with ``usetable_hh = 0``, ``pas``, and ``tmslab_mrg`` and ``tmslab_ctxaxon``
from ``src/tmslab/data/neuron``) and ``extracellular`` everywhere, and plays the quasipotentials into
``e_extracellular`` with continuous ``Vector.play``. Runs use NEURON's fixed step (backward
Euler, ``secondorder = 0``) with dt from the drive.

Units: NEURON works in um, ms, mV, mA/cm^2, S/cm^2, uF/cm^2 and ohm cm; the conversions from
tmslab's SI units happen here and nowhere else.

The MRG and cortical-axon mechanisms are compiled with ``nrnivmodl`` on first use into tmslab's per-user cache
(``$TMSLAB_CACHE_DIR`` or ``~/.cache/tmslab/neuron/<hash>``), never into site-packages.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from tmslab.errors import TmslabError
from tmslab.neuron._jit import user_cache_dir
from tmslab.neuron.kinetics import CTX_AXON, CTX_SOMA, HH, MRG, NATS2_SHIFT_MV
from tmslab.neuron.membranes import leak_reversal_in_cell
from tmslab.neuron.rest import node_membranes, uniform_rest
from tmslab.neuron.solver_base import SimulationResult, check_batch, time_grid
from tmslab.units import (
    CM2,
    CM_PER_M,
    MICROSIEMENS_PER_S,
    MS_PER_S,
    MV,
    MV_PER_V,
    OHM_PER_MOHM,
    UF_PER_CM2_PER_F_PER_M2,
    UM2,
    UM_PER_M,
)

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
from neuron import h

MOD_DIR = Path(__file__).resolve().parent.parent / "data" / "neuron"
MECHANISMS = ("tmslab_mrg", "tmslab_ctxaxon")
# where each mechanism keeps its leak: (name, conductance S/cm^2, reversal mV)
LEAKS = (
    ("tmslab_ctxaxon", "gl", "el"),
    ("tmslab_mrg", "gl", "el"),
    ("hh", "gl", "el"),
    ("pas", "g", "e"),
)
_state = {"loaded": False}


class NeuronSetupError(TmslabError):
    """NEURON's mechanisms could not be compiled or loaded."""


def _mod_files() -> list[Path]:
    return sorted(MOD_DIR.glob("*.mod"))


def _mechanisms_known() -> bool:
    probe = h.Section(name="tmslab_probe")
    try:
        for name in MECHANISMS:
            probe.insert(name)
        return True
    except ValueError:
        return False
    finally:
        h.delete_section(sec=probe)


def _nrnivmodl() -> str:
    beside = Path(sys.executable).with_name("nrnivmodl")
    if beside.exists():
        return str(beside)
    found = shutil.which("nrnivmodl")
    if not found:
        raise NeuronSetupError(
            "nrnivmodl not found; install NEURON with pip (pip install neuron) in this environment"
        )
    return found


def compiled_library() -> Path:
    """Compile the .mod files (once per content) and return the path of libnrnmech.so."""
    files = _mod_files()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(str(getattr(sys.modules.get("neuron"), "__version__", "")).encode())
    target = user_cache_dir() / "neuron" / digest.hexdigest()[:16]
    library = _find_library(target)
    if library is not None:
        return library
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent))
    except OSError as error:
        raise NeuronSetupError(
            f"cannot create the NEURON mechanism cache in {target.parent} ({error.strerror}); "
            "set TMSLAB_CACHE_DIR to a writable folder"
        ) from None
    try:
        for path in files:
            shutil.copy(path, work / path.name)
        done = subprocess.run(
            [_nrnivmodl(), "."], cwd=work, capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or _find_library(work) is None:
            lines = [ln for ln in (done.stderr + done.stdout).splitlines() if "rror" in ln]
            hint = lines[0].strip() if lines else f"exit code {done.returncode}"
            raise NeuronSetupError(
                f"nrnivmodl could not compile tmslab's NEURON mechanisms ({hint}); "
                "check that gcc and make are installed"
            )
        try:
            os.replace(work, target)
        except OSError:  # another process finished first: use its build
            shutil.rmtree(work, ignore_errors=True)
    finally:
        if work.exists() and work != target:
            shutil.rmtree(work, ignore_errors=True)
    library = _find_library(target)
    if library is None:
        raise NeuronSetupError(
            f"compiled NEURON mechanisms missing in {target}; delete that folder and retry"
        )
    return library


def _find_library(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    hits = sorted(folder.glob("*/libnrnmech.so")) + sorted(folder.glob("*/.libs/libnrnmech.so"))
    return hits[0] if hits else None


def load_mechanisms() -> None:
    """Make tmslab's NEURON mechanisms available in this process (compiling them if needed)."""
    if _state["loaded"] or _mechanisms_known():
        _state["loaded"] = True
        return
    library = compiled_library()
    if not h.nrn_load_dll(str(library)):
        raise NeuronSetupError(f"NEURON could not load {library}; delete that folder and retry")
    _state["loaded"] = True


class NeuronSolver:
    """One NEURON cell of ``model`` driven by ``drive``; runs a batch one run after another.

    NEURON advances every section that exists, so keep one solver alive at a time for speed;
    results are not affected by other cells (they are not connected).

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The normalised pulse; its step is the solver step.
    record_all : bool
        Record every compartment (to find where an action potential starts).
    """

    name = "neuron"
    batch = 1  # runs go one after another

    def __init__(self, model, drive, record_all: bool = False) -> None:
        load_mechanisms()
        self.model = model
        self.drive = drive
        self.grid = time_grid(model, drive)
        self.record_all = record_all
        self._build()

    @property
    def n_nodes(self) -> int:
        return self.model.cable.n_nodes

    def _build(self) -> None:
        model, cable = self.model, self.model.cable
        v_rest_mv = model.v_rest_v * MV_PER_V
        self.sections = []
        for index, branch in enumerate(model.morphology.branches):
            sec = h.Section(name=f"{model.name}_{index}")
            sec.L = branch.length_m * UM_PER_M
            sec.nseg = branch.n_segments
            sec.Ra = branch.membrane.ra_ohm_m * CM_PER_M
            membrane = branch.membrane
            e_leak_mv = leak_reversal_in_cell(membrane, model.v_rest_v, model.celsius) * MV_PER_V
            if membrane.kind == HH:
                sec.insert("hh")
                sec.ena = membrane.e_na_v * MV_PER_V
                sec.ek = membrane.e_k_v * MV_PER_V
            elif membrane.kind == MRG:
                sec.insert("tmslab_mrg")
            elif membrane.kind in (CTX_AXON, CTX_SOMA):
                sec.insert("tmslab_ctxaxon")
            else:
                sec.insert("pas")
            sec.insert("extracellular")
            for seg, diameter in zip(sec, branch.mean_diameters(), strict=True):
                seg.diam = diameter * UM_PER_M
                seg.cm = membrane.cm_f_per_m2 * UF_PER_CM2_PER_F_PER_M2
                if membrane.kind == HH:
                    seg.hh.gnabar = membrane.g_na_s_per_m2 * CM2
                    seg.hh.gkbar = membrane.g_k_s_per_m2 * CM2
                    seg.hh.gl = membrane.g_leak_s_per_m2 * CM2
                    seg.hh.el = e_leak_mv
                elif membrane.kind == MRG:
                    mech = seg.tmslab_mrg
                    mech.gnabar = membrane.g_na_s_per_m2 * CM2
                    mech.gnapbar = membrane.g_nap_s_per_m2 * CM2
                    mech.gkbar = membrane.g_k_s_per_m2 * CM2
                    mech.gl = membrane.g_leak_s_per_m2 * CM2
                    mech.ena = membrane.e_na_v * MV_PER_V
                    mech.ek = membrane.e_k_v * MV_PER_V
                    mech.el = e_leak_mv
                elif membrane.kind in (CTX_AXON, CTX_SOMA):
                    mech = seg.tmslab_ctxaxon
                    # NaTs2_t on the soma set: NaTa_t's gates moved by 6 mV
                    mech.vshna = NATS2_SHIFT_MV if membrane.kind == CTX_SOMA else 0.0
                    mech.gnabar = membrane.g_na_s_per_m2 * CM2
                    mech.gnapbar = membrane.g_nap_s_per_m2 * CM2
                    mech.gkpbar = membrane.g_kp_s_per_m2 * CM2
                    mech.gktbar = membrane.g_kt_s_per_m2 * CM2
                    mech.gkbar = membrane.g_k_s_per_m2 * CM2
                    mech.gl = membrane.g_leak_s_per_m2 * CM2
                    mech.ena = membrane.e_na_v * MV_PER_V
                    mech.ek = membrane.e_k_v * MV_PER_V
                    mech.el = e_leak_mv
                else:
                    seg.pas.g = membrane.g_leak_s_per_m2 * CM2
                    seg.pas.e = e_leak_mv
            if branch.parent >= 0:
                sec.connect(self.sections[branch.parent](branch.parent_x), 0)
            self.sections.append(sec)
        # cable node -> NEURON segment, for every node with membrane
        self._nodes = np.nonzero(cable.has_membrane)[0]
        self._segments = [
            self.sections[cable.branch[i]](
                (cable.segment[i] + 0.5) / model.morphology.branches[cable.branch[i]].n_segments
            )
            for i in self._nodes
        ]
        self._tvec = h.Vector(np.arange(self.grid.n_steps + 1) * self.grid.dt_s * MS_PER_S)
        unit = self.drive.samples(self.grid.n_steps, self.grid.onset_steps)
        self._unit = h.Vector(unit)
        self._plays = []
        for seg in self._segments:
            vec = h.Vector(len(unit))
            vec.play(seg._ref_e_extracellular, self._tvec, True)
            self._plays.append(vec)
        rec_nodes = self._nodes if self.record_all else model.record_nodes
        self._record_nodes = np.asarray(rec_nodes)
        seg_of = dict(zip(self._nodes.tolist(), self._segments, strict=True))
        self._records = [h.Vector().record(seg_of[int(i)]._ref_v) for i in rec_nodes]
        self._v_rest_mv = v_rest_mv
        if model.held is not None:
            self._hold_channels()
        # a rest that varies along the cell: each segment's v, set before each run
        self._rest_mv = None if uniform_rest(model) else model.rest_v * MV_PER_V

    def _hold_channels(self) -> None:
        """Each segment's leak plus the held channels frozen at its rest (the batched solver's
        per-node leak, :func:`tmslab.neuron.rest.node_membranes`)."""
        p = node_membranes(self.model)
        per_s_per_m2 = self.model.cable.area_m2 * MICROSIEMENS_PER_S
        has = np.any(self.model.held.density_s_per_m2 > 0, axis=0)
        for node, seg in zip(self._nodes, self._segments, strict=True):
            if not has[node]:
                continue
            g = p["gl"][node] / per_s_per_m2[node] * CM2
            e = p["el"][node]
            for name, g_attr, e_attr in LEAKS:
                if hasattr(seg, name):
                    mech = getattr(seg, name)
                    setattr(mech, g_attr, g)
                    setattr(mech, e_attr, e)
                    break

    def segment_geometry(self) -> tuple[np.ndarray, np.ndarray]:
        """NEURON's own area and axial resistance of each compartment node of the cable.

        For checking :mod:`tmslab.neuron.cable`.

        Returns
        -------
        area : (N,) ndarray, m^2
            Membrane area.
        ri : (N,) ndarray, ohm
            Axial resistance to the parent node.
        """
        area = np.array([seg.area() for seg in self._segments]) * UM2
        ri = np.array([seg.ri() for seg in self._segments]) * OHM_PER_MOHM
        return area, ri

    def _set_rest(self) -> None:
        """Start every segment at its own resting potential, each mechanism's states at their
        steady state there (finitialize() without a potential keeps the v it finds)."""
        rest = self._rest_mv
        for node, seg in zip(self._nodes, self._segments, strict=True):
            seg.v = rest[node]
        for sec in self.sections:  # zero-area end nodes: their neighbour's rest
            sec(1).v = sec(1 - 0.5 / sec.nseg).v
        h.finitialize()  # also records the first sample again

    def _run_one(self, profile_mv: np.ndarray) -> np.ndarray:
        for vec, phi in zip(self._plays, profile_mv[self._nodes], strict=True):
            vec.copy(self._unit)
            vec.mul(float(phi))
        h.CVode().active(0)
        h.secondorder = 0
        h.usetable_hh = 0
        h.celsius = self.model.celsius
        h.dt = self.grid.dt_s * MS_PER_S
        h.finitialize(self._v_rest_mv)
        if self._rest_mv is not None:
            self._set_rest()
        for _ in range(self.grid.n_steps):
            h.fadvance()
        return np.array([np.asarray(r) for r in self._records])

    def simulate(
        self,
        profiles_v: np.ndarray,
        amplitudes: np.ndarray,
        stop_on_spike: bool = True,
        keep_traces: bool = False,
    ) -> SimulationResult:
        """Run B copies of the cell, one after another (see :meth:`BatchedSolver.simulate`).

        Parameters
        ----------
        profiles_v : (B, M) ndarray, V
            Quasipotentials at the M nodes per unit amplitude.
        amplitudes : (B,) ndarray, V/m
            V/m for unit-direction uniform fields; a dimensionless scale otherwise.
        stop_on_spike : bool
            Accepted for the solver interface; NEURON runs every copy to the end.
        keep_traces : bool
            Keep the membrane potential at the recording sites.

        Returns
        -------
        SimulationResult
            Spikes and, with ``keep_traces``, traces.
        """
        profiles, amps = check_batch(profiles_v, amplitudes, self.n_nodes)
        v_spike = self.model.v_spike_v * MV_PER_V
        n_runs = len(amps)
        fired = np.zeros(n_runs, dtype=bool)
        spike_time = np.full(n_runs, np.nan)
        init_node = np.full(n_runs, -1, dtype=np.int64)
        kept = []
        dt = self.grid.dt_s
        rec_is_model = not self.record_all
        model_rec = np.isin(self._record_nodes, self.model.record_nodes)
        for k in range(n_runs):
            traces = self._run_one(profiles[k] * amps[k] * MV_PER_V)
            steps, fracs = _first_crossings(traces, v_spike)
            at_sites = steps if rec_is_model else steps[model_rec]
            frac_sites = fracs if rec_is_model else fracs[model_rec]
            if np.any(at_sites >= 0):
                j = np.argmin(np.where(at_sites >= 0, at_sites + frac_sites, np.inf))
                fired[k] = True
                spike_time[k] = (at_sites[j] + frac_sites[j] - self.grid.onset_steps) * dt
            if self.record_all and np.any(steps >= 0):
                first = np.min(steps[steps >= 0])
                candidates = np.nonzero(steps == first)[0]
                best = candidates[np.argmax(traces[candidates, first + 1])]
                init_node[k] = self._record_nodes[best]
            if keep_traces:
                keep_rows = model_rec if self.record_all else slice(None)
                kept.append(traces[keep_rows] * MV)
        return SimulationResult(
            fired=fired,
            spike_time_s=spike_time,
            initiation_node=init_node,
            t_s=self.grid.t_s if keep_traces else np.zeros(0),
            traces_v=np.array(kept) if keep_traces else np.zeros((0, 0, 0)),
        )


def _first_crossings(traces: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """First upward crossing of ``threshold`` in each row: (step n, fraction), -1 if none."""
    before, after = traces[:, :-1], traces[:, 1:]
    crossing = (before < threshold) & (after >= threshold)
    any_cross = crossing.any(axis=1)
    steps = np.where(any_cross, crossing.argmax(axis=1), -1)
    rows = np.arange(len(traces))
    safe = np.maximum(steps, 0)
    old, new = before[rows, safe], after[rows, safe]
    fracs = np.where(any_cross, (threshold - old) / np.where(new != old, new - old, 1.0), 0.0)
    return steps, fracs
