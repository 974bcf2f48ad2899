"""A text explanation in HTML that does not rely on colour: each word that counted is wrapped
in ``<mark>`` with an arrow and its number, and a plain list gives the same words in order of
weight. Everything from the text is HTML-escaped."""

from __future__ import annotations

from html import escape

import numpy as np

from .. import fmt

LEGEND = {
    "nl": "↑ wijst naar “{a}”, ↓ wijst naar “{b}”. Het getal zegt hoe sterk het woord telde: "
          "hoe groter, hoe sterker. Het is geen kans of percentage.",
    "en": "↑ points to “{a}”, ↓ points to “{b}”. The number says how strongly the word counted: "
          "the larger, the stronger. It is not a chance or a percentage.",
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


SENTENCE = {
    "nl": ("Uw tekst ging naar “{a}” vooral door {up}.", " {down} {verb} juist meer naar “{b}”.",
           "Geen woord uit uw tekst gaf de doorslag; de keuze volgt uit wat het model gewoonlijk kiest."),
    "en": ("Your text went to “{a}” mainly because of {up}.", " {down} {verb} more to “{b}”.",
           "No word of your text decided it; the choice follows what the model usually picks."),
}
AND = {"nl": "en", "en": "and"}
WORD = {"nl": ("het woord", "de woorden", "Het woord", "De woorden"),
        "en": ("the word", "the words", "The word", "The words")}


def _words(items: list[str], lang: str, capital: bool) -> str:
    quoted = [f"‘{w}’" for w in items]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {AND[lang]} {quoted[-1]}"
    return f"{WORD[lang][(2 if capital else 0) + (len(items) > 1)]} {joined}"


def text_sentence(kexp, locale: str = "nl", labels: dict | None = None, top: int = 3) -> str:
    """One plain sentence (B1): which words sent the text to the chosen class, which pointed to
    the runner-up. Plain text (escape it where it goes into HTML)."""
    lang = fmt.lang(locale)
    feats = sorted(kexp.extra["features"], key=lambda f: (-abs(f["contribution"]), f["feature"]))
    up = [f["feature"] for f in feats if f["contribution"] >= MIN_SHOWN][:top]
    down = [f["feature"] for f in feats if f["contribution"] <= -MIN_SHOWN][:2]
    a = _label(kexp, kexp.explanation.prediction, lang, labels)
    b = _label(kexp, kexp.extra["runner_up"], lang, labels)
    first, second, none = SENTENCE[lang]
    if not up:
        return none
    sentence = first.format(a=a, up=_words(up, lang, False))
    verb = {"nl": ("wees", "wezen"), "en": ("pointed", "pointed")}[lang][len(down) > 1]
    return sentence + (second.format(down=_words(down, lang, True), b=b, verb=verb) if down else "")


def top_words(explainer, per_class: int = 8) -> dict:
    """For "how it works": per class the words that point to it most strongly (weight per word,
    against the average of the other classes)."""
    weights = explainer.weights
    out = {}
    for k, cls in enumerate(explainer.classes):
        others = np.delete(weights, k, axis=0).mean(axis=0)
        lift = weights[k] - others
        best = np.argsort(-lift, kind="stable")[:per_class]
        out[cls] = [(str(explainer.features[j]), float(lift[j])) for j in best]
    return out
