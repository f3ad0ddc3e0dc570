"""Issue 21.1: target names match exactly (case and punctuation aside), never by substring.

Before: "left primary motor cortex (hand knob)" contained "cortex" and resolved to the brain
surface (0 mm) instead of motor-cortex-hand (1.5 mm, data/heads.toml).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmslab.conductors.sphere import get_head, list_heads, normalise_target_name
from tmslab.errors import InvalidValueError, TmslabError, UnknownNameError
from tmslab.scenario import load_scenario, scenario_from_mapping
from tmslab.stages.field import _target_depth

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_itbs_example_resolves_to_the_hand_knob_at_1_5_mm():
    scenario = load_scenario(EXAMPLES / "itbs-motor-cortex.toml")
    name, depth = _target_depth(scenario, get_head("human"))
    assert name == "motor-cortex-hand"
    assert depth == pytest.approx(1.5e-3)


@pytest.mark.parametrize(
    "text",
    ["motor-cortex-hand", "Motor Cortex Hand", "motor_cortex_hand", "(motor) cortex-HAND"],
)
def test_case_spaces_hyphens_underscores_parentheses_aside(text):
    assert get_head("human").find_target(text) == "motor-cortex-hand"


@pytest.mark.parametrize(
    ("head", "alias", "key"),
    [
        ("human", "primary motor cortex (hand knob)", "motor-cortex-hand"),
        ("human", "M1 hand", "motor-cortex-hand"),
        ("human", "dorsolateral prefrontal cortex", "dorsolateral-prefrontal-cortex"),
        ("rat", "CA1", "hippocampus-ca1"),
        ("mouse", "primary motor cortex", "motor-cortex"),
    ],
)
def test_aliases(head, alias, key):
    assert get_head(head).find_target(alias) == key


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("left primary motor cortex (hand knob)", "motor-cortex-hand"),
        ("motor cortex", "motor-cortex-hand"),
    ],
)
def test_near_miss_is_refused_with_a_suggestion(text, hint):
    with pytest.raises(UnknownNameError) as error:
        get_head("human").find_target(text)
    assert str(error.value) == f"unknown target {text!r}; did you mean {hint!r}?"


def test_far_miss_lists_the_targets():
    with pytest.raises(UnknownNameError, match="the human head knows cortex, motor-cortex-hand"):
        get_head("human").find_target("hippocampus")


def _scenario(target: dict, subject: dict | None = None) -> dict:
    return {
        "protocol": {"preset": "itbs"},
        "subject": subject or {"species": "human"},
        "target": target,
    }


def test_unknown_target_fails_at_load_before_any_stage():
    with pytest.raises(UnknownNameError, match=r"\[target\] unknown target 'hand'"):
        scenario_from_mapping(_scenario({"name": "hand"}))


def test_target_name_for_a_dish_is_refused():
    with pytest.raises(InvalidValueError, match="needs a head subject"):
        scenario_from_mapping(_scenario({"name": "cortex"}, {"species": "dish"}))


def test_depth_needs_no_name():
    scenario_from_mapping(_scenario({"depth_mm": 2.0}))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_target_resolves(path):
    load_scenario(path)


_SEPARATORS = st.sampled_from([" ", "-", "_", "  ", " (", ") "])


@given(
    head=st.sampled_from(list_heads()),
    data=st.data(),
)
def test_any_spelling_of_a_name_or_alias_finds_its_target(head, data):
    h = get_head(head)
    names = [(k, k) for k in h.targets_m] + [
        (a, k) for k, aliases in h.target_aliases.items() for a in aliases
    ]
    text, key = data.draw(st.sampled_from(names))
    words = normalise_target_name(text).split()
    seps = data.draw(st.lists(_SEPARATORS, min_size=len(words), max_size=len(words)))
    spelled = "".join(
        (w.upper() if data.draw(st.booleans()) else w) + s for w, s in zip(words, seps, strict=True)
    )
    assert h.find_target(spelled) == key


@given(head=st.sampled_from(list_heads()), text=st.text(max_size=40))
def test_a_name_resolves_only_to_its_exact_match(head, text):
    h = get_head(head)
    known = {normalise_target_name(k): k for k in h.targets_m}
    known.update(
        {normalise_target_name(a): k for k, aliases in h.target_aliases.items() for a in aliases}
    )
    try:
        key = h.find_target(text)
    except TmslabError as error:
        assert normalise_target_name(text) not in known
        assert "\n" not in str(error)
    else:
        assert known[normalise_target_name(text)] == key
