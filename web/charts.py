"""Server-rendered SVG bar charts: readable without JavaScript, each with a title, a description that
states every value (the text alternative), and a legend. A page shows the same numbers as a table."""

from __future__ import annotations

from html import escape

from flask_babel import gettext as _
from markupsafe import Markup

from heritage.policy.figures import Figure

PALETTE = ("#1d4f91", "#e08a00", "#3c8d5a", "#a23b72", "#6b6b66", "#2a9dc4", "#c04a1c")
# Columns by position, so that a figure whose headings are translated (web.masterplan_labels) plots the same.
# figure -> (label column, series column, value column): rows are pivoted into one bar per series
PIVOTS = {"holdings": (0, 1, 2), "retention_due": (0, 1, 2)}
# figure -> value columns (the label is the first column, plus the second for capacity)
VALUES = {
    "decisions": [1],
    "digitisation": [1, 2, 3],
    "priority": [1],
    "capacity": [4],
    "environment": [2, 3],
}


def chart_data(fig: Figure) -> tuple[list[str], list[tuple[str, dict[str, float]]]]:
    """(series names, [(row label, {series: value})]) of a figure."""
    if fig.name in PIVOTS:
        label_col, series_col, value_col = PIVOTS[fig.name]
        series: list[str] = []
        rows: dict[str, dict[str, float]] = {}
        for row in fig.rows:
            name = str(row[series_col])
            if name not in series:
                series.append(name)
            rows.setdefault(str(row[label_col]), {})[name] = float(row[value_col])
        return series, list(rows.items())
    idx = VALUES.get(fig.name) or [
        n for n in range(1, len(fig.columns)) if all(isinstance(r[n], int | float) for r in fig.rows)
    ]
    columns = [fig.columns[n] for n in idx]
    out = []
    for row in fig.rows:
        label = f"{row[0]} ({row[1]})" if fig.name == "capacity" else str(row[0])
        out.append((label, {c: float(row[i] or 0) for c, i in zip(columns, idx, strict=True)}))
    return columns, out


def bar_chart(fig: Figure, *, width: int = 720) -> Markup:
    """A horizontal bar chart of a figure as inline SVG: stacked for pivoted figures, grouped otherwise."""
    series, rows = chart_data(fig)
    stacked = fig.name in PIVOTS
    bar, gap, label_w, top = 14, 10, 230, 28
    group_h = (bar if stacked else bar * len(series)) + gap
    height = top + max(1, len(rows)) * group_h + 20
    totals = [sum(v.values()) if stacked else max(v.values(), default=0) for _, v in rows]
    peak = max(totals, default=0) or 1
    plot_w = width - label_w - 70
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{s} {values.get(s, 0):g}" for s in series if values.get(s) or not stacked)
        for label, values in rows
    )
    uid = f"chart-{fig.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{uid}-t {uid}-d">',
        f'<title id="{uid}-t">{escape(fig.title)}</title>',
        f'<desc id="{uid}-d">{escape(desc or _("no data yet"))}</desc>',
    ]
    x = label_w
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15" font-size="11">{escape(s)}</text>')
        x += 24 + 7 * len(s)
    if not rows:
        parts.append(f'<text x="{label_w}" y="{top + 14}" font-size="12">{escape(_("no data yet"))}</text>')
    for r, (label, values) in enumerate(rows):
        y0 = top + r * group_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + (group_h - gap) / 2 + 4}" font-size="12" text-anchor="end">'
            f"{escape(label[:36])}</text>"
        )
        offset = 0.0
        for n, s in enumerate(series):
            value = values.get(s, 0.0)
            w = plot_w * value / peak
            y = y0 if stacked else y0 + n * bar
            x0 = label_w + offset
            if value:
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{PALETTE[n % len(PALETTE)]}">'
                    f"<title>{escape(label)}, {escape(s)}: {value:g}</title></rect>"
                )
            if stacked:
                offset += w
            elif value or not any(values.values()):
                parts.append(f'<text x="{x0 + w + 4:.1f}" y="{y + bar - 4}" font-size="11">{value:g}</text>')
        if stacked:
            parts.append(f'<text x="{label_w + offset + 4:.1f}" y="{y0 + bar - 4}" font-size="11">{totals[r]:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
