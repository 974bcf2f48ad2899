"""Explaining one resident's case, and decision receipts that keep an explanation until it expires.

A what-if explanation lives only for the request. A receipt stores the explanation exactly as
it was computed (inputs, contributions, model SHA-256, library versions) with the model version
used; its text, chart and "what would have changed it" are rendered from that stored record with
the receipt's own model version, never with a newer one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, insert
from sqlmodel import Session, select

import explain
from register.models import Algorithm, AlgorithmVersion
from register.models.accounts import utcnow
from register.i18n import N_
from register.models.explanation import DecisionReceipt, ModelVersion
from register.services import costs, model_kinds
from register.services.algorithms import CODE_ALPHABET
from register.services.model_versions import EXPLAINERS, published_model, spec_of

if TYPE_CHECKING:
    from register.services.explanation_view import Answer

DEFAULT_RECEIPT_MONTHS = 13


class NoModel(Exception):
    """The algorithm has no published model version (HTTP 404/409)."""


class Withdrawn(Exception):
    """The entry is retracted or archived: no new decision is explained with it (HTTP 410).

    Receipts made before stay readable (``receipt_view`` does not ask). ``message`` is a message id.
    """

    MESSAGES: ClassVar[dict[str, str]] = {
        "retracted": N_("This algorithm has been withdrawn from the register, so no new decisions are explained "
                        "with it. Explanations made before stay readable through the link in your letter."),
        "archived": N_("This algorithm is archived: it is no longer used, so no new decisions are explained "
                       "with it. Explanations made before stay readable through the link in your letter."),
    }

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state
        self.message = self.MESSAGES[state]


class InputRefused(Exception):
    """Some inputs are not valid; ``errors`` maps each field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ReceiptExpired(Exception):
    """The receipt existed but its time is up (HTTP 410)."""


def answer(explainer: explain.Explainer, spec: explain.FeatureSpec, explanation: explain.Explanation,
           locale: str, *, id_prefix: str = "chart", model: ModelVersion | None = None) -> Answer:
    """Words, chart, inputs used and the smallest realistic change, for an explanation, in ``locale``."""
    from register.services.explanation_view import build_answer  # the pages' words and chart: not for a batch

    explain.limit_threads()  # the counterfactual search predicts hundreds of times (issue 10)
    accuracy = (model.global_explanation or {}).get("accuracy") if model is not None else None
    return build_answer(explainer, spec, explanation, locale, accuracy=accuracy, id_prefix=id_prefix)


def model_for(session: Session, algorithm: Algorithm, found=None) -> tuple[AlgorithmVersion, ModelVersion]:
    """The published model for a new decision (``found``: already read); raises Withdrawn or NoModel."""
    if algorithm.public_state in Withdrawn.MESSAGES:  # issue 12: a retracted entry made receipts
        raise Withdrawn(algorithm.public_state)
    found = found if found is not None else published_model(session, algorithm)
    if found is None:
        raise NoModel()
    return found


def what_if(*, session: Session, algorithm: Algorithm, inputs: dict, locale: str,
            data_dir: str, found=None) -> tuple[Answer, ModelVersion]:
    """Explain a case typed into the form; nothing about it is stored or logged. ``found``: the
    published (version, model) when the caller has read it already."""
    _version, model = model_for(session, algorithm, found)
    if model.kind != "sklearn":  # rules, boosters, text, ONNX (issue 11)
        runtime = model_kinds.runtime_for(model, data_dir)
        clean, errors = runtime.validate(inputs, locale)
        if errors:
            raise InputRefused(errors)
        with costs.measured(session, algorithm_id=algorithm.id, model_version_id=model.id, kind="explanation"):
            record = _kind_records(runtime, [clean], locale)[0]
        return runtime.answer(record, locale), model
    spec = spec_of(model)
    clean, errors = spec.validate_inputs(inputs, locale)
    if errors:
        raise InputRefused(errors)
    explainer = EXPLAINERS.get(model, data_dir)
    explain.limit_threads()
    with costs.measured(session, algorithm_id=algorithm.id, model_version_id=model.id, kind="explanation"):
        explanation = explainer.explain(clean, validate=False)  # CPU time measured for the footprint (issue 15)
    return answer(explainer, spec, explanation, locale, model=model), model


def _kind_records(runtime, cases: list[dict], locale: str) -> list[dict]:
    """The stored records of a non-scikit-learn kind; a table that breaks its own hit policy for a
    case is an error in the table, told to the resident as such."""
    try:
        return runtime.explain_many(cases)
    except explain.ExplainError as error:
        first = runtime.names()[0] if runtime.names() else "inputs"
        raise InputRefused({first: error.message(locale)}) from error


def _keyed(secret: str, *parts: str) -> bytes:
    return hmac.new(secret.encode(), "|".join(parts).encode(), hashlib.sha256).digest()


def _token_for(secret: str, algorithm: Algorithm, model: ModelVersion, case_ref: str | None, inputs: dict) -> str:
    """A URL token of 192 bits: random, or for a case reference derived with the secret key so that
    sending the same case again (a re-run batch) gives the same receipt instead of a second one."""
    if not case_ref:
        return secrets.token_urlsafe(24)
    canonical = json.dumps(inputs, sort_keys=True, default=str)
    digest = _keyed(secret, "receipt", algorithm.code, model.sha256, case_ref, canonical)[:24]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def case_ref_hash(secret: str, case_ref: str) -> str:
    """A case reference is stored only as this keyed hash."""
    return _keyed(secret, "case", case_ref).hex()


def _short_code() -> str:
    pick = lambda n: "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))
    return f"D-{pick(4)}-{pick(4)}"


def expiry(algorithm_version: AlgorithmVersion, now: datetime) -> datetime:
    return now + relativedelta(months=algorithm_version.receipt_months or DEFAULT_RECEIPT_MONTHS)


def create_receipts(*, session: Session, algorithm: Algorithm, cases: list[tuple[dict, str | None]], secret: str,
                    data_dir: str, now: datetime | None = None,
                    locale: str = "en") -> list[tuple[str, DecisionReceipt | None, dict]]:
    """Explain many cases with the published model and store a receipt for each valid one.

    ``cases``: (inputs, case reference or None); number texts are read in ``locale`` ('1.250' is
    1250 in Dutch, 1.25 in English). Returns per case (token, receipt, errors); a case with
    errors gets no receipt and does not stop the others. Commits once.
    """
    now = now or utcnow()
    algorithm_version, model = model_for(session, algorithm)
    if model.kind == "sklearn":
        spec, explainer = spec_of(model), EXPLAINERS.get(model, data_dir)
        validate = spec.validate_inputs
        explain_many = lambda rows: [e.to_dict() for e in explainer.explain_many(rows, validate=False)]
    else:  # rules, boosters, text, ONNX (issue 11): the kind's own checks and record
        runtime = model_kinds.runtime_for(model, data_dir)
        validate = runtime.validate
        explain_many = lambda rows: _kind_records(runtime, rows, locale)
    checked = [validate(inputs, locale) for inputs, _ref in cases]
    valid = [i for i, (_clean, errors) in enumerate(checked) if not errors]
    explain.limit_threads()
    explanations = {}
    if valid:  # CPU time measured for the footprint (issue 15)
        with costs.measured(session, algorithm_id=algorithm.id, model_version_id=model.id, kind="receipt",
                            count=len(valid)):
            explanations = dict(zip(valid, explain_many([checked[i][0] for i in valid])))
    results, rows, seen = [], [], {}
    expires_at = expiry(algorithm_version, now)
    records = explanations
    tokens = {index: _token_for(secret, algorithm, model, case_ref, records[index]["inputs"])
              for index, (_inputs, case_ref) in enumerate(cases) if index in records}
    hashes = {index: _hash_token(token) for index, token in tokens.items()}
    keyed = [hashes[i] for i, (_inputs, case_ref) in enumerate(cases) if case_ref and i in hashes]
    existing = {r.token_hash: r for r in session.exec(
        select(DecisionReceipt).where(DecisionReceipt.token_hash.in_(keyed)))} if keyed else {}
    for index, (_inputs, case_ref) in enumerate(cases):
        if index not in explanations:
            results.append(("", None, checked[index][1]))
            continue
        token, token_hash = tokens[index], hashes[index]
        found = seen.get(token_hash) or existing.get(token_hash)
        if found is not None:
            seen[token_hash] = found
            results.append((token, found, {}))
            continue
        receipt = DecisionReceipt(token_hash=token_hash, short_code=_short_code(), algorithm_id=algorithm.id,
                                  algorithm_version_id=algorithm_version.id, model_version_id=model.id,
                                  explanation=records[index], created_at=now, expires_at=expires_at,
                                  case_ref_hash=case_ref_hash(secret, case_ref) if case_ref else None)
        seen[token_hash] = receipt
        rows.append(receipt)
        results.append((token, receipt, {}))
    if rows:
        session.execute(insert(DecisionReceipt), [r.model_dump(exclude={"id"}) for r in rows])
        session.commit()
    return results


def create_receipt(*, session: Session, algorithm: Algorithm, inputs: dict, case_ref: str | None, secret: str,
                   data_dir: str, locale: str = "nl") -> tuple[str, DecisionReceipt]:
    """One case through the API; field errors in ``locale``."""
    _version, model = model_for(session, algorithm)
    validate = spec_of(model).validate_inputs if model.kind == "sklearn" else \
        model_kinds.runtime_for(model, data_dir).validate
    _clean, errors = validate(inputs, locale)
    if errors:
        raise InputRefused(errors)
    token, receipt, _errors = create_receipts(session=session, algorithm=algorithm, cases=[(inputs, case_ref)],
                                              secret=secret, data_dir=data_dir, locale=locale)[0]
    stored = session.exec(select(DecisionReceipt).where(DecisionReceipt.token_hash == receipt.token_hash)).one()
    return token, stored


def open_receipt(session: Session, token: str, now: datetime | None = None) -> DecisionReceipt | None:
    """The receipt behind a token; ReceiptExpired past its date; None when unknown."""
    if not token or len(token) > 100:
        return None
    receipt = session.exec(select(DecisionReceipt).where(DecisionReceipt.token_hash == _hash_token(token))).first()
    if receipt is not None and receipt.expires_at <= (now or utcnow()):
        raise ReceiptExpired()
    return receipt


def receipt_view(session: Session, receipt: DecisionReceipt, locale: str, data_dir: str) -> dict:
    """What the receipt page and PDF show: the stored explanation in words and a chart, with the
    entry version and model version it was made with."""
    from register.services.model_pages import decision_help, model_facts

    algorithm = session.get(Algorithm, receipt.algorithm_id)
    version = session.get(AlgorithmVersion, receipt.algorithm_version_id)
    model = session.get(ModelVersion, receipt.model_version_id)
    if model.kind != "sklearn":  # rendered from the stored record, with the receipt's own version
        shown = model_kinds.runtime_for(model, data_dir).answer(receipt.explanation, locale, id_prefix="receipt-chart")
    else:
        shown = answer(EXPLAINERS.get(model, data_dir), spec_of(model), explain.Explanation.from_dict(receipt.explanation),
                       locale, id_prefix="receipt-chart", model=model)
    return {"code": algorithm.code, "name": version.name, "organisation": version.organization,
            "reference": receipt.short_code, "created_at": receipt.created_at, "expires_at": receipt.expires_at,
            "model": model_facts(model, locale), "decision": decision_help(version),
            "answer": shown}


def purge(session: Session, now: datetime | None = None) -> int:
    """Delete every expired receipt, opened or not; returns how many."""
    result = session.execute(delete(DecisionReceipt).where(DecisionReceipt.expires_at <= (now or utcnow())))
    session.commit()
    return result.rowcount or 0

