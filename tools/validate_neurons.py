"""Thresholds of the Aberra et al. cells against the published values (issue 17).

Usage::

    TMSLAB_MORPHOLOGIES=/path/to/NeMo-TMS/Model_Generation/morphos:/path/to/TMSsim_Aberra2019/nrn/cells \\
        python tools/validate_neurons.py [--directions 50] [--type-directions 40] \\
        [--published utms_maxH_w1_1-25.mat] [--types-only | --cells-only] [--write-docs]

For each named Aberra cell whose NeMo-TMS file is found (:mod:`tmslab.neuron.aberra`): uniform
field over ``--directions`` directions (Fibonacci sphere), MagPro X100 monophasic and biphasic
pulses, batched solver, 0.5 % bisection; the minimum, median and maximum threshold, where the
action potential starts, and for the L5 cell the strength-duration time constant (rectangular
pulses 30, 60, 120 us along its lowest-threshold direction). ``--write-docs`` replaces the table
between the ``aberra-table`` markers of docs/validation-neurons.md. About 4 min for both cells
at 50 directions on 2 cores.

Five cell types (Aberra et al. 2020): for clone 1 of each type whose Blue Brain folder is found
(:data:`tmslab.neuron.aberra.TYPE_FOLDERS`, built by
:func:`tmslab.neuron.models.model_from_bluebrain`), the threshold along ``--type-directions`` of
the 398 directions (theta, phi) of Aberra et al.'s own uniform-field run, evenly spaced through
their list plus their lowest-threshold direction, monophasic MagPro X100 pulse (their waveform
"w1", ``mode 1``), against their threshold along the same directions from
``mat/nrn_sim_data/utms_maxH_w1_1-25.mat`` of their repository (``--published``; by default
looked for beside a ``nrn/cells`` folder in ``TMSLAB_MORPHOLOGIES``), the L5 and L6 rows replaced
by their intact-axon runs in ``utms_maxH_w1_rax0_16-25.mat`` beside it when that file is there
(the 1-25 file's L5 and L6 runs had the main axon's terminal disabled, :data:`INTACT_AXON_FILE`). ``--write-docs`` replaces
the table between the ``aberra-types`` markers. About 1 min per type at 40 directions.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

from tmslab.neuron.aberra import CELLS, TYPE_FOLDERS, available, find_folder, morphology_dirs
from tmslab.neuron.directions import fibonacci_sphere
from tmslab.neuron.drive import get_drive
from tmslab.neuron.models import get_model, model_from_bluebrain
from tmslab.neuron.sd_curve import strength_duration
from tmslab.neuron.threshold import direction_thresholds

DOCS = Path(__file__).resolve().parent.parent / "docs" / "validation-neurons.md"
START, END = "<!-- aberra-table:start -->", "<!-- aberra-table:end -->"
TYPES_START, TYPES_END = "<!-- aberra-types:start -->", "<!-- aberra-types:end -->"
PUBLISHED_FILE = "utms_maxH_w1_1-25.mat"
# The same runs of the L5 and L6 clones with the axon intact: for cells 16-25 the 1-25 file comes
# from their cluster script (slurm/run_simUnifEthreshMap.slurm: replace_axon=2 for cell_id > 15),
# which sets the main axon's terminal node to 1000 um diameter (cell_chooser.hoc), so that
# terminal cannot fire. tmslab models the axon as the cell has it, as this file's runs do.
INTACT_AXON_FILE = "utms_maxH_w1_rax0_16-25.mat"
GOAL = 0.20  # issue 17: tmslab within 20 % of the published thresholds
DT_S = 2.5e-6
SD_WIDTHS_S = (30e-6, 60e-6, 120e-6)
# Published: Aberra et al. 2020 (Brain Stimul 13:175, doi 10.1016/j.brs.2019.10.002), their own
# uniform-field runs of the same clones (monophasic MagPro X100, 398 directions): L5
# L5_TTPC2_cADpyr232_1 with the axon intact (utms_maxH_w1_rax0_16-25.mat) lowest 125.8, median
# 212.3 V/m; L2/3 L23_PC_cADpyr229_1 (utms_maxH_w1_1-25.mat) 176.3 and 259.0 V/m. The paper's
# L5 figures, lowest 184 and median 248 V/m, pool the five L5 clones of the 1-25 file, whose main
# axon terminal was disabled (INTACT_AXON_FILE). Weise et al. 2025 (Brain Stimul 18:280, doi
# 10.1016/j.brs.2025.02.007): "conventionally simulated cortical neuron thresholds (175-350 V/m)".
PUBLISHED = {
    ("aberra-l5-pc", "monophasic"): (125.8, 212.3),
    ("aberra-l23-pc", "monophasic"): (176.3, 259.0),
}
CONVENTIONAL_V_PER_M = (175.0, 350.0)


def is_terminal(model, node: int) -> bool:
    """Whether compartment ``node`` is on a branch without children (an axon terminal)."""
    branch = int(model.cable.branch[node])
    return not any(b.parent == branch for b in model.morphology.branches)


def cell_rows(name: str, n_directions: int) -> list[dict]:
    model = get_model(name)
    directions = fibonacci_sphere(n_directions)
    rows = []
    for shape in ("monophasic", "biphasic"):
        start = time.perf_counter()
        got = direction_thresholds(model, get_drive(shape, DT_S), directions, "batched", 0.005)
        th = got.thresholds_v_per_m
        ok = np.isfinite(th)
        labels = [
            model.morphology.branches[model.cable.branch[n]].label for n in got.initiation_node
        ]
        terminal = [is_terminal(model, n) for n in got.initiation_node]
        rows.append(
            {
                "cell": name,
                "waveform": shape,
                "min": float(np.min(th[ok])),
                "median": float(np.median(th[ok])),
                "max": float(np.max(th[ok])),
                "best": directions[int(np.argmin(np.where(ok, th, np.inf)))],
                "terminal_share": float(np.mean(terminal)),
                "sites": sorted(set(labels)),
                "seconds": time.perf_counter() - start,
            }
        )
    return rows


def sd_tau(name: str, direction: np.ndarray) -> tuple[float, float]:
    sd = strength_duration(get_model(name), direction, list(SD_WIDTHS_S), DT_S, "batched", 0.005)
    return sd.tau_s, sd.rheobase_v_per_m


def table(rows: list[dict], taus: dict[str, tuple[float, float]], n_directions: int) -> str:
    lines = [
        f"Uniform field, {n_directions} directions (Fibonacci sphere), MagPro X100 pulses, dt "
        "2.5 us, batched solver, bisection to 0.5 % (generated by "
        "`python tools/validate_neurons.py --write-docs`):",
        "",
        "| cell | waveform | min | median | max | published | AP starts at axon terminal |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        pub = PUBLISHED.get((r["cell"], r["waveform"]))
        ref = (
            f"min {pub[0]:.0f}, median {pub[1]:.0f} V/m (Aberra 2020, this clone, their 398 "
            f"directions); tmslab "
            f"{100 * (r['min'] / pub[0] - 1):+.0f} %, {100 * (r['median'] / pub[1] - 1):+.0f} %"
            if pub
            else f"{CONVENTIONAL_V_PER_M[0]:.0f}-{CONVENTIONAL_V_PER_M[1]:.0f} V/m (Weise 2025)"
        )
        lines.append(
            f"| `{r['cell']}` | {r['waveform']} | {r['min']:.0f} V/m | {r['median']:.0f} V/m | "
            f"{r['max']:.0f} V/m | {ref} | {100 * r['terminal_share']:.0f} % of directions |"
        )
    for name, (tau, rheo) in taus.items():
        lines += [
            "",
            f"Strength-duration of `{name}` (rectangular 30, 60, 120 us along its lowest-threshold "
            f"direction): tau {tau * 1e6:.0f} us, rheobase {rheo:.0f} V/m (human motor cortex: "
            "196-294 us, see above).",
        ]
    return "\n".join(lines)


def write_docs(text: str, start: str = START, end: str = END) -> None:
    docs = DOCS.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in docs:
        docs = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, docs, flags=re.S)
    else:
        docs = docs.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(docs)


# -- the five cell types of Aberra et al. 2020 ---------------------------------------------------


def find_published(given: Path | None) -> Path | None:
    """Aberra et al.'s utms_maxH_w1_1-25.mat: ``given``, or beside a clone's nrn/cells."""
    if given is not None:
        return given if given.is_file() else None
    for folder in morphology_dirs():
        path = folder.parent.parent / "mat" / "nrn_sim_data" / PUBLISHED_FILE
        if path.is_file():
            return path
    return None


def published_directions(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Cell names (25), unit field directions (398, 3) and thresholds (25, 398) V/m."""
    from scipy.io import loadmat

    data = loadmat(path, squeeze_me=True)
    names = [str(n) for n in data["cell_model_names"]]
    theta = np.radians(np.asarray(data["thetas"], dtype=float))
    phi = np.radians(np.asarray(data["phis"], dtype=float))
    # their calces(): E = (sin theta cos phi, sin theta sin phi, cos theta) in the cell's frame
    # after x_rotate, which is the frame tmslab's Blue Brain models are built in
    directions = np.stack(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], axis=1
    )
    thresholds = np.array([np.asarray(t, dtype=float) for t in data["threshEs"]])
    intact = path.parent / INTACT_AXON_FILE
    if intact.is_file():  # the intact-axon runs replace the L5 and L6 rows
        more = loadmat(intact, squeeze_me=True)
        for name, values in zip(more["cell_model_names"], more["threshEs"], strict=True):
            thresholds[names.index(str(name))] = np.asarray(values, dtype=float)
    return names, directions, thresholds


def type_row(cell_type: str, published: Path, n_directions: int) -> dict:
    cell = TYPE_FOLDERS[cell_type]
    names, directions, thresholds = published_directions(published)
    pub_all = thresholds[names.index(cell.folder)]
    picks = np.unique(
        np.concatenate(
            [[int(np.argmin(pub_all))], np.linspace(0, len(pub_all) - 1, n_directions).astype(int)]
        )
    )
    model = model_from_bluebrain(find_folder(cell), name=cell.folder)
    start = time.perf_counter()
    got = direction_thresholds(
        model, get_drive("monophasic", DT_S), directions[picks], "batched", 0.005
    )
    th = got.thresholds_v_per_m
    pub = pub_all[picks]
    ok = np.isfinite(th)
    labels = [model.morphology.branches[model.cable.branch[n]].label for n in got.initiation_node]
    terminal = [is_terminal(model, n) for n in got.initiation_node]
    return {
        "type": cell_type,
        "folder": cell.folder,
        "n": len(picks),
        "min": float(np.min(th[ok])),
        "median": float(np.median(th[ok])),
        "pub_min": float(np.min(pub)),
        "pub_median": float(np.median(pub)),
        "pub_all_min": float(np.min(pub_all)),
        "pub_all_median": float(np.median(pub_all)),
        "ratio_median": float(np.median(th[ok] / pub[ok])),
        "ratio_low": float(np.percentile(th[ok] / pub[ok], 10)),
        "ratio_high": float(np.percentile(th[ok] / pub[ok], 90)),
        "terminal_share": float(np.mean(terminal)),
        "sites": {k: labels.count(k) for k in sorted(set(labels))},
        "seconds": time.perf_counter() - start,
        "failed": int(np.sum(~ok)),
    }


def types_table(rows: list[dict], n_directions: int) -> str:
    lines = [
        f"Five cell types, clone 1 (Blue Brain folders as Aberra et al. 2020 ship them, their "
        f"adult human 'maxH' version built by `model_from_bluebrain`): about {n_directions} of "
        "their 398 uniform-field directions (evenly through their list, plus their "
        "lowest-threshold one), monophasic MagPro X100 pulse (their 'w1'), dt 2.5 us, batched "
        "solver, bisection to 0.5 %; published: the same directions in their "
        f"`mat/nrn_sim_data/{PUBLISHED_FILE}`, for L5 and L6 their runs with the axon intact, "
        f"`{INTACT_AXON_FILE}` (generated by `python tools/validate_neurons.py "
        "--types-only --write-docs`):",
        "",
        "| type | folder | tmslab min / median | published min / median (same directions) | "
        "tmslab / published per direction: median (10-90 %) | within 20 % | AP starts at |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        within = abs(r["ratio_median"] - 1) <= GOAL
        sites = ", ".join(f"{k} {v}" for k, v in r["sites"].items())
        lines.append(
            f"| {r['type']} | `{r['folder']}` | {r['min']:.0f} / {r['median']:.0f} V/m | "
            f"{r['pub_min']:.0f} / {r['pub_median']:.0f} V/m (all 398: {r['pub_all_min']:.0f} / "
            f"{r['pub_all_median']:.0f}) | {r['ratio_median']:.2f} ({r['ratio_low']:.2f}-"
            f"{r['ratio_high']:.2f}) | {'yes' if within else 'no'} | axon terminal in "
            f"{100 * r['terminal_share']:.0f} % of directions ({sites}) |"
        )
    order = " < ".join(r["type"] for r in sorted(rows, key=lambda r: r["median"]))
    pub_order = " < ".join(r["type"] for r in sorted(rows, key=lambda r: r["pub_median"]))
    lines += [
        "",
        f"Ordering by median threshold: tmslab {order}; published {pub_order}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directions", type=int, default=50)
    parser.add_argument("--type-directions", type=int, default=40)
    parser.add_argument("--published", type=Path, default=None)
    parser.add_argument("--types-only", action="store_true")
    parser.add_argument("--cells-only", action="store_true", help="only the NeMo-TMS SWC cells")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    names = [n for n in available() if n in CELLS]
    types = [t for t, cell in TYPE_FOLDERS.items() if find_folder(cell) is not None]
    if args.types_only:
        names = []
    if args.cells_only:
        types = []
    if not names and not types:
        print(
            "error: no Aberra morphology found ("
            + ", ".join(c.filename for c in CELLS.values())
            + " or the Blue Brain folders "
            + ", ".join(c.folder for c in TYPE_FOLDERS.values())
            + "); set TMSLAB_MORPHOLOGIES",
            file=sys.stderr,
        )
        return 2
    rows, taus = [], {}
    for name in names:
        rows += cell_rows(name, args.directions)
        for r in rows[-2:]:
            print(
                f"{name} {r['waveform']}: min {r['min']:.1f} median {r['median']:.1f} max "
                f"{r['max']:.1f} V/m, terminal {100 * r['terminal_share']:.0f} %, sites "
                f"{r['sites']}, {r['seconds']:.0f} s"
            )
        if name == "aberra-l5-pc":
            taus[name] = sd_tau(name, rows[-2]["best"])
            print(f"{name} tau {taus[name][0] * 1e6:.0f} us rheobase {taus[name][1]:.0f} V/m")
    if names:
        text = table(rows, taus, args.directions)
        print(text)
        if args.write_docs:
            write_docs(text)
    if types:
        published = find_published(args.published)
        if published is None:
            print(
                f"error: {PUBLISHED_FILE} not found; give --published (Aberra et al.'s "
                "repository, mat/nrn_sim_data/)",
                file=sys.stderr,
            )
            return 2
        rows = []
        for t in types:
            rows.append(type_row(t, published, args.type_directions))
            r = rows[-1]
            print(
                f"{t}: tmslab min {r['min']:.1f} median {r['median']:.1f}; published "
                f"{r['pub_min']:.1f} / {r['pub_median']:.1f} V/m; ratio {r['ratio_median']:.3f}; "
                f"sites {r['sites']}; {r['seconds']:.0f} s",
                flush=True,
            )
        text = types_table(rows, args.type_directions)
        print(text)
        if args.write_docs:
            write_docs(text, TYPES_START, TYPES_END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
