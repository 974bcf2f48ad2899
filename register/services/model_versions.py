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
import threading
from collections import OrderedDict
from pathlib import Path

import explain
import yaml
from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmVersion, User
from register.models.explanation import ModelVersion
from register.services import algorithms as algos
from register.services import filestore
from register.services.accounts import require_role


class RegistrationFailed(Exception):
    """The model, spec or reference data was refused; ``messages`` per locale say why."""

    def __init__(self, field: str, error: explain.ExplainError | None = None, message: dict | None = None):
        self.field = field
        self.messages = message or {locale: error.message(locale) for locale in ("nl", "en")}
        super().__init__(self.messages["en"])

    def message(self, locale: str) -> str:
        return self.messages.get(locale) or self.messages["en"]


MAX_SPEC_DEPTH = 64


def _check_yaml(text: str) -> None:
    """Walk the YAML's events (no recursion, no objects built): refuse aliases, which a feature spec
    never needs and which make a few lines expand to billions of values, and nesting beyond
    MAX_SPEC_DEPTH (issue 12)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ValueError("aliases (*name) are not accepted in a feature spec")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_SPEC_DEPTH:
                raise ValueError(f"nested more than {MAX_SPEC_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _parse_spec(data: bytes, filename: str) -> explain.FeatureSpec:
    try:
        text = data.decode("utf-8")
        if filename.lower().endswith((".yaml", ".yml")):
            _check_yaml(text)
            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
    except RecursionError as error:
        raise RegistrationFailed("spec", message={
            "nl": f"De featurespecificatie is meer dan {MAX_SPEC_DEPTH} niveaus diep genest.",
            "en": f"The feature spec is nested more than {MAX_SPEC_DEPTH} levels deep."}) from error
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise RegistrationFailed("spec", message={
            "nl": f"De featurespecificatie is geen geldige JSON of YAML: {error}",
            "en": f"The feature spec is not valid JSON or YAML: {error}"}) from error
    try:
        return explain.parse_spec(raw)
    except explain.SpecError as error:
        raise RegistrationFailed("spec", error) from error


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
        raise RegistrationFailed("reference", error) from error
    except (ValueError, UnicodeDecodeError) as error:  # pandas: empty, binary or malformed CSV
        raise RegistrationFailed("reference", message={
            "nl": f"De referentiedata is geen leesbaar CSV-bestand: {error}",
            "en": f"The reference data is not a readable CSV file: {error}"}) from error
    return loaded, feature_spec, reference_df


def register_model(*, session: Session, user: User | None, algorithm: Algorithm, data_dir: str,
                   model: bytes, model_name: str, spec: bytes, spec_name: str, reference: bytes,
                   publish: bool = False, note: str | None = None) -> ModelVersion:
    """Check, explain and store a model version, and put it on the entry's draft.

    With ``publish`` (the operator's command line) the entry's published version is followed by
    a new published version naming the model, as an import does; otherwise a second person
    approves the draft as usual.
    """
    if user is not None:
        require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    workdir = Path(tempfile.mkdtemp(prefix="stadsregister-model-"))
    try:
        loaded, feature_spec, reference_df = _intake(model, model_name, spec, spec_name, reference, workdir)
        reference_sha = filestore.sha256_of(reference)
        try:
            explainer = EXPLAINERS.get_or_build(
                (loaded.sha256, reference_sha), lambda: explain.Explainer.build(loaded, feature_spec, reference_df))
            overview = explain.global_explanation(explainer, reference_df)
            fairness = explain.fairness_report(explainer, reference_df) if feature_spec.fairness_attributes else {}
        except explain.ExplainError as error:
            raise RegistrationFailed("model", error) from error
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    written = []
    try:  # a failure after the files are stored leaves no file without its row (issue 12)
        for data, digest in ((model, loaded.sha256), (reference, reference_sha)):
            if filestore.store(data_dir, data, digest)[1]:
                written.append(digest)
        previous = session.exec(select(ModelVersion.number).where(ModelVersion.algorithm_id == algorithm.id)
                                .order_by(ModelVersion.number.desc())).first()
        version = ModelVersion(
            algorithm_id=algorithm.id, number=(previous or 0) + 1, sha256=loaded.sha256, reference_sha256=reference_sha,
            spec=feature_spec.raw, method=explainer.method, settings=explainer.settings, versions=explainer.versions,
            global_explanation=overview, fairness=fairness, reference_rows=len(reference_df),
            created_by_id=user.id if user else None, note=note)
        session.add(version)
        session.flush()
        if publish:
            algos.publish_model(session=session, algorithm=algorithm, model_version_id=version.id,
                                note=note or f"Model {version.number} ({loaded.sha256[:12]}…)")
        else:
            algos.attach_model(session=session, user=user, algorithm=algorithm, model_version_id=version.id)
        session.commit()
    except BaseException:
        session.rollback()
        for digest in written:
            if not _file_referenced(session, digest):
                filestore.remove(data_dir, digest)
        raise
    return version


def _file_referenced(session: Session, sha256: str) -> bool:
    return session.exec(select(ModelVersion.id).where(
        (ModelVersion.sha256 == sha256) | (ModelVersion.reference_sha256 == sha256))).first() is not None


def published_model(session: Session, algorithm: Algorithm) -> tuple[AlgorithmVersion, ModelVersion] | None:
    """The published entry version and the model version it names, if any."""
    version = algos.published_version(session, algorithm)
    if version is None or version.model_version_id is None:
        return None
    return version, session.get(ModelVersion, version.model_version_id)


class ExplainerCache:
    """Explainers built once and shared read-only by requests (per process).

    Keyed by the model's and the reference data's SHA-256: the same bytes always give the same
    explainer, whichever database row or app asks for it.
    """

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict[tuple[str, str], explain.Explainer] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    def get(self, model_version: ModelVersion, data_dir: str) -> explain.Explainer:
        return self.get_or_build((model_version.sha256, model_version.reference_sha256),
                                 lambda: build_explainer(model_version, data_dir))

    def get_or_build(self, key: tuple[str, str], build) -> explain.Explainer:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one build per model, however many requests wait for it
            with self._lock:
                if key in self._items:
                    return self._items[key]
            explainer = build()
            with self._lock:
                self._items[key] = explainer
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return explainer


EXPLAINERS = ExplainerCache()


def build_explainer(model_version: ModelVersion, data_dir: str) -> explain.Explainer:
    """Rebuild the explainer of a registered version from its stored files (checked again)."""
    workdir = Path(tempfile.mkdtemp(prefix="stadsregister-explainer-"))
    try:
        model_path = workdir / "model.skops"
        shutil.copyfile(filestore.path_for(data_dir, model_version.sha256), model_path)
        loaded = explain.load_model(model_path)
        if loaded.sha256 != model_version.sha256:
            raise RuntimeError(f"stored model {model_version.sha256} does not match its hash")
        spec = explain.parse_spec(model_version.spec)
        reference = explain.load_reference(filestore.path_for(data_dir, model_version.reference_sha256), spec)
        return explain.Explainer.build(loaded, spec, reference)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def spec_of(model_version: ModelVersion) -> explain.FeatureSpec:
    return explain.parse_spec(model_version.spec)


