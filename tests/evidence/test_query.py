"""Queries on the evidence table and the nearest-study distance.

Expected rows are those of the reviews' tables: e.g. the antidepressant review's Table 1 lists
10 Hz rat studies Zhao et al. 2018 (CUMS, 50% RMT), Peng et al. 2017 (CUS, 10 Hz/0.84 and
1.26 T) and Kim et al. 2014 (CUMS, 1.4 T, "Changing metabolic patterns in the brain").
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.evidence import closest_studies, load_evidence, load_outcomes, query
from tmslab.evidence.nearest import (
    PREPARATION_PENALTY,
    SPECIES_PENALTY_OTHER,
    SPECIES_PENALTY_RODENTS,
    octave_distance,
)
from tmslab.evidence.table import ARM_COLUMNS, frame_records, parse_frequency

FRAME = load_evidence()


def test_one_row_per_arm_with_documented_columns():
    assert tuple(FRAME.columns) == ARM_COLUMNS
    assert len(FRAME) == 71 and FRAME["id"].nunique() == 53
    outcomes = load_outcomes()
    assert len(outcomes) == FRAME["n_outcomes"].sum()


def test_rat_10hz_positive():
    found = query(species="rat", frequency_hz=10, direction="positive", frame=FRAME)
    pairs = set(zip(found["id"], found["arm"], strict=True))
    # Kim 2014's GABA decrease is not judged by the review, so it is not "positive".
    assert pairs == {
        ("zhao2018", 1),
        ("peng2017", 3),
        ("peng2017", 4),
        ("guo2017", 1),
        ("deng2021", 1),
        ("peng2019", 1),
    }
    assert (query(species="rat", frequency_hz=10, frame=FRAME)["id"] == "kim2014").any()


def test_filters_by_model_preparation_and_mechanism():
    cums = query(disease_model="cums", frame=FRAME)
    assert set(cums["id"]) == {
        "tian2020",
        "zhao2018",
        "fang2018",
        "wang2014",
        "kim2014",
        "feng2012",
        "reviewteam-nd",
    }
    cultures = query(preparation="culture", frame=FRAME)
    assert set(cultures["preparation"]) == {"culture"}
    assert "cui2019" in set(cultures["id"])  # the neurosphere arm, not the in-vivo one
    assert list(query(preparation="in vivo", frame=FRAME)["preparation"].unique()) == ["in_vivo"]
    ecs = query(mechanism="endocannabinoid", frame=FRAME)
    assert set(ecs["id"]) == {"xue2019", "fang2018", "wang2014"}
    humans = query(species="humans", frame=FRAME)
    assert set(humans["preparation"]) == {"human", "culture"}  # patients, SH-SY5Y, iPSC neurons


def test_negative_direction_finds_the_detrimental_findings():
    neg = query(direction="negative", frame=FRAME)
    assert set(neg["id"]) == {"ma2015", "tang2021", "wang2019", "grehl2015", "langguth-nd"}


def test_frequency_candidates_and_ranges():
    # Table 2 row 7 "6,67/10": both studies match 10 Hz and 6.67 Hz, neither 8 Hz.
    ten = set(query(frequency_hz=10, frame=FRAME)["id"])
    assert {"rodger2012", "makowiecki2014"} <= ten
    assert {"rodger2012", "makowiecki2014"} <= set(query(frequency_hz=6.67, frame=FRAME)["id"])
    assert not {"rodger2012"} & set(query(frequency_hz=8, frame=FRAME)["id"])
    theta = query(frequency_hz=(300, 500), frame=FRAME)
    assert set(theta["id"]) == {"panja2009", "fujiki2020"}  # Table 2: 400 Hz
    assert set(query(frequency_hz="300:500", frame=FRAME)["id"]) == set(theta["id"])


@pytest.mark.parametrize(
    ("kwargs", "kind"),
    [
        ({"species": "dog"}, "species name"),
        ({"preparation": "petri"}, "preparation"),
        ({"disease_model": "flu"}, "disease model"),
        ({"mechanism": "magic"}, "mechanism"),
        ({"direction": "sideways"}, "direction"),
    ],
)
def test_unknown_words_list_the_allowed_ones(kwargs, kind):
    with pytest.raises(UnknownNameError) as error:
        query(frame=FRAME, **kwargs)
    assert str(error.value).startswith(f"unknown {kind}")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("bad", ["ten", "0", "-3", "20:5", "1:2:3", (5,), float("nan")])
def test_bad_frequencies(bad):
    with pytest.raises(InvalidValueError):
        parse_frequency(bad)


@settings(max_examples=40, deadline=None)
@given(
    species=st.sampled_from([None, "mouse", "rat", "human"]),
    preparation=st.sampled_from([None, "in_vivo", "culture", "human"]),
    direction=st.sampled_from([None, "increase", "decrease", "no_change", "positive", "negative"]),
)
def test_queries_return_exactly_the_matching_arms(species, preparation, direction):
    found = query(species=species, preparation=preparation, direction=direction, frame=FRAME)
    for _, row in found.iterrows():
        assert species is None or row["species"] == species
        assert preparation is None or row["preparation"] == preparation
    # more filters never give more rows
    assert len(found) <= len(query(species=species, frame=FRAME))
    records = frame_records(found)
    assert all(r["frequency_hz"] is None or isinstance(r["frequency_hz"], float) for r in records)


# ---------------------------------------------------------------- nearest studies
@settings(max_examples=50, deadline=None)
@given(f=st.floats(0.1, 500), k=st.integers(-4, 4))
def test_octave_distance_counts_doublings(f, k):
    assert math.isclose(octave_distance(np.array([f * 2.0**k]), f)[0], abs(k), abs_tol=1e-9)


def test_closest_studies_distance_definition():
    near = closest_studies(10, species="rat", preparation="in_vivo", n=80, frame=FRAME)
    assert list(near.columns[:4]) == [
        "distance",
        "frequency_octaves",
        "species_penalty",
        "preparation_penalty",
    ]
    assert np.all(np.diff(near["distance"].to_numpy()) >= 0)
    np.testing.assert_allclose(
        near["distance"],
        near["frequency_octaves"] + near["species_penalty"] + near["preparation_penalty"],
    )
    first = near.iloc[0]
    assert first["distance"] == 0 and first["frequency_hz"] == 10 and first["species"] == "rat"
    # Cui 2019's in-vivo arm: 10 Hz in mice, so only the rodent-to-rodent penalty
    cui = near[(near["id"] == "cui2019") & (near["arm"] == 1)].iloc[0]
    assert math.isclose(cui["distance"], SPECIES_PENALTY_RODENTS)
    # human patients at 20 Hz: one octave + species + preparation penalties
    lang = near[near["id"] == "langguth-nd"].iloc[0]
    assert math.isclose(lang["distance"], 1 + SPECIES_PENALTY_OTHER + PREPARATION_PENALTY)
    # arms without a numeric frequency have no distance
    assert not near["id"].isin(["liu2015", "roque2021", "thomson2020"]).any()
    # an ambiguous "6,67/10" arm is as close as its nearest candidate
    rod = near[near["id"] == "rodger2012"].iloc[0]
    assert rod["frequency_octaves"] == 0


def test_closest_studies_pattern_criterion():
    """iTBS query: iTBS arms without a stated frequency count as 0 octaves; other patterns pay 2."""
    near = closest_studies(
        50, species="human", preparation="culture", pattern="iTBS", n=80, frame=FRAME
    )
    np.testing.assert_allclose(
        near["distance"],
        near["frequency_octaves"]
        + near["species_penalty"]
        + near["preparation_penalty"]
        + near["pattern_penalty"],
    )
    thomson = near[near["id"] == "thomson2020"]
    assert len(thomson) and np.all(thomson["distance"] == 0)  # human iTBS culture, no Hz given
    rtms = near[near["pattern"] == "rTMS"]
    assert np.all(rtms["pattern_penalty"] == 2.0)
    # for rTMS, an arm without a numeric frequency still has no distance
    plain = closest_studies(10, pattern="rTMS", n=80, frame=FRAME)
    assert not plain["id"].isin(["liu2015", "roque2021"]).any()


def test_closest_studies_bad_input():
    with pytest.raises(InvalidValueError):
        closest_studies(0, frame=FRAME)
    with pytest.raises(InvalidValueError):
        closest_studies(10, n=0, frame=FRAME)
    with pytest.raises(UnknownNameError):
        closest_studies(10, species="cat", frame=FRAME)
    assert len(closest_studies(10, n=3, frame=FRAME)) == 3


def test_importing_the_package_is_light():
    import subprocess
    import sys

    code = (
        "import sys, tmslab.evidence; "
        "heavy = [m for m in ('pandas', 'networkx', 'matplotlib', 'pydantic', 'tmslab.evidence.meta') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
