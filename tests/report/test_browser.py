"""Every example's report opens and renders in a real browser (headless Chromium).

The report marks each figure once the browser has decoded its image (``data-rendered``); the
test reads the DOM after load and checks every figure the scenario drew is there and decoded,
and that the page has the expected sections. Chromium is Debian's package (``.ci/run`` installs
it); without it the test is skipped, unless TMSLAB_REQUIRE_BROWSER=1 (set by CI) makes that a
failure.

Beyond rendering, the page's text and results.json are checked for what a reader trips on:
ASCII micro units ("303 us"), hedged plurals ("session(s)"), a word repeated in a list
("human, human"), a label twice in one table, a caption promising a contour the map does not
draw, and float noise in results.json (25.999999999999545).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import EXAMPLES
from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS
from tmslab.wording import ASCII_MICRO

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # runs every example scenario

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("TMSLAB_REQUIRE_BROWSER") == "1":
        pytest.fail("Chromium is required (TMSLAB_REQUIRE_BROWSER=1) but not installed")
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")


def render_dom(html_path, tmp_path) -> str:
    """The DOM of the page after load, as Chromium serialises it."""
    done = subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            html_path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


HEAD_FIGURES = (
    "Protocol timeline",
    "|E| on the brain surface, in a cross-section",
    "Thresholds at the target",
    "Activation map",
    "relative synaptic strength",
    "nearest this scenario",
)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_example_report_renders_with_all_figures(example, example_run, tmp_path):
    out = example_run(example)
    html = (out / "report.html").read_text()
    figures = html.count("<figure>")
    dom = render_dom(out / "report.html", tmp_path)
    rendered = re.findall(r'data-rendered="(yes|no)"', dom)
    assert figures >= 3 and rendered.count("yes") == figures and "no" not in rendered
    assert f'data-figures-rendered="{figures}"' in dom
    for title in ("Protocol", "Plasticity", "Evidence"):
        assert f"<h2>{title}</h2>" in dom
    sections = json.loads((out / "results.json").read_text())["sections"]
    if "activation_map" in sections["neurons"]:  # a head scenario: the whole chain drawn
        for caption in HEAD_FIGURES:
            assert caption in dom, caption


def visible_text(dom: str) -> str:
    """The page's text as a reader sees it (no scripts, styles or image data)."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def noisy_floats(value, path=""):
    """Paths of floats in a JSON value with more significant digits than results keep."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in noisy_floats(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in noisy_floats(v, f"{path}[{i}]")]
    if isinstance(value, float):
        digits = repr(value).lower().split("e")[0].lstrip("-").replace(".", "").strip("0")
        return [f"{path} = {value!r}"] if len(digits) > RESULT_SIGNIFICANT_DIGITS else []
    return []


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_example_report_reads_cleanly(example, example_run, tmp_path):
    out = example_run(example)
    dom = render_dom(out / "report.html", tmp_path)
    text = visible_text(dom)
    assert not ASCII_MICRO.search(text), ASCII_MICRO.search(text).group(0)
    assert not re.search(r"\w\(s\)", text), re.search(r".{30}\w\(s\).{10}", text).group(0)
    repeated = re.search(r"\b([\w-]+), \1\b", text)
    assert not repeated, repeated.group(0)
    for table in re.findall(r"<table>(.*?)</table>", dom, flags=re.S):
        labels = re.findall(r"<tr><td>(.*?)</td>", table)
        assert len(labels) == len(set(labels)), f"a label twice in one table: {labels}"
    results = json.loads((out / "results.json").read_text())
    noisy = noisy_floats(results)
    assert not noisy, noisy[:5]
    grid = results["sections"]["neurons"].get("activation_map")
    if grid:  # the caption promises a contour only when the firing boundary is on the map
        ratio = [
            r if r is not None else float("inf") for row in grid["threshold_ratio"] for r in row
        ]
        crosses = any(r <= 1 for r in ratio) and any(r > 1 for r in ratio)
        assert ("white contour" in text) == crosses
