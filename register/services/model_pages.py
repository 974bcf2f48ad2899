"""Plain data for the "how it works", "explain a decision" and receipt pages (and their JSON)."""
from __future__ import annotations

from babel.numbers import format_currency, format_decimal, format_percent

import explain
from register.i18n import translator
from register.models import Algorithm, AlgorithmVersion
from register.models.explanation import ModelVersion
from register.services.explainers import spec_of
from register.services.explanation_view import method_text


def model_facts(model: ModelVersion, locale: str | None = None) -> dict:
    """What identifies the model an explanation was made with; with ``locale`` also how exact its
    method is, in words (exact, or an estimate with its measured error)."""
    accuracy = (model.global_explanation or {}).get("accuracy")
    facts = {"version": model.number, "sha256": model.sha256, "kind": model.kind, "method": model.method,
             "accuracy": accuracy,
             "registered_at": model.created_at, "reference_rows": model.reference_rows,
             "library_versions": {k: v for k, v in model.versions.items() if isinstance(v, str)},
             "settings": model.settings}
    if locale:
        facts["method_text"] = method_text(accuracy, model.method, locale)
    return facts


def decision_help(version: AlgorithmVersion) -> dict:
    """How to reach a person and how to object, as every explanation page shows it."""
    return {"human_contact": version.human_contact, "contact": version.contact,
            "objection_route": version.objection_route, "objection_link": version.objection_link,
            "decision_kinds": version.decision_kinds or []}


def form_fields(spec: explain.FeatureSpec, locale: str, values: dict | None = None,
                errors: dict | None = None) -> list[dict]:
    """The explain form, generated from the feature spec."""
    values, errors = values or {}, errors or {}
    t = translator(locale)
    fields = []
    for feature in spec.features:
        unit = feature.unit.get(locale) if isinstance(feature.unit, dict) else feature.unit
        hint = []
        if feature.kind == "number" and feature.min is not None and feature.max is not None:
            hint.append(t("From %(low)s to %(high)s", low=_number(feature.min, locale, feature.grouping),
                          high=_number(feature.max, locale, feature.grouping)))
        if feature.kind == "number" and feature.integer:  # say it before refusing "68,5" (issue 13)
            hint.append(t("A whole number, without a comma"))
        if feature.help:
            hint.append(feature.help.get(locale, ""))
        fields.append({
            "name": feature.name, "label": feature.label.get(locale), "kind": feature.kind, "unit": unit,
            "hint": " · ".join(h for h in hint if h), "required": feature.required,
            "choices": [(c.value, c.label.get(locale)) for c in feature.categories],
            "value": "" if values.get(feature.name) is None else str(values.get(feature.name)),
            "error": errors.get(feature.name), "protected": feature.protected, "changeable": feature.changeable,
        })
    return fields


def _number(value: float, locale: str, grouping: bool = True) -> str:
    """A number as people write it: 2.500 / 2,500, but a year as 2025."""
    return format_decimal(value, locale="nl_NL" if locale == "nl" else "en_GB", group_separator=grouping)


def _percent(value: float | None, locale: str) -> str:
    return "—" if value is None else format_percent(value, locale="nl_NL" if locale == "nl" else "en_GB")


def performance_lines(performance: dict | None, spec: explain.FeatureSpec, locale: str) -> list[str]:
    """The model's accuracy on the reference data, in plain sentences."""
    if not performance:
        return []
    t = translator(locale)
    babel_locale = "nl_NL" if locale == "nl" else "en_GB"
    lines = [t("Checked on %(rows)s example cases with a known outcome.", rows=_number(performance["rows"], locale))]
    if "mae" in performance:
        error = performance["mae"]
        amount = format_currency(round(error, -2), "EUR", locale=babel_locale, currency_digits=False,
                                 format="¤ #,##0" if locale == "nl" else "¤#,##0") \
            if spec.outcome.unit == "EUR" else _number(round(error, 1), locale)
        lines.append(t("On average the estimate is %(amount)s off.", amount=amount))
        lines.append(t("For half of the cases the estimate is less than %(percent)s off.",
                       percent=_percent(performance["median_absolute_percentage_error"], locale)))
    elif "precision" in performance:
        lines.append(t("%(percent)s of the cases the model flags turn out to need it (precision).",
                       percent=_percent(performance["precision"], locale)))
        lines.append(t("The model finds %(percent)s of the cases that need it (recall).",
                       percent=_percent(performance["recall"], locale)))
        lines.append(t("Overall %(percent)s of its outcomes are right.", percent=_percent(performance["accuracy"], locale)))
    elif "accuracy" in performance:
        lines.append(t("Overall %(percent)s of its outcomes are right.", percent=_percent(performance["accuracy"], locale)))
    return lines


def _interval(ci: list | None, show, locale: str) -> str:
    return "" if not ci else f"{show(ci[0], locale)} – {show(ci[1], locale)}"


def fairness_tables(report: dict, locale: str) -> list[dict]:
    """Per protected attribute: its groups with their figures and 95% intervals, and what is suppressed."""
    def amount(value, loc):
        return "—" if value is None else explain.fmt.quantity(
            explain.fmt.round_to(value, report.get("round_to") or explain.fmt.nice_step(value)),
            report.get("outcome_unit"), loc)

    tables = []
    for attribute in report.get("attributes", []):
        groups = []
        for g in attribute.get("groups", []):
            row = {"group": g["label"].get(locale, g["group"]), "n": g["n"]}
            if report.get("task", "binary") == "binary":
                for key in ("selection_rate", "false_positive_rate", "false_negative_rate"):
                    row[key] = _percent(g.get(key), locale)
                    row[key + "_ci"] = _interval(g.get(key + "_ci"), _percent, locale)
                ratio = g.get("selection_rate_ratio")
                row["ratio"] = "—" if ratio is None else _percent(ratio, locale)
            else:
                for key in ("mean_prediction", "mean_error"):
                    row[key] = amount(g.get(key), locale)
                    row[key + "_ci"] = _interval(g.get(key + "_ci"), amount, locale)
            groups.append(row)
        suppressed = [s["label"].get(locale, s["group"]) for s in attribute.get("suppressed", [])] \
            or list(attribute.get("suppressed_groups", []))
        tables.append({"attribute": attribute["label"].get(locale, attribute["attribute"]),
                       "kind": report.get("task", "binary"), "outcomes_known": report.get("outcomes_known", False),
                       "groups": groups, "suppressed": suppressed})
    return tables


def how_it_works(algorithm: Algorithm, version: AlgorithmVersion, model: ModelVersion | None, locale: str,
                 data_dir: str | None = None) -> dict:
    """Context of the "how it works" page; all plain data so the `.json` twin is the same."""
    context = {"code": algorithm.code, "name": version.name, "organisation": version.organization,
               "technical_operation": version.technical_operation, "human_intervention": version.human_intervention,
               "risk_management": version.risk_management, "contact": version.contact,
               "human_contact": version.human_contact, "model": None, "kind": None}
    if model is None:
        return context
    context["kind"] = model.kind
    if model.kind in ("dmn", "text"):  # the table as sentences, or the words per class (issue 11)
        from register.services import model_kinds

        context["model"] = model_facts(model, locale)
        context.update(model_kinds.how_it_works(model, data_dir, locale))
        return context
    spec = spec_of(model)  # parsed once per model version (issue 10)
    overview = model.global_explanation
    context["model"] = model_facts(model, locale)
    context["outcome"] = spec.outcome.label.get(locale)
    context["features"] = [{"feature": f["feature"], "label": f["label"].get(locale), "share": f.get("share"),
                            "share_text": _percent(f.get("share"), locale), "summary": f["summary"].get(locale),
                            "direction": f.get("direction")} for f in overview.get("features", [])]
    context["performance"] = performance_lines(overview.get("performance"), spec, locale)
    report = model.fairness or {}
    context["fairness"] = fairness_tables(report, locale)
    context["fairness_summary"] = explain.describe_fairness(report, locale) if report else []
    context["fairness_checked"] = [a["label"].get(locale) for a in report.get("attributes", [])]
    context["fairness_min_group"] = report.get("min_group_size", 30)
    context["protected"] = [f.label.get(locale) for f in spec.features if f.protected]
    context["chart_svg"] = explain.render_importance_svg(overview, spec, locale, id_prefix="importance")
    return context


def openapi_paths(code_parameter: dict, errors: dict) -> dict:
    """The model and decision-receipt endpoints for /api/v1/openapi.json."""
    return {
        "/algorithms/{code}/models": {"post": {
            "summary": "Register a model version (any kind, told from the file's content) on the entry's draft",
            "parameters": [code_parameter], "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["model", "spec"], "properties": {
                    "model": {"type": "string", "contentMediaType": "application/octet-stream",
                              "description": ".skops (scikit-learn or a text pipeline), DMN XML decision tables, "
                              "XGBoost JSON/UBJ, LightGBM text model or ONNX, told from the content; pickle "
                              "is refused under any name"},
                    "preprocessing": {"type": "string", "contentMediaType": "application/octet-stream",
                                      "description": "optional .skops preprocessing step before an XGBoost or "
                                      "LightGBM model"},
                    "spec": {"type": "string", "description": "feature spec, JSON or YAML: every key on "
                             "/help/feature-spec, JSON Schema at /schemas/feature-spec.schema.json"},
                    "reference": {"type": "string", "contentMediaType": "text/csv",
                                  "description": "required for every kind but DMN rules"},
                    "note": {"type": "string", "maxLength": 999}}}}}},
            "responses": {"201": {"description": "Registered; global explanation, performance and fairness stored"},
                          **errors}}},
        "/algorithms/{code}/decisions": {"post": {
            "summary": "Explain a case with the published model and keep it for the resident (decision receipt)",
            "parameters": [code_parameter], "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["inputs"], "properties": {
                    "inputs": {"type": "object", "description": "the model's input features by name: JSON numbers, or "
                               "number strings as the request's language writes them (?lang=nl: '1.250,5', "
                               "?lang=en: '1,250.5'); a string with two plausible readings is refused"},
                    "case_ref": {"type": "string", "maxLength": 200,
                                 "description": "stored only as a keyed hash; the same case and inputs give the same receipt"}}}}}},
            "responses": {"201": {"description": "The resident's URL, the PDF URL and references for the letter",
                                  "content": {"application/json": {"schema": {"type": "object", "properties": {
                                      "ok": {"type": "boolean"}, "url": {"type": "string"}, "pdf": {"type": "string"},
                                      "reference": {"type": "string"}, "algorithm_code": {"type": "string"},
                                      "model_version": {"type": "integer"},
                                      "expires_at": {"type": "string", "format": "date-time"}}}}}},
                          **errors}}},
    }
