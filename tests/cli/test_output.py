"""Output without a terminal (pipes, files, logs): no wrapping, rows intact, progress as lines."""

import pytest

from tests.sweeps.conftest import DISH_SCENARIO
from tmslab.cli.output import StageProgress, TmslabConsole, plain_table
from tmslab.protocols.library import get_protocol, list_protocols

# The dish scenario of the sweep tests: protocol, dose, safety and plasticity only (fast).
# The same as a scenario file of `tmslab run`.
DISH_RUN = DISH_SCENARIO.replace("[scenario.", "[").replace('[scenario]\nname = "dish"\n', "")


def test_protocol_list_one_line_per_protocol(cli):
    _, out, _ = cli.ok("protocol", "list")
    lines = out.splitlines()
    assert lines[0] == "Named protocols"
    header = lines[1].split("\t")
    assert header == ["name", "kind", "pulses", "duration", "trains", "course pulses", "source"]
    rows = [line.split("\t") for line in lines[2:]]
    names = list_protocols()
    assert [row[0] for row in rows] == list(names)  # one line per protocol, nothing wrapped
    for row, name in zip(rows, names, strict=True):
        protocol = get_protocol(name).summary()
        assert len(row) == len(header)
        assert row[2] == str(protocol["n_pulses"])  # numbers intact, not split
        if protocol["source"]:
            assert row[6] == protocol["source"]["citation"]  # the whole source on its line
    assert max(len(line) for line in lines) > 80  # would have been squeezed to 80 columns


def test_key_value_tables_and_long_lines_are_not_wrapped(cli):
    _, out, _ = cli.ok("stimulator", "show", "magstim-rapid2")
    rows = dict(line.split("\t") for line in out.splitlines()[1:])
    assert rows["dI/dt(0) = V0/L"] == "114.7 A/us"
    assert (
        rows["source"].startswith("Drakaki M") and "doi:10.1016/j.brs.2022.04.017" in rows["source"]
    )


def test_sweep_show_rows_intact_and_progress_lines(tmp_path, cli):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[sweep]\nname = "plain"\noutputs = ["plasticity.relative_weight", "protocol.n_pulses"]\n'
        '[sweep.parameters]\n"protocol.frequency_hz" = [1, 5, 10, 20]\n' + DISH_SCENARIO
    )
    store = tmp_path / "s.zarr"
    _, _, err = cli.ok("sweep", str(spec), "--out", str(store), "--serial")
    progress = err.splitlines()
    assert [line.split(" (")[0] for line in progress] == [f"tasks {k}/4" for k in range(1, 5)]
    _, out, _ = cli.ok("sweep", "show", str(store))
    lines = out.splitlines()
    assert lines[0].startswith("plain: 4/4 tasks done")
    header = lines[1].split("\t")
    assert "protocol.frequency_hz" in header and "plasticity.relative_weight" in header
    rows = [line.split("\t") for line in lines[2:6]]
    assert all(len(row) == len(header) for row in rows)
    column = header.index("protocol.frequency_hz")
    assert [row[column] for row in rows] == ["1", "5", "10", "20"]
    weights = [float(row[header.index("plasticity.relative_weight")]) for row in rows]
    assert all(0 < w < 10 for w in weights)  # each number parses whole
    assert lines[6].startswith("store ")


def test_run_prints_one_line_per_stage(tmp_path, cli):
    from tmslab.stages import stage_count

    scenario = tmp_path / "dish.toml"
    scenario.write_text(DISH_RUN)
    _, out, err = cli.ok("run", str(scenario), "--out", str(tmp_path / "o"))
    lines = err.splitlines()
    n = stage_count() + 1
    assert [line.split("] ")[0] + "]" for line in lines[:n]] == [
        f"[{i}/{n}" + "]" for i in range(1, n + 1)
    ]
    assert lines[0].startswith(f"[1/{n}] Protocol (") and lines[n - 1].startswith(
        f"[{n}/{n}] report"
    )
    assert "wrote results.nc" in out


def test_json_runs_print_no_progress(tmp_path, cli):
    scenario = tmp_path / "dish.toml"
    scenario.write_text(DISH_RUN)
    _, _, err = cli.ok("run", str(scenario), "--out", str(tmp_path / "o"), "--json")
    assert err == ""


def test_many_steps_print_a_line_per_tenth(capsys):
    with StageProgress("tasks", total=1000) as progress:
        for k in range(1, 1001):
            progress.update(completed=k)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"tasks {k}/1000" for k in (1, *range(100, 1001, 100))
    ]


def test_plain_table_keeps_cells_whole():
    from rich.table import Table

    table = Table(title="[bold]T[/bold]")
    table.add_column("a")
    table.add_column("b")
    table.add_row("x" * 300, "1.23456789e-07")
    table.add_row("two\nlines", "[red]3[/red]")
    assert plain_table(table).splitlines() == [
        "T",
        "a\tb",
        "x" * 300 + "\t1.23456789e-07",
        "two lines\t3",
    ]


def test_console_on_a_terminal_keeps_rich_tables():
    import io

    from rich.table import Table

    buffer = io.StringIO()
    console = TmslabConsole(file=buffer, force_terminal=True, width=40, color_system=None)
    table = Table(title="T")
    table.add_column("a")
    table.add_row("1")
    console.print(table)
    assert "┃" in buffer.getvalue() or "│" in buffer.getvalue()


@pytest.mark.parametrize("argv", [["evidence", "list"], ["plasticity", "list"], ["neuron", "list"]])
def test_other_tables_are_tab_separated(cli, argv):
    _, out, _ = cli.ok(*argv)
    lines = out.splitlines()
    widths = {len(line.split("\t")) for line in lines[1:] if "\t" in line}
    assert len(widths) == 1 and widths.pop() > 1  # every row has the header's columns
