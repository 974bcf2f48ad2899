"""Model intake: accept only ``.skops`` files whose every type is on our allowlist.

Pickle and joblib files are refused before anything reads them: loading them runs code.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .allowlist import ALLOWED_FUNCTIONS, ALLOWED_TYPES, accepted_parts_text
from .archive import check_archive
from .errors import IntakeError

MAX_BYTES = 200 * 1024 * 1024
PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".sav", ".dill", ".p", ".pck"}
# Leading bytes of pickle (protocol 2+), and of the compressed streams joblib writes.
PICKLE_MAGIC = (b"\x80", b"\x78\x9c", b"\x78\x01", b"\x78\xda", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
CONVERT_HINT_EN = (
    "Pickle and joblib files can run any code when they are opened, so the register refuses "
    "them. Convert the model with skops: `import skops.io as sio; "
    "sio.dump(model, 'model.skops')` (or `explain.save_model(model, 'model.skops')`)."
)
CONVERT_HINT_NL = (
    "Pickle- en joblib-bestanden kunnen bij het openen willekeurige code uitvoeren. Daarom "
    "weigert het register ze. Zet het model om met skops: `import skops.io as sio; "
    "sio.dump(model, 'model.skops')` (of `explain.save_model(model, 'model.skops')`)."
)


@dataclass(frozen=True)
class LoadedModel:
    """A model accepted by intake, with the facts an explanation must record."""

    estimator: Any
    sha256: str
    path: str
    size_bytes: int
    types: tuple[str, ...] = field(default=())
    saved_with: dict = field(default_factory=dict)


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _walk_nodes(node: Any, out: list[dict]) -> None:
    if isinstance(node, dict):
        if "__module__" in node and "__class__" in node:
            out.append(node)
        for value in node.values():
            _walk_nodes(value, out)
    elif isinstance(node, list):
        for value in node:
            _walk_nodes(value, out)


def _check_nodes(schema: Any, nodes: list[dict]) -> None:
    """A skops schema is an object describing the model, and every node names its type in text."""
    if not isinstance(schema, dict) or "__class__" not in schema or "__module__" not in schema:
        raise ValueError("the schema does not describe an object")
    for node in nodes:
        if not isinstance(node["__module__"], str) or not isinstance(node["__class__"], str):
            raise TypeError("a node's type is not a name")


def inspect_skops(data: bytes) -> tuple[list[str], list[str], dict]:
    """Return (all type names, refused names, saved_with) from a skops file's schema."""
    check_archive(data)  # bounded before anything is inflated (issue 12: zip bombs)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            schema = json.loads(zf.read("schema.json"))
        nodes: list[dict] = []
        _walk_nodes(schema, nodes)
        _check_nodes(schema, nodes)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, RecursionError, OSError) as exc:
        raise IntakeError(
            "not_skops",
            f"This is not a valid .skops file ({exc.__class__.__name__}).",
            f"Dit is geen geldig .skops-bestand ({exc.__class__.__name__}).",
        ) from None
    names, refused, saved_with = set(), set(), {}
    for node in nodes:
        name = f"{node['__module__']}.{node['__class__']}"
        names.add(name)
        is_function = node.get("__loader__") in {"FunctionNode", "MethodNode", "PartialNode"}
        allowed = ALLOWED_FUNCTIONS if is_function else ALLOWED_TYPES
        code_like = node["__module__"].split(".")[0] == "__main__" or "<" in node["__class__"]
        if code_like or name not in allowed or node.get("__loader__") == "MethodNode":
            refused.add(name)
        content = node.get("content")
        if isinstance(content, dict) and isinstance(content.get("content"), dict):
            version = content["content"].get("_sklearn_version")
            if isinstance(version, dict) and not saved_with:
                try:
                    saved_with = {"scikit-learn": json.loads(version.get("content", '""'))}
                except ValueError:
                    pass
    return sorted(names), sorted(refused), saved_with


def load_model(path: str | Path, *, max_bytes: int = MAX_BYTES) -> LoadedModel:
    """Load a ``.skops`` model file against the allowlist; raise ``IntakeError`` if refused."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise IntakeError(
            "missing", f"No file at {path.name}.", f"Geen bestand gevonden: {path.name}."
        )
    size = path.stat().st_size
    if size == 0 or size > max_bytes:
        raise IntakeError(
            "size",
            f"The file is empty or larger than {max_bytes // 2**20} MB.",
            f"Het bestand is leeg of groter dan {max_bytes // 2**20} MB.",
        )
    data = path.read_bytes()
    if path.suffix.lower() in PICKLE_SUFFIXES or data.startswith(PICKLE_MAGIC):
        raise IntakeError("pickle_refused", CONVERT_HINT_EN, CONVERT_HINT_NL)
    if path.suffix.lower() != ".skops":
        raise IntakeError(
            "wrong_format",
            "Only .skops model files are accepted. " + CONVERT_HINT_EN,
            "Alleen .skops-modelbestanden worden geaccepteerd. " + CONVERT_HINT_NL,
        )
    names, refused, saved_with = inspect_skops(data)
    # Defence in depth: skops' own view must also stay inside our allowlist.
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # noqa: BLE001 - malformed internals (issue 12): refused, not a crash
        raise IntakeError(
            "not_skops",
            f"This is not a valid .skops file ({exc.__class__.__name__}).",
            f"Dit is geen geldig .skops-bestand ({exc.__class__.__name__}).",
        ) from None
    refused = sorted(
        set(refused) | {t for t in untrusted if t not in ALLOWED_TYPES | ALLOWED_FUNCTIONS}
    )
    if refused:
        raise _refused_parts(refused)
    try:
        estimator = sio.loads(data, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001 — skops raises many kinds; one message suffices
        raise IntakeError(
            "load_failed",
            f"The model file could not be read: {exc}",
            f"Het modelbestand kon niet worden gelezen: {exc}",
        ) from None
    if not hasattr(estimator, "predict"):
        raise IntakeError(
            "not_a_model",
            "The file does not contain a model with a predict method.",
            "Het bestand bevat geen model met een predict-functie.",
        )
    return LoadedModel(
        estimator=estimator,
        sha256=hashlib.sha256(data).hexdigest(),
        path=str(path),
        size_bytes=size,
        types=tuple(names),
        saved_with=saved_with,
    )


def _refused_parts(refused: list[str]) -> IntakeError:
    """The refusal names the refused parts and lists what is accepted (from the allowlist)."""
    listed = ", ".join(refused)
    accepted = accepted_parts_text()
    return IntakeError(
        "untrusted_types",
        f"The model contains parts the register does not accept: {listed}. Custom functions, "
        "lambdas and anything defined in __main__ are refused, and so are scikit-learn parts "
        f"outside this list. Accepted: {accepted}. k-nearest neighbours only with the Euclidean "
        "distance. The same list is at /help/feature-spec#model-parts.",
        f"Het model bevat onderdelen die het register niet accepteert: {listed}. Eigen functies, "
        "lambda's en alles uit __main__ worden geweigerd, en ook onderdelen van scikit-learn die "
        f"niet in deze lijst staan. Toegestaan: {accepted}. k-naaste-buren alleen met de "
        "euclidische afstand. Dezelfde lijst staat op /help/feature-spec#model-parts.",
        details=refused,
    )


def _renumber(schema: Any, ids: dict[int, int]) -> Any:
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "__id__" and isinstance(value, int):
                out[key] = ids.setdefault(value, len(ids) + 1)
            elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                out[key] = f"{ids.setdefault(int(value[:-4]), len(ids) + 1)}.npy"
            else:
                out[key] = _renumber(value, ids)
        return out
    if isinstance(schema, list):
        return [_renumber(v, ids) for v in schema]
    return schema


def model_bytes(estimator: Any) -> bytes:
    """The reproducible ``.skops`` bytes of ``estimator`` (see ``save_model``)."""
    import skops.io as sio

    raw = sio.dumps(estimator)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        schema = json.loads(zf.read("schema.json"))
        ids: dict[int, int] = {}
        schema = _renumber(schema, ids)
        files = {}
        for info in zf.infolist():
            if info.filename.endswith(".npy"):
                files[f"{ids[int(info.filename[:-4])]}.npy"] = zf.read(info.filename)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as out:
        entries = {"schema.json": json.dumps(schema, indent=None).encode(), **files}
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, entries[name], compresslevel=9)
    return buf.getvalue()


def save_model(estimator: Any, path: str | Path) -> str:
    """Write ``estimator`` as a byte-for-byte reproducible ``.skops`` file; return its SHA-256.

    skops names entries after memory addresses and stamps the current time; both are replaced
    by stable values so that the same seeded model always gives the same file and hash.
    """
    data = model_bytes(estimator)
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()
