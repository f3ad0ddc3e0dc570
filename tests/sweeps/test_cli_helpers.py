"""What the sweep commands call: run account, worker choice, summary text, plot data, export."""

from __future__ import annotations

import pytest
import xarray as xr

from tmslab.errors import InvalidValueError
from tmslab.sweeps.runner import run_sweep, where_to_run
from tmslab.sweeps.spec import load_sweep_spec
from tmslab.sweeps.store import write_netcdf
from tmslab.sweeps.summary import parse_where, summarize, sweep_plot_data

from .conftest import DISH_SCENARIO

DISH_PAIR = (
    """
[sweep]
name = "dish pair"
outputs = ["plasticity.relative_weight"]
[sweep.parameters]
"protocol.frequency_hz" = [1, 10]
"""
    + DISH_SCENARIO
)


def test_where_to_run_checks_and_describes():
    assert where_to_run(0, None) == "this process"
    assert where_to_run(3, None) == "3 worker(s)"
    assert where_to_run(2, "tcp://host:8786") == "scheduler tcp://host:8786"
    with pytest.raises(InvalidValueError, match="--workers -1"):
        where_to_run(-1, None)
    with pytest.raises(InvalidValueError, match="not an address"):
        where_to_run(2, "host")


def test_parse_where():
    assert parse_where(["a.b = 1", "c=x=y"]) == {"a.b": "1", "c": "x=y"}
    assert parse_where(None) == {}
    with pytest.raises(InvalidValueError, match="PARAM=VALUE"):
        parse_where(["=1"])


def test_run_summary_plot_data_and_export(tmp_path, write_spec):
    store = tmp_path / "pair.zarr"
    run = run_sweep(load_sweep_spec(write_spec(DISH_PAIR)), store, workers=0)
    assert run.to_dict()["n_ran"] == 2 and run.to_dict()["store"] == str(store)
    assert run.line().startswith("ran 2 task(s) in ") and run.line().endswith(
        f"2/2 stored in {store}"
    )
    summary = summarize(store)
    assert summary.title == "dish pair: 2/2 tasks done (grid)"
    assert summary.footer.startswith(f"store {store}, tmslab ")
    series, title = sweep_plot_data(store, "protocol.frequency_hz", "plasticity.relative_weight")
    assert title == "dish pair" and series is not None
    line = write_netcdf(store, tmp_path / "r.nc")
    assert line == f"wrote {tmp_path / 'r.nc'}: 2/2 tasks, 1 outputs"
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert ds.attrs["n_done"] == 2


def test_summary_listing_and_notes_follow_the_limit():
    from pathlib import Path

    from tmslab.sweeps.summary import SweepSummary

    summary = SweepSummary(
        "s", Path("st"), "grid", 3, 3, ["a"], ["b"], [[1, 2], [3, 4], [5, 6]], "f" * 64, "0"
    )
    assert len(summary.listing(2).rows) == 2 and len(summary.listing(0).rows) == 3
    assert summary.listing(2).record == summary.to_dict()
    assert summary.notes(2) == ["(1 more rows; --limit 0 shows all)", summary.footer]
    assert summary.notes(0) == [summary.footer]
