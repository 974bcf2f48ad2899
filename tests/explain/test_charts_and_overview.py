"""Accessible SVG charts and the global explanation."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET

from explain import (
    Explainer,
    global_explanation,
    parse_spec,
    render_bar_chart_svg,
    render_importance_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_the_bar_chart_is_valid_svg_with_title_desc_and_direction_not_only_by_colour(sample):
    s = sample("woz")
    exp = s.explainer.explain(s.row(0))
    svg = render_bar_chart_svg(exp, s.spec, "nl")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Wat telde mee voor de WOZ-waarde van uw woning"
    assert "verhoogt de waarde met €" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("+ € ") for t in texts) and any(t.startswith("− € ") for t in texts)
    assert "Gestreepte balk: verlaagt de waarde" in texts
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert any(f and f.startswith("url(#") for f in fills)  # stripes for 'lowers'


def test_labels_are_escaped(toy_models):
    model, spec, ref = toy_models["gbr"]
    raw = spec.to_dict()
    raw["features"][0]["label"] = {"nl": "Buurt <b>&</b>", "en": 'Area "<x>"'}
    raw["features"][0]["categories"][0]["label"] = {"nl": "a&b", "en": "a<b"}
    nasty = parse_spec(raw)
    exp = Explainer.build(model, nasty, ref).explain(ref[nasty.names].iloc[0].to_dict())
    for locale in ("nl", "en"):
        root = ET.fromstring(render_bar_chart_svg(exp, nasty, locale))
        assert any(
            "Buurt <b>&</b>" in (t.text or "") or 'Area "<x>"' in (t.text or "")
            for t in root.iter(f"{SVG}text")
        )


def test_charts_are_safe_to_render_from_many_threads(sample):
    s = sample("slimme_check")
    exps = s.explainer.explain_many(s.reference[s.spec.names].head(8))
    expected = [render_bar_chart_svg(e, s.spec, "en") for e in exps]
    results = [None] * len(exps)

    def work(i):
        results[i] = render_bar_chart_svg(exps[i], s.spec, "en")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(exps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def test_global_explanation_ranks_features_and_describes_effects_in_words(sample):
    s = sample("woz")
    overview = global_explanation(s.explainer, s.reference)
    json.dumps(overview)
    top = overview["features"][0]
    assert top["feature"] == "woonoppervlak" and top["direction"] == "up"
    assert top["summary"]["nl"].startswith("Hoe hoger woonoppervlak, hoe hoger de waarde.")
    assert "Het effect is het sterkst tot" in top["summary"]["nl"] and "m²" in top["summary"]["nl"]
    assert top["summary"]["en"].startswith("The higher the floor area, the higher the value.")
    shares = [f["share"] for f in overview["features"]]
    assert shares == sorted(shares, reverse=True) and abs(sum(shares) - 1) < 1e-9
    assert overview["performance"]["r2"] > 0.9
    assert overview["model_sha256"] == s.model.sha256
    root = ET.fromstring(render_importance_svg(overview, s.spec, "en"))
    assert root.find(f"{SVG}title").text == "What the model uses most"


def test_classification_performance_uses_the_threshold_in_practice(sample):
    s = sample("vakantieverhuur")
    perf = global_explanation(s.explainer, s.reference)["performance"]
    assert perf["threshold"] == 0.5
    assert sum(perf["confusion"].values()) == len(s.reference)
    assert 0.5 < perf["roc_auc"] <= 1


def test_no_chart_label_is_wider_than_the_chart_in_either_language(sample):
    """Labels wrap onto more lines instead of running past the edge (checked in a browser too)."""
    from explain.charts import text_width

    for name in ("woz", "slimme_check", "vakantieverhuur"):
        s = sample(name)
        exp = s.explainer.explain(s.row(7))
        for locale in ("nl", "en"):
            root = ET.fromstring(render_bar_chart_svg(exp, s.spec, locale))
            width = float(root.get("width"))
            labels = {f"{f.label[locale]}: {f.format_value(exp.inputs.get(f.name), locale)}"
                      for f in s.spec.features}
            seen = ""
            for text in root.iter(f"{SVG}text"):
                size = float(text.get("font-size"))
                spans = list(text.iter(f"{SVG}tspan")) or [text]
                for line in spans:
                    assert float(line.get("x", text.get("x"))) + text_width(line.text, size) <= width
                    seen += " " + line.text
            for label in labels:  # every input is in the chart, whole
                assert all(word in seen for word in label.split())


def test_a_very_long_label_wraps_onto_several_lines(toy_models):
    model, spec, ref = toy_models["gbr"]
    raw = spec.to_dict()
    raw["features"][2]["label"] = {"nl": "Een heel erg lange omschrijving van het eerste getal " * 2,
                                   "en": "A very very long description of the first number " * 2}
    long = parse_spec(raw)
    exp = Explainer.build(model, long, ref).explain(ref[long.names].iloc[0].to_dict())
    root = ET.fromstring(render_bar_chart_svg(exp, long, "nl"))
    wrapped = [t for t in root.iter(f"{SVG}text") if list(t.iter(f"{SVG}tspan"))]
    assert wrapped and len(list(wrapped[0].iter(f"{SVG}tspan"))) >= 2
