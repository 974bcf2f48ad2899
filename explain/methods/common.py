"""What the explanation methods of every model kind share: safe reading of model files, the
library versions an explanation is tied to, the additivity check, and ``KindExplanation``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..allowlist import ALLOWED_FUNCTIONS, ALLOWED_TYPES
from ..errors import AdditivityError, IntakeError
from ..explanation import Explanation
from ..intake import PICKLE_MAGIC, PICKLE_SUFFIXES, inspect_skops

MAX_BYTES = 100 * 1024 * 1024
TOLERANCE = 1e-6


def read_model_file(path: str | Path, suffixes: set[str], what: str, *, max_bytes: int = MAX_BYTES,
                    hint: tuple[str, str] = ("", "")) -> bytes:
    """The bytes of a model file after the checks every kind needs (exists, size, no pickle)."""
    path = Path(path)
    if not path.is_file():
        raise IntakeError("missing", f"No file at {path.name}.", f"Geen bestand gevonden: {path.name}.")
    size = path.stat().st_size
    if size == 0 or size > max_bytes:
        mb = max_bytes // 2**20
        raise IntakeError("size", f"The file is empty or larger than {mb} MB.",
                          f"Het bestand is leeg of groter dan {mb} MB.")
    data = path.read_bytes()
    if path.suffix.lower() in PICKLE_SUFFIXES or data.startswith(PICKLE_MAGIC):
        raise IntakeError(
            "pickle_refused",
            f"This file is a pickle (or compressed pickle), not a {what} file. Opening a pickle "
            f"can run any code, so the register refuses it. {hint[0]}".strip(),
            f"Dit bestand is een pickle (of een ingepakte pickle), geen {what}-bestand. Het openen "
            f"van een pickle kan willekeurige code uitvoeren; daarom weigert het register het. "
            f"{hint[1]}".strip(),
        )
    if path.suffix.lower() not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        raise IntakeError("wrong_format", f"A {what} file must end in {allowed}.",
                          f"Een {what}-bestand moet eindigen op {allowed}.")
    return data


def load_skops_part(path: str | Path, extra_types: frozenset[str] = frozenset(), *,
                    needs: str = "transform") -> tuple[Any, str]:
    """A ``.skops`` part (preprocessing or a text pipeline) against the allowlist plus
    ``extra_types``; returns (object, SHA-256). The object must have the method ``needs``."""
    import skops.io as sio

    data = read_model_file(path, {".skops"}, "skops")
    allowed = ALLOWED_TYPES | ALLOWED_FUNCTIONS | extra_types
    _, refused, _ = inspect_skops(data)
    untrusted = sio.get_untrusted_types(data=data)
    refused = sorted({n for n in refused if n not in extra_types}
                     | {t for t in untrusted if t not in allowed})
    if refused:
        listed = ", ".join(refused)
        raise IntakeError(
            "untrusted_types",
            f"The file contains parts the register does not accept: {listed}.",
            f"Het bestand bevat onderdelen die het register niet accepteert: {listed}.",
            details=refused,
        )
    try:
        obj = sio.loads(data, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001 — skops raises many kinds; one message suffices
        raise IntakeError("load_failed", f"The file could not be read: {exc}",
                          f"Het bestand kon niet worden gelezen: {exc}") from None
    if not hasattr(obj, needs):
        raise IntakeError("not_a_model", f"The file holds no part with a {needs} method.",
                          f"Het bestand bevat geen onderdeel met een {needs}-functie.")
    return obj, hashlib.sha256(data).hexdigest()


def versions(*packages: str) -> dict:
    """Installed versions of the libraries an explanation depends on."""
    out = {}
    for name in ("shap", "numpy", "scikit-learn", *packages):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def check_additivity(base: np.ndarray, phi: np.ndarray, out: np.ndarray) -> None:
    """base + Σ contributions must equal the explained output (1e-6, relative to its size)."""
    gap = np.abs(np.asarray(base) + np.asarray(phi).sum(axis=-1) - np.asarray(out))
    if np.any(gap > TOLERANCE * np.maximum(1.0, np.abs(out))):
        worst = float(gap.max())
        raise AdditivityError(
            "additivity",
            f"Contributions do not add up to the model output (gap {worst:.3g}).",
            f"De bijdragen tellen niet op tot de uitkomst van het model (verschil {worst:.3g}).",
        )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class KindExplanation:
    """The shared ``Explanation`` plus what it does not carry yet.

    ``outputs``: output name → value (a model has one output, its outcome; issue 11 point 5).
    ``accuracy``: ``{"kind": "exact", ...}`` or ``{"kind": "estimate", "max_abs_error", ...}``.
    ``extra``: kind-specific data, e.g. ``words`` (per word of a text: position and share).
    ``to_dict()`` is the ``Explanation``'s dict with these keys added.
    """

    explanation: Explanation
    outputs: dict
    accuracy: dict
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # read-through to the shared shape
        if name == "explanation":
            raise AttributeError(name)
        return getattr(self.explanation, name)

    def to_dict(self) -> dict:
        data = self.explanation.to_dict()
        data.update(outputs=json.loads(json.dumps(self.outputs, default=_plain)),
                    accuracy=dict(self.accuracy), **self.extra)
        return data


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else str(value)
