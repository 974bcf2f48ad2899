"""Sending an organisation's published entries to the national register's submission API (issue #17).

The API ("aanleverapi" v1_0, described in ``register/standard/algoritmeregister-aanleverapi-v1_0.openapi.json``)
creates an entry (``POST …/algorithms`` → its "lars" code), updates it (``PUT …/algorithms/{lars}``),
releases the update for publication (``PUT …/release``) and retracts it
(``DELETE …/published-algorithms/{lars}/retract``). What was sent is remembered per version in
``national_submission``, so a second run sends nothing new; a version counts as sent only when every
call for it succeeded, and a refused or failed call is reported for that record and tried again next time.

One entry is sent by one sender at a time: a row in ``national_claim`` (the entry is its key) is taken
before anything is read or sent and deleted afterwards, so two approvers pressing the button at the
same moment, in two processes, on SQLite or PostgreSQL, create one national entry. The second waits
for the first and then finds the version sent (issue 12).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta

import requests
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, NationalClaim, NationalSubmission, Organisation
from register.models.accounts import utcnow
from register.services import algorithms as algos
from register.services import national

OUTCOMES = ("sent", "retracted", "unchanged", "refused", "failed")
OUTCOME_LABELS = {"sent": N_("sent"), "retracted": N_("retracted"), "unchanged": N_("unchanged"),
                  "refused": N_("refused"), "failed": N_("failed")}


@dataclass
class SubmissionResult:
    code: str
    name: str
    outcome: str  # one of OUTCOMES
    message: str = ""
    national_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("sent", "retracted", "unchanged")


class ApiError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def organisation_ids(setting: str) -> dict[str, str]:
    """``"Gemeente Amsterdam=gm0363; GGD Amsterdam=…"`` as a mapping of name → national organisation id."""
    pairs = (part.split("=", 1) for part in (setting or "").split(";") if "=" in part)
    return {name.strip(): value.strip() for name, value in pairs if name.strip() and value.strip()}


class Client:
    """The few calls of the submission API, answering with the parsed JSON or raising ``ApiError``."""

    def __init__(self, base_url: str, token: str, organisation_id: str, *, locale: str = "en", timeout: float = 30):
        self.base = f"{base_url.rstrip('/')}/organizations/{requests.utils.quote(organisation_id, safe='')}"
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self.t = translator(locale)
        self.timeout = timeout

    def call(self, method: str, path: str, payload: dict | None = None):
        try:
            response = self.http.request(method, self.base + path, json=payload, timeout=self.timeout)
        except requests.RequestException as error:
            raise ApiError(self.t("The national register could not be reached (%(error)s); nothing was marked "
                                  "as sent.", error=type(error).__name__)) from error
        if response.status_code == 200:
            return response.json() if response.content else None
        raise ApiError(self._explain(response))

    def _explain(self, response: requests.Response) -> str:
        t, status = self.t, response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        detail = body.get("detail") if isinstance(body, dict) else None
        if status == 422 and isinstance(detail, list):
            found = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:]) or '-'}: {d.get('msg')}"
                              for d in detail if isinstance(d, dict))
            return t("The national register refused the record (422): %(detail)s", detail=found)
        if status == 401:
            return t("The national register did not accept the token (401). Check "
                     "STADSREGISTER_NATIONAL_API_TOKEN.")
        if status >= 500:
            return t("The national register had an error (HTTP %(status)d); nothing was marked as sent. "
                     "Try again later.", status=status)
        return t("The national register answered HTTP %(status)d: %(detail)s", status=status,
                 detail=detail if isinstance(detail, str) else "-")


CLAIM_WAIT = 20.0  # seconds a second sender waits for the first one's send of an entry to end
CLAIM_STALE = timedelta(minutes=15)  # a claim this old was left by a sender that died: taken over
_POLL = 0.2


def publish_national(*, session: Session, organisation: Organisation, client: Client, locale: str = "en",
                     on_wait: Callable[[Algorithm], None] | None = None) -> list[SubmissionResult]:
    """Send what changed since the last run: new and changed published versions, and retractions.

    ``on_wait`` is told when an entry waits for another sender's send of it to end.
    """
    rows = session.exec(select(Algorithm).where(Algorithm.organisation_id == organisation.id)
                        .where(Algorithm.public_state.in_(("published", "archived", "retracted")))
                        .order_by(Algorithm.id)).all()
    return [_submit_claimed(session, algorithm, client, locale, on_wait) for algorithm in rows]


def _submit_claimed(session: Session, algorithm: Algorithm, client: Client, locale: str,
                    on_wait: Callable[[Algorithm], None] | None) -> SubmissionResult:
    """``_submit_one`` while holding the entry's claim; what it reads is read after the claim is taken."""
    t = translator(locale)
    holder, deadline, sent_before = secrets.token_hex(16), time.monotonic() + CLAIM_WAIT, None
    waited = False
    while not _claim(session, algorithm.id, holder):
        if time.monotonic() > deadline:
            return SubmissionResult(code=algorithm.code, name=algorithm.name or "", outcome="failed", message=t(
                "Someone else is sending this entry to the national register right now; nothing was sent "
                "twice. Try again in a few minutes."))
        if not waited:
            waited, sent_before = True, _last_sent(session, algorithm)
            if on_wait is not None:
                on_wait(algorithm)
        time.sleep(_POLL)
    try:
        session.expire_all()  # what the other sender wrote while this one waited
        result = _submit_one(session, algorithm, client, locale)
    finally:
        _release(session, algorithm.id, holder)
    if waited and result.outcome == "unchanged" and _last_sent(session, algorithm) != sent_before:
        result.message += " " + t("It was sent by someone else at the same moment.")
    return result


def _last_sent(session: Session, algorithm: Algorithm) -> int | None:
    return session.exec(select(NationalSubmission.id).where(NationalSubmission.algorithm_id == algorithm.id,
                                                            NationalSubmission.complete)
                        .order_by(NationalSubmission.id.desc())).first()


def _claim(session: Session, algorithm_id: int, holder: str) -> bool:
    """Take the entry's claim in a transaction of its own; False while another live sender holds it."""
    with Session(session.get_bind()) as own:
        own.add(NationalClaim(algorithm_id=algorithm_id, holder=holder, claimed_at=utcnow()))
        try:
            own.commit()
            return True
        except IntegrityError:  # the key exists: another sender holds the entry
            own.rollback()
        found = own.exec(select(NationalClaim).where(NationalClaim.algorithm_id == algorithm_id)).first()
        if found is None:
            return False  # released just now: the next try takes it
        since = found.claimed_at if found.claimed_at.tzinfo else found.claimed_at.replace(tzinfo=UTC)
        if utcnow() - since < CLAIM_STALE:
            return False
        # Left by a sender that died: taken over only if nobody else took it over first.
        taken = own.execute(update(NationalClaim).where(NationalClaim.algorithm_id == algorithm_id,
                                                        NationalClaim.holder == found.holder)
                            .values(holder=holder, claimed_at=utcnow())).rowcount
        own.commit()
        return taken == 1


def _release(session: Session, algorithm_id: int, holder: str) -> None:
    with Session(session.get_bind()) as own:
        own.execute(delete(NationalClaim).where(NationalClaim.algorithm_id == algorithm_id,
                                                NationalClaim.holder == holder))
        own.commit()


def _history(session: Session, algorithm: Algorithm) -> list[NationalSubmission]:
    return list(session.exec(select(NationalSubmission).where(NationalSubmission.algorithm_id == algorithm.id)
                             .order_by(NationalSubmission.id)).all())


def _submit_one(session: Session, algorithm: Algorithm, client: Client, locale: str) -> SubmissionResult:
    t = translator(locale)
    history = _history(session, algorithm)
    national_id = next((s.national_id for s in history if s.national_id), None)
    done = [s for s in history if s.complete]
    last = done[-1] if done else None
    result = SubmissionResult(code=algorithm.code, name=algorithm.name or "", outcome="unchanged",
                              national_id=national_id)
    if algorithm.public_state == "retracted":
        if national_id is None or (last is not None and last.action == "retract") or last is None:
            result.message = t("Not in the national register.") if last is None else t("Already retracted there.")
            return result
        try:
            client.call("DELETE", f"/published-algorithms/{national_id}/retract")
        except ApiError as error:
            return _failed(result, error)
        _remember(session, algorithm, algorithm.published_version_id, "retract", national_id, None, complete=True)
        result.outcome, result.message = "retracted", t("Retracted in the national register.")
        return result
    version = algos.published_version(session, algorithm)
    if last is not None and last.action != "retract" and last.version_id == version.id:
        result.message = t("Version %(number)d was sent before.", number=version.number)
        return result
    entry = algos.entry_data(version)
    blocking = [p for p in national.national_problems(entry, locale) if p["blocking"]]
    if blocking:
        result.outcome = "refused"
        result.message = "; ".join(f"{p['field']}: {p['message']}" for p in blocking)
        return result
    payload = national.to_national(entry)
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    try:
        if national_id is None:
            national_id = client.call("POST", "/algorithms", payload)["lars_code"]
            # Remember the national id at once, so a failure below never leads to a second entry there.
            _remember(session, algorithm, version.id, "create", national_id, digest, complete=False)
            action = "create"
        else:
            client.call("PUT", f"/algorithms/{national_id}", payload)
            action = "update"
        client.call("PUT", f"/algorithms/{national_id}/release")
    except ApiError as error:
        result.national_id = national_id
        return _failed(result, error)
    _remember(session, algorithm, version.id, action, national_id, digest, complete=True)
    result.outcome, result.national_id = "sent", national_id
    result.message = t("Version %(number)d sent and released for publication.", number=version.number)
    return result


def _failed(result: SubmissionResult, error: ApiError) -> SubmissionResult:
    result.outcome = "failed"
    result.message = error.message
    return result


def _remember(session: Session, algorithm: Algorithm, version_id: int | None, action: str,
              national_id: str | None, digest: str | None, *, complete: bool) -> None:
    session.add(NationalSubmission(algorithm_id=algorithm.id, version_id=version_id, action=action,
                                   national_id=national_id, payload_sha256=digest, complete=complete))
    session.commit()


def report_lines(results: list[SubmissionResult], locale: str = "en") -> list[str]:
    """The report a person reads: a summary, then one line per record."""
    t = translator(locale)
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES}
    out = [t("%(total)d entries: %(sent)d sent, %(retracted)d retracted, %(unchanged)d unchanged, "
             "%(refused)d refused, %(failed)d failed.", total=len(results), **counts)]
    out.extend(f"{r.code} ({r.national_id or '-'}): {t(OUTCOME_LABELS[r.outcome])} — {r.message}" for r in results)
    return out
