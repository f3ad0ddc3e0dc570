"""The cortex figure: views, back faces, marks, colour bars (its speed: benchmarks, never a test)."""

from __future__ import annotations

import numpy as np

from tmslab.conductors.meshing import icosphere
from tmslab.viz.cortex import plot_cortical_field, project_view


def test_project_view_keeps_the_near_half_of_a_sphere_far_to_near():
    v, t = icosphere(0.05, 3)
    for view, towards in (("left", [-1, 0, 0]), ("right", [1, 0, 0]), ("top", [0, 0, 1])):
        polygons, order = project_view(v, t, view)
        assert polygons.shape == (len(order), 3, 2)
        assert 0.45 < len(order) / len(t) < 0.55
        depth = v[t[order]].mean(axis=1) @ np.array(towards, float)
        assert np.all(depth > -1e-3) and np.all(np.diff(depth) >= 0)  # farthest first
        assert np.abs(polygons).max() <= 50.0 + 1e-9  # mm


def test_figure_of_a_sphere_head_field():
    from tests.efield.test_head import sphere_model
    from tmslab.conductors.head import CorticalTarget
    from tmslab.efield.head import cortical_field

    head = sphere_model()
    vertices, _, normals = head.cortex("mid")
    e = np.cross(normals, [0.0, 0.0, 1.0]) * np.clip(vertices[:, 2:3], 0, None) * 10
    e += 0.1 * normals  # a small normal part
    k = 5
    target = CorticalTarget("t", vertices[k], normals[k], "left", k, k, vertices[k], 0.0)
    f = cortical_field(head, e, coil_name="c", pose=np.eye(4), didt_a_per_s=1e6, target=target)
    fig = plot_cortical_field(f)
    fig.canvas.draw()
    axes = fig.get_axes()
    assert len(axes) == 6  # 4 panels + 2 colour bars
    assert "V/m per A/µs" in axes[4].get_ylabel() and "into cortex" in axes[5].get_ylabel()
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert labels == ["hot spot", "target"]
    assert "99.9th pct" in fig._suptitle.get_text()
