"""What a reader of the report and the console summary sees: words, digits, units and figures.

Each test pins a blemish of issue 21 that the old output had: results.json carried float noise
(25.999999999999545), text showed "us" for µs and "session(s)", the plasticity rule read
inverted, the evidence query said "human, human", figure titles ran off the figure, the field
overview printed "|E| (V/m)" twice side by side, trains alternated colours without a legend and
a caption promised a contour that was not drawn.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS, dumps, round_floats
from tmslab.wording import ASCII_MICRO, counted, human_text

# ---------------------------------------------------------------- results.json: float noise


def significant_digits(x: float) -> int:
    """Significant digits of the shortest repr of x (what json writes)."""
    mantissa = repr(x).lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa.rstrip("0")) or 1


def test_rounding_removes_float_noise():
    assert round_floats(25.999999999999545) == 26.0
    assert round_floats(0.1 + 0.2) == 0.3
    text = dumps({"a": [25.999999999999545, np.float64(0.1) * 3]}, RESULT_SIGNIFICANT_DIGITS)
    assert json.loads(text) == {"a": [26.0, 0.3]}
    # without rounding (inputs, provenance) the value is written exactly
    assert json.loads(dumps({"a": 25.999999999999545})) == {"a": 25.999999999999545}


def test_rounding_leaves_other_types_alone():
    value = {"n": 3, "flag": True, "name": "x", "none": None, "nested": [1, [2.5, "y"]]}
    assert round_floats(value) == value
    assert round_floats(True) is True and round_floats(7) == 7
    assert round_floats(math.inf) == math.inf


@settings(max_examples=300, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(min_value=1, max_value=15),
)
def test_rounded_floats_are_close_and_short(x, digits):
    rounded = round_floats(x, digits)
    assert isinstance(rounded, float) and math.isfinite(rounded)
    if not math.isfinite(float(f"{x:.{digits}g}")):  # near the largest float: kept, not inf
        assert rounded == x
        return
    assert significant_digits(rounded) <= digits
    assert rounded == pytest.approx(x, rel=10.0 ** (1 - digits), abs=1e-300)
    assert round_floats(rounded, digits) == rounded  # idempotent


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.floats(allow_nan=False, allow_infinity=False),
        lambda c: st.lists(c, max_size=4),
        max_leaves=12,
    )
)
def test_dumps_round_trips_through_json(value):
    written = json.loads(dumps({"v": value}, RESULT_SIGNIFICANT_DIGITS))["v"]
    assert written == round_floats(value)


# ---------------------------------------------------------------- words and units


def test_human_text_writes_micro_and_powers():
    assert (
        human_text("303 us pulse, 155.33 A/us, time (us)") == "303 µs pulse, 155.33 A/µs, time (µs)"
    )
    assert human_text("2 um x 1 um, 11.61 uH, C = 200 uF") == "2 µm x 1 µm, 11.61 µH, C = 200 µF"
    assert human_text("20 cm^3; 14.4 cm^2; 18.7 mOhm") == "20 cm³; 14.4 cm²; 18.7 mΩ"
    assert human_text("(3 x 1971 mm^3 / 4 pi)^(1/3)") == "(3 x 1971 mm³ / 4 pi)^(1/3)"
    # words are not units
    for text in ("let us see", "the usual 37.5 min", "focus on us", "status: run"):
        assert human_text(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 .usmHF/()^23abcO", max_size=40))
def test_human_text_is_idempotent_and_leaves_no_ascii_micro(text):
    once = human_text(text)
    assert human_text(once) == once
    assert not ASCII_MICRO.search(once)


def test_counted_singular_and_plural():
    assert counted(1, "session") == "1 session"
    assert counted(7, "day") == "7 days"
    assert counted(1.0, "octave") == "1 octave"
    assert counted(0.42, "octave") == "0.42 octaves"
    assert counted(3_000_000, "pulse") == "3000000 pulses"


def test_plasticity_input_delay_has_sensible_digits():
    from tmslab.plasticity.predict import input_description

    assert input_description(0.000136458).endswith("postsynaptic neuron 0.136 ms later")
    assert input_description(-0.01).endswith("10 ms earlier")
    assert "+" not in input_description(0.000136458)


def test_plasticity_verdict_states_the_rule_the_right_way_round():
    from types import SimpleNamespace

    from tmslab.stages.plasticity import verdict_text

    none = SimpleNamespace(verdict="none", threshold=0.05, relative_weight=1.033, verdict_on="")
    assert verdict_text(none) == "none (change +3.3 %; LTP above +5 %, LTD below -5 %)"
    ltd = SimpleNamespace(verdict="LTD", threshold=0.05, relative_weight=0.8188, verdict_on="")
    assert verdict_text(ltd) == "LTD (change -18.1 %; LTP above +5 %, LTD below -5 %)"
    assert ">" not in verdict_text(none)
    flat = SimpleNamespace(verdict="none", threshold=0.05, relative_weight=1 - 4e-8, verdict_on="")
    assert verdict_text(flat) == "none (change 0 %; LTP above +5 %, LTD below -5 %)"


def test_evidence_query_names_species_and_preparation_once():
    from tmslab.stages.evidence import distance_text, who

    assert who({"species": "human", "preparation": "human"}) == "human"
    assert who({"species": "rat", "preparation": "in_vivo"}) == "rat, in vivo"
    assert who({"species": None, "preparation": "culture"}) == "any species, culture"
    assert distance_text(0.0) == "0"
    assert distance_text(1.0) == "1 octave"
    assert distance_text(0.4150374992788438) == "0.42 octaves"
    assert distance_text(3.0) == "3 octaves"


# ---------------------------------------------------------------- figures


def _renderer(fig):
    """Lay the figure out as savefig does (Agg) and return the renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # a bare Figure (no pyplot) has no drawing canvas yet
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def assert_texts_inside(fig):
    """Every drawn text of ``fig`` (titles, labels, tick labels) lies inside the figure: the
    tight bounding box of each axes (what it draws, ticks beyond its limits excluded) and of the
    figure's own texts (suptitle)."""
    renderer = _renderer(fig)
    box = fig.bbox
    parts = [
        (ax.get_title() or ax.get_ylabel() or "axes", ax.get_tightbbox(renderer)) for ax in fig.axes
    ]
    texts = [t for t in [fig._suptitle, *fig.texts] if t is not None and t.get_text()]
    parts += [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for name, extent in parts:
        inside = (
            extent.x0 >= box.x0 - 1
            and extent.x1 <= box.x1 + 1
            and extent.y0 >= box.y0 - 1
            and extent.y1 <= box.y1 + 1
        )
        assert inside, f"{name!r} is cut off at the figure's edge ({extent.bounds} vs {box.bounds})"


def assert_titles_clear(fig):
    """No axes title runs into another axes (a colour bar drawn over its end cut "100 % fire"
    to "100 % fi") or into another title."""
    renderer = _renderer(fig)
    titles = [(ax, ax.title) for ax in fig.axes if ax.get_title()]
    for ax, title in titles:
        extent = title.get_window_extent(renderer)
        for other in fig.axes:
            if other is ax:
                continue
            assert not extent.overlaps(other.get_window_extent(renderer)), (
                f"title {title.get_text()!r} runs into the neighbouring axes"
            )
            if other.get_title():
                assert not extent.overlaps(other.title.get_window_extent(renderer)), (
                    f"titles {title.get_text()!r} and {other.get_title()!r} overlap"
                )


def assert_no_duplicate_neighbour_labels(fig):
    """No two side-by-side y labels (axes and colour bars of one row, left to right) read the
    same; stacked panels may repeat theirs."""
    renderer = _renderer(fig)
    labels = []
    for ax in fig.axes:
        label = ax.yaxis.label
        if label.get_visible() and label.get_text():
            box = ax.get_window_extent(renderer)
            labels.append((label.get_window_extent(renderer).x0, box.y0, box.y1, label.get_text()))
    labels.sort()
    for i, (_, y0, y1, text) in enumerate(labels):
        row = [other for other in labels[i + 1 :] if other[1] < y1 and other[2] > y0]
        if row:  # the next label to the right in the same row
            assert row[0][3] != text, f"{text!r} printed twice side by side"


def _activation_data(ratio_scale: float, n: int = 11):
    offset = np.linspace(-0.02, 0.02, n)
    u, w = np.meshgrid(offset, offset, indexing="ij")
    field = 120 * np.exp(-(u**2 + w**2) / 0.015**2)
    return offset, ratio_scale * 50 / field, field


@pytest.mark.parametrize("scale", [0.05, 1.0, 3.0])
def test_activation_map_title_fits_and_contour_matches(scale):
    from matplotlib.contour import ContourSet

    from tmslab.viz.activation import has_boundary, plot_activation_map

    offset, ratio, field = _activation_data(scale)
    label = "l5-pyramidal cells in the target layer"  # the long label that was cut off
    fig = plot_activation_map(offset, ratio, field, label)
    assert_texts_inside(fig)
    assert_titles_clear(fig)
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
    assert any(label in t and "fire" in t for t in titles)
    contours = [c for ax in fig.axes for c in ax.get_children() if isinstance(c, ContourSet)]
    assert bool(contours) == has_boundary(ratio)
    assert has_boundary(ratio) == (scale == 1.0)


def test_activation_map_contour_with_unreached_cells():
    from tmslab.viz.activation import has_boundary

    ratio = np.full((5, 5), np.nan)
    ratio[2, 2] = 0.5
    assert has_boundary(ratio)
    assert not has_boundary(np.full((5, 5), np.nan))
    assert not has_boundary(np.full((5, 5), 0.3))


def _shell_and_section():
    import xarray as xr

    theta = np.linspace(0, np.pi / 2, 20)
    phi = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    radius = 0.07
    position = radius * np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], -1)
    shell = xr.Dataset(
        {
            "magnitude": (("theta", "phi"), 130 * np.cos(t) ** 2),
            "position": (("theta", "phi", "xyz"), position),
        },
        coords={"theta": theta, "phi": phi},
        attrs={"depth_m": 0.0},
    )
    y = np.linspace(-0.07, 0.07, 30)
    z = np.linspace(-0.07, 0.07, 30)
    yy, zz = np.meshgrid(y, z, indexing="ij")
    inside = yy**2 + zz**2 <= 0.07**2
    section = xr.Dataset(
        {"magnitude": (("y", "z"), np.where(inside, 130 * np.exp((zz - 0.07) / 0.02), np.nan))},
        coords={"y": y, "z": z},
    )
    return shell, section


def test_field_overview_labels_each_quantity_once():
    from tmslab.viz.field import plot_field_overview

    shell, section = _shell_and_section()
    depths = np.linspace(0, 0.07, 50)
    profile = ("magstim-70mm-fig8", depths, 130 * np.exp(-depths / 0.02), 0.014)
    fig = plot_field_overview(shell, section, profile, "coil over the head", half_value=65.0)
    assert_no_duplicate_neighbour_labels(fig)
    assert_texts_inside(fig)
    assert_titles_clear(fig)
    assert any("V/m" in ax.get_title() for ax in fig.axes)  # the depth panel still has its unit


def test_timeline_trains_in_one_colour_or_a_legend():
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    from tmslab.protocols.library import get_protocol
    from tmslab.viz.timeline import plot_timeline

    fig = plot_timeline(get_protocol("rtms-10hz-fda"))
    assert_texts_inside(fig)
    for ax in fig.axes:
        lines = [c for c in ax.collections if isinstance(c, LineCollection)]
        colours = {tuple(np.round(c, 3)) for line in lines for c in line.get_colors()}
        assert len(colours) == 1 or ax.get_legend() is not None
    assert "(s)" not in " ".join(ax.get_title() for ax in fig.axes)
    plt.close(fig)


def test_waveform_figure_says_microseconds():
    from tmslab.protocols.stimulators import get_stimulator
    from tmslab.viz.waveform import plot_waveform

    fig = plot_waveform(get_stimulator("magstim-rapid2").waveform("biphasic"))
    assert_texts_inside(fig)
    from matplotlib.text import Text

    texts = [t.get_text() for t in fig.findobj(Text)]
    assert any("µs" in t for t in texts)
    assert not any(ASCII_MICRO.search(t) for t in texts)


def test_nearest_studies_figure_title():
    from tmslab.viz.evidence_match import plot_closest_studies

    study = {
        "distance": 1.0,
        "reference": "Someone et al. 2020",
        "species": "human",
        "frequency_hz": 20.0,
        "intensity_reported": "90 % MT",
        "effect": "positive",
    }
    query = {"frequency_hz": 10.0, "pattern": "rTMS", "species": "human", "preparation": "human"}
    fig = plot_closest_studies([study], query)
    assert_texts_inside(fig)
    title = fig.axes[0].get_title()
    assert title == "Nearest studies to rTMS 10 Hz, human"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "20 Hz" in texts and "20.0 Hz" not in texts


@pytest.mark.slow
@pytest.mark.parametrize("example", ["quickstart.toml", "rat-15hz-7d.toml"])
def test_every_report_figure_fits_and_reads_once(example):
    """All figures a head scenario draws: no text beyond the figure's edge, no label twice."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from tests.conftest import EXAMPLES
    from tmslab.scenario import load_scenario
    from tmslab.stages import run_scenario
    from tmslab.viz import draw

    result = run_scenario(load_scenario(EXAMPLES / example))
    for section in result.sections.values():
        for spec in section.figures:
            fig = draw(spec)
            try:
                assert_texts_inside(fig)
                assert_titles_clear(fig)
                assert_no_duplicate_neighbour_labels(fig)
                shown = " ".join(t.get_text() for t in fig.findobj(Text))
                assert not ASCII_MICRO.search(shown), ASCII_MICRO.search(shown).group(0)
                assert not re.search(r"\w\(s\)", shown), "a hedged plural: use counted()"
            except AssertionError as error:
                raise AssertionError(f"{section.title} / {spec.caption}: {error}") from None
            finally:
                plt.close(fig)
            assert not ASCII_MICRO.search(human_text(spec.caption))


def test_console_summary_lines():
    from types import SimpleNamespace

    from tmslab.cli.run import summary_lines
    from tmslab.scenario import Section

    sections = {
        "stimulator": Section(
            title="Stimulator and dose",
            data={},
            rows=[("peak dI/dt", "83.88 A/us"), ("pulse", "biphasic, 303 us")],
        ),
        "field": Section(title="Coil and E-field", data={}, notes=["Coil 'X' has no field model."]),
        "safety": Section(
            title="Safety", data={}, rows=[("checked", "no")], notes=["Give % MT.", "More."]
        ),
    }
    lines = summary_lines(SimpleNamespace(sections=sections))
    assert lines == [
        "  Stimulator and dose: peak dI/dt: 83.88 A/µs; pulse: biphasic, 303 µs",
        "  Coil and E-field: Coil 'X' has no field model.",
        "  Safety: checked: no; Give % MT.",
    ]


def test_console_summary_lines_are_plain_text():
    """The console prints rows as text: "[hippocampus]" is not swallowed as Rich markup."""
    from io import StringIO

    from rich.console import Console
    from rich.markup import escape

    line = "  Evidence: Chen et al. 2015: BDNF signalling [hippocampus]: increase (+)"
    buffer = StringIO()
    Console(file=buffer, width=200).print(escape(line))
    assert "[hippocampus]" in buffer.getvalue()
    assert re.search(r"\d us\b", human_text("303 us")) is None


def test_dish_figure_colour_bar_has_round_ticks_within_the_data():
    from tmslab.viz.conductor import plot_dish_layer

    rng = np.random.default_rng(0)
    r, a = rng.uniform(0, 0.016, 400), rng.uniform(0, 2 * np.pi, 400)
    points = np.c_[r * np.cos(a), r * np.sin(a), np.zeros_like(r)]
    zeros = np.zeros_like(r)
    dish = np.c_[20 + 50 * r / 0.016, zeros, zeros]
    free = np.c_[339 + 30 * (1 - r / 0.016), zeros, zeros]
    fig = plot_dish_layer(points, dish, free, title="dish-35mm")
    assert_texts_inside(fig)
    assert_titles_clear(fig)
    bar = next(ax for ax in fig.axes if ax.get_ylabel() == "|E| (V/m)")
    top = float(np.linalg.norm(free, axis=1).max())
    assert bar.get_ylim()[1] == pytest.approx(top)  # the scale is not stretched past the data
    ticks = bar.get_yticks()
    assert len(ticks) >= 3 and np.allclose(ticks, np.round(ticks, -1))  # 0, 80, 160, not 369.8
