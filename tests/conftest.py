import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RUN_SLOW = "--run-slow"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        RUN_SLOW,
        action="store_true",
        default=False,
        help="also run the tests marked slow (the complete suite, as CI runs it)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The default run stays within minutes on two cores; slow tests run only when asked for.
    if config.getoption(RUN_SLOW):
        return
    skip = pytest.mark.skip(reason=f"slow: run the complete suite with pytest {RUN_SLOW}")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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
