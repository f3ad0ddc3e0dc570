"""Forest, funnel and leave-one-out figures (matplotlib object API; no computation here).

Each function takes fitted results and returns a :class:`matplotlib.figure.Figure`; the
caller saves it (``tmslab.viz.files.save_figure``). Ratio measures (RR, OR) are pooled on
the log scale and drawn on a logarithmic axis labelled with the ratios themselves.
"""

from __future__ import annotations

import numpy as np

from tmslab.evidence.meta.bias import TrimFillResult
from tmslab.evidence.meta.measures import Measure
from tmslab.evidence.meta.results import MetaResult
from tmslab.evidence.meta.sensitivity import LeaveOneOut


def _axis(ax, measure: Measure | None) -> tuple[bool, float]:
    ratio = bool(measure and measure.ratio)
    if ratio:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    label = measure.label if measure else "effect size"
    if ratio:
        label = label.replace("log ", "")
    ax.set_xlabel(label)
    return ratio, 1.0 if ratio else 0.0


def _shown(values, ratio: bool):
    values = np.asarray(values, dtype=float)
    return np.exp(values) if ratio else values


def _summary_text(result: MetaResult) -> str:
    parts = [f"{result.method}", f"k = {result.k}"]
    if result.random_effects:
        parts.append(f"tau² = {result.tau2:.3g}")
    parts += [f"I² = {result.i2:.1f} %", f"Q = {result.q:.2f} (p = {result.q_pval:.3g})"]
    if result.test == "knha":
        parts.append("Knapp-Hartung")
    return ", ".join(parts)


def forest_plot(result: MetaResult, measure: Measure | None = None, title: str | None = None):
    """Forest plot: each study's effect with its confidence interval (square area ~ weight)
    and, without moderators, the pooled effect (diamond) with its prediction interval."""
    from matplotlib.figure import Figure
    from scipy import stats

    k = result.k
    z = float(stats.norm.isf((1.0 - result.level) / 2.0))
    half = z * np.sqrt(result.vi)
    lo, hi = result.yi - half, result.yi + half
    fig = Figure(figsize=(9.0, 1.6 + 0.32 * (k + 3)), layout="constrained")
    ax = fig.add_subplot()
    ratio, null = _axis(ax, measure)
    rows = np.arange(k, 0, -1, dtype=float) + 1.5
    sizes = 20.0 + 160.0 * result.weights / result.weights.max()
    ax.hlines(rows, _shown(lo, ratio), _shown(hi, ratio), color="0.2", lw=1.0)
    ax.scatter(_shown(result.yi, ratio), rows, s=sizes, marker="s", color="0.2", zorder=3)
    ax.axvline(null, color="0.5", lw=0.8, ls=":")
    labels = list(result.labels)
    texts = [
        f"{_shown(y, ratio):.2f} [{_shown(a, ratio):.2f}, {_shown(b, ratio):.2f}]  {w:4.1f} %"
        for y, a, b, w in zip(result.yi, lo, hi, result.weights, strict=True)
    ]
    ticks = list(rows)
    if result.p == 1:
        est, lb, ub = result.estimate, float(result.ci_lb[0]), float(result.ci_ub[0])
        diamond_x = _shown([lb, est, ub, est], ratio)
        ax.fill(diamond_x, [0.5, 0.85, 0.5, 0.15], color="tab:blue", zorder=3)
        if result.random_effects and result.pi_lb is not None:
            ax.hlines(
                0.5, *_shown([result.pi_lb, result.pi_ub], ratio), color="tab:blue", ls="--", lw=1.0
            )
        ax.axvline(_shown(est, ratio), color="tab:blue", lw=0.6, alpha=0.5)
        model = (
            "Fixed-effect model"
            if result.method == "FE"
            else f"Random-effects model ({result.method})"
        )
        labels.append(model)
        texts.append(
            f"{_shown(est, ratio):.2f} [{_shown(lb, ratio):.2f}, {_shown(ub, ratio):.2f}]  100 %"
        )
        ticks.append(0.5)
    ax.set_yticks(ticks, labels)
    ax.set_ylim(-0.2, k + 2.3)
    for y, text in zip(ticks, texts, strict=True):
        ax.text(
            1.02,
            y,
            text,
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=8,
            family="monospace",
        )
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or _summary_text(result), fontsize=9, loc="left")
    return fig


def funnel_plot(
    result: MetaResult,
    measure: Measure | None = None,
    trimfill: TrimFillResult | None = None,
    title: str | None = None,
):
    """Funnel plot: effect against standard error (inverted), with the pooled effect and its
    pseudo confidence region; filled studies of a trim-and-fill drawn as open circles."""
    from matplotlib.figure import Figure
    from scipy import stats

    shown_fit = trimfill.fit if trimfill is not None else result
    fig = Figure(figsize=(6.0, 5.0), layout="constrained")
    ax = fig.add_subplot()
    ratio, _ = _axis(ax, measure)
    z = float(stats.norm.isf((1.0 - result.level) / 2.0))
    sei = np.sqrt(result.vi)
    top = 1.05 * float(max(sei.max(), np.sqrt(shown_fit.vi).max()))
    est = shown_fit.estimate
    se_grid = np.linspace(0.0, top, 50)
    ax.fill_betweenx(
        se_grid,
        _shown(est - z * se_grid, ratio),
        _shown(est + z * se_grid, ratio),
        color="0.93",
        zorder=0,
    )
    ax.plot(_shown(est - z * se_grid, ratio), se_grid, color="0.5", lw=0.8, ls="--")
    ax.plot(_shown(est + z * se_grid, ratio), se_grid, color="0.5", lw=0.8, ls="--")
    ax.axvline(_shown(est, ratio), color="tab:blue", lw=1.0)
    ax.scatter(_shown(result.yi, ratio), sei, color="0.15", s=22, zorder=3, label="studies")
    if trimfill is not None and trimfill.k0 > 0:
        ax.scatter(
            _shown(trimfill.filled_yi, ratio),
            np.sqrt(trimfill.filled_vi),
            facecolors="white",
            edgecolors="0.15",
            s=22,
            zorder=3,
            label=f"filled ({trimfill.k0}, {trimfill.side})",
        )
        ax.axvline(_shown(result.estimate, ratio), color="0.5", lw=0.8, ls=":")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_ylim(top, 0.0)
    ax.set_ylabel("standard error")
    ax.set_title(title or _summary_text(shown_fit), fontsize=9, loc="left")
    return fig


def leave_one_out_plot(
    loo: LeaveOneOut, result: MetaResult, measure: Measure | None = None, title: str | None = None
):
    """Pooled effect and confidence interval with each study left out in turn; the band is
    the interval of the full model."""
    from matplotlib.figure import Figure

    k = loo.estimate.size
    fig = Figure(figsize=(8.0, 1.4 + 0.3 * (k + 1)), layout="constrained")
    ax = fig.add_subplot()
    ratio, null = _axis(ax, measure)
    rows = np.arange(k, 0, -1, dtype=float)
    ax.axvspan(*_shown([result.ci_lb[0], result.ci_ub[0]], ratio), color="tab:blue", alpha=0.12)
    ax.axvline(_shown(result.estimate, ratio), color="tab:blue", lw=1.0)
    ax.axvline(null, color="0.5", lw=0.8, ls=":")
    ax.hlines(rows, _shown(loo.ci_lb, ratio), _shown(loo.ci_ub, ratio), color="0.2")
    ax.scatter(_shown(loo.estimate, ratio), rows, color="0.2", s=18, zorder=3)
    ax.set_yticks(rows, [f"without {label}" for label in loo.labels])
    for y, i2 in zip(rows, loo.i2, strict=True):
        ax.text(
            1.02,
            y,
            f"I² = {i2:5.1f} %",
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=8,
        )
    ax.set_ylim(0.3, k + 0.7)
    ax.set_title(
        title or f"Leave-one-out ({result.method}); full model: I² = {result.i2:.1f} %",
        fontsize=9,
        loc="left",
    )
    return fig
