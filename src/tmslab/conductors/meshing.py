"""Closed triangle surfaces made by Gmsh (spheres, ellipsoids, cylinders) and an icosphere.

Every function returns ``(vertices (V, 3) m, triangles (T, 3) int)``, closed and oriented
outwards, with a target edge length ``edge_m``. Gmsh is imported inside the functions (it is
heavy and needs system GL libraries); :func:`icosphere` needs nothing but NumPy.
"""

from __future__ import annotations

import numpy as np

from tmslab import budgets
from tmslab.errors import InvalidValueError, check_positive
from tmslab.units import MM


def _orient_outward(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    c = vertices[triangles]
    volume = np.einsum("ij,ij->i", c[:, 0], np.cross(c[:, 1], c[:, 2])).sum()
    return triangles if volume > 0 else triangles[:, ::-1].copy()


def _refine_flat_curves(gmsh, fine_mm: float, coarse_mm: float, reach_mm: float) -> None:
    """Grade the mesh size from ``fine_mm`` on the model's planar curves (rims) to coarse."""
    rims = []
    for dim, tag in gmsh.model.getEntities(1):
        box = gmsh.model.getBoundingBox(dim, tag)
        if abs(box[5] - box[2]) < 1e-3:  # a curve in a horizontal plane (mm): a rim, not a seam
            rims.append(tag)
    distance = gmsh.model.mesh.field.add("Distance")
    gmsh.model.mesh.field.setNumbers(distance, "CurvesList", rims)
    gmsh.model.mesh.field.setNumber(distance, "Sampling", 400)
    threshold = gmsh.model.mesh.field.add("Threshold")
    gmsh.model.mesh.field.setNumber(threshold, "InField", distance)
    gmsh.model.mesh.field.setNumber(threshold, "SizeMin", fine_mm)
    gmsh.model.mesh.field.setNumber(threshold, "SizeMax", coarse_mm)
    gmsh.model.mesh.field.setNumber(threshold, "DistMin", 0.5 * fine_mm)
    gmsh.model.mesh.field.setNumber(threshold, "DistMax", reach_mm)
    gmsh.model.mesh.field.setAsBackgroundMesh(threshold)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)


def _gmsh_surface(
    build,
    edge_m: float,
    rim_edge_m: float | None = None,
    rim_reach_m: float | None = None,
    *,
    area_m2: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``build(occ)`` (in millimetres) in a fresh Gmsh model and mesh its boundary.

    rim_edge_m: if given, the edge length on planar curves (a cylinder's rims), graded to
    ``edge_m`` over ``rim_reach_m`` (m). area_m2: the surface's area, m^2, for the budget check
    (an edge far below the size would mesh for hours).
    """
    try:
        import gmsh
    except (ImportError, OSError) as error:  # OSError: missing system GL libraries
        raise InvalidValueError(
            f"Gmsh cannot be loaded ({error}); install the gmsh package and its system "
            "libraries (libglu1-mesa libxcursor1 libxft2 libxinerama1)"
        ) from None
    edge_mm = check_positive("mesh edge length", edge_m, "m") / MM
    budgets.check(
        budgets.bem(budgets.triangles_for(area_m2, edge_m), hint="the mesh edge (--edge-mm)")
    )
    started_here = not gmsh.isInitialized()
    if started_here:
        gmsh.initialize(["-nopopup"], readConfigFiles=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.Verbosity", 0)
        gmsh.model.add("tmslab-surface")
        build(gmsh.model.occ)
        gmsh.model.occ.synchronize()
        gmsh.option.setNumber("Mesh.MeshSizeMax", edge_mm)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        if rim_edge_m is None:
            gmsh.option.setNumber("Mesh.MeshSizeMin", 0.5 * edge_mm)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 1)
        else:
            fine = min(rim_edge_m / MM, edge_mm)
            reach = (rim_reach_m or 4 * edge_m) / MM
            gmsh.option.setNumber("Mesh.MeshSizeMin", 0.5 * fine)
            _refine_flat_curves(gmsh, fine, edge_mm, reach)
        gmsh.option.setNumber("Mesh.Algorithm", 6)  # Frontal-Delaunay: near-equilateral
        gmsh.model.mesh.generate(2)
        tags, coords, _ = gmsh.model.mesh.getNodes()
        _, _, element_nodes = gmsh.model.mesh.getElements(2)
    finally:
        gmsh.model.remove()
        if started_here:
            gmsh.finalize()
    coords = np.asarray(coords).reshape(-1, 3) * MM
    lookup = np.full(int(np.max(tags)) + 1, -1, dtype=np.int64)
    lookup[np.asarray(tags, dtype=np.int64)] = np.arange(len(tags))
    triangles = lookup[np.concatenate([np.asarray(e, dtype=np.int64) for e in element_nodes])]
    triangles = triangles.reshape(-1, 3)
    used, triangles = np.unique(triangles, return_inverse=True)
    vertices = coords[used]
    triangles = triangles.reshape(-1, 3)
    return vertices, _orient_outward(vertices, triangles)


def sphere_surface(
    radius_m: float, edge_m: float, centre_m=(0.0, 0.0, 0.0)
) -> tuple[np.ndarray, np.ndarray]:
    """Gmsh triangulation of a sphere.

    Parameters
    ----------
    radius_m : float, m
        Radius.
    edge_m : float, m
        Target edge length.
    centre_m : (3,) array_like, m
        Centre.

    Returns
    -------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices, outward orientation.
    """
    r = check_positive("sphere radius", radius_m, "m") / MM
    x, y, z = np.asarray(centre_m, dtype=float) / MM
    area = 4 * np.pi * (r * MM) ** 2
    return _gmsh_surface(lambda occ: occ.addSphere(x, y, z, r), edge_m, area_m2=area)


def ellipsoid_surface(
    semi_axes_m, edge_m: float, centre_m=(0.0, 0.0, 0.0)
) -> tuple[np.ndarray, np.ndarray]:
    """Gmsh triangulation of an axis-aligned ellipsoid.

    Parameters
    ----------
    semi_axes_m : (3,) array_like, m
        Semi-axes along x, y, z.
    edge_m : float, m
        Target edge length.
    centre_m : (3,) array_like, m
        Centre.

    Returns
    -------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices, outward orientation.
    """
    axes = [check_positive("ellipsoid semi-axis", a, "m") / MM for a in semi_axes_m]
    if len(axes) != 3:
        raise InvalidValueError(f"an ellipsoid needs three semi-axes; got {len(axes)}")
    x, y, z = np.asarray(centre_m, dtype=float) / MM
    base = min(axes)

    def build(occ):
        tag = occ.addSphere(0, 0, 0, base)
        occ.dilate([(3, tag)], 0, 0, 0, axes[0] / base, axes[1] / base, axes[2] / base)
        occ.translate([(3, tag)], x, y, z)

    # Knud Thomsen's approximation of an ellipsoid's area (within 1.1 %).
    a, b, c = (v * MM for v in axes)
    p = 1.6075
    area = 4 * np.pi * (((a * b) ** p + (a * c) ** p + (b * c) ** p) / 3) ** (1 / p)
    return _gmsh_surface(build, edge_m, area_m2=area)


def cylinder_surface(
    radius_m: float,
    height_m: float,
    edge_m: float,
    base_centre_m=(0.0, 0.0, 0.0),
    rim_edge_m: float | None = None,
    rim_reach_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gmsh triangulation of a closed cylinder along z from its base centre upwards.

    Parameters
    ----------
    radius_m, height_m : float, m
        Radius and height.
    edge_m : float, m
        Target edge length.
    base_centre_m : (3,) array_like, m
        Centre of the base.
    rim_edge_m : float or None, m
        Finer edge length at the two rims, where the surface charge is singular, graded to
        ``edge_m`` over ``rim_reach_m``; None: uniform.
    rim_reach_m : float or None, m
        Distance of that grading; None: 4 edges.

    Returns
    -------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices, outward orientation.
    """
    r = check_positive("cylinder radius", radius_m, "m") / MM
    h = check_positive("cylinder height", height_m, "m") / MM
    x, y, z = np.asarray(base_centre_m, dtype=float) / MM
    area = 2 * np.pi * r * (r + h) * MM**2
    return _gmsh_surface(
        lambda occ: occ.addCylinder(x, y, z, 0, 0, h, r),
        edge_m,
        rim_edge_m,
        rim_reach_m,
        area_m2=area,
    )


def _midpoint(vertices: list, midpoints: dict, a: int, b: int) -> int:
    """Index of the unit vector halfway between vertices a and b (appended once)."""
    key = (min(a, b), max(a, b))
    if key not in midpoints:
        m = vertices[a] + vertices[b]
        vertices.append(m / np.linalg.norm(m))
        midpoints[key] = len(vertices) - 1
    return midpoints[key]


def icosphere(radius_m: float, subdivisions: int) -> tuple[np.ndarray, np.ndarray]:
    """Sphere by subdividing an icosahedron ``subdivisions`` times: ``20 * 4**n`` triangles.

    No Gmsh needed; vertices on the sphere, centred at the origin.

    Parameters
    ----------
    radius_m : float, m
        Radius.
    subdivisions : int
        Number of subdivisions n.

    Returns
    -------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices, outward orientation.
    """
    t = (1 + 5**0.5) / 2
    v = [[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
         [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]]  # fmt: skip
    f = [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4],
         [11, 10, 2], [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8],
         [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]]  # fmt: skip
    vertices = [np.array(p, float) / np.linalg.norm(p) for p in v]
    faces = np.array(f)
    for _ in range(int(subdivisions)):
        midpoints: dict[tuple[int, int], int] = {}
        new = []
        for a, b, c in faces:
            ab, bc, ca = (_midpoint(vertices, midpoints, i, j) for i, j in ((a, b), (b, c), (c, a)))
            new += [[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]
        faces = np.array(new)
    points = np.array(vertices) * radius_m
    return points, _orient_outward(points, faces)
