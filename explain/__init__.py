"""explain — exact, versioned, plain-language explanations of registered models.

A plain library: it never imports Flask or ``register``, so it works the same from a
notebook, a batch job or the web app. Dutch ('nl') is the default locale, English ('en') the
second.

Public API
==========

Intake (only ``.skops``; pickle and joblib are refused before anything reads them)::

    load_model(path, *, max_bytes=MAX_BYTES) -> LoadedModel      # raises IntakeError
    LoadedModel(estimator, sha256, path, size_bytes, types, saved_with)
    save_model(estimator, path) -> sha256    # reproducible .skops bytes (same model, same hash)
    model_bytes(estimator) -> bytes

Feature spec and reference data::

    load_spec(path) -> FeatureSpec            # .json/.yaml; raises SpecError listing every problem
    parse_spec(dict) -> FeatureSpec; SPEC_SCHEMA is the JSON Schema of a spec file
    spec.validate_inputs(values, locale="nl") -> (clean: dict, errors: dict[field, message])
        # numbers as ``locale`` writes them ('1.250,5' nl, '1,250.5' en); a text whose Dutch and
        # English readings both fit the field ('1.250': 1250 or 1.25) is refused naming both
    parse_number(text, locale="nl") -> float | None; numbers.readings(text, locale) -> [Decimal]
    spec_draft.draft_spec(estimator, reference_df) -> (draft spec dict, notes)
    spec_docs: every spec key in nl/en, examples per kind, schema_document(base_url)
    spec.to_frame(rows) -> DataFrame; spec.feature(name) -> Feature
    feature.format_value(value, locale) -> '120 m²' | 'Centrum' | 'ja'
    load_reference(csv_path, spec) -> DataFrame   # raises SpecError(what="reference data")

Explaining (build once per model version, share read-only)::

    Explainer.build(model, spec, reference_df, *, method="auto", background_size=100,
                    permutations=10, seed=0) -> Explainer
        # method: 'tree' (TreeSHAP), 'linear', 'exact' (shap Exact), 'permutation' (estimate);
        # yes/no models are explained on the probability scale (scale == "probability")
    explainer.explain(row, *, validate=True) -> Explanation      # raises InputError
    explainer.explain_many(rows_or_df, *, validate=True) -> list[Explanation]
    explainer.outcome_values(df_or_columns) -> np.ndarray        # value | flagged score | class
    pickle.dumps(explainer) / pickle.loads(...)   # the same numbers; authenticate stored bytes!
        # explainer.lite: tree models (shap's TreeSHAP routine and the trees replayed with numpy,
        # checked bit for bit at build, see ``lite``) and closed-form yes/no linear models explain
        # without importing scikit-learn, shap or pandas once unpickled; the model and reference
        # data inside are read only when needed (counterfactuals, charts)

    Explanation: model_sha256, method, settings, versions, task, scale, inputs, base_value,
        contributions (per original input feature), output_value, prediction,
        explained_class, probabilities, score, flagged, threshold
        .to_dict() (JSON-serialisable) / Explanation.from_dict(d) / .ranked() / .display()
        base_value + sum(contributions) == output_value, checked on every explanation
        (|gap| <= 1e-6 * max(1, |output|), else AdditivityError).

Words, pictures and checks::

    narrate(explanation, spec, locale="nl", *, top=3) -> Narrative
        Narrative(locale, outcome, factors[<=3], other_factors, contrast, details)
        .sentences() / .text / .to_dict()
    global_explanation(explainer, reference_df, *, max_rows=1000) -> dict
        # importance, direction and shape in words (nl/en), performance if outcomes known
    counterfactual(explainer, row, *, target_change=None, max_changes=3)
        -> Counterfactual(found, goal, changes[Change(feature, old, new)], old_outcome,
                          new_outcome, cost, candidates_tried, constraints)
        # values on the display step, within the reference range, close to real cases,
        # and confirmed by the model exactly as shown
    narrate_counterfactual(cf, spec, locale="nl") -> list[str]
    describe_constraints(cf, spec, locale="nl") -> list[str]   # the rules, for the page
    counterfactual_data(cf, spec, locale="nl") -> dict         # `changes` for explain.json
    measure_accuracy(explainer, reference) -> dict   # exact, or estimate with its error
    fairness_report(explainer, reference_df, *, min_group_size=30) -> dict
    describe_fairness(report, locale="nl") -> list[str]
    render_bar_chart_svg(explanation, spec, locale="nl", *, top=6, id_prefix=None) -> str
    render_importance_svg(global_explanation_dict, spec, locale="nl", *, id_prefix=None) -> str

Threads: ``limit_threads()`` / ``with one_thread():`` keep BLAS and OpenMP to one thread in the
calling thread (a server runs requests side by side; threads per request fight for the cores).

Errors (each has ``.code`` and ``.message(locale)``): ``IntakeError``, ``SpecError``
(``.problems``), ``InputError`` (``.errors`` per field), ``ExplainerError``,
``AdditivityError``; all derive from ``ExplainError``.

Example::

    from explain import load_model, load_spec, load_reference, Explainer, narrate
    model = load_model("sample_models/artefacts/woz/model.skops")
    spec = load_spec("sample_models/artefacts/woz/spec.json")
    reference = load_reference("sample_models/artefacts/woz/reference.csv", spec)
    explainer = Explainer.build(model, spec, reference)
    clean, errors = spec.validate_inputs({"woonoppervlak": "120", ...}, "nl")
    explanation = explainer.explain(clean)
    print(narrate(explanation, spec, "nl").text)
"""

from ._version import __version__
from .counterfactual import Change, Counterfactual, counterfactual  # eager: the function shadows its module
from .errors import (
    AdditivityError,
    ExplainerError,
    ExplainError,
    InputError,
    IntakeError,
    SpecError,
)
from .threads import limit_threads, one_thread

# The rest of the public API is imported on first use (PEP 562): a batch job that explains with
# a stored explainer needs neither the charts, the narrative, fairness nor the JSON Schema
# checker, and its start-up should not pay for them (issue 16).
_LAZY = {
    "measure_accuracy": "accuracy",
    "render_bar_chart_svg": "charts",
    "render_importance_svg": "charts",
    "counterfactual_data": "counterfactual_text",
    "describe_constraints": "counterfactual_text",
    "narrate_counterfactual": "counterfactual_text",
    "Explainer": "explainer",
    "library_versions": "explainer",
    "DisplayValues": "explanation",
    "Explanation": "explanation",
    "display_values": "explanation",
    "describe_fairness": "fairness",
    "fairness_report": "fairness",
    "load_reference": "inputs",
    "parse_number": "inputs",
    "MAX_BYTES": "intake",
    "LoadedModel": "intake",
    "load_model": "intake",
    "model_bytes": "intake",
    "save_model": "intake",
    "sha256_of": "intake",
    "Narrative": "narrative",
    "narrate": "narrative",
    "global_explanation": "overview",
    "performance": "overview",
    "Category": "spec",
    "Feature": "spec",
    "FeatureSpec": "spec",
    "Outcome": "spec",
    "load_spec": "spec",
    "load_yaml_plain": "spec",
    "parse_spec": "spec",
    "SPEC_SCHEMA": "spec_schema",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "MAX_BYTES",
    "SPEC_SCHEMA",
    "AdditivityError",
    "Category",
    "Change",
    "Counterfactual",
    "DisplayValues",
    "ExplainError",
    "Explainer",
    "ExplainerError",
    "Explanation",
    "Feature",
    "FeatureSpec",
    "InputError",
    "IntakeError",
    "LoadedModel",
    "Narrative",
    "Outcome",
    "SpecError",
    "__version__",
    "counterfactual",
    "counterfactual_data",
    "describe_constraints",
    "describe_fairness",
    "display_values",
    "fairness_report",
    "global_explanation",
    "library_versions",
    "limit_threads",
    "load_model",
    "load_reference",
    "load_spec",
    "load_yaml_plain",
    "measure_accuracy",
    "model_bytes",
    "narrate",
    "narrate_counterfactual",
    "one_thread",
    "parse_number",
    "parse_spec",
    "performance",
    "render_bar_chart_svg",
    "render_importance_svg",
    "save_model",
    "sha256_of",
]
