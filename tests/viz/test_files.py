"""Figures to PNG: the pixels savefig gives, drawn once, without pyplot."""

import io
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from tmslab.viz.files import png_bytes, save_figure


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))


def _figures():
    from tmslab.protocols.library import get_protocol
    from tmslab.viz.field import plot_plane_magnitude
    from tmslab.viz.sweep import plot_sweep
    from tmslab.viz.timeline import plot_timeline

    u = np.linspace(-0.03, 0.03, 31)
    magnitude = np.exp(-(u[:, None] ** 2 + u[None, :] ** 2) / 2e-4) * 90
    series = [SimpleNamespace(x=[1, 2, 3], y=[1.0, 4.0, 9.0], label="a")]
    return {
        "constrained layout, colour bar": lambda: plot_plane_magnitude(u, u, magnitude),
        "tight layout, two panels": lambda: plot_timeline(get_protocol("itbs")),
        "tight layout, legend": lambda: plot_sweep(series, "x", "y"),
    }


@pytest.mark.parametrize("name", list(_figures()))
def test_png_bytes_are_the_pixels_savefig_gives(name):
    make = _figures()[name]
    saved = io.BytesIO()
    make().savefig(saved, format="png", dpi=110)
    fig = make()
    drawn = png_bytes(fig, dpi=110)
    assert np.array_equal(_pixels(drawn), _pixels(saved.getvalue()))
    assert fig.dpi == 100  # the figure's own dpi is restored


def test_save_figure_png_and_svg(tmp_path):
    from tmslab.protocols.library import get_protocol
    from tmslab.viz.timeline import plot_timeline

    png = save_figure(plot_timeline(get_protocol("itbs")), tmp_path / "t.png", dpi=150)
    assert _pixels(png.read_bytes()).shape[:2] == (660, 1200)  # 8 x 4.4 in at 150 dpi
    svg = save_figure(plot_timeline(get_protocol("itbs")), tmp_path / "t.svg")
    assert svg.read_text().lstrip().startswith("<?xml")


def test_figures_and_report_pngs_need_no_pyplot():
    # pyplot picks a (GUI) backend when imported: a second or more that a report never needs.
    code = (
        "import sys\n"
        "from types import SimpleNamespace as NS\n"
        "from tmslab.protocols.library import get_protocol\n"
        "from tmslab.protocols.stimulators import get_stimulator\n"
        "from tmslab.report.html import figure_to_data_uri\n"
        "from tmslab.viz.sweep import plot_sweep\n"
        "from tmslab.viz.timeline import plot_timeline\n"
        "from tmslab.viz.waveform import plot_waveform\n"
        "figure_to_data_uri(plot_timeline(get_protocol('itbs')))\n"
        "figure_to_data_uri(plot_waveform(get_stimulator('magstim-rapid2').waveform('biphasic')))\n"
        "figure_to_data_uri(plot_sweep([NS(x=[1, 2], y=[1.0, 2.0], label='')], 'x', 'y'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_png_bytes_follow_a_users_savefig_settings():
    import matplotlib as mpl

    make = _figures()["tight layout, legend"]
    with mpl.rc_context({"savefig.bbox": "tight", "savefig.facecolor": "0.9"}):
        saved = io.BytesIO()
        make().savefig(saved, format="png", dpi=110)
        drawn = png_bytes(make(), dpi=110)
    assert np.array_equal(_pixels(drawn), _pixels(saved.getvalue()))
    assert _pixels(drawn).shape[:2] != (462, 704)  # cropped to the drawn area, as savefig does
