"""Reading and writing coil poses in SimNIBS's ``matsimnibs`` layout (text and .mat).

SimNIBS (docs, sim_struct POSITION; Mesh.calc_matsimnibs in simnibs/mesh_tools/mesh_io.py):
matsimnibs is a 4x4 affine whose columns are the coil's x, y, z axes in head coordinates and
the coil centre, in mm; the coil z axis points into the head, the y axis is the prolongation of
the handle; its .ccd coil files put the windings at z < 0. The documented example places the
coil at (-1.2, -15.8, 120.0) mm facing down with its y axis anterior:
[[-1, 0, 0, -1.2], [0, 1, 0, -15.8], [0, 0, -1, 120.0], [0, 0, 0, 1]].
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.io
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmslab.coils import read_ccd
from tmslab.coils.placement import (
    MAX_POSE_TRANSLATION_M,
    format_pose,
    pose_file_unit,
    pose_on_sphere,
    read_pose,
    write_pose,
)
from tmslab.errors import SpecFileError, TmslabError

from .conftest import rotation

SIMNIBS_EXAMPLE = [[-1, 0, 0, -1.2], [0, 1, 0, -15.8], [0, 0, -1, 120.0], [0, 0, 0, 1]]


def _text(matrix, header="") -> str:
    return header + "\n".join(" ".join(repr(float(v)) for v in row) for row in matrix) + "\n"


def test_simnibs_example_in_mm_reads_as_metres(tmp_path):
    path = tmp_path / "pose.txt"
    path.write_text(_text(SIMNIBS_EXAMPLE))
    pose = read_pose(path, "mm")
    assert np.array_equal(pose[:3, :3], np.array(SIMNIBS_EXAMPLE)[:3, :3])
    assert np.allclose(pose[:3, 3], [-1.2e-3, -15.8e-3, 0.120], rtol=0, atol=1e-15)


def test_plain_text_in_mm_without_a_unit_is_refused_naming_the_option(tmp_path):
    # Before: read as metres, the coil 120 m away and a field of ~1e-10 V/m, no warning.
    path = tmp_path / "pose.txt"
    path.write_text(_text(SIMNIBS_EXAMPLE))
    with pytest.raises(SpecFileError, match=r"121 m from the origin.*--pose-unit mm"):
        read_pose(path)
    with pytest.raises(SpecFileError, match=r"\[coil\] pose_unit mm"):
        read_pose(path, option="[coil] pose_unit")


def test_matsimnibs_text_and_unit_comments_choose_the_default_unit(tmp_path):
    simnibs = tmp_path / "a.txt"
    simnibs.write_text(_text(SIMNIBS_EXAMPLE, "# matsimnibs exported from SimNIBS\n"))
    assert pose_file_unit(simnibs) == "mm"
    assert read_pose(simnibs)[2, 3] == pytest.approx(0.12)
    metres = tmp_path / "b.csv"
    m = np.array(SIMNIBS_EXAMPLE, float)
    m[:3, 3] *= 1e-3
    metres.write_text("# unit: m\n" + _text(m).replace(" ", ","))
    assert pose_file_unit(metres) == "m"
    assert np.allclose(read_pose(metres), m)


def test_mat_file_top_level_and_inside_a_simnibs_session(tmp_path):
    top = tmp_path / "top.mat"
    scipy.io.savemat(top, {"matsimnibs": np.array(SIMNIBS_EXAMPLE, float)})
    assert read_pose(top)[2, 3] == 0.12  # .mat defaults to mm (SimNIBS's unit)
    session = tmp_path / "session.mat"
    pos = {"matsimnibs": np.array(SIMNIBS_EXAMPLE, float), "didt": 1e6}
    scipy.io.savemat(session, {"poslist": {"pos": pos, "fnamecoil": "x.ccd"}})
    assert np.array_equal(read_pose(session), read_pose(top))


def test_mat_file_in_metres_by_mistake_is_refused(tmp_path):
    path = tmp_path / "p.mat"
    scipy.io.savemat(path, {"matsimnibs": np.array(SIMNIBS_EXAMPLE, float)})
    with pytest.raises(SpecFileError, match="pass --pose-unit mm"):
        read_pose(path, "m")


def test_mat_file_without_or_with_two_poses_is_refused(tmp_path):
    none = tmp_path / "none.mat"
    scipy.io.savemat(none, {"other": np.eye(3)})
    with pytest.raises(SpecFileError, match=r"no 4x4 matsimnibs.*variables: other"):
        read_pose(none)
    two = tmp_path / "two.mat"
    m = np.array(SIMNIBS_EXAMPLE, float)
    scipy.io.savemat(two, {"a": {"matsimnibs": m}, "b": {"matsimnibs": m}})
    with pytest.raises(SpecFileError, match="2 matsimnibs"):
        read_pose(two)
    fake = tmp_path / "fake.mat"
    fake.write_bytes(b"not a mat file at all")
    with pytest.raises(SpecFileError, match="MATLAB"):
        read_pose(fake)


def test_simnibs_frame_is_tmslab_frame(tmp_path):
    """A .ccd coil (windings at z < 0, SimNIBS's convention) placed by the documented
    matsimnibs sits above its centre, outside the head, with its y axis anterior (+y)."""
    ccd = tmp_path / "coil.ccd"
    rows = [(x, y, z, 0.0, 0.0, 1e-6) for x in (-0.01, 0.01) for y in (-0.02, 0.03)
            for z in (-0.003, -0.01)]  # fmt: skip
    ccd.write_text("# test coil\n8\n" + "".join(" ".join(map(repr, r)) + "\n" for r in rows))
    coil = read_ccd(ccd)
    path = tmp_path / "pose.txt"
    path.write_text(_text(SIMNIBS_EXAMPLE, "# matsimnibs\n"))
    placed = coil.transformed(read_pose(path))
    assert np.all(placed.dipole_positions[:, 2] > 0.120)  # behind the face, away from the head
    # Coil +y (the handle side of this asymmetric coil) maps to head +y.
    assert placed.dipole_positions[:, 1].max() == pytest.approx(-15.8e-3 + 0.03)
    # The moments (along coil +z) point down, into the head.
    assert np.all(placed.dipole_moments[:, 2] < 0)


@st.composite
def rigid_poses(draw):
    axis = draw(st.tuples(*[st.floats(-1, 1) for _ in range(3)]).filter(
        lambda a: np.linalg.norm(a) > 1e-3))  # fmt: skip
    angle = draw(st.floats(-np.pi, np.pi))
    pose = np.eye(4)
    pose[:3, :3] = rotation(axis, angle)
    limit = MAX_POSE_TRANSLATION_M / 2
    pose[:3, 3] = draw(st.lists(st.floats(-limit, limit), min_size=3, max_size=3))
    return pose


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pose=rigid_poses(), unit=st.sampled_from(["mm", "m"]))
def test_written_poses_read_back_exactly(tmp_path, pose, unit):
    path = write_pose(tmp_path / "p.txt", pose, unit)
    back = read_pose(path)
    assert np.array_equal(back, pose), back - pose
    assert format_pose(back, unit) == path.read_text()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300) | st.text(alphabet="0123456789.,-+e# \n\tnaifx", max_size=200))
def test_random_files_give_a_pose_or_a_one_line_error(tmp_path, data):
    path = tmp_path / "p.txt"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    try:
        pose = read_pose(path)
    except TmslabError as error:
        assert "\n" not in str(error)
        return
    assert pose.shape == (4, 4) and np.all(np.isfinite(pose))


def test_binary_pose_file_is_a_clean_error(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(SpecFileError, match="not a text file"):
        read_pose(path)


def test_pose_on_sphere_round_trips_through_the_file(tmp_path):
    pose = pose_on_sphere(0.085, (1.0, 0.5, 2.0), distance_m=0.004, handle_angle_deg=45)
    assert np.array_equal(read_pose(write_pose(tmp_path / "p.txt", pose)), pose)
