"""tmslab.io.gifti and tmslab.io.nifti: round trips, files other tools read, one-line errors."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.io.gifti import data_path_for, read_gifti_data, read_gifti_surface, write_gifti
from tmslab.io.nifti import read_nifti, write_nifti

FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]
# Within float32's range and well away from its precision limits: round trips to rtol 1e-6.
VALUES = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
# Vertex positions in m: a head is within half a metre of its centre.
POSITIONS = st.floats(-0.5, 0.5, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _one_line(error: TmslabError) -> None:
    assert str(error) and "\n" not in str(error)


def _tetrahedron() -> tuple[np.ndarray, np.ndarray]:
    vertices = np.array([[0.0, 0.0, 0.0], [0.01, 0.0, 0.0], [0.0, 0.01, 0.0], [0.0, 0.0, 0.01]])
    triangles = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    return vertices, triangles


@st.composite
def meshes(draw):
    """A small random mesh with a scalar and a vector quantity on its vertices."""
    n = draw(st.integers(3, 12))
    m = draw(st.integers(1, 10))
    vertices = draw(arrays(float, (n, 3), elements=POSITIONS))
    assume(np.ptp(vertices, axis=0).max() >= 0.005)  # a real surface; smaller is refused on reading
    triangles = draw(arrays(np.int64, (m, 3), elements=st.integers(0, n - 1)))
    scalar = draw(arrays(float, (n,), elements=VALUES))
    vector = draw(arrays(float, (n, 3), elements=VALUES))
    return vertices, triangles, {"magnitude": scalar, "E": vector}


@settings(max_examples=40, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(mesh=meshes())
def test_gifti_round_trip(tmp_path, mesh):
    vertices, triangles, data = mesh
    units = {"magnitude": "V/m", "E": "V/m"}
    surface, values = write_gifti(tmp_path / "cortex.surf.gii", vertices, triangles, data, units)
    assert values == tmp_path / "cortex.func.gii"
    read_vertices, read_triangles = read_gifti_surface(surface)
    np.testing.assert_allclose(read_vertices, vertices, rtol=1e-6, atol=1e-9)
    assert np.array_equal(read_triangles, triangles)
    read_values = read_gifti_data(values)
    assert list(read_values) == list(data)
    for name, array in data.items():
        np.testing.assert_allclose(read_values[name], array, rtol=1e-6, atol=1e-30)


def test_gifti_files_as_nibabel_reads_them(tmp_path):
    vertices, triangles = _tetrahedron()
    data = {"E": np.arange(12.0).reshape(4, 3), "magnitude": np.arange(4.0)}
    surface, values = write_gifti(
        tmp_path / "head.surf.gii", vertices, triangles, data, {"E": "V/m", "magnitude": "V/m"}
    )
    image = nib.load(surface)
    points = image.get_arrays_from_intent("NIFTI_INTENT_POINTSET")
    faces = image.get_arrays_from_intent("NIFTI_INTENT_TRIANGLE")
    assert len(image.darrays) == 2 and len(points) == 1 and len(faces) == 1
    assert points[0].data.dtype == np.float32 and points[0].data.shape == (4, 3)
    np.testing.assert_allclose(points[0].data, vertices * 1e3)  # mm, as the tools expect
    assert faces[0].data.dtype == np.int32 and np.array_equal(faces[0].data, triangles)

    arrays_ = nib.load(values).darrays
    assert [a.meta["Name"] for a in arrays_] == ["E", "magnitude"]
    assert [a.meta["Unit"] for a in arrays_] == ["V/m", "V/m"]
    assert [a.data.shape for a in arrays_] == [(4, 3), (4,)]
    assert all(a.data.dtype == np.float32 for a in arrays_)
    intents = [nib.nifti1.intent_codes.label[a.intent] for a in arrays_]
    assert intents == ["vector", "none"]


def test_gifti_surface_without_data(tmp_path):
    vertices, triangles = _tetrahedron()
    surface, values = write_gifti(tmp_path / "s.surf.gii", vertices, triangles, {}, {})
    assert read_gifti_surface(surface)[1].shape == (4, 3)
    assert read_gifti_data(values) == {}


def test_gifti_replaces_an_existing_file_atomically(tmp_path):
    vertices, triangles = _tetrahedron()
    path = tmp_path / "s.surf.gii"
    write_gifti(path, vertices, triangles, {"a": np.zeros(4)}, {"a": "1"})
    write_gifti(path, 2 * vertices, triangles, {"a": np.ones(4)}, {"a": "1"})
    np.testing.assert_allclose(read_gifti_surface(path)[0], 2 * vertices, rtol=1e-6)
    assert np.array_equal(read_gifti_data(data_path_for(path))["a"], np.ones(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.func.gii", "s.surf.gii"]


def _bad_gifti_cases():
    vertices, triangles = _tetrahedron()
    ok = {"a": np.zeros(4)}
    units = {"a": "V/m"}
    nan = np.zeros(4)
    nan[1] = np.nan
    return {
        "suffix": ("s.gii", vertices, triangles, ok, units),
        "no name": (".surf.gii", vertices, triangles, ok, units),
        "vertex shape": ("s.surf.gii", vertices[:, :2], triangles, ok, units),
        "vertex too far": ("s.surf.gii", vertices * 1e300, triangles, ok, units),
        "vertex NaN": (
            "s.surf.gii",
            np.where(vertices == 0, np.nan, vertices),
            triangles,
            ok,
            units,
        ),
        "triangle shape": ("s.surf.gii", vertices, triangles[:, :2], ok, units),
        "triangle index": ("s.surf.gii", vertices, triangles + 1, ok, units),
        "float triangles": ("s.surf.gii", vertices, triangles * 1.0, ok, units),
        "data shape": ("s.surf.gii", vertices, triangles, {"a": np.zeros(5)}, units),
        "data NaN": ("s.surf.gii", vertices, triangles, {"a": nan}, units),
        "data too large": ("s.surf.gii", vertices, triangles, {"a": np.full(4, 1e300)}, units),
        "no unit": ("s.surf.gii", vertices, triangles, ok, {}),
        "empty name": ("s.surf.gii", vertices, triangles, {"": np.zeros(4)}, {"": "V/m"}),
    }


@pytest.mark.parametrize("case", list(_bad_gifti_cases()))
def test_gifti_bad_input_is_one_line_and_writes_nothing(tmp_path, case):
    name, vertices, triangles, data, units = _bad_gifti_cases()[case]
    with pytest.raises(InvalidValueError) as caught:
        write_gifti(tmp_path / name, vertices, triangles, data, units)
    _one_line(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("missing.surf.gii", None),
        ("junk.surf.gii", b"not xml at all"),
        ("empty.surf.gii", b""),
        ("wrong.surf.txt", b"x"),
        ("other.surf.gii", b'<?xml version="1.0"?><nothing/>'),
    ],
)
def test_gifti_unreadable_file_is_one_line(tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    for reader in (read_gifti_surface, read_gifti_data):
        with pytest.raises(SpecFileError) as caught:
            reader(path)
        _one_line(caught.value)


def test_gifti_data_file_is_not_a_surface(tmp_path):
    vertices, triangles = _tetrahedron()
    _, values = write_gifti(
        tmp_path / "s.surf.gii", vertices, triangles, {"a": np.zeros(4)}, {"a": "V/m"}
    )
    with pytest.raises(SpecFileError, match="one pointset") as caught:
        read_gifti_surface(values)
    _one_line(caught.value)


def _affine() -> np.ndarray:
    affine = np.diag([2.0, 2.0, 3.0, 1.0])
    affine[:3, 3] = [-10.0, -20.0, 5.0]
    return affine


@settings(max_examples=30, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(
    values=arrays(
        float,
        st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
        | st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.just(3)),
        elements=VALUES,
    ),
    suffix=st.sampled_from([".nii", ".nii.gz"]),
)
def test_nifti_round_trip(tmp_path, values, suffix):
    path = write_nifti(tmp_path / f"e{suffix}", values, _affine(), "V/m")
    read_values, affine = read_nifti(path)
    assert read_values.shape == values.shape
    np.testing.assert_allclose(read_values, values, rtol=1e-6, atol=1e-30)
    assert np.array_equal(affine, _affine())


@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
def test_nifti_as_nibabel_reads_it(tmp_path, suffix):
    values = np.arange(2 * 3 * 4 * 3, dtype=float).reshape(2, 3, 4, 3)
    values[0, 0, 0] = np.nan  # a voxel outside the head
    path = write_nifti(tmp_path / f"e{suffix}", values, _affine(), "V/m")
    image = nib.load(path)
    assert isinstance(image, nib.Nifti1Image)
    assert image.shape == (2, 3, 4, 3)
    assert image.get_data_dtype() == np.float32
    assert image.header["descrip"].item() == b"V/m"
    assert image.header.get_xyzt_units()[0] == "mm"
    assert np.array_equal(image.affine, _affine())
    np.testing.assert_array_equal(image.get_fdata(), values)  # NaN where NaN was written


def test_nifti_gz_is_compressed_and_reproducible(tmp_path):
    values = np.zeros((8, 8, 8))
    first = write_nifti(tmp_path / "a.nii.gz", values, _affine(), "V/m")
    second = write_nifti(tmp_path / "b.nii.gz", values, _affine(), "V/m")
    assert first.read_bytes()[:2] == b"\x1f\x8b"
    assert first.read_bytes() == second.read_bytes()


def _bad_nifti_cases():
    grid = np.zeros((2, 2, 2))
    singular = _affine()
    singular[2, 2] = 0.0
    last_row = _affine()
    last_row[3, 0] = 1.0
    return {
        "suffix": ("e.nc", grid, _affine(), "V/m"),
        "no name": (".nii", grid, _affine(), "V/m"),
        "2-D": ("e.nii", np.zeros((2, 2)), _affine(), "V/m"),
        "4-D of 2": ("e.nii", np.zeros((2, 2, 2, 2)), _affine(), "V/m"),
        "empty": ("e.nii", np.zeros((0, 2, 2)), _affine(), "V/m"),
        "infinite": ("e.nii", np.full((2, 2, 2), np.inf), _affine(), "V/m"),
        "too large": ("e.nii", np.full((2, 2, 2), 1e300), _affine(), "V/m"),
        "affine shape": ("e.nii", grid, np.eye(3), "V/m"),
        "affine NaN": ("e.nii", grid, np.full((4, 4), np.nan), "V/m"),
        "affine last row": ("e.nii", grid, last_row, "V/m"),
        "singular": ("e.nii", grid, singular, "V/m"),
        "no unit": ("e.nii", grid, _affine(), ""),
        "non-ASCII unit": ("e.nii", grid, _affine(), "µT"),
        "long unit": ("e.nii", grid, _affine(), "V" * 80),
    }


@pytest.mark.parametrize("case", list(_bad_nifti_cases()))
def test_nifti_bad_input_is_one_line_and_writes_nothing(tmp_path, case):
    name, values, affine, unit = _bad_nifti_cases()[case]
    with pytest.raises(InvalidValueError) as caught:
        write_nifti(tmp_path / name, values, affine, unit)
    _one_line(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_nifti_unreadable_file_is_one_line(tmp_path):
    good = write_nifti(tmp_path / "good.nii", np.zeros((4, 4, 4)), _affine(), "V/m")
    (tmp_path / "junk.nii").write_bytes(b"not a nifti file")
    (tmp_path / "junk.nii.gz").write_bytes(b"not gzip")
    (tmp_path / "cut.nii").write_bytes(good.read_bytes()[:400])  # header, then too few voxels
    (tmp_path / "other.txt").write_bytes(good.read_bytes())
    for name in ("missing.nii", "junk.nii", "junk.nii.gz", "cut.nii", "other.txt"):
        with pytest.raises(SpecFileError) as caught:
            read_nifti(tmp_path / name)
        _one_line(caught.value)


def test_nifti_of_another_shape_is_refused_on_reading(tmp_path):
    path = tmp_path / "five.nii"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2, 1, 3), dtype=np.float32), _affine()), path)
    with pytest.raises(SpecFileError, match="expected values of shape") as caught:
        read_nifti(path)
    _one_line(caught.value)


def test_reads_nilearn_fsaverage5_pial_as_shipped():
    """A real GIfTI, not one of ours: nilearn's fsaverage5 pial surface (FreeSurfer, mm)."""
    from importlib.resources import files

    pytest.importorskip("nilearn")
    path = files("nilearn") / "datasets" / "data" / "fsaverage5" / "pial_left.gii.gz"
    vertices, triangles = read_gifti_surface(path)
    assert vertices.shape == (10242, 3) and triangles.shape == (20480, 3)
    extent = np.ptp(vertices, axis=0)
    assert 0.05 < extent.min() and extent.max() < 0.25  # a hemisphere, in metres


def test_surface_in_metres_refused_not_shrunk(tmp_path):
    """A pointset written in metres would read as a 0.1 mm head; refused, naming the unit."""
    import nibabel as nib

    vertices, triangles = _tetrahedron()  # 10 mm tetrahedron, in m
    image = nib.gifti.GiftiImage()
    image.add_gifti_data_array(
        nib.gifti.GiftiDataArray(vertices.astype(np.float32), intent="NIFTI_INTENT_POINTSET")
    )
    image.add_gifti_data_array(
        nib.gifti.GiftiDataArray(triangles.astype(np.int32), intent="NIFTI_INTENT_TRIANGLE")
    )
    path = tmp_path / "metres.surf.gii"
    nib.save(image, path)
    with pytest.raises(SpecFileError, match="another unit") as raised:
        read_gifti_surface(path)
    assert "\n" not in str(raised.value)
