"""Explainers of registered model versions, built once per process and never mistaken for another.

An explanation depends on the model file, the feature spec, the reference data, the explainer's
settings and the library versions; ``explainer_key`` digests all of them, so the same model
registered again with another spec (a new threshold, a newly protected input) is a different
explainer everywhere, in every process and on every machine (issue 10).

Each process also keeps, per model version, its parsed spec and key, so a request neither parses
nor schema-checks the spec again. That copy is valid for one ``model_generation`` (a row in the
database, changed in the same transaction as every registration, as the listing does), so every
worker sees a change at its next request.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import uuid
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

import explain
from register.models.explanation import ModelGeneration, ModelVersion
from register.services import filestore, snapshots

# The explainer settings every registered version is built with (part of the cache key).
BUILD_SETTINGS = {"method": "auto", "background_size": 100, "permutations": 10, "seed": 0}
_VERSIONS: dict | None = None
BUILDS: Counter = Counter()  # explainers built from the model files in this process (for tests and logs)


def library_versions() -> dict:
    """explain, shap, scikit-learn and numpy versions of this process (read once, without importing shap)."""
    global _VERSIONS
    if _VERSIONS is None:
        _VERSIONS = explain.library_versions()
    return _VERSIONS


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def explainer_key(*, model_sha256: str, spec: dict, reference_sha256: str) -> str:
    """The digest of everything an explanation depends on."""
    return _digest({"model": model_sha256, "spec": spec, "reference": reference_sha256,
                    "settings": BUILD_SETTINGS, "versions": library_versions()})


def bump_generation(session: Session) -> None:
    """Say that the model versions changed (call inside the transaction that changes them)."""
    token = uuid.uuid4().hex
    changed = session.execute(update(ModelGeneration).where(ModelGeneration.id == 1)
                              .values(value=ModelGeneration.value + 1, token=token))
    if not changed.rowcount:  # a database emptied by hand: start the row again
        session.execute(insert(ModelGeneration).values(id=1, value=1, token=token))
    session.info[_SEEN] = token


_SEEN = "stadsregister.model_generation"


def current_generation(session: Session) -> str:
    """The generation's token, read once per session (a web request has its own session)."""
    if _SEEN not in session.info:
        session.info[_SEEN] = session.exec(select(ModelGeneration.token).where(ModelGeneration.id == 1)).first() or ""
    return session.info[_SEEN]


@dataclass(frozen=True)
class Prepared:
    """What a request needs of a model version besides its explainer: the parsed spec and the key."""

    key: str
    spec: explain.FeatureSpec
    model_sha256: str
    reference_sha256: str


def _prepare(model_version: ModelVersion) -> Prepared:
    spec = explain.parse_spec(model_version.spec, schema_checked=True)  # checked when it was registered
    key = explainer_key(model_sha256=model_version.sha256, spec=spec.raw,
                        reference_sha256=model_version.reference_sha256)
    return Prepared(key, spec, model_version.sha256, model_version.reference_sha256)


class VersionCopies:
    """Per process: each model version's ``Prepared``, for the database's current generation.

    A detached row (the published entry shared by requests for one content generation,
    ``services/published.py``) cannot be asked for the generation; its ``Prepared`` is kept for as
    long as that very object lives, since the row it was read from cannot change under it."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[tuple, Prepared] = OrderedDict()
        self._detached: OrderedDict[int, tuple[weakref.ref, object, Prepared]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_version: ModelVersion) -> Prepared:
        session = object_session(model_version)
        if model_version.id is None:
            return _prepare(model_version)  # not stored yet: nothing to keep it under
        if session is None:
            return self._of_detached(model_version)
        where = (str(session.get_bind().url), current_generation(session), model_version.id)
        with self._lock:
            found = self._items.get(where)
            if found is not None and found.model_sha256 == model_version.sha256 \
                    and found.reference_sha256 == model_version.reference_sha256:
                self._items.move_to_end(where)
                return found
        prepared = _prepare(model_version)
        with self._lock:
            self._items[where] = prepared
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return prepared

    def _of_detached(self, model_version: ModelVersion) -> Prepared:
        with self._lock:
            kept = self._detached.get(id(model_version))
            # the same object (not a new one at its address) with the same spec, model and reference
            if kept is not None and kept[0]() is model_version and kept[1] is model_version.spec \
                    and kept[2].model_sha256 == model_version.sha256 \
                    and kept[2].reference_sha256 == model_version.reference_sha256:
                return kept[2]
        prepared = _prepare(model_version)
        with self._lock:
            self._detached[id(model_version)] = (weakref.ref(model_version), model_version.spec, prepared)
            while len(self._detached) > self.size:
                self._detached.popitem(last=False)
        return prepared


class ExplainerCache:
    """Explainers shared read-only by requests (per process), keyed by ``explainer_key``."""

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict[str, explain.Explainer] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}

    def get(self, model_version: ModelVersion, data_dir: str) -> explain.Explainer:
        prepared = COPIES.get(model_version)
        return self.get_or_build(prepared.key, lambda: load_or_build(model_version, data_dir, prepared))

    def put(self, key: str, explainer: explain.Explainer) -> None:
        with self._lock:
            self._items[key] = explainer
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_build(self, key: str, build: Callable[[], explain.Explainer]) -> explain.Explainer:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one build per key, however many requests wait for it
            with self._lock:
                if key in self._items:
                    return self._items[key]
            explainer = build()
            self.put(key, explainer)
            with self._lock:
                self._building.pop(key, None)
        return explainer

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items


COPIES = VersionCopies()
EXPLAINERS = ExplainerCache()


def spec_of(model_version: ModelVersion) -> explain.FeatureSpec:
    """The parsed spec of a registered version (parsed once per version and generation)."""
    return COPIES.get(model_version).spec


def build(loaded: explain.LoadedModel, spec: explain.FeatureSpec, reference) -> explain.Explainer:
    """A fresh explainer with the register's settings, with BLAS/OpenMP kept to one thread."""
    with explain.one_thread():
        return explain.Explainer.build(loaded, spec, reference, **BUILD_SETTINGS)


def load_or_build(model_version: ModelVersion, data_dir: str, prepared: Prepared) -> explain.Explainer:
    """The explainer from its snapshot in ``data_dir`` when one is there and passes its HMAC check
    (see ``snapshots``), else built from the stored files (and its snapshot written)."""
    found = snapshots.load(data_dir, prepared.key)
    if found is not None:
        return found
    explainer = build_explainer(model_version, data_dir, prepared.spec)
    snapshots.save(data_dir, prepared.key, explainer)
    return explainer


def build_explainer(model_version: ModelVersion, data_dir: str,
                    spec: explain.FeatureSpec | None = None) -> explain.Explainer:
    """Rebuild the explainer of a registered version from its stored files (checked again)."""
    BUILDS["explainers"] += 1
    workdir = Path(tempfile.mkdtemp(prefix="stadsregister-explainer-"))
    try:
        model_path = workdir / "model.skops"
        shutil.copyfile(filestore.path_for(data_dir, model_version.sha256), model_path)
        loaded = explain.load_model(model_path)
        if loaded.sha256 != model_version.sha256:
            raise RuntimeError(f"stored model {model_version.sha256} does not match its hash")
        spec = spec or explain.parse_spec(model_version.spec, schema_checked=True)
        reference = explain.load_reference(filestore.path_for(data_dir, model_version.reference_sha256), spec)
        return build(loaded, spec, reference)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
