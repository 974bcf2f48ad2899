"""The `stadsregister` command: schema upgrades, demo content, accounts."""
from sqlmodel import select

from register.models import Algorithm, Membership, User


def test_db_upgrade_is_repeatable(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_demo_loads_every_state_and_is_idempotent(runner, session, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    rows = session.exec(select(Algorithm)).all()
    assert {a.public_state for a in rows} == {"unpublished", "published", "retracted", "archived"}
    from register.services import algorithms as algos

    drafts = {algos.current_draft(session, a).state for a in rows if a.draft_version_id}
    assert drafts == {"draft", "submitted", "returned"}
    categories = {a.publication_category for a in rows if a.publication_category}
    assert len(categories) == 3
    assert len({a.organisation_id for a in rows}) >= 3
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    session.expire_all()
    assert len(session.exec(select(Algorithm)).all()) == len(rows)
    assert client.get("/algorithms.json?q=parkeren").get_json()["total"] >= 1


def test_users_create_with_a_role(runner, session):
    result = runner.invoke(args=["users", "create", "nieuw@example.org", "--name", "Nieuw", "--password",
                                 "een lang wachtwoord", "--organisation", "Gemeente Weesp", "--role", "approver"])
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.email == "nieuw@example.org")).one()
    assert session.exec(select(Membership).where(Membership.user_id == user.id)).one().role == "approver"


def test_users_create_refuses_a_short_password(runner, session):
    result = runner.invoke(args=["users", "create", "kort@example.org", "--name", "K", "--password", "kort"])
    assert result.exit_code != 0 and "12 characters" in result.output
    assert session.exec(select(User)).all() == []
