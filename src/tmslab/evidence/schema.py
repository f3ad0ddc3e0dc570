"""The schema of a study record (pydantic): what the data files under ``data/evidence`` may say.

One :class:`Study` per study that a review tabulates or describes with parameters. The field
names follow the reporting items of Chipchase et al. 2012 (Clin Neurophysiol 123:1698-1704,
doi 10.1016/j.clinph.2012.05.003: subjects, coil type and size, intensity and how it was set,
frequency, pulses, trains, sessions) and the NIBS-BIDS draft's TMS fields, in snake_case with
SI units: frequencies in Hz, durations in s (course length in days), coil diameters in m.
Intensities are kept exactly as reported with their unit (``intensity_value`` +
``intensity_unit``); only T and mT have an SI form (:attr:`Arm.peak_field_t`).

A value the review does not give is missing (None); the validators refuse invented structure
(a number without a unit, a unit that needs a number without one, an outer coil diameter
smaller than the inner one) but never fill anything in.

A study has one or more *arms*: the conditions the review reports separately (two
intensities, two frequencies, an in-vivo and an in-vitro experiment). An arm inherits the
study's species, cell type, preparation and disease model unless it overrides them.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tmslab.evidence.vocabulary import (
    DISEASE_MODELS,
    INTENSITY_UNITS,
    MECHANISMS,
    NUMERIC_INTENSITY_UNITS,
    PATTERNS,
    PREPARATIONS,
    SPECIES,
    TESLA_PER_UNIT,
)

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1)]
Text = Annotated[str, Field(min_length=1)]


def _one_of(kind: str, value: str | None, allowed: dict[str, str]) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{kind} {value!r} is not one of: {', '.join(allowed)}")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SubjectVocabulary(_Model):
    """Checks the subject fields that arms and studies share against the vocabulary."""

    @field_validator("species", check_fields=False)
    @classmethod
    def _species(cls, value: str | None) -> str | None:
        return _one_of("species", value, SPECIES)

    @field_validator("preparation", check_fields=False)
    @classmethod
    def _preparation(cls, value: str | None) -> str | None:
        return _one_of("preparation", value, PREPARATIONS)

    @field_validator("disease_model", check_fields=False)
    @classmethod
    def _disease_model(cls, value: str | None) -> str | None:
        return _one_of("disease_model", value, DISEASE_MODELS)


class Location(_Model):
    """Where a review tabulates or describes the study.

    review: the review's key (see ``reviews.toml``); section: "Table 2", "text: glia", ...;
    row: the 1-based row of the table as printed (None in the text); ref: the review's reference
    number for the study; finding: the table's effect / main-finding cell, verbatim;
    effect: the table's "Effects of TMS" column (Positive / Negative), where it has one.
    """

    review: Text
    section: Text
    row: Count | None = None
    ref: Count
    finding: Text | None = None
    effect: Literal["positive", "negative"] | None = None

    @model_validator(mode="after")
    def _table_cells_only_in_tables(self) -> Location:
        if self.row is None and (self.finding is not None or self.effect is not None):
            raise ValueError("finding/effect are table cells: give them with the table row")
        return self


class Reference(_Model):
    """The study's bibliographic reference as a review's reference list gives it.

    doi: only from a review's reference list; None when the review gives none (never guessed).
    """

    authors: Text
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    title: Text | None = None
    journal: Text | None = None
    doi: str | None = None

    @field_validator("doi")
    @classmethod
    def _doi_shape(cls, value: str | None) -> str | None:
        if value is not None and not DOI_PATTERN.match(value):
            raise ValueError(
                f"doi {value!r} is not of the form 10.NNNN/suffix (no resolver prefix)"
            )
        return value

    @property
    def first_author(self) -> str:
        """Surname of the first author ("Cambiaghi")."""
        return re.split(r"[ ,.]", self.authors.strip(), maxsplit=1)[0]

    @property
    def short(self) -> str:
        """ "Cambiaghi et al. 2021" (year omitted when unknown; a single named group as given)."""
        year = f" {self.year}" if self.year else ""
        authors = self.authors.strip()
        if authors.endswith("et al.") and "," not in authors:
            return f"{authors}{year}"
        if "," in authors or "et al." in authors:
            return f"{self.first_author} et al.{year}"
        return f"{authors}{year}"


class Outcome(_Model):
    """One finding: what was measured, where, which way it moved, and how the review judges it.

    direction: increase | decrease | no_change (of the measure itself).
    positive: True when the review presents the change as a beneficial effect of stimulation
    (the tables' "Positive" rows, or the text's framing), False when detrimental, None when the
    review does not judge it. detail: numbers or time points as the review gives them.
    """

    measure: Text
    region: Text | None = None
    direction: Literal["increase", "decrease", "no_change"]
    positive: bool | None = None
    detail: Text | None = None


class Arm(_SubjectVocabulary):
    """One stimulation condition of a study, with its findings.

    frequency_hz: pulse (or, for theta burst, intra-burst) frequency as the review gives it, Hz.
    frequency_candidates_hz: alternatives the review gives without assigning them (a shared
    table row "6,67/10"); frequency_hz is then None. frequency_class: "high"/"low" when the
    review says only "high-frequency"/"low-frequency".
    train_duration_s, train_cycle_s (onset to onset), session_duration_s: seconds.
    duration_days: length of the course in days (converted from weeks/hours when so reported;
    duration_reported keeps the words).
    intensity_value + intensity_unit: as reported; intensity_class: the review's low/high label.
    """

    label: Text | None = None
    species: str | None = None
    cell_type: Text | None = None
    preparation: str | None = None
    disease_model: str | None = None
    pattern: str | None = None
    frequency_hz: PositiveFloat | None = None
    frequency_candidates_hz: tuple[PositiveFloat, ...] = ()
    frequency_class: Literal["low", "high"] | None = None
    frequency_reported: Text | None = None
    n_pulses: Count | None = None
    train_duration_s: PositiveFloat | None = None
    train_cycle_s: PositiveFloat | None = None
    session_duration_s: PositiveFloat | None = None
    sessions_per_day: Count | None = None
    n_sessions: Count | None = None
    duration_days: PositiveFloat | None = None
    duration_reported: Text | None = None
    intensity_reported: Text
    intensity_value: PositiveFloat | None = None
    intensity_unit: str
    intensity_class: Literal["low", "high"] | None = None
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    notes: Text | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return _one_of("pattern", value, PATTERNS)

    @field_validator("intensity_unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        return _one_of("intensity_unit", value, INTENSITY_UNITS)

    @model_validator(mode="after")
    def _consistent(self) -> Arm:
        if self.intensity_unit in NUMERIC_INTENSITY_UNITS and self.intensity_value is None:
            raise ValueError(f"intensity_unit {self.intensity_unit!r} needs an intensity_value")
        if self.intensity_unit not in NUMERIC_INTENSITY_UNITS and self.intensity_value is not None:
            raise ValueError(
                f"intensity_value {self.intensity_value} given with unit {self.intensity_unit!r}; "
                f"use one of {', '.join(sorted(NUMERIC_INTENSITY_UNITS))}"
            )
        if self.intensity_unit in ("%MSO",) and self.intensity_value is not None:
            if self.intensity_value > 100:
                raise ValueError(f"intensity_value {self.intensity_value} %MSO exceeds 100")
        if self.frequency_hz is not None and self.frequency_candidates_hz:
            raise ValueError("give frequency_hz or frequency_candidates_hz, not both")
        if len(self.frequency_candidates_hz) == 1:
            raise ValueError(
                "frequency_candidates_hz needs two or more values; else use frequency_hz"
            )
        if (
            self.train_duration_s is not None
            and self.train_cycle_s is not None
            and self.train_duration_s > self.train_cycle_s
        ):
            raise ValueError("train_duration_s is longer than train_cycle_s")
        return self

    @property
    def peak_field_t(self) -> float | None:
        """Reported peak magnetic flux density in tesla (T and mT only), else None."""
        factor = TESLA_PER_UNIT.get(self.intensity_unit)
        return (
            None
            if factor is None or self.intensity_value is None
            else self.intensity_value * factor
        )

    @property
    def frequencies_hz(self) -> tuple[float, ...]:
        """The frequency, or the unassigned candidates, or () when none is given; Hz."""
        if self.frequency_hz is not None:
            return (self.frequency_hz,)
        return self.frequency_candidates_hz


class Study(_SubjectVocabulary):
    """One study as the reviews present it: reference, where cited, subjects, coil, arms.

    target: the stimulated region, as reported. stimulator and pulse_waveform (Chipchase items
    "type of stimulator", "pulse shape") are needed to turn %MSO into dI/dt; neither review
    reports them, so they are None in every shipped record.
    Coil diameters are in metres; coil_reported keeps the review's words. ``related`` names
    other records that may be the same study (kept apart when the reviews do not establish it).
    """

    id: Text
    reference: Reference
    cited_in: tuple[Location, ...] = Field(min_length=1)
    species: str | None = None
    strain: Text | None = None
    cell_type: Text | None = None
    sex: Literal["male", "female", "mixed"] | None = None
    age: Text | None = None
    n_subjects: Count | None = None
    preparation: str | None = None
    disease_model: str | None = None
    target: Text | None = None
    stimulator: Text | None = None
    pulse_waveform: Literal["monophasic", "biphasic", "half-sine"] | None = None
    coil_type: Text | None = None
    coil_inner_diameter_m: PositiveFloat | None = None
    coil_outer_diameter_m: PositiveFloat | None = None
    coil_diameter_m: PositiveFloat | None = None
    coil_reported: Text | None = None
    mechanisms: tuple[str, ...] = ()
    arms: tuple[Arm, ...] = Field(min_length=1)
    related: tuple[str, ...] = ()
    notes: Text | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError(f"id {value!r} must be lower-case letters, digits and single hyphens")
        return value

    @field_validator("mechanisms")
    @classmethod
    def _mechanisms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tag in value:
            _one_of("mechanism", tag, MECHANISMS)
        if len(set(value)) != len(value):
            raise ValueError("mechanisms lists a tag twice")
        return value

    @model_validator(mode="after")
    def _coil_consistent(self) -> Study:
        inner, outer = self.coil_inner_diameter_m, self.coil_outer_diameter_m
        if inner is not None and outer is not None and inner >= outer:
            raise ValueError(
                f"coil_inner_diameter_m {inner} must be smaller than coil_outer_diameter_m {outer}"
            )
        if self.coil_diameter_m is not None and (inner is not None or outer is not None):
            raise ValueError("give coil_diameter_m or the inner/outer diameters, not both")
        locations = {(c.review, c.section, c.row, c.ref) for c in self.cited_in}
        if len(locations) != len(self.cited_in):
            raise ValueError("cited_in lists the same location twice")
        return self

    def resolved(self, arm: Arm, field: str) -> str | None:
        """The arm's value of species/cell_type/preparation/disease_model, else the study's."""
        value = getattr(arm, field)
        return getattr(self, field) if value is None else value

    @property
    def source(self):
        """A :class:`~tmslab.sources.Source` citing the study (and the review that reports it)."""
        from tmslab.sources import Source

        where = "; ".join(
            f"{c.review} {c.section}" + (f" row {c.row}" if c.row else "") + f" ref [{c.ref}]"
            for c in self.cited_in
        )
        title = f". {self.reference.title}" if self.reference.title else ""
        journal = f". {self.reference.journal}" if self.reference.journal else ""
        return Source(
            citation=f"{self.reference.authors} {self.reference.year or 'n.d.'}{title}{journal}",
            doi=self.reference.doi or "",
            note=f"as reported in {where}",
        )
