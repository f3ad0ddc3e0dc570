"""Benchmark: how long ``tmslab --version``, ``tmslab --help`` and ``import tmslab.cli`` take.

Each command runs ``--repeats`` times in a fresh interpreter (as hyperfine would, after one
warm-up run), with this tree's src/ and with the baseline's (the commit this branch left main,
extracted with git archive) on PYTHONPATH; prints mean, standard deviation and minimum wall time,
and the slowest imports of ``--version`` (``python -X importtime``). Goal: <= 0.15 s for both.

    python benchmarks/cli_startup.py [--repeats 20] [--base REV]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baseline import baseline_src, current_src

GOAL_S = 0.15
COMMANDS = {
    "tmslab --version": [
        "-c",
        "from tmslab.cli import run; import sys; sys.argv[1:] = ['--version']; run()",
    ],
    "tmslab --help": [
        "-c",
        "from tmslab.cli import run; import sys; sys.argv[1:] = ['--help']; run()",
    ],
    "import tmslab.cli": ["-c", "import tmslab.cli"],
    "python (nothing)": ["-c", "pass"],
}


def timings(argv: list[str], src: Path, repeats: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "80"}
    command = [sys.executable, *argv]
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm-up (disk, pyc)
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        out.append(time.perf_counter() - start)
    return out


def slowest_imports(argv: list[str], src: Path, n: int = 5) -> list[tuple[float, str]]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    err = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    ).stderr
    rows = []
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    top = [r for r in rows if not r[1].startswith("  ")]  # top-level imports only
    return sorted(top, reverse=True)[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--base", default=None, help="baseline commit (default: merge-base)")
    args = parser.parse_args()
    rev, base = baseline_src(args.base)
    trees = {f"baseline {rev}": base, "this tree": current_src()}
    print(f"machine: {os.cpu_count()} cores; {args.repeats} runs each; goal <= {GOAL_S} s")
    print(f"{'command':<20} " + " ".join(f"{name:>28}" for name in trees))
    for label, argv in COMMANDS.items():
        cells = []
        for src in trees.values():
            t = timings(argv, src, args.repeats)
            sd = statistics.stdev(t) if len(t) > 1 else 0.0
            cells.append(f"{statistics.mean(t):6.3f} ± {sd:5.3f} (min {min(t):5.3f}) s")
        print(f"{label:<20} " + " ".join(f"{c:>28}" for c in cells))
    for name, src in trees.items():
        top = slowest_imports(COMMANDS["tmslab --version"], src)
        shown = ", ".join(f"{mod.strip()} {sec * 1e3:.0f} ms" for sec, mod in top)
        print(f"slowest imports of --version, {name}: {shown}")


if __name__ == "__main__":
    main()
