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
        "others": "De overige {n} gegevens samen",
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
        "others": "The remaining {n} details together",
        "up": "raises",
        "down": "lowers",
        "by": "by",
        "legend_up": "Solid bar: raises {short}",
        "legend_down": "Striped bar: lowers {short}",
        "importance": "What the model uses most",
        "importance_desc": "Average influence per detail, as a share of the total.",
    },
}


NARROW = set("iljtfrI.,:;'!|() ")
WIDE = set("mwMWœæ—€%")
FONT, SMALL = 15, 15  # 15 px drawn at 340 px stays above 12 px on a 320 px screen


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of rendered width in px (DejaVu Sans is the widest font we meet)."""
    units = 0.0
    for ch in text:
        if ch in NARROW:
            units += 0.36
        elif ch in WIDE:
            units += 0.95
        elif ch.isupper() or ch.isdigit():
            units += 0.7
        else:
            units += 0.62
    return units * size * 1.05


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    """Break ``text`` at spaces into lines no wider than ``width`` (a long word gets its own line)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _text(x: float, y: float, lines: list[str], size: int, anchor: str = "start") -> str:
    attrs = f'x="{x:.0f}" y="{y:.0f}" fill="{INK}" font-size="{size}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if len(lines) == 1:
        return f"<text {attrs}>{escape(lines[0])}</text>"
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{0 if i == 0 else size + 4}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f"<text {attrs}>{spans}</text>"


def _bars_svg(
    rows,
    title: str,
    desc: str,
    legend: list[tuple[str, str]],
    id_prefix: str,
    signed: bool = True,
    width: int = 340,
) -> str:
    """rows: (label, value, value_text). Returns a complete <svg> element as a string.

    Each row has its label on its own line(s) above the bar, wrapped to the chart's width, and
    the value beside the bar, so no text is ever cut off, in any language; the chart is narrow
    so its text stays readable when a phone scales it down.
    """
    line_h, bar_h, gap = FONT + 4, 16, 12
    value_w = max((text_width(vt, FONT) for _, _, vt in rows), default=40) + 10
    plot_w = width - value_w - 4
    peak = max((abs(v) for _, v, _ in rows), default=1.0) or 1.0
    zero = plot_w / 2 if signed else 3
    scale = ((plot_w / 2 - 2) if signed else (plot_w - 2)) / peak
    p = id_prefix
    body, y = [], 4
    for label, value, value_text in rows:
        lines = wrap(label, width - 6)
        body.append("<g>" + _text(3, y + FONT, lines, FONT))
        y += line_h * len(lines) + 2
        length = abs(value) * scale
        x = zero if value >= 0 or not signed else zero - length
        fill = UP if value >= 0 or not signed else f"url(#{p}-stripes)"
        stroke = UP if value >= 0 or not signed else DOWN
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" height="{bar_h}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        )
        if signed:  # the zero line beside each bar only, so it never runs through a label
            body.append(
                f'<line x1="{zero:.1f}" y1="{y - 3}" x2="{zero:.1f}" y2="{y + bar_h + 3}" '
                f'stroke="{AXIS}" stroke-width="1.5" aria-hidden="true"/>'
            )
        body.append(_text(plot_w + 8, y + bar_h - 3, [value_text], FONT) + "</g>")
        y += bar_h + gap
    y = y - gap + 12
    for kind, text in legend:  # wrapped like the labels, so long wording is never cut off
        lines = wrap(text, width - 32, SMALL)
        fill = UP if kind == "up" else f"url(#{p}-stripes)"
        stroke = UP if kind == "up" else DOWN
        body.append(
            f'<rect x="3" y="{y + 2}" width="18" height="14" fill="{fill}" stroke="{stroke}"/>'
            + _text(28, y + SMALL, lines, SMALL)
        )
        y += (SMALL + 4) * len(lines) + 6
    height = int(y + 4)
    head = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{p}-title {p}-desc" '
            'font-family="DejaVu Sans, system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
            f'font-size="{FONT}">'
        ),
        f'<title id="{p}-title">{escape(title)}</title>',
        f'<desc id="{p}-desc">{escape(desc)}</desc>',
        (
            f'<defs><pattern id="{p}-stripes" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{DOWN}"/></pattern></defs>'
        ),
    ]
    return "\n".join([*head, *body, "</svg>"])


def _prefix(*parts) -> str:
    return "c" + hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


MAX_BARS = 12


def render_bar_chart_svg(
    exp: Explanation, spec, locale: str = "nl", *, top: int = MAX_BARS, id_prefix: str | None = None
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
        label = t["others"].format(n=len(ranked) - top)
        rows.append((label, rest, _signed(rest, disp.unit, spec, locale)))
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
