"""gunicorn settings for production: ``gunicorn -c python:register.gunicorn_conf 'register:create_app()'``.

Options given on the command line (``--workers``, ``--bind``) override these. The access log never
shows a decision receipt's token: ``/d/<token>`` is written as ``/d/[token]`` in the request line,
the path and the Referer (issue 12, point 12), because the token alone opens one resident's
explanation.

The app is loaded once in the master (``preload_app``) and its caches — explainers of published
models with a first explanation done, the list's index, the sensor map's index — are built there
before the workers are forked (issue 16), so no worker's first visitors wait for them and the
workers share that memory copy-on-write. The master's database connections are closed before
forking; each worker opens its own.
"""
from __future__ import annotations

from register.web.log_redaction import RedactingLogger  # receipt tokens never logged (issue 12)

def when_ready(server) -> None:
    """In the master, after the app was loaded and before any worker is forked: finish warming."""
    if server.cfg.preload_app:
        from register.web import warm

        report = warm.finish(server.app.wsgi())
        server.log.info("Caches warm before forking: %s", report)


def post_worker_init(worker) -> None:
    """Without preload, each worker warms its own caches in the background as it starts."""
    if not worker.cfg.preload_app and hasattr(worker.wsgi, "extensions"):  # not gunicorn's "failed to load" app
        from register.web import warm

        warm.start(worker.wsgi)


def post_fork(server, worker) -> None:
    """In each new worker: the parent's pooled connections are not this process's to use."""
    if server.cfg.preload_app:
        from register.web import warm

        warm.after_fork(server.app.wsgi())


logger_class = RedactingLogger
preload_app = True
bind = "0.0.0.0:8000"
workers = 4
accesslog = "-"  # stdout; give --access-logfile PATH to write a file
errorlog = "-"
