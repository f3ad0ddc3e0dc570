"""A coil's summary as rows a person reads (``tmslab coil show``, ``tmslab coil list``)."""

from __future__ import annotations

from typing import Any

from tmslab.units import A_PER_US, MM_PER_M, MT_PER_KA_PER_T_PER_A, MT_PER_T

_FILE_ROWS = (
    ("coilname", "coil name (file)"),
    ("brand", "brand (file)"),
    ("stimulator", "stimulator (file)"),
    ("format", "format"),
    ("file", "file"),
)


def list_row(info: dict[str, Any]) -> tuple[str, ...]:
    """Name, label, kind, dipoles, mT per kA, source (50 characters) of a coil summary.

    Parameters
    ----------
    info : dict
        A coil summary (:meth:`tmslab.coils.Coil.summary`); ``tesla_per_ampere`` is in T/A.

    Returns
    -------
    tuple of str
        The row of ``tmslab coil list``; B per current in mT/kA.
    """
    source = (info["source"] or {}).get("citation", "")[:50]
    mt_per_ka = f"{info['tesla_per_ampere'] * MT_PER_KA_PER_T_PER_A:.4g}"
    return info["name"], info["label"], info["kind"], str(info["n_dipoles"]), mt_per_ka, source


def _tcd_rows(tcd: dict[str, Any]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for e in tcd["elements"]:
        kind = {1: "dipoles", 2: "line elements"}[e["type"]]
        moved = ", deformed" if e["deformed"] else ""
        rows.append((f"element {e['name']}", f"{e['count']} {kind}{moved}"))
    for s in tcd["stimulators"]:
        didt = f", {s['didt_max_a_per_s'] / A_PER_US:.5g} A/us" if s["didt_max_a_per_s"] else ""
        waves = ", ".join(w["name"] or "unnamed" for w in s["waveforms"])
        text = f"{s['brand'] or ''} {s['name'] or ''}{didt}".strip()
        rows.append(("stimulator", text + (f"; waveforms: {waves}" if waves else "")))
    if tcd["casing"]:
        c = tcd["casing"]
        size = [
            round((hi - lo) * MM_PER_M, 1) for lo, hi in zip(c["min_m"], c["max_m"], strict=True)
        ]
        rows.append(("casing", f"{c['n_faces']} triangles, {size} mm (x, y, z)"))
    return rows


def show_rows(info: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) rows of a coil summary: geometry, the header of a SimNIBS file, dipoles,
    B per ampere at the reference point, source.

    Parameters
    ----------
    info : dict
        A coil summary (:meth:`tmslab.coils.Coil.summary`): SI values (m, A/s, T/A).

    Returns
    -------
    list of (str, object)
        The rows of ``tmslab coil show``; dI/dt in A/us, sizes in mm, B per ampere in mT/A.
    """
    params = dict(info["parameters"])
    rows = [("label", info["label"]), ("kind", info["kind"])]
    rows += [(title, params.pop(key)) for key, title in _FILE_ROWS if key in params]
    params.pop("didt_max_a_per_s", None)
    ccd, tcd = params.pop("ccd_header", None), params.pop("tcd", None)
    rows += list(params.items())
    if info["didt_max_a_per_s"] is not None:
        didt = info["didt_max_a_per_s"] / A_PER_US
        rows.append(("peak dI/dt at 100 % MSO (file)", f"{didt:.5g} A/us"))
    if ccd:
        shown = {"dIdtmax", "coilname", "brand", "stimulator"}
        rows += [(f"header {k}", v) for k, v in ccd["fields"].items() if k not in shown]
    if tcd:
        rows += _tcd_rows(tcd)
    rows += [
        ("dipoles", info["n_dipoles"]),
        ("windings (filaments)", info["n_windings"]),
        ("B per ampere at the reference point", f"{info['tesla_per_ampere'] * MT_PER_T:.4g} mT/A"),
    ]
    if info["source"]:
        rows.append(("source", f"{info['source']['citation']} doi:{info['source']['doi']}"))
    return rows
