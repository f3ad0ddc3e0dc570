"""tmslab.neuron.workflows: the threshold and direction-map workflows behind ``tmslab neuron``."""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.neuron.drive import get_drive
from tmslab.neuron.models import get_model
from tmslab.neuron.workflows import (
    direction_map,
    parse_direction,
    parse_swc_types,
    resolve_cell,
    threshold_from_field,
)


@pytest.fixture(scope="module")
def cell_and_drive():
    return get_model("hh-axon-bent"), get_drive("monophasic", 2.5e-6)


def test_a_uniform_field_at_the_nodes_has_the_uniform_threshold(cell_and_drive):
    cell, drive = cell_and_drive
    direction = np.array([0.6, 0.8, 0.0])
    uniform = threshold_from_field(cell, drive, direction=direction, solver="batched")
    values = np.tile(2.0 * direction, (cell.cable.n_nodes, 1))  # |E| = 2 V/m everywhere
    from_file = threshold_from_field(cell, drive, efield=values, solver="batched")
    assert uniform.activated and from_file.activated
    # The same bisection on the same profile, scaled by 2: the same threshold in V/m.
    assert from_file.threshold_v_per_m == pytest.approx(uniform.threshold_v_per_m, rel=0.01)
    assert from_file.threshold_scale == pytest.approx(from_file.threshold_v_per_m / 2)
    record = from_file.to_dict()
    assert list(record)[:7] == [
        "model", "waveform", "dt_s", "solver", "rel_tol", "field_file", "threshold_scale",
    ]  # fmt: skip
    assert record["threshold"] == record["threshold_v_per_m"]
    rows = dict(uniform.rows())
    assert rows["threshold"] == f"{uniform.threshold_v_per_m:.5g} V/m"
    assert "action potential starts at" in rows


def test_direction_and_field_are_exclusive(cell_and_drive):
    cell, drive = cell_and_drive
    with pytest.raises(InvalidValueError, match="not both"):
        threshold_from_field(cell, drive, direction=(1, 0, 0), efield=np.zeros((3, 3)))


def test_direction_map_summary(cell_and_drive):
    cell, drive = cell_and_drive
    result = direction_map(cell, drive, 4)
    summary = result.summary()
    assert summary["n_directions"] == 4
    th = result.thresholds_v_per_m
    assert summary["min_threshold_v_per_m"] == pytest.approx(np.nanmin(th))
    assert next(k for k, _ in result.rows()) == "waveform"
    with pytest.raises(InvalidValueError, match="--n-directions 0"):
        direction_map(cell, drive, 0)


def test_parsers():
    assert parse_swc_types("6=Unmyelinated, 7=node") == {6: "unmyelinated", 7: "node"}
    assert parse_swc_types("") is None
    with pytest.raises(InvalidValueError, match="TYPE=ROLE"):
        parse_swc_types("axon")
    assert np.allclose(parse_direction("0, 3, 4"), [0, 0.6, 0.8])
    for bad in ("1,0", "a,b,c"):
        with pytest.raises(InvalidValueError, match="three numbers"):
            parse_direction(bad)
    with pytest.raises(InvalidValueError, match="--model NAME"):
        resolve_cell(None)
    with pytest.raises(InvalidValueError, match="not both"):
        resolve_cell("hh-axon-bent", "cell.swc")


def test_the_workflows_are_reachable_from_the_package():
    import tmslab.neuron

    assert tmslab.neuron.threshold_from_field is threshold_from_field
    with pytest.raises(AttributeError):
        _ = tmslab.neuron.no_such_workflow


def test_resolve_cells_reads_several_names_or_one_swc():
    from tmslab.neuron.workflows import resolve_cells

    cells = resolve_cells("l5-pyramidal, mrg-axon")
    assert [c.name for c in cells] == ["l5-pyramidal", "mrg-axon"]
    assert [c.name for c in resolve_cells("mrg-axon")] == ["mrg-axon"]
    with pytest.raises(InvalidValueError, match="not both"):
        resolve_cells("l5-pyramidal,mrg-axon", swc="cell.swc")


def test_threshold_of_cell_reads_a_direction_or_a_field_file(cell_and_drive, tmp_path):
    from tmslab.neuron.workflows import threshold_of_cell

    cell, drive = cell_and_drive
    with pytest.raises(InvalidValueError, match="not both"):
        threshold_of_cell(cell, drive, "1,0,0", tmp_path / "missing.npy")
    np.save(tmp_path / "e.npy", np.tile([2.0, 0.0, 0.0], (cell.cable.n_nodes, 1)))
    from_file = threshold_of_cell(cell, drive, field_file=tmp_path / "e.npy", solver="batched")
    uniform = threshold_of_cell(cell, drive, solver="batched")  # default direction 1,0,0
    assert from_file.threshold_v_per_m == pytest.approx(uniform.threshold_v_per_m, rel=0.01)
    assert from_file.to_dict()["field_file"] == str(tmp_path / "e.npy")
