"""The report charts are plain SVG: exact values, escaped labels, nothing executable or remote."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from app.reports import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def texts(root: ElementTree.Element, role: str | None = None) -> list[ElementTree.Element]:
    return [t for t in root.iter(f"{NS}text") if role is None or t.get("class") == role]


def rects(root: ElementTree.Element, kind: str) -> list[ElementTree.Element]:
    return [r for r in root.iter(f"{NS}rect") if r.get("class") == kind]


def scale(root: ElementTree.Element, first: str, last: str) -> tuple[float, float]:
    """Return the x of the ticks labelled ``first`` and ``last`` (the value axis)."""
    ticks = {t.text: float(t.get("x")) for t in texts(root) if t.get("text-anchor") == "middle"}
    return ticks[first], ticks[last]


def test_score_bars_put_means_and_targets_at_their_values():
    root = parse(charts.score_bars_svg(["A", "B"], [2.5, None], [], [4.0, None]))
    zero, five = scale(root, "0", "5")
    unit = (five - zero) / 5
    bars = rects(root, "mean")
    assert [b.get("data-value") for b in bars] == ["2.50", "n/a"]
    assert float(bars[0].get("x")) == pytest.approx(zero, abs=0.01)
    assert float(bars[0].get("width")) == pytest.approx(2.5 * unit, abs=0.02)
    assert float(bars[1].get("width")) == 0
    targets = [line for line in root.iter(f"{NS}line") if line.get("class") == "target"]
    assert [t.get("data-value") for t in targets] == ["4.00"]
    assert targets[0].get("stroke") == charts.TARGET
    assert float(targets[0].get("x1")) == pytest.approx(zero + 4 * unit, abs=0.02)
    assert [t.text for t in texts(root, "value")] == ["2.5", "n/a"]
    assert [t.text for t in texts(root, "row-label")] == ["A", "B"]
    assert [t.text for t in texts(root, "legend")] == ["Mean", "Target"]


def test_rows_run_top_to_bottom_in_the_given_order():
    root = parse(charts.score_bars_svg(["First", "Second", "Third"], [1, 2, 3], [], [None] * 3))
    ys = [float(t.get("y")) for t in texts(root, "row-label")]
    assert ys == sorted(ys)
    bars = rects(root, "mean")
    assert [b.get("data-value") for b in bars] == ["1.00", "2.00", "3.00"]


def test_long_labels_wrap_to_two_lines_with_an_ellipsis():
    label = "Cybersecurity Framework Profile for Artificial Intelligence (Cyber AI Profile)"
    root = parse(charts.score_bars_svg([label], [2.0], [], [3.0]))
    lines = [t.text for t in texts(root, "row-label")]
    assert len(lines) == 2
    assert lines[1].endswith("…")
    assert all(len(line) <= 34 for line in lines)


def test_comparison_dots_sit_at_previous_and_current_values():
    root = parse(charts.comparison_svg(["A", "B"], [2.0, None], [3.0, 1.5], colour="#123456"))
    zero, five = scale(root, "0", "5")
    unit = (five - zero) / 5
    dots = [c for c in root.iter(f"{NS}circle") if c.get("class")]
    plotted = [(c.get("class"), c.get("fill"), round((float(c.get("cx")) - zero) / unit, 2))
               for c in dots]  # fmt: skip
    assert plotted == [
        ("previous", charts.MUTED, 2.0),
        ("current", "#123456", 3.0),
        ("current", "#123456", 1.5),
    ]


def test_heat_map_cells_carry_their_value_colour_and_text():
    assert charts.heat_colour(0) == "#c62828"
    assert charts.heat_colour(2.5) == "#f9a825"
    assert charts.heat_colour(5) == "#2e7d32"
    assert charts.heat_colour(9) == "#2e7d32"
    root = parse(charts.heatmap_svg(["S1", "S2"], ["GV", "ID"], [[2.5, None], [0.0, 5.0]]))
    cells = rects(root, "cell")
    assert [c.get("data-value") for c in cells] == ["2.50", "n/a", "0.00", "5.00"]
    assert [c.get("fill") for c in cells] == ["#f9a825", charts.EMPTY, "#c62828", "#2e7d32"]
    assert [t.text for t in texts(root, "value")] == ["2.5", "–", "0.0", "5.0"]
    assert [t.text for t in texts(root, "column-label")] == ["GV", "ID"]
    assert all("rotate(-90" in t.get("transform") for t in texts(root, "column-label"))


def test_kpi_bars_are_shares_of_one_hundred_percent():
    root = parse(charts.kpi_svg(["Owned", "Rotated"], [0.55, None]))
    zero, hundred = scale(root, "0%", "100%")
    bars = rects(root, "share")
    assert float(bars[0].get("width")) == pytest.approx(0.55 * (hundred - zero), abs=0.02)
    assert float(bars[1].get("width")) == 0
    assert [t.text for t in texts(root, "value")] == ["55%", "n/a"]


def test_blast_gauge_marks_the_score_on_the_scale():
    root = parse(charts.blast_gauge_svg(40, "moderate"))
    zero, hundred = scale(root, "0", "100")
    marker = next(line for line in root.iter(f"{NS}line") if line.get("class") == "score")
    assert float(marker.get("x1")) == pytest.approx(zero + 0.4 * (hundred - zero), abs=0.02)
    assert [t.text for t in texts(root, "value")] == ["40 (moderate)"]


HOSTILE = '<script>alert("x")</script> & <a href="http://evil.example/">link</a>'


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.score_bars_svg([HOSTILE], [1.0], [1], [2.0]),
        lambda: charts.comparison_svg([HOSTILE], [1.0], [2.0]),
        lambda: charts.heatmap_svg([HOSTILE], [HOSTILE], [[1.0]]),
        lambda: charts.kpi_svg([HOSTILE], [0.5]),
        lambda: charts.blast_gauge_svg(10, HOSTILE),
    ],
)
def test_labels_are_escaped_and_nothing_runs_or_loads(draw):
    svg = draw()
    root = parse(svg)  # well-formed
    assert "<script" not in svg
    assert "<a " not in svg
    assert "&lt;script&gt;" in svg
    assert {el.tag.removeprefix(NS) for el in root.iter()} <= {
        "svg",
        "rect",
        "line",
        "circle",
        "text",
    }
    attributes = [(name, value) for el in root.iter() for name, value in el.attrib.items()]
    assert not [name for name, _ in attributes if "href" in name or name.startswith("on")]
    assert not [value for _, value in attributes if re.search(r"url\(|https?:|@import", value)]
    assert any(HOSTILE[:20] in (t.text or "") for t in texts(root))


def test_the_same_data_gives_the_same_bytes():
    first = charts.heatmap_svg(["S"], ["GV"], [[1.25]])
    assert first == charts.heatmap_svg(["S"], ["GV"], [[1.25]])
    assert charts.svg_data_uri(first).startswith("data:image/svg+xml;base64,")
