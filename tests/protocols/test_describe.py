"""tmslab.protocols.describe and tmslab.coils.describe: the rows the list/show commands print."""

from __future__ import annotations

from tmslab.coils import get_coil
from tmslab.coils.describe import list_row, show_rows
from tmslab.protocols.describe import index_ranges, list_record, safety_rows
from tmslab.protocols.describe import show_rows as protocol_rows
from tmslab.protocols.library import get_protocol
from tmslab.protocols.safety import check_protocol


def test_index_ranges():
    assert index_ranges([0]) == "1"
    assert index_ranges([0, 1, 2]) == "1-3 (3)"
    assert index_ranges([0, 2, 3]) == "1, 3, 4"


def test_protocol_rows_and_safety_groups():
    protocol = get_protocol("itbs")
    assert list_record(protocol)["n_pulses"] == protocol.n_pulses
    rows = dict(protocol_rows(protocol))
    assert rows["pulses per session"] == protocol.n_pulses
    record = check_protocol(protocol, 80).to_dict()
    groups = safety_rows(record)
    assert sum(int(t.split("(")[-1].rstrip(")")) if "(" in t else 1 for t, _, _ in groups) == len(
        record["trains"]
    )


def test_coil_rows():
    info = get_coil("magstim-70mm-fig8").summary()
    assert list_row(info)[0] == "magstim-70mm-fig8"
    rows = dict(show_rows(info))
    assert rows["dipoles"] == info["n_dipoles"] and rows["kind"] == info["kind"]
