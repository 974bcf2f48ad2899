"""``stadsregister tokens list|revoke`` and the account commands that end sessions (issue 12)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select

from register.cli import users_group
from register.models import ApiToken, Organisation, User
from register.services import accounts


def _session() -> Session:
    return Session(current_app.extensions["stadsregister.engine"], expire_on_commit=False)


def _user(session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise click.ClickException(f"No account with e-mail address {email}.")
    return user


@click.group("tokens")
def tokens_group() -> None:
    """API tokens: who has them, when they were last used, revoking them."""


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@tokens_group.command("list")
@click.option("--user", "email", help="Only this account's tokens.")
@with_appcontext
def tokens_list(email: str | None) -> None:
    """One line per token: id, state, prefix, account, organisation, name, created, last used, expires."""
    with _session() as session:
        rows = accounts.all_tokens(session=session, email=email)
        click.echo("id\tstate\tprefix\taccount\torganisation\tname\tcreated\tlast used\texpires")
        for token, user, organisation in rows:
            state = accounts.token_state(session=session, token=token)
            click.echo("\t".join([str(token.id), state, token.prefix, user.email, organisation.name, token.name,
                                  _when(token.created_at), _when(token.last_used_at), _when(token.expires_at)]))


@tokens_group.command("revoke")
@click.argument("token_ids", nargs=-1, type=int)
@click.option("--user", "email", help="Revoke every token of this account.")
@with_appcontext
def tokens_revoke(token_ids: tuple[int, ...], email: str | None) -> None:
    """Revoke tokens by id (see ``tokens list``), or all of one account with --user."""
    if not token_ids and not email:
        raise click.UsageError("Name token ids or --user EMAIL.")
    with _session() as session:
        tokens = [session.get(ApiToken, i) for i in token_ids]
        missing = [str(i) for i, t in zip(token_ids, tokens) if t is None]
        if missing:
            raise click.ClickException(f"No token with id {', '.join(missing)}; nothing was revoked.")
        if email:
            tokens += accounts.tokens_of(session=session, user=_user(session, email))
        revoked = sum(accounts.revoke_token(session=session, token=t) for t in tokens)
        session.commit()
    click.echo(f"Revoked {revoked} token(s).")


@users_group.command("remove-role")
@click.argument("email")
@click.option("--organisation", "organisation_name", required=True)
@click.option("--role", type=click.Choice(["registrant", "approver"]), help="Only this role (default: all).")
@with_appcontext
def users_remove_role(email: str, organisation_name: str, role: str | None) -> None:
    """Take roles in an organisation away; the account's sessions end and its tokens there stop working."""
    with _session() as session:
        user = _user(session, email)
        organisation = session.exec(select(Organisation).where(Organisation.name == organisation_name)).first()
        if organisation is None:
            raise click.ClickException(f"No organisation named {organisation_name}.")
        removed = accounts.remove_membership(session=session, user=user, organisation=organisation, role=role)
        session.commit()
    click.echo(f"Removed {removed} role(s); every session of {email} has ended.")


@users_group.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_set_password(email: str, password: str) -> None:
    """Give an account a new password; every session of the account ends."""
    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="--password")
    with _session() as session:
        accounts.change_password(session=session, user=_user(session, email), password=password)
        session.commit()
    click.echo(f"Password changed; every session of {email} has ended.")


COMMANDS = [tokens_group]
