"""Run every example scenario and compare its results.json with a reference run.

Used to check that a change which must not alter behaviour (a refactor) leaves every number of
every example identical. Run it once on the old code (``--out before``), once on the new
(``--out after --against before``)::

    python tools/compare_examples.py --out /tmp/before
    python tools/compare_examples.py --out /tmp/after --against /tmp/before

Prints one line per example (identical, or the first differing keys) and exits 1 on any
difference. ``tmslab_version`` is ignored (a release may bump it); everything else must match.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = {"tmslab_version"}


def differences(a, b, path: str = "") -> list[str]:
    """Paths (``sections.field.metrics.emax``) where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if not path and key in IGNORED:
                continue
            where = f"{path}.{key}" if path else key
            if key not in a or key not in b:
                out.append(f"{where} (only in {'after' if key not in a else 'before'})")
            else:
                out.extend(differences(a[key], b[key], where))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path} (length {len(a)} -> {len(b)})"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path} ({a!r} -> {b!r})"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for this run's outputs")
    parser.add_argument("--against", type=Path, help="folder of an earlier run to compare with")
    parser.add_argument("--examples", type=Path, default=ROOT / "examples")
    args = parser.parse_args()
    failed = 0
    for scenario in sorted(args.examples.glob("*.toml")):
        out = args.out / scenario.stem
        run = subprocess.run(
            [sys.executable, "-m", "tmslab", "run", str(scenario), "--out", str(out)],
            check=False,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            print(f"{scenario.stem}: run failed: {run.stderr.strip().splitlines()[-1:]}")
            failed += 1
            continue
        if args.against is None:
            print(f"{scenario.stem}: written to {out}")
            continue
        reference = args.against / scenario.stem / "results.json"
        if not reference.is_file():  # an example added since the reference run
            print(f"{scenario.stem}: new, no reference to compare with (written to {out})")
            continue
        before = json.loads(reference.read_text())
        after = json.loads((out / "results.json").read_text())
        found = differences(before, after)
        if found:
            failed += 1
            shown = "; ".join(found[:5]) + (
                f"; ... {len(found) - 5} more" if len(found) > 5 else ""
            )
            print(f"{scenario.stem}: DIFFERENT: {shown}")
        else:
            print(f"{scenario.stem}: identical")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
