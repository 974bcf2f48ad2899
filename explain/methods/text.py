"""Text classifiers explained word by word in the resident's own text.

A model is a scikit-learn Pipeline of two steps stored as ``.skops``: a ``CountVectorizer`` or
``TfidfVectorizer`` (word analyser, n-grams and stop words allowed) and a linear classifier
(``LogisticRegression``, ``SGDClassifier``, ``LinearSVC``, ``RidgeClassifier``) or naive Bayes
(``MultinomialNB``, ``ComplementNB``).

Both kinds score each class as an affine function of the word vector x: ``s_c(x) = b_c + W_c·x``
(the decision function, or naive Bayes' joint log-likelihood). The explanation compares the
chosen class a with the runner-up b: ``s_a − s_b = (b_a − b_b) + Σ_j (W_aj − W_bj)·x_j``. For
logistic regression and naive Bayes that margin is exactly log(P(a)/P(b)), so every word's
share is exact; the baseline is the empty text (every word absent), which is exact linear SHAP
with an all-zero background. A word that occurs twice gets its share split equally over both
places; an n-gram's share is split over its words. Where each word is in the text is found
with the vectoriser's own token pattern and checked against the vectoriser's own counts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import numpy as np

from ..errors import ExplainerError, InputError, SpecError
from ..explanation import Explanation
from ..spec import Category, Outcome
from .common import KindExplanation, check_additivity, load_skops_part, versions

TEXT = "sklearn.feature_extraction.text."
TEXT_TYPES = frozenset({TEXT + "CountVectorizer", TEXT + "TfidfVectorizer",
                        TEXT + "TfidfTransformer", "sklearn.naive_bayes.MultinomialNB",
                        "sklearn.naive_bayes.ComplementNB", "sklearn.svm._classes.LinearSVC",
                        "sklearn.linear_model._ridge.RidgeClassifier",
                        "sklearn.linear_model._stochastic_gradient.SGDClassifier"})
LINEAR = {"LogisticRegression", "SGDClassifier", "LinearSVC", "RidgeClassifier"}
BAYES = {"MultinomialNB", "ComplementNB"}
VECTORIZERS = {"CountVectorizer", "TfidfVectorizer"}
_L = {"type": "object", "required": ["nl", "en"],
      "properties": {"nl": {"type": "string", "minLength": 1}, "en": {"type": "string", "minLength": 1}}}
TEXT_SPEC_SCHEMA = {
    "type": "object", "required": ["spec_version", "kind", "text", "outcome"],
    "properties": {
        "spec_version": {"const": 1}, "kind": {"const": "text"}, "model": {"type": "string"},
        "text": {"type": "object", "required": ["name", "label"], "additionalProperties": False,
                 "properties": {"name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                                "label": _L, "max_length": {"type": "integer", "minimum": 1}}},
        "outcome": {"type": "object", "required": ["label", "short", "classes"],
                    "properties": {"label": _L, "short": _L, "column": {"type": "string"},
                                   "classes": {"type": "array", "minItems": 2, "items": {
                                       "type": "object", "required": ["value", "label"],
                                       "properties": {"value": {"type": "string"}, "label": _L}}}}},
    },
}


@dataclass(frozen=True)
class TextSpec:
    """The one text input (name, label, longest text accepted) and the outcome's classes."""

    name: str
    label: dict
    max_length: int
    outcome: Outcome
    model: str | None = None


def parse_text_spec(raw: dict) -> TextSpec:
    problems = [f"{'/'.join(map(str, e.path)) or 'spec'}: {e.message}"
                for e in jsonschema.Draft202012Validator(TEXT_SPEC_SCHEMA).iter_errors(raw)]
    if problems:
        raise SpecError(problems)
    out = raw["outcome"]
    classes = tuple(Category(str(c["value"]), c["label"]) for c in out["classes"])
    outcome = Outcome("classification", out["label"], out["short"], out.get("column"),
                      classes=classes)
    text = raw["text"]
    return TextSpec(text["name"], text["label"], text.get("max_length", 5000), outcome, raw.get("model"))


def load_text_spec(path: str | Path) -> TextSpec:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError([f"not readable JSON ({exc.__class__.__name__})"]) from None
    return parse_text_spec(raw)


class TextExplainer:
    """Explains one text pipeline version (load the file with ``load_text_model``)."""

    def __init__(self, pipeline, spec: TextSpec, *, sha256: str):
        steps = getattr(pipeline, "steps", None)
        vec, clf = (steps[0][1], steps[-1][1]) if steps and len(steps) == 2 else (None, None)
        kind = type(clf).__name__
        if type(vec).__name__ not in VECTORIZERS or kind not in LINEAR | BAYES:
            raise _refuse("a Pipeline of CountVectorizer or TfidfVectorizer and then a linear "
                          "model or naive Bayes", "een Pipeline van CountVectorizer of "
                          "TfidfVectorizer en daarna een lineair model of naive Bayes")
        if vec.analyzer != "word" or vec.tokenizer is not None or vec.preprocessor is not None:
            raise _refuse("the vectoriser's word analyser", "de woord-analyse van de vectoriser")
        self.pipeline, self.vec, self.clf, self.spec, self.sha256 = pipeline, vec, clf, spec, sha256
        self.classes = [str(c) for c in clf.classes_]
        spec_classes = [c.value for c in spec.outcome.classes]
        if sorted(self.classes) != sorted(spec_classes):
            raise ExplainerError(
                "class_mismatch", f"Model classes {self.classes} differ from spec {spec_classes}.",
                f"Klassen van het model {self.classes} wijken af van de specificatie {spec_classes}.")
        zero = np.zeros((1, len(vec.vocabulary_)))
        self.bayes = kind in BAYES
        if self.bayes:
            self.weights, self.bases = np.asarray(clf.feature_log_prob_, float), self._scores(zero)[0]
            self.method, self.scale = "naive-bayes", "log-odds"
        else:
            coef = np.atleast_2d(np.asarray(clf.coef_, float))
            self.weights = np.vstack([np.zeros_like(coef), coef]) if len(coef) == 1 else coef
            self.bases = self._scores(zero)[0]
            self.method = "linear"
            self.scale = "log-odds" if kind == "LogisticRegression" else "score"
        self.vocabulary = vec.vocabulary_
        self.features = np.asarray(vec.get_feature_names_out(), dtype=object)
        self.pattern = re.compile(vec.token_pattern)
        self.stop = set(vec.get_stop_words() or ())
        self.settings = {"method": self.method, "baseline": "empty text", "vectorizer":
                         type(vec).__name__, "classifier": kind, "ngram_range": list(vec.ngram_range),
                         "compared_with": "runner-up class", "additivity_tolerance": 1e-6}
        self.versions = versions()

    def _scores(self, x) -> np.ndarray:
        """Every class's score s_c(x) as the model itself computes it."""
        if self.bayes:
            return np.asarray(self.clf.predict_joint_log_proba(x), float)
        d = np.asarray(self.clf.decision_function(x), float)
        return np.column_stack([np.zeros(len(d)), d]) if d.ndim == 1 else d

    def check(self, text) -> str:
        name, limit = self.spec.name, self.spec.max_length
        if not isinstance(text, str) or not text.strip():
            raise InputError({name: "Vul een tekst in. / Enter a text."})
        if len(text) > limit:
            raise InputError({name: f"De tekst is langer dan {limit} tekens. / "
                                    f"The text is longer than {limit} characters."})
        return text

    def occurrences(self, text: str) -> list[tuple[str, list[tuple[int, int]]]]:
        """(feature, spans of its words) for every n-gram of the text in the vocabulary."""
        group = 1 if self.pattern.groups else 0
        pre = self.vec.build_preprocessor()
        tokens = [(m.start(group), m.end(group), pre(m.group(group)))
                  for m in self.pattern.finditer(text)]
        tokens = [t for t in tokens if t[2] not in self.stop]
        lo, hi = self.vec.ngram_range
        found = []
        for n in range(lo, hi + 1):
            for i in range(len(tokens) - n + 1):
                gram = " ".join(t[2] for t in tokens[i:i + n])
                if gram in self.vocabulary:
                    found.append((gram, [(t[0], t[1]) for t in tokens[i:i + n]]))
        own = Counter(g for g in self.vec.build_analyzer()(text) if g in self.vocabulary)
        if Counter(g for g, _ in found) != own:
            raise ExplainerError("words_not_found", "The words could not be found back in the text.",
                                 "De woorden zijn niet terug te vinden in de tekst.")
        return found

    def explain(self, text: str) -> KindExplanation:
        """The chosen class, the runner-up, and every word's share of the margin between them."""
        text = self.check(text)
        x = self.vec.transform([text])
        scores = self._scores(x)[0]
        order = np.argsort(-scores, kind="stable")
        a, b = int(order[0]), int(order[1])
        xd = np.asarray(x.toarray(), float)[0]
        present = np.flatnonzero(xd)
        towards_a, towards_b = self.weights[a, present] * xd[present], self.weights[b, present] * xd[present]
        for k, part in ((a, towards_a), (b, towards_b)):
            check_additivity(self.bases[k], part, scores[k])
        phi = towards_a - towards_b
        base, out = self.bases[a] - self.bases[b], scores[a] - scores[b]
        check_additivity(base, phi, out)
        by_feature = dict(zip(self.features[present], zip(phi, towards_a, towards_b)))
        occ = self.occurrences(text)
        counts = Counter(g for g, _ in occ)
        per_token: dict[tuple[int, int], list[float]] = {}
        for gram, spans in occ:
            share = np.array(by_feature[gram]) / counts[gram] / len(spans)
            for span in spans:
                per_token.setdefault(span, [0.0, 0.0, 0.0])
                per_token[span] = [s + v for s, v in zip(per_token[span], share)]
        words = [{"start": s, "end": e, "word": text[s:e], "contribution": v[0],
                  "towards_chosen": v[1], "towards_runner_up": v[2]}
                 for (s, e), v in sorted(per_token.items())]
        features = [{"feature": g, "count": counts[g], "contribution": float(v[0]),
                     "towards_chosen": float(v[1]), "towards_runner_up": float(v[2])}
                    for g, v in by_feature.items()]
        chosen, runner = self.classes[a], self.classes[b]
        proba = (dict(zip(self.classes, map(float, self.clf.predict_proba(x)[0])))
                 if hasattr(self.clf, "predict_proba") else None)
        exp = Explanation(model_sha256=self.sha256, method=self.method, settings=self.settings,
                          versions=self.versions, task="binary" if len(self.classes) == 2 else
                          "multiclass", scale=self.scale, inputs={self.spec.name: text},
                          base_value=float(base), contributions={g: float(v[0]) for g, v in
                                                                 by_feature.items()},
                          output_value=float(out), prediction=chosen, explained_class=chosen,
                          probabilities=proba)
        outputs = {self.spec.outcome.column or "outcome": chosen}
        return KindExplanation(exp, outputs, {"kind": "exact", "method": self.method},
                               {"runner_up": runner, "words": words, "features": features})


def _refuse(en: str, nl: str) -> ExplainerError:
    return ExplainerError("text_model_unsupported", f"A text model must use {en}.",
                          f"Een tekstmodel moet {nl} gebruiken.")


def load_text_model(path: str | Path, spec: TextSpec) -> TextExplainer:
    """Load a text pipeline from ``.skops`` (allowlist plus the text types) and prepare it."""
    pipeline, sha = load_skops_part(path, TEXT_TYPES, needs="predict")
    return TextExplainer(pipeline, spec, sha256=sha)
