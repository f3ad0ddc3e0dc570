"""The CLI imports a command group only when it runs (issue 20): --version and --help are cheap."""

from __future__ import annotations

import subprocess
import sys

import typer
from typer.testing import CliRunner

from tmslab import __version__
from tmslab.cli import GROUPS, main, root_help


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys; {code}; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split("\n")[-2].split())


def test_importing_the_cli_loads_neither_numpy_nor_pydantic_nor_typer():
    loaded = _modules_after("import tmslab.cli")
    assert not {"numpy", "pydantic", "typer", "rich", "click"} & loaded


def test_version_and_help_load_no_command_group():
    for argv in (["--version"], ["--help"]):
        loaded = _modules_after(f"from tmslab.cli import main; main({argv!r})")
        assert not {"numpy", "pydantic", "typer"} & loaded, argv
        # only the command table (tmslab.cli._groups), no command group
        assert not any(m.startswith("tmslab.cli.") for m in loaded - {"tmslab.cli._groups"}), argv


def test_a_command_loads_only_its_group():
    loaded = _modules_after("from tmslab.cli import main; main(['protocol', 'list', '--json'])")
    assert "tmslab.cli.protocol" in loaded
    assert not {"tmslab.cli.field", "tmslab.cli.meta", "tmslab.cli.sweep"} & loaded


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"tmslab {__version__}\n"


def test_the_table_repeats_each_groups_own_help():
    from tmslab.cli._app import load_group

    for name, (_, _, text) in GROUPS.items():
        command = load_group(name)
        assert " ".join(command.help.split()) == text, name


def test_fast_help_is_typers_help(capsys, monkeypatch):
    # the table-driven text and Typer's own rendering of the loaded tree agree line for line
    from tmslab.cli import app

    monkeypatch.setenv("COLUMNS", "80")
    typer_text = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    assert main(["--help"]) == 0
    fast = capsys.readouterr().out
    assert [line.rstrip() for line in fast.splitlines()] == [
        line.rstrip() for line in typer_text.splitlines()
    ]
    for name in GROUPS:
        assert f"│ {name} " in root_help(80)


def test_the_whole_tree_is_still_walkable():
    from tmslab.cli import app

    command = typer.main.get_command(app)
    assert list(command.commands) == list(GROUPS)
