"""The code before a change, for benchmarks that compare: ``git archive`` of a commit's src/.

``baseline_src(rev)`` extracts ``src/`` of ``rev`` (default: where this branch left main) into a
temporary directory and returns the path to put on PYTHONPATH; nothing in the work tree moves.
"""

from __future__ import annotations

import atexit
import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def default_base() -> str:
    """The commit this branch started from (merge-base with main), or HEAD~1 without main."""
    for command in (["git", "merge-base", "HEAD", "main"], ["git", "rev-parse", "HEAD~1"]):
        done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    raise SystemExit("no baseline commit found; pass --base REV")


def baseline_src(rev: str | None = None) -> tuple[str, Path]:
    """(short rev, path of the extracted src/ directory) of ``rev``."""
    rev = rev or default_base()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "src"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    where = Path(tempfile.mkdtemp(prefix="tmslab-base-"))
    atexit.register(shutil.rmtree, where, True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(where, filter="data")
    return rev[:9], where / "src"


def current_src() -> Path:
    return ROOT / "src"
