"""One threshold of one realistic cell: NEURON and the batched solver side by side (issue 17).

Both run the same bisection (tmslab.neuron.threshold: start at the model's guess, bracket,
bisect to 0.5 %) for one uniform-field direction. The batched solver is timed after a warm-up
threshold (Numba compilation is cached on disk after the first run and is excluded; the first
run's time is printed too). No assertion on the times: this prints them.

    TMSLAB_MORPHOLOGIES=/path/to/morphos python benchmarks/neuron_threshold.py  # aberra-l5-pc
    python benchmarks/neuron_threshold.py --model l5-pyramidal --direction 0,0,1
    python benchmarks/neuron_threshold.py --swc tests/neuron/data/nemo_synthetic_pyramidal.swc
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="aberra-l5-pc")
    parser.add_argument("--swc", default=None, help="SWC file (membranes 'aberra') instead")
    parser.add_argument("--waveform", default="magventure-magpro-x100:monophasic")
    parser.add_argument("--direction", default="0,-1,0")
    parser.add_argument("--dt-us", type=float, default=2.5)
    parser.add_argument("--threads", type=int, default=None, help="Numba threads (batched)")
    args = parser.parse_args(argv)

    import numpy as np

    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model, model_from_swc
    from tmslab.neuron.threshold import direction_thresholds

    model = model_from_swc(args.swc, membrane="aberra") if args.swc else get_model(args.model)
    drive = get_drive(args.waveform, args.dt_us * 1e-6)
    d = np.array([[float(v) for v in args.direction.split(",")]])
    d /= np.linalg.norm(d)
    options = {} if args.threads is None else {"threads": args.threads}
    print(
        f"{model.name}: {int(model.cable.has_membrane.sum())} compartments, {drive.name}, direction {d[0]}"
    )

    start = time.perf_counter()
    direction_thresholds(model, drive, d, "batched", 0.005, **options)
    first = time.perf_counter() - start
    start = time.perf_counter()
    batched = direction_thresholds(model, drive, d, "batched", 0.005, **options)
    t_batched = time.perf_counter() - start
    start = time.perf_counter()
    neuron = direction_thresholds(model, drive, d, "neuron", 0.005)
    t_neuron = time.perf_counter() - start

    eb, en = batched.thresholds_v_per_m[0], neuron.thresholds_v_per_m[0]
    print("solver    threshold     time   simulations")
    print(f"NEURON    {en:8.2f} V/m {t_neuron:7.2f} s  {neuron.n_simulations}")
    print(f"batched   {eb:8.2f} V/m {t_batched:7.2f} s  {batched.n_simulations}")
    print(f"(batched first run incl. compilation: {first:.2f} s)")
    print(f"agreement {100 * (eb / en - 1):+.2f} %, speed-up {t_neuron / t_batched:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
