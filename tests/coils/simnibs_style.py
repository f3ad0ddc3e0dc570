"""Fixture generator: SimNIBS-style ``.ccd`` and ``.tcd`` files written from published geometry.

SimNIBS's own coil files are GPL and are not copied here. These generators follow their layout
byte for byte (header line, count line, the comment line, ``%.15e`` rows separated by one space,
``\\n`` line ends; the ``.tcd`` JSON keys of the SimNIBS 4 schema) and fill them with dipoles or
line elements computed here from the coils' published geometry:

Magstim 70 mm figure-8 (Thielscher & Kammer 2004, Clin Neurophysiol 115:1697-1708,
doi:10.1016/j.clinph.2004.02.019): per wing 9 turns between 56 and 87 mm diameter, wing
centres 90 mm apart, windings from 3 to 10 mm above the coil face, the current in the left wing
clockwise seen from the head side (moments along -z for x < 0).
"""

from __future__ import annotations

import base64
import itertools
import json
import zlib
from pathlib import Path

import numpy as np

LEGACY_HEADER = "# {stem}.ccd version 1.0 number of elements"
DRAKAKI_HEADER = (
    "# {stem}.ccd version 1.0 number of elements; dIdtmax={didt:.2f};x=-300,300;y=-200,200;"
    "z=-200,200;resolution=3;stimulator={stimulator};brand={brand};coilname={coilname};"
)
COMMENT = "# centers and weighted directions of the elements (magnetic dipoles)"

TURNS = 9
INNER_RADIUS_M = 0.028
OUTER_RADIUS_M = 0.0435
WING_CENTRE_X_M = 0.045
LAYER_Z_M = (-0.0041666, -0.0065, -0.0088333)  # centres of 3 equal slabs from -3 to -10 mm


def fig8_dipoles(ring_step_m: float = 0.0036) -> tuple[np.ndarray, np.ndarray]:
    """Dipoles of the Magstim 70 mm figure-8: polar rings per wing and layer, each ring's moment
    the exact area-weighted count of turns enclosing it (m^2 per A), split over its nodes."""
    turn_radii = np.linspace(INNER_RADIUS_M, OUTER_RADIUS_M, TURNS)
    n_rings = int(np.ceil(OUTER_RADIUS_M / ring_step_m))
    edges = np.linspace(0.0, OUTER_RADIUS_M, n_rings + 1)
    positions, moments = [], []
    for sign, centre_x in ((-1.0, -WING_CENTRE_X_M), (1.0, WING_CENTRE_X_M)):
        for z in LAYER_Z_M:
            for inner, outer in itertools.pairwise(edges):
                clipped = np.clip(turn_radii, inner, outer)
                moment = np.pi * np.sum(clipped**2 - inner**2) / len(LAYER_Z_M)
                rho = 0.5 * (inner + outer)
                n_phi = max(6, round(2 * np.pi * rho / ring_step_m))
                phi = (np.arange(n_phi) + 0.5) * 2 * np.pi / n_phi
                xy = np.column_stack([centre_x + rho * np.cos(phi), rho * np.sin(phi)])
                positions.append(np.column_stack([xy, np.full(n_phi, z)]))
                m = np.zeros((n_phi, 3))
                m[:, 2] = sign * moment / n_phi
                moments.append(m)
    return np.concatenate(positions), np.concatenate(moments)


def ccd_bytes(positions: np.ndarray, moments: np.ndarray, header: str) -> bytes:
    """A ``.ccd`` in SimNIBS's layout: header, count, comment, ``%.15e`` rows."""
    rows = np.hstack([positions, moments])
    lines = [header, str(len(rows)), COMMENT]
    lines += [" ".join(f"{v:.15e}" for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def write_fig8_ccd(path: Path, style: str = "drakaki") -> Path:
    """Write the Magstim 70 mm figure-8 fixture; style "legacy" (no key=value fields, as in
    SimNIBS's legacy_and_other/) or "drakaki" (dIdtmax and names, as Drakaki_BrainStim_2022/)."""
    positions, moments = fig8_dipoles()
    stem = Path(path).stem
    if style == "legacy":
        header = LEGACY_HEADER.format(stem=stem)
    else:
        header = DRAKAKI_HEADER.format(
            stem=stem, didt=114.73, stimulator="Magstim Rapid", brand="Magstim", coilname="70mm"
        )
    Path(path).write_bytes(ccd_bytes(positions, moments, header))
    return Path(path)


def encode(array: np.ndarray, dtype: type = np.float64) -> str:
    """SimNIBS's binary array encoding: base64 of zlib-compressed little-endian numbers."""
    return base64.b64encode(
        zlib.compress(np.ascontiguousarray(array, dtype=dtype).tobytes())
    ).decode()


def fig8_polyline(points_per_turn: int = 72) -> list[np.ndarray]:
    """The figure-8 as one closed current path per wing and layer, metres: 9 circular turns
    joined radially (a planar spiral approximated by circles and short radial links)."""
    turn_radii = np.linspace(INNER_RADIUS_M, OUTER_RADIUS_M, TURNS)
    phi = np.arange(points_per_turn) * 2 * np.pi / points_per_turn
    loops = []
    for sign, centre_x in ((-1.0, -WING_CENTRE_X_M), (1.0, WING_CENTRE_X_M)):
        for z in LAYER_Z_M:
            for radius in turn_radii:
                angle = -sign * phi  # clockwise seen from +z for the left wing (moment -z)
                ring = np.column_stack(
                    [
                        centre_x + radius * np.cos(angle),
                        radius * np.sin(angle),
                        np.full_like(phi, z),
                    ]
                )
                loops.append(ring)
    return loops


def line_elements(loops: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """SimNIBS's type-2 elements of closed polylines: midpoints and segment vectors, metres."""
    mids, vectors = [], []
    for loop in loops:
        nxt = np.roll(loop, -1, axis=0)
        vectors.append(nxt - loop)
        mids.append(0.5 * (loop + nxt))
    return np.concatenate(mids), np.concatenate(vectors)


def tcd_dict(*, binary: bool = True, layers: int | None = None) -> dict:
    """A SimNIBS 4 ``.tcd`` of the figure-8 as line elements (mm), one stimulator, a casing box.

    The coil current runs through every loop of every layer (3 layers in series), so its field
    per ampere is 3 times that of the ``.ccd`` fixture, whose layers share the current.
    layers: keep only the first so many layers (default all 3).
    """
    loops = fig8_polyline()
    if layers is not None:
        loops = [loop for i, loop in enumerate(loops) if (i // TURNS) % len(LAYER_Z_M) < layers]
    mids, vectors = line_elements(loops)

    def arr(a: np.ndarray) -> object:
        return encode(a) if binary else a.tolist()

    box = np.array(
        [[x, y, z] for x in (-100, 100) for y in (-60, 60) for z in (-12, -2)], dtype=float
    )
    faces = np.array(
        [[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
         [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]]
    )  # fmt: skip
    time = np.linspace(0, 3e-4, 31)
    return {
        "name": "Fig8 fixture",
        "brand": "tmslab tests",
        "version": "1.0",
        "limits": [[-300.0, 300.0], [-200.0, 200.0], [-200.0, 200.0]],
        "resolution": [3.0, 3.0, 3.0],
        "coilCasing": 0,
        "coilElementList": [
            {
                "name": "figure_of_8",
                "stimulator": 0,
                "type": 2,
                "points": arr(mids * 1e3),
                "values": arr(vectors * 1e3),
            }
        ],
        "stimulatorList": [
            {
                "name": "Rapid",
                "brand": "Magstim",
                "maxdIdt": 114.73e6,
                "waveformList": [
                    {
                        "name": "biphasic",
                        "time": arr(time) if not binary else encode(time),
                        "signal": arr(np.abs(np.sin(time / 3e-4 * np.pi)))
                        if not binary
                        else encode(np.abs(np.sin(time / 3e-4 * np.pi))),
                    }
                ],
            }
        ],
        "coilModels": [
            {"points": arr(box), "faces": encode(faces, np.int64) if binary else faces.tolist()}
        ],
    }


def write_tcd(path: Path, data: dict) -> Path:
    Path(path).write_text(json.dumps(data))
    return Path(path)


if __name__ == "__main__":  # write the fixtures next to this file for inspection
    here = Path(__file__).parent
    write_fig8_ccd(here / "magstim_70mm_fig8_fixture.ccd")
    write_tcd(here / "fig8_fixture.tcd", tcd_dict())
