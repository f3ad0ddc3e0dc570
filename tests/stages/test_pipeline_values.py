"""The scenario chain's wiring: runner in tmslab.stages, typed values, figures as data for viz."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import tmslab
from tmslab.errors import TmslabError

SRC = Path(tmslab.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every tmslab module a file imports (module level, in functions, under TYPE_CHECKING)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("tmslab")}


@pytest.mark.parametrize(
    ("files", "forbidden"),
    [
        (["scenario.py"], ("tmslab.stages", "tmslab.viz", "tmslab.report")),
        (["stages"], ("tmslab.viz", "tmslab.report")),
        (["neuron", "plasticity"], ("tmslab.scenario", "tmslab.stages", "tmslab.viz")),
        (["protocols"], ("tmslab.viz", "tmslab.scenario")),
        (["viz"], ("tmslab.sweeps", "tmslab.stages", "tmslab.scenario", "tmslab.report")),
    ],
)
def test_the_chain_imports_only_downwards(files, forbidden):
    paths = [p for name in files for p in sorted((SRC / name).rglob("*.py")) or [SRC / name]]
    for path in paths:
        bad = sorted(i for i in _imports(path) if i.startswith(forbidden))
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"


def test_the_runner_lives_in_stages_and_the_old_names_warn():
    import tmslab.scenario
    import tmslab.stages

    with pytest.warns(DeprecationWarning, match="tmslab.stages.run_scenario"):
        old = tmslab.scenario.run_scenario
    assert old is tmslab.stages.run_scenario
    with pytest.warns(DeprecationWarning):
        assert tmslab.scenario.stage_count() == len(tmslab.stages.STAGES)
    assert tmslab.run_scenario is tmslab.stages.run_scenario
    assert tmslab.load_scenario is tmslab.scenario.load_scenario
    with pytest.raises(AttributeError):
        tmslab.scenario.no_such_name  # noqa: B018


def test_every_named_figure_is_a_viz_function():
    from tmslab import viz

    for name in viz.FIGURES:
        assert callable(getattr(viz, name)), name
    with pytest.raises(AttributeError):
        viz.plot_nothing  # noqa: B018


def test_protocol_stage_returns_figure_data_the_report_draws():
    import matplotlib.pyplot as plt

    from tmslab import viz
    from tmslab.scenario import FigureSpec, scenario_from_mapping
    from tmslab.stages.protocol import protocol_stage

    scenario = scenario_from_mapping({"protocol": {"preset": "itbs"}})
    section = protocol_stage(scenario, {})
    (spec,) = section.figures
    assert isinstance(spec, FigureSpec) and spec.plot in viz.FIGURES
    fig = viz.draw(spec)
    assert fig.axes
    plt.close(fig)


def test_field_solution_scales_per_didt_and_refuses_without_a_didt():
    from tmslab.efield.solution import FieldSolution

    def per_didt(points):
        return np.asarray(points, float) * 1e-6

    common = dict(
        efield_per_didt=per_didt,
        target_point_m=np.zeros(3),
        layer_normal=np.array([0.0, 0.0, 1.0]),
        radial_layer=True,
        inside=lambda p: np.ones(len(p), bool),
        conductor="test",
    )
    points = np.array([[1.0, 2.0, 3.0]])
    solution = FieldSolution(didt_a_per_s=2e6, **common)
    np.testing.assert_allclose(solution.efield(points), points * 2.0)
    assert solution.applied
    none = FieldSolution(didt_a_per_s=None, no_didt_reason="no intensity", **common)
    assert not none.applied
    with pytest.raises(TmslabError, match="no intensity"):
        none.efield(points)
