"""Reading the evidence base: versioned TOML data files -> validated :class:`Study` records.

The shipped files live in ``tmslab/data/evidence/``: ``reviews.toml`` (the two reviews and the
references that are not records), one file per review table or text section holding
``[[study]]`` tables, and ``mechanisms.toml`` (the mechanism graph, read by
:mod:`tmslab.evidence.graph`). Every file carries ``schema_version``; a file of another version,
a malformed file or an invalid record raises :class:`~tmslab.errors.SpecFileError` naming the
file and the record, in one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tmslab.errors import SpecFileError, UnknownNameError, pydantic_message
from tmslab.evidence.schema import SCHEMA_VERSION, Study
from tmslab.io.toml import parse_toml_text

DATA_DIR = "data/evidence"
REVIEWS_FILE = "reviews.toml"
MECHANISMS_FILE = "mechanisms.toml"


@dataclass(frozen=True)
class Review:
    """A review the records are read from. n_references: the highest valid reference number."""

    key: str
    citation: str
    doi: str
    n_references: int
    seed: str
    note: str = ""


@dataclass(frozen=True)
class Exclusion:
    """References of a reviewed section that are deliberately not records, and why."""

    review: str
    refs: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class EvidenceBase:
    """All records with the reviews they come from; ``files`` maps each record id to its file."""

    studies: tuple[Study, ...]
    reviews: dict[str, Review]
    exclusions: tuple[Exclusion, ...]
    files: dict[str, str]

    def get(self, study_id: str) -> Study:
        """The record with this id (case-insensitive); UnknownNameError lists the ids."""
        wanted = study_id.strip().lower()
        for study in self.studies:
            if study.id == wanted:
                return study
        raise UnknownNameError("study", study_id, [s.id for s in self.studies])

    def ids(self) -> list[str]:
        return [s.id for s in self.studies]


def shipped_files() -> list[tuple[str, str]]:
    """(name, text) of every shipped TOML file under data/evidence, sorted by name."""
    folder = resources.files("tmslab").joinpath(DATA_DIR)
    found = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    ]
    return sorted(found)


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """Parse TOML text of the file ``name``; malformed text raises SpecFileError (one line)."""
    data = parse_toml_text(text, name)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SpecFileError(
            f"{name}: schema_version = {version!r}; this tmslab reads schema_version = {SCHEMA_VERSION}"
        )
    return data


def read_text(path: str | Path) -> str:
    """A data file's text; a missing or unreadable file raises SpecFileError."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(f"evidence file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecFileError(f"cannot read {path}: {error}") from None


def parse_reviews(
    data: dict[str, Any], name: str
) -> tuple[dict[str, Review], tuple[Exclusion, ...]]:
    """Reviews and exclusions from a parsed ``reviews.toml``."""
    try:
        reviews = {
            key: Review(key=key, **fields) for key, fields in dict(data.get("review", {})).items()
        }
        exclusions = tuple(
            Exclusion(review=e["review"], refs=tuple(e["refs"]), reason=e["reason"])
            for e in data.get("excluded", [])
        )
    except (TypeError, KeyError) as error:
        raise SpecFileError(f"{name}: malformed review or excluded table ({error})") from None
    for exclusion in exclusions:
        if exclusion.review not in reviews:
            raise SpecFileError(f"{name}: excluded refs name unknown review {exclusion.review!r}")
    if not reviews:
        raise SpecFileError(f"{name}: no [review.KEY] tables")
    return reviews, exclusions


def _record_mapping(raw: Any, review: str, name: str, index: int) -> dict[str, Any]:
    """A [[study]] table reshaped for the schema: arm -> arms, outcome -> outcomes, review filled in."""
    if not isinstance(raw, dict):
        raise SpecFileError(f"{name}: study #{index + 1} is not a table")
    record = dict(raw)
    arms = []
    for arm in record.pop("arm", []):
        if not isinstance(arm, dict):
            raise SpecFileError(
                f"{name}: study {record.get('id', index + 1)!r}: arm is not a table"
            )
        arm = dict(arm)
        arm["outcomes"] = arm.pop("outcome", [])
        arms.append(arm)
    record["arms"] = arms
    cited = []
    for location in record.get("cited_in", []):
        if isinstance(location, dict):
            location = {"review": review, **location}
        cited.append(location)
    record["cited_in"] = cited
    return record


def parse_studies(data: dict[str, Any], name: str, reviews: dict[str, Review]) -> list[Study]:
    """Validated studies from one parsed study file (``review`` + ``[[study]]`` tables)."""
    review = data.get("review")
    if review not in reviews:
        raise SpecFileError(
            f"{name}: review = {review!r} is not one of: {', '.join(sorted(reviews))}"
        )
    raw_studies = data.get("study")
    if not isinstance(raw_studies, list) or not raw_studies:
        raise SpecFileError(f"{name}: no [[study]] tables")
    studies = []
    for index, raw in enumerate(raw_studies):
        record = _record_mapping(raw, review, name, index)
        label = record.get("id", f"#{index + 1}")
        try:
            study = Study.model_validate(record)
        except ValidationError as error:
            raise SpecFileError(f"{name}: study {label}: {pydantic_message(error)}") from None
        for location in study.cited_in:
            known = reviews.get(location.review)
            if known is None:
                raise SpecFileError(
                    f"{name}: study {study.id}: cited_in names unknown review {location.review!r}"
                )
            if location.ref > known.n_references:
                raise SpecFileError(
                    f"{name}: study {study.id}: ref [{location.ref}] is beyond the "
                    f"{known.n_references} references of {location.review}"
                )
        studies.append(study)
    return studies


def build_base(
    files: Iterable[tuple[str, str]],
    reviews_text: tuple[str, str] | None = None,
    known_ids: Iterable[str] = (),
) -> EvidenceBase:
    """An EvidenceBase from (name, text) pairs of study files and of the reviews file.

    Cross-file checks: ids are unique and every ``related`` id is a record of these files or
    one of ``known_ids`` (e.g. the shipped records, when checking a single new file).
    """
    if reviews_text is None:
        reviews_text = next((f for f in shipped_files() if f[0] == REVIEWS_FILE), None)
        if reviews_text is None:  # pragma: no cover - the package ships it
            raise SpecFileError(f"{REVIEWS_FILE} is missing from the package data")
    reviews, exclusions = parse_reviews(
        parse_toml(reviews_text[1], reviews_text[0]), reviews_text[0]
    )
    studies: list[Study] = []
    where: dict[str, str] = {}
    for name, text in files:
        for study in parse_studies(parse_toml(text, name), name, reviews):
            if study.id in where:
                raise SpecFileError(
                    f"{name}: study id {study.id!r} is already used in {where[study.id]}"
                )
            where[study.id] = name
            studies.append(study)
    known = set(where) | set(known_ids)
    for study in studies:
        for other in study.related:
            if other not in known:
                raise SpecFileError(
                    f"{where[study.id]}: study {study.id}: related id {other!r} is not a record"
                )
    return EvidenceBase(tuple(studies), reviews, exclusions, where)


def study_file_texts() -> list[tuple[str, str]]:
    """(name, text) of the shipped study files: every TOML file with [[study]] tables."""
    return [
        (name, text)
        for name, text in shipped_files()
        if name not in (REVIEWS_FILE, MECHANISMS_FILE)
    ]


@lru_cache(maxsize=1)
def default_base() -> EvidenceBase:
    """The shipped evidence base (validated once per process)."""
    return build_base(study_file_texts())


def load_base(paths: Sequence[str | Path] | None = None) -> EvidenceBase:
    """The shipped evidence base, or one built from the given study files (with the shipped reviews)."""
    if paths is None:
        return default_base()
    return build_base([(Path(p).name, read_text(p)) for p in paths])
