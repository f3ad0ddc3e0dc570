"""``tmslab run`` killed with SIGKILL at any moment: OUT holds a whole set or none, never a mix.

Issue 15: the four files were written one after another, so a kill between them left the new
results.nc beside the previous run's JSON and report. Now the set is built in a hidden sibling
folder and renamed into place (tmslab.outputs). Each case kills a real ``tmslab run`` process
(kill -9) at a time, or at a point of the write phase held open by a hook in the child process
(so the kill lands there every time), into a new and into an existing output folder; then checks
that the spec hash of results.json, provenance.json and results.nc is one run's, and that the
next run tidies every leftover.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tmslab
from tmslab.cli import main

SRC = str(Path(tmslab.__file__).resolve().parents[1])
SET = ["provenance.json", "report.html", "results.json", "results.nc"]
SCENARIO = '[protocol]\nkind = "rtms"\nfrequency_hz = {hz}\npulses_per_train = 3\n'

# The child: `tmslab run ...`, with an optional hook that announces a point of the write phase
# on stdout and then waits there to be killed.
CHILD = """
import os, sys, time
from tmslab import outputs
from tmslab.cli import main

hook = os.environ.get("KILL_HOOK", "")

def hold():
    print("HOOK", flush=True)
    time.sleep(120)

if hook == "between-files":  # results.nc written, the JSON files and the report not yet
    real_write = outputs.OutputSet.write
    def write(self, name, function):
        path = real_write(self, name, function)
        if name == "results.nc":
            hold()
        return path
    outputs.OutputSet.write = write
elif hook in ("before-rename", "between-renames"):
    real_rename = os.rename
    def rename(src, dst):
        publishing = outputs.TMP_MARK in str(src) or outputs.OLD_MARK in str(dst)
        if hook == "before-rename" and publishing:
            hold()  # the whole new set is in the temporary folder, OUT untouched
        real_rename(src, dst)
        if hook == "between-renames" and outputs.OLD_MARK in str(dst):
            hold()  # the old set renamed aside, the new one not yet in
    outputs.os.rename = rename
sys.exit(main(sys.argv[1:]))
"""


def _hashes(out: Path) -> set[str]:
    """The spec hashes the files of the set carry (one, if they come from one run)."""
    import xarray as xr

    with xr.open_dataset(out / "results.nc") as dataset:
        from_nc = dataset.attrs["spec_sha256"]
    return {
        json.loads((out / "provenance.json").read_text())["spec_sha256"],
        json.loads((out / "results.json").read_text())["spec_sha256"],
        from_nc,
    }


def _state(out: Path) -> str | None:
    """None if OUT is absent, else the hash of the whole set it holds (asserting it is whole)."""
    if not out.exists():
        return None
    assert sorted(p.name for p in out.iterdir()) == SET  # no file missing, no .part
    hashes = _hashes(out)
    assert len(hashes) == 1, f"a mixed set: {hashes}"
    return hashes.pop()


def _spec_hash(scenario: Path) -> str:
    from tmslab.provenance import spec_hash
    from tmslab.scenario import load_scenario

    return spec_hash(load_scenario(scenario).raw)


def _killed_run(scenario: Path, out: Path, when: float | str) -> None:
    env = {**os.environ, "PYTHONPATH": SRC, "KILL_HOOK": when if isinstance(when, str) else ""}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "run", str(scenario), "--out", str(out), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        if isinstance(when, str):
            for line in child.stdout:  # wait for the hook's announcement
                if line.startswith("HOOK"):
                    break
            else:
                pytest.fail(f"the run ended before the {when} hook")
        else:
            time.sleep(when)
        child.kill()
    finally:
        child.wait()
        child.stdout.close()


@pytest.mark.slow
@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "existing-folder"])
@pytest.mark.parametrize(
    "when", [0.5, 2.0, 5.0, "between-files", "before-rename", "between-renames"]
)
def test_a_killed_run_leaves_a_whole_set_and_the_next_run_tidies(tmp_path, capsys, existing, when):
    if when == "between-renames" and not existing:
        pytest.skip("a new folder is published by one rename")
    old_scenario, new_scenario = tmp_path / "old.toml", tmp_path / "new.toml"
    old_scenario.write_text(SCENARIO.format(hz=1))
    new_scenario.write_text(SCENARIO.format(hz=2))
    old_hash, new_hash = _spec_hash(old_scenario), _spec_hash(new_scenario)
    out = tmp_path / "runs" / "out"
    if existing:
        assert main(["run", str(old_scenario), "--out", str(out), "--json"]) == 0
        assert _state(out) == old_hash

    _killed_run(new_scenario, out, when)

    state = _state(out)
    if when in ("between-files", "before-rename"):
        # killed inside the write phase: the previous set (or nothing) is still all there is
        assert state == (old_hash if existing else None)
    elif when == "between-renames":
        # the one tiny window: OUT is missing, the previous set lies whole beside it
        assert state is None
        aside = [p for p in out.parent.iterdir() if ".tmslab-old-" in p.name]
        assert len(aside) == 1 and _state(aside[0]) == old_hash
    else:
        assert state in ({old_hash, new_hash} if existing else {None, new_hash})

    # The next run to OUT restores or removes what the killed one left, then writes its own.
    if when == "between-renames":
        from tmslab.outputs import clean_leftovers

        clean_leftovers(out)  # what the next run does first: the previous set is back in OUT
        assert _state(out) == old_hash
    assert main(["run", str(new_scenario), "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    assert _state(out) == new_hash
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]  # no hidden leftovers
