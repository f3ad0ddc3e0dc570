"""tmslab.io: the TOML, points, vectors, pose and field readers and writers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tmslab.errors import SpecFileError, TmslabError
from tmslab.io import read_data_toml, read_toml
from tmslab.io.fields import write_point_field
from tmslab.io.points import format_rows, read_points, read_vectors, write_points
from tmslab.io.pose import read_pose, write_pose

FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]
FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False)
POINTS = arrays(float, st.tuples(st.integers(1, 20), st.just(3)), elements=FINITE)


def _one_line(error: TmslabError) -> None:
    assert str(error) and "\n" not in str(error)


@settings(max_examples=100, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(points=POINTS)
def test_points_round_trip(tmp_path, points):
    path = tmp_path / "p.csv"
    path.write_text(format_rows("x,y,z", points, ".17g"))
    assert np.array_equal(read_points(path), points)


@settings(max_examples=100, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(data=st.binary(max_size=200) | st.text(alphabet="xyz0123456789.,-e\n \x00", max_size=120))
def test_points_reader_gives_points_or_one_line_error(tmp_path, data):
    path = tmp_path / "p.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    try:
        points = read_points(path)
    except TmslabError as error:
        _one_line(error)
        return
    assert points.ndim == 2 and points.shape[1] == 3 and len(points) >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(points=POINTS, header=st.booleans(), npy=st.booleans())
def test_vectors_round_trip(tmp_path, points, header, npy):
    path = tmp_path / ("e.npy" if npy else "e.csv")
    if npy:
        np.save(path, points)
    else:
        text = format_rows("ex,ey,ez", points, ".17g")
        path.write_text(text if header else text.split("\n", 1)[1])
    assert np.array_equal(read_vectors(path, len(points)), points)


@settings(max_examples=100, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(data=st.binary(max_size=120) | st.text(alphabet="abe0123456789.,-\n #", max_size=120))
def test_vectors_reader_gives_vectors_or_one_line_error(tmp_path, data):
    path = tmp_path / "e.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    try:
        values = read_vectors(path, 2)
    except TmslabError as error:
        _one_line(error)
        return
    assert values.shape == (2, 3)


def test_vectors_wrong_count_names_both_shapes(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("1,2,3\n")
    with pytest.raises(TmslabError, match=r"shape \(1, 3\).*\(4, 3\)"):
        read_vectors(path, 4)
    with pytest.raises(SpecFileError, match="not found"):
        read_vectors(tmp_path / "missing.npy", 4)


def test_empty_vectors_file_is_one_line_error_without_numpy_warning(tmp_path):
    """An empty field file once printed NumPy's loadtxt UserWarning before the error line."""
    import warnings

    path = tmp_path / "empty.csv"
    path.write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        with pytest.raises(SpecFileError, match="holds no values") as raised:
            read_vectors(path, 4)
    _one_line(raised.value)


def test_write_points_and_field_csv(tmp_path):
    points = np.array([[0.0, 0.01, 0.07], [1e-3, -2e-3, 0.05]])
    written = write_points(tmp_path / "n.csv", points).read_text()
    assert written == "x_m,y_m,z_m\n0,0.01,0.07\n0.001,-0.002,0.05\n"
    field = write_point_field(tmp_path / "e.csv", points, 2 * points).read_text()
    assert field.splitlines()[0] == "x,y,z,ex,ey,ez"
    assert field.splitlines()[2] == "0.001,-0.002,0.05,0.002,-0.004,0.1"


@settings(max_examples=100, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(text=st.text(max_size=80))
def test_toml_reader_gives_a_table_or_one_line_error(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    try:
        data = read_toml(path)
    except SpecFileError as error:
        _one_line(error)
        assert str(path) in str(error)
        return
    assert isinstance(data, dict)


def test_toml_reader_errors(tmp_path):
    with pytest.raises(SpecFileError, match="file not found"):
        read_toml(tmp_path / "missing.toml")
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SpecFileError, match="cannot read coil file"):
        read_toml(tmp_path / "bin.toml", "coil file")


def test_data_toml_drops_keys_and_leaves_the_cache_alone():
    first = read_data_toml("data/coils.toml", "schema_version")
    assert "schema_version" not in first and first
    first.clear()
    assert read_data_toml("data/coils.toml", "schema_version")


ROTATIONS = st.tuples(FINITE, FINITE, FINITE).filter(lambda v: np.linalg.norm(v) > 1e-3)


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(
    axis=ROTATIONS,
    angle=st.floats(-np.pi, np.pi),
    centre=st.tuples(*[st.floats(-0.3, 0.3)] * 3),
    unit=st.sampled_from(["mm", "m"]),
)
def test_pose_round_trip_is_exact(tmp_path, axis, angle, centre, unit):
    a = np.asarray(axis) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    pose = np.eye(4)
    pose[:3, :3] = np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k
    pose[:3, 3] = centre
    path = write_pose(tmp_path / "pose.txt", pose, unit)
    assert np.array_equal(read_pose(path), pose)


@settings(max_examples=100, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(data=st.binary(max_size=200) | st.text(alphabet="0123456789.,- \n#e", max_size=160))
def test_pose_reader_gives_a_pose_or_one_line_error(tmp_path, data):
    path = tmp_path / "pose.txt"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    try:
        pose = read_pose(path)
    except TmslabError as error:
        _one_line(error)
        return
    assert pose.shape == (4, 4)
