"""The architecture holds: no upward imports between the layers, no import circles.

The layers and the figures rule are import-linter contracts in ``pyproject.toml``
(``[tool.importlinter]``); this test runs them on ``src/`` of this checkout. Imports inside
functions and under ``if TYPE_CHECKING:`` count like module-level ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter", reason="pip install import-linter (the test extra)")
pytest.importorskip("grimp")

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def _env() -> dict[str, str]:
    # This checkout's src first: the venv's editable install may point at another tree.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def test_import_contracts_are_kept():
    """lint-imports on pyproject.toml's contracts; on failure its report names every offending
    import (importer -> imported, line) and every chain that carries it upwards."""
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"import contracts broken:\n{run.stdout}\n{run.stderr}"


def _cycles() -> list[set[str]]:
    """Strongly connected components (more than one module) of tmslab's import graph."""
    code = (
        "import json, grimp; "
        "g = grimp.build_graph('tmslab', exclude_type_checking_imports=False, cache_dir=None); "
        "print(json.dumps({m: sorted(g.find_modules_directly_imported_by(m)) "
        "for m in g.modules}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    edges: dict[str, list[str]] = json.loads(run.stdout)
    return _strongly_connected(edges)


def _strongly_connected(edges: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative; components of one module are left out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_strongly_connected_finds_a_circle_and_ignores_a_chain():
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": []}
    assert _strongly_connected(edges) == [{"a", "b", "c"}]


def test_no_import_circles():
    """No module imports itself through others (inside a package or across packages)."""
    cycles = _cycles()
    assert not cycles, "import circles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)
