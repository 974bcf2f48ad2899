"""Registering a model version with an algorithm entry, and the explainers built from it.

At registration the model passes ``explain``'s intake (``.skops`` against an allowlist), the
spec and reference data are validated, and the global explanation, performance and fairness
figures are computed and stored, so pages never recompute them. Files are kept content-addressed
(``filestore``); a registered version never changes, so earlier decisions keep the model they
were explained with.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from sqlmodel import Session, select

import explain
from register.models import Algorithm, AlgorithmVersion, User
from register.models.explanation import ModelVersion
from register.services import algorithms as algos
from register.services import filestore, model_kinds, snapshots
from register.services.accounts import require_role
from register.services.explainers import (  # noqa: F401 — where the public pages import them from
    EXPLAINERS,
    build,
    build_explainer,
    bump_generation,
    explainer_key,
    spec_of,
)


class RegistrationFailed(Exception):
    """The model, spec or reference data was refused; ``messages`` per locale say why."""

    def __init__(self, field: str, error: explain.ExplainError | None = None, message: dict | None = None):
        self.field = field
        self.messages = message or {locale: error.message(locale) for locale in ("nl", "en")}
        super().__init__(self.messages["en"])

    def message(self, locale: str) -> str:
        return self.messages.get(locale) or self.messages["en"]


HELP = {"nl": " Elke sleutel van de featurespecificatie staat uitgelegd op /help/feature-spec.",
        "en": " Every key of the feature spec is explained on /help/feature-spec."}


def _with_help(error: explain.ExplainError) -> dict:
    return {locale: error.message(locale) + HELP[locale] for locale in ("nl", "en")}


def _where(error: Exception) -> tuple[int | None, int | None]:
    """Line and column of a JSON or YAML syntax error, counted from 1."""
    if isinstance(error, json.JSONDecodeError):
        return error.lineno, error.colno
    mark = getattr(error, "problem_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


MAX_SPEC_DEPTH = 64


class _SpecShapeRefused(ValueError):
    """A spec refused for its shape before it is built (aliases, depth), in both languages."""

    def __init__(self, nl: str, en: str) -> None:
        super().__init__(en)
        self.messages = {"nl": nl, "en": en}


def _check_yaml(text: str) -> None:
    """Walk the YAML's events (no recursion, no objects built): refuse aliases, which a feature spec
    never needs and which make a few lines expand to billions of values, and nesting beyond
    MAX_SPEC_DEPTH (issue 12)."""
    import yaml  # registration only: a batch run that reads stored specs does not load it (#16)

    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _SpecShapeRefused("aliassen (*naam) zijn niet toegestaan in een featurespecificatie",
                                    "aliases (*name) are not accepted in a feature spec")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_SPEC_DEPTH:
                raise _SpecShapeRefused(f"meer dan {MAX_SPEC_DEPTH} niveaus diep genest",
                                        f"nested more than {MAX_SPEC_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _parse_spec(data: bytes, filename: str) -> explain.FeatureSpec:
    raw = _raw_spec(data, filename)
    try:
        return explain.parse_spec(raw)
    except explain.SpecError as error:
        raise RegistrationFailed("spec", message=_with_help(error)) from error


def _raw_spec(data: bytes, filename: str):
    """The spec file read as JSON or YAML (any kind's spec), refused with where it went wrong."""
    import yaml

    try:
        text = data.decode("utf-8")
        if filename.lower().endswith((".yaml", ".yml")):
            _check_yaml(text)
            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
    except _SpecShapeRefused as error:
        raise RegistrationFailed("spec", message={
            "nl": f"De featurespecificatie is geweigerd: {error.messages['nl']}.",
            "en": f"The feature spec is refused: {error.messages['en']}."}) from error
    except RecursionError as error:
        raise RegistrationFailed("spec", message={
            "nl": f"De featurespecificatie is meer dan {MAX_SPEC_DEPTH} niveaus diep genest.",
            "en": f"The feature spec is nested more than {MAX_SPEC_DEPTH} levels deep."}) from error
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        # Where it went wrong in words, never the parser's own (English, technical) message (issue 13).
        line, column = _where(error)
        where = {"nl": f" De fout staat op regel {line}, teken {column}." if line else "",
                 "en": f" The error is on line {line}, character {column}." if line else ""}
        if isinstance(error, UnicodeDecodeError):
            where = {"nl": " Sla het bestand op als UTF-8.", "en": " Save the file as UTF-8."}
        raise RegistrationFailed("spec", message={
            "nl": "De featurespecificatie is geen geldige JSON of YAML." + where["nl"],
            "en": "The feature spec is not valid JSON or YAML." + where["en"]}) from error
    return raw


def _intake(model: bytes, model_name: str, spec: bytes, spec_name: str, reference: bytes, workdir: Path):
    # Only the suffix of the uploaded name is kept: a name like ".." or "a/../b" names no file here.
    model_path = workdir / ("model" + Path(model_name).suffix.lower())
    model_path.write_bytes(model)
    try:
        loaded = explain.load_model(model_path)
    except explain.IntakeError as error:
        raise RegistrationFailed("model", error) from error
    feature_spec = _parse_spec(spec, spec_name)
    reference_path = workdir / "reference.csv"
    reference_path.write_bytes(reference)
    try:
        reference_df = explain.load_reference(reference_path, feature_spec)
    except explain.SpecError as error:
        raise RegistrationFailed("reference", message=_with_help(error)) from error
    except (ValueError, UnicodeDecodeError) as error:  # pandas: empty, binary or malformed CSV
        raise RegistrationFailed("reference", message={
            "nl": "De referentiedata is geen leesbaar CSV-bestand. Gebruik een CSV-bestand in UTF-8 met een "
                  "kopregel met de namen uit de featurespecificatie.",
            "en": "The reference data is not a readable CSV file. Use a UTF-8 CSV file with a header row "
                  "naming the inputs of the feature spec."}) from error
    return loaded, feature_spec, reference_df


def register_model(*, session: Session, user: User | None, algorithm: Algorithm, data_dir: str,
                   model: bytes, model_name: str, spec: bytes, spec_name: str, reference: bytes | None,
                   publish: bool = False, note: str | None = None, extra: bytes | None = None) -> ModelVersion:
    """Check, explain and store a model version, and put it on the entry's draft.

    The kind (scikit-learn, DMN rules, XGBoost, LightGBM, text classifier, ONNX) is told from the
    model file's content (issue 11); ``extra`` is a booster's ``.skops`` preprocessing step, and
    ``reference`` may be left out for rules only. Nothing is stored when anything is refused.

    With ``publish`` (the operator's command line) the entry's published version is followed by
    a new published version naming the model, as an import does; otherwise a second person
    approves the draft as usual.
    """
    if user is not None:
        require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    algos.refuse_model_if_withdrawn(algorithm)  # before any file is read or stored
    try:
        kind = model_kinds.detect(model)
    except model_kinds.KindRefused as refused:
        raise RegistrationFailed(refused.field, message=refused.messages) from refused
    if reference is None and kind in model_kinds.NEEDS_REFERENCE:
        raise RegistrationFailed("reference", message={"nl": "Voeg de referentiedata (CSV) toe.",
                                                        "en": "Please add the reference data (CSV)."})
    if extra is not None and kind not in {"xgboost", "lightgbm"}:
        raise RegistrationFailed("preprocessing", message={
            "nl": "Een voorbewerkingsstap hoort alleen bij een XGBoost- of LightGBM-model.",
            "en": "A preprocessing step belongs only with an XGBoost or LightGBM model."})
    workdir = Path(tempfile.mkdtemp(prefix="stadsregister-model-"))
    try:
        if kind == "sklearn":
            loaded, feature_spec, reference_df = _intake(model, model_name, spec, spec_name, reference, workdir)
            explainer, overview, fairness = _check_build(loaded, feature_spec, reference_df)
            sha, raw_spec, method, rows = loaded.sha256, feature_spec.raw, explainer.method, len(reference_df)
            settings, lib_versions = explainer.settings, explainer.versions
        else:
            raw_spec = _raw_spec(spec, spec_name)
            try:
                built = model_kinds.build(kind, model=model, spec=raw_spec, reference=reference, extra=extra,
                                          workdir=workdir)
            except model_kinds.KindRefused as refused:
                raise RegistrationFailed(refused.field, message=refused.messages) from refused
            except Exception as error:  # a library's own failure on a file it accepted
                raise RegistrationFailed("model", message={
                    "nl": f"Het model kon niet worden gecontroleerd ({type(error).__name__}: {error}).",
                    "en": f"The model could not be checked ({type(error).__name__}: {error})."}) from error
            sha, method, rows, overview, fairness = built.sha256, built.method, built.reference_rows, \
                built.overview, built.fairness
            settings, lib_versions = built.settings, built.versions
        reference_sha = filestore.sha256_of(reference) if reference is not None else ""
        extra_sha = filestore.sha256_of(extra) if extra is not None else None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    written = []
    try:  # a failure after the files are stored leaves no file without its row (issue 12)
        for data, digest in ((model, sha), (reference, reference_sha), (extra, extra_sha)):
            if data is not None and filestore.store(data_dir, data, digest)[1]:
                written.append(digest)
        previous = session.exec(select(ModelVersion.number).where(ModelVersion.algorithm_id == algorithm.id)
                                .order_by(ModelVersion.number.desc())).first()
        version = ModelVersion(
            algorithm_id=algorithm.id, number=(previous or 0) + 1, sha256=sha, reference_sha256=reference_sha,
            kind=kind, extra_sha256=extra_sha,
            spec=raw_spec, method=method, settings=settings, versions=lib_versions,
            global_explanation=overview, fairness=fairness, reference_rows=rows,
            created_by_id=user.id if user else None, note=note)
        session.add(version)
        bump_generation(session)
        session.flush()
        if publish:
            algos.publish_model(session=session, algorithm=algorithm, model_version_id=version.id,
                                note=note or f"Model {version.number} ({sha[:12]}…)")
        else:
            algos.attach_model(session=session, user=user, algorithm=algorithm, model_version_id=version.id)
        session.commit()
    except BaseException:
        session.rollback()
        for digest in written:
            if not _file_referenced(session, digest):
                filestore.remove(data_dir, digest)
        raise
    if kind == "sklearn":
        key = explainer_key(model_sha256=sha, spec=raw_spec, reference_sha256=reference_sha)
        snapshots.save(data_dir, key, explainer)  # before any request shares it (issue 16)
        EXPLAINERS.put(key, explainer)
    else:
        model_kinds.RUNTIMES.put(model_kinds.runtime_key(version), built.runtime)
    return version


def _file_referenced(session: Session, sha256: str) -> bool:
    return session.exec(select(ModelVersion.id).where(
        (ModelVersion.sha256 == sha256) | (ModelVersion.reference_sha256 == sha256)
        | (ModelVersion.extra_sha256 == sha256))).first() is not None


def _check_build(loaded, feature_spec, reference_df):
    """The full build check, on every upload: a fresh explainer, the global explanation and the
    fairness figures. A cached explainer never stands in for it (issue 10)."""
    try:
        explainer = build(loaded, feature_spec, reference_df)
        with explain.one_thread():
            overview = explain.global_explanation(explainer, reference_df)
            fairness = explain.fairness_report(explainer, reference_df)  # every protected input (issue 10)
    except explain.ExplainError as error:
        raise RegistrationFailed("model", error) from error
    except Exception as error:
        raise RegistrationFailed("model", message={
            "nl": "Het model kon met deze featurespecificatie en referentiedata niet worden uitgelegd "
                  f"({type(error).__name__}: {error}). Controleer of elke invoer in de specificatie het "
                  "soort waarde heeft dat het model verwacht (getal, categorie of ja/nee).",
            "en": "The model could not be explained with this feature spec and reference data "
                  f"({type(error).__name__}: {error}). Check that every input in the spec has the kind "
                  "of value the model expects (number, category or yes/no)."}) from error
    return explainer, overview, fairness


def published_model(session: Session, algorithm: Algorithm) -> tuple[AlgorithmVersion, ModelVersion] | None:
    """The published entry version and the model version it names, if any."""
    version = algos.published_version(session, algorithm)
    if version is None or version.model_version_id is None:
        return None
    return version, session.get(ModelVersion, version.model_version_id)
