"""No log shows a receipt's token, however its path is spelled (issue 12, point 12).

A real receipt, opened through a real werkzeug server by every spelling that reaches the receipt
views (percent-encoded, encoded slashes and dots, doubled slashes); its access log, the app's own
exception log and gunicorn's error log are read for the token, also after decoding them.
"""
from __future__ import annotations

import http.client
import logging
import sys
import threading
from urllib.parse import unquote

import pytest
from werkzeug.serving import make_server

from register.web.log_redaction import redact
from tests.security.test_accounts_get_and_override import WOZ_CASE


def encoded(text: str, lower: bool = False) -> str:
    """Every character of ``text`` percent-encoded."""
    return "".join(("%%%02x" if lower else "%%%02X") % ord(c) for c in text)


def spellings(token: str) -> list[tuple[str, int]]:
    """Paths that open the receipt (200) or are sent on to it by the router (308), with that status."""
    return [
        (f"/d/{token}", 200),
        (f"/d/{encoded(token)}", 200),
        (f"/d/{encoded(token[:3], lower=True)}{token[3:]}.json", 200),
        (f"/%64/{token}", 200),
        (f"/d%2F{token}", 200),
        (f"/d%2f{encoded(token)}%2Ejson", 200),
        (f"/d/{token}.pdf?lang=en", 200),
        (f"//d//{token}", 308),
        (f"/d//{token}.json", 308),
    ]


@pytest.fixture
def receipt_token(client, woz, people) -> str:
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE},
                       headers=people["token"])
    assert made.status_code == 201, made.get_json()
    return made.get_json()["url"].rsplit("/d/", 1)[1]


@pytest.fixture
def served(app):
    """The app on a real werkzeug development server on 127.0.0.1 (the one ``stadsregister run`` uses)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


def fetch(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)  # sent exactly as written: no client normalises it
    status = connection.getresponse().status
    connection.close()
    return status


def assert_no_token(text: str, token: str) -> None:
    for form in (text, unquote(text), unquote(unquote(text)), text.lower(), unquote(text).lower()):
        assert token.lower() not in form.lower()
    assert token[:12] not in unquote(text)


def test_every_spelling_of_a_receipt_path_opens_it_yet_the_dev_server_log_never_shows_the_token(
        served, receipt_token, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    for path, status in spellings(receipt_token):
        assert fetch(served, path) == status, path  # each spelling really reaches the receipt
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert len([line for line in lines if "/d/[token]" in line]) == len(spellings(receipt_token))
    assert_no_token(caplog.text, receipt_token)
    assert any("/d/[token].pdf?lang=en" in line for line in lines)


def test_the_apps_own_exception_log_names_no_token(app, receipt_token, caplog):
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    from flask import request

    with app.test_request_context(f"/d/{encoded(receipt_token)}.json"):
        try:
            raise RuntimeError(f"could not render {request.path}")
        except RuntimeError:
            app.log_exception(sys.exc_info())  # what Flask writes for an error in a view
    assert "Exception on /d/[token].json [GET]" in caplog.text
    assert "could not render /d/[token].json" in caplog.text  # the traceback too
    assert_no_token(caplog.text, receipt_token)


def test_gunicorns_error_log_names_no_token(receipt_token):
    from gunicorn.config import Config

    from register.web.log_redaction import RedactingLogger

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__()
            self.lines = []

        def emit(self, record):
            self.lines.append(self.format(record))

    logger, keep = RedactingLogger(Config()), Keep()
    logger.error_log.addHandler(keep)
    try:
        try:
            raise ValueError(f"bad request line GET //d//{receipt_token}")
        except ValueError:
            logger.exception("Error handling request %s", f"/d%2F{encoded(receipt_token)}.pdf")
        logger.warning("Invalid request from ip=%s: %s", "127.0.0.1", f"GET /%64/{receipt_token} HTTP/1.1")
    finally:
        logger.error_log.removeHandler(keep)
    text = "\n".join(keep.lines)
    assert "Error handling request /d/[token].pdf" in text and "GET /d/[token] HTTP/1.1" in text
    assert "bad request line GET /d/[token]" in text
    assert_no_token(text, receipt_token)


@pytest.mark.parametrize("line,expected", [
    ('"GET /d/abc%2Fdef HTTP/1.1" 404', '"GET /d/[token]/def HTTP/1.1" 404'),  # decoded as the router does
    ("GET /api/v1/?q=%41&next=/x HTTP/1.1", "GET /api/v1/?q=%41&next=/x HTTP/1.1"),  # other paths as they came
    ("/portal/login?next=%2Fd%2FSecret_Token-1", "/portal/login?next=/d/[token]"),
    ("Referer: https://stad.example//d//Secret_Token-1%2Epdf", "Referer: https://stad.example/d/[token].pdf"),
    ("GET /algorithms/A-7K3Q/data.json HTTP/1.1", "GET /algorithms/A-7K3Q/data.json HTTP/1.1"),
])
def test_redaction_decodes_only_what_holds_a_receipt_path(line, expected):
    assert redact(line) == expected
