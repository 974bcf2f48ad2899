"""Advice from a citizens' panel, the data protection officer, an audit or an ethics committee, with
the organisation's response; and the entry's timeline "what residents and advisers said, and what
the city did" (issue 15).

Advice is registered by a registrant and published when a different person approves it (four
eyes); a published advice is never changed. The full advice can be attached as a PDF of the
document kind ``advice`` and is then linked from the advice.
"""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, AlgorithmEvent, AlgorithmVersion, User
from register.models.accounts import utcnow
from register.models.participation import ADVICE_OUTCOMES, ADVISER_KINDS, Advice, Contribution
from register.services.accounts import require_role
from register.services.algorithms import ValidationFailed, WorkflowError
from register.services.standard import FieldError, is_web_address

ADVISER_LABELS = {"citizens_panel": N_("Citizens' panel"), "dpo": N_("Data protection officer"),
                  "audit": N_("Audit"), "ethics_committee": N_("Ethics committee")}
OUTCOME_LABELS = {"followed": N_("Advice followed"), "partly_followed": N_("Advice partly followed"),
                  "not_followed": N_("Advice not followed"), "stopped": N_("Use of the algorithm stopped")}
LIMITS = {"adviser_name": 200, "summary": 2000, "response": 2500}


def _date(value, field: str, t, errors: list, required: bool) -> date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            errors.append(FieldError(field, t("Please fill in this field.")))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(field, t("Write the date as YYYY-MM-DD, for example 2023-06-30.")))
        return None


def validate_advice(data: dict, *, locale: str) -> tuple[dict, list[FieldError]]:
    """Clean the advice form; one plain message per wrong field."""
    t = translator(locale)
    errors: list[FieldError] = []
    clean = {name: str(data.get(name) or "").replace("\r\n", "\n").strip() for name in
             ("adviser_kind", "adviser_name", "summary", "link", "response", "outcome")}
    if clean["adviser_kind"] not in ADVISER_KINDS:
        errors.append(FieldError("adviser_kind", t("Choose who gave the advice.")))
    for name, limit in LIMITS.items():
        if not clean[name]:
            errors.append(FieldError(name, t("Please fill in this field.")))
        elif len(clean[name]) > limit:
            errors.append(FieldError(name, t("This text is too long: at most %(max)d characters, you used %(length)d.",
                                             max=limit, length=len(clean[name]))))
    if clean["link"] and not is_web_address(clean["link"]):
        errors.append(FieldError("link", t("Give a full web address that starts with https://")))
    if clean["outcome"] not in ADVICE_OUTCOMES:
        errors.append(FieldError("outcome", t("Choose what the organisation did with the advice.")))
    clean["link"] = clean["link"] or None
    clean["given_on"] = _date(data.get("given_on"), "given_on", t, errors, required=True)
    clean["decided_on"] = _date(data.get("decided_on"), "decided_on", t, errors, required=False)
    if clean["given_on"] and clean["decided_on"] and clean["decided_on"] < clean["given_on"]:
        errors.append(FieldError("decided_on", t("The decision cannot be before the advice.")))
    return clean, errors


def advice_documents(session: Session, algorithm: Algorithm) -> list:
    """The entry's documents of the kind ``advice`` that an advice can point to."""
    from register.services.documents import working_set  # documents imports algorithms, as this module does

    return [d for d in working_set(session, algorithm) if d.kind == "advice"]


def submit_advice(*, session: Session, user: User, algorithm: Algorithm, data: dict, locale: str) -> Advice:
    """Register advice and the response; it waits for a second person's approval."""
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    clean, errors = validate_advice(data, locale=locale)
    chosen = str(data.get("document_id") or "").strip()
    document_id = None
    if chosen:
        allowed = {str(d.id): d.id for d in advice_documents(session, algorithm)}
        if chosen not in allowed:
            t = translator(locale)
            errors.append(FieldError("document_id", t("Choose one of the advice documents attached to this entry.")))
        document_id = allowed.get(chosen)
    if errors:
        raise ValidationFailed(errors)
    advice = Advice(algorithm_id=algorithm.id, organisation_id=algorithm.organisation_id, created_by_id=user.id,
                    document_id=document_id, **clean)
    session.add(advice)
    session.commit()
    return advice


def approve_advice(*, session: Session, user: User, advice: Advice) -> None:
    """Publish the advice and response (not by the person who registered it)."""
    require_role(session=session, user=user, organisation_id=advice.organisation_id, role="approver")
    if advice.state != "submitted":
        raise WorkflowError(N_("This advice is already published."))
    if advice.created_by_id == user.id:
        raise WorkflowError(N_("You registered this advice yourself. A different person must approve it."))
    advice.state, advice.approved_by_id, advice.published_at = "published", user.id, utcnow()
    session.add(advice)
    session.commit()


def advice_of(session: Session, algorithm: Algorithm, *, published_only: bool = True) -> list[Advice]:
    query = select(Advice).where(Advice.algorithm_id == algorithm.id)
    if published_only:
        query = query.where(Advice.state == "published")
    return list(session.exec(query.order_by(Advice.given_on, Advice.id)))


def public_advice(advice: Advice, locale: str, document_url=None) -> dict:
    t = translator(locale)
    return {"id": advice.id, "adviser_kind": advice.adviser_kind, "adviser": t(ADVISER_LABELS[advice.adviser_kind]),
            "adviser_name": advice.adviser_name, "given_on": advice.given_on, "summary": advice.summary,
            "link": advice.link, "document": document_url(advice.document_id) if document_url and advice.document_id
            else None, "response": advice.response, "outcome": advice.outcome,
            "outcome_label": t(OUTCOME_LABELS[advice.outcome]), "decided_on": advice.decided_on,
            "published_at": advice.published_at}


def timeline(session: Session, algorithm: Algorithm, locale: str) -> list[dict]:
    """What residents and advisers said, and what the city did, oldest first."""
    t = translator(locale)
    moments: list[dict] = []
    for advice in advice_of(session, algorithm):
        moments.append({"on": advice.given_on, "who": "adviser", "kind": "advice",
                        "text": t("%(adviser)s gave advice: %(summary)s", adviser=t(ADVISER_LABELS[advice.adviser_kind]),
                                  summary=advice.summary)})
        moments.append({"on": advice.decided_on or advice.published_at.date(), "who": "city", "kind": advice.outcome,
                        "text": f"{t(OUTCOME_LABELS[advice.outcome])}. {advice.response}"})
    answered = session.exec(select(Contribution).where(Contribution.algorithm_id == algorithm.id,
                                                       Contribution.state == "published",
                                                       Contribution.answer_state == "published")).all()
    for item in answered:
        moments.append({"on": item.received_at.date(), "who": "resident", "kind": item.kind,
                        "text": t("A resident asked: %(text)s", text=item.body) if item.kind == "question"
                        else t("A resident wrote: %(text)s", text=item.body)})
        moments.append({"on": item.answered_at.date(), "who": "city", "kind": "answer",
                        "text": t("The city answered: %(text)s", text=item.answer)})
    events = session.exec(select(AlgorithmEvent, AlgorithmVersion.change_note).outerjoin(
        AlgorithmVersion, AlgorithmVersion.id == AlgorithmEvent.version_id).where(
        AlgorithmEvent.algorithm_id == algorithm.id,
        AlgorithmEvent.kind.in_(["archived", "retracted", "published"]))).all()
    for event, note in events:
        if event.kind == "published" and not note:
            continue
        what = {"archived": t("The city stopped and archived this entry."),
                "retracted": t("The city withdrew this entry."),
                "published": t("The city published a new version.")}[event.kind]
        moments.append({"on": event.at.date(), "who": "city", "kind": event.kind,
                        "text": " ".join(filter(None, [what, event.reason or note]))})
    return sorted(moments, key=lambda m: (m["on"], m["who"] == "city"))
