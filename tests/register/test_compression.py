"""Answers travel compressed, private pages never are, and static files are kept a year
under a name that changes with their content (issue 16)."""
from __future__ import annotations

import gzip
import re

import brotli


def test_public_pages_and_data_are_compressed_as_the_browser_accepts(client, published):
    plain = client.get("/algorithms")
    packed = client.get("/algorithms", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    as_json = client.get("/algorithms.json", headers={"Accept-Encoding": "br"})
    assert as_json.headers["Content-Encoding"] == "br"
    assert brotli.decompress(as_json.data) == client.get("/algorithms.json").data


def test_pages_with_secrets_are_not_compressed(client):
    """A sign-in form carries a CSRF token: no compression side channel (BREACH)."""
    login = client.get("/portal/login", headers={"Accept-Encoding": "gzip, br"})
    assert login.status_code == 200 and "Content-Encoding" not in login.headers


def test_static_files_carry_their_content_hash_and_are_kept_a_year(client, app):
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'/static/style\.css\?v=([0-9a-f]{12})"', html)
    assert match, "the stylesheet link carries its hash"
    kept = client.get(f"/static/style.css?v={match.group(1)}")
    assert "immutable" in kept.headers["Cache-Control"]
    assert "max-age=31536000" in kept.headers["Cache-Control"]
    stale = client.get("/static/style.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    packed = client.get(f"/static/style.css?v={match.group(1)}", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(packed.data) == kept.data
