"""The stages a scenario runs through, in order. Each layer adds its own stage here.

A stage is ``(key, title, function)``; the function takes the validated
:class:`~tmslab.scenario.Scenario` and the sections computed so far and returns a
:class:`~tmslab.scenario.Section`. Stages compute; the report draws and lays out. Each stage's
module is imported only when the stage runs, so ``import tmslab.scenario`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module

from tmslab.scenario import Scenario, Section, Stage


def _lazy(module: str, function: str):
    def stage(scenario: Scenario, done: dict[str, Section]) -> Section:
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
