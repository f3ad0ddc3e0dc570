"""Validated protocol specifications (pydantic): what a TOML file or a builder call may say.

Each spec validates its fields once (positive rates, bursts that fit in their period, trains
that fit in their cycle) and builds a :class:`~tmslab.protocols.protocol.Protocol`.
All fields are SI: seconds and hertz.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tmslab.errors import InvalidValueError, pydantic_message
from tmslab.protocols.pattern import ItiConvention, nested_pulse_times
from tmslab.protocols.protocol import Course, Protocol
from tmslab.sources import Source
from tmslab.units import MS_PER_S

# Inter-stimulus intervals of the paired-pulse paradigms, seconds: SICI 1-6 ms and ICF 10-15 ms
# (Kujirai et al. 1993, doi 10.1113/jphysiol.1993.sp019912), LICI 100-200 ms (Valls-Sole et al.
# 1992, doi 10.1016/0168-5597(92)90048-G).
PAIRED_PULSE_ISI_RANGES_S = {
    "sici": (1e-3, 6e-3),
    "icf": (10e-3, 15e-3),
    "lici": (100e-3, 200e-3),
}
MAX_PULSES_PER_SESSION = 1_000_000  # far beyond any protocol; guards memory against typos

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourseSpec(_Spec):
    """Repetition of a session: sessions per day (onset-to-onset interval) over days."""

    days: Count = 1
    sessions_per_day: Count = 1
    session_interval_s: PositiveFloat | None = None

    @model_validator(mode="after")
    def _interval_given_when_needed(self) -> CourseSpec:
        if self.sessions_per_day > 1 and self.session_interval_s is None:
            raise ValueError(
                f"sessions_per_day = {self.sessions_per_day} needs session_interval_s "
                "(onset-to-onset time between sessions, seconds)"
            )
        if (
            self.session_interval_s is not None
            and self.sessions_per_day * self.session_interval_s > 86400
        ):
            raise ValueError(
                f"{self.sessions_per_day} sessions every {self.session_interval_s} s do not fit in a day"
            )
        return self

    def build(self) -> Course:
        return Course(self.days, self.sessions_per_day, self.session_interval_s)


class _PatternSpec(_Spec):
    name: str | None = None
    course: CourseSpec = CourseSpec()

    def pattern(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def pulse_scale(self, n_pulses: int) -> np.ndarray:
        return np.ones(n_pulses)

    @model_validator(mode="after")
    def _pattern_is_consistent(self) -> _PatternSpec:
        p = self.pattern()
        burst_span = (p["pulses_per_burst"] - 1) * p["intra_burst_interval_s"]
        if p["bursts_per_train"] > 1 and burst_span >= p["burst_interval_s"]:
            raise ValueError(
                f"a burst lasts {burst_span * MS_PER_S:g} ms, longer than the {p['burst_interval_s'] * MS_PER_S:g} ms "
                "between burst onsets; lower the pulses per burst or the burst rate"
            )
        train_span = (p["bursts_per_train"] - 1) * p["burst_interval_s"] + burst_span
        if p["n_trains"] > 1:
            iti = p["inter_train_interval_s"]
            if p["convention"] == "onset" and iti <= train_span:
                raise ValueError(
                    f"a train lasts {train_span:g} s, not shorter than its {iti:g} s cycle "
                    "(onset-to-onset); lengthen the cycle or shorten the train"
                )
            if p["convention"] == "off" and iti <= 0:
                raise ValueError(
                    f"inter_train_interval_s = {iti:g} with {p['n_trains']} trains: the pause between "
                    "trains must be > 0 s"
                )
        n = p["pulses_per_burst"] * p["bursts_per_train"] * p["n_trains"]
        if n > MAX_PULSES_PER_SESSION:
            raise ValueError(
                f"{n} pulses in one session exceed the limit of {MAX_PULSES_PER_SESSION}"
            )
        return self

    def build(
        self, name: str | None = None, source: Source | None = None, description: str = ""
    ) -> Protocol:
        p = self.pattern()
        times, index = nested_pulse_times(
            p["pulses_per_burst"],
            p["intra_burst_interval_s"],
            p["bursts_per_train"],
            p["burst_interval_s"],
            p["n_trains"],
            p["inter_train_interval_s"],
            p["convention"],
        )
        return Protocol(
            name=name or self.name or self.kind,
            kind=self.kind,
            pulse_times_s=times,
            train_index=index,
            pulse_scale=self.pulse_scale(times.size),
            parameters=self.model_dump(exclude={"name"}),
            course=self.course.build(),
            source=source,
            description=description,
        )


class SingleSpec(_PatternSpec):
    """Single pulses, ``repetitions`` of them ``interval_s`` apart (onset to onset)."""

    kind: Literal["single"] = "single"
    repetitions: Count = 1
    interval_s: PositiveFloat = 5.0

    def pattern(self) -> dict[str, Any]:
        return dict(
            pulses_per_burst=1,
            intra_burst_interval_s=0.0,
            bursts_per_train=1,
            burst_interval_s=self.interval_s,
            n_trains=self.repetitions,
            inter_train_interval_s=self.interval_s,
            convention="onset",
        )


class PairedSpec(_PatternSpec):
    """Paired pulses: a conditioning pulse, then a test pulse ``isi_s`` later.

    conditioning_scale: conditioning intensity relative to the test pulse (e.g. 80 % / 120 % RMT).
    Pairs are repeated ``repetitions`` times, ``interval_s`` apart (onset to onset).
    """

    kind: Literal["paired"] = "paired"
    isi_s: PositiveFloat
    paradigm: Literal["sici", "icf", "lici"] | None = None
    conditioning_scale: PositiveFloat = 1.0
    repetitions: Count = 1
    interval_s: PositiveFloat = 5.0

    def pattern(self) -> dict[str, Any]:
        return dict(
            pulses_per_burst=2,
            intra_burst_interval_s=self.isi_s,
            bursts_per_train=1,
            burst_interval_s=self.interval_s,
            n_trains=self.repetitions,
            inter_train_interval_s=self.interval_s,
            convention="onset",
        )

    def pulse_scale(self, n_pulses: int) -> np.ndarray:
        scale = np.ones(n_pulses)
        scale[0::2] = self.conditioning_scale
        return scale

    @model_validator(mode="after")
    def _pair_fits(self) -> PairedSpec:
        if self.paradigm is not None:
            low, high = PAIRED_PULSE_ISI_RANGES_S[self.paradigm]
            if not low <= self.isi_s <= high:
                raise ValueError(
                    f"isi_s = {self.isi_s:g} s is outside the {self.paradigm.upper()} range "
                    f"{low * MS_PER_S:g}-{high * MS_PER_S:g} ms"
                )
        if self.repetitions > 1 and self.isi_s >= self.interval_s:
            raise ValueError(
                f"isi_s = {self.isi_s:g} must be shorter than interval_s = {self.interval_s:g}"
            )
        return self


class RTMSSpec(_PatternSpec):
    """Conventional rTMS: trains of ``pulses_per_train`` pulses at ``frequency_hz``."""

    kind: Literal["rtms"] = "rtms"
    frequency_hz: PositiveFloat
    pulses_per_train: Count
    n_trains: Count = 1
    inter_train_interval_s: NonNegativeFloat = 0.0
    iti_convention: ItiConvention = "off"

    def pattern(self) -> dict[str, Any]:
        return dict(
            pulses_per_burst=1,
            intra_burst_interval_s=0.0,
            bursts_per_train=self.pulses_per_train,
            burst_interval_s=1.0 / self.frequency_hz,
            n_trains=self.n_trains,
            inter_train_interval_s=self.inter_train_interval_s,
            convention=self.iti_convention,
        )


class TBSSpec(_PatternSpec):
    """Theta-burst stimulation: bursts of ``pulses_per_burst`` at ``intra_burst_frequency_hz``,
    repeated at ``burst_frequency_hz``, ``bursts_per_train`` bursts a train.

    The train cycle is onset-to-onset (``train_cycle_s``, as Huang et al. 2005 define iTBS: a 2 s
    train every 10 s) unless ``iti_convention = "off"``, when ``inter_train_interval_s`` is the
    pause from the last pulse of a train to the next train's first pulse.
    """

    kind: Literal["tbs"] = "tbs"
    pulses_per_burst: Count = 3
    intra_burst_frequency_hz: PositiveFloat = 50.0
    burst_frequency_hz: PositiveFloat = 5.0
    bursts_per_train: Count
    n_trains: Count = 1
    train_cycle_s: PositiveFloat | None = None
    inter_train_interval_s: NonNegativeFloat | None = None
    iti_convention: ItiConvention = "onset"

    @model_validator(mode="before")
    @classmethod
    def _one_interval(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("train_cycle_s") is not None
            and data.get("inter_train_interval_s") is not None
        ):
            raise ValueError(
                "give either train_cycle_s (onset to onset) or inter_train_interval_s, not both"
            )
        return data

    def _interval(self) -> float:
        if self.iti_convention == "onset":
            return (
                self.train_cycle_s
                if self.train_cycle_s is not None
                else (self.inter_train_interval_s or 0.0)
            )
        return self.inter_train_interval_s or 0.0

    def pattern(self) -> dict[str, Any]:
        return dict(
            pulses_per_burst=self.pulses_per_burst,
            intra_burst_interval_s=1.0 / self.intra_burst_frequency_hz,
            bursts_per_train=self.bursts_per_train,
            burst_interval_s=1.0 / self.burst_frequency_hz,
            n_trains=self.n_trains,
            inter_train_interval_s=self._interval(),
            convention=self.iti_convention,
        )


class QPSSpec(_PatternSpec):
    """Quadripulse stimulation (Hamada et al. 2008): bursts of 4 pulses ``isi_s`` apart,
    one burst every ``burst_interval_s`` (5 s), ``n_bursts`` bursts (360 = 30 min)."""

    kind: Literal["qps"] = "qps"
    isi_s: PositiveFloat = 5e-3
    pulses_per_burst: Count = 4
    burst_interval_s: PositiveFloat = 5.0
    n_bursts: Count = 360

    def pattern(self) -> dict[str, Any]:
        return dict(
            pulses_per_burst=self.pulses_per_burst,
            intra_burst_interval_s=self.isi_s,
            bursts_per_train=self.n_bursts,
            burst_interval_s=self.burst_interval_s,
            n_trains=1,
            inter_train_interval_s=0.0,
            convention="off",
        )


class CustomSpec(_Spec):
    """Any pattern given as pulse times (seconds, strictly increasing, >= 0).

    train_index: optional 0-based train of each pulse (non-decreasing); one train if omitted.
    """

    kind: Literal["custom"] = "custom"
    name: str | None = None
    pulse_times_s: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(min_length=1)
    train_index: list[Annotated[int, Field(ge=0)]] | None = None
    course: CourseSpec = CourseSpec()

    @model_validator(mode="after")
    def _times_increase(self) -> CustomSpec:
        times = np.asarray(self.pulse_times_s)
        if times.size > MAX_PULSES_PER_SESSION:
            raise ValueError(f"{times.size} pulses exceed the limit of {MAX_PULSES_PER_SESSION}")
        steps = np.diff(times)
        if np.any(steps <= 0):
            k = int(np.argmax(steps <= 0))
            raise ValueError(
                f"pulse times must strictly increase, but pulse {k + 2} at {times[k + 1]:g} s "
                f"follows pulse {k + 1} at {times[k]:g} s"
            )
        if self.train_index is not None:
            if len(self.train_index) != times.size:
                raise ValueError(
                    f"train_index has {len(self.train_index)} entries for {times.size} pulses"
                )
            if np.any(np.diff(self.train_index) < 0):
                raise ValueError("train_index must not decrease")
        return self

    def build(
        self, name: str | None = None, source: Source | None = None, description: str = ""
    ) -> Protocol:
        times = np.asarray(self.pulse_times_s, dtype=float)
        index = (
            np.zeros(times.size, int) if self.train_index is None else np.asarray(self.train_index)
        )
        return Protocol(
            name=name or self.name or "custom",
            kind="custom",
            pulse_times_s=times,
            train_index=index,
            pulse_scale=np.ones(times.size),
            parameters=self.model_dump(exclude={"name"}),
            course=self.course.build(),
            source=source,
            description=description,
        )


ProtocolSpec = Annotated[
    SingleSpec | PairedSpec | RTMSSpec | TBSSpec | QPSSpec | CustomSpec,
    Field(discriminator="kind"),
]
SPEC_CLASSES: dict[str, type[_Spec]] = {
    cls.model_fields["kind"].default: cls
    for cls in (SingleSpec, PairedSpec, RTMSSpec, TBSSpec, QPSSpec, CustomSpec)
}
SPEC_KINDS = tuple(SPEC_CLASSES)


def parse_spec(data: dict[str, Any], where: str = "protocol") -> Any:
    """Validate a protocol spec given as a mapping (e.g. a TOML table) -> spec object.

    Raises InvalidValueError with a one-line message naming the bad field.
    """
    if not isinstance(data, dict):
        raise InvalidValueError(f"{where} must be a table of fields, got {data!r}")
    kind = data.get("kind")
    if kind not in SPEC_CLASSES:
        raise InvalidValueError(
            f"{where}.kind = {kind!r} is not a protocol kind; use one of: {', '.join(SPEC_KINDS)}"
            " (or preset = NAME)"
        )
    spec_class = SPEC_CLASSES[kind]
    unknown = sorted(set(data) - set(spec_class.model_fields))
    if unknown:
        allowed = ", ".join(spec_class.model_fields)
        raise InvalidValueError(
            f"{where}: unknown field {unknown[0]!r} for kind = {kind!r}; allowed fields: {allowed}"
        )
    try:
        return spec_class.model_validate(data)
    except ValidationError as error:
        raise InvalidValueError(pydantic_message(error, prefix=where)) from None


def build(data: dict[str, Any], **kwargs: Any) -> Protocol:
    """Validate ``data`` (a mapping with ``kind``) and build its Protocol."""
    return parse_spec(data).build(**kwargs)
