"""Algorithm entries and their four-eyes publication workflow.

draft → submitted → published (a new immutable version), or submitted → returned (with a
reason) → draft. Editing a published entry starts a new draft; the public keeps seeing the
published version until the new one is approved by a different account.
"""
from __future__ import annotations

import secrets

from sqlalchemy import event
from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, AlgorithmEvent, AlgorithmTheme, AlgorithmVersion, Organisation, User
from register.models.accounts import utcnow
from register.services import search
from register.services.listing import bump_generation
from register.services.accounts import approval_override, has_role, require_role
from register.services.standard import ENTRY_FIELDS, FieldError, validate_entry

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: printed on letters


class ValidationFailed(Exception):
    """The entry has field errors (HTTP 422)."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class WorkflowError(Exception):
    """The step is not possible in the entry's current state (HTTP 409). Message is a msgid."""


@event.listens_for(AlgorithmVersion, "before_update")
def _published_versions_are_immutable(_mapper, connection, target: AlgorithmVersion) -> None:
    """Refuse any change to a version once it has been published."""
    table = AlgorithmVersion.__table__
    row = connection.execute(select(table.c.published_at).where(table.c.id == target.id)).first()
    if row is not None and row[0] is not None:
        raise WorkflowError(N_("A published version cannot be changed."))


def new_code(session: Session) -> str:
    """A short public code that was never used before, e.g. ``A-7K3Q``."""
    for attempt in range(40):
        length = 4 if attempt < 20 else 6
        code = "A-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if session.exec(select(Algorithm.id).where(Algorithm.code == code)).first() is None:
            return code
    raise RuntimeError("could not find a free public code")


def entry_data(version: AlgorithmVersion) -> dict:
    """The entry fields of a version as a plain dict."""
    return {name: getattr(version, name) for name in ENTRY_FIELDS}


def _check(data: dict, *, locale: str, strict: bool) -> dict:
    errors = validate_entry(data, locale=locale, strict=strict)
    if errors:
        raise ValidationFailed(errors)
    return {name: data.get(name) for name in ENTRY_FIELDS}


def _log(session: Session, algorithm: Algorithm, kind: str, user: User | None,
         version: AlgorithmVersion | None = None, reason: str | None = None) -> None:
    session.add(AlgorithmEvent(algorithm_id=algorithm.id, version_id=version.id if version else None,
                               actor_id=user.id if user else None, kind=kind, reason=reason))


def owned(data: dict, organisation: Organisation, *, locale: str = "nl") -> dict:
    """``data`` with the standard's ``organization`` set to the registering organisation's name.

    An entry's organisation is its registrant's organisation (issue 12, point 2): naming another
    one is a field error, leaving it out fills it in.
    """
    given = data.get("organization")
    if given not in (None, "") and str(given).strip() != organisation.name:
        t = translator(locale)
        raise ValidationFailed([FieldError("organization", t(
            "An entry belongs to the organisation that registers it: %(name)s. Leave this field out or "
            "give that name.", name=organisation.name))])
    return {**data, "organization": organisation.name}


def create_entry(*, session: Session, user: User, organisation: Organisation, data: dict,
                 locale: str = "nl", strict: bool = True) -> Algorithm:
    """A new entry with its first draft, owned by ``organisation``."""
    require_role(session=session, user=user, organisation_id=organisation.id)
    clean = _check(owned(data, organisation, locale=locale), locale=locale, strict=strict)
    algorithm = Algorithm(code=new_code(session), organisation_id=organisation.id,
                          source_id=clean.get("source_id"))
    session.add(algorithm)
    session.flush()
    draft = AlgorithmVersion(algorithm_id=algorithm.id, created_by_id=user.id, last_editor_id=user.id, **clean)
    session.add(draft)
    session.flush()
    algorithm.draft_version_id = draft.id
    _log(session, algorithm, "created", user, draft)
    session.commit()
    return algorithm


def current_draft(session: Session, algorithm: Algorithm) -> AlgorithmVersion | None:
    return session.get(AlgorithmVersion, algorithm.draft_version_id) if algorithm.draft_version_id else None


def published_version(session: Session, algorithm: Algorithm) -> AlgorithmVersion | None:
    if algorithm.published_version_id is None:
        return None
    return session.get(AlgorithmVersion, algorithm.published_version_id)


def working_copy(session: Session, algorithm: Algorithm) -> AlgorithmVersion | None:
    """The draft if there is one, else the published version."""
    return current_draft(session, algorithm) or published_version(session, algorithm)


def update_entry(*, session: Session, user: User, algorithm: Algorithm, data: dict,
                 partial: bool = False, locale: str = "nl", strict: bool = True) -> AlgorithmVersion:
    """Save changes to the draft, starting a new draft when the entry is published."""
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    if algorithm.public_state == "archived":
        raise WorkflowError(N_("An archived entry cannot be changed."))
    draft = current_draft(session, algorithm)
    if draft is not None and draft.state == "submitted":
        raise WorkflowError(N_("This entry is waiting for approval. Ask the approver to return it first."))
    base = entry_data(draft or published_version(session, algorithm))
    organisation = session.get(Organisation, algorithm.organisation_id)
    merged = (base if partial else {}) | owned(data, organisation, locale=locale)
    clean = _check(merged, locale=locale, strict=strict)
    if clean.get("source_id") != algorithm.source_id:
        algorithm.source_id = clean.get("source_id")
    if draft is None:
        published = published_version(session, algorithm)
        draft = AlgorithmVersion(algorithm_id=algorithm.id, created_by_id=user.id, **clean,
                                 model_version_id=published.model_version_id if published else None)
        session.add(draft)
        session.flush()
        algorithm.draft_version_id = draft.id
    else:
        for name, value in clean.items():
            setattr(draft, name, value)
    draft.state, draft.return_reason = "draft", None
    draft.last_editor_id, draft.updated_at = user.id, utcnow()
    session.add_all([draft, algorithm])
    _log(session, algorithm, "edited", user, draft)
    session.commit()
    return draft


def submit(*, session: Session, user: User, algorithm: Algorithm) -> AlgorithmVersion:
    """Offer the draft for approval."""
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    draft = current_draft(session, algorithm)
    if draft is None or draft.state == "submitted":
        raise WorkflowError(N_("There is no draft to submit."))
    draft.state, draft.submitted_at = "submitted", utcnow()
    session.add(draft)
    _log(session, algorithm, "submitted", user, draft)
    session.commit()
    return draft


def _require_approver(session: Session, user: User, algorithm: Algorithm) -> AlgorithmVersion:
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id, role="approver")
    draft = current_draft(session, algorithm)
    if draft is None or draft.state != "submitted":
        raise WorkflowError(N_("Only a submitted draft can be approved or returned."))
    return draft


def approve(*, session: Session, user: User, algorithm: Algorithm, note: str | None = None,
            override_reason: str | None = None) -> AlgorithmVersion:
    """Publish the submitted draft as a new immutable version (four eyes).

    A site administrator who is not an approver of the organisation needs ``override_reason``;
    the override is written to the entry's action log (issue 12, point 14).
    """
    override = approval_override(session=session, user=user, organisation_id=algorithm.organisation_id,
                                 reason=override_reason)
    draft = _require_approver(session, user, algorithm)
    if draft.last_editor_id == user.id:
        raise WorkflowError(N_("You made the last change yourself. A different person must approve it."))
    if override:
        _log(session, algorithm, "admin_override", user, draft, override)
    _publish(session, algorithm, draft, approver=user, note=note)
    session.commit()
    return draft


def _publish(session: Session, algorithm: Algorithm, version: AlgorithmVersion, *, approver: User | None,
             note: str | None, kind: str = "published", first: bool = False) -> None:
    """Make ``version`` the next immutable published version of ``algorithm``.

    ``first`` says the entry has no published version yet (saves the lookups on bulk import).
    """
    previous = None if first else session.exec(select(AlgorithmVersion.number).where(
        AlgorithmVersion.algorithm_id == algorithm.id, AlgorithmVersion.number.is_not(None))
        .order_by(AlgorithmVersion.number.desc())).first()
    version.number, version.state, version.published_at = (previous or 0) + 1, "published", utcnow()
    version.approved_by_id, version.change_note = approver.id if approver else None, note
    session.add(version)
    session.flush()
    algorithm.published_version_id = version.id
    if algorithm.draft_version_id == version.id:
        algorithm.draft_version_id = None
    if algorithm.public_state != "archived":  # an archived entry stays archived, with its reason
        algorithm.public_state, algorithm.public_state_reason = "published", None
    _refresh_listing(session, algorithm, version, first=first)
    if not first:  # a new entry has no documents yet
        from register.services.documents import publish_documents  # here: documents imports this module
        publish_documents(session, algorithm, version)
    _log(session, algorithm, kind, approver, version, note)


def publish_imported(*, session: Session, organisation: Organisation, data: dict,
                     note: str) -> tuple[Algorithm, str]:
    """Publish a record that was approved at its source (operator import, no four-eyes here).

    The entry is matched by ``source_id`` within the organisation; a changed record becomes a
    new version. Returns the entry and ``created``, ``updated`` or ``unchanged``. The caller commits.
    """
    data = data | {"organization": organisation.name}
    algorithm = None
    if data.get("source_id"):
        algorithm = session.exec(select(Algorithm).where(Algorithm.organisation_id == organisation.id,
                                                         Algorithm.source_id == data["source_id"])).first()
    outcome = "updated" if algorithm else "created"
    if algorithm is None:
        algorithm = Algorithm(code=new_code(session), organisation_id=organisation.id, source_id=data.get("source_id"))
        session.add(algorithm)
        session.flush()
    else:
        current = published_version(session, algorithm)
        if current is not None and not diff(entry_data(current), data) and algorithm.public_state == "published":
            return algorithm, "unchanged"
    current = None if outcome == "created" else published_version(session, algorithm)
    version = AlgorithmVersion(algorithm_id=algorithm.id, **data,
                               model_version_id=current.model_version_id if current else None)
    _publish(session, algorithm, version, approver=None, note=note, kind="imported", first=outcome == "created")
    return algorithm, outcome


MODEL_REFUSED = {  # no new decision is explained with a withdrawn entry, so it takes no new model
    "archived": N_("This entry is archived: it is no longer used, so it cannot get a new model."),
    "retracted": N_("This entry has been withdrawn from the register, so it cannot get a new model."),
}


def refuse_model_if_withdrawn(algorithm: Algorithm) -> None:
    """``WorkflowError`` when the entry is archived or retracted (checked before anything is stored)."""
    if algorithm.public_state in MODEL_REFUSED:
        raise WorkflowError(MODEL_REFUSED[algorithm.public_state])


def attach_model(*, session: Session, user: User, algorithm: Algorithm, model_version_id: int) -> AlgorithmVersion:
    """Name a newly registered model on the entry's draft (started from the published version if needed)."""
    refuse_model_if_withdrawn(algorithm)
    draft = current_draft(session, algorithm)
    if draft is not None and draft.state == "submitted":
        raise WorkflowError(N_("This entry is waiting for approval. Ask the approver to return it first."))
    if draft is None:
        base = published_version(session, algorithm)
        draft = AlgorithmVersion(algorithm_id=algorithm.id, created_by_id=user.id, **entry_data(base))
        session.add(draft)
        session.flush()
        algorithm.draft_version_id = draft.id
    draft.model_version_id, draft.state, draft.last_editor_id, draft.updated_at = model_version_id, "draft", user.id, utcnow()
    session.add_all([draft, algorithm])
    _log(session, algorithm, "model", user, draft)
    return draft


def publish_model(*, session: Session, algorithm: Algorithm, model_version_id: int, note: str) -> AlgorithmVersion:
    """Publish the entry's current text with a new model (operator command; logged)."""
    refuse_model_if_withdrawn(algorithm)
    base = published_version(session, algorithm)
    if base is None:
        raise WorkflowError(N_("Publish the entry before registering a model from the command line."))
    version = AlgorithmVersion(algorithm_id=algorithm.id, **entry_data(base), model_version_id=model_version_id)
    pending = current_draft(session, algorithm)
    _publish(session, algorithm, version, approver=None, note=note, kind="model")
    if pending is not None:  # a pending draft explains with the new model too once it is approved
        pending.model_version_id = model_version_id
        session.add(pending)
    return version


def return_draft(*, session: Session, user: User, algorithm: Algorithm, reason: str) -> AlgorithmVersion:
    """Send the submitted draft back to the registrants with a reason."""
    draft = _require_approver(session, user, algorithm)
    if not reason or not reason.strip():
        raise WorkflowError(N_("Say why you return the draft, so the registrant knows what to change."))
    draft.state, draft.return_reason = "returned", reason.strip()[:999]
    session.add(draft)
    _log(session, algorithm, "returned", user, draft, draft.return_reason)
    session.commit()
    return draft


def set_public_state(*, session: Session, user: User, algorithm: Algorithm, state: str, reason: str) -> None:
    """Retract (withdraw from publication) or archive a published entry; history stays."""
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id, role="approver")
    if state not in {"retracted", "archived"}:
        raise ValueError(state)
    if algorithm.public_state != "published":
        raise WorkflowError(N_("Only a published entry can be retracted or archived."))
    if not reason or not reason.strip():
        raise WorkflowError(N_("Give a reason; it is shown to the public."))
    algorithm.public_state, algorithm.public_state_reason = state, reason.strip()[:999]
    session.add(algorithm)
    if state == "retracted":
        search.remove(session, algorithm.id)
    bump_generation(session)
    _log(session, algorithm, state, user, reason=reason.strip()[:999])
    session.commit()


def _refresh_listing(session: Session, algorithm: Algorithm, version: AlgorithmVersion, first: bool = False) -> None:
    """Mirror the published version into the listing columns, themes and search index."""
    algorithm.name, algorithm.organisation_name = version.name, session.get(Organisation, algorithm.organisation_id).name
    algorithm.description_short = version.description_short
    algorithm.status, algorithm.publication_category = version.status, version.publication_category
    algorithm.published_at = version.published_at
    # Counted only once an assessment is published with the version (publish_documents sets it);
    # an entry that merely names one in its text is not "with impact assessment" (issue 13).
    algorithm.has_impact_assessment = False
    session.add(algorithm)
    if not first:
        for row in session.exec(select(AlgorithmTheme).where(AlgorithmTheme.algorithm_id == algorithm.id)):
            session.delete(row)
        session.flush()
    for theme in dict.fromkeys(version.theme or []):
        session.add(AlgorithmTheme(algorithm_id=algorithm.id, theme=theme))
    search.index(session, algorithm.id, version, replace=not first)
    bump_generation(session)


def visible_to(session: Session, user: User | None, algorithm: Algorithm) -> bool:
    """Whether ``user`` may see the entry's drafts (its own organisation, or a site admin)."""
    return user is not None and has_role(session=session, user=user, organisation_id=algorithm.organisation_id)


def get_by_code(session: Session, code: str) -> Algorithm | None:
    return session.exec(select(Algorithm).where(Algorithm.code == code.upper())).first()


def versions(session: Session, algorithm: Algorithm) -> list[AlgorithmVersion]:
    """Published versions, newest first."""
    return list(session.exec(select(AlgorithmVersion).where(
        AlgorithmVersion.algorithm_id == algorithm.id, AlgorithmVersion.number.is_not(None))
        .order_by(AlgorithmVersion.number.desc())))


def diff(before: dict | None, after: dict) -> list[dict]:
    """Field-by-field changes from ``before`` to ``after``."""
    before = before or {}
    return [{"field": name, "before": before.get(name), "after": after.get(name)}
            for name in ENTRY_FIELDS if (before.get(name) or None) != (after.get(name) or None)]


def history(session: Session, algorithm: Algorithm) -> list[dict]:
    """Every published version with its date and what changed against the one before."""
    items = []
    published = list(reversed(versions(session, algorithm)))
    previous = None
    for version in published:
        data = entry_data(version) | {"model_version": version.model_version_id}
        changes = diff(previous, data) if previous else []
        if previous and previous["model_version"] != data["model_version"]:
            changes.append({"field": "model_version", "before": previous["model_version"],
                            "after": data["model_version"]})
        items.append({"version": version.number, "published_at": version.published_at,
                      "change_note": version.change_note, "changes": changes, "first": previous is None,
                      "model_version": version.model_version_id})
        previous = data
    events = session.exec(select(AlgorithmEvent).where(
        AlgorithmEvent.algorithm_id == algorithm.id, AlgorithmEvent.kind.in_(["retracted", "archived"]))
        .order_by(AlgorithmEvent.at)).all()
    return {"versions": list(reversed(items)),
            "events": [{"kind": e.kind, "at": e.at, "reason": e.reason} for e in events]}


def take_step(*, session: Session, user: User, algorithm: Algorithm, step: str, reason: str = "",
              override_reason: str | None = None) -> None:
    """One workflow step by name, as the portal and the API offer them."""
    if step == "submit":
        submit(session=session, user=user, algorithm=algorithm)
    elif step == "approve":
        approve(session=session, user=user, algorithm=algorithm, note=reason or None, override_reason=override_reason)
    elif step == "return":
        return_draft(session=session, user=user, algorithm=algorithm, reason=reason)
    elif step in ("retract", "archive"):
        state = {"retract": "retracted", "archive": "archived"}[step]
        set_public_state(session=session, user=user, algorithm=algorithm, state=state, reason=reason)
    else:
        raise ValueError(step)
