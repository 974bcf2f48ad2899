"""gunicorn settings for production: ``gunicorn -c python:register.gunicorn_conf 'register:create_app()'``.

Options given on the command line (``--workers``, ``--bind``) override these. The access log never
shows a decision receipt's token: ``/d/<token>`` is written as ``/d/[token]`` in the request line,
the path and the Referer (issue 12, point 12), because the token alone opens one resident's
explanation.
"""
from __future__ import annotations

from register.web.log_redaction import RedactingLogger  # receipt tokens never logged (issue 12)

logger_class = RedactingLogger
bind = "0.0.0.0:8000"
workers = 4
accesslog = "-"  # stdout; give --access-logfile PATH to write a file
errorlog = "-"
