"""A text explanation in HTML that does not rely on colour: each word that counted is wrapped
in ``<mark>`` with an arrow and its number, and a plain list gives the same words in order of
weight. Everything from the text is HTML-escaped."""

from __future__ import annotations

from html import escape

from .. import fmt

LEGEND = {
    "nl": "↑ wijst naar “{a}”, ↓ wijst naar “{b}”. Het getal is de bijdrage van het woord.",
    "en": "↑ points to “{a}”, ↓ points to “{b}”. The number is the word's contribution.",
}
LIST_ITEM = {"nl": "“{w}” {arrow} {n}{times}", "en": "“{w}” {arrow} {n}{times}"}
MIN_SHOWN = 0.005


def _signed(value: float, locale: str) -> str:
    return ("+" if value > 0 else "−") + fmt.number(abs(value), locale, decimals=2)


def _arrow(value: float) -> str:
    return "↑" if value > 0 else "↓"


def _label(kexp, value: str, locale: str, labels: dict | None) -> str:
    return (labels or {}).get(value, {}).get(fmt.lang(locale), value)


def mark_text(kexp, locale: str = "nl", labels: dict | None = None) -> str:
    """The resident's text with every word that counted marked: ``<mark>woord ↑ +0,42</mark>``.

    ``labels``: class value → {"nl": …, "en": …} for the legend."""
    lang = fmt.lang(locale)
    text = next(iter(kexp.explanation.inputs.values()))
    parts, pos = [], 0
    for w in kexp.extra["words"]:
        if abs(w["contribution"]) < MIN_SHOWN:
            continue
        parts.append(escape(text[pos:w["start"]]))
        kind = "up" if w["contribution"] > 0 else "down"
        parts.append(f'<mark class="word word-{kind}">{escape(w["word"])}'
                     f'<span class="word-effect"> {_arrow(w["contribution"])}&#8239;'
                     f'{_signed(w["contribution"], lang)}</span></mark>')
        pos = w["end"]
    parts.append(escape(text[pos:]))
    a = _label(kexp, kexp.explanation.prediction, lang, labels)
    b = _label(kexp, kexp.extra["runner_up"], lang, labels)
    legend = escape(LEGEND[lang].format(a=a, b=b))
    return (f'<p class="text-legend">{legend}</p>\n'
            f'<p class="text-marked">{"".join(parts)}</p>')


def word_list(kexp, locale: str = "nl", limit: int = 10) -> str:
    """The words (and word pairs) that counted most, as a plain ordered list."""
    lang = fmt.lang(locale)
    feats = sorted(kexp.extra["features"], key=lambda f: (-abs(f["contribution"]), f["feature"]))
    items = []
    for f in feats[:limit]:
        if abs(f["contribution"]) < MIN_SHOWN:
            continue
        times = f" ({f['count']}×)" if f["count"] > 1 else ""
        item = LIST_ITEM[lang].format(w=f["feature"], arrow=_arrow(f["contribution"]),
                                      n=_signed(f["contribution"], lang), times=times)
        items.append(f"<li>{escape(item)}</li>")
    return '<ol class="text-words">\n' + "\n".join(items) + "\n</ol>"
