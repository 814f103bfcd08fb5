"""Charts as inline SVG strings: no script, no CDN, readable offline and in any browser.

Two shapes cover the reports: bars per category (stacked, optionally as shares of 100%) and a
heat map (rows × columns with the value in each cell).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

# Tableau 10: distinct on screen and in print; series keep their colour across charts by name.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
NAMED_COLOURS = {
    "published": "#4e79a7",
    "quarantined": "#e15759",
    "duplicates": "#bab0ac",
    "blocking": "#cf222e",
    "warning": "#d4a72c",
}
FONT = 'font-family="system-ui, DejaVu Sans, sans-serif"'
CSS = """
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px 24px; }
figure.chart { margin: 0; padding: 10px 12px; border: 1px solid #d1d9e0; border-radius: 6px; background: #fff; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
figure.chart figcaption span { font-weight: normal; color: #59636e; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart p.empty { color: #59636e; margin: 8px 0; }
"""


def colour_for(name: str, index: int) -> str:
    """A series' colour: fixed for the names every report uses, else from the palette by position."""
    return NAMED_COLOURS.get(name, PALETTE[index % len(PALETTE)])


def _text(x: float, y: float, label: str, size: int = 11, anchor: str = "start", fill: str = "#1f2328", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" {FONT}{extra}>'
        f"{html.escape(label)}</text>"
    )


def _nice_max(value: float) -> float:
    """Axis top: four gridline steps of 1, 2 or 5 × 10^k (at least 1: counts have no fractions) covering value."""
    if value <= 0:
        return 4.0
    magnitude = 1.0
    while magnitude * 10 <= value / 4:
        magnitude *= 10
    factors = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = next(factor * magnitude for factor in factors if factor * magnitude * 4 >= value)
    return max(1.0, step) * 4


def _short(number: float) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M".replace(".0M", "M")
    if number >= 1_000:
        return f"{number / 1_000:.1f}k".replace(".0k", "k")
    return f"{number:g}"


def figure(chart_id: str, title: str, svg: str, note: str = "") -> str:
    """A chart in a captioned figure."""
    caption = html.escape(title) + (f" <span>{html.escape(note)}</span>" if note else "")
    return f'<figure class="chart" id="{html.escape(chart_id)}"><figcaption>{caption}</figcaption>{svg}</figure>'


def empty(chart_id: str, title: str, message: str) -> str:
    """A figure that says why it has no chart."""
    return f'<figure class="chart empty" id="{html.escape(chart_id)}"><figcaption>{html.escape(title)}</figcaption><p class="empty">{html.escape(message)}</p></figure>'


def bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    percent: bool = False,
    width: int = 560,
    height: int = 230,
    label: str = "",
) -> str:
    """Stacked bars, one per category (a run, a month), one segment per series; `percent` scales each bar to 100%."""
    names = list(series)
    n = max(1, len(categories))
    legend_rows = (len(names) + 3) // 4
    top, bottom, left, right = 12, 34 + 16 * legend_rows, 46, 10
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[name][i] or 0 for name in names) for i in range(len(categories))]
    axis_max = 100.0 if percent else _nice_max(max(totals, default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(label)}">'
    ]
    for tick in range(5):  # grid and y labels
        value = axis_max * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e9ec"/>')
        parts.append(_text(left - 6, y + 4, f"{value:g}%" if percent else _short(value), size=10, anchor="end", fill="#59636e"))
    slot = plot_w / n
    bar_w = max(4.0, min(46.0, slot * 0.7))
    label_every = max(1, round(n / 12))
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        total = totals[i] or 1
        for index, name in enumerate(names):
            value = series[name][i] or 0
            share = value / total * 100 if percent else value
            h = plot_h * share / axis_max if axis_max else 0
            if h <= 0:
                continue
            y -= h
            tip = f"{category} · {name}: {value:,g}" + (f" ({share:.1f}%)" if percent else "")
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour_for(name, index)}">'
                f"<title>{html.escape(tip)}</title></rect>"
            )
        if not percent and totals[i]:
            parts.append(_text(x + bar_w / 2, y - 3, _short(totals[i]), size=9, anchor="middle", fill="#59636e"))
        if i % label_every == 0:
            parts.append(_text(x + bar_w / 2, top + plot_h + 13, category, size=10, anchor="middle", fill="#59636e"))
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#8c959f"/>')
    for index, name in enumerate(names):  # legend below the axis
        row, column = divmod(index, 4)
        lx, ly = left + column * (plot_w / 4), top + plot_h + 30 + row * 16
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" fill="{colour_for(name, index)}"/>')
        parts.append(_text(lx + 14, ly, name[:28], size=10))
    parts.append("</svg>")
    return "".join(parts)


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    fmt: str = "{:.0f}",
    colour: str = "#4e79a7",
    label: str = "",
    row_label_width: int = 170,
    cell_w: int = 54,
    cell_h: int = 22,
) -> str:
    """Rows × columns of cells shaded by value (darkest at the largest), each cell showing its value; None is blank."""
    header = 58
    width = row_label_width + cell_w * max(1, len(columns)) + 72  # room for the last slanted column label
    height = header + cell_h * max(1, len(rows)) + 4
    peak = max((v for row in values for v in row if v is not None), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(label)}">'
    ]
    for j, column in enumerate(columns):
        x = row_label_width + cell_w * j + cell_w / 2
        parts.append(
            _text(
                x,
                header - 6,
                column if len(column) <= 16 else column[:15] + "…",
                size=10,
                anchor="start",
                fill="#59636e",
                extra=f' transform="rotate(-35 {x:.1f} {header - 6})"',
            )
        )
    for i, row in enumerate(rows):
        y = header + cell_h * i
        fits = int(row_label_width / 6.6)
        shown = row if len(row) <= fits else row[: fits - 1] + "…"
        parts.append(_text(row_label_width - 6, y + cell_h / 2 + 4, shown, size=11, anchor="end"))
        for j, value in enumerate(values[i]):
            x = row_label_width + cell_w * j
            if value is None:
                parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="#f6f8fa"/>')
                continue
            strength = 0.08 + 0.92 * (float(value) / float(peak))
            ink = "#fff" if strength > 0.55 else "#1f2328"
            parts.append(
                f'<rect class="cell" x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{colour}" '
                f'fill-opacity="{strength:.2f}"><title>{html.escape(f"{row} · {columns[j]}: {fmt.format(value)}")}</title></rect>'
            )
            parts.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, fmt.format(value), size=10, anchor="middle", fill=ink))
    parts.append("</svg>")
    return "".join(parts)
