"""Inputs checked before the first stage runs, and the cortex map's budget-aware cell count."""

from __future__ import annotations

import pytest

from tmslab.neuron.aberra import MORPHOLOGY_ENV, MorphologyNotFoundError
from tmslab.scenario import scenario_from_mapping


def test_a_missing_morphology_fails_before_any_stage(monkeypatch, tmp_path):
    from tmslab.stages import run_scenario

    monkeypatch.setenv(MORPHOLOGY_ENV, str(tmp_path / "none"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "single"},
            "stimulator": {"intensity_didt_a_per_us": 100},
            "neurons": {"models": ["aberra-l5-pc"]},
        }
    )
    started = []
    with pytest.raises(MorphologyNotFoundError, match="fetch-cells") as error:
        run_scenario(scenario, on_stage=lambda index, title: started.append(title))
    assert started == []  # not even the protocol stage ran
    assert "\n" not in str(error.value)


def test_cells_within_budget_follows_the_time_limit(monkeypatch):
    from tmslab import budgets
    from tmslab.neuron.cortex import cells_within_budget
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import map_size

    model, drive = get_model("l5-pyramidal"), get_drive("magpro-x100:monophasic")
    per_cell = budgets.neuron_map(1, *map_size(model, drive)).seconds
    assert cells_within_budget(model, drive, 100) == 100  # the default limit holds 100 L5 cells
    monkeypatch.setenv(budgets.MINUTES_ENV, str(10.5 * per_cell / 60))
    assert cells_within_budget(model, drive, 100) == 10
    monkeypatch.setenv(budgets.MINUTES_ENV, str(0.1 * per_cell / 60))
    assert cells_within_budget(model, drive, 100) == 1  # the map then refuses, naming the budget
