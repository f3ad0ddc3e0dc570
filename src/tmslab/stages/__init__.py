"""The stages a scenario runs through, in order, and the runner :func:`run_scenario`.

A stage is ``(key, title, function)``; the function takes the validated
:class:`~tmslab.scenario.Scenario` and the sections computed so far and returns a
:class:`~tmslab.scenario.Section` (or None when it has nothing to say for this scenario). Stages
compute; each hands its typed value on in ``section.value`` and describes its figures as
:class:`~tmslab.scenario.FigureSpec` data; the report draws and lays out. Each stage's module is
imported only when the stage runs, so ``import tmslab.stages`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from tmslab.scenario import Scenario, ScenarioResult, Section

Stage = tuple[str, str, Callable[[Scenario, dict[str, Section]], Section | None]]


def _lazy(module: str, function: str):
    def stage(scenario: Scenario, done: dict[str, Section]) -> Section | None:
        return getattr(import_module(f"tmslab.stages.{module}"), function)(scenario, done)

    stage.__name__ = function
    return stage


STAGES: list[Stage] = [
    ("protocol", "Protocol", _lazy("protocol", "protocol_stage")),
    ("stimulator", "Stimulator and dose", _lazy("protocol", "stimulator_stage")),
    ("safety", "Safety", _lazy("protocol", "safety_stage")),
    ("field", "Coil and E-field", _lazy("field", "field_stage")),
    ("neurons", "Neurons at the target", _lazy("neurons", "neuron_stage")),
    ("plasticity", "Plasticity", _lazy("plasticity", "plasticity_stage")),
    ("evidence", "Evidence", _lazy("evidence", "evidence_stage")),
    ("compare", "Side by side", _lazy("compare", "compare_stage")),
]


# Checks of inputs only a layer's code can judge (a cell's morphology file), run before the first
# stage: a missing file fails in a second, not after the field solve.
CHECKS: list[tuple[str, str]] = [("neurons", "check_neuron_inputs")]


def run_scenario(
    scenario: Scenario, on_stage: Callable[[int, str], None] | None = None
) -> ScenarioResult:
    """Run every stage in order; ``on_stage(index, title)`` is called before each (progress bars).

    :data:`CHECKS` run first.
    """
    for module, function in CHECKS:
        getattr(import_module(f"tmslab.stages.{module}"), function)(scenario)
    sections: dict[str, Section] = {}
    for index, (key, title, stage) in enumerate(STAGES):
        if on_stage is not None:
            on_stage(index, title)
        section = stage(scenario, sections)
        if section is not None:  # a stage with nothing to say for this scenario returns None
            sections[key] = section
    return ScenarioResult(scenario=scenario, sections=sections)


def stage_count() -> int:
    """How many stages :func:`run_scenario` runs (progress bars add one for the report)."""
    return len(STAGES)
