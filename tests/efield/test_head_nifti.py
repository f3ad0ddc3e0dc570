"""``tmslab field head --out``: |E| on the MNI152 grid beside the GIfTI (no solve: a made-up
field on a head of spheres)."""

from __future__ import annotations

from dataclasses import replace

import nibabel as nib
import numpy as np

from tests.efield.test_head import sphere_model
from tmslab.efield.head import cortical_field
from tmslab.efield.head_run import HEAD_FIELD_FILES, MNI_NIFTI_NAME, write_head_field


def _made_up_field():
    head = sphere_model()
    vertices, _, _ = head.cortex("mid")
    e = np.zeros_like(vertices)
    e[:, 0] = 1.0 + vertices[:, 2] * 10  # V/m, > 0
    return cortical_field(head, e, coil_name="made-up", pose=np.eye(4), didt_a_per_s=1e6)


def test_write_head_field_writes_magne_on_the_mni152_grid(tmp_path):
    f = _made_up_field()  # the spheres' frame stands in for MNI152 (identity registration)
    out = write_head_field(tmp_path / "out", f)
    assert MNI_NIFTI_NAME in HEAD_FIELD_FILES
    image = nib.load(out / MNI_NIFTI_NAME)
    assert image.shape == (99, 117, 95)
    np.testing.assert_allclose(np.diag(image.affine), [2, 2, 2, 1])
    data = np.asarray(image.get_fdata())
    finite = data[np.isfinite(data)]
    assert finite.size > 1000
    # values are |E| of cortex vertices
    cortex = f.magnitude[f.cortex]
    assert finite.min() >= cortex.min() - 1e-5 and finite.max() <= cortex.max() + 1e-5


def test_the_nifti_is_in_mni152_not_the_head_frame(tmp_path):
    # a registration that shifts the head 10 mm along x moves the map by 5 voxels
    f = _made_up_field()
    shifted = np.eye(4)
    shifted[0, 3] = 0.010  # head -> MNI152: +10 mm in x
    plain = nib.load(write_head_field(tmp_path / "a", f) / MNI_NIFTI_NAME).get_fdata()
    moved = nib.load(
        write_head_field(tmp_path / "b", replace(f, to_mni152=shifted)) / MNI_NIFTI_NAME
    ).get_fdata()
    np.testing.assert_array_equal(np.isfinite(moved[5:]), np.isfinite(plain[:-5]))


def test_a_head_outside_mni_space_gets_no_nifti(tmp_path):
    out = write_head_field(tmp_path / "out", replace(_made_up_field(), to_mni152=None))
    names = {p.name for p in out.iterdir()}
    assert MNI_NIFTI_NAME not in names and "lh.mid.func.gii" in names
