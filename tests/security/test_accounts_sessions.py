"""Signing out ends the session everywhere: a copied cookie dies on sign-out, a password change
and a removed membership (issue 12, point 9)."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from register.services import accounts


def _load_world():
    """``accounts_world.py`` beside this file (importlib mode keeps neighbours from importing each other)."""
    spec = importlib.util.spec_from_file_location("accounts_world", Path(__file__).with_name("accounts_world.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


world_module = _load_world()

SESSION_COOKIE = "session"


@pytest.fixture
def world(session):
    return world_module.build(session)


def signed_in_copy(app, auth, email):
    """Sign in with ``auth``'s client and return a second client holding a copy of its cookie."""
    assert auth.login(email).status_code == 302
    cookie = auth.client.get_cookie(SESSION_COOKIE)
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie.value, domain=cookie.domain)
    assert thief.get("/portal/").status_code == 200  # the copy works while the session lives
    return thief


def test_a_copied_cookie_dies_when_its_owner_signs_out(app, auth, world):
    thief = signed_in_copy(app, auth, world.registrant_a.email)
    auth.logout()
    response = thief.get("/portal/")
    assert response.status_code == 302 and "/portal/login" in response.headers["Location"]
    assert thief.get("/portal/tokens").status_code == 302


def sign_in(client, email):
    page = client.get("/portal/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/portal/login", data={"email": email, "password": world_module.PASSWORD, "csrf_token": csrf})


def test_signing_out_on_one_device_ends_the_session_on_the_other(app, auth, world):
    laptop = app.test_client()
    assert sign_in(laptop, world.registrant_a.email).status_code == 302
    assert auth.login(world.registrant_a.email).status_code == 302
    auth.logout()
    assert laptop.get("/portal/").status_code == 302
    # Signing in again works, and starts a fresh session.
    assert sign_in(laptop, world.registrant_a.email).status_code == 302
    assert laptop.get("/portal/").status_code == 200


def test_a_password_change_ends_every_session_and_the_new_password_works(app, auth, runner, world):
    thief = signed_in_copy(app, auth, world.registrant_a.email)
    result = runner.invoke(args=["users", "set-password", world.registrant_a.email],
                           input="een nieuw lang wachtwoord\neen nieuw lang wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert thief.get("/portal/").status_code == 302
    assert auth.client.get("/portal/").status_code == 302
    fresh = app.test_client()
    assert sign_in(fresh, world.registrant_a.email).status_code == 401  # the old password is gone
    page = fresh.get("/portal/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert fresh.post("/portal/login", data={"email": world.registrant_a.email, "password": "een nieuw lang wachtwoord",
                                             "csrf_token": csrf}).status_code == 302


def test_removing_a_membership_ends_the_accounts_sessions(app, auth, session, world):
    thief = signed_in_copy(app, auth, world.approver_a.email)
    accounts.remove_membership(session=session, user=world.approver_a, organisation=world.amsterdam)
    session.commit()
    assert thief.get("/portal/").status_code == 302
    assert auth.client.get("/portal/").status_code == 302


def test_removing_a_role_from_the_command_line_ends_the_sessions(app, auth, runner, world):
    thief = signed_in_copy(app, auth, world.approver_a.email)
    result = runner.invoke(args=["users", "remove-role", world.approver_a.email, "--organisation",
                                 "Gemeente Amsterdam", "--role", "approver"])
    assert result.exit_code == 0 and "Removed 1 role" in result.output, result.output
    assert thief.get("/portal/").status_code == 302
    unknown = runner.invoke(args=["users", "remove-role", "nobody@example.org", "--organisation", "Gemeente Amsterdam"])
    assert unknown.exit_code != 0


def test_another_accounts_session_is_untouched_by_a_sign_out(app, auth, world):
    colleague = app.test_client()
    assert sign_in(colleague, world.approver_a.email).status_code == 302
    auth.login(world.registrant_a.email)
    auth.logout()
    assert colleague.get("/portal/").status_code == 200
