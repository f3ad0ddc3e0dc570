"""``tmslab field head --out``: |E| on the MNI152 grid beside the GIfTI (no solve: a made-up
field on a head of spheres)."""

from __future__ import annotations

import nibabel as nib
import numpy as np

from tests.efield.test_head import sphere_model
from tmslab.efield.head import HEAD_FIELD_FILES, cortical_field, write_head_field


def test_write_head_field_writes_magne_on_the_mni152_grid(tmp_path):
    head = sphere_model()
    vertices, _, _ = head.cortex("mid")
    e = np.zeros_like(vertices)
    e[:, 0] = 1.0 + vertices[:, 2] * 10  # V/m, > 0
    f = cortical_field(head, e, coil_name="made-up", pose=np.eye(4), didt_a_per_s=1e6)
    out = write_head_field(tmp_path / "out", f)
    assert "magnE_mni.nii.gz" in HEAD_FIELD_FILES
    image = nib.load(out / "magnE_mni.nii.gz")
    assert image.shape == (99, 117, 95)
    np.testing.assert_allclose(np.diag(image.affine), [2, 2, 2, 1])
    data = np.asarray(image.get_fdata())
    finite = data[np.isfinite(data)]
    assert finite.size > 1000
    # values are |E| of cortex vertices (the thin right 'hemisphere' is medial wall: left out)
    cortex = f.magnitude[f.cortex]
    assert finite.min() >= cortex.min() - 1e-5 and finite.max() <= cortex.max() + 1e-5
