"""Running sweeps: stored values equal the scenario run directly, resuming, the Dataset, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tmslab.cli import main
from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.scenario import scenario_from_mapping
from tmslab.stages import run_scenario
from tmslab.sweeps import (
    SweepStore,
    expand_tasks,
    figure_series,
    load_results,
    load_sweep_spec,
    run_sweep,
    run_task,
    summarize,
)

from .conftest import DISH_SCENARIO, RODENT_SCENARIO

DISH_GRID = (
    """
[sweep]
name = "dish grid"
outputs = ["plasticity.relative_weight", "plasticity.verdict", "stimulator.intensity.pct_mso",
           "safety.checked"]
[sweep.parameters]
"protocol.frequency_hz" = [1, 10, 20]
"stimulator.intensity_pct_mso" = { start = 40, stop = 60, num = 2 }
"""
    + DISH_SCENARIO
)


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster of 2 single-threaded workers for the tests that use Dask."""
    from tmslab.sweeps import dask_client

    with dask_client(workers=2) as client:
        yield client.scheduler.address


def test_run_task_equals_the_scenario_run_directly():
    spec_mapping = {
        "protocol": {"kind": "rtms", "frequency_hz": 5, "pulses_per_train": 50},
        "subject": {"species": "dish"},
    }
    result = run_scenario(scenario_from_mapping(spec_mapping))
    out = run_task(spec_mapping, ["plasticity.relative_weight", "protocol.n_pulses", "field.x"])
    assert out == {
        "plasticity.relative_weight": result.sections["plasticity"].data["relative_weight"],
        "protocol.n_pulses": 50,
        "field.x": None,
    }
    everything = run_task(spec_mapping)
    assert everything["plasticity.relative_weight"] == out["plasticity.relative_weight"]
    assert all(v is None or isinstance(v, bool | int | float | str) for v in everything.values())
    json.dumps(everything, allow_nan=False)  # stored as JSON: must be plain and finite


def test_grid_sweep_stores_what_each_scenario_gives(tmp_path, write_spec):
    spec = load_sweep_spec(write_spec(DISH_GRID))
    store = tmp_path / "grid.zarr"
    run = run_sweep(spec, store, workers=0)
    assert (run.n_tasks, run.n_already_done, run.n_ran, run.complete) == (6, 0, 6, True)

    ds = load_results(store)
    assert list(ds.dims) == ["protocol.frequency_hz", "stimulator.intensity_pct_mso"]
    assert ds["protocol.frequency_hz"].values.tolist() == [1, 10, 20]
    assert ds["stimulator.intensity_pct_mso"].values.tolist() == [40, 60]
    assert bool(ds["done"].all()) and ds.attrs["n_done"] == 6
    assert ds.attrs["tasks_sha256"] == spec.tasks_sha256
    assert json.loads(ds.attrs["spec"])["parameters"]["protocol.frequency_hz"] == [1, 10, 20]
    for task in expand_tasks(spec):
        direct = run_scenario(scenario_from_mapping(task.mapping)).sections
        point = ds.sel(task.parameters)
        assert (
            float(point["plasticity.relative_weight"])
            == direct["plasticity"].data["relative_weight"]
        )
        assert str(point["plasticity.verdict"].values) == direct["plasticity"].data["verdict"]
        assert (
            float(point["stimulator.intensity.pct_mso"])
            == task.parameters["stimulator.intensity_pct_mso"]
        )
        assert str(point["task_id"].values) == task.id
    # The dose does not change the plasticity prediction; the frequency does.
    weights = ds["plasticity.relative_weight"].values
    np.testing.assert_array_equal(weights[:, 0], weights[:, 1])
    assert weights[2, 0] != weights[0, 0]

    again = run_sweep(spec, store, workers=0)
    assert (again.n_already_done, again.n_ran) == (6, 0)
    assert len(SweepStore.open(store).done_ids()) == 6


@pytest.mark.slow
def test_field_sweep_through_the_field_stage(tmp_path, write_spec):
    text = (
        '[sweep]\nmode = "zip"\noutputs = ["field.target.efield_v_per_m"]\n'
        '[sweep.parameters]\n"coil.distance_mm" = [0, 3]\n'
        + RODENT_SCENARIO
        + "[scenario.neurons]\nactivation_map = false\n"
    )
    spec = load_sweep_spec(write_spec(text))
    store = tmp_path / "field.zarr"
    run_sweep(spec, store, workers=0)
    ds = load_results(store)
    assert list(ds.dims) == ["task"]
    assert ds["coil.distance_mm"].values.tolist() == [0, 3]
    efield = ds["field.target.efield_v_per_m"].values
    task = expand_tasks(spec)[1]
    direct = run_scenario(scenario_from_mapping(task.mapping)).sections["field"].data
    assert efield[1] == direct["target"]["efield_v_per_m"]
    assert 0 < efield[1] < efield[0]  # the field falls as the coil is lifted off the head


def test_store_of_another_spec_is_refused(tmp_path, write_spec):
    store = tmp_path / "s.zarr"
    run_sweep(load_sweep_spec(write_spec(DISH_GRID)), store, workers=0)
    other = load_sweep_spec(write_spec(DISH_GRID.replace("[1, 10, 20]", "[1, 10, 30]"), "b.toml"))
    with pytest.raises(SpecFileError, match="made from a different sweep"):
        run_sweep(other, store, workers=0)
    # Another outputs list is only another view: the same store resumes.
    view = load_sweep_spec(
        write_spec(DISH_GRID.replace('"safety.checked"', '"protocol.n_pulses"'), "c.toml")
    )
    assert run_sweep(view, store, workers=0).n_already_done == 6
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "file.txt").write_text("x")
    with pytest.raises(SpecFileError, match="not a tmslab sweep store"):
        run_sweep(view, tmp_path / "plain", workers=0)


def test_unknown_output_is_named(tmp_path, write_spec):
    text = DISH_GRID.replace('"safety.checked"', '"plasticity.relative_weigth"')
    with pytest.raises(InvalidValueError) as info:
        run_sweep(load_sweep_spec(write_spec(text)), tmp_path / "s.zarr", workers=0)
    assert "'plasticity.relative_weigth'" in str(info.value)
    assert "plasticity.relative_weight" in str(info.value)  # the nearest known output


def test_an_invalid_combination_is_refused_before_writing(tmp_path, write_spec):
    # 0.5 s trains with a 1 s onset cycle at 10 Hz are valid; at 1 Hz, the 5-pulse train lasts
    # 4 s, longer than its cycle: a per-task error found only when that task's scenario is built.
    text = (
        '[sweep]\n[sweep.parameters]\n"protocol.frequency_hz" = [1, 10]\n'
        + DISH_SCENARIO.replace(
            "pulses_per_train = 100",
            'pulses_per_train = 5\nn_trains = 2\ninter_train_interval_s = 1\niti_convention = "onset"',
        )
    )
    with pytest.raises(Exception) as info:
        run_sweep(load_sweep_spec(write_spec(text)), tmp_path / "s.zarr", workers=0)
    assert "protocol.frequency_hz=1" in str(info.value)
    assert not (tmp_path / "s.zarr").exists()  # validated before anything was written


def test_a_task_refused_by_the_scenario_check_stops_the_sweep_before_it_runs(
    tmp_path, write_spec, capsys
):
    # Plasticity model names are checked when each task's scenario is built, before any task runs.
    text = (
        '[sweep]\n[sweep.parameters]\n"plasticity.model" = ["bcm", "nope", "shouval"]\n'
        + DISH_SCENARIO
    )
    code = main(["sweep", str(write_spec(text)), "--out", str(tmp_path / "s.zarr"), "--serial"])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].startswith("error: sweep task 2 of 3")
    assert "unknown plasticity model 'nope'" in err


@pytest.mark.parametrize("workers", [0, pytest.param("cluster", marks=pytest.mark.slow)])
def test_a_task_failing_at_run_time_is_reported_and_retried(
    tmp_path, write_spec, capsys, workers, request
):
    # A waveform shape is checked only when the stimulator stage runs: one task of three fails.
    text = (
        '[sweep]\n[sweep.parameters]\n"stimulator.waveform" = ["monophasic", "nope", "biphasic"]\n'
        + DISH_SCENARIO
    )
    spec_path, store = write_spec(text), tmp_path / "s.zarr"
    where = ["--serial"] if workers == 0 else ["--scheduler", request.getfixturevalue("cluster")]
    code = main(["sweep", str(spec_path), "--out", str(store), *where])
    _, err = capsys.readouterr()
    # Off a terminal, progress lines (one per task here) precede the one error line.
    assert code == 2 and err.splitlines()[-1].startswith("error: "), err
    assert sum(line.startswith("error: ") for line in err.splitlines()) == 1
    assert "Traceback" not in err
    assert "1 of 3 sweep tasks failed" in err and "stimulator.waveform='nope'" in err
    assert "unknown waveform shape 'nope'" in err
    assert len(SweepStore.open(store).done_ids()) == 2  # the others are stored
    assert main(["sweep", str(spec_path), "--out", str(store), *where]) == 2
    out, err = capsys.readouterr()
    assert "3 tasks, 2 already done, 1 to run" in out  # only the failed task is retried
    assert "1 of 1 sweep tasks failed" in err


@pytest.mark.slow
def test_dask_run_on_a_scheduler_matches_in_process(tmp_path, write_spec, cluster, capsys):
    spec_path = write_spec(DISH_GRID)
    serial_store, dask_store = tmp_path / "serial.zarr", tmp_path / "dask.zarr"
    run_sweep(load_sweep_spec(spec_path), serial_store, workers=0)
    code = main(
        ["sweep", str(spec_path), "--out", str(dask_store), "--scheduler", cluster, "--json"]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    record = json.loads(out)
    assert (record["n_tasks"], record["n_already_done"], record["n_ran"]) == (6, 0, 6)
    a, b = SweepStore.open(serial_store), SweepStore.open(dask_store)
    assert a.done_ids() == b.done_ids()
    for tid in a.done_ids():
        assert a.read(tid)["results"] == b.read(tid)["results"]


def test_cli_show_and_plot(tmp_path, write_spec, capsys):
    spec_path = write_spec(DISH_GRID)
    store = tmp_path / "s.zarr"
    assert main(["sweep", str(spec_path), "--out", str(store), "--serial", "--summary"]) == 0
    out, _ = capsys.readouterr()
    assert "6 tasks, 0 already done, 6 to run" in out and "6/6 tasks done" in out

    assert main(["sweep", "show", str(store), "--json"]) == 0
    shown = json.loads(capsys.readouterr()[0])
    assert shown["n_done"] == 6 and len(shown["rows"]) == 6
    assert shown["rows"][0]["protocol.frequency_hz"] == 1
    summary = summarize(store)
    assert summary.outputs[0] == "plasticity.relative_weight"

    series = figure_series(
        store,
        "protocol.frequency_hz",
        "plasticity.relative_weight",
        hue="stimulator.intensity_pct_mso",
    )
    assert [s.label for s in series] == [
        "stimulator.intensity_pct_mso = 40",
        "stimulator.intensity_pct_mso = 60",
    ]
    assert series[0].x == [1, 10, 20]

    figure = tmp_path / "fig.png"
    argv = ["sweep", "plot", str(store), "--x", "protocol.frequency_hz"]
    argv += ["--y", "plasticity.relative_weight", "--where", "stimulator.intensity_pct_mso=60"]
    assert main([*argv, "--out", str(figure)]) == 0
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()

    for bad, fragment in [
        (
            ["--y", "plasticity.relative_weight", "--out", str(figure)],
            "stimulator.intensity_pct_mso",
        ),
        (
            [
                "--y",
                "plasticity.weight",
                "--hue",
                "stimulator.intensity_pct_mso",
                "--out",
                str(figure),
            ],
            "'plasticity.weight'",
        ),
        (
            [
                "--y",
                "plasticity.relative_weight",
                "--where",
                "coil.distance_mm=1",
                "--out",
                str(figure),
            ],
            "'coil.distance_mm'",
        ),
    ]:
        code = main(["sweep", "plot", str(store), "--x", "protocol.frequency_hz", *bad])
        out, err = capsys.readouterr()
        assert code == 2 and err.count("\n") == 1 and fragment in err, err
    netcdf = tmp_path / "results.nc"
    assert main(["sweep", "export", str(store), "--out", str(netcdf)]) == 0
    capsys.readouterr()
    import xarray as xr

    with xr.open_dataset(netcdf) as exported:
        expected = load_results(store)
        assert exported.attrs["spec_sha256"] == expected.attrs["spec_sha256"]
        np.testing.assert_array_equal(
            exported["plasticity.relative_weight"].values,
            expected["plasticity.relative_weight"].values,
        )
    code = main(["sweep", "show", str(tmp_path / "nothing")])
    assert code == 2 and "not found" in capsys.readouterr()[1]
