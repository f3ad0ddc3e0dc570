"""The record schema and the data-file reader: every record validates, and bad files fail in one line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tmslab.errors import SpecFileError
from tmslab.evidence.schema import Arm, Reference, Study
from tmslab.evidence.store import build_base, default_base, load_base, study_file_texts
from tmslab.evidence.vocabulary import INTENSITY_UNITS, NUMERIC_INTENSITY_UNITS

GOOD = """
schema_version = 1
review = "krasilnikova2024"

[[study]]
id = "example2020"
species = "rat"
preparation = "in_vivo"
cited_in = [{ section = "text: glia", ref = 91 }]
[study.reference]
authors = "Example A., Other B."
year = 2020
[[study.arm]]
frequency_hz = 10
intensity_reported = "1.2 T"
intensity_value = 1.2
intensity_unit = "T"
[[study.arm.outcome]]
measure = "GFAP expression"
direction = "increase"
"""


def _build(text: str, name: str = "custom.toml"):
    return build_base([(name, text)])


def test_every_shipped_record_validates_and_round_trips():
    base = default_base()
    for study in base.studies:
        again = Study.model_validate(study.model_dump())
        assert again == study
        assert study.source.citation.startswith(study.reference.authors)
        assert study.source.doi == (study.reference.doi or "")


def test_a_good_custom_file_loads(tmp_path):
    path = tmp_path / "custom.toml"
    path.write_text(GOOD, encoding="utf-8")
    base = load_base([path])
    (study,) = base.studies
    assert study.arms[0].peak_field_t == 1.2
    assert study.cited_in[0].review == "krasilnikova2024"  # filled in from the file header


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('species = "rat"', 'species = "dog"'), "species 'dog' is not one of"),
        (('direction = "increase"', 'direction = "up"'), "direction"),
        (('intensity_unit = "T"', 'intensity_unit = "gauss"'), "intensity_unit 'gauss'"),
        (("intensity_value = 1.2\n", ""), "needs an intensity_value"),
        (("ref = 91", "ref = 140"), "beyond the 98 references"),
        (("schema_version = 1", "schema_version = 2"), "schema_version = 2"),
        (('review = "krasilnikova2024"', 'review = "nature2020"'), "review = 'nature2020'"),
        (("frequency_hz = 10", "frequency_hz = -10"), "greater than 0"),
        (('id = "example2020"', 'id = "Example 2020"'), "lower-case"),
        (("[[study.arm.outcome]]", "[[study.arm.outcom]]"), "outcomes"),
        (("year = 2020", 'year = 2020\ndoi = "https://doi.org/10.1/x"'), "10.NNNN/suffix"),
    ],
)
def test_malformed_records_give_one_line_naming_file_and_record(change, fragment):
    old, new = change
    text = GOOD.replace(old, new)
    assert text != GOOD
    with pytest.raises(SpecFileError) as error:
        _build(text)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("custom.toml")
    assert fragment in message


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(SpecFileError, match="not valid TOML"):
        _build("schema_version = 1\n[[study]\n")
    with pytest.raises(SpecFileError, match="not found"):
        load_base([tmp_path / "nope.toml"])


def test_duplicate_ids_and_unknown_related_ids_are_refused():
    with pytest.raises(SpecFileError, match="already used"):
        build_base([("a.toml", GOOD), ("b.toml", GOOD)])
    with pytest.raises(SpecFileError, match="related id 'ghost2000'"):
        _build(
            GOOD.replace(
                'preparation = "in_vivo"', 'preparation = "in_vivo"\nrelated = ["ghost2000"]'
            )
        )


def test_shipped_files_load_one_by_one():
    # each shipped file is self-contained apart from cross-file 'related' links
    names = [name for name, _ in study_file_texts()]
    assert len(names) == 5
    assert len(build_base(study_file_texts()).studies) == 53


BASE_ARM = {"intensity_reported": "x", "outcomes": [{"measure": "m", "direction": "increase"}]}


@settings(max_examples=60, deadline=None)
@given(
    unit=st.sampled_from(sorted(INTENSITY_UNITS)), value=st.one_of(st.none(), st.floats(0.01, 99))
)
def test_intensity_number_iff_numeric_unit(unit, value):
    fields = {**BASE_ARM, "intensity_unit": unit, "intensity_value": value}
    ok = (unit in NUMERIC_INTENSITY_UNITS) == (value is not None)
    if ok:
        arm = Arm.model_validate(fields)
        expected = {"T": value, "mT": None if value is None else value * 1e-3}.get(unit)
        assert arm.peak_field_t == expected
    else:
        with pytest.raises(ValidationError):
            Arm.model_validate(fields)


@settings(max_examples=40, deadline=None)
@given(inner=st.floats(0.001, 0.2), outer=st.floats(0.001, 0.2))
def test_coil_inner_must_be_smaller_than_outer(inner, outer):
    fields = {
        "id": "x2020",
        "reference": {"authors": "X"},
        "cited_in": [{"review": "krasilnikova2024", "section": "s", "ref": 1}],
        "arms": [{**BASE_ARM, "intensity_unit": "not specified"}],
        "coil_inner_diameter_m": inner,
        "coil_outer_diameter_m": outer,
    }
    if inner < outer:
        assert Study.model_validate(fields).coil_outer_diameter_m == outer
    else:
        with pytest.raises(ValidationError):
            Study.model_validate(fields)


def test_candidates_exclude_a_single_frequency():
    with pytest.raises(ValidationError, match="not both"):
        Arm.model_validate(
            {
                **BASE_ARM,
                "intensity_unit": "not specified",
                "frequency_hz": 10,
                "frequency_candidates_hz": [6.67, 10],
            }
        )
    with pytest.raises(ValidationError, match="two or more"):
        Arm.model_validate(
            {**BASE_ARM, "intensity_unit": "not specified", "frequency_candidates_hz": [10]}
        )


def test_reference_short_forms():
    assert (
        Reference(authors="Cambiaghi M., Cherchi L., Masin L. et al.", year=2021).short
        == "Cambiaghi et al. 2021"
    )
    assert Reference(authors="Tian et al.", year=2020).short == "Tian et al. 2020"
    assert Reference(authors="Langguth et al.").short == "Langguth et al."
    assert Reference(authors="Müller M.B., Toschi N.", year=2000).first_author == "Müller"
