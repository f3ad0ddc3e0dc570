import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="session")
def example_run(tmp_path_factory):
    """``example_run(name)``: the output directory of ``tmslab run examples/NAME --out DIR``,
    run once per session (the chain and browser tests share it)."""
    from tmslab.cli import main

    done: dict[str, Path] = {}

    def run(name: str) -> Path:
        if name not in done:
            out = tmp_path_factory.mktemp(name.removesuffix(".toml")) / "out"
            assert main(["run", str(EXAMPLES / name), "--out", str(out)]) == 0
            done[name] = out
        return done[name]

    return run
