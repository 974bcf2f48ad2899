"""Errors raised by the explain library.

Every error carries a plain message in Dutch and English so a web page or a command line can
show it to a registrant without translating it again. ``str(error)`` is the English text.
"""

from __future__ import annotations

from typing import Self


class ExplainError(Exception):
    """Base class: a plain message per locale, a stable code, optional details."""

    def __init__(self, code: str, en: str, nl: str | None = None, details: list[str] | None = None):
        self.code = code
        self.messages = {"en": en, "nl": nl or en}
        self.details = list(details or [])
        super().__init__(en)

    def message(self, locale: str = "nl") -> str:
        """The message in ``locale`` ('nl' or 'en'); falls back to English."""
        return self.messages.get(locale[:2], self.messages["en"])


class IntakeError(ExplainError):
    """A model file is refused: wrong format, pickle/joblib, or types outside the allowlist."""


class Problem(str):
    """One problem in English (the string itself) that also knows its Dutch wording (``.nl``)."""

    nl: str

    def __new__(cls, en: str, nl: str) -> Self:
        problem = super().__new__(cls, en)
        problem.nl = nl
        return problem


class SpecError(ExplainError):
    """A feature spec (or reference data) has problems; ``problems`` lists every one of them.

    A problem is a plain string (English) or a ``Problem`` with its Dutch wording as well.
    """

    def __init__(self, problems: list[str], what: str = "feature spec"):
        self.problems = list(problems)
        en = f"The {what} has {len(problems)} problem(s): " + "; ".join(problems)
        nl_what = "featurespecificatie" if what == "feature spec" else "referentiedata"
        dutch = [getattr(p, "nl", p) for p in problems]
        nl = f"De {nl_what} heeft {len(problems)} probleem/problemen: " + "; ".join(dutch)
        super().__init__("spec_invalid", en, nl, details=problems)


class InputError(ExplainError):
    """Inputs for one case are not valid; ``errors`` maps field name to a plain message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        text = "; ".join(f"{k}: {v}" for k, v in errors.items())
        super().__init__("input_invalid", f"Invalid input: {text}", f"Ongeldige invoer: {text}")


class AdditivityError(ExplainError):
    """Base value plus contributions did not equal the model output: the explanation is wrong."""


class ExplainerError(ExplainError):
    """The model cannot be explained with the given spec (for example, unmappable columns)."""
