"""Unit conversions are named in tmslab.units, not written inline (issue 19).

Scans the domain packages for a multiplication or division by a bare power of ten that unit
conversions use (1e3, 1e-3, 1e6, 1e-6, ...). Such a factor is either a conversion, which should use
a name from :mod:`tmslab.units` (``x * MM``, ``x * MS_PER_S``), or a numerical step or tolerance,
which goes in ALLOWED with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import tmslab

SRC = Path(tmslab.__file__).parent
# Every package and top-level module of tmslab but units.py (where the names live).
PACKAGES = (
    "cli",
    "coils",
    "conductors",
    "efield",
    "neuron",
    "plasticity",
    "protocols",
    "evidence",
    "stages",
    "viz",
    "sweeps",
    "report",
    "scenario.py",
    "results.py",
    "budgets.py",
    "outputs.py",
    "geometry.py",
)
FACTORS = {1e3, 1e-3, 1e6, 1e-6, 1e4, 1e-4, 1e9, 1e-9, 1e12, 1e-12}

NOT_YET: set[str] = set()

# (file, expression): factors that are not unit conversions.
ALLOWED = {
    ("efield/bem/solve.py", "1e-3 * size_m"),  # finite-difference step relative to the size
    ("neuron/threshold.py", "guess * 1e-6"),  # bisection floor relative to the first guess
    ("protocols/waveform.py", "1e-9 * omega_max"),  # root bracket relative to its upper end
    # degenerate-direction test relative to the vector's length
    ("stages/neurons.py", "1e-12 * max(np.linalg.norm(along), 1e-300)"),
    ("budgets.py", "dipoles * 1e3"),  # about 1000 field points: a count, not a unit
}


POWER_OF_TEN = re.compile(r"1(\.0*)?[eE][+-]?\d+")  # 1e3, 1.0e-6; not a published 0.001


def _is_factor(node: ast.AST, source: str) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, float)
        and node.value in FACTORS
        and POWER_OF_TEN.fullmatch(ast.get_source_segment(source, node) or "") is not None
    )


def _inline_factors(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            operands = (node.left, node.right)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Mult, ast.Div)):
            operands = (node.value,)
        else:
            continue
        if any(_is_factor(operand, source) for operand in operands):
            found.append((node.lineno, ast.get_source_segment(source, node) or ast.unparse(node)))
    return sorted(found)


def _files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in ([SRC / package] if package.endswith(".py") else (SRC / package).rglob("*.py"))
        if path.relative_to(SRC).as_posix() not in NOT_YET
    )


def test_scan_finds_files():
    files = {path.relative_to(SRC).as_posix() for path in _files()}
    assert len(files) > 100
    assert {"scenario.py", "budgets.py", "stages/field.py", "evidence/meta/bias.py"} <= files
    every_cli_file = {f"cli/{path.name}" for path in (SRC / "cli").glob("*.py")}
    assert {name for name in files if name.startswith("cli/")} == every_cli_file


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.relative_to(SRC).as_posix())
def test_no_inline_unit_factor(path):
    rel = path.relative_to(SRC).as_posix()
    inline = [
        f"{rel}:{line}: {text}"
        for line, text in _inline_factors(path)
        if (rel, text) not in ALLOWED
    ]
    assert not inline, "name the conversion in tmslab.units:\n" + "\n".join(inline)


def test_detector_sees_inline_factors(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("a = x * 1e3\nb = 1e-6 * y\nc = f'{z / 1e6:g}'\nd = 2e9 * x\nw *= 1e-3\n")
    assert [line for line, _ in _inline_factors(sample)] == [1, 2, 3, 5]


def test_named_factors_match_the_values_they_replace():
    from tmslab import units

    assert units.MM * units.MM_PER_M == 1.0
    assert units.UM * units.UM_PER_M == 1.0
    assert units.MS * units.MS_PER_S == 1.0
    assert units.US * units.US_PER_S == 1.0
    assert units.MV * units.MV_PER_V == 1.0
    assert units.CM2 == 1e-4 and units.UM2 == 1e-12 and units.MT == 1e-3
    assert units.CM * units.CM_PER_M == 1.0 and units.KA == 1e3
    assert units.CM2 * units.CM2_PER_M2 == 1.0 and units.CM3_PER_M3 == 1e6
