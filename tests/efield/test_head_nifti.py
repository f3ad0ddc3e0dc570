"""``tmslab field head --out``: |E| on the MNI152 grid beside the GIfTI (no solve: a made-up
field on a head of spheres)."""

from __future__ import annotations

from dataclasses import replace

import nibabel as nib
import numpy as np

from tests.efield.test_head import sphere_model
from tmslab.efield.head import HEAD_FIELD_FILES, MNI_NIFTI_NAME, cortical_field, write_head_field


def _made_up_field():
    head = sphere_model()
    vertices, _, _ = head.cortex("mid")
    e = np.zeros_like(vertices)
    e[:, 0] = 1.0 + vertices[:, 2] * 10  # V/m, > 0
    return cortical_field(head, e, coil_name="made-up", pose=np.eye(4), didt_a_per_s=1e6)


def test_write_head_field_writes_magne_on_the_mni152_grid(tmp_path):
    # the spheres stand in for the template (whose frame is MNI)
    f = replace(_made_up_field(), head_name="fsaverage")
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


def test_a_head_outside_mni_space_gets_no_nifti(tmp_path):
    out = write_head_field(tmp_path / "out", _made_up_field())  # head "spheres"
    names = {p.name for p in out.iterdir()}
    assert MNI_NIFTI_NAME not in names and "lh.mid.func.gii" in names
