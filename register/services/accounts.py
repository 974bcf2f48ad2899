"""Accounts, organisations, roles and API tokens."""
from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from register.models import ApiToken, Membership, Organisation, User
from register.models.accounts import ROLES, utcnow

TOKEN_PREFIX = "srt_"
# werkzeug's default (scrypt). Tests lower the cost; production never changes it.
PASSWORD_METHOD = "scrypt"


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


def has_role(*, session: Session, user: User, organisation_id: int, role: str | None = None) -> bool:
    """Whether ``user`` holds ``role`` (or any role, when None) in the organisation."""
    if user.is_admin:
        return True
    roles = roles_of(session=session, user=user).get(organisation_id, set())
    return bool(roles) if role is None else role in roles


def require_role(*, session: Session, user: User, organisation_id: int, role: str | None = None) -> None:
    if not has_role(session=session, user=user, organisation_id=organisation_id, role=role):
        raise PermissionDenied()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, session: Session, user: User, organisation: Organisation,
                     name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` acting for ``organisation``; the plain token is returned once."""
    require_role(session=session, user=user, organisation_id=organisation.id)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, organisation_id=organisation.id, name=name,
                     token_hash=_hash_token(plain), prefix=plain[:10])
    session.add(token)
    session.flush()
    return token, plain


def user_for_token(*, session: Session, plain: str) -> tuple[User, ApiToken] | None:
    """The account and token behind a bearer token, when it is valid and not revoked."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash_token(plain))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    token.last_used_at = utcnow()
    session.add(token)
    session.commit()
    return user, token


def tokens_of(*, session: Session, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))
