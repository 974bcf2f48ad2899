"""Residents' questions, views and error reports on an entry, and the organisation's answers (issue 15).

Sent without an account: we keep what the person typed and, if they give it, an e-mail address
for the answer only (never published; deleted 30 days after the answer by ``purge_emails``).
Nothing else about the visitor is stored — abuse is held off by a limit per client address kept
in memory (the web layer), a honeypot field, length limits, moderation before anything is public,
and flags on published items. Answers are published when a second person approves them.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from functools import lru_cache

import holidays
from sqlalchemy import func, or_
from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, User
from register.models.accounts import utcnow
from register.models.participation import (
    ANSWER_LIMIT,
    BODY_LIMIT,
    CONTRIBUTION_KINDS,
    EMAIL_LIMIT,
    FLAG_LIMIT,
    Contribution,
    ContributionFlag,
)
from register.services.accounts import has_role, require_role
from register.services.algorithms import ValidationFailed, WorkflowError
from register.services.listing import bump_generation
from register.services.standard import ENTRY_FIELDS, HIDDEN, FieldError

EMAIL_DAYS = 30  # an e-mail address is deleted this many days after the answer
OPEN_STATES = ("received", "published")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
# Error reports name one of the fields a resident can see on the public page.
REPORTABLE_FIELDS = [f for f in ENTRY_FIELDS if f not in HIDDEN]


class Honeypot(Exception):
    """A form field that people never see was filled in: a robot. Nothing is stored."""


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """Dutch public holidays in ``year`` by the ``holidays`` package's Netherlands calendar (public
    category): Nieuwjaarsdag, Goede Vrijdag, Eerste en Tweede Paasdag, Koningsdag (27 April, or the
    Saturday before when that is a Sunday), Hemelvaartsdag, Eerste en Tweede Pinksterdag, Eerste en
    Tweede Kerstdag, and Bevrijdingsdag (5 May) only every five years (2025, 2030, …) — the day off
    most collective labour agreements give, although the Algemene termijnenwet names 5 May every year."""
    return frozenset(holidays.Netherlands(years=year, categories=holidays.PUBLIC))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``: Monday to Friday, not on a Dutch public
    holiday (``public_holidays``)."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def _one_address(text: str) -> bool:
    """Exactly one plain address (``a@b.nl,c.nl`` or ``a<b@c.nl`` would reach someone else)."""
    try:
        return str(Address(addr_spec=text)) == text
    except ValueError:
        return False


def _text(value) -> str:
    return _CONTROL.sub("", str(value or "").replace("\r\n", "\n")).strip()


def validate_contribution(data: dict, *, locale: str) -> tuple[dict, list[FieldError]]:
    """Clean the form and list every problem, one message per field."""
    t = translator(locale)
    clean = {"kind": _text(data.get("kind")), "field": _text(data.get("field")) or None,
             "body": _text(data.get("body")), "email": _text(data.get("email")).lower() or None}
    errors = []
    if clean["kind"] not in CONTRIBUTION_KINDS:
        errors.append(FieldError("kind", t("Choose whether you ask a question, give your view or report an error.")))
    if clean["kind"] == "error" and clean["field"] not in REPORTABLE_FIELDS:
        errors.append(FieldError("field", t("Choose the part of the registration that is wrong.")))
    if clean["kind"] != "error":
        clean["field"] = None
    if not clean["body"]:
        errors.append(FieldError("body", t("Please write your question, view or report.")))
    elif len(clean["body"]) > BODY_LIMIT:
        errors.append(FieldError("body", t("This text is too long: at most %(max)d characters, you used %(length)d.",
                                           max=BODY_LIMIT, length=len(clean["body"]))))
    email = clean["email"]
    if email and (len(email) > EMAIL_LIMIT or not _EMAIL.match(email) or not _one_address(email)):
        errors.append(FieldError("email", t("This is not an e-mail address. Leave it empty if you do not want an answer by e-mail.")))
    return clean, errors


def submit(*, session: Session, algorithm: Algorithm, data: dict, locale: str, answer_days: int,
           today: date | None = None) -> Contribution:
    """Store a resident's contribution for moderation; refuses bad input with nothing stored."""
    if str(data.get("website") or "").strip():
        raise Honeypot()
    if algorithm.public_state not in ("published", "archived"):
        raise WorkflowError(N_("This entry does not take questions."))
    clean, errors = validate_contribution(data, locale=locale)
    if errors:
        raise ValidationFailed(errors)
    received = utcnow()
    item = Contribution(algorithm_id=algorithm.id, organisation_id=algorithm.organisation_id,
                        language=locale if locale in ("nl", "en") else "nl", received_at=received,
                        due_on=working_days_after(today or received.date(), answer_days), **clean)
    session.add(item)
    bump_generation(session)  # the list filter "with open questions" changes
    session.commit()
    return item


def _may_work(session: Session, user: User, item: Contribution, role: str | None = None) -> None:
    require_role(session=session, user=user, organisation_id=item.organisation_id, role=role)


def moderate(*, session: Session, user: User, item: Contribution, decision: str, reason: str = "") -> None:
    """Publish a received contribution (without personal data) or reject it."""
    _may_work(session, user, item)
    if item.state != "received":
        raise WorkflowError(N_("This item has already been moderated."))
    if decision == "reject":
        if not reason.strip():
            raise WorkflowError(N_("Say why you reject it."))
        item.state, item.state_reason = "rejected", reason.strip()[:500]
        item.answered_at = utcnow()  # no answer will follow: the e-mail address goes after 30 days
    elif decision == "publish":
        item.state = "published"
    else:
        raise ValueError(decision)
    item.moderated_at, item.moderated_by_id = utcnow(), user.id
    session.add(item)
    bump_generation(session)
    session.commit()


def write_answer(*, session: Session, user: User, item: Contribution, text: str, locale: str) -> None:
    """Write (or rewrite) the answer; it waits for a second person's approval."""
    _may_work(session, user, item)
    if item.state != "published" or item.answer_state == "published":
        raise WorkflowError(N_("Only a published question without a published answer can be answered."))
    answer = _text(text)
    t = translator(locale)
    if not answer:
        raise ValidationFailed([FieldError("answer", t("Please write the answer."))])
    if len(answer) > ANSWER_LIMIT:
        raise ValidationFailed([FieldError("answer", t(
            "This text is too long: at most %(max)d characters, you used %(length)d.", max=ANSWER_LIMIT,
            length=len(answer)))])
    item.answer, item.answer_state = answer, "submitted"
    item.answer_by_id, item.answer_submitted_at = user.id, utcnow()
    session.add(item)
    session.commit()


def approve_answer(*, session: Session, user: User, item: Contribution) -> None:
    """Publish the submitted answer (four eyes: not by the person who wrote it)."""
    _may_work(session, user, item, role="approver")
    if item.answer_state != "submitted":
        raise WorkflowError(N_("There is no answer waiting for approval."))
    if item.answer_by_id == user.id:
        raise WorkflowError(N_("You wrote this answer yourself. A different person must approve it."))
    item.answer_state, item.answered_at, item.answer_approved_by_id = "published", utcnow(), user.id
    session.add(item)
    bump_generation(session)
    session.commit()


def flag(*, session: Session, item: Contribution, reason: str, locale: str) -> ContributionFlag:
    """Anyone may say a published item should not be public; a registrant then looks at it."""
    if item.state != "published":
        raise WorkflowError(N_("Only a published item can be reported."))
    text = _text(reason)
    t = translator(locale)
    if not text:
        raise ValidationFailed([FieldError("reason", t("Say briefly what is wrong with this item."))])
    if len(text) > FLAG_LIMIT:
        raise ValidationFailed([FieldError("reason", t(
            "This text is too long: at most %(max)d characters, you used %(length)d.", max=FLAG_LIMIT,
            length=len(text)))])
    row = ContributionFlag(contribution_id=item.id, reason=text)
    session.add(row)
    session.commit()
    return row


def resolve_flags(*, session: Session, user: User, item: Contribution, outcome: str, reason: str = "") -> None:
    """Keep the item, or hide it with a public reason; every open flag on it is closed."""
    _may_work(session, user, item)
    if outcome not in ("kept", "hidden"):
        raise ValueError(outcome)
    if outcome == "hidden":
        if not reason.strip():
            raise WorkflowError(N_("Give a reason; it is shown to the public."))
        item.state, item.state_reason = "hidden", reason.strip()[:500]
        session.add(item)
        bump_generation(session)
    for row in session.exec(select(ContributionFlag).where(ContributionFlag.contribution_id == item.id,
                                                           ContributionFlag.resolved_at.is_(None))):
        row.resolved_at, row.resolved_by_id, row.outcome = utcnow(), user.id, outcome
        session.add(row)
    session.commit()


def is_overdue(item: Contribution, today: date) -> bool:
    return item.state in OPEN_STATES and item.answer_state != "published" and today > item.due_on


def public_item(item: Contribution, today: date) -> dict:
    """A contribution as the public sees it: never the e-mail address or who worked on it."""
    hidden = item.state == "hidden"
    return {"id": item.id, "kind": item.kind, "field": item.field, "language": item.language,
            "body": None if hidden else item.body, "received_on": item.received_at.date(),
            "due_on": item.due_on, "state": item.state, "removed_reason": item.state_reason if hidden else None,
            "answer": item.answer if item.answer_state == "published" and not hidden else None,
            "answered_on": item.answered_at.date() if item.answer_state == "published" else None,
            "overdue": is_overdue(item, today)}


def entry_view(session: Session, algorithm: Algorithm, today: date) -> dict:
    """Published (and removed) items of an entry, plus counts that include items still in moderation."""
    rows = session.exec(select(Contribution).where(Contribution.algorithm_id == algorithm.id,
                                                   Contribution.state.in_(["published", "hidden", "received"]))
                        .order_by(Contribution.received_at.desc(), Contribution.id.desc())).all()
    shown = [public_item(r, today) for r in rows if r.state != "received"]
    pending = [r for r in rows if r.state == "received"]
    return {"items": shown, "counts": counts(rows, today),
            "in_moderation": {"count": len(pending), "overdue": sum(is_overdue(r, today) for r in pending)}}


def counts(rows: list[Contribution], today: date) -> dict:
    live = [r for r in rows if r.state in OPEN_STATES]
    answered = [r for r in live if r.answer_state == "published"]
    return {"total": len(live), "answered": len(answered), "open": len(live) - len(answered),
            "overdue": sum(is_overdue(r, today) for r in live)}


def entry_counts(session: Session, algorithm_id: int, today: date) -> dict:
    rows = session.exec(select(Contribution).where(Contribution.algorithm_id == algorithm_id,
                                                   Contribution.state.in_(OPEN_STATES))).all()
    return counts(list(rows), today)


def entries_with_open_questions(session: Session) -> set[int]:
    """Ids of entries with a question that is not answered yet (in moderation or published)."""
    return set(session.exec(select(Contribution.algorithm_id).where(
        Contribution.state.in_(OPEN_STATES),
        or_(Contribution.answer_state.is_(None), Contribution.answer_state != "published")).distinct()))


def open_data(session: Session, today: date) -> list[dict]:
    """Every published question with its answer, as open data (no personal data)."""
    rows = session.exec(select(Contribution, Algorithm.code).join(Algorithm, Algorithm.id == Contribution.algorithm_id)
                        .where(Contribution.state == "published", Algorithm.public_state.in_(["published", "archived"]))
                        .order_by(Contribution.received_at, Contribution.id)).all()
    return [{"algorithm": code} | public_item(item, today) for item, code in rows]


def queue(session: Session, user: User, today: date) -> list[dict]:
    """The work of the account's organisations, by deadline: to moderate, to answer, to approve, flagged,
    and published answers whose e-mail to the resident failed (to try again)."""
    rows = session.exec(select(Contribution, Algorithm.code).join(Algorithm, Algorithm.id == Contribution.algorithm_id)
                        .where(Contribution.state.in_(OPEN_STATES)).order_by(Contribution.due_on, Contribution.id)).all()
    flags = dict(session.exec(select(ContributionFlag.contribution_id, func.count()).where(
        ContributionFlag.resolved_at.is_(None)).group_by(ContributionFlag.contribution_id)).all())
    work = []
    for item, code in rows:
        if not has_role(session=session, user=user, organisation_id=item.organisation_id):
            continue
        email_failed = item.answer_state == "published" and item.answer_email_state == "failed" and bool(item.email)
        if item.answer_state == "published" and not flags.get(item.id) and not email_failed:
            continue
        step = ("moderate" if item.state == "received" else "flagged" if flags.get(item.id)
                else "email_failed" if email_failed
                else "approve" if item.answer_state == "submitted" else "answer")
        work.append({"item": item, "code": code, "step": step, "flags": flags.get(item.id, 0),
                     "overdue": is_overdue(item, today), "has_email": bool(item.email),
                     "may_approve": step == "approve" and item.answer_by_id != user.id and has_role(
                         session=session, user=user, organisation_id=item.organisation_id, role="approver")})
    return work


def flags_of(session: Session, item: Contribution) -> list[ContributionFlag]:
    return list(session.exec(select(ContributionFlag).where(ContributionFlag.contribution_id == item.id,
                                                            ContributionFlag.resolved_at.is_(None))))


def purge_emails(session: Session, now: datetime | None = None) -> int:
    """Delete e-mail addresses 30 days after the answer (or the rejection). Returns how many.

    Run daily by ``stadsregister purge``; a failed answer e-mail not sent again by then is dropped
    with the address (it leaves the portal's queue)."""
    cutoff = (now or utcnow()) - timedelta(days=EMAIL_DAYS)
    rows = session.exec(select(Contribution).where(Contribution.email.is_not(None),
                                                   Contribution.answered_at.is_not(None),
                                                   Contribution.answered_at <= cutoff)).all()
    for row in rows:
        row.email, row.email_deleted_at = None, now or utcnow()
        session.add(row)
    session.commit()
    return len(rows)


QUEUE_STEPS = ("moderate", "answer", "approve", "flagged", "email_failed")


def openapi_paths(errors: dict) -> dict:
    """The question-queue endpoints for /api/v1/openapi.json."""
    item_id = {"name": "item_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
               "description": "The question's number, as in the queue"}
    question = {"type": "object", "properties": {
        "id": {"type": "integer"}, "algorithm": {"type": "string", "description": "the entry's code"},
        "step": {"enum": list(QUEUE_STEPS), "description": "what is to be done next"},
        "kind": {"enum": list(CONTRIBUTION_KINDS)}, "field": {"type": ["string", "null"]},
        "body": {"type": "string"}, "language": {"enum": ["nl", "en"]},
        "received_on": {"type": "string", "format": "date"}, "due_on": {"type": "string", "format": "date"},
        "overdue": {"type": "boolean"}, "state": {"enum": ["received", "published"]},
        "answer": {"type": ["string", "null"]}, "answer_state": {"enum": ["submitted", "published", None]},
        "flags": {"type": "integer", "description": "open reports that the item should not be public"},
        "answer_by_email": {"type": "boolean", "description": "the resident left an address (never shown)"},
        "email_state": {"enum": ["sent", "failed", None]}, "may_approve": {"type": "boolean"}}}
    result = {"type": "object", "properties": {
        "ok": {"type": "boolean"},
        "question": {"oneOf": [question, {"type": "null"}],
                     "description": "the queue entry; null when nothing is left to do on it"},
        "public": {"type": "object", "description": "the item as the public sees it"},
        "email": {"enum": ["sent", "failed", None], "description": "approve only: the e-mail to the resident"}}}
    answer = {"type": "object", "required": ["answer"], "properties": {
        "answer": {"type": "string", "minLength": 1, "maxLength": ANSWER_LIMIT,
                   "description": "the public answer, in plain language"}}}
    done = {"200": {"description": "Done", "content": {"application/json": {"schema": result}}}, **errors}
    return {
        "/questions": {"get": {
            "summary": "Residents' questions, views and error reports about the token's organisation's entries "
                       "that need work: to moderate, answer, approve, flagged, or an answer e-mail that failed",
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "The queue, by deadline", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"ok": {"type": "boolean"},
                                                            "items": {"type": "array", "items": question}}}}}},
                          **errors}}},
        "/questions/{item_id}/answer": {"post": {
            "summary": "Write or rewrite the answer to a published question; a different approver publishes it",
            "parameters": [item_id], "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": answer}}},
            "responses": done}},
        "/questions/{item_id}/approve": {"post": {
            "summary": "Publish the waiting answer (an approver who did not write it); a resident who left an "
                       "e-mail address gets it by e-mail",
            "parameters": [item_id], "security": [{"bearer": []}], "responses": done}},
        "/questions/{item_id}/resend": {"post": {
            "summary": "Send the e-mail with a published answer again, after it failed (step email_failed)",
            "parameters": [item_id], "security": [{"bearer": []}], "responses": done}},
    }
