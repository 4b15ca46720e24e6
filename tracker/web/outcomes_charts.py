"""The outcomes page's figures as server-rendered inline SVG: Kaplan-Meier curves with their 95 %
bands and numbers at risk, CRS and ICANS grade bars, and a forest plot of hazard ratios.

Pure drawing: numbers in, markup out. Every label is escaped; every number is formatted here.
The figures print in black and white too (line styles differ, not only colours).
"""

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif"
MAX_MONTHS_SHOWN = 36
SERIES = [
    {"colour": "#1f4e79", "dash": ""},
    {"colour": "#b45309", "dash": "6 3"},
    {"colour": "#15803d", "dash": "2 2"},
    {"colour": "#7e22ce", "dash": "8 3 2 3"},
]


def _f(value: float) -> str:
    return f"{value:.1f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" style="{FONT};max-width:{width}px">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every value is escaped or formatted here


def km_chart(curves: list[tuple[str, dict]], risk_months: list[float], *, title: str) -> SafeString:
    """Step curves (months, estimate) with 95 % bands, the y axis 0-100 %, at-risk rows below."""
    width, left, right, top = 680, 56, 20, 16
    plot_h = 240
    risk_top = top + plot_h + 44
    height = risk_top + 22 * len(curves) + 8
    plot_w = width - left - right
    # The x axis runs to the last follow-up, in whole half-years, and at most MAX_MONTHS_SHOWN
    # (a report figure; the table and the API keep the whole curve).
    followed = max([0, *(c["last_observed_months"] or 0 for _, c in curves)])
    horizon = min(max(6, math.ceil(followed / 6) * 6), MAX_MONTHS_SHOWN)

    def x(months: float) -> float:
        return left + plot_w * min(months, horizon) / horizon

    def y(fraction: float) -> float:
        return top + plot_h * (1 - fraction)

    body = []
    for tick in range(0, 101, 20):
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(y(tick / 100))}" y2="{_f(y(tick / 100))}" '
            f'stroke="#e5e7eb" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_f(y(tick / 100) + 4)}" font-size="11" text-anchor="end" fill="#374151">'
            f"{tick}</text>"
        )
    step = 3 if horizon <= 24 else 6 if horizon <= 60 else 12
    for month in range(0, int(horizon) + 1, step):
        body.append(
            f'<line x1="{_f(x(month))}" x2="{_f(x(month))}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
            f'stroke="#374151"/><text x="{_f(x(month))}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="#374151">{month}</text>'
        )
    body.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#374151"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#374151"/>'
        f'<text x="{left + plot_w / 2}" y="{top + plot_h + 32}" font-size="12" text-anchor="middle" '
        f'fill="#111827">Months since day 0</text>'
        f'<text transform="translate(14 {top + plot_h / 2}) rotate(-90)" font-size="12" text-anchor="middle" '
        f'fill="#111827">Probability (%)</text>'
    )
    for index, (label, curve) in enumerate(curves):
        style = SERIES[index % len(SERIES)]
        points = [point for point in curve["curve"] if point[0] <= horizon]
        if not points:
            continue
        upper, lower, line = [], [], []
        previous = None
        for months, estimate, low, high in points:
            if previous is not None:
                upper.append((months, previous[2]))
                lower.append((months, previous[1]))
                line.append((months, previous[0]))
            upper.append((months, high))
            lower.append((months, low))
            line.append((months, estimate))
            previous = (estimate, low, high)
        end = min(curve["last_observed_months"] or 0, horizon)
        upper.append((end, previous[2]))
        lower.append((end, previous[1]))
        line.append((end, previous[0]))
        band = " ".join(f"{_f(x(m))},{_f(y(v))}" for m, v in upper + lower[::-1])
        path = " ".join(f"{_f(x(m))},{_f(y(v))}" for m, v in line)
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        body.append(f'<polygon points="{band}" fill="{style["colour"]}" fill-opacity="0.13" stroke="none"/>')
        body.append(f'<polyline points="{path}" fill="none" stroke="{style["colour"]}" stroke-width="2"{dash}/>')
        legend_y = top + 14 + 16 * index
        body.append(
            f'<line x1="{left + plot_w - 150}" x2="{left + plot_w - 126}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{style["colour"]}" stroke-width="2"{dash}/>'
            f'<text x="{left + plot_w - 120}" y="{legend_y}" font-size="12" fill="#111827">'
            f"{escape(label)} (n = {curve['n']})</text>"
        )
    body.append(f'<text x="0" y="{risk_top - 6}" font-size="11" font-weight="600" fill="#111827">Number at risk</text>')
    for index, (label, curve) in enumerate(curves):
        row_y = risk_top + 14 + 22 * index
        colour = SERIES[index % len(SERIES)]["colour"]
        body.append(f'<text x="0" y="{row_y}" font-size="11" fill="{colour}">{escape(label)}</text>')
        for point in curve["at_risk"]:
            if point["months"] <= horizon:
                body.append(
                    f'<text x="{_f(x(point["months"]))}" y="{row_y}" font-size="11" text-anchor="middle" '
                    f'fill="#111827">{point["n"]}</text>'
                )
    return _svg(width, height, title, body)


def grade_bars(series: list[tuple[str, dict[str, int]]], *, title: str) -> SafeString:
    """Grouped bars: % of graded courses by maximum grade 1-4, one group per grade."""
    width, left, top, plot_h = 480, 48, 24, 200
    height = top + plot_h + 50
    plot_w = width - left - 16
    totals = [sum(counts.values()) for _, counts in series]
    shares = [
        [(counts[str(g)] / total if total else 0.0) for g in range(1, 5)]
        for (_, counts), total in zip(series, totals, strict=True)
    ]
    ceiling = max([0.1, *(v for row in shares for v in row)])
    ceiling = math.ceil(ceiling * 10) / 10

    def y(fraction: float) -> float:
        return top + plot_h * (1 - fraction / ceiling)

    body = []
    ticks = 5
    for i in range(ticks + 1):
        value = ceiling * i / ticks
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(y(value))}" y2="{_f(y(value))}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{_f(y(value) + 4)}" font-size="11" text-anchor="end" fill="#374151">'
            f"{value * 100:.0f}</text>"
        )
    group_w = plot_w / 4
    bar_w = group_w * 0.7 / max(len(series), 1)
    for grade in range(4):
        gx = left + group_w * grade + group_w * 0.15
        for index, (label, _counts) in enumerate(series):
            value = shares[index][grade]
            colour = SERIES[index % len(SERIES)]["colour"]
            pattern = "" if index == 0 else ' stroke="#111827" stroke-width="0.5" fill-opacity="0.55"'
            bx = gx + bar_w * index
            body.append(
                f'<rect x="{_f(bx)}" y="{_f(y(value))}" width="{_f(bar_w - 2)}" '
                f'height="{_f(top + plot_h - y(value))}" fill="{colour}"{pattern}>'
                f"<title>{escape(label)} grade {grade + 1}: {value * 100:.1f}%</title></rect>"
                f'<text x="{_f(bx + bar_w / 2 - 1)}" y="{_f(y(value) - 3)}" font-size="10" text-anchor="middle" '
                f'fill="#111827">{value * 100:.0f}</text>'
            )
        body.append(
            f'<text x="{_f(left + group_w * grade + group_w / 2)}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="#374151">Grade {grade + 1}</text>'
        )
    body.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#374151"/>'
        f'<text transform="translate(12 {top + plot_h / 2}) rotate(-90)" font-size="12" text-anchor="middle">'
        f"% of graded courses</text>"
    )
    for index, (label, _counts) in enumerate(series):
        colour = SERIES[index % len(SERIES)]["colour"]
        lx = left + 8 + 150 * index
        opacity = "" if index == 0 else ' fill-opacity="0.55" stroke="#111827" stroke-width="0.5"'
        body.append(
            f'<rect x="{lx}" y="4" width="12" height="12" fill="{colour}"{opacity}/>'
            f'<text x="{lx + 16}" y="14" font-size="12">{escape(label)} (n = {totals[index]})</text>'
        )
    body.append(
        f'<text x="{left + plot_w / 2}" y="{top + plot_h + 36}" font-size="12" text-anchor="middle">'
        f"Maximum ASTCT grade</text>"
    )
    return _svg(width, height, title, body)


def forest_plot(rows: list[dict], *, title: str) -> SafeString:
    """One row per subgroup level: its hazard ratio and 95 % interval on a log scale, 1 marked.

    A row too small to conclude is drawn in grey with an open marker and says so.
    """
    width, label_w, right_w, row_h, top = 720, 250, 150, 20, 26
    height = top + row_h * max(len(rows), 1) + 40
    plot_left, plot_right = label_w, width - right_w
    finite = [v for r in rows for v in (r.get("ci_low"), r.get("ci_high")) if v]
    low = min([0.25, *finite])
    high = max([4.0, *finite])
    low, high = max(low, 0.05), min(high, 20.0)

    def x(value: float) -> float:
        value = min(max(value, low), high)
        return plot_left + (plot_right - plot_left) * (math.log(value) - math.log(low)) / (
            math.log(high) - math.log(low)
        )

    body = [
        f'<text x="0" y="14" font-size="11" font-weight="600">Subgroup (n, events)</text>'
        f'<text x="{plot_right + 8}" y="14" font-size="11" font-weight="600">HR (95% CI)</text>'
    ]
    bottom = top + row_h * len(rows)
    for tick in (0.1, 0.25, 0.5, 1, 2, 4, 10):
        if low <= tick <= high:
            body.append(
                f'<line x1="{_f(x(tick))}" x2="{_f(x(tick))}" y1="{top - 4}" y2="{bottom}" '
                f'stroke="{"#374151" if tick == 1 else "#e5e7eb"}" stroke-dasharray="{"" if tick == 1 else "2 2"}"/>'
                f'<text x="{_f(x(tick))}" y="{bottom + 14}" font-size="11" text-anchor="middle">{tick:g}</text>'
            )
    body.append(
        f'<text x="{_f(x(0.5))}" y="{bottom + 30}" font-size="11" text-anchor="middle">← lower hazard</text>'
        f'<text x="{_f(x(2))}" y="{bottom + 30}" font-size="11" text-anchor="middle">higher hazard →</text>'
    )
    for index, row in enumerate(rows):
        cy = top + row_h * index + row_h / 2
        grey = row["too_small"] or row["hazard_ratio"] is None
        colour = "#9ca3af" if grey else "#1f4e79"
        weight = ' font-weight="600"' if row.get("heading") else ""
        body.append(
            f'<text x="0" y="{_f(cy + 4)}" font-size="11"{weight} fill="{"#111827" if not grey else "#6b7280"}">'
            f"{escape(row['label'])}</text>"
        )
        if row.get("heading"):
            continue
        if row["hazard_ratio"] is not None and row["ci_low"] is not None:
            body.append(
                f'<line x1="{_f(x(row["ci_low"]))}" x2="{_f(x(row["ci_high"]))}" y1="{_f(cy)}" y2="{_f(cy)}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
                f'<rect x="{_f(x(row["hazard_ratio"]) - 4)}" y="{_f(cy - 4)}" width="8" height="8" '
                f'fill="{"white" if grey else colour}" stroke="{colour}" stroke-width="1.5"/>'
            )
            words = f"{row['hazard_ratio']:.2f} ({row['ci_low']:.2f}-{row['ci_high']:.2f})"
        else:
            words = "not estimable"
        if row["too_small"]:
            words += " · too few"
        body.append(
            f'<text x="{plot_right + 8}" y="{_f(cy + 4)}" font-size="11" fill="{"#6b7280" if grey else "#111827"}">'
            f"{escape(words)}</text>"
        )
    return _svg(width, height, title, body)
