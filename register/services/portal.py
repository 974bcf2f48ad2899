"""What the portal shows a signed-in account: its organisations' entries and what awaits it."""
from __future__ import annotations

from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmEvent, Organisation, User
from register.services import algorithms as algos
from register.services.accounts import roles_of


def organisations_for(session: Session, user: User) -> list[Organisation]:
    """The organisations the account works for (all of them for a site admin)."""
    if user.is_admin:
        return list(session.exec(select(Organisation).order_by(Organisation.name)))
    ids = list(roles_of(session=session, user=user))
    return list(session.exec(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


def overview(session: Session, user: User) -> list[dict]:
    """Every entry of the account's organisations with its public and working state."""
    organisations = {o.id: o for o in organisations_for(session, user)}
    rows = session.exec(select(Algorithm).where(Algorithm.organisation_id.in_(list(organisations)))
                        .order_by(Algorithm.id.desc())).all()
    roles = roles_of(session=session, user=user)
    result = []
    for algorithm in rows:
        draft = algos.current_draft(session, algorithm)
        copy = draft or algos.published_version(session, algorithm)
        result.append({"code": algorithm.code, "name": copy.name if copy else "",
                       "organisation": organisations[algorithm.organisation_id].name,
                       "public_state": algorithm.public_state, "draft_state": draft.state if draft else None,
                       "awaits_me": bool(draft and draft.state == "submitted" and draft.last_editor_id != user.id
                                         and (user.is_admin or "approver" in roles.get(algorithm.organisation_id, set())))})
    return result


def events(session: Session, algorithm: Algorithm) -> list[AlgorithmEvent]:
    return list(session.exec(select(AlgorithmEvent).where(AlgorithmEvent.algorithm_id == algorithm.id)
                             .order_by(AlgorithmEvent.at.desc(), AlgorithmEvent.id.desc())))


def token_page(session: Session, user: User) -> dict:
    """The account's API tokens with their state, organisation, expiry and last use."""
    from register.services.accounts import token_state, tokens_of

    names = {o.id: o.name for o in session.exec(select(Organisation))}
    return {"organisations": organisations_for(session, user),
            "tokens": [{"id": t.id, "name": t.name, "prefix": t.prefix, "organisation": names.get(t.organisation_id),
                        "created_at": t.created_at, "last_used_at": t.last_used_at, "expires_at": t.expires_at,
                        "state": token_state(session=session, token=t)} for t in tokens_of(session=session, user=user)]}
