"""Run Aberra et al.'s own NEURON code for uniform-field TMS thresholds and compare.

Aberra et al. (2020), github.com/Aman-A/TMSsim_Aberra2019, drive NEURON from MATLAB. This tool does
the MATLAB part in Python and leaves the NEURON part alone. For one Blue Brain cell and some of the
398 (theta, phi) directions of simUnifEthreshMap.m it writes what runNrn.m writes (the TMSwave.m
mode 1 waveform and defineParams.hoc), runs their ``init_field_stim.hoc`` with ``loadFiles()`` and
``find_thresh()`` in a copy of their nrn/ folder, and reads back the threshold (V/m) and the index
of the first compartment to fire. It prints these next to the values published in their .mat
files, with the section names of both sites.

Notes
-----
Their hoc files are used unchanged. Two mod files are not: ProbAMPANMDA_EMS.mod and
ProbGABAAB_EMS.mod (Blue Brain synapses) do not compile under NEURON 9, so the copy gets minimal
POINT_PROCESS stubs of the same names (cell_chooser.hoc sets synapses_enabled = 0, so they are
never made); the originals are moved to nrn/excluded_mods in the copy.

Their cluster script slurm/run_simUnifEthreshMap.slurm sets replace_axon = 2 for cell_id > 15
(the L5 and L6 pyramidal cells). With replace_axon = 2, cell_chooser.hoc sets the diameter at the
end of the main axon's terminal section to 1000 um (a node; Node[110] for L5_TTPC2_cADpyr232_1),
so the terminal cannot fire. utms_maxH_w1_1-25.mat holds those runs (and replace_axon = 0 runs
for cells 1-15); utms_maxH_w1_rax0_16-25.mat holds the intact-axon runs (replace_axon = 0) of
cells 16-25. The default ``--replace-axon`` follows the slurm script.

A site is "#netid section(x)": netid numbers the compartments as their init_record_spikes(4)
does; the section name comes from a small hoc procedure this tool loads after find_thresh().
Their threshold search gives up after 300 s of wall-clock time and returns 0 (MATLAB stores NaN);
on a busy machine that can happen here too. One direction takes one to three minutes.

Examples
--------
``python tools/aberra_original.py --repo TMSsim_Aberra2019 --replace-axon 2 383`` should print
215.869141 V/m at Node[267](0.5) for L5_TTPC2_cADpyr232_1, equal to the published value, and
``--replace-axon 0 383`` should print 127.246094 V/m at Node[110](0.5), the main axon's terminal.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.io as sio

PUB_ALL = "mat/nrn_sim_data/utms_maxH_w1_1-25.mat"
PUB_RAX0 = "mat/nrn_sim_data/utms_maxH_w1_rax0_16-25.mat"
WAVES = "mat/run_nrn_functions/TMSwaves.mat"
SYNAPSE_MODS = ("ProbAMPANMDA_EMS", "ProbGABAAB_EMS")
STUB = """COMMENT
Stub written by tools/aberra_original.py: the Blue Brain synapse mod does not compile under
NEURON 9. Never instantiated, as cell_chooser.hoc sets synapses_enabled = 0.
ENDCOMMENT
NEURON {{ POINT_PROCESS {name} }}
"""
# Our add-on, loaded after find_thresh(): compartment netid -> section name, numbered as in
# their init_record_spikes(4) in run_stim.hoc; first line names the main axon's terminal.
SITES_HOC = """objref aot_file
proc aot_dump_sites() { local i, in, ii
    aot_file = new File()
    aot_file.wopen($s1)
    secrefs.o(min_sec_ind).sec aot_file.printf("terminal %s\\n", secname())
    in = 0
    for i = 0, numSect-1 {
        secrefs.o(i).sec {
            for (x, 0) {
                ii = in + (2*nseg*x+1)/2
                aot_file.printf("%d %s %g\\n", int(ii+0.5), secname(), x)
            }
            in = ii
        }
    }
    aot_file.close()
}
"""
# simUnifEthreshMap.m with outputMorphParams('maxH') and loadParams.m defaults
SIM = {
    "dt": 0.005,
    "tstop": 1,
    "v_init": -75,
    "ss_init": 1,
    "init_tstart": -1e11,
    "init_dt": 1e9,
    "vm_record_mode": 1,
    "spike_record_mode": 4,
    "record_dt": 0.025,
    "temp": 37,
}
MORPH = {
    "myelinate_axon": 1,
    "scale_axon_diam": 2.453,
    "scale_mainaxon_diam": 1,
    "prune_axon": 0,
    "scale_apic_diam": 1.876,
    "scale_basal_diam": 1.946,
    "scale_soma_area": 2.453,
    "scale_basal_L": 1.17,
    "min_myelinD": 0.2,
    "min_myelinL": 20,
    "max_myelin_order": 0,
}
WAVE_DEL = 0.005  # ms, simUnifEthreshMap.m in.del
START_AMP = 100  # V/m, simUnifEthreshMap.m m.amp


def directions() -> tuple[np.ndarray, np.ndarray]:
    """The 398 (theta, phi) pairs in degrees, built as simUnifEthreshMap.m builds them."""
    thetas1 = np.arange(0, 181, 15)
    phis1 = np.arange(0, 360, 10)
    thetas = [0, *np.repeat(thetas1[1:-1], len(phis1)), 180]
    phis = [0, *np.tile(phis1, len(thetas1) - 2), 0]
    return np.array(thetas), np.array(phis)


def mat_names(mat: dict) -> list[str]:
    """Cell model names stored in one of their .mat files."""
    return [str(np.ravel(n)[0]) for n in mat["cell_model_names"].ravel()]


def slurm_replace_axon(cell_id: int) -> int:
    """replace_axon as run_simUnifEthreshMap.slurm sets it."""
    return 2 if cell_id > 15 else 0


def tms_wave(waves: Path, dt: float = SIM["dt"], tstop: float = SIM["tstop"]):
    """TMSwave.m mode 1 (recorded MagProX100 monophasic pulse): time and E vectors."""
    data = sio.loadmat(waves)
    trec = data["tm"].ravel()
    erec = data["Erec_m"].ravel()
    step = max(round(dt / np.mean(np.diff(trec))), 1)  # int8() rounds; downsample keeps 1st
    tvec = np.concatenate([[0, WAVE_DEL - dt], trec[::step] + WAVE_DEL])
    evec = np.concatenate([[0, 0], erec[::step], [0]])
    n_tail = int(np.floor((tstop - (tvec[-1] + dt)) / dt + 1e-10)) + 1
    tvec = np.concatenate([tvec, tvec[-1] + dt + dt * np.arange(n_tail)])  # tvec(end)+dt:dt:tstop
    evec = np.concatenate([evec, np.zeros(max(len(tvec) - len(evec), 0))])[: len(tvec)]
    return tvec, evec


def write_vector(path: Path, vec: np.ndarray) -> None:
    """writeVectorBin.m: int32 header (length, 4) then doubles, for NEURON's Vector.vread."""
    path.write_bytes(struct.pack("<ii", len(vec), 4) + np.asarray(vec, "<f8").tobytes())


def define_params(run_name: str, cell: str, cell_id: int, rax: int, theta: int, phi: int) -> str:
    """Text of defineParams.hoc as writeParamsHoc.m writes it."""
    lines = [
        "NSTACK_size = 100000 // always call with NSTACK at least 100000",
        "//*****Simulation Parameters****",
        f"steps_per_ms = 1/{SIM['dt']:f}",
        "strdef run_name",
        f'run_name = "{run_name}"',
    ]
    lines += [f"{k} = {v:g}" if abs(v) > 1e6 else f"{k} = {v:f}" for k, v in SIM.items()]
    lines += [
        "//*****Cell model Parameters****",
        f"cell_id = {cell_id:f}",
        "strdef cell_model_name",
        f'cell_model_name = "{cell}"',
        "strdef nrn_model_ver",
        'nrn_model_ver = "maxH"',
        f"replace_axon = {rax:f}",
    ]
    lines += [f"{k} = {v:f}" for k, v in MORPH.items()]
    lines += [
        "//*****E-field Parameters****",
        f"theta = {theta:f}",
        f"phi = {phi:f}",
        f"load_potentials = {0:f}",
        f"AMP = {START_AMP:f}",
    ]
    return "\n".join(lines) + "\n"


def neuron_tool(name: str) -> str:
    """Path of a NEURON executable: on PATH, else next to the running Python."""
    found = shutil.which(name) or Path(sys.executable).parent / name
    if not Path(found).exists():
        sys.exit(f"{name} not found on PATH or next to {sys.executable}")
    return str(found)


def prepare_nrn(repo: Path, work: Path) -> Path:
    """Copy their nrn/ into work, stub the two synapse mods and compile; return libnrnmech."""
    nrn = work / "nrn"
    mechs = nrn / "mechanisms"
    lib = next(mechs.glob("*/.libs/libnrnmech.so"), None) or next(
        mechs.glob("*/libnrnmech.so"), None
    )
    if lib is not None:
        print(f"reusing compiled copy {nrn}", flush=True)
        return lib
    shutil.copytree(repo / "nrn", nrn, dirs_exist_ok=True)
    (nrn / "excluded_mods").mkdir(exist_ok=True)
    for name in SYNAPSE_MODS:
        mod = mechs / f"{name}.mod"
        if mod.exists():
            shutil.move(mod, nrn / "excluded_mods" / mod.name)
        mod.write_text(STUB.format(name=name))
    print(f"compiling {mechs} with nrnivmodl ...", flush=True)
    proc = subprocess.run(
        [neuron_tool("nrnivmodl"), "."], cwd=mechs, capture_output=True, text=True, check=False
    )
    (work / "nrnivmodl.log").write_text(proc.stdout + proc.stderr)
    lib = next(mechs.glob("*/.libs/libnrnmech.so"), None) or next(
        mechs.glob("*/libnrnmech.so"), None
    )
    if proc.returncode or lib is None:
        sys.exit(f"nrnivmodl failed, see {work / 'nrnivmodl.log'}:\n{proc.stderr[-2000:]}")
    return lib


def run_direction(work: Path, lib: Path, waves: Path, cell: str, cell_id: int, rax: int, idx: int):
    """Run their find_thresh() for one direction: (threshold, netid, {netid: site}, terminal)."""
    thetas, phis = directions()
    theta, phi = int(thetas[idx]), int(phis[idx])
    nrn = work / "nrn"
    prefix = "utms_maxH_w1" if rax == slurm_replace_axon(cell_id) else f"utms_maxH_w1_rax{rax}"
    run_name = f"{cell}_{prefix}_maxH_th{theta}_ph{phi}"
    params = nrn / "params" / run_name
    params.mkdir(parents=True, exist_ok=True)
    (nrn / "tmp" / run_name).mkdir(parents=True, exist_ok=True)
    tvec, evec = tms_wave(waves)
    write_vector(params / "tvec.txt", tvec)
    write_vector(params / "Evec.txt", evec)
    (params / "defineParams.hoc").write_text(
        define_params(run_name, cell, cell_id, rax, theta, phi)
    )
    sites_hoc = work / "aberra_original_sites.hoc"
    sites_hoc.write_text(SITES_HOC)
    sites_file = nrn / "tmp" / run_name / "sites.txt"
    commands = [
        f'run_name="{run_name}"',
        "loadFiles()",
        "find_thresh()",
        f'load_file("{sites_hoc}")',
        f'aot_dump_sites("{sites_file}")',
        "quit()",
    ]
    cmd = [neuron_tool("nrniv"), "-nobanner", "-NSTACK", "100000", "-NFRAME", "20000"]
    cmd += ["-dll", str(lib), "init_field_stim.hoc"]
    for c in commands:
        cmd += ["-c", c]
    log = work / "logs" / f"{run_name}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        subprocess.run(cmd, cwd=nrn, stdout=out, stderr=subprocess.STDOUT, check=False)
    thresh_file = nrn / "tmp" / run_name / "threshE.txt"
    if not thresh_file.exists() or not sites_file.exists():
        sys.exit(f"nrniv gave no result for idx {idx}; log {log}:\n{log.read_text()[-3000:]}")
    values = thresh_file.read_text().split()  # threshE, theta, phi, netid of first AP
    thresh, netid = float(values[0]), round(float(values[3]))
    lines = sites_file.read_text().splitlines()
    terminal = lines[0].split()[1]
    sites = {}
    for line in lines[1:]:
        nid, sec, x = line.split()
        sites[int(nid)] = f"{sec.split('.')[-1]}({float(x):.3g})"
    return theta, phi, (np.nan if thresh == 0 else thresh), netid, sites, terminal


def published(repo: Path, cell: str, cell_id: int, rax: int):
    """Published thresholds and init indices for this cell and replace_axon, and the file name."""
    if rax == slurm_replace_axon(cell_id):
        mat, col = sio.loadmat(repo / PUB_ALL), cell_id - 1
        return mat["threshEs"][0, col].ravel(), mat["init_inds"][0, col].ravel(), Path(PUB_ALL)
    if rax == 0 and (repo / PUB_RAX0).exists():
        mat = sio.loadmat(repo / PUB_RAX0)
        names = mat_names(mat)
        if cell in names:
            col = names.index(cell)
            threshs, inds = mat["threshEs"][0, col].ravel(), mat["init_inds"][0, col].ravel()
            return threshs, inds, Path(PUB_RAX0)
    return None, None, None


def site(sites: dict[int, str], netid: float) -> str:
    """'#netid section(x)' for a compartment netid."""
    if not np.isfinite(netid) or netid < 0:
        return "-"
    return f"#{int(netid)} {sites.get(int(netid), '?')}"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="checkout of TMSsim_Aberra2019")
    parser.add_argument("--cell", default="L5_TTPC2_cADpyr232_1", help="one of their 25 cells")
    parser.add_argument(
        "--replace-axon",
        type=int,
        choices=(0, 2),
        help="their replace_axon; default as in their slurm script (2 for cell ids 16-25)",
    )
    parser.add_argument("--work", type=Path, help="work folder, kept and reused (default: temp)")
    parser.add_argument(
        "idx", type=int, nargs="+", metavar="IDX", help="0-based index of the 398 directions"
    )
    args = parser.parse_args(argv)

    repo = args.repo.resolve()
    names = mat_names(sio.loadmat(repo / PUB_ALL))
    if args.cell not in names:
        parser.error(f"unknown cell {args.cell}; one of {', '.join(names)}")
    cell_id = names.index(args.cell) + 1
    rax = slurm_replace_axon(cell_id) if args.replace_axon is None else args.replace_axon
    n_dirs = len(directions()[0])
    if any(not 0 <= i < n_dirs for i in args.idx):
        parser.error(f"IDX must be in 0..{n_dirs - 1}")
    pub_thresh, pub_init, pub_file = published(repo, args.cell, cell_id, rax)

    temp = None if args.work else tempfile.TemporaryDirectory(prefix="aberra_original_")
    work = (args.work or Path(temp.name)).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        lib = prepare_nrn(repo, work)
        pub_name = pub_file.name if pub_file else "none for this replace_axon"
        print(f"cell {args.cell} (cell_id {cell_id}), replace_axon {rax}, published: {pub_name}")
        header = f"{'idx':>4} {'theta':>5} {'phi':>4}  {'their code V/m':>14}  {'site':<22}"
        print(f"{header}  {'published V/m':>13}  {'site':<22}  {'ratio':>8}", flush=True)
        for idx in args.idx:
            t0 = time.time()
            theta, phi, thresh, netid, sites, terminal = run_direction(
                work, lib, repo / WAVES, args.cell, cell_id, rax, idx
            )
            pub_e = float(pub_thresh[idx]) if pub_file else np.nan
            pub_site = site(sites, float(pub_init[idx])) if pub_file else "-"
            print(
                f"{idx:4d} {theta:5d} {phi:4d}  {thresh:14.6f}  {site(sites, netid):<22}"
                f"  {pub_e:13.6f}  {pub_site:<22}  {thresh / pub_e:8.6f}"
                f"  ({time.time() - t0:.0f} s; main-axon terminal {terminal})",
                flush=True,
            )
    finally:
        if temp is not None:
            temp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
