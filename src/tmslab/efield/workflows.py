"""The field commands' workflows as functions: field maps of a placed coil, a conductor's field
at points, and the rows a person reads for a dish result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tmslab.units import CM2_PER_M2, CM3_PER_M3, CM_PER_M, MM_PER_M


@dataclass(frozen=True, eq=False)
class SphereSetup:
    """A coil placed over a spherical head, and the checked dI/dt (:func:`sphere_setup`).

    Attributes
    ----------
    coil : Coil
        Placed in the head's frame.
    head : SphereHead
        The head.
    didt_a_per_s : float, A/s
        Peak dI/dt, > 0.
    """

    coil: Any
    head: Any
    didt_a_per_s: float


def sphere_setup(
    coil: str,
    head: str,
    didt_a_per_s: float,
    pose: str | None = None,
    *,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
    pose_unit: str | None = None,
) -> SphereSetup:
    """The head, the dI/dt and the coil of the sphere-head field commands, checked in that order.

    Parameters
    ----------
    coil : str
        Preset name, .ccd/.tcd file or coil TOML file.
    head : str
        Head preset (human, rat, mouse) or radius (:func:`tmslab.conductors.sphere.resolve_head`).
    didt_a_per_s : float, A/s
        Peak dI/dt, > 0 (named ``--didt``).
    pose : str, optional
        ``"identity"``, a pose file or None for the default placement
        (:func:`tmslab.efield.placing.coil_over_sphere`).
    distance_m : float, m
        Scalp to coil face for the default pose.
    handle_angle_deg : float, degrees
        Handle rotation about the coil axis for the default pose.
    pose_unit : str, optional
        ``"mm"`` or ``"m"`` for the pose file's translation.

    Returns
    -------
    SphereSetup
    """
    from tmslab.conductors.sphere import resolve_head
    from tmslab.efield.placing import coil_over_sphere
    from tmslab.errors import check_positive

    model = resolve_head(head)
    didt = check_positive("--didt", didt_a_per_s, "A/s")
    kw = dict(distance_m=distance_m, handle_angle_deg=handle_angle_deg, pose_unit=pose_unit)
    return SphereSetup(coil_over_sphere(coil, model, pose, **kw), model, didt)


@dataclass(frozen=True, eq=False)
class FieldOverview:
    """|E| maps of a placed coil in a sphere head (:func:`field_overview`).

    Attributes
    ----------
    shell : xarray.Dataset
        E on the shell at the requested depth.
    section : xarray.Dataset or None
        The yz cross-section (None when only the shell was asked for).
    depths_m : (K,) ndarray, m, optional
        Depth below the brain surface under the field's maximum.
    magnitude : (K,) ndarray, V/m, optional
        |E| at ``depths_m``.
    metrics : FieldMetrics or None
        The head's field metrics (:func:`tmslab.efield.metrics.field_metrics`).
    """

    shell: Any
    section: Any = None
    depths_m: np.ndarray | None = None
    magnitude: np.ndarray | None = None
    metrics: Any = None


def field_overview(
    placed, head, depth_m: float, didt_a_per_s: float, shell_only: bool = False
) -> FieldOverview:
    """Shell map ``depth_m`` below the brain surface and, unless ``shell_only``, the yz
    section, the depth profile under the maximum and the metrics; fields at ``didt_a_per_s``.

    Parameters
    ----------
    placed : Coil
        The coil, placed in the head's frame.
    head : SphereHead
        The head.
    depth_m : float, m
        Depth of the shell below the brain surface.
    didt_a_per_s : float, A/s
        Peak dI/dt the fields are computed at.
    shell_only : bool
        Only the shell map (for a netCDF file).

    Returns
    -------
    FieldOverview
    """
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
    """``"0.33,0.0132"`` (S/m, comma or semicolon separated) -> values, each > 0; None stays.

    Parameters
    ----------
    text : str or None
        Conductivities in S/m, comma or semicolon separated.
    option : str
        The option named in error messages.

    Returns
    -------
    list of float, S/m, or None
    """
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


def conductor_from_options(
    name: str,
    conductivities: str | None = None,
    edge_m: float | None = None,
    medium_height_m: float | None = None,
    mesh_unit: str | None = None,
):
    """A conductor preset or mesh file, meshed, from the field commands' options.

    Parameters
    ----------
    name : str
        Preset name, ``sphere-<R>mm`` or a mesh file (:func:`tmslab.conductors.get_conductor`).
    conductivities : str or None
        Comma-separated S/m (:func:`parse_conductivities`; named ``--conductivities``).
    edge_m : float or None, m
        Target mesh edge length, > 0 (named ``--edge-mm``).
    medium_height_m : float or None, m
        Medium height of dishes, plates and inserts, > 0 (named ``--medium-height-mm``).
    mesh_unit : str or None
        Length unit of a mesh file, ``"mm"`` or ``"m"`` (:func:`~tmslab.conductors.mesh_io.mesh_unit_m`).

    Returns
    -------
    Conductor
    """
    from tmslab.conductors import get_conductor
    from tmslab.conductors.mesh_io import mesh_unit_m
    from tmslab.errors import check_positive

    unit_m = mesh_unit_m(mesh_unit)
    for option, length_m in (("--edge-mm", edge_m), ("--medium-height-mm", medium_height_m)):
        if length_m is not None:  # named in mm, as typed (no float noise)
            check_positive(option, float(f"{length_m * MM_PER_M:.15g}"), "mm")
    return get_conductor(
        name,
        medium_height_m=medium_height_m,
        edge_m=edge_m,
        conductivities=parse_conductivities(conductivities),
        mesh_unit_m=unit_m,
    )


def dish_rows(result, distance_m: float, n_triangles: int) -> list[tuple[str, str]]:
    """(label, value) rows of a :class:`~tmslab.efield.bem.dish.DishField` for a person.

    Parameters
    ----------
    result : DishField
        The field in the dish's cell layer.
    distance_m : float, m
        Gap between the medium surface and the coil face.
    n_triangles : int
        Triangles of the vessel's mesh.

    Returns
    -------
    list of (str, str)
        Lengths in mm, fields in V/m, dI/dt in A/s.
    """
    s, f, r = result.stats, result.free_space_stats, result.ratio

    def three(d: dict[str, float], spec: str, unit: str = "") -> str:
        return " / ".join(format(d[k], spec) for k in ("mean", "median", "max")) + unit

    return [
        (
            "cell layer",
            f"z = {result.cell_layer_z_m * MM_PER_M:.3g} mm, {len(result.points)} points",
        ),
        ("coil face", f"{distance_m * MM_PER_M:g} mm above the medium surface"),
        ("|E| mean / median / max", three(s, ".4g", " V/m")),
        ("free space mean / median / max", three(f, ".4g", " V/m")),
        ("ratio mean / median / max", three(r, ".3g")),
        ("dI/dt", f"{result.didt_a_per_s:.4g} A/s"),
        ("mesh", f"{n_triangles} triangles, {result.solution.iterations} GMRES iterations"),
    ]


def parse_target(text: str) -> str | float:
    """A target: a length with a unit (``"2.5mm"``) becomes metres; anything else is a name.

    Parameters
    ----------
    text : str
        A target name or a depth with a length unit.

    Returns
    -------
    str or float, m
        The name, or the depth in metres.
    """
    from tmslab.errors import InvalidValueError
    from tmslab.units import parse_quantity, split_quantity

    try:
        _, suffix = split_quantity(text)
    except InvalidValueError:
        return text  # a target name
    return parse_quantity(text, "m") if suffix else text


def metrics_rows(metrics, didt_a_per_s: float) -> list[tuple[str, str]]:
    """(label, value) rows of a FieldMetrics at ``didt_a_per_s`` for a person (cm, cm^2, cm^3).

    Parameters
    ----------
    metrics : FieldMetrics
        SI metrics (:func:`tmslab.efield.metrics.field_metrics`).
    didt_a_per_s : float, A/s
        The dI/dt the metrics were computed at.

    Returns
    -------
    list of (str, str)
    """
    m = metrics
    return [
        ("E_max", f"{m.emax:.4g} V/m at dI/dt {didt_a_per_s:.4g} A/s"),
        ("d_1/2", f"{m.d_half_m * CM_PER_M:.3f} cm"),
        ("V_1/2", f"{m.v_half_m3 * CM3_PER_M3:.3f} cm^3"),
        ("S_1/2", f"{m.s_half_m2 * CM2_PER_M2:.2f} cm^2"),
    ]


def translation_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of a :func:`tmslab.efield.translate.translate` result for a person.

    Parameters
    ----------
    result : dict
        The translation, SI values (V/m, T, A/s, A, m, m^2).

    Returns
    -------
    list of (str, str)
        dI/dt in A/us, d_1/2 in cm, S_1/2 in cm^2.
    """
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
                f"{x['emax_v_per_m']:.4g} V/m; {x['d_half_m'] * CM_PER_M:.3g} cm; "
                f"{x['s_half_m2'] * CM2_PER_M2:.3g} cm^2",
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
    plain values as attributes.

    Parameters
    ----------
    result : DishField
        The field in the dish's cell layer.
    summary : dict
        Its summary; values that are not dicts become attributes.

    Returns
    -------
    xarray.Dataset
    """
    from tmslab.io.fields import points_dataset

    attrs = {k: v for k, v in summary.items() if not isinstance(v, dict)}
    ds = points_dataset(result.points, result.efield, **attrs)
    ds["E_free_space"] = (("point", "component"), result.free_space, {"units": "V/m"})
    return ds


@dataclass(frozen=True, eq=False)
class PointField:
    """E at points, as written by :func:`sphere_points` and :func:`conductor_points`.

    Attributes
    ----------
    points : (N, 3) ndarray, m
        The points.
    efield : (N, 3) ndarray, V/m
        E at the points.
    triangles, iterations : int or None
        Mesh size and GMRES iterations of the boundary-element solution (None for the
        analytic sphere).
    """

    points: np.ndarray
    efield: np.ndarray
    triangles: int | None = None
    iterations: int | None = None

    def message(self, out) -> str:
        """``wrote OUT (N points, ..., max |E| ... V/m)``.

        Parameters
        ----------
        out : str or Path
            The file written.

        Returns
        -------
        str
        """
        solver = f"{self.triangles} triangles, {self.iterations} GMRES iterations, "
        peak = np.linalg.norm(self.efield, axis=1).max()
        extra = solver if self.triangles is not None else ""
        return f"wrote {out} ({len(self.points)} points, {extra}max |E| {peak:.4g} V/m)"


def sphere_points(
    placed, head, points_file, out, didt_a_per_s: float, meta: dict[str, Any]
) -> PointField:
    """E of a placed coil in a sphere head at the points of ``points_file``, written to
    ``out``.

    Parameters
    ----------
    placed : Coil
        The coil, placed in the head's frame.
    head : SphereHead
        The head.
    points_file : str or Path
        Points in the head's frame (:func:`tmslab.io.points.read_points`).
    out : str or Path
        .csv, or .nc with the attributes ``meta``.
    didt_a_per_s : float, A/s
        Peak dI/dt the field is computed at.
    meta : dict
        Attributes of a netCDF file.

    Returns
    -------
    PointField
    """
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
    file, the points; then the points against the mesh.

    Parameters
    ----------
    make_conductor : callable
        Meshes the conductor (called once the cheap checks pass).
    coil : str
        Preset name, .ccd/.tcd file or coil TOML file, placed by
        :func:`tmslab.efield.placing.coil_over_conductor`.
    points_file : str or Path
        Points in the conductor's frame (:func:`tmslab.io.points.read_points`).
    out : str or Path
        .csv or .nc file written.
    didt_a_per_s : float, A/s
        Peak dI/dt the field is computed at.
    pose : str, optional
        ``"identity"``, a pose file or None for the default placement.
    pose_unit : str, optional
        ``"mm"`` or ``"m"`` for the pose file's translation (default: the file's).
    distance_m : float, m
        Top of the conductor to coil face for the default placement.
    handle_angle_deg : float, degrees
        Handle rotation about the coil axis for the default placement.

    Returns
    -------
    PointField
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

    The gap and the grid are checked before ``make_conductor`` meshes the vessel.

    Parameters
    ----------
    coil : str
        Preset name, .ccd/.tcd file or coil TOML file.
    make_conductor : callable
        Meshes the vessel (called once the cheap checks pass).
    distance_m : float, m
        Gap between the medium surface and the coil face, >= 0.
    handle_angle_deg : float, degrees
        Handle rotation about the coil axis.
    didt_a_per_s : float, A/s
        Peak dI/dt the field is computed at.
    n_points : int
        Grid points across the layer, >= 3 and within the point-field budget.

    Returns
    -------
    DishField
        The field in the cell layer.
    Conductor
        The meshed vessel.
    """
    from tmslab import budgets
    from tmslab.coils import load_coil
    from tmslab.efield.bem import dish_field
    from tmslab.errors import InvalidValueError

    if not 0 <= distance_m < float("inf"):
        given_mm = float(f"{distance_m * MM_PER_M:.15g}")  # the number typed, without float noise
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
