"""Results printed off a terminal (tmslab.report.terminal): listings as JSON, tables or a note."""

import json

from tmslab.report import terminal
from tmslab.wording import Listing


def test_print_listing_json_table_and_empty(capsys):
    listing = Listing("Two rows", ("name", "value"), [("a", 1.5), ("b", 2)], {"n": 2})
    terminal.print_listing(listing, json=True)
    assert json.loads(capsys.readouterr().out) == {"n": 2}
    terminal.print_listing(listing)
    assert capsys.readouterr().out.splitlines() == ["Two rows", "name\tvalue", "a\t1.5", "b\t2"]
    terminal.print_listing(Listing("none", ("x",), [], None, empty="nothing found"))
    assert capsys.readouterr().out == "nothing found\n"


def test_print_wrote(capsys):
    terminal.print_wrote("f.png")
    terminal.print_wrote("f.png", "funnel plot")
    assert capsys.readouterr().out.splitlines() == ["wrote f.png", "wrote funnel plot: f.png"]
