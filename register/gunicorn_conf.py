"""gunicorn settings for production: ``gunicorn -c python:register.gunicorn_conf 'register:create_app()'``.

Options given on the command line (``--workers``, ``--bind``) override these. The access log never
shows a decision receipt's token: ``/d/<token>`` is written as ``/d/[token]`` in the request line,
the path and the Referer (issue 12, point 12), because the token alone opens one resident's
explanation.
"""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

RECEIPT_PATH = re.compile(r"/d/[^/?#\s\"]+?(?=\.pdf\b|\.json\b|[/?#\s\"]|$)")


def redact(text: str) -> str:
    """``text`` with every receipt token in a ``/d/<token>`` path replaced by ``[token]``."""
    return RECEIPT_PATH.sub("/d/[token]", text)


class RedactingLogger(Logger):
    """gunicorn's logger, with receipt tokens taken out of every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
bind = "0.0.0.0:8000"
workers = 4
accesslog = "-"  # stdout; give --access-logfile PATH to write a file
errorlog = "-"
