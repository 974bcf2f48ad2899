"""Receipt tokens never reach a log (issue 12, point 12): ``/d/<token>`` opens one resident's explanation.

A request reaches the receipt views by many spellings of the same path: percent-encoded
(``/d/%41bc…``, ``%2Fd%2F…``, ``%2e``pdf), with doubled slashes (``//d//…``, which the router
redirects to ``/d/…``), with the ``.pdf`` or ``.json`` suffix. So every word of a log line is first
decoded as the router decodes a path, and slashes are merged; a word that then holds a receipt path is
written decoded, with the token replaced by ``[token]``. Other words are logged exactly as they came.

Used by the werkzeug development server's log, the app's own logger and gunicorn's access and error
logs (``register/gunicorn_conf.py``: ``RedactingLogger``).
"""
from __future__ import annotations

import logging
import re
from urllib.parse import unquote

_WORD = re.compile(r"[^\s\"'<>]+")
_SCHEME_AND_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*")
_RECEIPT = re.compile(r"/d/[^/?#]+?(?=\.(?:pdf|json)(?:[/?#]|$)|[/?#]|$)", re.IGNORECASE)
_SLASHES = re.compile(r"/{2,}")
_MAYBE = re.compile(r"(?:/|%2f)+(?:d|%[46]4)(?:/|%2f)", re.IGNORECASE)  # cheap test before decoding
MARK = "/d/[token]"


def _decoded(word: str) -> str:
    """``word`` as the router sees it: percent-decoded once, slashes merged (outside ``scheme://``)."""
    text = unquote(word, errors="replace")
    prefix = _SCHEME_AND_HOST.match(text)
    head, rest = (prefix.group(0), text[prefix.end():]) if prefix else ("", text)
    return head + _SLASHES.sub("/", rest)


def _redact_word(match: re.Match) -> str:
    word = match.group(0)
    if not _MAYBE.search(word):
        return word
    decoded = _decoded(word)
    return _RECEIPT.sub(MARK, decoded) if _RECEIPT.search(decoded) else word


def redact(text: str) -> str:
    """``text`` with the token of every receipt path, however it is spelled, replaced by ``[token]``."""
    return _WORD.sub(_redact_word, text)


class RedactReceiptTokens(logging.Filter):
    """A log filter: the message, its arguments and any traceback lose their receipt tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = redact(record.getMessage()), ()
        except (TypeError, ValueError, KeyError):  # arguments that do not fit: logging reports that itself
            record.msg = redact(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def protect(*loggers: logging.Logger) -> None:
    """Add the filter to each logger once (app factories and gunicorn workers call this repeatedly)."""
    for logger in loggers:
        if not any(isinstance(f, RedactReceiptTokens) for f in logger.filters):
            logger.addFilter(RedactReceiptTokens())


def __getattr__(name: str):
    """``RedactingLogger``, gunicorn's logger with every field redacted; built on first use so that the
    app itself never imports gunicorn (the development server and the tests run without it)."""
    if name != "RedactingLogger":
        raise AttributeError(name)
    from gunicorn.glogging import Logger

    class RedactingLogger(Logger):
        """gunicorn's logger: receipt tokens taken out of every access-log field and error-log line."""

        def __init__(self, cfg):
            super().__init__(cfg)
            protect(self.error_log, self.access_log)

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

    globals()["RedactingLogger"] = RedactingLogger
    return RedactingLogger
