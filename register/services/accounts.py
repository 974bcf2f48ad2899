"""Accounts, organisations, roles and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from register.i18n import N_
from register.models import ApiToken, Membership, Organisation, User
from register.models.accounts import ROLES, utcnow

TOKEN_PREFIX = "srt_"
# werkzeug's default (scrypt). Tests lower the cost; production never changes it.
PASSWORD_METHOD = "scrypt"


def generate_password_hash(password: str, method: str) -> str:
    """werkzeug's, imported when a password is set: importing werkzeug loads all of it (its
    development server too), which ``decisions batch`` has no use for (issue 16)."""
    from werkzeug.security import generate_password_hash as generate

    return generate(password, method=method)


def check_password_hash(hashed: str, password: str) -> bool:
    """werkzeug's, imported when a password is checked."""
    from werkzeug.security import check_password_hash as check

    return check(hashed, password)


class PermissionDenied(Exception):
    """The account may not do this to this entry (HTTP 403)."""


def get_or_create_organisation(*, session: Session, name: str, kind: str = "municipality",
                               website: str | None = None) -> Organisation:
    organisation = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if organisation is None:
        organisation = Organisation(name=name, kind=kind, website=website)
        session.add(organisation)
        session.flush()
    return organisation


def create_user(*, session: Session, email: str, name: str, password: str,
                is_admin: bool = False) -> User:
    user = User(email=email.strip().lower(), name=name, is_admin=is_admin,
                password_hash=generate_password_hash(password, method=PASSWORD_METHOD))
    session.add(user)
    session.flush()
    return user


def grant(*, session: Session, user: User, organisation: Organisation, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if session.get(Membership, (user.id, organisation.id, role)) is None:
        session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=role))
        session.flush()


def _decoy_hash() -> str:
    global _DECOY
    if _DECOY is None:
        _DECOY = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)
    return _DECOY


_DECOY: str | None = None


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active account with this e-mail address and password, or None."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    # Hash anyway when the account is unknown so timing does not reveal which e-mails exist.
    hashed = user.password_hash if user else _decoy_hash()
    if check_password_hash(hashed, password) and user is not None and user.active:
        return user
    return None


def roles_of(*, session: Session, user: User) -> dict[int, set[str]]:
    """Organisation id → the roles the account holds there."""
    roles: dict[int, set[str]] = {}
    for m in session.exec(select(Membership).where(Membership.user_id == user.id)):
        roles.setdefault(m.organisation_id, set()).add(m.role)
    return roles


def is_member(*, session: Session, user: User, organisation_id: int, role: str | None = None) -> bool:
    """Whether ``user`` holds ``role`` (or any role) in the organisation as a member (admin or not)."""
    roles = roles_of(session=session, user=user).get(organisation_id, set())
    return bool(roles) if role is None else role in roles


def has_role(*, session: Session, user: User, organisation_id: int, role: str | None = None) -> bool:
    """Whether ``user`` holds ``role`` (or any role, when None) in the organisation."""
    return user.is_admin or is_member(session=session, user=user, organisation_id=organisation_id, role=role)


def require_role(*, session: Session, user: User, organisation_id: int, role: str | None = None) -> None:
    if not has_role(session=session, user=user, organisation_id=organisation_id, role=role):
        raise PermissionDenied()


OVERRIDE_NEEDED = N_("You are not an approver of this organisation. A site administrator approves only with an "
                     "explicit override and a reason, which is written to the entry's action log.")


def approval_override(*, session: Session, user: User, organisation_id: int, reason: str | None) -> str | None:
    """Whether ``user`` may approve for the organisation, and the override reason to log if any.

    Approvers approve as members. A site administrator who is not an approver there approves only
    with an explicit override and a reason, which the caller writes to the entry's action log
    (issue 12, point 14). Raises :class:`PermissionDenied` otherwise.
    """
    if is_member(session=session, user=user, organisation_id=organisation_id, role="approver"):
        return None
    if user.is_admin and reason and reason.strip():
        return reason.strip()[:999]
    raise PermissionDenied()


# --- sessions (issue 12, point 9) -------------------------------------------------------------

def end_sessions(*, session: Session, user: User) -> None:
    """End every signed-in session of the account, on every device (the caller commits)."""
    user.session_epoch = (user.session_epoch or 0) + 1
    session.add(user)


def session_is_current(user: User | None, epoch: object) -> bool:
    """Whether a session that began in ``epoch`` still belongs to an active account."""
    return user is not None and user.active and epoch == (user.session_epoch or 0)


def change_password(*, session: Session, user: User, password: str) -> None:
    """Set a new password; every session of the account ends (the caller commits)."""
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    end_sessions(session=session, user=user)


def remove_membership(*, session: Session, user: User, organisation: Organisation,
                      role: str | None = None) -> int:
    """Take ``role`` (or every role) in the organisation away; the account's sessions end.

    Its API tokens for the organisation stop working at once (they are checked against the
    current membership on every request). Returns how many roles were removed; the caller commits.
    """
    query = select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == organisation.id)
    if role is not None:
        query = query.where(Membership.role == role)
    rows = list(session.exec(query))
    for row in rows:
        session.delete(row)
    if rows:
        end_sessions(session=session, user=user)
    session.flush()
    return len(rows)


# --- API tokens (issue 12, point 3) -----------------------------------------------------------

TOKEN_DAYS = (30, 90, 180, 365)  # the lifetimes the portal offers
DEFAULT_TOKEN_DAYS = 90
LAST_USED_PRECISION = timedelta(minutes=1)  # last use is written at most once a minute per token


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, session: Session, user: User, organisation: Organisation, name: str,
                     days: int = DEFAULT_TOKEN_DAYS) -> tuple[ApiToken, str]:
    """A new token for ``user`` acting for ``organisation``; the plain token is returned once."""
    require_role(session=session, user=user, organisation_id=organisation.id)
    if not 1 <= days <= max(TOKEN_DAYS):
        raise ValueError(f"a token lives 1 to {max(TOKEN_DAYS)} days")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, organisation_id=organisation.id, name=name,
                     token_hash=_hash_token(plain), prefix=plain[:10], expires_at=utcnow() + timedelta(days=days))
    session.add(token)
    session.flush()
    return token, plain


def token_state(*, session: Session, token: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``revoked``, ``expired`` or ``no-membership`` (the owner left the organisation)."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    user = session.get(User, token.user_id)
    if user is None or not user.active or not has_role(session=session, user=user,
                                                       organisation_id=token.organisation_id):
        return "no-membership"
    return "active"


def refused_token(*, session: Session, plain: str) -> str | None:
    """Why a well-formed but unusable token is refused (``revoked``, ``expired``, ``no-membership``);
    None for an unknown token or one that works."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash_token(plain))).first()
    state = token_state(session=session, token=token) if token is not None else "active"
    return None if state == "active" else state


def user_for_token(*, session: Session, plain: str) -> tuple[User, ApiToken] | None:
    """The account and token behind a bearer token, checked now: not revoked or expired, and the
    account still active and still working for the token's organisation."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash_token(plain))).first()
    now = utcnow()
    if token is None or token_state(session=session, token=token, now=now) != "active":
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return session.get(User, token.user_id), token


def revoke_token(*, session: Session, token: ApiToken) -> bool:
    """Revoke the token (for good); False when it was revoked already. The caller commits."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.add(token)
    return True


def tokens_of(*, session: Session, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def all_tokens(*, session: Session, email: str | None = None) -> list[tuple[ApiToken, User, Organisation]]:
    """Every token with its account and organisation (of one account when ``email`` is given)."""
    query = (select(ApiToken, User, Organisation).join(User, User.id == ApiToken.user_id)
             .join(Organisation, Organisation.id == ApiToken.organisation_id).order_by(ApiToken.id))
    if email:
        query = query.where(User.email == email.strip().lower())
    return list(session.exec(query))
