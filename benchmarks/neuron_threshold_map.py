"""Threshold map over field directions: the batched solver against a plain NEURON loop.

Both do the same bisection (tmslab.neuron.threshold.bisect_thresholds: start at the model's
guess, double or halve to a bracket, bisect to 0.5 %) for every direction of a Fibonacci
sphere; the NEURON loop runs one simulation after another (one NEURON cell, fixed step,
``e_extracellular`` played from vectors), the batched solver runs every direction still
searching in one Numba batch. The NEURON loop is timed on an evenly spread subset of the
directions and extrapolated to all of them (it says so); the thresholds of that subset are
compared with the batched ones.

    python benchmarks/neuron_threshold_map.py                      # l5-pyramidal, 1,000 directions
    python benchmarks/neuron_threshold_map.py --model mrg-axon --subset 40 --threads 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="l5-pyramidal")
    parser.add_argument("--waveform", default="magventure-magpro-x100:monophasic")
    parser.add_argument("--dt-us", type=float, default=2.5)
    parser.add_argument("--n", type=int, default=1000, help="field directions")
    parser.add_argument("--subset", type=int, default=20, help="directions timed with NEURON")
    parser.add_argument(
        "--threads", type=int, default=1, help="Numba threads of the batched solver"
    )
    args = parser.parse_args(argv)

    from tmslab.neuron.directions import fibonacci_sphere
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    model = get_model(args.model)
    drive = get_drive(args.waveform, args.dt_us * 1e-6)
    directions = fibonacci_sphere(args.n)
    subset = np.unique(np.linspace(0, args.n - 1, min(args.subset, args.n)).round().astype(int))

    print(
        f"model {model.name}: {int(np.sum(model.cable.has_membrane))} compartments, "
        f"{model.cable.n_nodes} nodes; pulse {drive.name}, dt {drive.dt_s * 1e6:g} us, "
        f"{round(model.response_window_s / drive.dt_s) + len(drive.e) + 1} steps per run"
    )

    # compile (Numba caches it on disk; not part of the timing)
    direction_thresholds(model, drive, directions[:2], "batched", threads=args.threads)
    start = time.perf_counter()
    batched = direction_thresholds(model, drive, directions, "batched", threads=args.threads)
    t_batched = time.perf_counter() - start

    start = time.perf_counter()
    neuron = direction_thresholds(model, drive, directions[subset], "neuron")
    t_subset = time.perf_counter() - start
    t_neuron = t_subset / len(subset) * args.n

    ours, theirs = batched.thresholds_v_per_m[subset], neuron.thresholds_v_per_m
    both = np.isfinite(ours) & np.isfinite(theirs)
    same_nan = np.array_equal(np.isnan(ours), np.isnan(theirs))
    worst = (
        float(np.max(np.abs(ours[both] - theirs[both]) / theirs[both]))
        if np.any(both)
        else float("nan")
    )
    th = batched.thresholds_v_per_m
    ok = np.isfinite(th)

    print(
        f"directions: {args.n} (activated {int(np.sum(ok))}); thresholds min "
        f"{np.min(th[ok]):.4g}, median {np.median(th[ok]):.4g}, max {np.max(th[ok]):.4g} V/m"
    )
    print(
        f"batched solver ({args.threads} thread(s)): {t_batched:.2f} s for all {args.n} directions "
        f"({batched.n_simulations} runs)"
    )
    print(
        f"NEURON loop: {t_subset:.2f} s for {len(subset)} directions ({neuron.n_simulations} runs), "
        f"extrapolated to {args.n} directions: {t_neuron:.1f} s"
    )
    print(f"speed-up: {t_neuron / t_batched:.1f}x (goal >= 20x)")
    print(
        f"largest threshold difference on the {len(subset)} common directions: {worst * 100:.3f} % "
        f"(goal < 1 %); same directions without activation: {same_nan}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
