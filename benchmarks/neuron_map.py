"""Threshold map of L5 cells on the template cortex: time per stage, simulated and from the table.

Solves the field of a figure-8 coil at C3 (handle 45 degrees, 4 mm, 100 A/us) on fsaverage once,
then places N cells of the model in the patch around M1-hand and finds their thresholds
(tmslab.neuron.cortex.cortex_threshold_map) two ways, in this process, on the same cells:

* ``simulate`` (the baseline): every cell simulated with the field at each compartment;
* ``table``: looked up in the cell's uniform-field direction table at each soma's field, first
  with an empty table cache (the table is computed: cold) and then again (read: warm).

It prints the time of each, and the table's error against the simulation, cell by cell (median,
90th percentile and largest |error|). A small run that compiles the solver comes first, not
timed. Goal (issue 17): 1,000 L5 cells <= 60 s after the solve.

    python benchmarks/neuron_map.py --model aberra-l5-pc --cells 1000
    python benchmarks/neuron_map.py --cells 200 --methods table     # no baseline
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="aberra-l5-pc")
    parser.add_argument("--waveform", default="magventure-magpro-x100:monophasic")
    parser.add_argument("--cells", type=int, nargs="+", default=[1000])
    parser.add_argument("--radius-mm", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2, help="threads of the batched solver")
    parser.add_argument("--methods", default="simulate,table", help="simulate, table or both")
    parser.add_argument("--table-directions", type=int, default=None)
    args = parser.parse_args(argv)

    from tmslab.conductors.head import fsaverage_head, named_target, pose_at
    from tmslab.efield.bem import solve
    from tmslab.efield.head import as_coil
    from tmslab.neuron.cortex import cortex_threshold_map
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.units import A_PER_US, MM

    methods = [m.strip() for m in args.methods.split(",")]
    start = time.perf_counter()
    head = fsaverage_head()
    target = named_target(head, "M1-hand")
    pose = pose_at(head, "C3", handle_angle_deg=45, distance_m=4 * MM)
    coil = as_coil("magstim-70mm-fig8")
    t_load = time.perf_counter() - start
    start = time.perf_counter()
    didt = 100 * A_PER_US
    solution = solve(head.conductor(), coil.transformed(pose), didt_a_per_s=didt)
    t_solve = time.perf_counter() - start
    model = get_model(args.model)
    drive = get_drive(args.waveform, 2.5e-6)
    print(
        f"head load {t_load:.1f} s, BEM solve {t_solve:.1f} s; model {model.name} "
        f"({model.cable.n_nodes} nodes), {drive.name}, {args.threads} thread(s)"
    )
    kw = dict(didt_a_per_s=didt, threads=args.threads)
    cortex_threshold_map(head, solution, model, drive, target, args.radius_mm * MM, 2, **kw)

    def run(n, method):
        options = {} if method == "simulate" else {"table_directions": args.table_directions}
        begin = time.perf_counter()
        result = cortex_threshold_map(
            head, solution, model, drive, target, args.radius_mm * MM, n, method=method,
            **options, **kw,
        )  # fmt: skip
        return result, time.perf_counter() - begin

    for n in args.cells:
        print(f"\n{n} cells, seconds after the solve")
        results = {}
        if "simulate" in methods:
            results["simulate"] = run(n, "simulate")
        if "table" in methods:
            with tempfile.TemporaryDirectory(prefix="tmslab-tables-") as cache:
                previous = os.environ.get("TMSLAB_CACHE_DIR")
                os.environ["TMSLAB_CACHE_DIR"] = (
                    cache  # an empty table cache: the table is computed
                )
                try:
                    results["table, cold"] = run(n, "table")
                    results["table, warm"] = run(n, "table")
                finally:
                    if previous is None:
                        os.environ.pop("TMSLAB_CACHE_DIR")
                    else:
                        os.environ["TMSLAB_CACHE_DIR"] = previous
        for name, (result, total) in results.items():
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings_s.items())
            pct = result.summary()["threshold_pct"]
            verdict = "met" if total <= 60 else "NOT met"
            print(
                f"  {name:<12} {total:7.1f} s  (goal <= 60 s: {verdict}; {stages}; "
                f"{result.n_simulations} runs); threshold median {pct['median']:.1f} %, "
                f"min {pct['min']:.1f} % of {didt / A_PER_US:g} A/us"
            )
        if "simulate" in results and "table, warm" in results:
            full = results["simulate"][0].threshold_scale
            table = results["table, warm"][0].threshold_scale
            error = np.abs(table / full - 1.0)
            error = error[np.isfinite(error)]
            print(
                f"  table against simulate, all {len(error)} cells: median |error| "
                f"{np.median(error) * 100:.1f} %, 90th percentile {np.percentile(error, 90) * 100:.1f} %, "
                f"largest {np.max(error) * 100:.1f} %; speed-up (warm) "
                f"{results['simulate'][1] / results['table, warm'][1]:.0f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
