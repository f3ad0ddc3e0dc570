"""Benchmark: the quickstart scenario, stage by stage, cold and warm, against the baseline.

Runs ``examples/quickstart.toml`` (or the scenarios given) the way ``tmslab run`` does, each in
a fresh process: first with an empty Numba cache (a fresh NUMBA_CACHE_DIR: every kernel
compiles), then again with the cache that run left. Does so with this tree's src/ and with the
baseline's (the commit this branch left main, extracted with git archive), and prints the time
per stage side by side. Then compares the results.json of the two trees: every number must agree
to rounding noise (relative 1e-9). Goals for this tree: warm <= 8 s, cold <= 30 s.

    python benchmarks/quickstart.py [SCENARIO.toml ...] [--base REV] [--warm-only]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baseline import ROOT, baseline_src, current_src

GOALS = {"cold": 30.0, "warm": 8.0}

# Run in the child: the stages timed one by one, then the report, then results.json written.
CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from tmslab.provenance import dumps, provenance
from tmslab.report.html import render_report
from tmslab.scenario import load_scenario
try:
    from tmslab.stages import run_scenario
except ImportError:  # a baseline from before the runner moved to tmslab.stages
    from tmslab.scenario import run_scenario
scenario = load_scenario(sys.argv[1])
record = provenance(scenario.raw, inputs={"scenario_file": sys.argv[1]})
times, marks = {}, [("import and load", t0)]
def on_stage(index, title):
    marks.append((title, time.perf_counter()))
result = run_scenario(scenario, on_stage=on_stage)
marks.append(("report", time.perf_counter()))
render_report(result, record)
marks.append(("end", time.perf_counter()))
for (name, start), (_, stop) in zip(marks, marks[1:]):
    times[name] = stop - start
results = {**result.to_dict(), "tmslab_version": record["tmslab_version"]}
with open(sys.argv[2], "w") as f:
    f.write(dumps(results))
print(json.dumps(times))
"""


def run_once(src: Path, scenario: Path, cache: str, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": cache, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-c", CHILD, str(scenario), str(out)]
    done = subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, cwd=scenario.parent
    )
    if done.returncode:
        raise SystemExit(f"{src}: {scenario.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def differences(a, b, path="", scale=0.0) -> list[str]:
    """Where two JSON values differ beyond rounding noise: relative 1e-9 of the number, or of
    the largest number in the list holding it (a rotation's 1e-11 next to its 1.0 is noise)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: only in one" for k in set(a) ^ set(b)]
        for k in sorted(set(a) & set(b)):
            out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: lengths {len(a)} != {len(b)}"]
        numbers = [abs(x) for x in a if isinstance(x, float) and math.isfinite(x)]
        scale = max(numbers, default=scale)
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += differences(x, y, f"{path}[{i}]", scale)
        return out
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return []
        if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale):
            return []
        return [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenarios", nargs="*", type=Path, default=[ROOT / "examples/quickstart.toml"]
    )
    parser.add_argument("--base", default=None, help="baseline commit (default: merge-base)")
    parser.add_argument(
        "--warm-only", action="store_true", help="skip the cold runs (a warm-up run instead)"
    )
    args = parser.parse_args()
    rev, base = baseline_src(args.base)
    trees = {f"baseline {rev}": base, "this tree": current_src()}
    print(f"machine: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="tmslab-quickstart-") as tmp:
        for scenario in args.scenarios:
            scenario = scenario.resolve()
            table: dict[str, dict[str, dict[str, float]]] = {}
            outputs = {}
            for name, src in trees.items():
                cache = tempfile.mkdtemp(prefix="numba-", dir=tmp)
                out = Path(tmp) / f"{name.split()[0]}-{scenario.stem}.json"
                first = run_once(src, scenario, cache, out)
                table[name] = {"warm": run_once(src, scenario, cache, out)}
                if not args.warm_only:
                    table[name]["cold"] = first
                outputs[name] = json.loads(out.read_text())
            print(f"\n{scenario.name}: seconds per stage")
            runs = [(n, kind) for n in trees for kind in ("cold", "warm") if kind in table[n]]
            stages = list(next(iter(table.values()))["warm"])
            print(f"{'stage':<24}" + "".join(f"{n.split()[0] + ' ' + k:>16}" for n, k in runs))
            for stage in stages:
                print(
                    f"{stage:<24}"
                    + "".join(f"{table[n][k].get(stage, float('nan')):16.2f}" for n, k in runs)
                )
            totals = {(n, k): sum(table[n][k].values()) for n, k in runs}
            print(f"{'total':<24}" + "".join(f"{totals[r]:16.2f}" for r in runs))
            for n, k in runs:
                if n == "this tree":
                    verdict = "met" if totals[(n, k)] <= GOALS[k] else "NOT met"
                    print(f"goal {k} <= {GOALS[k]:g} s: {verdict} ({totals[(n, k)]:.1f} s)")
            base_name, tree_name = trees
            diff = differences(outputs[base_name], outputs[tree_name])
            print(
                f"results.json, baseline vs this tree: {'identical to 1e-9' if not diff else f'{len(diff)} DIFFERENCES'}"
            )
            for line in diff[:20]:
                print("  " + line)


if __name__ == "__main__":
    main()
