"""A small SimNIBS-style head mesh with junctions, written byte for byte in SimNIBS's layout.

Geometry (mm): white matter (tag 1) a ball of radius 50; grey matter (tag 2) the shell 50-60;
the shell 60-70 split at x = 0 into scalp (tag 5, x < 0) and bone (tag 4, x > 0). Two junction
circles: at r = 60 (GM, scalp, bone meet) and r = 70 (scalp, bone, air). Meshed with Gmsh (OCC
fragments, so the tetrahedra are conforming across all tissues).

The file follows ``simnibs/mesh_tools/mesh_io.py`` ``write_msh(mode='binary')``: ``$MeshFormat``
``2.2 1 8`` with the int32 1; ``$Nodes``: count, then per node int32 number and three float64
(no newline before ``$EndNodes``); ``$Elements``: count, then one block per element type
(triangles, then tetrahedra), each an int32 header (type, count, 2) and int32 rows (number, tag1,
tag2, nodes). Triangles as charm's ``reconstruct_unique_surface`` makes them: each face between
two tissues once, tagged 1000 + the tissue first in charm's hierarchy (1, 2, 9, 3, 4, 8, 7, 6,
10, 5), outer faces 1005, oriented out of the tissue of their tag (``fix_tr_node_ordering``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

R_WM, R_GM, R_OUT = 50.0, 60.0, 70.0
HIERARCHY = (1, 2, 9, 3, 4, 8, 7, 6, 10, 5)


def mesh_ball_head(size_mm: float = 8.0):
    """Tetrahedra of the split-shell head: nodes (N, 3) mm, tets (T, 4) 0-based, tags (T,)."""
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.model.add("ballhead")
        occ = gmsh.model.occ
        balls = [occ.addSphere(0, 0, 0, r) for r in (R_WM, R_GM, R_OUT)]
        box = occ.addBox(-100, -100, -100, 100, 200, 200)  # x < 0
        occ.fragment([(3, b) for b in balls], [(3, box)])
        occ.synchronize()
        groups: dict[int, list[int]] = {}
        drop = []
        for dim, tag in gmsh.model.getEntities(3):
            x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(dim, tag)
            extent = max(abs(x0), abs(x1), abs(y0), abs(y1))
            left = x1 < 1e-6
            if extent > R_OUT + 1:
                drop.append((dim, tag))
            elif extent > R_GM + 1:
                groups.setdefault(5 if left else 4, []).append(tag)
            elif extent > R_WM + 1:
                groups.setdefault(2, []).append(tag)
            else:
                groups.setdefault(1, []).append(tag)
        gmsh.model.removeEntities(drop, recursive=True)
        for tissue, tags in groups.items():
            gmsh.model.addPhysicalGroup(3, tags, tissue)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size_mm)
        gmsh.option.setNumber("Mesh.MeshSizeMin", 0.5 * size_mm)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.option.setNumber("Mesh.Algorithm3D", 1)
        gmsh.model.mesh.generate(3)
        node_tags, coords, _ = gmsh.model.mesh.getNodes()
        index = np.zeros(int(node_tags.max()) + 1, dtype=np.int64)
        index[node_tags.astype(np.int64)] = np.arange(len(node_tags))
        nodes = coords.reshape(-1, 3)
        tets, tags = [], []
        for tissue, entity_tags in groups.items():
            for entity in entity_tags:
                types, _, elem_nodes = gmsh.model.mesh.getElements(3, entity)
                for t, n in zip(types, elem_nodes, strict=True):
                    if t == 4:
                        tt = index[np.asarray(n, dtype=np.int64).reshape(-1, 4)]
                        tets.append(tt)
                        tags.append(np.full(len(tt), tissue))
    finally:
        gmsh.finalize()
    tets = np.concatenate(tets)
    used, inverse = np.unique(tets, return_inverse=True)
    return nodes[used], inverse.reshape(-1, 4), np.concatenate(tags)


def charm_triangles(nodes, tets, tags):
    """Boundary triangles as charm tags and orients them: (S, 3) 0-based nodes, (S,) tags."""
    faces = tets[:, [[0, 1, 2], [0, 3, 1], [0, 2, 3], [1, 3, 2]]].reshape(-1, 3)
    owner = np.repeat(np.arange(len(tets)), 4)
    key = np.sort(faces, axis=1)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    rank = {t: k for k, t in enumerate(HIERARCHY)}
    out_tri, out_tag = [], []
    other = np.full(len(first), -1)
    for f in range(len(faces)):
        u = inverse[f]
        if f != first[u]:
            other[u] = owner[f]
    for u, f in enumerate(first):
        a = tags[owner[f]]
        b = tags[other[u]] if other[u] >= 0 else 0
        if a == b:
            continue
        if b == 0:
            tissue, tet = 5, owner[f]
        else:
            tissue = a if rank.get(a, 99) < rank.get(b, 99) else b
            tet = owner[f] if tissue == a else other[u]
        tri = faces[f]
        c = nodes[tri]
        normal = np.cross(c[1] - c[0], c[2] - c[0])
        if normal @ (nodes[tets[tet]].mean(axis=0) - c.mean(axis=0)) > 0:
            tri = tri[[1, 0, 2]]  # SimNIBS swaps the first two nodes
        out_tri.append(tri)
        out_tag.append(1000 + tissue)
    return np.array(out_tri), np.array(out_tag)


def write_simnibs_msh(path, nodes, tets, tags, triangles=None, triangle_tags=None) -> Path:
    """Write nodes (mm) and elements as SimNIBS's ``write_msh(mode='binary')`` does."""
    path = Path(path)
    n_tri = 0 if triangles is None else len(triangles)
    with open(path, "wb") as f:
        f.write(b"$MeshFormat\n2.2 1 8\n")
        f.write(np.array(1, dtype="int32").tobytes())
        f.write(b"\n$EndMeshFormat\n")
        f.write(b"$Nodes\n")
        f.write(f"{len(nodes)}\n".encode("ascii"))
        number = np.arange(1, len(nodes) + 1, dtype="int32")[:, None]
        coords = np.ascontiguousarray(nodes, dtype="float64")
        rows = np.concatenate([number] + [coords[:, [i]].view("int32") for i in range(3)], axis=1)
        f.write(rows.tobytes())
        f.write(b"$EndNodes\n")
        f.write(b"$Elements\n")
        f.write(f"{n_tri + len(tets)}\n".encode("ascii"))
        if n_tri:
            f.write(np.array((2, n_tri, 2), "int32").tobytes())
            numbers = np.arange(1, n_tri + 1, dtype="int32")[:, None]
            t = np.asarray(triangle_tags, dtype="int32")[:, None]
            f.write(
                np.concatenate([numbers, t, t, triangles.astype("int32") + 1], axis=1).tobytes()
            )
        f.write(np.array((4, len(tets), 2), "int32").tobytes())
        numbers = np.arange(n_tri + 1, n_tri + len(tets) + 1, dtype="int32")[:, None]
        t = np.asarray(tags, dtype="int32")[:, None]
        f.write(np.concatenate([numbers, t, t, tets.astype("int32") + 1], axis=1).tobytes())
        f.write(b"$EndElements\n")
    return path


def write_ball_head(
    path, size_mm: float = 8.0, surfaces: bool = True, scale: float = 1.0, retag=None
):
    """Mesh and write the split-shell head; ``retag`` maps tissue tags (e.g. {2: 3}: no GM)."""
    nodes, tets, tags = mesh_ball_head(size_mm)
    if retag:
        tags = np.array([retag.get(int(t), int(t)) for t in tags])
    tri, tri_tags = charm_triangles(nodes, tets, tags) if surfaces else (None, None)
    return write_simnibs_msh(path, nodes * scale, tets, tags, tri, tri_tags)
