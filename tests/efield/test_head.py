"""The field on the cortex (tmslab.efield.head): a sphere 'head' checked against the analytic
solution (fast), the summary's definitions, and the fsaverage solve (slow)."""

from __future__ import annotations

import json
from types import MappingProxyType

import numpy as np
import pytest

from tmslab.coils import get_coil
from tmslab.conductors.head import pose_at
from tmslab.conductors.head.template import Compartment, HeadModel, Hemisphere, SurfaceMesh
from tmslab.conductors.meshing import icosphere
from tmslab.conductors.sphere import sphere_head
from tmslab.efield.head import (
    CorticalField,
    cortical_field,
    head_field,
    vertex_areas,
    weighted_percentile,
)
from tmslab.efield.head_run import prepare_head_field
from tmslab.efield.sphere import sphere_efield
from tmslab.errors import InvalidValueError, TmslabError
from tmslab.units import A_PER_US, MM

COIL = "magstim-70mm-fig8"


def _shell(radius, subdivisions, name):
    v, t = icosphere(radius, subdivisions)
    return SurfaceMesh(name, v, t)


def _hemisphere(name, radius, subdivisions, thickness=4 * MM):
    half = thickness / 2
    return Hemisphere(
        name,
        _shell(radius + half, subdivisions, "pial"),
        _shell(radius - half, subdivisions, "white"),
        _shell(radius, subdivisions, "mid"),
    )


def sphere_model(right_thickness=4 * MM) -> HeadModel:
    """A head of spheres: scalp 85 mm, brain bounded by a 75 mm 'inner skull', a 60 mm shell as
    the left cortex and a 40 mm one as the right (thin right: all medial wall)."""
    return HeadModel(
        name="spheres",
        frame="test, m",
        surfaces=MappingProxyType(
            {"scalp": _shell(0.085, 3, "scalp"), "inner_skull": _shell(0.075, 3, "inner_skull")}
        ),
        compartments=(Compartment("brain", "inner_skull", 0.275),),
        hemispheres=MappingProxyType(
            {
                "left": _hemisphere("left", 0.060, 3),
                "right": _hemisphere("right", 0.040, 2, right_thickness),
            }
        ),
        positions=MappingProxyType({"Cz": np.array([0.0, 0.0, 0.085])}),
        fiducials=MappingProxyType({}),
        mni152_to_head=np.eye(4),  # its frame stands in for MNI152
    )


@pytest.fixture(scope="module")
def spheres():
    return sphere_model()


@pytest.fixture(scope="module")
def sphere_field(spheres):
    pose = pose_at(spheres, "Cz", handle_angle_deg=30, distance_m=4 * MM)
    return head_field(spheres, get_coil(COIL), pose)


def test_bem_pipeline_matches_the_analytic_sphere(sphere_field):
    """The whole path (conductor, placed coil, BEM, evaluation on the 'cortex') against the
    analytic field of a spherically symmetric conductor at the same points: RDM ~0.004 with a
    1,280-facet conductor."""
    f = sphere_field
    placed = get_coil(COIL).transformed(f.pose)
    reference = sphere_efield(placed, f.vertices, sphere_head(0.085), A_PER_US)
    rdm = np.linalg.norm(f.efield - reference) / np.linalg.norm(reference)
    assert rdm < 0.01, rdm
    peak = np.linalg.norm(reference, axis=1).max()
    assert abs(f.e_max_raw - peak) / peak < 0.01
    # the hot spot is under the coil, on top of the outer (left) shell
    np.testing.assert_allclose(f.hotspot, [0, 0, 0.060], atol=1e-9)
    assert f.hotspot_hemisphere == "left"
    assert f.solve_time_s > 0


def test_normal_component_points_into_the_cortex_and_tangential_completes_it(sphere_field):
    f = sphere_field
    outward = f.vertices / np.linalg.norm(f.vertices, axis=1)[:, None]  # spheres about 0
    assert np.einsum("ij,ij->i", f.normals, outward).min() > 0.99  # area-weighted vertex normals
    e_n = -np.einsum("ij,ij->i", f.efield, f.normals)
    np.testing.assert_allclose(f.normal_component, e_n)
    np.testing.assert_allclose(f.normal_component**2 + f.tangential**2, f.magnitude**2, rtol=1e-9)
    # In a sphere the induced field has no radial part at the surface of symmetry (the field
    # is tangential for a coil outside): E_n is small against |E|.
    assert np.abs(f.normal_component).max() < 0.05 * f.e_max_raw


def test_sign_convention_with_a_field_along_the_outward_normal(spheres):
    _, _, normals = spheres.cortex("mid")
    f = cortical_field(
        spheres, 2.0 * normals, coil_name="none", pose=np.eye(4), didt_a_per_s=A_PER_US
    )
    # E along the outward normal points OUT of the cortex: E_n = -2 (positive is inward)
    np.testing.assert_allclose(f.normal_component, -2.0)
    np.testing.assert_allclose(f.tangential, 0.0, atol=1e-12)


def test_vertex_areas_sum_to_the_surface_area():
    v, t = icosphere(0.05, 3)
    areas = vertex_areas(v, t)
    assert areas.shape == (len(v),) and np.all(areas > 0)
    assert abs(areas.sum() - 4 * np.pi * 0.05**2) / (4 * np.pi * 0.05**2) < 0.02


def test_weighted_percentile():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert weighted_percentile(values, np.ones(4), 50) == 2.0
    assert weighted_percentile(values, np.ones(4), 100) == 4.0
    # a heavy small value pulls the percentile down
    assert weighted_percentile(values, np.array([97.0, 1, 1, 1]), 97) == 1.0
    assert weighted_percentile(values, np.array([97.0, 1, 1, 1]), 99.9) == 4.0
    with pytest.raises(InvalidValueError):
        weighted_percentile(values, np.ones(3), 50)
    with pytest.raises(InvalidValueError):
        weighted_percentile(values, np.ones(4), 101)


def test_summary_definitions_on_a_made_up_field(spheres):
    """|E| = z-height above the equator on the left shell: checks max, focality, target."""
    from tmslab.conductors.head import CorticalTarget

    vertices, _, _ = spheres.cortex("mid")
    e = np.zeros_like(vertices)
    e[:, 0] = np.clip(vertices[:, 2], 0, None)
    n_left = spheres.hemispheres["left"].mid.n_vertices
    e[n_left:] = 0.0
    top = int(np.argmax(e[:, 0]))
    target_index = int(np.argmin(np.linalg.norm(vertices[:n_left] - [0.06, 0, 0], axis=1)))
    target = CorticalTarget(
        "equator", vertices[target_index], np.array([1.0, 0, 0]), "left", target_index,
        target_index, vertices[target_index], 0.0,
    )  # fmt: skip
    f = cortical_field(
        spheres, e, coil_name="made-up", pose=np.eye(4), didt_a_per_s=2.0, target=target
    )
    assert f.hotspot_index == top and f.e_max_raw == pytest.approx(0.06)
    assert f.e_max <= f.e_max_raw and f.e_max > 0.9 * f.e_max_raw
    # |E| >= half the max where z >= 0.03 on the 60 mm sphere: a cap of area 2 pi R (R - z)
    cap = 2 * np.pi * 0.06 * (0.06 - 0.5 * f.e_max)
    assert f.focal_area(0.5) == pytest.approx(cap, rel=0.1)
    assert f.focal_area(0.75) < f.focal_area(0.5)
    assert f.e_target == pytest.approx(abs(e[target_index, 0]))
    assert f.hotspot_distance_m == pytest.approx(np.linalg.norm(f.hotspot - vertices[target_index]))
    d = json.loads(json.dumps(f.to_dict()))
    assert d["e_max_v_per_m"] == f.e_max and d["e_max_raw_v_per_m"] == f.e_max_raw
    assert d["area_above_50pct_cm2"] == pytest.approx(f.focal_area(0.5) * 1e4)
    assert d["e_target_v_per_m"] == f.e_target and d["target"] == "equator"
    assert "INTO the cortex" in d["normal_sign"]
    assert any("skull and scalp not modelled" in a for a in d["assumptions"])
    labels = [label for label, _ in f.rows()]
    assert "max |E| (99.9th pct, robust)" in labels and "|E| at target" in labels


def test_medial_wall_is_left_out_of_the_statistics():
    thin = sphere_model(right_thickness=0.5 * MM)  # the whole right 'hemisphere' is wall
    vertices, _, _ = thin.cortex("mid")
    n_left = thin.hemispheres["left"].mid.n_vertices
    e = np.zeros_like(vertices)
    e[:n_left, 0] = 1.0
    e[n_left:, 0] = 5.0  # large on the wall: ignored
    f = cortical_field(thin, e, coil_name="c", pose=np.eye(4), didt_a_per_s=1.0)
    assert f.cortex[:n_left].all() and not f.cortex[n_left:].any()
    assert f.e_max_raw == 1.0 and f.hotspot_hemisphere == "left"
    assert f.to_dict()["n_cortex_vertices"] == n_left


def test_field_shape_is_checked(spheres):
    with pytest.raises(InvalidValueError, match="shape"):
        cortical_field(spheres, np.zeros((3, 3)), coil_name="c", pose=np.eye(4), didt_a_per_s=1.0)


def test_a_coil_inside_the_head_is_refused(spheres):
    from tmslab.efield.head import check_coil_outside

    pose = pose_at(spheres, "Cz")
    pose[:3, 3] = [0, 0, 0.05]  # inside the brain
    with pytest.raises(InvalidValueError, match="inside"):
        check_coil_outside(spheres, get_coil(COIL).transformed(pose))
    check_coil_outside(spheres, get_coil(COIL).transformed(pose_at(spheres, "Cz")))


# --- fsaverage ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fsaverage():
    from tmslab.conductors.head import fsaverage_head

    return fsaverage_head()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(at="C33"), "unknown 10-05 position"),
        (dict(), "either --position"),
        (dict(at="C3", at_mni_m=[0, 0, 0.08]), "either --position"),
        (dict(at="C3", target="M1"), "unknown cortical target"),
        (dict(at="C3", target_mni_m=[0.02, 0, 0]), "from the cortex"),
        (dict(at="C3", target_mni_m=[0, 0, -0.05]), "outside the brain"),
        (dict(at="C3", target="M1-hand", target_label="C3"), "at most one"),
        (dict(at="C3", handle_angle_deg=45, handle_towards="Cz"), "not both"),
        (dict(at="C3", handle_towards="C3"), "at the coil position"),
        (dict(at="C3", didt_a_per_s=0.0), "--didt"),
        (dict(at="C3", distance_m=-0.001), "distance"),
        (dict(at="Cz", head=None, out="/proc/nothing/here"), "--out"),
    ],
)
def test_bad_options_fail_before_the_solve(fsaverage, kwargs, match):
    kwargs = {"head": fsaverage, **{k: v for k, v in kwargs.items() if k != "head"}}
    with pytest.raises(TmslabError, match=match):
        prepare_head_field(COIL, **kwargs)


def test_prepare_places_the_coil_and_the_target(fsaverage, tmp_path):
    setup = prepare_head_field(
        COIL, at="C3", handle_angle_deg=45, distance_m=4 * MM, target="M1-hand",
        head=fsaverage, out=tmp_path / "run",
    )  # fmt: skip
    np.testing.assert_allclose(setup.pose, pose_at(fsaverage, "C3", handle_angle_deg=45, distance_m=4 * MM))  # fmt: skip
    assert setup.target.name == "M1-hand" and setup.target.hemisphere == "left"
    assert "C3" in setup.placement and "45 deg" in setup.placement
    assert not (tmp_path / "run").exists()  # checked, not created
    mni = prepare_head_field(COIL, at_mni_m=[-0.037, -0.021, 0.058], head=fsaverage)
    centre = mni.pose[:3, 3]
    assert np.linalg.norm(centre - fsaverage.position("C3")) < 0.03  # M1 lies under C3


@pytest.mark.slow
def test_fsaverage_c3_field_on_the_cortex(fsaverage):
    """Figure-8 at C3, handle 45 degrees, 4 mm: here about 1.13 V/m per A/us (robust max),
    1.25 (largest vertex), 0.82 at M1-hand, hot spot 12 mm from it, 43 / 11 cm^2 above 50 / 75 %."""
    from tmslab.conductors.head import named_target

    pose = pose_at(fsaverage, "C3", handle_angle_deg=45, distance_m=4 * MM)
    target = named_target(fsaverage, "M1-hand")
    f = head_field(fsaverage, COIL, pose, target)
    assert isinstance(f, CorticalField) and f.efield.shape == (20484, 3)
    # Published peaks for a 70 mm figure-8 on the cortex: about 1-2 V/m per A/us (Thielscher &
    # Kammer 2004; Deng et al. 2013); see tests/conductors/head/test_head_field.py.
    assert 0.8 < f.e_max <= f.e_max_raw < 2.0
    assert f.hotspot_hemisphere == "left"
    assert f.hotspot_distance_m < 25 * MM
    assert 0.4 * f.e_max < f.e_target <= f.e_max_raw
    assert 1.0 < f.focal_area(0.75) * 1e4 < f.focal_area(0.5) * 1e4 < 150.0
    print({k: v for k, v in f.to_dict().items() if k.endswith(("m", "cm2", "_s"))})
