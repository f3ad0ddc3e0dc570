"""The protocol layer's stages: the pulse pattern, the stimulator and dose, the safety check."""

from __future__ import annotations

from tmslab.scenario import FigureSpec, Scenario, Section
from tmslab.units import US_PER_S
from tmslab.wording import counted


def protocol_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Pulse pattern: times, counts, durations, rates, trains, course."""
    p = scenario.protocol
    summary = p.summary()
    rows = [
        ("protocol", p.name if p.name == p.kind else f"{p.name} ({p.kind})"),
        ("pulses per session", str(p.n_pulses)),
        ("duration, first to last pulse", f"{p.duration_s:.6g} s"),
        ("trains", str(p.n_trains)),
        ("mean / peak rate", f"{p.mean_rate_hz:.4g} Hz / {p.peak_rate_hz:.4g} Hz"),
        (
            "course",
            f"{counted(p.course.sessions_per_day, 'session')} a day for {counted(p.course.days, 'day')}",
        ),
        ("pulses over the course", str(p.total_pulses)),
    ]
    notes = [p.description] if p.description else []
    if p.source:
        notes.append(f"Source: {p.source}. {p.source.note}".strip())
    return Section(
        title="Protocol",
        data={**summary, "pulse_times_s": p.pulse_times_s},
        rows=rows,
        figures=[
            FigureSpec(
                "Protocol timeline: the session, and its first train",
                "plot_timeline",
                {"protocol": p},
            )
        ],
        notes=notes,
    )


def stimulator_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Pulse waveform of the device, and the intensity in every unit the inputs reach.

    The section's ``value`` is the resolved :class:`~tmslab.protocols.dose.Dose` (with the
    device's pulse), which later stages read as ``done["stimulator"].value``.
    """
    from dataclasses import replace

    from tmslab.protocols.stimulators import get_stimulator

    stim = scenario.spec.stimulator
    section = Section(title="Stimulator and dose", data={"device": None, "waveform": None})
    device = get_stimulator(stim.device) if stim.device else None
    measured = _measured_didt(device, scenario.spec.coil.name, section) if device else None
    dose = _dose(scenario, measured, section)
    if device is not None:
        dose = replace(dose, waveform=_pulse(device, stim.waveform, dose.pct_mso, section))
    else:
        section.notes.append("No [stimulator] device given: the pulse waveform is not modelled.")
    section.value = dose
    return section


def _measured_didt(device, coil_name: str | None, section: Section) -> tuple[float, str] | None:
    """(peak dI/dt at 100 % MSO in A/s, its source) of the device with the scenario's coil, if
    that pair was measured."""
    from tmslab.protocols.stimulators import get_coil_didt, list_coil_didts
    from tmslab.units import A_PER_US

    section.data["device"] = device.name
    if not coil_name:
        pairs = ", ".join(f"{s} + {c}" for s, c in list_coil_didts())
        section.notes.append(
            f"No [coil] name: dI/dt is not known without a measured stimulator+coil pair ({pairs})."
        )
        return None
    if coil_name.lower().endswith((".ccd", ".tcd")):
        return None  # the coil file states its own peak dI/dt: _dose takes it from there
    pair = get_coil_didt(device.name, coil_name)
    section.data["didt_max_a_per_s"] = pair.didt_max_a_per_s
    section.rows.append(
        (
            "peak dI/dt at 100 % MSO",
            f"{pair.didt_max_a_per_s / A_PER_US:.5g} A/µs ({device.label} + {coil_name})",
        )
    )
    section.notes.append(f"Measured peak dI/dt: {pair.source}.")
    return pair.didt_max_a_per_s, str(pair.source)


def _dose(scenario: Scenario, measured: tuple[float, str] | None, section: Section):
    """The intensity resolved (:func:`~tmslab.protocols.dose.resolve_dose`) as far as the motor
    threshold and dI/dt reach; a tesla intensity waits for the coil model (field stage)."""
    from tmslab.protocols.dose import resolve_dose
    from tmslab.units import A_PER_US

    stim = scenario.spec.stimulator
    coil_name = scenario.spec.coil.name
    didt_max, didt_source = measured or (None, None)
    if didt_max is None and coil_name:
        from tmslab.coils import coil_file_didt

        stated = coil_file_didt(coil_name)
        if stated is not None:
            didt_max, didt_source = stated
            section.data["didt_max_a_per_s"] = didt_max
            section.rows.append(
                ("peak dI/dt at 100 % MSO", f"{didt_max / A_PER_US:.5g} A/us (coil file)")
            )
            device = f" (the scenario's device is {stim.device})" if stim.device else ""
            section.notes.append(f"Peak dI/dt at 100 % MSO from the {didt_source}{device}.")
    given_didt = stim.intensity_didt_a_per_us  # the scenario file's unit; A/s from here on
    dose = resolve_dose(
        pct_mt=stim.intensity_pct_mt,
        pct_mso=stim.intensity_pct_mso,
        didt_a_per_s=given_didt * A_PER_US if given_didt else None,
        peak_b_t=stim.intensity_t,
        b_at=stim.intensity_t_at,
        mt_pct_mso=scenario.spec.subject.motor_threshold_pct_mso,
        didt_max_a_per_s=didt_max,
        didt_max_source=didt_source,
        require=False,
    )
    section.data["intensity"] = {**dose.intensity, "peak_b_t": dose.peak_b_t}
    # One row for the intensity in every unit it reaches ("120 % MT = 54 % MSO"), not one each.
    units = ((dose.pct_mt, "% MT"), (dose.pct_mso, "% MSO"))
    shown = [f"{value:.4g} {unit}" for value, unit in units if value is not None]
    if shown:
        section.rows.append(("intensity", " = ".join(shown)))
    if dose.didt_a_per_s is not None:
        section.rows.append(("peak dI/dt", f"{dose.didt_a_per_s / A_PER_US:.4g} A/µs"))
    if dose.peak_b_t is not None:
        section.rows.append(("intensity (peak B, as reported)", f"{dose.peak_b_t:g} T"))
        section.notes.append(
            f"The intensity is given as a peak magnetic field ({dose.peak_b_t:g} T); the field "
            "section converts it to coil current, dI/dt and E-field with the coil model."
        )
    return dose


def _pulse(device, shape: str | None, pct_mso: float | None, section: Section):
    """The device's pulse at the scenario's output (100 % MSO when unknown): data and figure;
    returns the Waveform."""
    shape = shape or device.shapes[0]
    pct = pct_mso if pct_mso is not None else 100.0
    pulse = device.waveform(shape, pct)
    section.data["waveform"] = {
        "shape": pulse.shape,
        "duration_s": pulse.duration_s,
        "pct_mso": pct,
        "dt_s": pulse.dt_s,
        "t_s": pulse.t_s,
        "e_field_normalised": pulse.e_field,
        "peak_current_a": pulse.peak_current_a,
    }
    section.rows.append(
        ("pulse", f"{device.label}, {pulse.shape}, {pulse.duration_s * US_PER_S:.0f} µs")
    )
    section.notes.append(f"Waveform model: {device.source}. {device.source.note}".strip())
    title = f"{device.label}: {pulse.shape}, {pulse.duration_s * US_PER_S:.0f} µs"
    section.figures.append(
        FigureSpec(
            f"Pulse waveform at {pct:.3g} % MSO: coil current and normalised E-field",
            "plot_waveform",
            {"waveform": pulse, "title": title},
        )
    )
    return pulse


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


# The safety checker's verdict names, as the trains row reads them ("75 within the limits").
TRAIN_VERDICT_WORDS = {
    "within": "within the limits",
    "beyond-tested": "beyond the tested durations",
    "exceeds": "exceeding a limit",
    "not-covered": "not covered by the table",
}


def _safety_rows(record: dict) -> list[tuple[str, str]]:
    verdict = (
        "within the published limits" if record["within_limits"] else "EXCEEDS a published limit"
    )
    counts = ", ".join(
        f"{n} {TRAIN_VERDICT_WORDS.get(name, name)}"
        for name, n in record["verdict_counts"].items()
        if n
    )
    rows = [
        ("verdict", verdict),
        ("intensity", f"{record['intensity_pct_mt']:.4g} % MT"),
        ("beyond the tested or covered range", "yes" if record["beyond_tested_range"] else "no"),
        ("trains", counts),
    ]
    reasons = list(dict.fromkeys(train["reason"] for train in record["trains"]))[:4]
    if len(reasons) == 1:
        rows.append(("check", reasons[0]))
    else:  # one label per row: "check 1", "check 2", not "check" four times
        rows += [(f"check {i}", reason) for i, reason in enumerate(reasons, 1)]
    rows.append(
        (
            "pulses per session / day / course",
            f"{record['pulses_per_session']} / {record['pulses_per_day']} / {record['total_pulses']}",
        )
    )
    return rows
