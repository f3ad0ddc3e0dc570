"""The field commands' workflows as functions: field maps of a placed coil, a conductor's field
at points, and the rows a person reads for a dish result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class FieldOverview:
    """|E| maps of a placed coil in a sphere head (:func:`field_overview`).

    shell : dataset on the shell at the requested depth; section : the yz cross-section (None
    when only the shell was asked for); depths_m, magnitude : (K,) depth below the brain surface
    (m) and |E| (V/m) under the field's maximum; metrics : the head's FieldMetrics.
    """

    shell: Any
    section: Any = None
    depths_m: np.ndarray | None = None
    magnitude: np.ndarray | None = None
    metrics: Any = None


def field_overview(
    placed, head, depth_m: float, didt_a_per_s: float, shell_only: bool = False
) -> FieldOverview:
    """Shell map ``depth_m`` (m) below the brain surface and, unless ``shell_only``, the yz
    section, the depth profile under the maximum and the metrics; fields at ``didt_a_per_s``."""
    from tmslab.efield.maps import depth_profile, section_map, shell_map
    from tmslab.efield.metrics import field_metrics

    shell = shell_map(placed, head, depth_m, didt_a_per_s=didt_a_per_s)
    if shell_only:
        return FieldOverview(shell)
    metrics = field_metrics(placed, head, didt_a_per_s=didt_a_per_s)
    section = section_map(placed, head, plane="yz", didt_a_per_s=didt_a_per_s)
    depths, magnitude = depth_profile(placed, head, metrics.emax_point_m, didt_a_per_s=didt_a_per_s)
    return FieldOverview(shell, section, depths, magnitude, metrics)


def parse_conductivities(text: str | None, option: str = "--conductivities") -> list[float] | None:
    """``"0.33,0.0132"`` (S/m, comma or semicolon separated) -> values, each > 0; None stays."""
    from tmslab.errors import InvalidValueError

    if text is None:
        return None
    try:
        values = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise InvalidValueError(f"{option} {text!r}: give comma-separated numbers in S/m") from None
    if not values or any(not v > 0 for v in values):
        raise InvalidValueError(f"{option} {text!r}: every value must be > 0 S/m")
    return values


def dish_rows(result, distance_m: float, n_triangles: int) -> list[tuple[str, str]]:
    """(label, value) rows of a :class:`~tmslab.efield.bem.dish.DishField` for a person."""
    s, f, r = result.stats, result.free_space_stats, result.ratio

    def three(d: dict[str, float], spec: str, unit: str = "") -> str:
        return " / ".join(format(d[k], spec) for k in ("mean", "median", "max")) + unit

    return [
        ("cell layer", f"z = {result.cell_layer_z_m * 1e3:.3g} mm, {len(result.points)} points"),
        ("coil face", f"{distance_m * 1e3:g} mm above the medium surface"),
        ("|E| mean / median / max", three(s, ".4g", " V/m")),
        ("free space mean / median / max", three(f, ".4g", " V/m")),
        ("ratio mean / median / max", three(r, ".3g")),
        ("dI/dt", f"{result.didt_a_per_s:.4g} A/s"),
        ("mesh", f"{n_triangles} triangles, {result.solution.iterations} GMRES iterations"),
    ]


def parse_target(text: str) -> str | float:
    """A target: a length with a unit (``"2.5mm"``) becomes metres; anything else is a name."""
    from tmslab.errors import InvalidValueError
    from tmslab.units import parse_quantity, split_quantity

    try:
        _, suffix = split_quantity(text)
    except InvalidValueError:
        return text  # a target name
    return parse_quantity(text, "m") if suffix else text


def metrics_rows(metrics, didt_a_per_s: float) -> list[tuple[str, str]]:
    """(label, value) rows of a FieldMetrics at ``didt_a_per_s`` for a person (cm, cm^2, cm^3)."""
    m = metrics
    return [
        ("E_max", f"{m.emax:.4g} V/m at dI/dt {didt_a_per_s:.4g} A/s"),
        ("d_1/2", f"{m.d_half_m * 100:.3f} cm"),
        ("V_1/2", f"{m.v_half_m3 * 1e6:.3f} cm^3"),
        ("S_1/2", f"{m.s_half_m2 * 1e4:.2f} cm^2"),
    ]


def translation_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of a :func:`tmslab.efield.translate.translate` result for a person."""
    from tmslab.units import A_PER_US

    rows = [("matched |E| at target", f"{result['matched_efield_v_per_m']:.4g} V/m")]
    for label in ("source", "destination"):
        x = result[label]
        pct = f", {x['pct_mso']:.3g} % MSO" if x["pct_mso"] is not None else ""
        rows += [
            (label, f"{x['species']} / {x['coil']} / {x['target']}"),
            (
                "  intensity",
                f"{x['peak_b_t']:.4g} T, {x['didt_a_per_s'] / A_PER_US:.4g} A/us, "
                f"{x['peak_current_a']:.4g} A{pct}",
            ),
            (
                "  E_max; d_1/2; S_1/2",
                f"{x['emax_v_per_m']:.4g} V/m; {x['d_half_m'] * 100:.3g} cm; "
                f"{x['s_half_m2'] * 1e4:.3g} cm^2",
            ),
        ]
    return [
        *rows,
        ("d_1/2 ratio (dest/source)", f"{result['d_half_ratio']:.3g}"),
        ("S_1/2 ratio (dest/source)", f"{result['s_half_ratio']:.3g}"),
    ]


def conductor_rows() -> list[dict[str, str]]:
    """The conductor presets of the numerical solver: name, label and source of each."""
    from tmslab.conductors import list_conductors
    from tmslab.conductors.dishes import vessel_presets
    from tmslab.conductors.library import head_presets

    rows = []
    vessels, heads = vessel_presets(), head_presets()
    for name in list_conductors():
        base = name.split(":")[0]
        spec = vessels.get(base) or heads.get(base) or {}
        label = spec.get("label", "sphere of the given radius (sphere-<R>mm[/<R2>mm...])")
        if name.endswith(":one"):
            label += ", one well"
        rows.append({"name": name, "label": label, "source": spec.get("citation", "")})
    return rows


def dish_dataset(result, summary: dict[str, Any]):
    """A dish result as a points dataset (E and the free-space E, V/m) with ``summary``'s
    plain values as attributes."""
    from tmslab.io.fields import points_dataset

    attrs = {k: v for k, v in summary.items() if not isinstance(v, dict)}
    ds = points_dataset(result.points, result.efield, **attrs)
    ds["E_free_space"] = (("point", "component"), result.free_space, {"units": "V/m"})
    return ds


@dataclass(frozen=True, eq=False)
class PointField:
    """E at points, as written by :func:`sphere_points` and :func:`conductor_points`.

    points : (N, 3) m; efield : (N, 3) V/m; triangles, iterations : of the boundary-element
    solution (None for the analytic sphere).
    """

    points: np.ndarray
    efield: np.ndarray
    triangles: int | None = None
    iterations: int | None = None

    def message(self, out) -> str:
        """``wrote OUT (N points, ..., max |E| ... V/m)``."""
        solver = f"{self.triangles} triangles, {self.iterations} GMRES iterations, "
        peak = np.linalg.norm(self.efield, axis=1).max()
        extra = solver if self.triangles is not None else ""
        return f"wrote {out} ({len(self.points)} points, {extra}max |E| {peak:.4g} V/m)"


def sphere_points(
    placed, head, points_file, out, didt_a_per_s: float, meta: dict[str, Any]
) -> PointField:
    """E of a placed coil in a sphere head at the points of ``points_file``
    (:func:`tmslab.io.points.read_points`), written to ``out`` (.csv, or .nc with the
    attributes ``meta``); fields at ``didt_a_per_s``."""
    from tmslab.efield.sphere import sphere_efield
    from tmslab.io.fields import write_point_field
    from tmslab.io.points import read_points

    p = read_points(points_file)
    e = sphere_efield(placed, p, head, didt_a_per_s)
    write_point_field(out, p, e, **meta)
    return PointField(p, e)


def conductor_points(
    make_conductor: Callable[[], Any],
    coil: str,
    points_file,
    out,
    didt_a_per_s: float,
    *,
    pose: str | None = None,
    pose_unit: str | None = None,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
) -> PointField:
    """E of coil ``coil`` at the points of ``points_file`` inside a meshed conductor (boundary
    elements with fast multipoles), written to ``out`` (.csv or .nc).

    Everything that can be refused is checked before the (slow) meshing and solving: the pose
    file, the points; then the points against the mesh. ``make_conductor`` meshes the
    conductor; the coil is placed by :func:`tmslab.efield.placing.coil_over_conductor`.
    """
    from tmslab.efield.bem import solve
    from tmslab.efield.bem.evaluate import check_field_points
    from tmslab.efield.placing import coil_over_conductor
    from tmslab.efield.sphere import check_points
    from tmslab.io.fields import write_point_field
    from tmslab.io.points import read_points
    from tmslab.io.pose import read_pose

    if pose and pose != "identity":  # read (and refuse) the pose before meshing
        read_pose(pose, pose_unit)
    p = check_points(read_points(points_file))
    model = make_conductor()
    check_field_points(model, p)  # inside, and off every boundary, before solving
    kw = dict(distance_m=distance_m, handle_angle_deg=handle_angle_deg, pose_unit=pose_unit)
    solution = solve(model, coil_over_conductor(coil, model, pose, **kw), didt_a_per_s)
    e = solution.efield(p, check=False)
    n, its = model.n_triangles, solution.iterations
    meta = dict(conductor=model.name, coil=coil, didt_a_per_s=didt_a_per_s)
    meta.update(points_file=str(points_file), triangles=n, gmres_iterations=its)
    write_point_field(out, p, e, **meta)
    return PointField(p, e, n, its)


def dish_layer(
    coil: str,
    make_conductor: Callable[[], Any],
    distance_m: float,
    handle_angle_deg: float,
    didt_a_per_s: float,
    n_points: int,
):
    """|E| in the cell layer of a dish, plate or insert (:func:`tmslab.efield.bem.dish_field`).

    The gap ``distance_m`` (m, >= 0) and the grid (``n_points`` >= 3 across the layer, within
    the point-field budget) are checked before ``make_conductor`` meshes the vessel.
    Returns the :class:`~tmslab.efield.bem.dish.DishField` and the conductor.
    """
    from tmslab import budgets
    from tmslab.coils import load_coil
    from tmslab.efield.bem import dish_field
    from tmslab.errors import InvalidValueError

    if not 0 <= distance_m < float("inf"):
        given_mm = float(f"{distance_m * 1e3:.15g}")  # the number typed, without float noise
        raise InvalidValueError(f"--distance = {given_mm!r} mm is not allowed; give a gap >= 0 mm")
    if n_points < 3:
        raise InvalidValueError(
            f"--n-points {n_points} is not allowed; give 3 or more grid points across the layer"
        )
    unplaced = load_coil(coil)
    # The grid is known before meshing: an oversized one is refused now, not after the mesh.
    budgets.check(budgets.point_field(n_points**2 * 0.785, unplaced.n_dipoles, hint="--n-points"))
    model = make_conductor()
    kw = dict(didt_a_per_s=didt_a_per_s, n=n_points)
    return dish_field(unplaced, model, distance_m, handle_angle_deg, **kw), model
