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


def stimulator_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Pulse waveform of the device, and the intensity in every unit the inputs reach."""
    from tmslab.protocols.dose import convert_intensity
    from tmslab.protocols.stimulators import get_coil_didt, get_stimulator, list_coil_didts
    from tmslab.units import A_PER_US

    stim, subject, coil = scenario.spec.stimulator, scenario.spec.subject, scenario.spec.coil
    data: dict = {"device": None, "waveform": None}
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    figures = []

    didt_max = None
    device = get_stimulator(stim.device) if stim.device else None
    if device is not None:
        data["device"] = device.name
        if coil.name:
            pair = get_coil_didt(device.name, coil.name)
            didt_max = pair.didt_max_a_per_s
            data["didt_max_a_per_s"] = didt_max
            rows.append(
                (
                    "peak dI/dt at 100 % MSO",
                    f"{didt_max / A_PER_US:.5g} A/us ({device.label} + {coil.name})",
                )
            )
            notes.append(f"Measured peak dI/dt: {pair.source}.")
        else:
            pairs = ", ".join(f"{s} + {c}" for s, c in list_coil_didts())
            notes.append(
                f"No [coil] name: dI/dt is not known without a measured stimulator+coil pair ({pairs})."
            )

    intensity = {
        "pct_mt": stim.intensity_pct_mt,
        "pct_mso": stim.intensity_pct_mso,
        "didt_a_per_s": stim.intensity_didt_a_per_us * A_PER_US
        if stim.intensity_didt_a_per_us
        else None,
    }
    if any(value is not None for value in intensity.values()):
        dose = convert_intensity(
            **intensity, mt_pct_mso=subject.motor_threshold_pct_mso, didt_max_a_per_s=didt_max
        )
    else:
        dose = {"pct_mt": None, "pct_mso": None, "didt_a_per_s": None}
    data["intensity"] = {**dose, "peak_b_t": stim.intensity_t}
    if stim.intensity_t is not None:
        notes.append(
            f"The intensity is given as a peak magnetic field ({stim.intensity_t:g} T). Converting it to "
            "dI/dt, %MSO or an E-field needs the coil model of the coil layer (tmslab.coils), not yet "
            "part of tmslab; it is recorded as given."
        )
    for key, label, scale, unit in (
        ("pct_mt", "intensity", 1, "% MT"),
        ("pct_mso", "intensity", 1, "% MSO"),
        ("didt_a_per_s", "peak dI/dt", 1 / A_PER_US, "A/us"),
    ):
        if dose[key] is not None:
            rows.append((label, f"{dose[key] * scale:.4g} {unit}"))
    if stim.intensity_t is not None:
        rows.append(("intensity (peak B, as reported)", f"{stim.intensity_t:g} T"))

    if device is not None:
        shape = stim.waveform or device.shapes[0]
        pct = dose["pct_mso"] if dose["pct_mso"] is not None else 100.0
        pulse = device.waveform(shape, pct)
        data["waveform"] = {
            "shape": pulse.shape,
            "duration_s": pulse.duration_s,
            "pct_mso": pct,
            "dt_s": pulse.dt_s,
            "t_s": pulse.t_s,
            "e_field_normalised": pulse.e_field,
            "peak_current_a": pulse.peak_current_a,
        }
        rows.append(("pulse", f"{device.label}, {pulse.shape}, {pulse.duration_s * 1e6:.0f} us"))
        notes.append(f"Waveform model: {device.source}. {device.source.note}".strip())
        figures.append(
            (
                f"Pulse waveform at {pct:.3g} % MSO: coil current and normalised E-field",
                lambda: _plot_pulse(
                    pulse, f"{device.label}: {pulse.shape}, {pulse.duration_s * 1e6:.0f} us"
                ),
            )
        )
    else:
        notes.append("No [stimulator] device given: the pulse waveform is not modelled.")
    return Section(title="Stimulator and dose", data=data, rows=rows, figures=figures, notes=notes)


def _plot_pulse(pulse, title: str):
    from tmslab.viz.waveform import plot_waveform

    return plot_waveform(pulse, title=title)


def _intensity_pct_mt(scenario: Scenario, done: dict[str, Section]) -> float | None:
    """The intensity in % MT, as resolved by the stimulator stage (None if not reachable)."""
    return done["stimulator"].data["intensity"]["pct_mt"]


def safety_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Each train against the maximum safe train durations (Wassermann 1998 / Rossi 2009)."""
    from tmslab.protocols.safety import check_protocol

    intensity = _intensity_pct_mt(scenario, done)
    if intensity is None:
        reason = (
            "The safety tables are in % of the motor threshold; give [stimulator] intensity_pct_mt, "
            "or intensity_pct_mso with [subject] motor_threshold_pct_mso."
        )
        return Section(
            title="Safety",
            data={"checked": False, "reason": reason},
            rows=[("checked", "no")],
            notes=[reason],
        )
    report = check_protocol(scenario.protocol, intensity)
    record = report.to_dict()
    notes = list(record["notes"])
    species = scenario.spec.subject.species
    if species != "human":
        notes.insert(
            0,
            f"These limits come from studies in humans; they are shown for reference and "
            f"are not safety limits for a {species} preparation.",
        )
    return Section(
        title="Safety",
        data={"checked": True, "species": species, **record},
        rows=_safety_rows(record),
        notes=notes,
    )


def _safety_rows(record: dict) -> list[tuple[str, str]]:
    verdict = (
        "within the published limits" if record["within_limits"] else "EXCEEDS a published limit"
    )
    counts = ", ".join(f"{n} {name}" for name, n in record["verdict_counts"].items() if n)
    rows = [
        ("verdict", verdict),
        ("intensity", f"{record['intensity_pct_mt']:.4g} % MT"),
        ("beyond the tested or covered range", "yes" if record["beyond_tested_range"] else "no"),
        ("trains", counts),
    ]
    reasons = dict.fromkeys(train["reason"] for train in record["trains"])
    rows += [("check", reason) for reason in list(reasons)[:4]]
    rows.append(
        (
            "pulses per session / day / course",
            f"{record['pulses_per_session']} / {record['pulses_per_day']} / {record['total_pulses']}",
        )
    )
    return rows


STAGES: list[Stage] = [
    ("protocol", "Protocol", protocol_stage),
    ("stimulator", "Stimulator and dose", stimulator_stage),
    ("safety", "Safety", safety_stage),
]
