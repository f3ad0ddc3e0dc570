"""Spherical head models: a scalp radius, a brain radius and named targets at depths.

Centred at the origin, metres. Presets in ``data/heads.toml`` carry their sources.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError, TmslabError, UnknownNameError, check_positive
from tmslab.sources import Source
from tmslab.units import MM, MM_PER_M


class UnknownTargetError(UnknownNameError):
    """A target name that is not one of a head's targets (the message carries the hint)."""

    def __init__(self, message: str) -> None:
        TmslabError.__init__(self, message)


def normalise_target_name(name: str) -> str:
    """A target name with case, spaces, hyphens, underscores and parentheses aside.

    ``"Motor_Cortex (Hand)"`` -> ``"motor cortex hand"``.

    Parameters
    ----------
    name : str
        Target name or label.

    Returns
    -------
    str
        The normalised name.
    """
    text = str(name).lower()
    for char in "-_()":
        text = text.replace(char, " ")
    return " ".join(text.split())


@dataclass(frozen=True)
class SphereHead:
    """A spherically symmetric head centred at the origin.

    Attributes
    ----------
    name : str
        Preset name.
    scalp_radius_m : float, m
        Outer radius; coils must lie outside it.
    brain_radius_m : float, m
        Radius of the brain (cortical) surface; depths are measured from it.
    species : str
        "human", "rat", "mouse" or "any".
    label : str
        Human-readable description.
    targets_m : dict of str to float, m
        Target name -> depth below the brain surface.
    source : Source or None
        Where the sizes come from.
    assumptions : tuple of str
        Modelling choices.
    target_aliases : dict of str to tuple of str
        Target name -> other names (labels) it is known by.
    """

    name: str
    scalp_radius_m: float
    brain_radius_m: float
    species: str = "any"
    label: str = ""
    targets_m: dict[str, float] = field(default_factory=dict)
    source: Source | None = None
    assumptions: tuple[str, ...] = ()
    target_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        scalp = check_positive("scalp radius", self.scalp_radius_m, "m")
        brain = check_positive("brain radius", self.brain_radius_m, "m")
        if brain > scalp:
            raise InvalidValueError(
                f"brain radius {brain * MM_PER_M:g} mm exceeds scalp radius {scalp * MM_PER_M:g} mm"
            )
        for name, depth in self.targets_m.items():
            if not 0 <= depth < brain:
                raise InvalidValueError(
                    f"target {name!r} at depth {depth * MM_PER_M:g} mm is outside the brain "
                    f"(0 to {brain * MM_PER_M:g} mm)"
                )
        self._target_index()  # refuses an alias that names two targets

    def _target_index(self) -> dict[str, str]:
        """Normalised name or alias -> target name."""
        index: dict[str, str] = {}
        for key in self.targets_m:
            index[normalise_target_name(key)] = key
        for key, aliases in self.target_aliases.items():
            if key not in self.targets_m:
                raise InvalidValueError(f"aliases given for {key!r}, which is not a target")
            for alias in aliases:
                norm = normalise_target_name(alias)
                if index.setdefault(norm, key) != key:
                    raise InvalidValueError(
                        f"target alias {alias!r} of {key!r} also names {index[norm]!r}"
                    )
        return index

    def find_target(self, name: str) -> str:
        """The target name that ``name`` or one of its aliases matches exactly.

        Case, spaces, hyphens, underscores and parentheses aside; never a substring match.

        Parameters
        ----------
        name : str
            Target name or alias.

        Returns
        -------
        str
            A key of ``targets_m``.

        Raises
        ------
        UnknownTargetError
            With the nearest name (difflib).
        """
        index = self._target_index()
        wanted = normalise_target_name(name)
        if wanted in index:
            return index[wanted]
        close = difflib.get_close_matches(wanted, list(index), n=1, cutoff=0.6)
        known = ", ".join(self.targets_m)
        hint = (
            f"did you mean {index[close[0]]!r}?"
            if close
            else f"the {self.name} head knows {known}; or give a depth ([target] depth_mm)"
        )
        raise UnknownTargetError(f"unknown target {name!r}; {hint}")

    def target_depth(self, name_or_depth: str | float) -> float:
        """Depth below the brain surface of a named target or of a depth (checked).

        Names are matched by :meth:`find_target`.

        Parameters
        ----------
        name_or_depth : str or float, m
            Target name, or a depth in metres.

        Returns
        -------
        float, m
            Depth below the brain surface.

        Raises
        ------
        InvalidValueError
            If the depth is outside the brain.
        """
        if isinstance(name_or_depth, str):
            return self.targets_m[self.find_target(name_or_depth)]
        depth = float(name_or_depth)
        if not 0 <= depth < self.brain_radius_m:
            raise InvalidValueError(
                f"depth {depth * MM_PER_M:g} mm is outside the brain of {self.name!r} "
                f"(0 to {self.brain_radius_m * MM_PER_M:g} mm)"
            )
        return depth

    def target_point(self, depth_m: float, direction=(0.0, 0.0, 1.0)) -> np.ndarray:
        """The point at ``depth_m`` below the brain surface along ``direction``.

        Parameters
        ----------
        depth_m : float, m
            Depth below the brain surface.
        direction : (3,) array_like, dimensionless
            From the centre (any length).

        Returns
        -------
        (3,) ndarray, m
            The point.
        """
        from tmslab.geometry import unit_vector

        depth = self.target_depth(depth_m)
        return (self.brain_radius_m - depth) * unit_vector(direction)

    def summary(self) -> dict[str, Any]:
        """JSON-able description: radii (m), targets (m), species and source."""
        return {
            "name": self.name,
            "label": self.label or self.name,
            "species": self.species,
            "scalp_radius_m": self.scalp_radius_m,
            "brain_radius_m": self.brain_radius_m,
            "targets_depth_m": dict(self.targets_m),
            "target_aliases": {k: list(v) for k, v in self.target_aliases.items()},
            "source": self.source.to_dict() if self.source else None,
            "assumptions": list(self.assumptions),
        }


@cache
def _presets() -> dict[str, dict[str, Any]]:
    from tmslab.io.toml import read_data_toml

    return read_data_toml("data/heads.toml", "schema_version")


def list_heads() -> tuple[str, ...]:
    """Names of the spherical head presets."""
    return tuple(_presets())


def get_head(name: str) -> SphereHead:
    """A spherical head preset by name (``human``, ``rat``, ``mouse``).

    Parameters
    ----------
    name : str
        Preset name.

    Returns
    -------
    SphereHead
        The preset.

    Raises
    ------
    UnknownNameError
        If there is no such preset.
    """
    presets = _presets()
    key = name.strip().lower()
    if key not in presets:
        raise UnknownNameError("head", name, presets)
    spec = presets[key]
    return SphereHead(
        name=key,
        scalp_radius_m=spec["scalp_radius_mm"] * MM,
        brain_radius_m=spec["brain_radius_mm"] * MM,
        species=spec["species"],
        label=spec["label"],
        targets_m={k: v * MM for k, v in spec.get("targets_mm", {}).items()},
        source=Source(spec["citation"], spec.get("doi", "")),
        assumptions=tuple(spec.get("assumptions", ())),
        target_aliases={k: tuple(v) for k, v in spec.get("target_aliases", {}).items()},
    )


def sphere_head(scalp_radius_m: float, brain_radius_m: float | None = None) -> SphereHead:
    """A user sphere.

    Parameters
    ----------
    scalp_radius_m : float, m
        Scalp radius.
    brain_radius_m : float or None, m
        Brain radius; None: the scalp radius.

    Returns
    -------
    SphereHead
        A head without named targets.

    Raises
    ------
    InvalidValueError
        If a radius is not positive or the brain is larger than the scalp.
    """
    brain = scalp_radius_m if brain_radius_m is None else brain_radius_m
    return SphereHead(
        name=f"sphere-{scalp_radius_m * MM_PER_M:g}mm",
        scalp_radius_m=scalp_radius_m,
        brain_radius_m=brain,
        label=f"Sphere of {scalp_radius_m * MM_PER_M:g} mm (brain {brain * MM_PER_M:g} mm)",
    )


def resolve_head(name_or_radius: str) -> SphereHead:
    """A preset name, or a radius like ``"85mm"`` / ``"0.085"`` (m) / ``"85mm/70mm"`` (scalp/brain).

    Parameters
    ----------
    name_or_radius : str
        Preset name or radius text.

    Returns
    -------
    SphereHead
        The head.

    Raises
    ------
    UnknownNameError
        If it is neither a preset nor a radius.
    InvalidValueError
        If more than two radii are given or they are out of range.
    """
    text = name_or_radius.strip().lower()
    if text in _presets():
        return get_head(text)
    parts = text.split("/")
    try:
        radii = [float(p[:-2]) * MM if p.endswith("mm") else float(p) for p in parts]
    except ValueError:
        raise UnknownNameError(
            "head", name_or_radius, [*_presets(), "RADIUSmm[/BRAINmm]"]
        ) from None
    if len(radii) > 2:
        raise InvalidValueError(f"head {name_or_radius!r}: give SCALP or SCALP/BRAIN radii")
    return sphere_head(*radii)
