"""MNI152 coordinates (as published) are converted to fsaverage's MNI305 frame.

Reference: FreeSurfer's CoordinateSystems wiki, case 8b (the inverse of
$FREESURFER_HOME/average/mni152.register.dat): MNI152 (10, -20, 35) mm -> MNI305
(9.3131, -21.5849, 33.8345) mm.
"""

import numpy as np
import pytest

from tmslab.conductors.head import cortical_target, named_target
from tmslab.conductors.head.template import HeadModel
from tmslab.errors import InvalidValueError
from tmslab.units import MM


def test_freesurfer_worked_example(head):
    p = head.from_mni152(np.array([10.0, -20.0, 35.0]) * MM)
    # the wiki prints the matrix to 4 decimals and the example from the full one: 2 um apart
    np.testing.assert_allclose(p / MM, [9.3131, -21.5849, 33.8345], atol=2e-3)


def test_many_points_at_once(head):
    points = np.array([[10.0, -20.0, 35.0], [-37.0, -21.0, 58.0]]) * MM
    both = head.from_mni152(points)
    assert both.shape == (2, 3)
    np.testing.assert_allclose(both[1], head.from_mni152(points[1]))


def test_a_target_lands_where_its_converted_coordinate_is(head):
    mni = np.array([-37.0, -21.0, 58.0]) * MM
    target = cortical_target(head, mni)
    np.testing.assert_allclose(target.requested, head.from_mni152(mni))
    assert "MNI (-37, -21, 58) mm" == target.name  # the label keeps the published numbers
    assert 1 * MM < np.linalg.norm(target.requested - mni) < 5 * MM  # MNI152 vs MNI305


def test_named_targets_are_converted_too(head):
    target = named_target(head, "M1-hand")
    np.testing.assert_allclose(target.requested, head.from_mni152(np.array([-37, -21, 58]) * MM))


def test_a_head_without_registration_refuses_mni(head):
    import dataclasses

    bare = dataclasses.replace(head, mni152_to_head=None)
    assert isinstance(bare, HeadModel)
    with pytest.raises(InvalidValueError, match="no MNI152 registration"):
        bare.from_mni152([0.0, 0.0, 0.05])
