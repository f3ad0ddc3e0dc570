"""The tutorials in docs/tutorials run as they are written, so the docs cannot rot.

Each tutorial is a sequence of fenced blocks: ```bash blocks (shell commands, run from a scratch
folder that sees the project's ``examples/`` and ``tests/``), ```python blocks (run together, in
order, as one script) and ```text blocks with the output to expect. A ```text block right after
a ```python block lists lines the script must print (``...`` stands for lines left out).
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.S | re.M)


def fenced_blocks(path: Path) -> list[tuple[str, str]]:
    """(language, text) of every fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(path.read_text(encoding="utf-8"))]


def expected_python_lines(blocks: list[tuple[str, str]]) -> list[str]:
    """Lines of the ```text blocks that directly follow a ```python block."""
    lines = []
    for (language, _), (next_language, text) in itertools.pairwise(blocks):
        if language == "python" and next_language == "text":
            lines += [
                line.rstrip() for line in text.splitlines() if line.strip() not in ("", "...")
            ]
    return lines


def test_every_question_of_the_readme_has_a_runnable_tutorial():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(TUTORIALS) >= 6
    for tutorial in TUTORIALS:
        assert f"docs/tutorials/{tutorial.name}" in readme, tutorial.name
        languages = {language for language, _ in fenced_blocks(tutorial)}
        assert languages & {"bash", "python"}, f"{tutorial.name} has no command to run"
        assert "text" in languages, f"{tutorial.name} shows no output to expect"
        assert "../shared" not in tutorial.read_text(encoding="utf-8")


def test_expected_lines_are_read_from_text_after_python():
    blocks = [("python", "print(1)\n"), ("text", "1\n...\n"), ("bash", "true\n"), ("text", "x\n")]
    assert expected_python_lines(blocks) == ["1"]


@pytest.mark.slow
@pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda path: path.stem)
def test_tutorial_runs_as_written(tutorial, tmp_path):
    for name in ("examples", "tests"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    bin_dir = str(Path(sys.executable).parent)  # where `tmslab` is installed
    # The commands run elsewhere: a relative PYTHONPATH (e.g. PYTHONPATH=src) must stay pointing
    # at the same code.
    python_path = [
        str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
    ]
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "COLUMNS": "100",
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(python_path),
    }
    blocks = fenced_blocks(tutorial)
    for language, text in blocks:
        if language != "bash":
            continue
        done = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + text],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, f"{tutorial.name}:\n{text}\n{done.stderr[-3000:]}"
    script = "\n".join(text for language, text in blocks if language == "python")
    if not script:
        return
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"{tutorial.name}: Python failed\n{done.stderr[-3000:]}"
    printed = [line.rstrip() for line in done.stdout.splitlines()]
    for line in expected_python_lines(blocks):
        assert line in printed, f"{tutorial.name}: expected {line!r}; printed:\n{done.stdout}"


def test_ci_runs_the_complete_test_command_written_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = 'python3 -m venv .venv && . .venv/bin/activate && pip install ".[test]" && pytest'
    assert f"{command}\n" in readme  # the fast default
    assert f"{command} --run-slow\n" in readme  # the complete suite
    assert f"\n{command} --run-slow\n" in ci
    for package in ("python3-venv", "gcc", "g++", "make", "chromium"):
        assert package in ci and package in readme, package
