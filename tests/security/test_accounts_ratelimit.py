"""Failed sign-ins are limited per account and per client address, across workers and machines
(issue 12, point 10): Flask-Limiter with Redis when configured, in memory otherwise."""
from __future__ import annotations

import importlib.util
import os
import random
import re
import uuid
from pathlib import Path

import pytest
import redis

from register import create_app


def _load_world():
    """``accounts_world.py`` beside this file (importlib mode keeps neighbours from importing each other)."""
    spec = importlib.util.spec_from_file_location("accounts_world", Path(__file__).with_name("accounts_world.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


world_module = _load_world()

REDIS_URL = os.environ.get("STADSREGISTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")  # its own database


@pytest.fixture
def world(session):
    return world_module.build(session)


def attempt(client, email, password="wrong password", address="192.0.2.10"):
    """One sign-in from ``address`` (the client address a proxy-less server sees)."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/portal/login", environ_base=environ).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/portal/login", data={"email": email, "password": password, "csrf_token": csrf},
                       environ_base=environ)


def test_one_account_is_limited_whichever_address_the_guesses_come_from(app, client, world):
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 5
    for n in range(5):
        assert attempt(client, world.registrant_a.email, address=f"198.51.100.{n}").status_code == 401
    refused = attempt(client, world.registrant_a.email, address="198.51.100.99")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert f"Probeer het over {wait} seconden opnieuw" in refused.get_data(as_text=True)
    # Even the right password waits: the guesser must not learn it was right.
    assert attempt(client, world.registrant_a.email, world_module.PASSWORD, address="203.0.113.5").status_code == 429
    # Other accounts are not locked out by it.
    assert attempt(client, world.approver_a.email, world_module.PASSWORD, address="203.0.113.5").status_code == 302


def test_password_spraying_over_many_accounts_from_one_address_is_limited(app, client, world):
    app.config["LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE"] = 8
    statuses = [attempt(client, f"guess-{n}@example.org", address="192.0.2.66").status_code for n in range(12)]
    assert statuses[:8] == [401] * 8
    assert set(statuses[8:]) == {429}
    # Someone at another address signs in as usual.
    assert attempt(client, world.registrant_g.email, world_module.PASSWORD, address="192.0.2.67").status_code == 302


def test_signing_in_successfully_does_not_count(app, client, world):
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 2
    for _ in range(4):
        assert attempt(client, world.registrant_a.email, world_module.PASSWORD).status_code == 302
    assert attempt(client, world.registrant_a.email).status_code == 401


def test_the_json_twin_and_english_page_say_when_to_try_again_too(app, client, world):
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 1
    attempt(client, world.registrant_a.email)
    client.get("/?lang=en")
    response = attempt(client, world.registrant_a.email)
    assert response.status_code == 429
    assert re.search(r"Try again in \d+ seconds", response.get_data(as_text=True))


def _app(database_url, data_dir, prefix_config):
    return create_app({"ENV": "testing", "SECRET_KEY": "test-secret-" + "x" * 20, "DATABASE_URL": database_url,
                       "DATA_DIR": str(data_dir), "BASE_URL": "http://localhost", **prefix_config})


def test_two_servers_sharing_redis_share_the_count(database_url, tmp_path, world):
    """Two application instances (two workers, or two machines) with one Redis: 3 + 3 > 5."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover - CI provides Redis
        pytest.fail(f"Redis must answer at {REDIS_URL} (STADSREGISTER_TEST_REDIS_URL) for this test")
    first = _app(database_url, tmp_path / "d1", {"REDIS_URL": REDIS_URL, "LOGIN_ATTEMPTS_PER_MINUTE": 5})
    second = _app(database_url, tmp_path / "d2", {"REDIS_URL": REDIS_URL, "LOGIN_ATTEMPTS_PER_MINUTE": 5})
    email = f"shared-{uuid.uuid4().hex[:10]}@example.org"  # a fresh key in the shared store
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    try:
        statuses = []
        for n in range(6):
            server = first if n % 2 == 0 else second
            statuses.append(attempt(server.test_client(), email, address=address).status_code)
        assert statuses == [401] * 5 + [429]
        keys = redis.Redis.from_url(REDIS_URL).keys("*stadsregister/account:*")
        assert any(email.encode() in key for key in keys)
        # An instance without the shared store counts on its own: the limit really lives in Redis.
        alone = _app(database_url, tmp_path / "d3", {"LOGIN_ATTEMPTS_PER_MINUTE": 5})
        assert attempt(alone.test_client(), email, address=address).status_code == 401
    finally:
        for each in (first, second):
            each.extensions["stadsregister.engine"].dispose()


def test_an_unreachable_redis_still_limits_in_memory_rather_than_failing(database_url, tmp_path, world):
    app = _app(database_url, tmp_path / "d", {"REDIS_URL": "redis://127.0.0.1:1/0", "LOGIN_ATTEMPTS_PER_MINUTE": 2})
    client = app.test_client()
    try:
        assert [attempt(client, world.registrant_a.email).status_code for _ in range(3)] == [401, 401, 429]
    finally:
        app.extensions["stadsregister.engine"].dispose()
