"""Outputs whole or not at all, file-system errors as one line, validation before work (issue 15).

Permissions: the tests run as root in CI containers, where chmod 0o555 does not stop a write. A
path under a regular *file* fails for every user, so most tests use that; the os.access check is
tested by monkeypatching, and the chmod test runs only where permissions bite.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import error_line
from tmslab import outputs
from tmslab.cli import main
from tmslab.errors import SpecFileError, TmslabError
from tmslab.outputs import (
    OLD_MARK,
    TMP_MARK,
    OutputLocationError,
    OutputSet,
    check_output_dir,
    check_output_file,
    clean_leftovers,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHEAP = '[protocol]\nkind = "rtms"\nfrequency_hz = 1\npulses_per_train = 3\n'


def _dead_pid() -> int:
    """The id of a process that has exited (a killed run's)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _no_write(path, mode, **kwargs) -> bool:
    """os.access of a folder without write permission (os is shared: reading stays allowed)."""
    return not mode & os.W_OK


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- OutputSet: the whole set or nothing -------------------------------------------------------
def test_a_new_set_appears_whole(tmp_path):
    out = tmp_path / "out"
    with OutputSet(out) as files:
        files.write_text("a.json", "1")
        files.write_text("b.json", "2")
        assert not out.exists()  # nothing visible until the set is complete
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]
    assert _hidden(tmp_path) == []


def test_an_existing_set_is_replaced_whole(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("old")
    (out / "b.json").write_text("old")
    with OutputSet(out) as files:
        files.write_text("a.json", "new")
        assert (out / "a.json").read_text() == "old" and (out / "b.json").exists()
    # b.json belonged to the old set: the folder now holds exactly the new one
    assert sorted(p.name for p in out.iterdir()) == ["a.json"]
    assert (out / "a.json").read_text() == "new"
    assert _hidden(tmp_path) == []


def test_a_failure_while_writing_leaves_the_previous_set(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("old")
    with pytest.raises(RuntimeError), OutputSet(out) as files:
        files.write_text("a.json", "new")
        raise RuntimeError("disk full, say")
    assert (out / "a.json").read_text() == "old"
    assert _hidden(tmp_path) == []  # the temporary folder is gone


def test_a_failed_rename_in_puts_the_old_set_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("old")
    real_rename = os.rename

    def rename(src, dst):
        if TMP_MARK in str(src):
            raise OSError(errno.EIO, "I/O error", str(dst))
        real_rename(src, dst)

    monkeypatch.setattr(outputs.os, "rename", rename)
    with pytest.raises(OSError), OutputSet(out) as files:
        files.write_text("a.json", "new")
    assert (out / "a.json").read_text() == "old"
    assert _hidden(tmp_path) == []


# --- what a killed run leaves, and how the next run tidies it ----------------------------------
def test_a_kill_between_the_renames_is_undone_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    pid = _dead_pid()
    old = tmp_path / f".out.{OLD_MARK}-{pid}-abcd1234"  # the previous set, renamed aside
    new = tmp_path / f".out.{TMP_MARK}-{pid}-abcd1234"  # the new set, not yet renamed in
    for folder, text in ((old, "old"), (new, "new")):
        folder.mkdir()
        (folder / "a.json").write_text(text)
    clean_leftovers(out)
    assert (out / "a.json").read_text() == "old"
    assert _hidden(tmp_path) == []


def test_a_set_aside_old_set_is_removed_when_the_new_one_made_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("new")
    (out / ".a.json.x1y2.part").write_text("half")  # a kill inside an older atomic_write
    old = tmp_path / f".out.{OLD_MARK}-{_dead_pid()}-00ff00ff"
    old.mkdir()
    (old / "a.json").write_text("old")
    clean_leftovers(out)
    assert (out / "a.json").read_text() == "new"
    assert sorted(p.name for p in out.iterdir()) == ["a.json"]
    assert _hidden(tmp_path) == []


def test_a_run_in_progress_keeps_its_temporary_folder(tmp_path):
    busy = tmp_path / f".out.{TMP_MARK}-{os.getppid()}-abcd1234"  # a live process's
    busy.mkdir()
    other = tmp_path / f".other.{TMP_MARK}-{_dead_pid()}-abcd1234"  # another output's
    other.mkdir()
    clean_leftovers(tmp_path / "out")
    assert busy.exists() and other.exists()


# --- output locations checked before work ------------------------------------------------------
def test_a_folder_under_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputLocationError, match="is a file, not a directory"):
        check_output_dir(blocker / "out")
    with pytest.raises(OutputLocationError, match="exists and is not a directory"):
        check_output_dir(blocker)
    with pytest.raises(OutputLocationError, match="is a file"):
        check_output_file(blocker / "deeper" / "x.csv")


def test_os_access_saying_no_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs.os, "access", _no_write)
    with pytest.raises(OutputLocationError, match="is not writable") as info:
        check_output_dir(tmp_path / "out")
    assert str(tmp_path) in str(info.value)


def test_a_failing_probe_is_refused_with_its_reason(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.tempfile, "TemporaryFile", full)
    with pytest.raises(OutputLocationError, match="No space left on device"):
        check_output_file(tmp_path / "x.csv")


def test_output_file_types_are_checked(tmp_path):
    with pytest.raises(OutputLocationError, match=r"\.png, \.svg"):
        check_output_file(tmp_path / "fig.jpg", (".png", ".svg"))
    with pytest.raises(OutputLocationError, match="is a directory"):
        check_output_file(tmp_path)
    assert (
        check_output_file(tmp_path / "new" / "fig.PNG", (".png",)) == tmp_path / "new" / "fig.PNG"
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into 0o555 folders"
)
def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputLocationError, match="not writable"):
            check_output_dir(folder / "out")
    finally:
        folder.chmod(0o755)


# --- the CLI: one error line, exit 2, before any stage runs ------------------------------------
def test_run_into_a_path_under_a_file_fails_before_any_stage(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP)
    assert main(["run", str(scenario), "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    line = error_line(err)  # no "[1/9] Protocol" progress line: no stage ran
    assert str(blocker) in line and "not a directory" in line


def test_run_into_an_unwritable_folder_fails_before_any_stage(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(outputs.os, "access", _no_write)
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP)
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    assert "is not writable" in error_line(capsys.readouterr().err)
    assert not out.exists()


def test_run_refuses_a_folder_with_files_it_did_not_write(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    assert "'notes.txt'" in error_line(capsys.readouterr().err)
    assert (out / "notes.txt").read_text() == "mine"


def test_run_writes_the_set_and_replaces_it_whole(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP)
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--json"]) == 0
    first = (out / "provenance.json").read_text()
    scenario.write_text(CHEAP.replace("frequency_hz = 1", "frequency_hz = 2"))
    assert main(["run", str(scenario), "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    names = sorted(p.name for p in out.iterdir())
    assert names == ["provenance.json", "report.html", "results.json", "results.nc"]
    assert (out / "provenance.json").read_text() != first
    assert _hidden(tmp_path) == []


def test_an_os_error_anywhere_is_one_line_naming_the_path(tmp_path, capsys):
    # The last resort in main(): protocol export writes through atomic_write, whose mkdir fails.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "sub" / "pulses.csv"
    assert main(["protocol", "export", "itbs", "--out", str(target)]) == 2
    line = error_line(capsys.readouterr().err)
    assert str(blocker) in line


def test_a_missing_compare_scenario_fails_at_load(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP + '[compare]\nscenario = "nope.toml"\n')
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    line = error_line(capsys.readouterr().err)  # before "[1/9] Protocol"
    assert "'nope.toml'" in line and "no file" in line
    assert not out.exists()


def test_an_invalid_compare_scenario_fails_at_load(tmp_path, capsys):
    (tmp_path / "other.toml").write_text(
        '[protocol]\npreset = "itbs"\n[subject]\nspecies = "cat"\n'
    )
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP + '[compare]\nscenario = "other.toml"\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 2
    line = error_line(capsys.readouterr().err)
    assert "[compare] scenario 'other.toml'" in line and "species" in line


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=30))
def test_any_compare_path_loads_or_fails_as_a_user_error(tmp_path, name):
    from tmslab.scenario import load_scenario

    scenario = tmp_path / "s.toml"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    quoted = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in quoted)
    scenario.write_text(CHEAP + f'[compare]\nscenario = "{quoted}"\n', encoding="utf-8")
    try:
        load_scenario(scenario)
    except TmslabError:
        pass  # a path that is no scenario file is a one-line user error, never a crash


def _tripwire(monkeypatch, *targets: str) -> None:
    """Make the work behind ``targets`` (module.attribute or module.Class.method) fail loudly,
    so a refusal that came after it shows (no timing asserted: that is for benchmarks)."""
    import importlib

    def work(*args, **kwargs):
        raise AssertionError("the work started before the refusal")

    for target in targets:
        module, _, rest = target.partition(":")
        owner = importlib.import_module(module)
        *path, name = rest.split(".")
        for part in path:
            owner = getattr(owner, part)
        monkeypatch.setattr(owner, name, work)


def test_field_translate_pct_mso_without_didt_max_fails_at_once(capsys, monkeypatch):
    _tripwire(monkeypatch, "tmslab.efield.translate:field_metrics")  # ~20 s of work before
    code = main(
        [
            *("field", "translate", "--from-head", "rat", "--from-coil", "rodent-round-25-50mm"),
            *("--intensity", "60", "--unit", "pct_mso"),
        ]
    )
    assert code == 2 and "--didt-max" in error_line(capsys.readouterr().err)


# --- %MT without a motor threshold: the report says what was skipped and why -------------------
def test_no_didt_reason_names_the_missing_motor_threshold():
    from tmslab.scenario import Section, scenario_from_mapping
    from tmslab.stages.field import no_didt_reason

    done = {"stimulator": Section("Stimulator", {"didt_max_a_per_s": 1.5e8})}
    scenario = scenario_from_mapping(
        {"protocol": {"preset": "itbs"}, "stimulator": {"intensity_pct_mt": 80}}
    )
    assert "motor_threshold_pct_mso" in no_didt_reason(scenario, done)
    scenario = scenario_from_mapping({"protocol": {"preset": "itbs"}})
    assert "No [stimulator] intensity" in no_didt_reason(scenario, done)


@pytest.mark.slow
def test_pct_mt_without_motor_threshold_says_why_neurons_were_skipped(tmp_path, capsys):
    import json

    scenario = tmp_path / "s.toml"
    scenario.write_text(
        CHEAP
        + '[stimulator]\nintensity_pct_mt = 80\n[coil]\nname = "rodent-round-25-50mm"\n'
        + '[subject]\nspecies = "rat"\n'
    )
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), "--json"]) == 0
    sections = json.loads(capsys.readouterr().out)["sections"]
    assert sections["neurons"]["computed"] is False
    assert "motor_threshold_pct_mso" in sections["neurons"]["reason"]
    report = (tmp_path / "o" / "report.html").read_text()
    assert "motor_threshold_pct_mso" in report


# --- sweeps: refused before the store exists; two sweeps on one new store ----------------------
SWEEP = """
[sweep]
name = "two"
outputs = {outputs}
[sweep.parameters]
"protocol.frequency_hz" = [1, 2]
[scenario]
[scenario.protocol]
kind = "rtms"
frequency_hz = 1
pulses_per_train = 3
[scenario.stimulator]
device = "magpro-x100"
intensity_pct_mso = 50
[scenario.subject]
species = "dish"
"""


def _spec(tmp_path, outputs='["plasticity.relative_weight"]'):
    from tmslab.sweeps.spec import load_sweep_spec

    path = tmp_path / "spec.toml"
    path.write_text(SWEEP.format(outputs=outputs))
    return load_sweep_spec(path)


def test_an_unknown_sweep_output_leaves_no_store(tmp_path):
    from tmslab.errors import InvalidValueError
    from tmslab.sweeps.runner import run_sweep

    store = tmp_path / "s.zarr"
    with pytest.raises(InvalidValueError, match="relative_weigth"):
        run_sweep(_spec(tmp_path, '["plasticity.relative_weigth"]'), store, workers=0)
    assert not store.exists() and _hidden(tmp_path) == []


def test_a_good_sweep_still_stores_every_task(tmp_path):
    from tmslab.sweeps.runner import run_sweep
    from tmslab.sweeps.store import SweepStore

    store = tmp_path / "s.zarr"
    run = run_sweep(_spec(tmp_path), store, workers=0)
    assert run.n_ran == 2 and len(SweepStore.open(store).done_ids()) == 2


@pytest.mark.slow  # the Dask client retries for its 10 s timeout
def test_an_unreachable_scheduler_leaves_no_store(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP.format(outputs='["plasticity.relative_weight"]'))
    store = tmp_path / "s.zarr"
    code = main(["sweep", str(spec), "--out", str(store), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2 and "--scheduler" in error_line(capsys.readouterr().err)
    assert not store.exists()


def test_a_sweep_store_under_a_file_is_refused_at_once(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP.format(outputs='["plasticity.relative_weight"]'))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["sweep", str(spec), "--out", str(blocker / "s.zarr"), "--serial"]) == 2
    assert "is a file" in error_line(capsys.readouterr().err)


def test_the_loser_of_a_store_creation_race_opens_the_winners_store(tmp_path):
    from tmslab.sweeps.store import SweepStore

    spec, store = _spec(tmp_path), tmp_path / "s.zarr"
    SweepStore._create(store, spec)  # the winner
    SweepStore._create(store, spec)  # the loser found it missing a moment ago: no Errno 39
    assert SweepStore.open(store).attrs["tasks_sha256"] == spec.tasks_sha256
    assert _hidden(tmp_path) == []


def test_two_sweeps_starting_together_on_a_new_store(tmp_path):
    from tmslab.sweeps.store import SweepStore

    spec, store = _spec(tmp_path), tmp_path / "s.zarr"
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def start() -> None:
        barrier.wait()
        try:
            outcomes.append(SweepStore.create_or_open(store, spec))
        except Exception as error:  # recorded and checked below
            outcomes.append(error)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    opened = [o for o in outcomes if isinstance(o, SweepStore)]
    refused = [o for o in outcomes if not isinstance(o, SweepStore)]
    # One holds the writer lock; the other is told, in words, that the store is busy.
    assert len(opened) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], SpecFileError) and "another sweep" in str(refused[0])
    assert "Errno" not in str(refused[0])
    opened[0].close()


def test_run_refuses_to_replace_the_current_folder(tmp_path, capsys, monkeypatch):
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["run", str(scenario), "--out", "."]) == 2
    assert "current folder" in error_line(capsys.readouterr().err)
    assert main(["run", str(scenario), "--out", ".."]) == 2
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here", "s.toml"]


def test_run_through_a_link_replaces_the_folder_it_names(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(CHEAP)
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert main(["run", str(scenario), "--out", str(link), "--json"]) == 0
    assert main(["run", str(scenario), "--out", str(link), "--json"]) == 0
    capsys.readouterr()
    assert link.is_symlink() and sorted(p.name for p in link.iterdir()) == sorted(
        ["provenance.json", "report.html", "results.json", "results.nc"]
    )


def test_a_full_disk_is_one_line_naming_the_file_not_its_temporary(tmp_path, capsys, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    target = tmp_path / "pulses.csv"
    assert main(["protocol", "export", "itbs", "--out", str(target)]) == 2
    line = error_line(capsys.readouterr().err)
    assert f"{target}: No space left on device" in line and "disk is full" in line
    assert ".part" not in line
    assert list(tmp_path.iterdir()) == []  # the temporary file is removed


def test_a_killed_writers_part_file_is_removed_by_the_next_write(tmp_path):
    from tmslab.provenance import atomic_write_text

    dead = tmp_path / f".p.csv.{_dead_pid()}-abcd1234.part"  # a writer killed mid-file
    legacy = tmp_path / ".p.csv.k2j4h5g6.part"  # the same, written before the pid was in the name
    busy = tmp_path / f".p.csv.{os.getppid()}-abcd1234.part"  # a writer still at work
    for part in (dead, legacy, busy):
        part.write_text("half")
    atomic_write_text(tmp_path / "p.csv", "a,b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([busy.name, "p.csv"])


@pytest.mark.parametrize(
    "argv",
    [
        ["plasticity", "curve", "--out", "{bad}/c.png"],
        ["plasticity", "predict", "--protocol", "itbs", "--plot", "{bad}/p.png"],
        ["neuron", "sd-curve", "--out", "{bad}/sd.png"],
        ["neuron", "map", "--out", "{bad}/map.png"],
        ["field", "map", "--coil", "round-7cm", "--out", "{bad}/m.png"],
        ["field", "map", "--coil", "round-7cm", "--out", "{ok}/m.jpg"],
    ],
)
def test_figure_outputs_are_checked_before_the_work(tmp_path, capsys, argv, monkeypatch):
    _tripwire(
        monkeypatch,
        "tmslab.plasticity.predict:predict_protocol",
        "tmslab.plasticity.curves:frequency_curves",
        "tmslab.neuron.batched:BatchedSolver.simulate",
        "tmslab.neuron.nrn:NeuronSolver.simulate",
        "tmslab.efield.workflows:field_overview",
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    args = [a.format(bad=blocker, ok=tmp_path) for a in argv]
    assert main(args) == 2
    line = error_line(capsys.readouterr().err)
    assert "is a file" in line or ".jpg" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
