"""Charts are well-formed SVG that follow the page's colours and draw the data they are given."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from virtdocs.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_heights_are_proportional_to_values() -> None:
    svg = bar_chart("t", ["a", "b", "c"], {"s": [10.0, 20.0, 40.0]})
    root = ET.fromstring(svg)
    heights = [float(rect.get("height", "0")) for rect in root.iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.01)
    assert heights[2] == pytest.approx(4 * heights[0], rel=0.01)
    assert root.get("fill") == "currentColor"  # text follows light/dark mode
    assert root.get("role") == "img" and root.get("aria-label") == "t"


def test_log_scale_puts_decades_at_equal_distances() -> None:
    svg = bar_chart("t", ["a", "b", "c"], {"s": [1.0, 10.0, 100.0]}, log_scale=True)
    rects = ET.fromstring(svg).findall(f"{SVG}rect")
    tops = [float(rect.get("y", "0")) for rect in rects]
    assert tops[0] - tops[1] == pytest.approx(tops[1] - tops[2], abs=0.2)


def test_grouped_bars_have_a_legend_and_escape_text() -> None:
    svg = bar_chart("<VM> & co", ["x"], {"one": [1.0], "two": [2.0]})
    ET.fromstring(svg)
    assert "&lt;VM&gt; &amp; co" in svg
    assert ">one</text>" in svg and ">two</text>" in svg


def test_step_line_draws_a_staircase() -> None:
    svg = line_chart("pods", [0.0, 1.0, 2.0], {"pods": [0.0, 2.0, 1.0]}, step=True)
    points = ET.fromstring(svg).find(f"{SVG}polyline")
    assert points is not None
    coordinates = re.findall(r"([\d.]+),([\d.]+)", points.get("points", ""))
    assert len(coordinates) == 5  # 3 points plus one corner before each jump


def test_bad_series_are_refused() -> None:
    with pytest.raises(ValueError, match="series 's' has 1 values, expected 2"):
        bar_chart("t", ["a", "b"], {"s": [1.0]})
    with pytest.raises(ValueError, match="at least two points"):
        line_chart("t", [0.0], {"s": [1.0]})
    with pytest.raises(ValueError, match="log-scale chart needs at least one positive value"):
        bar_chart("t", ["a"], {"s": [0.0]}, log_scale=True)
