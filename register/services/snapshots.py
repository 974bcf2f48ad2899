"""Snapshots of built explainers in ``DATA_DIR``, so a new process need not build them again (#16).

Building a model version's explainer means loading the ``.skops`` file safely, checking the spec
against the model and setting up shap: a second or more per model, in every process that starts
(a ``decisions batch`` run, each web worker). Once one process has built an explainer, it writes
the built object here; the next process reads it back in a fraction of that time.

A snapshot is derived data: it can be deleted at any time and is written again at the next build.
Its file, ``<DATA_DIR>/explainer-snapshots/<name>.snapshot``, is named after the explainer's full
cache key (model, spec, reference data, settings, library versions: ``explainers.explainer_key``)
and a fingerprint of this installation (Python, numpy, pandas, scipy, scikit-learn and shap
versions, and the source of the ``explain`` package), so an upgrade or a changed spec never finds
an old snapshot. The bytes are a pickle, and unpickling runs code, so every file carries an HMAC-SHA256
over its name and contents with a key derived from the app's SECRET_KEY. The HMAC is checked with
``hmac.compare_digest`` before anything is unpickled; a file that fails the check, cannot be read,
or holds another key is ignored (logged) and the explainer is built as if there were no snapshot
(and its snapshot written again). Files are written to a temporary file and moved into place
atomically, so a reader never sees half a snapshot.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import platform
import tempfile
import threading
from collections import Counter
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER = "explainer-snapshots"
MAGIC = b"STADSREGISTER EXPLAINER SNAPSHOT 1\n"
_MAC_BYTES = 32
# What a snapshot did in this process: loaded, saved, refused (failed the HMAC or stale), missing.
STATS: Counter = Counter()
_SECRETS: dict[str, bytes] = {}
_LOCK = threading.Lock()
_FINGERPRINT: str | None = None
# Distributions whose objects are inside a pickled explainer (their classes and array layouts).
_DISTRIBUTIONS = ("numpy", "pandas", "scipy", "scikit-learn", "shap")


def use_snapshots(data_dir: str | os.PathLike, secret: str | bytes) -> None:
    """Let explainers of ``data_dir`` be stored and read as snapshots authenticated with ``secret``
    (the app's SECRET_KEY; ``create_app`` calls this)."""
    with _LOCK:
        _SECRETS[os.path.abspath(data_dir)] = mac_key(secret)


def key_for(data_dir: str | os.PathLike) -> bytes | None:
    """The HMAC key for snapshots in ``data_dir``, or None when snapshots are not in use there."""
    return _SECRETS.get(os.path.abspath(data_dir))


def mac_key(secret: str | bytes) -> bytes:
    """A key of its own for snapshots, derived from SECRET_KEY (never the secret itself)."""
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(raw, b"stadsregister: explainer snapshots", hashlib.sha256).digest()


def fingerprint() -> str:
    """This installation: Python, the libraries whose objects a snapshot holds, and the explain
    package's own source (a changed fast path or check is a different explainer). Read once."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from importlib.metadata import PackageNotFoundError, version

        import explain

        def installed(name: str) -> str:
            try:
                return version(name)
            except PackageNotFoundError:
                return "not installed"

        code = hashlib.sha256()
        root = Path(explain.__file__).resolve().parent
        for path in sorted(root.rglob("*.py")):
            code.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        _FINGERPRINT = json.dumps({
            "python": platform.python_version(), "implementation": platform.python_implementation(),
            "pickle": pickle.HIGHEST_PROTOCOL, "explain_source": code.hexdigest(),
            **{name: installed(name) for name in _DISTRIBUTIONS}}, sort_keys=True)
    return _FINGERPRINT


def path_for(data_dir: str | os.PathLike, key: str) -> Path:
    name = hashlib.sha256(f"{key}\n{fingerprint()}".encode()).hexdigest()
    return Path(data_dir) / FOLDER / f"{name}.snapshot"


def _mac(mac_key_: bytes, path: Path, payload: bytes) -> bytes:
    return hmac.new(mac_key_, MAGIC + path.name.encode() + b"\n" + payload, hashlib.sha256).digest()


def save(data_dir: str | os.PathLike, key: str, explainer, mac_key_: bytes | None = None) -> Path | None:
    """Write the snapshot of ``explainer`` (built for ``key``); returns its path, or None when
    snapshots are not in use for ``data_dir`` or it could not be written (never an error: a
    snapshot only saves time)."""
    mac_key_ = mac_key_ or key_for(data_dir)
    if mac_key_ is None:
        return None
    target = path_for(data_dir, key)
    temp = None
    try:
        payload = pickle.dumps({"key": key, "fingerprint": fingerprint(), "explainer": explainer},
                               protocol=pickle.HIGHEST_PROTOCOL)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC + _mac(mac_key_, target, payload) + payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        temp = None
    except Exception:  # a full disk or a read-only folder: the explainer still serves
        log.warning("explainer snapshot %s not written", target, exc_info=True)
        return None
    finally:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
    STATS["saved"] += 1
    return target


def load(data_dir: str | os.PathLike, key: str, mac_key_: bytes | None = None):
    """The explainer stored for ``key``, or None: no snapshot, snapshots not in use, or a file
    that fails its HMAC, is stale or cannot be read (then it is not trusted, and logged)."""
    mac_key_ = mac_key_ or key_for(data_dir)
    if mac_key_ is None:
        return None
    path = path_for(data_dir, key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        STATS["missing"] += 1
        return None
    except OSError:
        log.warning("explainer snapshot %s not readable", path, exc_info=True)
        STATS["refused"] += 1
        return None
    head = len(MAGIC) + _MAC_BYTES
    if len(data) <= head or not data.startswith(MAGIC) or not hmac.compare_digest(
            data[len(MAGIC):head], _mac(mac_key_, path, data[head:])):
        log.warning("explainer snapshot %s refused: its HMAC does not match (changed, damaged or written "
                    "with another SECRET_KEY); building the explainer again", path)
        STATS["refused"] += 1
        return None
    try:  # authenticated: written by this register with this key
        stored = pickle.loads(data[head:])
        if stored.get("key") != key or stored.get("fingerprint") != fingerprint():
            raise ValueError("the snapshot holds another explainer key or installation")
        explainer = stored["explainer"]
    except Exception:  # e.g. a library that reads its own old objects differently
        log.warning("explainer snapshot %s not used; building the explainer again", path, exc_info=True)
        STATS["refused"] += 1
        return None
    STATS["loaded"] += 1
    return explainer


def unused(data_dir: str | os.PathLike, keys: set[str], *, cutoff: float) -> list[Path]:
    """Snapshot files older than ``cutoff`` that no explainer key in ``keys`` would read under this
    installation: left by a replaced model version, a changed spec or an upgrade."""
    folder = Path(data_dir) / FOLDER
    if not folder.is_dir():
        return []
    wanted = {path_for(data_dir, key).name for key in keys}
    return [p for p in folder.iterdir()
            if p.is_file() and p.name not in wanted and p.stat().st_mtime < cutoff]
