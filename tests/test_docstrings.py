"""Public API of the physics packages is documented in numpydoc style with units (issue 19).

Every public function, method and class of tmslab.coils, conductors, efield and neuron has a
numpydoc docstring. Functions and methods with arguments have a ``Parameters`` section naming each
argument; dataclasses have an ``Attributes`` (or ``Parameters``) section naming each field. Every
entry whose type is a number or an array (``float``, ``ndarray``, ``array``) gives its unit after
the type, ``dimensionless`` or ``-`` for pure numbers::

    points : (N, 3) ndarray, m
    didt : float, A/s
    rtol : float, dimensionless, optional

Returns entries follow the same rule. A small parser, not numpydoc's, keeps the test dependency
free.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import tmslab

SRC = Path(tmslab.__file__).parent
PACKAGES = ("coils", "conductors", "efield", "neuron")

NOT_YET: set[str] = set()
NUMERIC = re.compile(r"\b(float|ndarray|array)\b", re.IGNORECASE)
INDEX = re.compile(r"\b(int|bool)\b")  # "(F, 3) ndarray of int": indices, counts, masks
HEADER = re.compile(r"^-{3,}$")


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (SRC / package).rglob("*.py")
        if path.relative_to(SRC).as_posix() not in NOT_YET
        and not (path.name.startswith("_") and path.name != "__init__.py")
    )


def _public(tree: ast.Module) -> list[ast.FunctionDef | ast.ClassDef]:
    exported = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            exported = {ast.literal_eval(e) for e in node.value.elts}
    return [
        node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and not node.name.startswith("_")
        and (exported is None or node.name in exported)
    ]


def sections(doc: str) -> dict[str, list[str]]:
    """Section title -> its lines (dedented docstring), for numpydoc-style docstrings."""
    lines = inspect.cleandoc(doc).split("\n")
    found: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and HEADER.match(lines[i + 1].strip()) and line.strip():
            current = line.strip()
            found[current] = []
        elif current is not None and not HEADER.match(line.strip()):
            found[current].append(line)
    return found


def entries(lines: list[str]) -> list[tuple[list[str], str]]:
    """(names, type line) of each unindented entry ``a, b : type, unit``; names empty if none."""
    out = []
    for line in lines:
        if not line.strip() or line.startswith(" "):
            continue
        if " : " in line or line.rstrip().endswith(" :"):
            names, _, kind = line.partition(" :")
            out.append(([n.strip() for n in names.split(",")], kind.strip()))
        else:
            out.append(([], line.strip()))
    return out


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def unit_missing(kind: str) -> bool:
    """A numeric type line with nothing after the type but ``optional``/``default ...``."""
    parts = _split_top(kind)
    if not NUMERIC.search(parts[0]) or INDEX.search(parts[0]):
        return False
    rest = [p for p in parts[1:] if p and p != "optional" and not p.startswith("default")]
    return not rest


def _arguments(node: ast.FunctionDef) -> list[str]:
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append("*" + args.vararg.arg)
    if args.kwarg:
        names.append("**" + args.kwarg.arg)
    return [n for n in names if n not in ("self", "cls")]


def _check_entries(where: str, lines: list[str], wanted: list[str], title: str) -> list[str]:
    problems = []
    documented = set()
    for names, kind in entries(lines):
        documented.update(names)
        if unit_missing(kind):
            problems.append(f"{where}: {title} {', '.join(names) or kind!r}: give a unit")
    missing = [n for n in wanted if n not in documented and n.lstrip("*") not in documented]
    if missing:
        problems.append(f"{where}: {title} does not describe {', '.join(missing)}")
    return problems


def _check_function(where: str, node: ast.FunctionDef) -> list[str]:
    doc = ast.get_docstring(node)
    if not doc:
        return [f"{where}: no docstring"]
    found = sections(doc)
    problems = []
    wanted = _arguments(node)
    if wanted:
        if "Parameters" not in found:
            problems.append(f"{where}: no Parameters section")
        else:
            problems += _check_entries(where, found["Parameters"], wanted, "Parameters")
    for title in ("Returns", "Yields"):
        if title in found:
            problems += _check_entries(where, found[title], [], title)
    return problems


def _fields(node: ast.ClassDef) -> list[str]:
    return [
        item.target.id
        for item in node.body
        if isinstance(item, ast.AnnAssign)
        and isinstance(item.target, ast.Name)
        and not item.target.id.startswith("_")
        and "ClassVar" not in ast.unparse(item.annotation)
    ]


def _check_class(where: str, node: ast.ClassDef) -> list[str]:
    doc = ast.get_docstring(node)
    if not doc:
        return [f"{where}: no docstring"]
    problems = []
    fields = _fields(node)
    if fields:
        found = sections(doc)
        title = next((t for t in ("Attributes", "Parameters") if t in found), None)
        if title is None:
            problems.append(f"{where}: no Attributes section for its fields")
        else:
            problems += _check_entries(where, found[title], fields, title)
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
            decorators = {ast.unparse(d) for d in item.decorator_list}
            if decorators & {"property", "cached_property", "functools.cached_property"}:
                continue
            problems += _check_function(f"{where}.{item.name}", item)
    return problems


def problems_of(path: Path) -> list[str]:
    rel = path.relative_to(SRC).as_posix()
    problems = []
    for node in _public(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{rel}:{node.lineno} {node.name}"
        check = _check_class if isinstance(node, ast.ClassDef) else _check_function
        problems += check(where, node)
    return problems


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(SRC).as_posix())
def test_public_api_documented_with_units(path):
    problems = problems_of(path)
    assert not problems, "\n".join(problems)


def test_parser_reads_numpydoc():
    doc = """Field at points.

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Where.
    didt, scale : float, A/s
        Rates.
    n : int
        Count.
    rtol : float, optional
        Tolerance.

    Returns
    -------
    (N, 3) ndarray, V/m
        The field.
    """
    found = sections(doc)
    assert set(found) == {"Parameters", "Returns"}
    params = entries(found["Parameters"])
    assert [names for names, _ in params] == [["points"], ["didt", "scale"], ["n"], ["rtol"]]
    assert [unit_missing(kind) for _, kind in params] == [False, False, False, True]
    assert entries(found["Returns"]) == [([], "(N, 3) ndarray, V/m")]
    assert unit_missing("float, dimensionless") is False
    assert unit_missing("(N,) ndarray") is True
    assert unit_missing("(F, 3) ndarray of int") is False
