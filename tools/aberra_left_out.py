"""What the channels tmslab's Aberra cells leave out do to a threshold, measured in NEURON.

tmslab's ``aberra`` membranes (tmslab.neuron.models.model_from_swc) leave out calcium channels,
calcium dynamics and SK_E2 (soma and initial segment), Ih and Im, and all dendritic channels. This script builds the cell in NEURON twice along one direction:
as tmslab models it, and with those channels added at the densities of NeMo-TMS's
Aberra_L5_model.m (tools/aberra_left_out/tmslab_leftout.mod, compiled here with nrnivmodl), and
prints both thresholds. NEURON only; several minutes per threshold for the L5 cell.

    TMSLAB_MORPHOLOGIES=/path/to/morphos python tools/aberra_left_out.py [--direction 0,-1,0]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MOD = Path(__file__).resolve().parent / "aberra_left_out" / "tmslab_leftout.mod"
# NeMo-TMS Aberra_L5_model.m, S/cm^2 (soma, initial segment = SWC type 2, apical, basal)
SOMA = {"gsk": 0.008407, "ghva": 0.000994, "glva": 0.000333, "gih": 8e-5}
SOMA_CA = {"gamma": 0.000609, "decay": 210.485284}
AXON = {"gsk": 0.007104, "ghva": 0.000990, "glva": 0.008752}
AXON_CA = {"gamma": 0.002910, "decay": 287.198731}
APICAL = {"gnats": 0.026145, "gkv31": 0.004226, "gim": 0.000143}
BASAL = {"gih": 8e-5}


def apical_ih(distance_um: float) -> float:
    """Aberra/Hay's apical Ih density (S/cm^2) at a path distance from the soma."""
    return (-0.8696 + 2.087 * np.exp(0.0031 * distance_um)) * 8e-5


def compile_mod() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tmslab_leftout_"))
    shutil.copy(MOD, folder)
    nrnivmodl = shutil.which("nrnivmodl") or str(Path(sys.executable).parent / "nrnivmodl")
    subprocess.run([nrnivmodl, "."], cwd=folder, check=True, capture_output=True)
    return next(folder.glob("*/.libs/libnrnmech.so"), None) or next(folder.glob("*/libnrnmech.so"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="aberra-l5-pc")
    parser.add_argument("--direction", default="0,-1,0")
    parser.add_argument("--waveform", default="monophasic")
    args = parser.parse_args(argv)

    from neuron import h
    from tmslab.neuron import nrn
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    nrn.load_mechanisms()
    h.nrn_load_dll(str(compile_mod()))
    model = get_model(args.model)
    drive = get_drive(args.waveform, 2.5e-6)
    d = np.array([[float(v) for v in args.direction.split(",")]])
    d /= np.linalg.norm(d)

    original = nrn.NeuronSolver._build

    def build_with_left_out(self) -> None:
        original(self)
        branches = self.model.morphology.branches
        soma = self.sections[0]
        h.distance(0, soma(0.5))
        for sec, branch in zip(self.sections, branches, strict=True):
            settings = {
                "soma": {**SOMA, **SOMA_CA},
                "axon": {**AXON, **AXON_CA},
                "apic": APICAL,
                "dend": BASAL,
            }.get(branch.label)
            if settings is None:
                continue
            sec.insert("tmslab_leftout")
            for seg in sec:
                mech = seg.tmslab_leftout
                for key, value in settings.items():
                    setattr(mech, key, value)
                if branch.label == "apic":
                    mech.gih = apical_ih(h.distance(seg))

    results = {}
    for label, patched in (("tmslab (channels left out)", False), ("with them (NEURON)", True)):
        nrn.NeuronSolver._build = build_with_left_out if patched else original
        start = time.perf_counter()
        got = direction_thresholds(model, drive, d, "neuron", 0.005)
        results[label] = got.thresholds_v_per_m[0]
        print(
            f"{label}: {got.thresholds_v_per_m[0]:.2f} V/m, started at node "
            f"{got.initiation_node[0]}, {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    nrn.NeuronSolver._build = original
    a, b = results.values()
    print(
        f"{model.name}, direction {d[0]}: effect of the left-out channels {100 * (b / a - 1):+.2f} %"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
