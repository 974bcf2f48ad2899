"""Security headers on every response, and cookies that are safe over HTTPS.

These run without a browser (the werkzeug test client against the demo site), so they run even
where Chromium is missing; the browser tests prove that every page works under its policy.
"""
from __future__ import annotations

import re

import pytest

from register import create_app


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def _responses(site, checks):
    client = site.app.test_client()
    paths = ["/", "/.json", "/algorithms.json", "/static/style.css", "/api/v1/", "/api/v1/openapi.json",
             "/no/such/page", "/algorithms/A-ZZZZ.json", "/portal/", "/portal/login?lang=en"]
    for spec in checks.PAGES:
        if spec.needs and not site.has(spec.needs) or spec.account or spec.action:
            continue
        try:
            paths.append(spec.url(site))
        except Exception:  # noqa: BLE001 - its demo content does not exist yet
            continue
    for path in paths:
        yield path, client.get(path)


def test_every_response_has_the_security_headers(site, checks):
    seen = 0
    for path, response in _responses(site, checks):
        seen += 1
        headers = response.headers
        policy = headers.get("Content-Security-Policy", "")
        directives = _directives(policy)
        assert directives.get("frame-ancestors") == "frame-ancestors 'none'", (path, policy)
        assert directives.get("object-src") in ("object-src 'none'", None) and "default-src" in directives, (path, policy)
        assert directives.get("base-uri") == "base-uri 'none'", (path, policy)
        script = directives.get("script-src", directives["default-src"])
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (path, policy)
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "same-origin", "no-referrer"), path
        assert "Strict-Transport-Security" not in headers, "HSTS over plain HTTP"
    assert seen >= 10


def test_inline_scripts_need_the_nonce_of_that_response(site):
    client = site.app.test_client()
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", first).group(1)
    assert len(nonce) >= 16 and nonce not in second, "the nonce must differ per response"


@pytest.fixture
def https_app(database_url, tmp_path):
    app = create_app({"ENV": "testing", "SECRET_KEY": "test-secret-" + "x" * 20, "DATABASE_URL": database_url,
                      "DATA_DIR": str(tmp_path / "data"), "BASE_URL": "https://register.example.nl"})
    yield app
    app.extensions["stadsregister.engine"].dispose()


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[0]


def test_over_https_cookies_are_secure_httponly_and_samesite(https_app):
    client = https_app.test_client()
    response = client.get("/portal/login?lang=en", base_url="https://register.example.nl")
    for name in ("session", "lang"):
        cookie = _cookie(response, name)
        assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_over_plain_http_cookies_still_work_for_local_use(client):
    response = client.get("/portal/login?lang=en")
    cookie = _cookie(response, "session")
    assert "; Secure" not in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


@pytest.mark.parametrize("value, secure", [("false", False), ("true", True)])
def test_the_secure_flag_can_be_set_explicitly(database_url, tmp_path, value, secure):
    app = create_app({"ENV": "testing", "SECRET_KEY": "test-secret-" + "x" * 20, "DATABASE_URL": database_url,
                      "DATA_DIR": str(tmp_path / "data"), "BASE_URL": "https://register.example.nl",
                      "SESSION_COOKIE_SECURE": value})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    app.extensions["stadsregister.engine"].dispose()
