"""The shipped gunicorn configuration keeps receipt tokens out of the access log (issue 12, point 12):
a real gunicorn on a local port, its real access log file."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zk3pQ9vX_mW2-token-that-opens-one-residents-explanation"
OTHER = "AnotherResidents_Token-8842"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """gunicorn with ``register/gunicorn_conf.py``, two workers, logging access to a file."""
    port, log = free_port(), tmp_path / "access.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT), STADSREGISTER_ENV="testing",
               STADSREGISTER_SECRET_KEY="gunicorn-test-secret-" + "z" * 20,
               STADSREGISTER_DATABASE_URL=database_url, STADSREGISTER_DATA_DIR=str(tmp_path / "data"),
               STADSREGISTER_INSTANCE_PATH=str(tmp_path / "instance"),
               STADSREGISTER_BASE_URL=f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:register.gunicorn_conf", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log), "register:create_app()"],
        cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/api/v1/", timeout=10)
            break
        except OSError:  # refused while booting, or a slow first answer
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start:\n" + process.stdout.read().decode(errors="replace"))
            time.sleep(0.3)
    yield base, log
    process.terminate()
    process.wait(timeout=30)


def get(url: str, **headers) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_shows_receipt_paths_without_their_tokens(gunicorn):
    base, log = gunicorn
    assert get(f"{base}/d/{TOKEN}") == 404
    assert get(f"{base}/d/{TOKEN}.pdf?lang=en") == 404
    assert get(f"{base}/d/{TOKEN}.json") == 404
    assert get(f"{base}/about", Referer=f"{base}/d/{OTHER}") in (200, 404)
    # Other spellings of the same path reach the same views (issue 12): encoded, doubled slashes.
    hidden = "".join(f"%{ord(c):02X}" for c in TOKEN)
    assert get(f"{base}/d/{hidden}.json") == 404
    assert get(f"{base}/d%2F{TOKEN[:4]}{hidden[12:]}%2Epdf") == 404
    assert get(f"{base}//d//{TOKEN}") in (308, 404)
    deadline = time.monotonic() + 10
    expected = ('"GET /d/[token] ', '"GET /d/[token].pdf', '"GET /d/[token].json', '"GET /about')
    while (not all(line in log.read_text() for line in expected) or log.read_text().count("/d/[token]") < 7) \
            and time.monotonic() < deadline:  # workers log late
        time.sleep(0.2)
    text = log.read_text()
    assert TOKEN not in text and OTHER not in text
    assert TOKEN[:12] not in unquote(text) and text.count("/d/[token]") >= 7
    assert '"GET /d/[token] HTTP/1.1" 404' in text
    assert '"GET /d/[token].pdf?lang=en HTTP/1.1" 404' in text
    assert '"GET /d/[token].json HTTP/1.1" 404' in text
    assert f"{base}/d/[token]" in text  # the Referer, redacted
    assert '"GET /api/v1/ HTTP/1.1" 200' in text  # other paths are logged as they are


def test_the_readme_production_command_uses_the_shipped_configuration():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "gunicorn -c python:register.gunicorn_conf" in production
