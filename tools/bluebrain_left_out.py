"""What tmslab's Blue Brain cells leave out, measured in NEURON (issue 17).

tmslab's Blue Brain models (tmslab.neuron.models.model_from_bluebrain) leave out the channels its
solvers do not have (Ca_HVA, Ca_LVAst, Ca, CaDynamics_E2, SK_E2, Ih, Im); they keep each section
list's e_pas and start from the steady state without those channels. This script builds the
cell in NEURON (tmslab's NeuronSolver) along one or more of Aberra et al.'s directions and finds
the threshold three ways:

1. as tmslab models it;
2. plus the left-out channels at the densities of the cell's biophysics.hoc (Ih along the apical
   dendrite by its distance rule), from the cell's own .mod files (compiled here with
   nrnivmodl), on soma, dendrites and the first axon section (Aberra et al.'s initial segment
   keeps the Blue Brain axon set; their nodes and unmyelinated axon have none of them),
   started from tmslab's rest (the steady state without them);
3. as 2 from the steady state with those channels, reached as Aberra et al. reach it
   (nrn/ssprocinit.hoc: 100 steps of 1e9 ms from -1e11 ms), so the cell rests as theirs does.

NEURON only; about a minute per threshold.

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
    mode = {"channels": False, "rest": False}

    def build(self) -> None:
        original_build(self)
        if not mode["channels"]:
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
                if mode["rest"]:
                    e_pas = bio[which].values.get("e_pas")
                    if e_pas is not None:
                        if hasattr(seg, "tmslab_ctxaxon"):
                            seg.tmslab_ctxaxon.el = e_pas
                        elif hasattr(seg, "pas"):
                            seg.pas.e = e_pas
        if mode["rest"]:  # the rest of the axon: the axonal e_pas (myelin_biophysics.hoc)
            e_axon = bio["axonal"].values.get("e_pas", -75.0)
            for k, sec in enumerate(self.sections):
                if section_list(k) is None:
                    for seg in sec:
                        if hasattr(seg, "tmslab_ctxaxon"):
                            seg.tmslab_ctxaxon.el = e_axon
                        elif hasattr(seg, "pas"):
                            seg.pas.e = e_axon

    def run_one(self, profile_mv):
        if not mode["rest"]:
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
    for label, channels, rest in (
        ("tmslab (channels left out)", False, False),
        ("+ left-out channels, from tmslab's rest", True, False),
        ("+ left-out channels, their steady state", True, True),
    ):
        mode.update(channels=channels, rest=rest)
        start = time.perf_counter()
        got = direction_thresholds(model, drive, dirs, "neuron", 0.005)
        th = got.thresholds_v_per_m
        print(
            f"{args.folder.name} {label}: {np.round(th, 1)} V/m (published {pub_values}; ratio "
            f"{np.round(th / pub_values, 3)}), {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    nrn.NeuronSolver._build, nrn.NeuronSolver._run_one = original_build, original_run
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
