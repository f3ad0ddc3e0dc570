"""Threshold map of L5 cells on the template cortex: time per stage.

Solves the field of a figure-8 coil at C3 (handle 45 degrees, 4 mm) on fsaverage once, then
places N cells of the model in the patch around M1-hand and finds their thresholds with the
batched solver (tmslab.neuron.cortex.cortex_threshold_map). Prints the time of the head solve,
of the field at every compartment plus the coupling, and of the thresholds (after a small run
that compiles the solver, not timed). Goal (issue 17): 1,000 L5 cells <= 60 s after the solve.

    python benchmarks/neuron_map.py                       # 100 and 1,000 cells, l5-pyramidal
    python benchmarks/neuron_map.py --cells 200 --threads 2
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="l5-pyramidal")
    parser.add_argument("--waveform", default="magventure-magpro-x100:monophasic")
    parser.add_argument("--cells", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--radius-mm", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2, help="threads of the batched solver")
    args = parser.parse_args(argv)

    from tmslab.conductors.head import fsaverage_head, named_target, pose_at
    from tmslab.efield.bem import solve
    from tmslab.efield.head import as_coil
    from tmslab.neuron.cortex import cortex_threshold_map
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.units import A_PER_US, MM

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
    for n in args.cells:
        start = time.perf_counter()
        result = cortex_threshold_map(
            head, solution, model, drive, target, args.radius_mm * MM, n, **kw
        )
        total = time.perf_counter() - start
        t = result.timings_s
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in t.items())
        pct = result.summary()["threshold_pct"]
        print(
            f"{n} cells: {total:.1f} s after the solve ({stages}; {result.n_simulations} runs); "
            f"fired {int(result.activated.sum())}, threshold median {pct['median']:.0f} % of "
            f"{didt / A_PER_US:g} A/us"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
