"""Text classifiers: every word's exact share in the resident's own text, checked against
shap and the model's own probabilities; marked with arrows and numbers, HTML-escaped."""

from __future__ import annotations

import json
import math
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import shap
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from explain.errors import ExplainerError, InputError, IntakeError
from explain.intake import save_model
from explain.methods.marks import mark_text, text_sentence, top_words, word_list
from explain.methods.text import TextExplainer, load_text_model, load_text_spec, parse_text_spec
from sample_models import ARTEFACTS

SOURCES = {"iris": datasets.load_iris, "wine": datasets.load_wine,
           "cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes}


def descr_corpus() -> pd.DataFrame:
    """Lines of the bundled data sets' descriptions, labelled by data set: text we did not write."""
    rows = []
    for name, loader in SOURCES.items():
        for line in loader().DESCR.splitlines():
            if len(re.findall(r"[A-Za-z]{3,}", line)) >= 3:
                rows.append((line.strip(), name))
    return pd.DataFrame(rows, columns=["text", "source"])


CORPUS = descr_corpus()


def text_spec(classes) -> object:
    return parse_text_spec({
        "spec_version": 1, "kind": "text",
        "text": {"name": "tekst", "label": {"nl": "Tekst", "en": "Text"}, "max_length": 3000},
        "outcome": {"column": "bron", "label": {"nl": "bron", "en": "source"},
                    "short": {"nl": "bron", "en": "source"},
                    "classes": [{"value": c, "label": {"nl": c.upper(), "en": c.title()}}
                                for c in classes]}})


MODELS = {
    "tfidf-logistic": lambda: Pipeline([("v", TfidfVectorizer(ngram_range=(1, 2), stop_words="english")),
                                         ("m", LogisticRegression(max_iter=2000))]),
    "count-multinomial": lambda: Pipeline([("v", CountVectorizer()), ("m", MultinomialNB())]),
    "count-complement": lambda: Pipeline([("v", CountVectorizer(ngram_range=(1, 2))),
                                          ("m", ComplementNB())]),
    "tfidf-linearsvc": lambda: Pipeline([("v", TfidfVectorizer()), ("m", LinearSVC())]),
}


@pytest.fixture(scope="module", params=sorted(MODELS))
def trained(request, tmp_path_factory):
    model = MODELS[request.param]().fit(CORPUS.text, CORPUS.source)
    path = tmp_path_factory.mktemp("text") / "model.skops"
    save_model(model, path)
    spec = text_spec(sorted(SOURCES))
    return request.param, model, load_text_model(path, spec)


def test_words_add_up_to_the_margin_between_chosen_and_runner_up(trained):
    name, model, explainer = trained
    for text in CORPUS.text.iloc[::25]:
        exp = explainer.explain(text)
        assert exp.prediction == model.predict([text])[0]
        total = exp.base_value + sum(exp.contributions.values())
        assert abs(total - exp.output_value) <= 1e-6
        if name != "tfidf-linearsvc":  # logistic and naive Bayes: the margin is log(P(a)/P(b))
            p = exp.probabilities
            assert exp.output_value == pytest.approx(
                math.log(p[exp.prediction]) - math.log(p[exp.extra["runner_up"]]), abs=1e-6)
        # word by word in the text itself, adding up to the same total
        words = exp.extra["words"]
        assert all(text[w["start"]:w["end"]] == w["word"] for w in words)
        assert sum(w["contribution"] for w in words) == pytest.approx(total - exp.base_value, abs=1e-9)


def test_linear_contributions_equal_shap_with_the_empty_text_as_background(trained):
    name, model, explainer = trained
    if name not in {"tfidf-logistic", "tfidf-linearsvc"}:
        pytest.skip("naive Bayes is checked against its own log-probabilities")
    vec, clf = model[0], model[-1]
    direct = shap.LinearExplainer(clf, shap.maskers.Independent(np.zeros((1, len(vec.vocabulary_)))))
    for text in CORPUS.text.iloc[3::40]:
        exp = explainer.explain(text)
        x = vec.transform([text])
        values = np.asarray(direct.shap_values(x.toarray()))[0]
        a, b = (list(clf.classes_).index(c) for c in (exp.prediction, exp.extra["runner_up"]))
        for feature in exp.extra["features"]:
            j = vec.vocabulary_[feature["feature"]]
            assert feature["towards_chosen"] == pytest.approx(values[j, a], abs=1e-9)
            assert feature["contribution"] == pytest.approx(values[j, a] - values[j, b], abs=1e-9)


def test_naive_bayes_is_the_exact_log_probability_decomposition(trained):
    name, model, explainer = trained
    if "multinomial" not in name and "complement" not in name:
        pytest.skip("linear models are checked against shap")
    clf, vec = model[-1], model[0]
    text = CORPUS.text.iloc[11]
    exp = explainer.explain(text)
    a = list(clf.classes_).index(exp.prediction)
    counts = vec.transform([text]).toarray()[0]
    for feature in exp.extra["features"]:
        j = vec.vocabulary_[feature["feature"]]
        assert feature["towards_chosen"] == pytest.approx(counts[j] * clf.feature_log_prob_[a, j])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["iris", "petal", "wine", "alcohol", "tumor", "radius", "diabetes",
                                 "serum", "the", "Ünïcode", "<b>", "&amp;", "x", "!", "\n",
                                 "Petal-Width", "42"]), min_size=1, max_size=30))
def test_any_text_adds_up_and_every_word_is_found_back(words):
    model = MODELS["count-complement"]().fit(CORPUS.text, CORPUS.source)
    explainer = TextExplainer(model, text_spec(sorted(SOURCES)), sha256="0" * 64)
    text = " ".join(words)
    assume(text.strip())  # an empty text is refused (tested below)
    exp = explainer.explain(text)
    assert abs(exp.base_value + sum(exp.contributions.values()) - exp.output_value) <= 1e-6
    assert all(text[w["start"]:w["end"]] == w["word"] for w in exp.extra["words"])
    html = mark_text(exp, "nl")
    assert "<b>" not in html.replace('<mark class="word', "")  # the text can never add markup


def test_the_report_sample_marks_words_without_colour_and_escapes_the_text():
    folder = ARTEFACTS / "meldingen"
    spec = load_text_spec(folder / "spec.json")
    explainer = load_text_model(folder / "model.skops", spec)
    text = "De lantaarnpaal bij de brug is kapot <script>alert(1)</script> en het is donker."
    exp = explainer.explain(text)
    assert exp.prediction == "verlichting" and exp.outputs == {"team": "verlichting"}
    labels = {c.value: c.label for c in spec.outcome.classes}
    html = mark_text(exp, "nl", labels)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Openbare verlichting" in html
    marked = re.findall(r'<mark class="word word-(up|down)">([^<]+)<span class="word-effect"> '
                        r"([↑↓])&#8239;([+−]\d+,\d\d)</span></mark>", html)
    assert ("up", "lantaarnpaal", "↑") == marked[0][:3]  # an arrow and a number, not only colour
    assert all((kind == "up") == (arrow == "↑") for kind, _, arrow, _ in marked)
    listed = word_list(exp, "en")
    assert listed.startswith('<ol class="text-words">') and "“kapot” ↑ +" in listed
    sentence = text_sentence(exp, "nl", labels)
    assert sentence.startswith("Uw tekst ging naar “Openbare verlichting” vooral door de woorden")
    assert "‘kapot’" in sentence and "‘lantaarnpaal’" in sentence
    assert text_sentence(exp, "en", labels).startswith("Your text went to “Street lighting”")
    assert "lantaarnpaal" in [w for w, _ in top_words(explainer)["verlichting"]]
    data = json.loads(json.dumps(exp.to_dict()))  # the machine-readable shape is plain JSON
    assert data["method"] == "linear" and data["accuracy"]["kind"] == "exact"
    assert data["scale"] == "log-odds" and data["inputs"] == {"melding": text}


def test_the_report_sample_sends_most_reference_reports_to_the_right_team():
    folder = ARTEFACTS / "meldingen"
    explainer = load_text_model(folder / "model.skops", load_text_spec(folder / "spec.json"))
    reference = pd.read_csv(folder / "reference.csv")
    assert len(reference) >= 300
    assert (explainer.pipeline.predict(reference.melding) == reference.team).mean() > 0.8


def test_empty_too_long_and_unsupported_texts_and_models_are_refused(tmp_path):
    folder = ARTEFACTS / "meldingen"
    spec = load_text_spec(folder / "spec.json")
    explainer = load_text_model(folder / "model.skops", spec)
    for bad in ("", "   ", "x" * 2001):
        with pytest.raises(InputError) as info:
            explainer.explain(bad)
        assert "melding" in info.value.errors
    (tmp_path / "model.skops").write_bytes(pickle.dumps(Pipeline([("v", CountVectorizer())])))
    with pytest.raises(IntakeError) as refused:
        load_text_model(tmp_path / "model.skops", spec)
    assert refused.value.code == "pickle_refused" and "pickle" in refused.value.message("nl")
    chars = Pipeline([("v", TfidfVectorizer(analyzer="char")), ("m", MultinomialNB())])
    with pytest.raises(ExplainerError) as unsupported:
        TextExplainer(chars.fit(CORPUS.text, CORPUS.source), text_spec(sorted(SOURCES)), sha256="")
    assert unsupported.value.code == "text_model_unsupported"
    with pytest.raises(ExplainerError) as mismatch:
        TextExplainer(MODELS["count-multinomial"]().fit(CORPUS.text, CORPUS.source),
                      text_spec(["iris", "wine"]), sha256="")
    assert mismatch.value.code == "class_mismatch"


def test_the_report_sample_rebuilds_to_the_same_files(tmp_path):
    from sample_models import built_with_these_libraries, meldingen

    paths = meldingen.build(tmp_path)
    for key in ("spec", "reference"):
        assert paths[key].read_bytes() == (ARTEFACTS / "meldingen" / paths[key].name).read_bytes()
    committed = ARTEFACTS / "meldingen" / paths["model"].name
    if built_with_these_libraries():
        assert paths["model"].read_bytes() == committed.read_bytes(), "meldingen/model.skops is not reproducible"
    else:  # another numpy, scipy or scikit-learn may train bit-differently; the model must still agree
        spec = load_text_spec(ARTEFACTS / "meldingen" / "spec.json")
        texts = pd.read_csv(ARTEFACTS / "meldingen" / "reference.csv")["melding"].tolist()
        np.testing.assert_allclose(load_text_model(paths["model"], spec).pipeline.predict_proba(texts),
                                   load_text_model(committed, spec).pipeline.predict_proba(texts), rtol=1e-6)
