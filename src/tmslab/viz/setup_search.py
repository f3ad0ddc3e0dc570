"""Figure of the cross-species set-up search: relative depth against relative focality."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tmslab.units import MM_PER_M

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

_STYLE = {  # family -> (marker, colour, legend label)
    "preset": ("s", "tab:blue", "coil presets"),
    "round": ("o", "tab:orange", "parametric round"),
    "figure-8": ("^", "tab:green", "parametric figure-8"),
    "scaled": ("D", "tab:purple", "reference coil, scaled"),
    "custom": ("P", "tab:gray", "other coils"),
}


def plot_setup_search(search: Any, top: int = 5, title: str | None = None) -> Figure:
    """Every candidate's relative d_1/2 against relative S_1/2, the reference as a star.

    Parameters
    ----------
    search : SetupSearch
        :class:`tmslab.efield.setup_search.SetupSearch` (candidates ranked, reference, head).
    top : int
        How many of the best candidates to label with their rank.
    title : str or None
        Figure title (default: names the head and the reference).

    Returns
    -------
    matplotlib.figure.Figure
        Log-log axes: x = S_1/2 / brain surface area, y = d_1/2 / brain radius; hollow markers
        for set-ups beyond their stimulator's maximum.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 5.0))
    ax = fig.subplots()
    rel_d, rel_s, _ = search.reference.relative
    shown = set()
    for candidate in search.candidates:
        if not (candidate.relative_s_half > 0 and candidate.relative_d_half > 0):
            continue
        marker, colour, label = _STYLE.get(candidate.family, _STYLE["custom"])
        hollow = candidate.reachable is False
        ax.scatter(
            candidate.relative_s_half,
            candidate.relative_d_half,
            marker=marker,
            s=28,
            facecolors="none" if hollow else colour,
            edgecolors=colour,
            alpha=0.85,
            label=None if label in shown else label,
        )
        shown.add(label)
    ax.scatter(
        rel_s, rel_d, marker="*", s=260, color="crimson", edgecolors="black", zorder=5, alpha=0.8,
        label=f"reference: {search.reference.label}",
    )  # fmt: skip
    nearest: dict[str, Any] = {}  # each preset named once, at its smallest distance
    for candidate in search.candidates:
        if candidate.family == "preset" and candidate.relative_s_half > 0:
            if (
                candidate.name not in nearest
                or candidate.distance_m < nearest[candidate.name].distance_m
            ):
                nearest[candidate.name] = candidate
    preset_lines = []
    for letter, candidate in zip("abcdefghijklmnopqrstuvwxyz", nearest.values(), strict=False):
        ax.annotate(
            letter, (candidate.relative_s_half, candidate.relative_d_half),
            xytext=(-9, -3), textcoords="offset points", fontsize=7, color="tab:blue",
        )  # fmt: skip
        preset_lines.append(f"{letter}: {candidate.name}, {candidate.distance_m * MM_PER_M:.3g} mm")
    lines = []
    for rank, candidate in enumerate(search.top(top), start=1):
        ax.annotate(
            str(rank),
            (candidate.relative_s_half, candidate.relative_d_half),
            xytext=(-4, 5 + 7 * (rank % 3)),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
        )
        lines.append(f"{rank}: {candidate.name}, {candidate.distance_m * MM_PER_M:.3g} mm")
    lines += preset_lines
    if lines:
        ax.text(
            0.02, 0.98, "\n".join(lines), transform=ax.transAxes, va="top", ha="left", fontsize=7,
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"},
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    # labels at 1, 2, 5 x 10^k (x) and 1, 2, 3, 5 x 10^k (y): the data span about a decade
    for axis, subs in ((ax.xaxis, (1.0, 2.0, 5.0)), (ax.yaxis, (1.0, 2.0, 3.0, 5.0))):
        axis.set_major_locator(LogLocator(subs=subs))
        axis.set_major_formatter(FormatStrFormatter("%g"))
        axis.set_minor_formatter(NullFormatter())
    ax.axhline(rel_d, color="crimson", lw=0.6, ls=":")
    ax.axvline(rel_s, color="crimson", lw=0.6, ls=":")
    ax.set_xlabel("S$_{1/2}$ / brain surface area (focality; smaller is more focal)")
    ax.set_ylabel("d$_{1/2}$ / brain radius (depth)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower right")
    head = search.head
    ax.set_title(
        title
        or f"{head.name} set-ups (brain radius {head.brain_radius_m * MM_PER_M:g} mm) against "
        f"the reference field",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
