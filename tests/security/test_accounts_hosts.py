"""Absolute links come from STADSREGISTER_BASE_URL only; another Host is refused in production
(issue 12, point 11)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from register import create_app


def _load_world():
    """``accounts_world.py`` beside this file (importlib mode keeps neighbours from importing each other)."""
    spec = importlib.util.spec_from_file_location("accounts_world", Path(__file__).with_name("accounts_world.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


world_module = _load_world()

PUBLIC = "https://register.example.nl"
EVIL = "evil.example"


def make_app(database_url, tmp_path, **config):
    return create_app({"ENV": "testing", "SECRET_KEY": "a-long-random-secret-for-tests-" + "y" * 20,
                       "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "data"), "BASE_URL": PUBLIC,
                       **config})


@pytest.fixture
def public_app(database_url, tmp_path, session):
    world = world_module.build(session)
    world_module.publish(session, world)
    app = make_app(database_url, tmp_path)
    yield app
    app.extensions["stadsregister.engine"].dispose()


def absolute_urls(value):
    """Every absolute http(s) URL anywhere in a JSON document."""
    if isinstance(value, dict):
        for item in value.values():
            yield from absolute_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from absolute_urls(item)
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        yield value


def test_links_name_the_public_address_whatever_host_the_request_names(public_app, session):
    from sqlmodel import select

    from register.models import Algorithm

    code = session.exec(select(Algorithm)).one().code
    client = public_app.test_client()
    found = []
    for url in ("/api/v1/", "/api/v1/openapi.json", "/sta/v1.1/", f"/algorithms/{code}.json", "/sensors.json",
                "/algorithms.json", "/.json"):
        for host in (EVIL, "127.0.0.1:8000", "register.example.nl.evil.example"):
            response = client.get(url, headers={"Host": host, "X-Forwarded-Host": EVIL})
            assert response.status_code == 200, (url, host)
            body = response.get_data(as_text=True)
            assert EVIL not in body and "127.0.0.1" not in body and "nl.evil" not in body, (url, host)
            found += [u for u in absolute_urls(response.get_json()) if u.startswith(PUBLIC + "/")]
    assert len(found) > 20  # the links are there, on the public address
    servers = client.get("/api/v1/openapi.json", headers={"Host": EVIL}).get_json()["servers"]
    assert [s["url"] for s in servers] == [PUBLIC + "/api/v1"]


def test_html_pages_link_their_json_twin_on_the_public_address_only(public_app):
    page = public_app.test_client().get("/algorithms", headers={"Host": EVIL}).get_data(as_text=True)
    assert EVIL not in page


def production(database_url, tmp_path, **config):
    return make_app(database_url, tmp_path, ENV="production", **config)


@pytest.mark.parametrize("host", [EVIL, "127.0.0.1:8000", "register.example.nl.evil.example", "register.example.nl:8443"])
def test_production_refuses_another_host_with_a_clear_answer(database_url, tmp_path, session, host):
    app = production(database_url, tmp_path)
    client = app.test_client()
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert "Dit register is niet bereikbaar onder deze naam." in response.get_data(as_text=True)
    api = client.get("/api/v1/openapi.json", headers={"Host": host})
    assert api.status_code == 400 and api.get_json()["ok"] is False
    app.extensions["stadsregister.engine"].dispose()


@pytest.mark.parametrize("host", ["register.example.nl", "REGISTER.example.nl", "register.example.nl:443"])
def test_production_answers_its_own_host(database_url, tmp_path, session, host):
    app = production(database_url, tmp_path)
    assert app.test_client().get("/", headers={"Host": host}).status_code == 200
    app.extensions["stadsregister.engine"].dispose()


def test_extra_allowed_hosts_are_answered_with_links_to_the_public_address(database_url, tmp_path, session):
    app = production(database_url, tmp_path, ALLOWED_HOSTS="10.0.0.5:8000, health.internal")
    client = app.test_client()
    for host in ("10.0.0.5:8000", "health.internal"):
        response = client.get("/api/v1/", headers={"Host": host})
        assert response.status_code == 200
        assert json.dumps(response.get_json()).count(PUBLIC) == 2
    assert client.get("/", headers={"Host": EVIL}).status_code == 400
    app.extensions["stadsregister.engine"].dispose()


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(database_url, tmp_path,
                                                                                   session, proxies):
    world = world_module.build(session)
    app = make_app(database_url, tmp_path, BASE_URL="http://localhost", TRUSTED_PROXIES=proxies,
                   LOGIN_ATTEMPTS_PER_MINUTE=100, LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=2)
    client = app.test_client()

    def attempt(forwarded_for):
        import re

        page = client.get("/portal/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post("/portal/login", data={"email": world.registrant_a.email, "password": "wrong",
                                                  "csrf_token": csrf},
                           headers={"X-Forwarded-For": forwarded_for}).status_code

    if proxies:
        assert [attempt("198.51.100.7") for _ in range(3)] == [401, 401, 429]
        assert attempt("198.51.100.8") == 401  # someone else behind the same proxy is not locked out
    else:  # without a trusted proxy a made-up X-Forwarded-For does not escape the limit
        assert [attempt(f"198.51.100.{n}") for n in range(3)] == [401, 401, 429]
    app.extensions["stadsregister.engine"].dispose()


def test_signing_in_works_in_production_behind_the_tls_proxy(database_url, tmp_path, session):
    """The proxy speaks plain HTTP to gunicorn; the register still knows it is served over HTTPS."""
    import re

    world = world_module.build(session)
    app = production(database_url, tmp_path)
    client = app.test_client()
    page = client.get("/portal/login", headers={"Host": "register.example.nl"})
    assert page.status_code == 200
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/portal/login", base_url="https://register.example.nl",
                           data={"email": world.registrant_a.email, "password": world_module.PASSWORD,
                                 "csrf_token": csrf},
                           headers={"Referer": f"{PUBLIC}/portal/login"})
    assert response.status_code == 302
    assert client.get("/portal/", base_url="https://register.example.nl").status_code == 200
    app.extensions["stadsregister.engine"].dispose()
