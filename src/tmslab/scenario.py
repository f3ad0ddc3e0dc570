"""One in-silico experiment: a scenario file -> the chain of layers -> results.

A scenario is a TOML file with sections ``[protocol]``, ``[stimulator]``, ``[coil]``,
``[subject]`` and ``[target]``. This module validates it (:func:`load_scenario`) and defines
what a stage returns, a :class:`Section`: plain JSON-able results, rows for the report, the
figures to draw (:class:`FigureSpec`), notes, and the stage's typed value for the stages after
it. The stages and the runner live above, in :mod:`tmslab.stages`; no layer imports this
module's runner, and this module imports neither the stages nor the figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tmslab.errors import InvalidValueError, SpecFileError, pydantic_message
from tmslab.io.toml import read_toml
from tmslab.protocols.library import protocol_from_mapping
from tmslab.protocols.protocol import Protocol


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StimulatorSection(_Section):
    """The stimulator, its pulse waveform and the intensity, in one of the units labs report.

    Give exactly one intensity: % of motor threshold (needs the subject's motor threshold in
    %MSO to reach %MSO), %MSO, peak dI/dt in A/us, or a peak magnetic field in tesla (as many
    rodent papers do; converting it needs the coil model of the coil layer), measured at the
    coil's reference point (``intensity_t_at = "coil"``) or at the brain surface under the coil
    centre (``"brain-surface"``, as low-intensity rodent studies report it).
    """

    device: str | None = None
    waveform: str | None = None
    intensity_pct_mt: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    intensity_pct_mso: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    intensity_didt_a_per_us: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    intensity_t: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    intensity_t_at: Literal["coil", "brain-surface"] = "coil"

    @model_validator(mode="after")
    def _one_intensity(self) -> StimulatorSection:
        given = [
            name
            for name in (
                "intensity_pct_mt",
                "intensity_pct_mso",
                "intensity_didt_a_per_us",
                "intensity_t",
            )
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(f"give one intensity, not {len(given)} ({', '.join(given)})")
        return self


class CoilSection(_Section):
    """The coil: a name (a coil preset, or a coil of the measured dI/dt table), the field model
    to use when the name is only in that table, and its placement over the head.

    Placement: ``distance_mm`` and ``handle_angle_deg`` over the vertex (heads) or the top
    (dishes, meshes), or ``pose``: a 4x4 coil -> head pose file (SimNIBS matsimnibs layout, text
    or .mat; path relative to the scenario file) whose translation is in ``pose_unit`` ("mm" or
    "m"; default: mm for .mat and matsimnibs files, else the file's ``# unit:`` line, else m).
    Coil frame: z into the head, y along the handle, origin at the centre of the coil face.

    On a realistic head (``[subject] model``): ``position``, a 10-05 label (``"F3"``), or
    ``position_mni``, an MNI coordinate [x, y, z] in mm projected onto the scalp; the coil's axis
    along the local scalp normal, its centre ``distance_mm`` above the scalp; the handle
    ``handle_angle_deg`` from posterior (positive: clockwise seen from outside; 45 at C3 is the
    standard posterior-lateral M1 placement) or towards the 10-05 label ``handle_towards`` (the
    angle is then added to that direction). A ``pose`` file places the coil there too.
    """

    name: str | None = None
    model: str | None = None
    distance_mm: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    handle_angle_deg: float = Field(default=0.0, allow_inf_nan=False)
    pose: str | None = None
    pose_unit: Literal["mm", "m"] | None = None
    position: str | None = Field(default=None, min_length=1)
    position_mni: tuple[float, float, float] | None = None
    handle_towards: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _pose_or_distance(self) -> CoilSection:
        if self.pose and (self.distance_mm or self.handle_angle_deg):
            raise ValueError(
                "give pose or distance_mm/handle_angle_deg, not both (the pose places the coil)"
            )
        if self.pose_unit and not self.pose:
            raise ValueError('pose_unit needs pose = "file" (the unit of its translation)')
        placed_by = [k for k in ("pose", "position", "position_mni") if getattr(self, k)]
        if len(placed_by) > 1:
            raise ValueError(f"give one of pose, position and position_mni, not {placed_by}")
        if self.pose and self.handle_towards:
            raise ValueError("give pose or handle_towards, not both (the pose sets the handle)")
        if self.position_mni is not None and not all(
            math.isfinite(v) and abs(v) < 1e3 for v in self.position_mni
        ):
            raise ValueError("position_mni: three finite MNI coordinates in mm")
        return self


class SubjectSection(_Section):
    """Who or what is stimulated; the motor threshold links %MT to %MSO.

    kind: "head" (the analytic sphere of the species; with ``model = "fsaverage"`` the realistic
    template head, solved numerically on its cortex), "dish" (a culture vessel preset:
    ``tmslab field conductors``; default dish-35mm) or "mesh" (a surface-mesh file in
    ``conductor``, solved numerically; ``mesh_unit`` "mm" or "m" gives its length unit, default
    by format: mm for .msh/.stl). For a dish, species is where the cells come from
    (``species = "dish"`` alone means a dish of unspecified cells).
    """

    kind: Literal["head", "dish", "mesh"] = "head"
    model: str | None = Field(default=None, min_length=1)
    species: Literal["human", "rat", "mouse", "dish"] = "human"
    motor_threshold_pct_mso: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    conductor: str | None = None
    medium_height_mm: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    conductivities_s_per_m: list[float] | None = None
    well: int = Field(default=0, ge=0)
    mesh_unit: Literal["mm", "m"] | None = None

    @model_validator(mode="after")
    def _kind_and_conductor(self) -> SubjectSection:
        if self.species == "dish" and self.kind == "head":
            object.__setattr__(self, "kind", "dish")
        if self.kind == "mesh" and not self.conductor:
            raise ValueError(
                'kind = "mesh" needs conductor = "path/to/surfaces.msh" (or .stl, .vtk)'
            )
        if self.mesh_unit and self.kind != "mesh":
            raise ValueError('mesh_unit is for kind = "mesh" (the length unit of its file)')
        if self.kind == "head" and self.conductor:
            raise ValueError(
                'conductor is for kind = "dish" or "mesh"; a head is the sphere of its species '
                '(or model = "fsaverage", the realistic template head)'
            )
        if self.model is not None and (self.kind != "head" or self.species != "human"):
            raise ValueError(
                'model (a realistic head, e.g. "fsaverage") is for kind = "head" and '
                'species = "human"'
            )
        return self


class TargetSection(_Section):
    """Where the field is wanted: a name (matched to the head's named targets) or a depth below
    the brain surface, under the point where the coil's field is strongest.

    On a realistic head (``[subject] model``): a named cortical target (``"M1-hand"``,
    ``"DLPFC-Fox2012"``) or ``mni = [x, y, z]`` in mm, each snapped to the nearest vertex of the
    mid-cortical surface; without either, the hot spot (the vertex of the largest |E|).
    """

    name: str | None = None
    depth_mm: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    mni: tuple[float, float, float] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> TargetSection:
        if self.mni is not None and (self.name or self.depth_mm is not None):
            raise ValueError("give mni or name/depth_mm, not both")
        if self.mni is not None and not all(math.isfinite(v) and abs(v) < 1e3 for v in self.mni):
            raise ValueError("mni: three finite MNI coordinates in mm")
        return self


class PlasticitySection(_Section):
    """Plasticity model (``tmslab plasticity list``; default: the protocol family's, theta burst
    huang-tbs, other trains shouval:rate, see docs/plasticity-vs-experiments.md) and, optionally,
    a postsynaptic spike this long after each pulse (ms)."""

    model: str | None = None
    post_delay_ms: float | None = Field(default=None, allow_inf_nan=False)


class NeuronsSection(_Section):
    """Cell models placed at the target (``tmslab neuron list``; default: those that fit the
    subject), and whether to map the activation of cells around the target: in a spherical
    head a ``map_cells_per_side`` square of L5 cells on the target's layer; in a realistic head
    ``cortex_cells`` cells of each model with a cortical layer (else L5 cells) placed in the
    cortex within ``cortex_radius_mm`` of the target (``tmslab neuron map --head``); by default
    100, or as many as the run-time budget allows (said in the notes). ``cortex_method``
    "table" looks the thresholds up in each model's uniform-field direction table at each soma's
    field instead of simulating every cell (default 100 cells; the report gives its error against
    10 cells simulated in full)."""

    models: list[str] | None = None
    activation_map: bool = True
    map_cells_per_side: int = Field(default=11, ge=2, le=41)
    cortex_cells: int | None = Field(default=None, ge=1, le=2000)
    cortex_radius_mm: float = Field(default=10.0, gt=0, le=30, allow_inf_nan=False)
    cortex_method: Literal["simulate", "table"] = "simulate"


class EvidenceSection(_Section):
    """How many of the reviewed studies nearest this protocol, species and preparation to list;
    the preparation defaults from the subject (in_vivo, culture or human)."""

    n_studies: int = Field(default=5, ge=1, le=50)
    preparation: Literal["in_vivo", "slice", "culture", "human"] | None = None


class OptimiseSection(_Section):
    """Search the coil placement before the field is solved (realistic heads): coil centres on
    the scalp within ``radius_mm`` of the target's projection, ``step_mm`` apart, and handle
    angles every ``angle_step_deg``; the pose with the largest ``goal`` at the target
    ("magnitude": |E|; "normal": E into the cortex; "focal": |E| minus ``penalty`` times the
    largest |E| at ``avoid_mni``, MNI152 mm, default 6 cortex points 20 mm around the target)
    is used by the rest of the chain, at [coil] distance_mm. Scored by reciprocity
    (``tmslab optimise placement``)."""

    goal: Literal["magnitude", "normal", "focal"] = "magnitude"
    avoid_mni: list[tuple[float, float, float]] | None = None
    penalty: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    radius_mm: float = Field(default=20.0, ge=0, le=100, allow_inf_nan=False)
    step_mm: float = Field(default=2.0, gt=0, allow_inf_nan=False)
    angle_step_deg: float = Field(default=5.0, gt=0, le=360, allow_inf_nan=False)

    @model_validator(mode="after")
    def _divides(self) -> OptimiseSection:
        n = 360.0 / self.angle_step_deg
        if abs(n - round(n)) > 1e-9:
            raise ValueError(f"angle_step_deg {self.angle_step_deg:g} must divide 360")
        if self.avoid_mni is not None and self.goal != "focal":
            raise ValueError('avoid_mni goes with goal = "focal"')
        return self


class CompareSection(_Section):
    """Another scenario file to run and show next to this one (path relative to this file)."""

    scenario: str


class ScenarioSpec(_Section):
    """A whole scenario file, validated."""

    name: str = "scenario"
    description: str = ""
    protocol: dict[str, Any]
    stimulator: StimulatorSection = StimulatorSection()
    coil: CoilSection = CoilSection()
    subject: SubjectSection = SubjectSection()
    target: TargetSection = TargetSection()
    neurons: NeuronsSection = NeuronsSection()
    plasticity: PlasticitySection = PlasticitySection()
    evidence: EvidenceSection = EvidenceSection()
    optimise: OptimiseSection | None = None
    compare: CompareSection | None = None


@dataclass(frozen=True)
class FigureSpec:
    """A figure a stage asks the report to draw: data, not drawing code.

    caption: the text under the figure. plot: the name of a figure function of
    :mod:`tmslab.viz` (see ``tmslab.viz.FIGURES``). data: its keyword arguments (typed values,
    arrays, numbers).
    """

    caption: str
    plot: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    """What one stage contributes to the results and to the report.

    data: JSON-able results (SI units; keys carry the unit, e.g. ``duration_s``).
    rows: (label, human-readable value) pairs for the report's table.
    figures: the figures to draw (:class:`FigureSpec`), drawn by the report.
    notes: sentences to show under the table (caveats, citations).
    value: the stage's typed value for later stages (e.g. the field stage's
        :class:`~tmslab.efield.solution.FieldSolution`); never written.
    """

    title: str
    data: dict[str, Any]
    rows: list[tuple[str, str]] = field(default_factory=list)
    figures: list[FigureSpec] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    value: object | None = None


@dataclass
class Scenario:
    """A validated scenario: its spec (as given) and the protocol it builds."""

    spec: ScenarioSpec
    raw: dict[str, Any]
    protocol: Protocol
    path: Path | None = None


@dataclass
class ScenarioResult:
    """A scenario and the sections its stages returned, in stage order."""

    scenario: Scenario
    sections: dict[str, Section]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.spec.name,
            "description": self.scenario.spec.description,
            "sections": {key: section.data for key, section in self.sections.items()},
        }


def scenario_from_mapping(data: dict[str, Any], where: str = "scenario") -> Scenario:
    """Validate a scenario mapping (a parsed TOML file). Raises InvalidValueError (one line)."""
    if "protocol" not in data:
        raise InvalidValueError(
            f'{where}: the [protocol] section is missing; add e.g. preset = "itbs"'
        )
    known = set(ScenarioSpec.model_fields)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidValueError(
            f"{where}: unknown section or field {unknown[0]!r}; allowed: {', '.join(sorted(known))}"
        )
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as error:
        raise InvalidValueError(pydantic_message(error, prefix=where)) from None
    protocol = protocol_from_mapping(spec.protocol, where=f"{where}:protocol")
    try:
        _check_position_only_on_realistic_head(spec)
    except InvalidValueError as error:
        raise InvalidValueError(f"{where}: {error}") from None
    _check_names(spec, where)
    return Scenario(spec=spec, raw=data, protocol=protocol)


def _check_names(spec: ScenarioSpec, where: str) -> None:
    """Names resolved by later stages, checked at load so a typo fails before any computation."""
    from tmslab.errors import TmslabError, UnknownNameError

    subject = spec.subject
    if subject.kind == "dish" and subject.conductor:
        from tmslab.conductors.library import list_conductors

        # the vessel first: a target that does not fit it is a consequence, not the cause
        if subject.conductor.strip().lower() not in list_conductors():
            known = [name for name in list_conductors() if not name.startswith("sphere")]
            error = UnknownNameError("conductor", subject.conductor, known)
            raise InvalidValueError(f"{where}: [subject] {error}")
    try:
        check_target(spec)
    except TmslabError as error:
        from tmslab.conductors.sphere import UnknownTargetError

        text = str(error)
        message = f"{where}: {text}" if text.startswith("[") else f"{where}: [target] {text}"
        if isinstance(error, UnknownNameError):
            raise UnknownTargetError(message) from None
        raise InvalidValueError(message) from None
    if spec.plasticity.model is not None:
        from tmslab.plasticity.registry import get_model

        try:
            get_model(spec.plasticity.model)
        except TmslabError as error:
            raise InvalidValueError(f"{where}: [plasticity] model: {error}") from None


def check_target(spec: ScenarioSpec) -> None:
    """Refuse, before any computation, a [target] name the subject cannot resolve.

    spec: a :class:`ScenarioSpec`. A name needs a head (dishes and meshes take ``depth_mm``) and
    must be one of that head's targets.
    """
    from tmslab.conductors.sphere import get_head

    if spec.subject.model is not None:
        _check_realistic_head(spec)
        return
    if spec.optimise is not None:
        raise InvalidValueError(
            "[optimise] searches placements on a realistic head: add [subject] model = "
            '"fsaverage" (or a SimNIBS .msh); on a sphere the best position is over the target'
        )
    if spec.target.mni is not None:
        raise InvalidValueError(
            '[target] mni needs a realistic head ([subject] model = "fsaverage"); the sphere '
            "takes a name or depth_mm"
        )
    name = spec.target.name
    if not name or spec.target.depth_mm is not None:
        return
    if spec.subject.kind != "head":
        raise InvalidValueError(
            f"[target] name {name!r} needs a head subject; for a {spec.subject.kind} give "
            "[target] depth_mm"
        )
    get_head(spec.subject.species).find_target(name)


HEAD_MODELS = ("fsaverage",)  # realistic heads that ship with the package


def _check_realistic_head(spec: ScenarioSpec) -> None:
    """A realistic head needs a scalp placement and a cortical target (checked by name here;
    the geometry, a few seconds to load, is checked by the field stage)."""
    from tmslab.errors import UnknownNameError

    model = spec.subject.model
    if model.strip().lower() not in HEAD_MODELS and not model.lower().endswith(".msh"):
        raise InvalidValueError(
            f"[subject] model {model!r}: give one of {', '.join(HEAD_MODELS)} or a SimNIBS "
            ".msh head file"
        )
    coil = spec.coil
    placed = coil.position or coil.position_mni is not None or coil.pose
    if spec.optimise is not None:
        if placed or coil.handle_towards or coil.handle_angle_deg:
            raise InvalidValueError(
                "[optimise] searches the coil position and handle angle; leave [coil] "
                "position, position_mni, pose, handle_angle_deg and handle_towards out"
            )
        if not (spec.target.name or spec.target.mni is not None):
            raise InvalidValueError(
                '[optimise] needs a target: [target] name = "M1-hand" or mni = [x, y, z] (mm)'
            )
    elif not placed:
        raise InvalidValueError(
            '[coil] a realistic head needs the coil position: position = "F3" (a 10-05 label), '
            "position_mni = [x, y, z] (mm) or pose = FILE"
        )
    target = spec.target
    if target.depth_mm is not None:
        raise InvalidValueError(
            "[target] depth_mm is for spherical heads, dishes and meshes; on a realistic head "
            'give name = "DLPFC-Fox2012" (a named cortical target) or mni = [x, y, z] (mm)'
        )
    if target.name:
        from tmslab.conductors.head.targets import NAMED_TARGETS

        if target.name.strip().lower() not in {k.lower() for k in NAMED_TARGETS}:
            raise UnknownNameError("cortical target", target.name, NAMED_TARGETS)


def _check_position_only_on_realistic_head(spec: ScenarioSpec) -> None:
    coil = spec.coil
    given = [k for k in ("position", "position_mni", "handle_towards") if getattr(coil, k)]
    if given and spec.subject.model is None:
        raise InvalidValueError(
            f"[coil] {given[0]} places a coil on a realistic head's scalp; add [subject] "
            'model = "fsaverage" (or use distance_mm/handle_angle_deg over the sphere)'
        )


def load_scenario(path: str | Path, follow_compare: bool = True) -> Scenario:
    """Read and validate a scenario TOML file (and the ``[compare]`` scenario it names).

    follow_compare: also load and validate the ``[compare]`` file (False for that file itself:
    comparisons do not chain).
    """
    path = Path(path)
    if path.is_dir():
        raise SpecFileError(f"{path} is a directory; give a scenario .toml file")
    scenario = scenario_from_mapping(read_toml(path), where=path.name)
    scenario.path = path
    if scenario.spec.compare is not None and follow_compare:
        _check_compare(scenario, path)
    return scenario


def _check_compare(scenario: Scenario, path: Path) -> None:
    """Load and validate the ``[compare]`` scenario now, not after this one has run for minutes."""
    from tmslab.errors import TmslabError

    given = scenario.spec.compare.scenario
    other = path.parent / given
    if not other.is_file():
        raise SpecFileError(
            f"{path.name}: [compare] scenario {given!r}: no file {other}; give a scenario file "
            "path relative to this scenario file"
        )
    try:
        load_scenario(other, follow_compare=False)  # the compare stage runs it without its own
    except TmslabError as error:
        raise SpecFileError(f"{path.name}: [compare] scenario {given!r}: {error}") from None


def __getattr__(name: str) -> Any:
    """``run_scenario``, ``stage_count`` and ``Stage`` moved to :mod:`tmslab.stages` (the runner
    sits above the scenario layer); the old names still work, with a DeprecationWarning."""
    if name in _MOVED_TO_STAGES:
        import importlib
        import warnings

        warnings.warn(
            f"tmslab.scenario.{name} moved to tmslab.stages.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        # importlib, not a static import: scenario sits below stages and must not import it
        return getattr(importlib.import_module("tmslab.stages"), name)
    raise AttributeError(f"module 'tmslab.scenario' has no attribute {name!r}")


_MOVED_TO_STAGES = ("run_scenario", "stage_count", "Stage")
