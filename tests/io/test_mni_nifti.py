"""Cortical values onto the MNI152 grid (tmslab.io.nifti.mni152_grid / write_surface_nifti)."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.io.nifti import mni152_grid, surface_values_on_grid, write_surface_nifti
from tmslab.units import MM

MNI152_2MM_SHAPE = (99, 117, 95)
MNI152_2MM_AFFINE = np.array([[2.0, 0, 0, -98], [0, 2.0, 0, -134], [0, 0, 2.0, -72], [0, 0, 0, 1]])


def test_mni152_grid_is_nilearns_2mm_grid():
    shape, affine = mni152_grid()
    assert shape == MNI152_2MM_SHAPE
    np.testing.assert_array_equal(affine, MNI152_2MM_AFFINE)
    shape1, affine1 = mni152_grid(1.0)
    assert shape1 == (197, 233, 189) and affine1[0, 0] == 1.0
    with pytest.raises(InvalidValueError, match="must be > 0"):
        mni152_grid(0.0)


@pytest.mark.slow
def test_mni152_grid_matches_load_mni152_template():
    """nilearn's own resampled template (importing nilearn.datasets takes 5-20 s)."""
    from nilearn.datasets import load_mni152_template

    image = load_mni152_template(resolution=2)
    shape, affine = mni152_grid()
    assert shape == image.shape
    np.testing.assert_allclose(affine, image.affine)


def test_nearest_vertex_within_the_distance():
    shape, affine = (10, 10, 10), np.diag([2.0, 2.0, 2.0, 1.0])
    vertices = np.array([[4.0, 4.0, 4.0], [14.0, 14.0, 14.0]]) * MM
    grid = surface_values_on_grid(vertices, np.array([1.0, 2.0]), shape, affine, 3 * MM)
    assert grid[2, 2, 2] == 1.0 and grid[7, 7, 7] == 2.0
    assert grid[3, 2, 2] == 1.0  # 2 mm away
    assert np.isnan(grid[4, 2, 2])  # 4 mm away
    assert np.isnan(grid[0, 0, 0]) and np.isnan(grid[9, 9, 9])
    # voxels within 3 mm of a point on a 2 mm grid: offsets with |d| <= 1.5 voxels
    assert np.isfinite(grid).sum() == 2 * 19
    with pytest.raises(InvalidValueError, match="must be"):
        surface_values_on_grid(vertices, np.ones(3), shape, affine)


def test_written_file_opens_in_nibabel_with_the_mni152_grid(tmp_path):
    # a 60 mm sphere of 'cortex' around the origin, |E| = height
    from tmslab.conductors.meshing import icosphere

    vertices, _ = icosphere(0.06, 3)
    path = write_surface_nifti(tmp_path / "magnE_mni.nii.gz", vertices, vertices[:, 2], "V/m")
    image = nib.load(path)
    assert image.shape == MNI152_2MM_SHAPE
    np.testing.assert_allclose(image.affine, MNI152_2MM_AFFINE)
    assert image.header["descrip"].tobytes().rstrip(b"\0") == b"V/m"
    data = np.asarray(image.get_fdata())
    finite = np.argwhere(np.isfinite(data))
    assert len(finite) > 1000
    centres = (finite @ MNI152_2MM_AFFINE[:3, :3].T + MNI152_2MM_AFFINE[:3, 3]) * MM
    radius = np.linalg.norm(centres, axis=1)
    assert np.all(np.abs(radius - 0.06) < 3.5 * MM)  # a shell about the surface
    # the value follows the surface's (z) within a vertex spacing
    np.testing.assert_allclose(data[tuple(finite.T)], centres[:, 2], atol=6 * MM)
