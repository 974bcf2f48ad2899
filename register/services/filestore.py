"""Content-addressed file storage under ``DATA_DIR``: a file's name is its SHA-256.

``<DATA_DIR>/sha256/<first two hex digits>/<sha256>``. A file is written to a temporary file in
the same folder, flushed to disk and then moved into place atomically, so a reader never sees a
half-written file. An existing file is never overwritten (same name ⇒ same bytes), so uploading
the same bytes twice stores them once. Files are made read-only after writing.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_for(data_dir: str | os.PathLike, sha256: str) -> Path:
    """Where the file with this SHA-256 lives (whether or not it exists)."""
    if not SHA256.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(data_dir) / "sha256" / sha256[:2] / sha256


def exists(data_dir: str | os.PathLike, sha256: str) -> bool:
    return path_for(data_dir, sha256).is_file()


def store(data_dir: str | os.PathLike, data: bytes, sha256: str | None = None) -> tuple[str, bool]:
    """Store ``data``; returns ``(sha256, written)`` — ``written`` is False when it was already there."""
    digest = sha256 or sha256_of(data)
    target = path_for(data_dir, digest)
    if target.is_file():
        return digest, False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o444)
        try:
            # A hard link never replaces an existing name: a concurrent writer of the same bytes wins
            # and ours is dropped. Where hard links are not supported, os.replace is still atomic.
            os.link(temp, target)
        except FileExistsError:
            return digest, False
        except OSError:
            if target.exists():
                return digest, False
            os.replace(temp, target)
            temp = None
        return digest, True
    finally:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)


def remove(data_dir: str | os.PathLike, sha256: str) -> None:
    """Delete a stored file (only for files that no row refers to any more)."""
    path = path_for(data_dir, sha256)
    if path.is_file():
        os.chmod(path, 0o644)
        path.unlink()
