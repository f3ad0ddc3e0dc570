"""The stages a scenario runs through, in order. Each layer adds its own stage here.

A stage is ``(key, title, function)``; the function takes the validated
:class:`~tmslab.scenario.Scenario` and the sections computed so far and returns a
:class:`~tmslab.scenario.Section`. Stages compute; the report draws and lays out.
"""

from __future__ import annotations

from tmslab.scenario import Scenario, Section, Stage


def protocol_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Pulse pattern: times, counts, durations, rates, trains, course."""
    p = scenario.protocol
    summary = p.summary()
    rows = [
        ("protocol", f"{p.name} ({p.kind})"),
        ("pulses per session", str(p.n_pulses)),
        ("duration, first to last pulse", f"{p.duration_s:.6g} s"),
        ("trains", str(p.n_trains)),
        ("mean / peak rate", f"{p.mean_rate_hz:.4g} Hz / {p.peak_rate_hz:.4g} Hz"),
        ("course", f"{p.course.sessions_per_day} session(s) a day for {p.course.days} day(s)"),
        ("pulses over the course", str(p.total_pulses)),
    ]
    notes = [p.description] if p.description else []
    if p.source:
        notes.append(f"Source: {p.source}. {p.source.note}".strip())
    return Section(
        title="Protocol",
        data={**summary, "pulse_times_s": p.pulse_times_s},
        rows=rows,
        figures=[("Protocol timeline: the session, and its first train", p.plot)],
        notes=notes,
    )


def _intensity_pct_mt(scenario: Scenario, done: dict[str, Section]) -> float | None:
    """The intensity in % MT, from the scenario directly or via the subject's motor threshold."""
    stimulator, subject = scenario.spec.stimulator, scenario.spec.subject
    if stimulator.intensity_pct_mt is not None:
        return stimulator.intensity_pct_mt
    if stimulator.intensity_pct_mso is not None and subject.motor_threshold_pct_mso:
        return 100.0 * stimulator.intensity_pct_mso / subject.motor_threshold_pct_mso
    return None


def safety_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Each train against the maximum safe train durations (Wassermann 1998 / Rossi 2009)."""
    from tmslab.protocols.safety import check_protocol, report_rows

    intensity = _intensity_pct_mt(scenario, done)
    if intensity is None:
        reason = (
            "The safety tables are in % of the motor threshold; give [stimulator] intensity_pct_mt, "
            "or intensity_pct_mso with [subject] motor_threshold_pct_mso."
        )
        return Section(title="Safety", data={"checked": False, "reason": reason},
                       rows=[("checked", "no")], notes=[reason])
    report = check_protocol(scenario.protocol, intensity)
    record = report.to_dict()
    return Section(title="Safety", data={"checked": True, **record}, rows=report_rows(record),
                   notes=list(record.get("notes", [])))


def _all_stages() -> list[Stage]:
    from tmslab.stimulation_stage import stimulator_stage

    return [
        ("protocol", "Protocol", protocol_stage),
        ("stimulator", "Stimulator and dose", stimulator_stage),
        ("safety", "Safety", safety_stage),
    ]


STAGES: list[Stage] = _all_stages()
