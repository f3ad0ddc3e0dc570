"""The rodent set-up search for a human scenario (``tmslab optimise rodent``).

The human reference is what ``tmslab run`` computes for the scenario: its protocol, stimulator
and field stages run as they do there, so |E| at the human target, d_1/2 and S_1/2 are those of
the scenario's results.json. The search itself is :func:`tmslab.protocols.setup_search.
search_with_doses` (numerics in :mod:`tmslab.efield.setup_search`). This module sits at the
stages layer because it reads a scenario; every input is checked before any field is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tmslab.errors import InvalidValueError
from tmslab.scenario import Scenario, Section, load_scenario
from tmslab.units import MM

if TYPE_CHECKING:
    from tmslab.efield.setup_search import SearchGrid
    from tmslab.protocols.setup_search import RodentSetupSearch

SPECIES = ("rat", "mouse")


def _check_human_sphere(scenario: Scenario, path: Path) -> None:
    subject = scenario.spec.subject
    if subject.kind != "head":
        raise InvalidValueError(
            f"{path.name} stimulates a {subject.kind}, not a head; give a human head scenario"
        )
    if subject.species != "human":
        raise InvalidValueError(
            f"{path.name} is a {subject.species} scenario; give a human scenario (e.g. "
            "examples/quickstart.toml)"
        )
    if subject.model is not None:
        raise InvalidValueError(
            f"{path.name} uses the realistic head {subject.model!r}; the rodent set-up search "
            "compares sphere heads (d_1/2 and S_1/2 of Deng et al. 2013): give a sphere-head "
            "scenario (no [subject] model)"
        )


def _stimulator(scenario: Scenario, name: str | None):
    """(Stimulator, pulse shape, whether it is the scenario's own device)."""
    from tmslab.protocols.stimulators import get_stimulator
    from tmslab.protocols.waveform import normalise_shape
    from tmslab.stages.field import DEFAULT_WAVEFORM

    own = scenario.spec.stimulator.device
    device = get_stimulator(name or own or DEFAULT_WAVEFORM[0])
    own_device = own is not None and get_stimulator(own).name == device.name
    wanted = scenario.spec.stimulator.waveform
    shape = normalise_shape(wanted) if wanted else None
    if shape not in device.shapes:
        shape = device.shapes[0]
    return device, shape, own_device


def _run_field(scenario: Scenario) -> dict[str, Section]:
    """The protocol, stimulator and field stages, as ``tmslab run`` runs them."""
    from tmslab.stages import STAGES

    done: dict[str, Section] = {}
    for key, _, stage in STAGES:
        if key in ("protocol", "stimulator", "field"):
            section = stage(scenario, done)
            if section is not None:
                done[key] = section
    return done


def _reference(scenario: Scenario, done: dict[str, Section]):
    """The human field as a :class:`~tmslab.efield.setup_search.FieldReference`."""
    import numpy as np

    from tmslab.efield.setup_search import FieldReference
    from tmslab.stages.field import no_didt_reason

    field = done["field"]
    data = field.data
    if not data.get("computed"):
        why = " ".join(field.notes) or "no coil field model"
        raise InvalidValueError(f"the human scenario's field is not computed: {why}")
    if not data.get("didt_a_per_s"):
        raise InvalidValueError(
            f"the human scenario gives no |E| at its target ({no_didt_reason(scenario, done)})"
        )
    head = data["head"]
    metrics = field.value.metrics
    if "pose_m" in data:
        distance = float(np.linalg.norm(np.asarray(data["pose_m"])[:3, 3])) - head["scalp_radius_m"]
    else:
        distance = scenario.spec.coil.distance_mm * MM
    return FieldReference(
        label=scenario.spec.name,
        brain_radius_m=head["brain_radius_m"],
        scalp_radius_m=head["scalp_radius_m"],
        coil_distance_m=distance,
        target=data["target"]["name"],
        target_depth_m=data["target"]["depth_m"],
        target_efield_v_per_m=data["target"]["efield_v_per_m"],
        emax_v_per_m=metrics.emax,
        d_half_m=metrics.d_half_m,
        s_half_m2=metrics.s_half_m2,
        v_half_m3=metrics.v_half_m3,
    )


def _target(head, scenario: Scenario, target: str | None) -> tuple[str | float, str | None]:
    """The rodent target (name or depth in m) and a note when it was chosen here."""
    from tmslab.conductors.sphere import UnknownTargetError
    from tmslab.efield.workflows import parse_target

    if target is not None:
        parsed = parse_target(target)
        head.target_depth(parsed)  # refuses an unknown name or a depth outside the brain
        return (head.find_target(parsed) if isinstance(parsed, str) else parsed), None
    human = scenario.spec.target.name
    if human:
        try:
            return head.find_target(human), None
        except UnknownTargetError:
            pass
    why = f"The {head.name} head has no target {human!r}" if human else "No target name"
    return "cortex", (
        f"{why}: the target is its cortex (brain surface); give --target (e.g. "
        + ", ".join(head.targets_m)
        + ")."
    )


def rodent_setup_search(
    scenario_path: str | Path,
    species: str,
    *,
    target: str | None = None,
    stimulator: str | None = None,
    grid: SearchGrid | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> RodentSetupSearch:
    """The rodent coils and distances that best reproduce a human scenario's field.

    Parameters
    ----------
    scenario_path : str or Path
        A human sphere-head scenario TOML (e.g. examples/quickstart.toml).
    species : str
        ``"rat"`` or ``"mouse"`` (the sphere heads of data/heads.toml).
    target : str or None
        The rodent target: a name of its head or a depth (``"2.5mm"``); default the human
        target's name if the rodent head knows it, else its cortex.
    stimulator : str or None
        The stimulator the doses are for; default the scenario's device.
    grid : SearchGrid or None
        The candidate set (default :data:`tmslab.efield.setup_search.DEFAULT_GRID`).
    progress : callable or None
        ``progress(done, total, label)``.

    Returns
    -------
    RodentSetupSearch
        Ranked set-ups, their doses, and what cannot be matched.

    Raises
    ------
    TmslabError
        For a species other than rat or mouse, a scenario that is not a human sphere head or
        gives no |E| at its target, an unknown target or stimulator; all before the search.
    """
    from dataclasses import replace

    from tmslab.coils import load_coil
    from tmslab.conductors.sphere import get_head
    from tmslab.efield.setup_search import DEFAULT_GRID
    from tmslab.protocols.setup_search import search_with_doses

    key = str(species).strip().lower()
    if key not in SPECIES:
        raise InvalidValueError(f"species {species!r}; give rat or mouse")
    path = Path(scenario_path)
    scenario = load_scenario(path, follow_compare=False)
    _check_human_sphere(scenario, path)
    head = get_head(key)
    rodent_target, target_note = _target(head, scenario, target)
    device, shape, own_device = _stimulator(scenario, stimulator)
    done = _run_field(scenario)
    reference = _reference(scenario, done)
    coil_spec = scenario.spec.coil
    human_coil = load_coil(coil_spec.model or coil_spec.name)
    known = {}
    dose = done["stimulator"].value
    if own_device and dose.didt_max_a_per_s:
        source = f"the human scenario's {coil_spec.name} on the {device.label}" + (
            f" ({dose.didt_max_source})" if dose.didt_max_source else ""
        )
        known[human_coil.name] = (dose.didt_max_a_per_s, source)
    result = search_with_doses(
        reference,
        head,
        rodent_target,
        stimulator=device,
        shape=shape,
        reference_coil=human_coil,
        known_pairs=known,
        grid=grid or DEFAULT_GRID,
        progress=progress,
    )
    if target_note:
        result = replace(result, notes=(target_note, *result.notes))
    return result
