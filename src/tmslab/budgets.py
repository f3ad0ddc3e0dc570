"""Budgets: refuse a request whose memory or run time is out of reach, before starting it.

Each estimator turns the sizes of a request (points, triangles, dipoles, directions, pulses)
into an :class:`Estimate` of peak memory (bytes) and run time (s) on one ordinary core; the
rates are measured orders of magnitude, not promises. :func:`check` raises
:class:`BudgetError` when an estimate is above the limits, naming the estimate and how to raise
the limit. Limits (defaults 4 GiB and 10 minutes) come from two environment variables::

    TMSLAB_MAX_MEMORY_GB=16 TMSLAB_MAX_MINUTES=120 tmslab field dish ...

Layers call the check right before their expensive step (meshing, dipole generation, field
evaluation, neuron maps), so an oversized request is refused in well under a second.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from tmslab.errors import InvalidValueError

MEMORY_ENV = "TMSLAB_MAX_MEMORY_GB"
MINUTES_ENV = "TMSLAB_MAX_MINUTES"
DEFAULT_MAX_MEMORY_GB = 4.0
DEFAULT_MAX_MINUTES = 10.0
GIB = 1024.0**3

# Rates (orders of magnitude on one core of a 2020s laptop).
PAIRS_PER_S = 1e8  # coil dipole x field point kernel evaluations (compiled loops)
# BEM, measured with benchmarks/bem_scale.py: peak 5.9 GB and 248 s wall for 1.02M facets on 2
# cores (fmm3d's tree sets the peak); the time allows 2x for load and for meshing with gmsh.
BYTES_PER_TRIANGLE = 6e3
SECONDS_PER_TRIANGLE = 5e-4
BYTES_PER_DIPOLE = 6 * 8.0  # position and moment, float64
# batched cable solver on 2 threads; measured on maps of aberra-l5-pc (4,085 compartments,
# stopping at the spike): 1.6e8 on a loaded day, 3.6e8 on a quiet one; kept below both so an
# estimate stays an upper bound
COMPARTMENT_STEPS_PER_S = 1e8
BISECTION_STEPS = 12  # threshold search: bracketing plus bisection to 0.5 %


class BudgetError(InvalidValueError):
    """A request whose estimated memory or run time is above the limits."""


@dataclass(frozen=True)
class Estimate:
    """What a request will cost.

    what : a short description naming the sizes, e.g. ``"field at 1e6 points x 8064 dipoles"``.
    memory_bytes : peak memory, bytes.
    seconds : run time on one core, s.
    hint : the option that shrinks the request, e.g. ``"--n-points"``.
    """

    what: str
    memory_bytes: float
    seconds: float
    hint: str = ""


def _limit(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise InvalidValueError(f"{name}={text!r} is not allowed; give a number > 0 (or unset it)")
    return value


def limits() -> tuple[float, float]:
    """(memory limit in bytes, time limit in s) from the environment or the defaults."""
    return (
        _limit(MEMORY_ENV, DEFAULT_MAX_MEMORY_GB) * GIB,
        _limit(MINUTES_ENV, DEFAULT_MAX_MINUTES) * 60.0,
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / 86400:.3g} days"


def check(estimate: Estimate) -> Estimate:
    """Return ``estimate`` if within the limits, else raise :class:`BudgetError` saying why."""
    max_bytes, max_seconds = limits()
    problems = []
    if not estimate.memory_bytes <= max_bytes:
        problems.append(
            f"~{estimate.memory_bytes / GIB:.3g} GiB of memory (limit {max_bytes / GIB:.3g} GiB, "
            f"{MEMORY_ENV})"
        )
    if not estimate.seconds <= max_seconds:
        problems.append(
            f"~{_duration(estimate.seconds)} (limit {_duration(max_seconds)}, {MINUTES_ENV})"
        )
    if problems:
        shrink = f"reduce {estimate.hint} or " if estimate.hint else ""
        raise BudgetError(
            f"{estimate.what} would need {' and '.join(problems)}; "
            f"{shrink}raise the limit with the environment variable named"
        )
    return estimate


def _count(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidValueError(f"{name} = {value!r} is not a count; give an integer >= 0")
    return number


def point_field(n_points: float, n_dipoles: float, hint: str = "") -> Estimate:
    """A coil's field at ``n_points`` points from ``n_dipoles`` dipoles (sphere or free space).

    The compiled kernel loops over pairs, so memory is the inputs and the output (float64).
    """
    points, dipoles = _count("points", n_points), _count("dipoles", n_dipoles)
    pairs = points * dipoles
    memory = (points * 4 + dipoles) * 6 * 8.0  # inputs, output and the caller's copies
    return Estimate(
        f"the field at {points:.4g} points from {dipoles:.4g} coil dipoles",
        memory,
        pairs / PAIRS_PER_S,
        hint,
    )


def coil_dipoles(n_dipoles: float, hint: str = "") -> Estimate:
    """Building a coil of ``n_dipoles`` dipoles (and evaluating it at a few hundred points)."""
    dipoles = _count("dipoles", n_dipoles)
    return Estimate(
        f"a coil of {dipoles:.4g} dipoles",
        dipoles * BYTES_PER_DIPOLE * 4,  # positions, moments and the builder's temporaries
        dipoles * 1e3 / PAIRS_PER_S,  # a field at ~1000 points is the least any use needs
        hint,
    )


def bem(n_triangles: float, n_points: float = 0.0, hint: str = "") -> Estimate:
    """A boundary-element solve on ``n_triangles`` triangles, evaluated at ``n_points``."""
    triangles, points = _count("triangles", n_triangles), _count("points", n_points)
    return Estimate(
        f"a boundary-element solve on ~{triangles:.3g} triangles",
        triangles * BYTES_PER_TRIANGLE + points * 100.0,
        triangles * SECONDS_PER_TRIANGLE + points * 1e-5,
        hint,
    )


def triangles_for(area_m2: float, edge_m: float) -> float:
    """About how many triangles of edge ``edge_m`` (m) tile ``area_m2`` (m^2)."""
    return float(area_m2) / (math.sqrt(3) / 4 * float(edge_m) ** 2)


def neuron_map(
    n_directions: float, n_compartments: float, n_steps: float, hint: str = "--n-directions"
) -> Estimate:
    """Threshold searches of ``n_directions`` field directions on a cable model."""
    directions = _count("directions", n_directions)
    work = directions * _count("compartments", n_compartments) * _count("steps", n_steps)
    return Estimate(
        f"threshold searches in {directions:.4g} directions on {n_compartments:.4g} compartments",
        directions * float(n_compartments) * 8.0 * 40,  # state and matrices per direction
        work * BISECTION_STEPS / COMPARTMENT_STEPS_PER_S,
        hint,
    )
