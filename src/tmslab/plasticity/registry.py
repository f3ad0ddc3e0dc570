"""Model names (``family[:set]``), their parameter sets and sources, and one adapter per family.

Names: ``graupner-brunel[:SET]`` (default DP; sets DP, DPD, DPD', P, D, D', hippocampal-slices,
hippocampal-cultures, cortical-slices; aliases DPDprime, Dprime, sjostrom),
``shouval[:rate|stdp]`` (default rate: the 10 mV EPSP of the rate protocol, for TMS pulses;
stdp: the 1 mV EPSP of the pairing protocols), ``bcm[:dudek-bear-1992]``, ``huang-tbs[:revised|huang2011]``
(default revised). Each adapter turns spike trains into an :class:`Outcome`.

:func:`default_model` picks the model for a protocol when none is named, per protocol family,
from the agreement table of ``docs/plasticity-vs-experiments.md`` (``tmslab plasticity table``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.plasticity import data
from tmslab.plasticity.inputs import SpikeTrains, concatenate
from tmslab.plasticity.prediction import Outcome
from tmslab.sources import Source
from tmslab.wording import Listing

FAMILIES = {
    "graupner-brunel": "Graupner & Brunel 2012 calcium-based synapse (bistable, noisy; analytic transition probabilities)",
    "shouval": "Shouval, Bear & Cooper 2002 unified NMDA-receptor calcium model",
    "bcm": "BCM rule with a sliding threshold (rate-based; metaplasticity, priming)",
    "huang-tbs": "Huang et al. 2011 theta-burst after-effect model (bursts of 3 pulses only)",
}
AGREEMENT_TABLE = "docs/plasticity-vs-experiments.md"
# Per protocol family, the variant that agrees best with the reviews' reported directions in
# AGREEMENT_TABLE when each pulse fires the presynaptic axon only (the scenario's usual input):
# theta burst: huang-tbs is the only model with iTBS -> LTP and cTBS -> LTD (2 / 2; Huang et al.
# 2005); graupner-brunel:DP, the old default, gives LTD for iTBS (relative weight 0.43).
# conventional rTMS: shouval:rate agrees at 1 Hz (LTD) and 10-25 Hz (LTP), 5 of 6 frequencies,
# wrong at 5 Hz; no other presynaptic-only variant does better.
THETA_BURST_MODEL = "huang-tbs:revised"
RTMS_MODEL = "shouval:rate"
# Pairings are not in the table: the classical STDP window (LTP pre-post, LTD post-pre).
PAIRING_MODEL = "graupner-brunel:DP"

DEFAULT_SETS = {
    "graupner-brunel": "DP",
    "shouval": "rate",
    "bcm": "dudek-bear-1992",
    "huang-tbs": "revised",
}


@dataclass(frozen=True)
class Model:
    """A model family with one parameter set.

    timing: whether the model reads spike timing and postsynaptic spikes (pairing protocols).
    """

    family: str
    set_name: str
    params: Any
    timing: bool

    @property
    def name(self) -> str:
        return f"{self.family}:{self.set_name}"

    @property
    def source(self) -> Source:
        return self.params.source

    @property
    def description(self) -> str:
        return self.params.description

    def summary(self) -> dict[str, Any]:
        """Name, family, set, description, source and parameter values (SI), for listings."""
        return {
            "name": self.name,
            "family": self.family,
            "parameter_set": self.set_name,
            "default": DEFAULT_SETS[self.family] == self.set_name,
            "description": self.description,
            "uses_spike_timing": self.timing,
            "parameters": self.params.values(),
            "source": self.source.to_dict(),
        }

    def row(self) -> tuple[str, str, str, str]:
        """name, default ("yes" or ""), description, source: a listing's row."""
        source = self.source.to_dict()
        default = "yes" if DEFAULT_SETS[self.family] == self.set_name else ""
        return self.name, default, self.description, f"{source['citation']} (doi {source['doi']})"

    def outcome(self, trains: SpikeTrains) -> Outcome:  # pragma: no cover - overridden
        """Run the model on ``trains`` (spike and pulse times in s) from its resting state."""
        raise NotImplementedError

    def primed_outcome(self, primer: SpikeTrains, test: SpikeTrains, gap_s: float) -> Outcome:
        """The test protocol's outcome when ``primer`` ends ``gap_s`` (s) before it starts."""
        raise InvalidValueError(
            f"model {self.name} keeps no state from one protocol to the next; priming needs "
            "graupner-brunel, shouval or bcm"
        )


class GraupnerBrunel(Model):
    def outcome(self, trains: SpikeTrains) -> Outcome:
        return self._outcome(trains, self.params.beta, trains.start_s)

    def _outcome(self, trains: SpikeTrains, beta: float, start_s: float) -> Outcome:
        from tmslab.plasticity import graupner_brunel as gb

        p = self.params
        times, above_d, above_p = gb.time_above_per_event(trains, p)
        mine = times >= start_s
        t_d, t_p = float(above_d[mine].sum()), float(above_p[mine].sum())
        up, down = gb.transition_probabilities(t_d, t_p, p)
        relative = float(gb.strength_change(up, down, beta, p.b))
        t, values = gb.trajectory(trains, p, down_fraction=beta, start_s=start_s)
        return Outcome(
            relative_weight=relative,
            change=relative - 1.0,
            t_s=t,
            trajectory=values,
            trajectory_label="relative synaptic strength (had the protocol stopped here)",
            details={
                "method": "analytic transition probabilities (Graupner & Brunel 2012; synapticChange.py)",
                "time_above_theta_d_s": t_d,
                "time_above_theta_p_s": t_p,
                "p_up": float(up),
                "p_down": float(down),
                "down_fraction_before": beta,
                "down_fraction_after": float(gb.down_fraction_after(beta, up, down)),
            },
        )

    def primed_outcome(self, primer: SpikeTrains, test: SpikeTrains, gap_s: float) -> Outcome:
        from tmslab.plasticity import graupner_brunel as gb

        p = self.params
        joined, start = concatenate(primer, test, gap_s)
        times, above_d, above_p = gb.time_above_per_event(joined, p)
        # calcium events before the test's first spike belong to the primer (with a gap shorter
        # than the presynaptic delay D, the primer's last transient counts for the test)
        first = times < start
        up, down = gb.transition_probabilities(above_d[first].sum(), above_p[first].sum(), p)
        beta = float(gb.down_fraction_after(p.beta, up, down))
        return self._outcome(joined, beta, start)


class Shouval(Model):
    def outcome(self, trains: SpikeTrains) -> Outcome:
        from tmslab.plasticity import shouval

        run = shouval.simulate(trains, self.params)
        return self._result(run, run.w[0])

    def _result(self, run, w_before: float) -> Outcome:
        relative = float(run.w[-1] / w_before)
        return Outcome(
            relative_weight=relative,
            change=relative - 1.0,
            t_s=run.t_s,
            trajectory=run.w / w_before,
            trajectory_label="relative synaptic weight W(t)/W(start)",
            details={
                "method": "numerical integration (Numba, exponential integrators, 0.1 ms steps near events)",
                "w_start": float(w_before),
                "w_end": float(run.w[-1]),
                "calcium_peak_mol_per_m3": run.ca_peak_mol_per_m3,
            },
        )

    def primed_outcome(self, primer: SpikeTrains, test: SpikeTrains, gap_s: float) -> Outcome:
        from tmslab.plasticity import shouval

        joined, start = concatenate(primer, test, gap_s)
        before = shouval.simulate(primer, self.params, tail_s=start - primer.end_s)
        run = shouval.simulate(joined, self.params)
        keep = run.t_s >= start
        trimmed = shouval.ShouvalRun(
            np.concatenate([[start], run.t_s[keep]]),
            np.concatenate([[before.w[-1]], run.w[keep]]),
            run.ca_peak_mol_per_m3,
        )
        return self._result(trimmed, before.w[-1])


class BCM(Model):
    def outcome(self, trains: SpikeTrains) -> Outcome:
        from tmslab.plasticity import bcm

        run = bcm.simulate(trains.pulse_s, self.params)
        return self._result(run, run.w[0], run.theta_hz[0])

    def _result(self, run, w_before: float, theta_before: float) -> Outcome:
        relative = float(run.w[-1] / w_before)
        return Outcome(
            relative_weight=relative,
            change=relative - 1.0,
            t_s=run.t_s,
            trajectory=run.w / w_before,
            trajectory_label="relative synaptic weight w(t)/w(start)",
            details={
                "method": "numerical integration (Numba, RK4, 10 ms steps)",
                "theta_start_hz": float(theta_before),
                "theta_end_hz": float(run.theta_hz[-1]),
            },
        )

    def primed_outcome(self, primer: SpikeTrains, test: SpikeTrains, gap_s: float) -> Outcome:
        from tmslab.plasticity import bcm

        joined, start = concatenate(primer, test, gap_s)
        before = bcm.simulate(primer.pulse_s, self.params, tail_s=start - primer.end_s)
        run = bcm.simulate(joined.pulse_s, self.params)
        keep = run.t_s >= start
        trimmed = bcm.BCMRun(
            np.concatenate([[start], run.t_s[keep]]),
            np.concatenate([[before.w[-1]], run.w[keep]]),
            np.concatenate([[before.theta_hz[-1]], run.theta_hz[keep]]),
        )
        return self._result(trimmed, before.w[-1], before.theta_hz[-1])


class HuangTBS(Model):
    def outcome(self, trains: SpikeTrains) -> Outcome:
        from tmslab.plasticity import tbs

        run = tbs.simulate(trains.pulse_s, self.params)
        return Outcome(
            relative_weight=None,
            change=run.balance,
            t_s=run.t_s,
            trajectory=run.facilitation - run.inhibition,
            trajectory_label="net facilitation - inhibition F - I (model units)",
            details={
                "method": "stage I-III recursion per burst (Huang et al. 2011)",
                "facilitation": float(run.facilitation[-1]),
                "inhibition": float(run.inhibition[-1]),
                "net_effect": run.net,
                "balance": run.balance,
                "n_bursts": int(run.t_s.size),
                "after_effect_peak_time_s": run.peak_time_s,
                "after_effect_peak": run.peak_effect,
                "relative_weight_note": "the theta-burst model predicts facilitation and inhibition (model units fitted to MEP changes), not a synaptic weight",
            },
        )


_CLASSES = {
    "graupner-brunel": (GraupnerBrunel, True),
    "shouval": (Shouval, True),
    "bcm": (BCM, False),
    "huang-tbs": (HuangTBS, False),
}


def _sets(family: str) -> dict[str, Any]:
    return {
        "graupner-brunel": data.graupner_brunel_sets,
        "shouval": data.shouval_sets,
        "bcm": data.bcm_sets,
        "huang-tbs": data.huang_sets,
    }[family]()


def _aliases(family: str) -> dict[str, str]:
    return data.graupner_brunel_aliases() if family == "graupner-brunel" else {}


def get_model(spec: str) -> Model:
    """The model named ``family[:set]`` (set names and aliases are case-insensitive).

    Raises UnknownNameError for an unknown family or set.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InvalidValueError(f"model = {spec!r}; give a name such as graupner-brunel:DP")
    family, _, set_name = spec.strip().partition(":")
    family = family.strip().lower()
    if family not in FAMILIES:
        raise UnknownNameError("plasticity model", family, FAMILIES)
    sets = _sets(family)
    wanted = set_name.strip() or DEFAULT_SETS[family]
    lookup = {name.lower(): name for name in sets}
    lookup.update({alias.lower(): name for alias, name in _aliases(family).items()})
    if wanted.lower() not in lookup:
        raise UnknownNameError(f"{family} parameter set", wanted, sets)
    name = lookup[wanted.lower()]
    cls, timing = _CLASSES[family]
    return cls(family=family, set_name=name, params=sets[name], timing=timing)


def list_models() -> list[Model]:
    """Every family with every parameter set, default sets first within a family."""
    models = []
    for family in FAMILIES:
        names = list(_sets(family))
        names.sort(key=lambda name: name != DEFAULT_SETS[family])
        models += [get_model(f"{family}:{name}") for name in names]
    return models


MODEL_COLUMNS = ("name", "default", "description", "source")


def model_listing() -> Listing:
    """The models and parameter sets with their sources (``tmslab plasticity list``)."""
    models = list_models()
    rows = [model.row() for model in models]
    return Listing("Plasticity models", MODEL_COLUMNS, rows, [m.summary() for m in models])


@dataclass(frozen=True)
class ModelChoice:
    """The model used for a protocol and why.

    name: ``family:set``. default: True when chosen by :func:`default_model` (no model named).
    reason: one sentence, shown beside the verdict.
    """

    name: str
    default: bool
    reason: str


def _is_theta_burst(pulse_times_s: np.ndarray) -> bool:
    from tmslab.plasticity.tbs import burst_pattern

    try:
        burst_pattern(pulse_times_s)
    except InvalidValueError:
        return False
    return True


def default_model(protocol: Any) -> ModelChoice:
    """The model for ``protocol`` (a Protocol, or (N,) pulse times in s) when none is named.

    Theta burst (bursts of 3 pulses): huang-tbs:revised; every other pulse train:
    shouval:rate. The choice follows the agreement table of ``docs/plasticity-vs-experiments.md``.
    """
    times = np.asarray(getattr(protocol, "pulse_times_s", protocol), dtype=float).reshape(-1)
    if times.size and _is_theta_burst(times):
        return ModelChoice(
            THETA_BURST_MODEL,
            True,
            "default for theta burst: the only model that predicts iTBS -> LTP and cTBS -> LTD "
            f"as Huang et al. 2005 report ({AGREEMENT_TABLE})",
        )
    return ModelChoice(
        RTMS_MODEL,
        True,
        "default for conventional rTMS and other pulse trains: agrees with the reviews at 1 Hz "
        f"(LTD) and 10-25 Hz (LTP), not at 5 Hz ({AGREEMENT_TABLE})",
    )


def pairing_default() -> ModelChoice:
    """The model for spike-timing pairings when none is named (graupner-brunel:DP)."""
    return ModelChoice(
        PAIRING_MODEL,
        True,
        "default for pairings: the classical STDP window, LTP for pre-post and LTD for "
        "post-pre (Graupner & Brunel 2012, Fig. 2 'DP')",
    )


def choose_model(protocol: Any, model: str | None) -> ModelChoice:
    """The named model (checked), or :func:`default_model` of ``protocol`` when None."""
    if model is None:
        return default_model(protocol)
    name = get_model(model).name
    return ModelChoice(name, False, "chosen by the user")
