"""Every command's --help, rendered in-process: click's type names, none on flags (issue 21)."""

import re

import pytest
import typer
from typer.testing import CliRunner

from tmslab.cli import app


def _commands(command, path=()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_tree_is_walked():
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "field translate", "sweep show", "protocol list", "stimulator dose"} <= paths


@pytest.mark.parametrize(
    "path, command", COMMANDS, ids=[" ".join(p) or "tmslab" for p, _ in COMMANDS]
)
def test_help_uses_click_types_and_no_type_on_flags(path, command):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    for python_label in ("<bool>", "<str>", "<float>", "<int>", "<path>", "%%"):
        assert python_label not in text, f"{python_label} in tmslab {' '.join(path)} --help"
    params = [*command.params, command.get_help_option(typer.Context(command))]
    for param in params:
        if param is None or param.param_type_name != "option":
            continue
        name = max(param.opts, key=len)
        row = next((line for line in text.splitlines() if re.search(rf"{name}\b", line)), None)
        assert row is not None, f"{name} missing from tmslab {' '.join(path)} --help"
        after = row.split(name, 1)[1]
        label = re.match(r"[\s│,/-]*(?:--[\w-]+\s*)*([A-Z][A-Z|\[\] ]*[A-Z\]])?", after)
        shown = label.group(1) if label else None
        if param.is_flag:
            assert shown is None, f"flag {name} shows a type: {row!r}"


def test_click_names_for_values():
    text = CliRunner().invoke(app, ["field", "metrics", "--help"]).output
    assert re.search(r"--handle-angle\s+FLOAT", text)
    assert re.search(r"--head\s+TEXT", text)
    assert re.search(r"--didt\s+QUANTITY", text) and "A/us" in text
    text = CliRunner().invoke(app, ["sweep", "show", "--help"]).output
    assert re.search(r"--limit\s+INTEGER", text)
    assert re.search(r"STORE\s+PATH", text)
    text = CliRunner().invoke(app, ["field", "translate", "--help"]).output
    assert "100 % MSO" in text
