"""Caches built before a worker serves, and kept current beside the copy that serves (issue 16).

Three things are slow to build from the database: the explainers of published models (seconds
each, plus shap's and numba's first-call compilation), the list's facet index and the sensor map's
index. ``warm`` builds all three. Under gunicorn with ``preload_app`` it runs once in the master
before the workers are forked, so every worker starts with them and shares their memory
copy-on-write (see ``register/gunicorn_conf.py``); without preload it runs in a background thread of
each process as it starts.

After that, a ``Keeper`` thread in each worker looks at the database's generations every few
seconds and brings the caches up to date off the request path: the list's index is rebuilt while
the old copy keeps serving, the map index takes in just the sensors that changed, and the
explainer of a newly published model is built before a resident asks for it. An explainer whose
key (model, spec, reference, settings, library versions) did not change is kept as it is.

This module knows no Flask: it is given the engine, the data folder and the app's cache dicts.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmVersion
from register.models.explanation import ModelVersion
from register.services import explainers, listing, model_kinds
from register.services.sensors.mapindex import update_map_index

log = logging.getLogger(__name__)


@dataclass
class Caches:
    """Where one app keeps what is warmed: its engine, data folder and per-app cache dicts."""

    engine: object
    data_dir: str
    listing: dict
    sensor_map: dict
    report: dict = field(default_factory=dict)  # what the last warm-up built, for logs and tests


def published_models(session: Session, limit: int | None = None) -> list[ModelVersion]:
    """The model versions that published entries explain decisions with, newest publication first."""
    rows = session.exec(select(ModelVersion)
                        .join(AlgorithmVersion, AlgorithmVersion.model_version_id == ModelVersion.id)
                        .join(Algorithm, Algorithm.published_version_id == AlgorithmVersion.id)
                        .where(Algorithm.public_state == "published")
                        .order_by(Algorithm.published_at.desc(), Algorithm.id.desc())).all()
    unique = list({m.id: m for m in rows}.values())
    return unique[:limit] if limit is not None else unique


def warm_explainers(session: Session, data_dir: str) -> int:
    """Build (or keep) the explainer of every published model and explain one reference case with it,
    so shap's and numba's first-call compilation is done too; models of other kinds get their runtime.
    Returns how many explainers are ready."""
    ready = 0
    for model in published_models(session, limit=explainers.EXPLAINERS.size):
        try:
            if model.kind == "sklearn":
                explainer = explainers.EXPLAINERS.get(model, data_dir)
                _explain_one(explainer, explainers.spec_of(model), model)
            else:  # rules, boosters, text, ONNX: their own runtime (issue 11), not a scikit-learn explainer
                model_kinds.runtime_for(model, data_dir)
            ready += 1
        except Exception:  # a model whose files are missing must not keep the site from starting
            log.warning("explainer of model version %s not warmed", model.id, exc_info=True)
    return ready


def _explain_one(explainer, spec, model: ModelVersion) -> None:
    """One explanation with its words, chart and smallest change, as a request makes it."""
    from register.services.decisions import answer  # decisions imports much of the app

    case = explainer.reference.head(1)
    if len(case):
        explanation = explainer.explain_many(case, validate=False)[0]
        answer(explainer, spec, explanation, "nl", model=model)


def warm(caches: Caches, *, today: dt.date | None = None) -> dict:
    """Build the explainers, the list's index and the map's index now (in this thread)."""
    today = today or dt.date.today()
    with Session(caches.engine, expire_on_commit=False) as session:
        caches.report["model_generation"] = explainers.current_generation(session)
        caches.report["explainers"] = warm_explainers(session, caches.data_dir)
        index = listing.listing_index(session, caches.listing)
        caches.report["listed"] = index.size
        caches.report["sensors"] = len(update_map_index(session, caches.sensor_map, today).sensors)
    return caches.report


class Keeper:
    """A daemon thread per process that brings the caches up to date after changes, off the request path."""

    def __init__(self, caches: Caches, interval: float = 5.0):
        self.caches, self.interval = caches, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._models_seen: str | None = caches.report.get("model_generation")

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="stadsregister-cache-keeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:  # a database that is briefly away: try again next round
                log.info("cache refresh failed", exc_info=True)

    def refresh(self, today: dt.date | None = None) -> None:
        """One round: the list's index, the map's index, and explainers of newly published models."""
        with Session(self.caches.engine, expire_on_commit=False) as session:
            listing.refresh(session, self.caches.listing)
            update_map_index(session, self.caches.sensor_map, today or dt.date.today())
            token = explainers.current_generation(session)
            if token != self._models_seen:
                warm_explainers(session, self.caches.data_dir)
                self._models_seen = token
