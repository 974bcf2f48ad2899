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
        _touch(target)
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


def _touch(path: Path) -> None:
    """Mark a file as just used, so ``purge`` does not take it while its new row is being written."""
    try:
        os.utime(path)
    except OSError:
        pass


def remove(data_dir: str | os.PathLike, sha256: str) -> None:
    """Delete a stored file (only for files that no row refers to any more)."""
    path = path_for(data_dir, sha256)
    if path.is_file():
        os.chmod(path, 0o644)
        path.unlink()


# ---- what a crash leaves behind (issue 12) ------------------------------------------------------
#
# A worker killed while writing leaves its ``.tmp-*`` file; one killed between storing a file
# and committing its row leaves a complete file that nothing refers to; the portal's sensor
# import keeps an upload between its check and import steps. ``leftovers`` finds them once they
# are older than ``grace`` (an upload still in progress is never that old), for ``purge``.

TEMP_PREFIX = ".tmp-"
IMPORTS = "sensor-imports"
SYSTEM_TEMP_PREFIXES = ("stadsregister-model-", "stadsregister-explainer-")


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.lstat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def leftovers(data_dir: str | os.PathLike, referenced: set[str], *, cutoff: float,
              temp_dir: str | os.PathLike | None = None) -> dict[str, list[Path]]:
    """Files older than ``cutoff`` (a timestamp) that no one will use: half-written temp files,
    stored files whose SHA-256 is not in ``referenced``, stale sensor-import uploads, and the
    register's working folders in the system's temp folder."""
    root = Path(data_dir)
    found: dict[str, list[Path]] = {"temp": [], "unreferenced": [], "imports": [], "workdirs": []}
    store_root = root / "sha256"
    if store_root.is_dir():
        for path in store_root.glob("*/*"):
            if not _older(path, cutoff) or not path.is_file():
                continue
            if path.name.startswith(TEMP_PREFIX):
                found["temp"].append(path)
            elif SHA256.match(path.name) and path.name not in referenced:
                found["unreferenced"].append(path)
    imports = root / IMPORTS
    if imports.is_dir():
        found["imports"] = [p for p in imports.iterdir() if p.is_file() and _older(p, cutoff)]
    system = Path(temp_dir or tempfile.gettempdir())
    found["workdirs"] = [p for p in system.iterdir() if p.name.startswith(SYSTEM_TEMP_PREFIXES)
                         and p.is_dir() and _older(p, cutoff)] if system.is_dir() else []
    return found


def delete(paths: list[Path]) -> int:
    """Delete files and working folders; returns how many were deleted."""
    import shutil

    count = 0
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                os.chmod(path, 0o644)
                path.unlink()
            count += 1
        except FileNotFoundError:
            continue
    return count
