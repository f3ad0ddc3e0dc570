"""A finished task's zarr.json is written directly, byte for byte as zarr-python writes it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import zarr
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.sweeps.store import SweepStore, group_json

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
attributes = st.dictionaries(st.text(), values, max_size=6)


def _zarr_bytes(attrs) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        zarr.create_group(store=f"{tmp}/g", zarr_format=3, attributes=attrs, overwrite=True)
        return Path(f"{tmp}/g/zarr.json").read_bytes()


@settings(max_examples=60, deadline=None)
@given(attributes)
def test_group_json_is_what_zarr_writes(attrs):
    assert group_json(attrs).encode("utf-8") == _zarr_bytes(attrs)


def test_a_written_task_opens_as_a_zarr_group(tmp_path):
    from tmslab.sweeps import expand_tasks, sweep_spec_from_mapping

    spec = sweep_spec_from_mapping(
        {
            "sweep": {"parameters": {"coil.distance_mm": [0, 1]}},
            "scenario": {"protocol": {"preset": "rtms-10hz-fda"}, "subject": {"species": "dish"}},
        }
    )
    task = expand_tasks(spec)[0]
    results = {"a.b": 1.5, "c": None, "d": "µs", "e": True}
    with SweepStore.create_or_open(tmp_path / "s.zarr", spec) as store:
        assert store.write(task, results, 0.25)
        assert not store.write(task, results, 0.25)  # kept as is
        record = store.read(task.id)
    group = zarr.open_group(str(tmp_path / "s.zarr" / "tasks" / task.id), mode="r")
    assert dict(group.attrs) == record
    assert record["results"] == results and record["elapsed_s"] == 0.25
    assert (
        json.loads((tmp_path / "s.zarr/tasks" / task.id / "zarr.json").read_text())["node_type"]
        == "group"
    )


def test_a_new_store_is_what_zarr_would_write(tmp_path):
    from tmslab.sweeps import sweep_spec_from_mapping

    spec = sweep_spec_from_mapping(
        {
            "sweep": {"name": "fmt", "parameters": {"coil.distance_mm": [0, 1.5]}},
            "scenario": {"protocol": {"preset": "rtms-10hz-fda"}, "subject": {"species": "dish"}},
        }
    )
    path = tmp_path / "s.zarr"
    SweepStore.create_or_open(path, spec).close()
    root = json.loads((path / "zarr.json").read_text())
    assert (path / "zarr.json").read_bytes() == _zarr_bytes(root["attributes"])
    assert (path / "tasks" / "zarr.json").read_bytes() == _zarr_bytes({})
    group = zarr.open_group(str(path), mode="r")
    assert group.attrs["n_tasks"] == 2 and "tasks" in group
    assert SweepStore.open(path).spec.n_tasks == 2
