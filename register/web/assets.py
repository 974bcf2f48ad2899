"""Compressed answers and static files that browsers keep (issue 16).

- Pages, JSON, GeoJSON, CSV, CSS, JavaScript and SVG are compressed (zstd, brotli or gzip, as
  the browser accepts) by Flask-Compress.  Pages behind sign-in and residents' receipts are
  not: they carry secrets (a CSRF token, a receipt's link) next to text an attacker may choose,
  which is what compression side channels (BREACH) need.
- Every ``url_for('static', …)`` carries ``?v=`` and the first 12 hex digits of the file's
  SHA-256.  A request whose ``v`` matches the file as it is now is answered with
  ``Cache-Control: public, max-age=31536000, immutable``; a new release changes the hash and so
  the URL.  Any other request for a static file is revalidated as before.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from stat import S_ISREG

from flask import Flask, Response, current_app, request
from flask_compress import Compress

compress = Compress()

COMPRESSED_TYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "application/geo+json", "application/ld+json", "application/schema+json",
    "text/turtle", "image/svg+xml", "application/xml",
]
PRIVATE_PREFIXES = ("/portal", "/d/")
YEAR = 365 * 24 * 3600


def static_version(filename: str) -> str | None:
    """The first 12 hex digits of a static file's SHA-256, remembered per file and mtime.

    Where a name leads is worked out once per name (resolving a path costs a system call per
    folder, and a page links six files); the file's mtime is still read every time, so a changed
    file gets a new version at once.
    """
    paths: dict = current_app.extensions.setdefault("stadsregister.static_paths", {})
    path = paths.get(filename)
    if path is None:
        folder = Path(current_app.static_folder or "").resolve()
        resolved = (folder / filename).resolve()
        path = resolved if folder in resolved.parents else False
        if len(paths) < 4096:  # names come from templates and from answered requests: few, but bound them
            paths[filename] = path
    try:
        stat = path.stat() if path else None
    except OSError:
        return None
    if stat is None or not S_ISREG(stat.st_mode):
        return None
    key = (str(path), stat.st_mtime_ns)
    versions: dict = current_app.extensions.setdefault("stadsregister.static_versions", {})
    if key not in versions:
        versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return versions[key]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def _cache_and_compress(response: Response) -> Response:
    if request.endpoint == "static" and response.status_code == 200:
        asked = request.args.get("v")
        if asked and asked == static_version(request.view_args.get("filename", "")):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
    if request.path.startswith(PRIVATE_PREFIXES):
        return response
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # called from _cache_and_compress instead
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip"])
    compress.init_app(app)
    app.url_defaults(_add_version)
    app.after_request(_cache_and_compress)
