"""The comparison stage: another scenario run next to this one (``[compare] scenario = FILE``).

The typical use is translation: a rodent experiment next to the human protocol it models. The
table lines up dose, field, focality, activation and plasticity; the intensity that would give
the other setup this scenario's |E| at its target follows from the linearity of the field in dI/dt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tmslab.errors import SpecFileError
from tmslab.scenario import Scenario, ScenarioResult, Section
from tmslab.units import A_PER_US, CM2_PER_M2, CM3_PER_M3, MM_PER_M


def _other(scenario: Scenario) -> Scenario:
    from tmslab.scenario import load_scenario

    base = scenario.path.parent if scenario.path is not None else Path.cwd()
    path = base / scenario.spec.compare.scenario
    if not path.is_file():
        raise SpecFileError(
            f"[compare] scenario {scenario.spec.compare.scenario!r}: no file {path}; give a "
            "scenario file path relative to this scenario file"
        )
    other = load_scenario(path)
    other.spec = other.spec.model_copy(update={"compare": None})  # no chains of comparisons
    return other


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _quantities(result: ScenarioResult) -> dict[str, Any]:
    s = {key: section.data for key, section in result.sections.items()}
    neurons = _get(s, "neurons", "models") or []
    return {
        "subject": result.scenario.spec.subject.species,
        "protocol": _get(s, "protocol", "name"),
        "pulses_per_session": _get(s, "protocol", "n_pulses"),
        "pulses_over_course": _get(s, "protocol", "total_pulses"),
        "didt_a_per_s": _get(s, "field", "didt_a_per_s"),
        "target": _get(s, "field", "target", "name"),
        "target_efield_v_per_m": _get(s, "field", "target", "efield_v_per_m"),
        "emax_v_per_m": _get(s, "field", "metrics", "emax"),
        "d_half_m": _get(s, "field", "metrics", "d_half"),
        "s_half_m2": _get(s, "field", "metrics", "s_half"),
        "v_half_m3": _get(s, "field", "metrics", "v_half"),
        "cells_firing": [r["model"] for r in neurons if r["fires"]],
        "relative_weight": _get(s, "plasticity", "relative_weight"),
        "plasticity_verdict": _get(s, "plasticity", "verdict"),
    }


def _fmt(value: Any, scale: float = 1.0, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value * scale:.4g}{(' ' + unit) if unit else ''}"
    return str(value)


ROWS = (
    ("subject", "subject", 1.0, ""),
    ("protocol", "protocol", 1.0, ""),
    ("pulses per session", "pulses_per_session", 1.0, ""),
    ("pulses over the course", "pulses_over_course", 1.0, ""),
    ("peak dI/dt", "didt_a_per_s", 1 / A_PER_US, "A/µs"),
    ("target", "target", 1.0, ""),
    ("|E| at the target", "target_efield_v_per_m", 1.0, "V/m"),
    ("E_max", "emax_v_per_m", 1.0, "V/m"),
    ("d_1/2", "d_half_m", MM_PER_M, "mm"),
    ("S_1/2", "s_half_m2", CM2_PER_M2, "cm^2"),
    ("V_1/2", "v_half_m3", CM3_PER_M3, "cm^3"),
    ("cell models firing", "cells_firing", 1.0, ""),
    ("relative synaptic strength", "relative_weight", 1.0, ""),
    ("plasticity verdict", "plasticity_verdict", 1.0, ""),
)


def compare_stage(scenario: Scenario, done: dict[str, Section]) -> Section | None:
    """This scenario and ``[compare] scenario`` side by side; None when there is none."""
    from tmslab.protocols.dose import pct_mso_of
    from tmslab.stages import run_scenario

    if scenario.spec.compare is None:
        return None
    other_scenario = _other(scenario)
    other = run_scenario(other_scenario)
    this = _quantities(ScenarioResult(scenario, done))
    that = _quantities(other)
    name = other_scenario.spec.name
    rows = [
        (label, f"{_fmt(this[key], scale, unit)}  |  {_fmt(that[key], scale, unit)}")
        for label, key, scale, unit in ROWS
    ]
    data: dict[str, Any] = {"this": this, "other": that, "other_name": name}
    e_this, e_that = this["target_efield_v_per_m"], that["target_efield_v_per_m"]
    notes = [f"Left: this scenario ({scenario.spec.name}). Right: {name}."]
    if e_this and e_that and that["didt_a_per_s"]:
        matched = that["didt_a_per_s"] * e_this / e_that
        data["other_matched_didt_a_per_s"] = matched
        text = f"{matched / A_PER_US:.4g} A/µs"
        didt_max = other.sections["stimulator"].value.didt_max_a_per_s
        if didt_max:
            # unchecked: the matched intensity may be out of the other stimulator's reach
            pct = pct_mso_of(matched, didt_max)
            data["other_matched_pct_mso"] = pct
            text += f" ({pct:.3g} % MSO)"
        # The other scenario's name is a sentence of its own: keep it out of the label.
        rows.append(
            ("intensity at which the right-hand scenario gives this |E| at its target", text)
        )
        if this["d_half_m"] and that["d_half_m"]:
            notes.append(
                f"At matched |E| the field of {name} reaches {that['d_half_m'] / this['d_half_m']:.3g} "
                f"times as deep (d_1/2) and spreads over {that['s_half_m2'] / this['s_half_m2']:.3g} "
                "times the surface (S_1/2): the same number of V/m is not the same stimulation."
            )
    return Section(title=f"Side by side with {name}", data=data, rows=rows, notes=notes)
