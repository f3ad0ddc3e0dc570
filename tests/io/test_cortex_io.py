"""The cortical field's files: GIfTI per hemisphere and CSV, written and read back."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmslab.conductors.meshing import icosphere
from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.io.cortex import (
    CSV_COLUMNS,
    cortex_gifti_names,
    read_cortex_csv,
    read_cortex_gifti,
    write_cortex_csv,
    write_cortex_gifti,
)


def two_hemispheres():
    """Two small spheres side by side, stacked left then right (m)."""
    v, t = icosphere(0.03, 1)
    left, right = v + np.array([-0.035, 0, 0]), v + np.array([0.035, 0, 0])
    return np.vstack([left, right]), np.vstack([t, t + len(v)]), len(v)


def test_gifti_per_hemisphere_opens_in_nibabel_and_reads_back(tmp_path):
    vertices, triangles, n = two_hemispheres()
    rng = np.random.default_rng(0)
    data = {"magnE": rng.random(2 * n), "E": rng.normal(size=(2 * n, 3))}
    written = write_cortex_gifti(
        tmp_path,
        vertices,
        triangles,
        [("left", n), ("right", n)],
        data,
        {"magnE": "V/m", "E": "V/m"},
    )
    assert [p.name for p in written] == list(cortex_gifti_names(["left", "right"]))
    assert [p.name for p in written][:2] == ["lh.mid.surf.gii", "lh.mid.func.gii"]
    surface = nib.load(tmp_path / "rh.mid.surf.gii")
    points = surface.get_arrays_from_intent("NIFTI_INTENT_POINTSET")[0].data
    assert points.shape == (n, 3) and points[:, 0].min() > 0  # the right sphere, in mm
    np.testing.assert_allclose(points, vertices[n:] * 1e3, rtol=1e-6)
    values = nib.load(tmp_path / "lh.mid.func.gii")
    assert [a.meta["Name"] for a in values.darrays] == ["magnE", "E"]
    assert values.darrays[0].data.shape == (n,) and values.darrays[1].data.shape == (n, 3)
    v2, t2, d2, sizes = read_cortex_gifti(tmp_path)
    assert sizes == (n, n)
    np.testing.assert_array_equal(t2, triangles)
    np.testing.assert_allclose(v2, vertices, rtol=1e-6)
    np.testing.assert_allclose(d2["magnE"], data["magnE"], rtol=1e-6)
    np.testing.assert_allclose(d2["E"], data["E"], rtol=1e-6, atol=1e-7)


def test_gifti_refuses_triangles_across_hemispheres_and_bad_sizes(tmp_path):
    vertices, triangles, n = two_hemispheres()
    bad = triangles.copy()
    bad[0, 0] = n + 1
    with pytest.raises(InvalidValueError, match="two hemispheres"):
        write_cortex_gifti(tmp_path, vertices, bad, [("left", n), ("right", n)], {}, {})
    with pytest.raises(InvalidValueError, match="add up"):
        write_cortex_gifti(tmp_path, vertices, triangles, [("left", n), ("right", n - 1)], {}, {})
    with pytest.raises(InvalidValueError, match="values for"):
        write_cortex_gifti(
            tmp_path, vertices, triangles, [("left", n), ("right", n)],
            {"magnE": np.ones(3)}, {"magnE": "V/m"},
        )  # fmt: skip
    assert not list(tmp_path.iterdir())


def test_reading_a_missing_hemisphere_is_a_one_line_error(tmp_path):
    with pytest.raises(SpecFileError, match="not found"):
        read_cortex_gifti(tmp_path)


def test_csv_header_and_round_trip(tmp_path):
    vertices, _, n = two_hemispheres()
    e = np.random.default_rng(1).normal(size=(2 * n, 3))
    path = write_cortex_csv(tmp_path / "f.csv", vertices, e, np.linalg.norm(e, axis=1), e[:, 2])
    assert path.read_text().splitlines()[0] == ",".join(CSV_COLUMNS) == "x,y,z,ex,ey,ez,magn,normal"
    back = read_cortex_csv(path)
    np.testing.assert_allclose(back["points"], vertices, rtol=1e-9)
    np.testing.assert_allclose(back["efield"], e, rtol=1e-9)
    np.testing.assert_allclose(back["normal"], e[:, 2], rtol=1e-9)


def test_csv_refuses_bad_shapes_and_bad_files(tmp_path):
    vertices, _, n = two_hemispheres()
    with pytest.raises(InvalidValueError, match="efield"):
        write_cortex_csv(tmp_path / "f.csv", vertices, np.ones((n, 3)), np.ones(2 * n), np.ones(2 * n))  # fmt: skip
    with pytest.raises(InvalidValueError, match="NaN"):
        write_cortex_csv(tmp_path / "f.csv", vertices, np.full((2 * n, 3), np.nan), np.ones(2 * n), np.ones(2 * n))  # fmt: skip
    assert not (tmp_path / "f.csv").exists()
    (tmp_path / "g.csv").write_text("x,y,z\n1,2,3\n")
    with pytest.raises(SpecFileError, match="header"):
        read_cortex_csv(tmp_path / "g.csv")
    (tmp_path / "h.csv").write_text(",".join(CSV_COLUMNS) + "\n1,2,3,4,5,6,7,x\n")
    with pytest.raises(SpecFileError, match="line 2"):
        read_cortex_csv(tmp_path / "h.csv")
    with pytest.raises(SpecFileError, match="not found"):
        read_cortex_csv(tmp_path / "missing.csv")


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(finite, min_size=12 * 8, max_size=12 * 8),
    shift=st.floats(-0.2, 0.2),
)
def test_round_trip_property(tmp_path_factory, values, shift):
    """What is written reads back: CSV to 10 significant digits, GIfTI exactly as float32."""
    folder = tmp_path_factory.mktemp("rt")
    v, t = icosphere(0.02, 0)  # 12 vertices, one "hemisphere"
    v = v + shift
    table = np.array(values).reshape(12, 8)
    e, magn, normal = table[:, :3], np.abs(table[:, 3]), table[:, 4]
    back = read_cortex_csv(write_cortex_csv(folder / "f.csv", v, e, magn, normal))
    for key, want in (("points", v), ("efield", e), ("magn", magn), ("normal", normal)):
        np.testing.assert_allclose(back[key], want, rtol=1e-9, atol=1e-300)
    data = {"E_normal": normal, "E": e}
    write_cortex_gifti(folder, v, t, [("left", 12)], data, dict.fromkeys(data, "V/m"))
    v2, t2, d2, sizes = read_cortex_gifti(folder, ("left",))
    assert sizes == (12,)
    np.testing.assert_array_equal(t2, t)
    np.testing.assert_array_equal(d2["E"], e.astype(np.float32))
    np.testing.assert_array_equal(d2["E_normal"], normal.astype(np.float32))
    np.testing.assert_allclose(v2, v, rtol=1e-6, atol=1e-9)
