"""Stadsregister: the city's public register of algorithms and sensors."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from register import config as settings
from register import db

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None, *, web: bool = True) -> Flask:
    """Build the application; ``config`` overrides environment and instance settings.

    ``web=False`` leaves out the web layer (blueprints, translations, caches, the commands): an app
    for a command that only needs settings and the database, such as ``decisions batch``, which
    then starts a second sooner (issue 16)."""
    app = Flask(__name__, instance_path=os.environ.get("STADSREGISTER_INSTANCE_PATH") or str(ROOT / "instance"),
                instance_relative_config=True, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "register" / "static"))
    values = dict(settings.DEFAULTS)
    instance_file = Path(app.instance_path) / "config.py"
    if instance_file.exists():
        app.config.from_pyfile(str(instance_file))
        values.update({k: app.config[k] for k in settings.DEFAULTS if k in app.config})
    values.update(settings.from_environment())
    values.update(config or {})
    app.config.update(settings.finalise(values, app.instance_path))

    db.init_app(app)
    from register.services.snapshots import use_snapshots

    use_snapshots(app.config["DATA_DIR"], app.config["SECRET_KEY"])  # built explainers kept in DATA_DIR (#16)
    if not web:
        return app
    from register.web import init_app as init_web

    init_web(app)
    from register.cli import register_commands

    register_commands(app)
    return app
