import json
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

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
        _skip_without_cells(EXAMPLES / name)
        if name not in done:
            out = tmp_path_factory.mktemp(name.removesuffix(".toml")) / "out"
            assert main(["run", str(EXAMPLES / name), "--out", str(out)]) == 0
            done[name] = out
        return done[name]

    return run


def _skip_without_cells(path: Path) -> None:
    """Skip an example whose cells tmslab cannot ship where they are not fetched (licences)."""
    import tomllib

    from tmslab.neuron.aberra import CELLS, available

    models = tomllib.loads(path.read_text()).get("neurons", {}).get("models") or []
    missing = [m for m in models if m in CELLS and m not in available()]
    if missing:
        pytest.skip(f"{path.name} needs {', '.join(missing)}: tmslab neuron fetch-cells")


# `run` prints one progress line per stage off a terminal ("[3/9] Safety (0.0 s)") before an error.
PROGRESS = re.compile(r"\[\d+/\d+\] ")


def error_line(err: str, *fragments: str, progress: bool = False) -> str:
    """The one ``error:`` line of ``err``, containing every fragment; with ``progress``, stage
    progress lines may come before it."""
    lines = err.strip().splitlines()
    if progress:
        lines = [line for line in lines if not PROGRESS.match(line)]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


class CliResult(NamedTuple):
    """What ``tmslab.cli.main(argv)`` returned and printed: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout read as JSON."""
        return json.loads(self.out)

    def error(self, *fragments: str, quiet: bool = True, progress: bool = False) -> str:
        """Check the bad-input contract and return the error line: exit code 2, one ``error:``
        line on stderr containing every fragment, no traceback, and (``quiet``) nothing on stdout;
        ``progress`` allows stage progress lines before the error."""
        assert self.code == 2, (self.code, self.err)
        line = error_line(self.err, *fragments, progress=progress)
        if quiet:
            assert self.out == "", self.out
        return line


class Cli:
    """The command line in-process: ``cli(*argv)`` runs ``tmslab.cli.main`` and captures its
    output; ``.ok`` expects exit 0, ``.fails`` the one-line ``error:`` with exit 2."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: object) -> CliResult:
        from tmslab.cli import main

        code = main([str(arg) for arg in argv])
        return CliResult(code, *self.capsys.readouterr())

    def ok(self, *argv: object) -> CliResult:
        """Run; assert exit code 0 (showing stderr if not)."""
        result = self(*argv)
        assert result.code == 0, result.err
        return result

    def fails(
        self,
        *argv: object,
        says: str | tuple[str, ...] = (),
        quiet: bool = True,
        progress: bool = False,
    ) -> str:
        """Run; assert the bad-input contract (see ``CliResult.error``); return the error line."""
        fragments = (says,) if isinstance(says, str) else says
        return self(*argv).error(*fragments, quiet=quiet, progress=progress)

    def error(self, *fragments: str, progress: bool = False) -> str:
        """The one ``error:`` line printed since the last capture, for a test that called
        ``main`` itself (and checked its exit code)."""
        return error_line(self.capsys.readouterr().err, *fragments, progress=progress)


@pytest.fixture
def cli(capsys) -> Cli:
    """The shared command-line runner (see ``Cli``)."""
    return Cli(capsys)
