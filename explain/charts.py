"""Accessible SVG bar charts, built as strings: no matplotlib, no global state.

Bars are horizontal around a zero line. Direction is shown three ways, never by colour alone:
a sign in the value label (+ / −), a solid fill for 'raises' and a striped fill for 'lowers',
and a legend in words. The SVG has role="img", a <title> and a <desc> with the full text.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from . import fmt
from .explanation import Explanation, display_values
from .narrative import amount, subject

UP, DOWN, INK, AXIS = "#1d4f91", "#a4343a", "#1a1a1a", "#595959"
TEXT = {
    "nl": {
        "title": "Wat telde mee voor {label}",
        "others": "Andere gegevens",
        "up": "verhoogt",
        "down": "verlaagt",
        "by": "met",
        "legend_up": "Effen balk: verhoogt {short}",
        "legend_down": "Gestreepte balk: verlaagt {short}",
        "importance": "Wat het model het meest gebruikt",
        "importance_desc": "Gemiddelde invloed per gegeven, als deel van het totaal.",
    },
    "en": {
        "title": "What counted for {label}",
        "others": "Other details",
        "up": "raises",
        "down": "lowers",
        "by": "by",
        "legend_up": "Solid bar: raises {short}",
        "legend_down": "Striped bar: lowers {short}",
        "importance": "What the model uses most",
        "importance_desc": "Average influence per detail, as a share of the total.",
    },
}


def _bars_svg(
    rows,
    title: str,
    desc: str,
    legend: list[tuple[str, str]],
    id_prefix: str,
    signed: bool = True,
    width: int = 680,
) -> str:
    """rows: (label, value, value_text). Returns a complete <svg> element as a string."""
    row_h, top, label_w, value_w = 30, 12, 250, 130
    plot_w = width - label_w - value_w - 20
    height = top + row_h * len(rows) + (16 + 22 * len(legend) if legend else 10)
    peak = max((abs(v) for _, v, _ in rows), default=1.0) or 1.0
    zero = label_w + (plot_w / 2 if signed else 0)
    scale = (plot_w / 2 if signed else plot_w) / peak
    p = id_prefix
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{p}-title {p}-desc" '
            'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="14">'
        ),
        f'<title id="{p}-title">{escape(title)}</title>',
        f'<desc id="{p}-desc">{escape(desc)}</desc>',
        (
            f'<defs><pattern id="{p}-stripes" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{DOWN}"/></pattern></defs>'
        ),
    ]
    for i, (label, value, value_text) in enumerate(rows):
        y = top + i * row_h
        length = abs(value) * scale
        x = zero if value >= 0 or not signed else zero - length
        fill = UP if value >= 0 or not signed else f"url(#{p}-stripes)"
        stroke = UP if value >= 0 or not signed else DOWN
        out.append(
            f'<g><text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        out.append(
            f'<rect x="{x:.1f}" y="{y + 5}" width="{max(length, 1):.1f}" height="{row_h - 10}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        )
        out.append(
            f'<text x="{width - value_w + 8}" y="{y + 19}" fill="{INK}">{escape(value_text)}'
            "</text></g>"
        )
    axis_bottom = top + row_h * len(rows)
    out.append(
        f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{axis_bottom}" stroke="{AXIS}" '
        'stroke-width="1.5" aria-hidden="true"/>'
    )
    for j, (kind, text) in enumerate(legend):  # one line each, so long wording is never cut off
        lx = 10
        ly = axis_bottom + 12 + 22 * j
        fill = UP if kind == "up" else f"url(#{p}-stripes)"
        stroke = UP if kind == "up" else DOWN
        out.append(
            f'<rect x="{lx}" y="{ly}" width="18" height="14" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{lx + 24}" y="{ly + 12}" fill="{INK}" font-size="13">{escape(text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _prefix(*parts) -> str:
    return "c" + hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


def render_bar_chart_svg(
    exp: Explanation, spec, locale: str = "nl", *, top: int = 6, id_prefix: str | None = None
) -> str:
    """The contributions of one explanation as an accessible horizontal bar chart."""
    lang = fmt.lang(locale)
    t = TEXT[lang]
    disp = display_values(exp)
    ranked = sorted(disp.contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    rows = []
    for name, value in ranked[:top]:
        feat = spec.feature(name)
        label = f"{feat.label[lang]}: {feat.format_value(exp.inputs.get(name), locale)}"
        rows.append((label, value, _signed(value, disp.unit, spec, locale)))
    if len(ranked) > top:
        rest = sum(v for _, v in ranked[top:])
        rows.append((t["others"], rest, _signed(rest, disp.unit, spec, locale)))
    short = spec.outcome.short[lang]
    title = t["title"].format(label=spec.outcome.label[lang])
    desc = " ".join(
        f"{label}: {t['up'] if v >= 0 else t['down']} {short} {t['by']} {vt.lstrip('+− ')}."
        for label, v, vt in rows
    )
    legend = [
        ("up", t["legend_up"].format(short=short)),
        ("down", t["legend_down"].format(short=short)),
    ]
    prefix = id_prefix or _prefix(exp.model_sha256, sorted(exp.contributions.items()), lang)
    return _bars_svg(rows, title, desc, legend, prefix)


def _signed(value: float, unit: str, spec, locale: str) -> str:
    if unit == "relative":
        return f"{'+' if value >= 0 else '−'}{round(abs(value) * 100)}%"
    text, _ = amount(value, unit, spec, locale)
    return f"{'+' if value >= 0 else '−'} {text}"


def render_importance_svg(
    overview: dict, spec, locale: str = "nl", *, id_prefix: str | None = None
) -> str:
    """The global importance per feature (share of the total) as an accessible bar chart."""
    lang = fmt.lang(locale)
    t = TEXT[lang]
    rows = [
        (f["label"][lang], f["share"], f"{fmt.number(round(100 * f['share']), locale)}%")
        for f in overview["features"]
    ]
    desc = t["importance_desc"] + " " + " ".join(f"{label}: {vt}." for label, _, vt in rows)
    prefix = id_prefix or _prefix(overview.get("model_sha256"), "importance", lang)
    return _bars_svg(rows, t["importance"], desc, [], prefix, signed=False)


__all__ = ["render_bar_chart_svg", "render_importance_svg", "subject"]
