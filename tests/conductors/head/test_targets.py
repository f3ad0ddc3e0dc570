"""Cortical targets on the fsaverage mid-cortical surface."""

import numpy as np
import pytest

from tmslab.conductors.head.targets import (
    NAMED_TARGETS,
    cortical_target,
    label_target,
    named_target,
    named_targets,
)
from tmslab.conductors.head.template import UnknownPositionError
from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.units import MM


@pytest.mark.parametrize("name", NAMED_TARGETS)
def test_named_targets_on_left_cortex_with_source(head, name):
    target = named_target(head, name)
    assert target.hemisphere == "left"
    assert target.distance_m < 5 * MM
    assert target.source is not None and target.source.doi
    mid = head.hemispheres["left"].mid
    np.testing.assert_array_equal(target.point, mid.vertices[target.vertex])
    vertices, _, _ = head.cortex("mid")
    np.testing.assert_array_equal(vertices[target.index], target.point)
    assert np.linalg.norm(target.normal) == pytest.approx(1.0)


def test_named_target_names(head):
    assert set(named_targets()) == set(NAMED_TARGETS)
    assert named_target(head, "m1-hand").name == "M1-hand"
    with pytest.raises(UnknownNameError, match="DLPFC-Fox2012"):
        named_target(head, "dlpfc")


def test_mni_target_right_hemisphere(head):
    target = cortical_target(head, np.array([37.0, -21.0, 58.0]) * MM)
    assert target.hemisphere == "right"
    assert target.index >= head.hemispheres["left"].mid.n_vertices
    assert target.name == "MNI (37, -21, 58) mm"


def test_label_target_under_electrode(head):
    target = label_target(head, "F3")
    assert target.hemisphere == "left"
    # scalp to mid-cortex under F3: 1-3.5 cm (scalp, skull, CSF and half the cortex)
    assert 10 * MM < target.distance_m < 35 * MM
    with pytest.raises(UnknownPositionError):
        label_target(head, "F33")


@pytest.mark.parametrize(
    ("point_mm", "match"),
    [
        ((0.0, 0.0, 200.0), "outside the brain"),
        ((-38.0, 44.0, 110.0), "outside the brain"),
        ((-20.0, -20.0, 30.0), "from the cortex"),
    ],
)
def test_bad_targets_refused(head, point_mm, match):
    kwargs = {"max_distance_m": 5 * MM} if match == "from the cortex" else {}
    with pytest.raises(InvalidValueError, match=match) as info:
        cortical_target(head, np.array(point_mm) * MM, **kwargs)
    assert "\n" not in str(info.value)


def test_targets_avoid_the_medial_wall(head):
    for hemi in head.hemispheres.values():
        assert 0.02 < hemi.medial_wall.mean() < 0.1
    target = cortical_target(head, np.array([-5.0, -50.0, 30.0]) * MM)  # precuneus, medial
    assert not head.hemispheres[target.hemisphere].medial_wall[target.vertex]


def test_target_in_mm_refused(head):
    with pytest.raises(InvalidValueError, match="not mm"):
        cortical_target(head, [-38.0, 44.0, 26.0])
