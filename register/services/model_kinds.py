"""Every kind of decision logic a model version can be (issue 11), behind one interface.

``detect`` tells the kind from the file's bytes (never its name): a ``.skops`` archive (a
scikit-learn model, or a text pipeline when it holds a text vectoriser), DMN XML, a LightGBM text
model, an XGBoost JSON/UBJSON model or an ONNX protobuf. ``build`` runs that kind's intake (its
safe loader) and the full build check, and returns what a model version stores. ``runtime_for``
gives, per registered version, the object the pages use: its form fields, input checks, the
explanation record a receipt keeps (``outputs``, ``method``, ``accuracy``, contributions or fired
rules) and the ``Answer`` a page, receipt or PDF shows.

scikit-learn models keep their own path (``explainers``, ``explanation_view``); this module
serves the other kinds and never changes how those are computed.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup

import explain
from explain.errors import ExplainError, IntakeError, SpecError
from explain.intake import PICKLE_MAGIC, inspect_skops
from explain.methods.common import load_skops_part
from register.i18n import translator
from register.services import filestore
from register.services.explainers import ExplainerCache, explainer_key
from register.services.explanation_view import Answer, build_answer, method_text

KINDS = ("sklearn", "dmn", "xgboost", "lightgbm", "text", "onnx")
TABULAR = {"xgboost", "lightgbm", "onnx"}
NEEDS_REFERENCE = {"sklearn", "xgboost", "lightgbm", "text", "onnx"}
TEXT_PREFIX = "sklearn.feature_extraction.text."
KIND_NAMES = {"sklearn": "scikit-learn", "dmn": "DMN", "xgboost": "XGBoost", "lightgbm": "LightGBM",
              "text": "text classifier", "onnx": "ONNX"}


class KindRefused(Exception):
    """A file, spec or reference refused for a kind; ``field`` names the upload, ``messages`` per locale."""

    def __init__(self, field: str, nl: str, en: str):
        super().__init__(en)
        self.field = field
        self.messages = {"nl": nl, "en": en}


def _from_error(field: str, error: ExplainError) -> KindRefused:
    return KindRefused(field, error.message("nl"), error.message("en"))


# -- telling the kind from the content ------------------------------------------------------

def detect(data: bytes) -> str:
    """The kind of a model file from its first bytes; refuses pickles and unknown formats."""
    if not data:
        raise KindRefused("model", "Het modelbestand is leeg.", "The model file is empty.")
    if data.startswith(PICKLE_MAGIC):
        raise KindRefused(
            "model",
            "Dit bestand is een pickle (of een ingepakte pickle), welke naam het ook heeft. Het openen van een "
            "pickle kan willekeurige code uitvoeren; daarom weigert het register het. Sla het model op in een "
            "veilig formaat: .skops, DMN, XGBoost JSON, LightGBM-tekst of ONNX.",
            "This file is a pickle (or compressed pickle), whatever its name. Opening a pickle can run any "
            "code, so the register refuses it. Save the model in a safe format: .skops, DMN, XGBoost JSON, "
            "LightGBM text or ONNX.")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"PK\x03\x04"):
        try:
            _names, refused, _saved = inspect_skops(data)
        except IntakeError as error:
            raise _from_error("model", error) from None
        return "text" if any(n.startswith(TEXT_PREFIX) for n in refused) else "sklearn"
    if stripped.startswith(b"<"):
        return "dmn"
    if data.startswith(b"tree\n"):
        return "lightgbm"
    if stripped.startswith(b"{"):
        return "xgboost"
    if data[:1] == b"\x08":  # an ONNX ModelProto starts with its ir_version field
        return "onnx"
    raise KindRefused(
        "model",
        "Het register herkent dit bestand niet als model. Geaccepteerd: .skops (scikit-learn), DMN-XML "
        "(beslisregels), XGBoost JSON/UBJ, LightGBM-tekstmodel en ONNX.",
        "The register does not recognise this file as a model. Accepted: .skops (scikit-learn), DMN XML "
        "(decision rules), XGBoost JSON/UBJ, LightGBM text model and ONNX.")


# -- what a build gives ---------------------------------------------------------------------

@dataclass
class Built:
    kind: str
    sha256: str
    spec: dict
    method: str
    settings: dict
    versions: dict
    overview: dict = field(default_factory=dict)
    fairness: dict = field(default_factory=dict)
    reference_rows: int = 0
    runtime: Any = None


def _csv(reference: bytes) -> Any:
    import pandas as pd

    try:
        return pd.read_csv(io.BytesIO(reference), keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as error:
        raise KindRefused(
            "reference",
            "De referentiedata is geen leesbaar CSV-bestand. Gebruik een CSV-bestand in UTF-8 met een kopregel.",
            "The reference data is not a readable CSV file. Use a UTF-8 CSV file with a header row.") from error


def build(kind: str, *, model: bytes, spec: dict, reference: bytes | None, extra: bytes | None,
          workdir: Path, full: bool = True) -> Built:
    """Intake and build check of one non-scikit-learn kind. ``full``: also the figures stored at
    registration (global explanation, performance, fairness, how often each rule fires)."""
    if kind == "dmn":
        return _build_rules(model, spec, reference, full)
    if reference is None:
        raise KindRefused("reference", "Voeg de referentiedata (CSV) toe.", "Please add the reference data (CSV).")
    if kind == "text":
        return _build_text(model, spec, reference, workdir, full)
    if kind in TABULAR:
        return _build_tabular(kind, model, spec, reference, extra, workdir, full)
    raise KindRefused("model", f"Onbekend soort model: {kind}.", f"Unknown kind of model: {kind}.")


# -- tabular boosters and ONNX --------------------------------------------------------------

class TabularAdapter:
    """A booster or ONNX explainer seen the way the shared overview, fairness and counterfactual
    code reads an explainer (``model.sha256``, ``method``, ``reference``)."""

    def __init__(self, inner, sha256: str, reference):
        self.inner, self.reference = inner, reference
        self.model = SimpleNamespace(sha256=sha256)
        self.spec, self.task, self.scale = inner.spec, inner.task, inner.scale
        self.settings, self.versions = inner.settings, inner.versions
        self.method = inner.settings["method"]
        self.accuracy = getattr(inner, "accuracy", None) or {"kind": "exact", "method": self.method}

    def outcome_values(self, frame):
        if isinstance(frame, dict) and getattr(self.inner, "takes_columns", False):
            return self.inner.outcome_values(frame)
        if isinstance(frame, dict):  # named columns, as the counterfactual search passes them
            import pandas as pd

            frame = pd.DataFrame(frame, columns=self.spec.names)
        return self.inner.outcome_values(frame)

    def explain_many(self, rows, *, validate: bool = True):
        return [k.explanation for k in self.inner.explain_many(rows, validate=validate)]

    def explain(self, row, *, validate: bool = True):
        return self.inner.explain(row, validate=validate).explanation


def _build_tabular(kind, model, spec, reference, extra, workdir, full) -> Built:
    from explain.methods.boosters import BoosterExplainer
    from explain.methods.onnx import OnnxExplainer

    loaded = _load_tabular(kind, model, extra, workdir, full)  # the file first: its refusal says most
    try:
        feature_spec = explain.parse_spec(spec)
    except SpecError as error:
        raise _from_error("spec", error) from None
    reference_path = workdir / "reference.csv"
    reference_path.write_bytes(reference)
    try:
        frame = explain.load_reference(reference_path, feature_spec)
    except SpecError as error:
        raise _from_error("reference", error) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise KindRefused("reference", "De referentiedata is geen leesbaar CSV-bestand.",
                          "The reference data is not a readable CSV file.") from error
    try:
        inner = OnnxExplainer(loaded, feature_spec, frame) if kind == "onnx" else \
            BoosterExplainer(loaded, feature_spec, frame)
    except ExplainError as error:
        raise _from_error("model", error) from None
    adapter = TabularAdapter(inner, loaded.sha256, feature_spec.coerce_frame(frame))
    built = Built(kind, loaded.sha256, feature_spec.raw, adapter.method, dict(inner.settings),
                  {k: v for k, v in inner.versions.items() if isinstance(v, str)}, reference_rows=len(frame),
                  runtime=TabularRuntime(kind, adapter, feature_spec))
    if full:
        try:
            with explain.one_thread():
                if kind == "onnx":  # its accuracy is measured by its own method, at build time
                    adapter.method = "exact"
                    try:
                        overview = explain.global_explanation(adapter, frame)
                    finally:
                        adapter.method = inner.settings["method"]
                    overview.update(method=adapter.method, accuracy=adapter.accuracy)
                else:
                    overview = explain.global_explanation(adapter, frame)
                built.overview = overview
                built.fairness = explain.fairness_report(adapter, frame)
        except ExplainError as error:
            raise _from_error("model", error) from None
    return built


def _load_tabular(kind, model, extra, workdir, full):
    from explain.methods.booster_files import load_booster
    from explain.methods.onnx import load_onnx

    if kind == "onnx":
        suffix = ".onnx"
    elif kind == "lightgbm":
        suffix = ".txt"
    else:
        try:
            json.loads(model.decode("utf-8"))
            suffix = ".json"
        except (UnicodeDecodeError, ValueError):
            suffix = ".ubj"
    path = workdir / ("model" + suffix)
    path.write_bytes(model)
    try:
        if kind == "onnx":
            return load_onnx(path)
        loaded = load_booster(path, probe=full)
    except IntakeError as error:
        raise _from_error("model", error) from None
    if extra is None:
        return loaded
    pre_path = workdir / "preprocessing.skops"
    pre_path.write_bytes(extra)
    try:
        pre, pre_sha = load_skops_part(pre_path, needs="transform")
    except IntakeError as error:
        raise _from_error("preprocessing", error) from None
    return dataclasses.replace(loaded, preprocessing=pre, preprocessing_sha256=pre_sha)


class TabularRuntime:
    """A booster or ONNX model: the feature spec's form, and the scikit-learn narrative, chart and
    counterfactual on its ``Explanation``."""

    def __init__(self, kind, adapter: TabularAdapter, spec):
        self.kind, self.adapter, self.spec = kind, adapter, spec

    def outcome_label(self, locale: str) -> str:
        return self.spec.outcome.label.get(locale)

    def names(self) -> list[str]:
        return self.spec.names

    def fields(self, locale, values=None, errors=None) -> list[dict]:
        from register.services.model_pages import form_fields

        return form_fields(self.spec, locale, values, errors)

    def validate(self, inputs: dict, locale: str):
        return self.spec.validate_inputs(inputs, locale)

    def explain_many(self, cases: list[dict]) -> list[dict]:
        with explain.one_thread():
            return [dict(k.to_dict(), kind=self.kind) for k in self.adapter.inner.explain_many(cases, validate=False)]

    def answer(self, record: dict, locale: str, *, id_prefix: str = "chart") -> Answer:
        explanation = explain.Explanation.from_dict(record)
        with explain.one_thread():
            result = build_answer(self.adapter, self.spec, explanation, locale, accuracy=record.get("accuracy"),
                                  id_prefix=id_prefix)
        result.explanation = dict(record, **{k: v for k, v in result.explanation.items() if k not in record})
        result.kind = self.kind
        return result


# -- text classifiers -----------------------------------------------------------------------

def _build_text(model, spec, reference, workdir, full) -> Built:
    from explain.methods.marks import top_words
    from explain.methods.text import load_text_model, parse_text_spec

    try:
        text_spec = parse_text_spec(spec)
    except SpecError as error:
        raise _from_error("spec", error) from None
    path = workdir / "model.skops"
    path.write_bytes(model)
    try:
        explainer = load_text_model(path, text_spec)
    except ExplainError as error:
        raise _from_error("model", error) from None
    frame = _csv(reference)
    column = text_spec.outcome.column or "outcome"
    if text_spec.name not in frame.columns:
        raise KindRefused("reference", f"De referentiedata heeft geen kolom '{text_spec.name}' met teksten.",
                          f"The reference data has no column '{text_spec.name}' with texts.")
    texts = [str(t) for t in frame[text_spec.name]]
    built = Built("text", explainer.sha256, spec, explainer.method, dict(explainer.settings),
                  {k: v for k, v in explainer.versions.items() if isinstance(v, str)},
                  reference_rows=len(frame), runtime=TextRuntime(explainer, text_spec))
    if full:
        overview: dict = {"method": explainer.method, "accuracy": {"kind": "exact", "method": explainer.method},
                          "top_words": {c: [[w, round(v, 4)] for w, v in words]
                                        for c, words in top_words(explainer).items()}}
        if column in frame.columns:
            predicted = [str(p) for p in explainer.pipeline.predict(texts)]
            truth = [str(v) for v in frame[column]]
            overview["performance"] = {"rows": len(texts),
                                       "accuracy": sum(p == y for p, y in zip(predicted, truth)) / max(len(texts), 1)}
        for text in texts[:20]:  # the build check: these explanations must add up
            try:
                explainer.explain(text)
            except explain.InputError:
                continue
            except ExplainError as error:
                raise _from_error("model", error) from None
        built.overview = overview
    return built


class TextRuntime:
    """A text classifier: one text field, the words marked in the resident's own text."""

    kind = "text"

    def __init__(self, explainer, spec):
        self.explainer, self.spec = explainer, spec
        self.labels = {c.value: dict(c.label) for c in spec.outcome.classes}

    def outcome_label(self, locale: str) -> str:
        return self.spec.outcome.label.get(locale)

    def names(self) -> list[str]:
        return [self.spec.name]

    def fields(self, locale, values=None, errors=None) -> list[dict]:
        t = translator(locale)
        values, errors = values or {}, errors or {}
        name = self.spec.name
        return [{"name": name, "label": self.spec.label.get(locale), "kind": "text", "unit": None,
                 "hint": t("At most %(count)s characters.", count=self.spec.max_length), "required": True,
                 "choices": [], "value": str(values.get(name) or ""), "error": errors.get(name),
                 "protected": False, "changeable": True}]

    def validate(self, inputs: dict, locale: str):
        t = translator(locale)
        text = inputs.get(self.spec.name)
        if not isinstance(text, str) or not text.strip():
            return {}, {self.spec.name: t("Please fill this in.")}
        if len(text) > self.spec.max_length:
            return {}, {self.spec.name: t("The text is longer than %(count)s characters.", count=self.spec.max_length)}
        return {self.spec.name: text}, {}

    def explain_many(self, cases: list[dict]) -> list[dict]:
        return [dict(self.explainer.explain(case[self.spec.name]).to_dict(), kind="text") for case in cases]

    def answer(self, record: dict, locale: str, *, id_prefix: str = "chart") -> Answer:
        from explain.methods.common import KindExplanation
        from explain.methods.marks import mark_text, text_sentence, word_list

        t = translator(locale)
        kexp = KindExplanation(explain.Explanation.from_dict(record), record.get("outputs") or {},
                               record.get("accuracy") or {}, {"words": record.get("words") or [],
                                                              "features": record.get("features") or [],
                                                              "runner_up": record.get("runner_up")})
        chosen = self._label(record.get("prediction"), locale)
        runner = self._label(record.get("runner_up"), locale)
        narrative = {"outcome": t("Your text went to: %(outcome)s.", outcome=chosen),
                     "factors": [text_sentence(kexp, locale, self.labels)]}
        chances = []
        for value, chance in sorted((record.get("probabilities") or {}).items(), key=lambda kv: -kv[1]):
            chances.append({"value": value, "label": self._label(value, locale),
                            "text": explain.fmt.number(round(100 * chance), locale, decimals=0) + "%"})
        text = record["inputs"].get(self.spec.name, "")
        return Answer(
            explanation=record, narrative=narrative, chart_svg="",
            counterfactual=[t("The choice that came second was %(other)s. The words marked ↓ pointed to it.",
                              other=runner)],
            inputs=[{"feature": self.spec.name, "label": self.spec.label.get(locale), "value": text}],
            method=method_text(record.get("accuracy"), record.get("method", "linear"), locale),
            kind="text", details={"chances": chances, "runner_up": record.get("runner_up"), "runner_up_label": runner},
            html={"marked": Markup(mark_text(kexp, locale, self.labels)),
                  "words": Markup(word_list(kexp, locale))})

    def _label(self, value, locale: str) -> str:
        return (self.labels.get(str(value)) or {}).get(locale) or str(value)


# -- decision rules (DMN) -------------------------------------------------------------------

def _lang_label(part: dict | None, fallback: str, locale: str) -> str:
    label = (part or {}).get("label")
    if isinstance(label, dict):
        return label.get(locale) or label.get("nl") or fallback
    return label or fallback


RULES_SPEC_KEYS = {"kind", "spec_version", "model", "description", "decision", "inputs", "outputs", "rules"}


def _check_rules_spec(model, spec: dict) -> list[str]:
    """What is wrong with a rules spec, in English paths (each names the key)."""
    problems = []
    if not isinstance(spec, dict):
        return ["spec: must be an object"]
    if spec.get("kind") not in (None, "rules"):
        problems.append(f"kind: '{spec.get('kind')}' — a spec for DMN rules says kind: rules")
    unknown = sorted(set(spec) - RULES_SPEC_KEYS)
    if unknown:
        problems.append(f"{', '.join(unknown)}: not a key of a rules spec (keys: {', '.join(sorted(RULES_SPEC_KEYS))})")
    names = {c.expression for c in model.case_inputs()}
    inputs = spec.get("inputs") or {}
    if not isinstance(inputs, dict):
        problems.append("inputs: must be an object of input name → label, unit, values")
        inputs = {}
    for name, part in inputs.items():
        if name not in names:
            problems.append(f"inputs/{name}: not an input of the decision table (inputs: {', '.join(sorted(names))})")
        elif not isinstance(part, dict):
            problems.append(f"inputs/{name}: must be an object")
    if spec.get("decision"):
        try:
            model.by_name(spec["decision"])
        except KeyError:
            problems.append(f"decision: '{spec['decision']}' is not a decision in the file")
    rule_ids = {r.id for d in model.decisions.values() for r in d.table.rules}
    for rule_id in (spec.get("rules") or {}):
        if rule_id not in rule_ids:
            problems.append(f"rules/{rule_id}: not a rule id in the file")
    return problems


def _rules_features(model, spec: dict) -> list[tuple[Any, Any, str]]:
    """(DMN input column, explain.Feature or None, kind) per case input: the form and its checks."""
    out = []
    for column in model.case_inputs():
        part = (spec.get("inputs") or {}).get(column.expression) or {}
        label = part.get("label") if isinstance(part.get("label"), dict) else \
            {"nl": _lang_label(part, column.label, "nl"), "en": _lang_label(part, column.label, "en")}
        values = part.get("values")
        choices = list(values.keys()) if isinstance(values, dict) else list(values or []) or \
            [v for v in column.allowed if isinstance(v, str)]
        if column.type == "boolean":
            kind = "yes_no"
        elif choices and column.type in (None, "string"):
            kind = "category"
        elif column.type == "number" or part.get("min") is not None or part.get("max") is not None:
            kind = "number"
        elif column.type == "date":
            kind = "date"
        else:
            kind = "text"
        feature = None
        if kind in ("yes_no", "category", "number"):
            labels = values if isinstance(values, dict) else {}
            categories = tuple(explain.Category(str(v), labels.get(v) if isinstance(labels.get(v), dict)
                                                else {"nl": str(v), "en": str(v)}) for v in choices) \
                if kind == "category" else ()
            feature = explain.Feature(column.expression, label, kind, unit=part.get("unit"), min=part.get("min"),
                                      max=part.get("max"), step=part.get("step"), integer=bool(part.get("integer")),
                                      categories=categories, changeable=bool(part.get("changeable")))
        out.append((column, feature, kind, label))
    return out


def _build_rules(data: bytes, spec: dict, reference: bytes | None, full: bool) -> Built:
    from explain.dmn import RuleConflict, evaluate, load_dmn
    from explain.dmn.model import describe

    try:
        model = load_dmn(data)
    except IntakeError as error:
        raise _from_error("model", error) from None
    problems = _check_rules_spec(model, spec)
    if problems:
        raise KindRefused("spec", "De specificatie van de beslisregels klopt niet: " + "; ".join(problems) + ".",
                          "The spec of the decision rules is not right: " + "; ".join(problems) + ".")
    runtime = RulesRuntime(model, spec, filestore.sha256_of(data))
    built = Built("dmn", runtime.sha256, spec, "rules",
                  {"method": "rules", "dmn_version": model.version, "decision": runtime.decision.name,
                   "hit_policies": sorted({d.table.hit_policy for d in model.decisions.values()})},
                  {"explain": explain.__version__}, runtime=runtime)
    counts: dict[str, int] = {}
    if reference is not None:
        frame = _csv(reference)
        missing = [n for n in runtime.names() if n not in frame.columns]
        if missing:
            raise KindRefused("reference", "De referentiedata mist de kolommen: " + ", ".join(missing) + ".",
                              "The reference data lacks the columns: " + ", ".join(missing) + ".")
        for line, row in enumerate(frame.to_dict("records"), start=2):
            clean, errors = runtime.validate({k: ("" if v is None else str(v)) for k, v in row.items()}, "en")
            if errors:
                first = next(iter(errors.items()))
                raise KindRefused("reference", f"Regel {line} van de referentiedata: {first[0]}: "
                                  f"{runtime.validate({k: str(v) for k, v in row.items()}, 'nl')[1][first[0]]}",
                                  f"Line {line} of the reference data: {first[0]}: {first[1]}")
            try:
                results = evaluate(model, clean, runtime.decision.name)
            except RuleConflict as error:
                raise KindRefused("model", f"Regel {line} van de referentiedata breekt de hitpolicy van de tabel: "
                                  f"{error.message('nl')}", f"Line {line} of the reference data breaks the "
                                  f"table's hit policy: {error.message('en')}") from None
            for result in results.values():
                for rule in result.used:
                    counts[rule.id] = counts.get(rule.id, 0) + 1
        built.reference_rows = len(frame)
    if full:
        built.overview = {"method": "rules", "accuracy": {"kind": "exact", "method": "rules"},
                          "model": describe(model), "rule_counts": counts, "rows": built.reference_rows}
    return built


class RulesRuntime:
    """DMN decision tables: the form from the table's inputs and the spec, fired rules in words."""

    kind = "dmn"
    method = "rules"

    def __init__(self, model, spec: dict, sha256: str):
        self.model, self.spec, self.sha256 = model, spec, sha256
        self.decision = model.by_name(spec["decision"]) if spec.get("decision") else model.top[-1]
        self.columns = _rules_features(model, spec)

    def outcome_label(self, locale: str) -> str:
        parts = [_lang_label((self.spec.get("outputs") or {}).get(o.name), o.label, locale)
                 for o in self.decision.table.outputs]
        return ", ".join(parts)

    def names(self) -> list[str]:
        return [c.expression for c, *_ in self.columns]

    def fields(self, locale, values=None, errors=None) -> list[dict]:
        from register.services.model_pages import form_fields

        t = translator(locale)
        values, errors = values or {}, errors or {}
        out = []
        for column, feature, kind, label in self.columns:
            if feature is not None:
                out.extend(form_fields(SimpleNamespace(features=[feature]), locale, values, errors))
                continue
            out.append({"name": column.expression, "label": label.get(locale), "kind": "number" if kind == "date" else kind,
                        "unit": None, "hint": t("A date as YYYY-MM-DD, for example 2026-03-01.") if kind == "date" else "",
                        "required": True, "choices": [], "value": str(values.get(column.expression) or ""),
                        "error": errors.get(column.expression), "protected": False, "changeable": False})
        return out

    def validate(self, inputs: dict, locale: str):
        from explain.inputs import parse_value

        t = translator(locale)
        clean, errors = {}, {}
        for column, feature, kind, _label in self.columns:
            raw = inputs.get(column.expression)
            if feature is not None:
                value, error = parse_value(feature, raw, locale)
                if error:
                    errors[column.expression] = error
                    continue
                if kind == "yes_no":
                    value = bool(value)
                elif kind == "number" and float(value).is_integer():
                    value = int(value)
                clean[column.expression] = value
            elif raw is None or not str(raw).strip():
                errors[column.expression] = t("Please fill this in.")
            elif kind == "date":
                try:
                    clean[column.expression] = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip())
                except ValueError:
                    errors[column.expression] = t("A date as YYYY-MM-DD, for example 2026-03-01.")
            else:
                clean[column.expression] = str(raw).strip()
        return clean, errors

    def explain_many(self, cases: list[dict]) -> list[dict]:
        from explain.dmn import explain_case

        records, seen = [], {}
        for case in cases:  # a batch repeats cases (every paid scan in a zone): explain each once
            key = tuple(sorted((k, type(v).__name__, str(v)) for k, v in case.items()))
            if key not in seen:
                why = explain_case(self.model, case, self.spec, self.decision.name)
                record = why.to_dict()
                record.update(kind="dmn", model_sha256=self.sha256, accuracy={"kind": "exact", "method": "rules"},
                              not_decided=not why.fired)
                seen[key] = record
            records.append(copy.deepcopy(seen[key]))
        return records

    def _value(self, name: str, value, locale: str, output: bool = False) -> str:
        from explain.dmn.words import value_words

        part = (self.spec.get("outputs" if output else "inputs") or {}).get(name) or {}
        if isinstance(value, str) and not output and self._kind_of(name) == "date":
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        return value_words(value, locale, part)

    def _kind_of(self, name: str) -> str | None:
        return next((kind for c, _f, kind, _l in self.columns if c.expression == name), None)

    def _label(self, name: str, locale: str, output: bool = False) -> str:
        part = (self.spec.get("outputs" if output else "inputs") or {}).get(name)
        fallback = next((label.get(locale) for c, _f, _k, label in self.columns if c.expression == name), name)
        return _lang_label(part, fallback, locale)

    def outcome_words(self, outputs: dict, locale: str) -> str:
        t = translator(locale)
        if not outputs:
            return t("no rule applies")
        return "; ".join(f"{self._label(k, locale, True)}: {self._value(k, v, locale, True)}" for k, v in outputs.items())

    def answer(self, record: dict, locale: str, *, id_prefix: str = "chart") -> Answer:
        t = translator(locale)
        outputs = record.get("outputs") or {}
        fired = [{"decision": f["decision"], "rule": f["rule"], "sentence": (f.get("sentence") or {}).get(locale, ""),
                  "legal_source": f.get("legal_source")} for f in record.get("fired_rules", [])]
        inputs = record.get("inputs") or {}
        deciding = []
        for name, change in (record.get("deciding_inputs") or {}).items():
            deciding.append(t("%(label)s: with %(value)s instead of %(old)s the outcome would have been: %(outcome)s.",
                              label=self._label(name, locale), value=self._value(name, change["value"], locale),
                              old=self._value(name, inputs.get(name), locale),
                              outcome=self.outcome_words(change.get("outputs") or {}, locale)))
        others = [self._label(n, locale) for n in record.get("other_inputs") or []]
        nearest = record.get("nearest_different_outcome")
        counterfactual = []
        if nearest:
            changes = "; ".join(t("%(label)s: %(new)s instead of %(old)s", label=self._label(n, locale),
                                  new=self._value(n, v, locale), old=self._value(n, inputs.get(n), locale))
                                for n, v in nearest["changes"].items())
            counterfactual.append(t("The smallest change to details you can change yourself that gives another outcome: "
                                    "%(changes)s.", changes=changes))
            counterfactual.append(t("The outcome would then have been: %(outcome)s.",
                                    outcome=self.outcome_words(nearest.get("outputs") or {}, locale)))
        else:
            counterfactual.append(t("No change to the details you can change yourself gives another outcome."))
        words = self.outcome_words(outputs, locale)
        narrative = {"outcome": words[:1].upper() + words[1:] + ".",
                     "factors": [f["sentence"] for f in fired]}
        used = [{"feature": c.expression, "label": label.get(locale),
                 "value": self._value(c.expression, inputs.get(c.expression), locale)}
                for c, _f, _k, label in self.columns]
        return Answer(explanation=record, narrative=narrative, chart_svg="", counterfactual=counterfactual, inputs=used,
                      method=method_text(record.get("accuracy"), "rules", locale),
                      kind="dmn", details={"fired": fired, "deciding": deciding, "other_inputs": others})

    def how(self, overview: dict, locale: str) -> dict:
        """The tables as sentences and as accessible tables, with how often each rule fired."""
        from explain.dmn.words import condition_sentence, rule_sentence

        t = translator(locale)
        counts = overview.get("rule_counts") or {}
        rows = overview.get("rows") or 0
        policies = {"UNIQUE": t("Exactly one rule can apply."), "FIRST": t("The first rule that applies counts."),
                    "PRIORITY": t("Of the rules that apply, the one with the highest-priority outcome counts."),
                    "ANY": t("Several rules may apply, but they must give the same outcome."),
                    "RULE ORDER": t("Every rule that applies counts, in the table's order."),
                    "OUTPUT ORDER": t("Every rule that applies counts, ordered by outcome."),
                    "COLLECT": t("Every rule that applies counts; their outcomes are combined.")}
        tables = []
        for decision_id in self.model.order:
            decision = self.model.decisions[decision_id]
            table = decision.table
            outputs_spec = self.spec.get("outputs") or {}
            heads = [_lang_label(((self.spec.get("inputs") or {}).get(c.expression) or outputs_spec.get(c.expression)
                                  or outputs_spec.get(c.expression.lower())), c.label, locale)
                     for c in table.inputs]
            outs = [_lang_label((self.spec.get("outputs") or {}).get(o.name), o.label, locale) for o in table.outputs]
            rules = []
            for rule in table.rules:
                cells = []
                for column, entry, head in zip(table.inputs, rule.entries, heads):
                    if entry.any:
                        cells.append(t("any"))
                    else:
                        words = condition_sentence(column, entry, self.spec)[locale]
                        cells.append(words[len(head) + 1:] if words.startswith(head + " ") else words)
                values = [self._value(o.name, v, locale, True) for o, v in zip(table.outputs, rule.outputs)]
                fired = counts.get(rule.id)
                share = "" if not rows or fired is None else \
                    t("%(count)s of %(rows)s example cases", count=fired, rows=rows)
                legal = ((self.spec.get("rules") or {}).get(rule.id) or {}).get("legal_source") or rule.legal_source
                rules.append({"number": rule.number, "id": rule.id, "sentence": rule_sentence(table, rule, self.spec)[locale],
                              "cells": cells, "outputs": values, "legal_source": legal, "fired": fired, "fired_text": share})
            tables.append({"decision": decision.name, "hit_policy": table.hit_policy,
                           "hit_policy_text": policies.get(table.hit_policy, table.hit_policy), "inputs": heads,
                           "outputs": outs, "rules": rules})
        return {"tables": tables, "reference_rows": rows,
                "changeable": [label.get(locale) for c, f, _k, label in self.columns
                               if ((self.spec.get("inputs") or {}).get(c.expression) or {}).get("changeable")]}


# -- registered versions --------------------------------------------------------------------

RUNTIMES = ExplainerCache()


def runtime_key(model_version) -> str:
    return explainer_key(model_sha256=f"{model_version.kind}:{model_version.sha256}:{model_version.extra_sha256 or ''}",
                         spec=model_version.spec, reference_sha256=model_version.reference_sha256 or "")


def runtime_for(model_version, data_dir: str):
    """The runtime of a registered non-scikit-learn version (built once per process and key)."""
    return RUNTIMES.get_or_build(runtime_key(model_version), lambda: rebuild(model_version, data_dir))


def rebuild(model_version, data_dir: str):
    import shutil
    import tempfile

    def read(sha):
        return filestore.path_for(data_dir, sha).read_bytes() if sha else None

    model = read(model_version.sha256)
    if filestore.sha256_of(model) != model_version.sha256:
        raise RuntimeError(f"stored model {model_version.sha256} does not match its hash")
    workdir = Path(tempfile.mkdtemp(prefix="stadsregister-kind-"))
    try:
        built = build(model_version.kind, model=model, spec=model_version.spec,
                      reference=read(model_version.reference_sha256), extra=read(model_version.extra_sha256),
                      workdir=workdir, full=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return built.runtime


def how_it_works(model_version, data_dir: str, locale: str) -> dict:
    """The kind-specific part of "how it works" for rules and text classifiers."""
    runtime = runtime_for(model_version, data_dir)
    overview = model_version.global_explanation or {}
    t = translator(locale)
    if model_version.kind == "dmn":
        return {"kind": "dmn", "outcome": runtime.outcome_label(locale), "rules": runtime.how(overview, locale)}
    words = []
    for value, items in (overview.get("top_words") or {}).items():
        words.append({"value": value, "label": runtime._label(value, locale), "words": [w for w, _v in items]})
    performance = overview.get("performance")
    lines = []
    if performance:
        lines = [t("Checked on %(rows)s example cases with a known outcome.", rows=performance["rows"]),
                 t("Overall %(percent)s of its outcomes are right.",
                   percent=explain.fmt.number(round(100 * performance["accuracy"]), locale, decimals=0) + "%")]
    label = runtime.spec.label.get(locale) or ""
    return {"kind": "text", "outcome": runtime.outcome_label(locale), "text_label": label[:1].lower() + label[1:],
            "top_words": words, "performance": lines}
