"""The CLI stays a thin shell (issue 19): parse, call one function of the API, print.

Two rules a newcomer can check by reading: no ``cli/`` module imports a numerical or plotting
library (workflows and figures live in the layers and ``viz/``), and no command's body (its
docstring aside) is longer than :data:`MAX_BODY_LINES` lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).parents[2] / "src" / "tmslab" / "cli"
NUMERICS = ("numpy", "scipy", "numba", "xarray", "pandas", "matplotlib", "fmm3dpy", "neuron")
MAX_BODY_LINES = 35
MODULES = sorted(CLI.glob("*.py"))


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_numerics_in_the_cli(path: Path):
    assert not _imported(ast.parse(path.read_text())) & set(NUMERICS)


def _body_lines(func: ast.FunctionDef) -> int:
    body = func.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return 0 if not body else body[-1].end_lineno - body[0].lineno + 1


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_command_bodies_are_short(path: Path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name}: {_body_lines(node)} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and _body_lines(node) > MAX_BODY_LINES
    ]
    assert not long, f"{path.name}: move the workflow into the layer's API: {long}"


def test_the_rules_can_fail(tmp_path: Path):
    fat = "import numpy as np\n\ndef command():\n" + "    x = 1\n" * (MAX_BODY_LINES + 1)
    tree = ast.parse(fat)
    assert "numpy" in _imported(tree)
    assert _body_lines(tree.body[1]) == MAX_BODY_LINES + 1
