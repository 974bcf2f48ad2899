"""What residents and advisers say about an entry, and what the organisation answers (issue 15).

* ``Contribution`` — a resident's question, view or error report (naming a field), sent without an
  account. The optional e-mail address is only for the answer: never published, deleted 30 days
  after the answer (``stadsregister purge``); the register e-mails the published answer to it.
  Nothing else about the sender is stored.
  Life: ``received`` → moderated: ``published`` or ``rejected``; a published item may be
  ``hidden`` after a flag. The answer is written by a registrant (``answer_state`` ``submitted``)
  and published by a different person (``published``): four eyes.
* ``ContributionFlag`` — someone says a published item should not be there; only what they typed.
* ``Advice`` — advice from a citizens' panel, the data protection officer, an audit or an ethics
  committee, with a B1 summary and the organisation's response; published with four eyes.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow

CONTRIBUTION_KINDS = ("question", "view", "error")
CONTRIBUTION_STATES = ("received", "published", "rejected", "hidden")
ANSWER_STATES = ("submitted", "published")
ADVISER_KINDS = ("citizens_panel", "dpo", "audit", "ethics_committee")
ADVICE_OUTCOMES = ("followed", "partly_followed", "not_followed", "stopped")
ADVICE_STATES = ("submitted", "published")
BODY_LIMIT = 2000
ANSWER_LIMIT = 4000
EMAIL_LIMIT = 254
FLAG_LIMIT = 500


class Contribution(SQLModel, table=True):
    """A resident's question, view or error report on an entry."""

    __tablename__ = "contribution"
    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)
    field: str | None = Field(default=None, max_length=60)  # the entry field an error report is about
    body: str = Field(sa_type=Text)
    language: str = Field(default="nl", max_length=5)
    email: str | None = Field(default=None, max_length=EMAIL_LIMIT)  # never published
    received_at: datetime = Field(default_factory=utcnow, index=True)
    due_on: date = Field(index=True)
    state: str = Field(default="received", max_length=20, index=True)
    moderated_at: datetime | None = None
    moderated_by_id: int | None = Field(default=None, foreign_key="user.id")
    state_reason: str | None = Field(default=None, max_length=500)  # shown publicly when hidden
    answer: str | None = Field(default=None, sa_type=Text)
    answer_state: str | None = Field(default=None, max_length=20)
    answer_by_id: int | None = Field(default=None, foreign_key="user.id")
    answer_submitted_at: datetime | None = None
    answer_approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, index=True)
    email_deleted_at: datetime | None = None
    # The answer by e-mail (only with an address): ``sent`` or ``failed`` (then it shows in the portal's
    # queue to try again); the last attempt and, on failure, why: ``no_server`` or ``not_delivered``.
    answer_email_state: str | None = Field(default=None, max_length=20)
    answer_email_at: datetime | None = None
    answer_email_error: str | None = Field(default=None, max_length=20)


class ContributionFlag(SQLModel, table=True):
    """A report that a published item should not be public (no sender data)."""

    __tablename__ = "contribution_flag"
    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int = Field(foreign_key="contribution.id", index=True)
    reason: str = Field(max_length=FLAG_LIMIT)
    at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    outcome: str | None = Field(default=None, max_length=20)  # kept | hidden


class AdviceBase(SQLModel):
    adviser_kind: str = Field(max_length=30)
    adviser_name: str = Field(max_length=200)
    given_on: date
    summary: str = Field(max_length=2000, sa_type=Text)  # B1, for residents
    link: str | None = Field(default=None, sa_type=Text)  # the full advice
    response: str = Field(max_length=2500, sa_type=Text)  # what the organisation did with it
    outcome: str = Field(max_length=30)
    decided_on: date | None = None


class Advice(AdviceBase, table=True):
    """Advice on an entry with the organisation's response; public after a second person approves."""

    __tablename__ = "advice"
    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    document_id: int | None = Field(default=None, index=True)  # a published "advice" document (documents branch)
    state: str = Field(default="submitted", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime | None = None
