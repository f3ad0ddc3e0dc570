"""The channels tmslab holds at rest, measured against the cells' own .mod files in NEURON (issue 17).

tmslab's Blue Brain models (tmslab.neuron.models.model_from_bluebrain) integrate NaTa_t, NaTs2_t,
Nap_Et2, K_Pst, K_Tst and SKv3_1 and hold the others (Ca_HVA, Ca_LVAst, Ca, CaDynamics_E2, SK_E2,
Ih, Im) at their resting state: they set the steady state the cell starts from, and during the
run they are a fixed conductance per compartment (tmslab.neuron.held). This script finds the
threshold along one or more of Aberra et al.'s directions two ways, both in NEURON:

1. as tmslab models it (tmslab's NeuronSolver: held channels frozen at the rest);
2. with those channels integrated, from the cell's own .mod files (compiled here with
   nrnivmodl), at the densities of its biophysics.hoc (Ih along the dendrites by its distance
   rule), on soma, dendrites and the first axon section (Aberra et al.'s initial segment keeps
   the Blue Brain axon set; their nodes and unmyelinated axon have none of them), each section
   list's ek on the K ion (which Im and SK_E2 read), from the steady state reached as Aberra et
   al. reach it (nrn/ssprocinit.hoc: 100 steps of 1e9 ms from -1e11 ms).

The ratio 1 / 2 is what holding the channels costs. It also prints how far tmslab's resting
state (tmslab.neuron.rest) lies from NEURON's steady state with the .mod files. NEURON only; about a minute per threshold.

    python tools/bluebrain_left_out.py /path/to/nrn/cells/L5_TTPC2_cADpyr232_1 \\
        [--mechanisms /path/to/TMSsim_Aberra2019/nrn/mechanisms] [--published utms.mat] [--n 2]
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

LEFT_OUT_MODS = ("Ca_HVA", "Ca_LVAst", "Ca", "CaDynamics_E2", "SK_E2", "Ih", "Im")
SS_START_MS, SS_DT_MS = -1e11, 1e9  # Aberra et al. nrn/ssprocinit.hoc


def compile_mods(folder: Path) -> Path:
    work = Path(tempfile.mkdtemp(prefix="tmslab_bb_leftout_"))
    for name in LEFT_OUT_MODS:
        mod = folder / f"{name}.mod"
        if mod.is_file():
            shutil.copy(mod, work)
    nrnivmodl = shutil.which("nrnivmodl") or str(Path(sys.executable).parent / "nrnivmodl")
    subprocess.run([nrnivmodl, "."], cwd=work, check=True, capture_output=True)
    return next(work.glob("*/.libs/libnrnmech.so"), None) or next(work.glob("*/libnrnmech.so"))


def evaluate(expression: str, distance_um: float) -> float:
    """A Blue Brain ``distribute`` expression at a path distance (only numbers, + - * / ( ) exp)."""
    text = expression.replace("%g", repr(float(distance_um)))
    if not re.fullmatch(r"[-+*/(). 0-9eExp]+", text):
        raise ValueError(f"unexpected distribute expression {expression!r}")
    return float(eval(text, {"__builtins__": {}}, {"exp": math.exp}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--mechanisms", type=Path, default=None)
    parser.add_argument("--published", type=Path, default=None)
    parser.add_argument("--n", type=int, default=1, help="directions: their lowest, then evenly")
    args = parser.parse_args(argv)

    from neuron import h
    from tmslab.neuron import nrn
    from tmslab.neuron.bluebrain import parse_biophysics
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import model_from_bluebrain
    from tmslab.neuron.rest import node_membranes
    from tmslab.neuron.threshold import direction_thresholds

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from validate_neurons import find_published, published_directions

    nrn.load_mechanisms()
    h.nrn_load_dll(str(compile_mods(args.mechanisms or args.folder / "mechanisms")))
    bio = parse_biophysics((args.folder / "biophysics.hoc").read_text())
    model = model_from_bluebrain(args.folder)
    drive = get_drive("monophasic", 2.5e-6)
    published = find_published(args.published)
    if published is not None:
        names, directions, thresholds = published_directions(published)
        pub = thresholds[names.index(args.folder.name)]
        even = np.linspace(0, len(pub) - 1, max(args.n - 1, 0)).astype(int)
        picks = [int(np.argmin(pub)), *even.tolist()]
        dirs, pub_values = directions[picks], pub[picks]
    else:
        dirs, pub_values = np.array([[0.0, 0.0, -1.0]]), np.array([np.nan])

    raw = replace(model, held=None)  # the membranes alone: the .mod files add the rest
    branches = model.morphology.branches
    first_axon = next(
        k
        for k, b in enumerate(branches)
        if b.parent == 0 and b.label in ("unmyelinated", "myelin", "node")
    )
    lists = {"soma": "somatic", "dend": "basal", "apic": "apical"}

    def section_list(k: int) -> str | None:
        if k == first_axon:
            return "axonal"
        return lists.get(branches[k].label)

    original_build, original_run = nrn.NeuronSolver._build, nrn.NeuronSolver._run_one
    mode = {"integrated": False}

    def build(self) -> None:
        original_build(self)
        if not mode["integrated"]:
            return
        h.distance(0, self.sections[0](0.5))
        for k, sec in enumerate(self.sections):
            which = section_list(k)
            if which is None:
                continue
            b = bio[which]
            for mech in b.inserted:
                if mech in LEFT_OUT_MODS:
                    sec.insert(mech)
            for seg in sec:
                for name, value in b.values.items():
                    mech = next((m for m in LEFT_OUT_MODS if name.endswith("_" + m)), None)
                    if mech is not None and hasattr(seg, mech):
                        setattr(getattr(seg, mech), name[: -len(mech) - 1], value)
                for name, expression in b.expressions.items():
                    mech = next(m for m in LEFT_OUT_MODS if name.endswith("_" + m))
                    if hasattr(seg, mech):
                        value = evaluate(expression, h.distance(seg))
                        setattr(getattr(seg, mech), name[: -len(mech) - 1], value)
        # tmslab's own mechanisms keep ek to themselves; Im and SK_E2 read the K ion's
        ek = node_membranes(self.model)["ek"]
        for node, seg in zip(self._nodes, self._segments, strict=True):
            if hasattr(seg, "ek"):
                seg.ek = ek[node]

    def run_one(self, profile_mv):
        if not mode["integrated"]:
            return original_run(self, profile_mv)
        for vec, phi in zip(self._plays, profile_mv[self._nodes], strict=True):
            vec.copy(self._unit)
            vec.mul(float(phi))
        h.CVode().active(0)
        h.secondorder = 0
        h.celsius = self.model.celsius
        h.finitialize(self._v_rest_mv)
        h.t, h.dt = SS_START_MS, SS_DT_MS
        while h.t < -h.dt:
            h.fadvance()
        h.dt = self.grid.dt_s * 1e3
        h.t = 0.0
        h.fcurrent()
        for r in self._records:  # keep the settled state as the first sample
            last = r.x[int(r.size()) - 1]
            r.resize(0)
            r.append(last)
        for _ in range(self.grid.n_steps):
            h.fadvance()
        return np.array([np.asarray(r)[-self.grid.n_steps - 1 :] for r in self._records])

    nrn.NeuronSolver._build, nrn.NeuronSolver._run_one = build, run_one
    # the steady state with the .mod files (as run_one reaches it) against tmslab's held rest
    mode.update(integrated=True)
    solver = nrn.NeuronSolver(raw, drive)
    h.CVode().active(0)
    h.celsius = raw.celsius
    h.finitialize(solver._v_rest_mv)
    h.t, h.dt = SS_START_MS, SS_DT_MS
    while h.t < -h.dt:
        h.fadvance()
    v_nrn = np.array([seg.v for seg in solver._segments])
    v_tmslab = model.rest_v[solver._nodes] * 1e3
    print(
        f"{args.folder.name} rest: NEURON {v_nrn.min():.3f} to {v_nrn.max():.3f} mV, tmslab "
        f"{v_tmslab.min():.3f} to {v_tmslab.max():.3f} mV, largest difference "
        f"{np.max(np.abs(v_nrn - v_tmslab)):.1e} mV",
        flush=True,
    )
    found = {}
    for label, cell, integrated in (
        ("tmslab: held channels frozen at the rest", model, False),
        ("their .mod files integrated, from their steady state", raw, True),
    ):
        mode.update(integrated=integrated)
        start = time.perf_counter()
        got = direction_thresholds(cell, drive, dirs, "neuron", 0.005)
        th = found[integrated] = got.thresholds_v_per_m
        print(
            f"{args.folder.name} {label}: {np.round(th, 1)} V/m (published {pub_values}; ratio "
            f"{np.round(th / pub_values, 3)}), {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    print(f"{args.folder.name} held / integrated: {np.round(found[False] / found[True], 4)}")
    nrn.NeuronSolver._build, nrn.NeuronSolver._run_one = original_build, original_run
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
