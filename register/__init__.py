"""Stadsregister: the city's public register of algorithms and sensors."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from register import config as settings

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def instance_path() -> str:
    """The instance folder: ``STADSREGISTER_INSTANCE_PATH``, else ``instance/`` next to the code."""
    return os.environ.get("STADSREGISTER_INSTANCE_PATH") or str(ROOT / "instance")


def load_settings(config: dict | None, instance: str, instance_values) -> dict:
    """The settings, lowest first: defaults, ``instance_values`` (read from ``instance/config.py``),
    ``STADSREGISTER_*`` environment variables, ``config``; finalised (derived defaults, checks)."""
    values = dict(settings.DEFAULTS)
    values.update({k: instance_values[k] for k in settings.DEFAULTS if k in instance_values})
    values.update(settings.from_environment())
    values.update(config or {})
    return settings.finalise(values, instance)


def create_app(config: dict | None = None, *, web: bool = True) -> Flask:
    """Build the application; ``config`` overrides environment and instance settings.

    ``web=False`` leaves out the web layer (blueprints, translations, caches, the commands): an app
    for a command that only needs settings and the database.  ``decisions batch`` needs no app at
    all (``open_register``)."""
    from flask import Flask

    from register import db

    app = Flask(__name__, instance_path=instance_path(), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "register" / "static"))
    instance_file = Path(app.instance_path) / "config.py"
    if instance_file.exists():
        app.config.from_pyfile(str(instance_file))
    app.config.update(load_settings(config, app.instance_path, app.config))

    db.init_app(app)
    from register.services.snapshots import use_snapshots

    use_snapshots(app.config["DATA_DIR"], app.config["SECRET_KEY"])  # built explainers kept in DATA_DIR (#16)
    if not web:
        return app
    from register import models
    from register.web import init_app as init_web

    models.load_all()  # the web app has every table registered, whichever views use them
    init_web(app)
    from register.cli import register_commands

    register_commands(app)
    return app


@dataclass(frozen=True)
class Register:
    """What a command that needs no Flask app works with: the settings and the database engine."""

    config: dict
    engine: Engine


def open_register(config: dict | None = None) -> Register:
    """The settings and the engine as ``create_app`` makes them (the same instance file, environment
    and checks, explainer snapshots in DATA_DIR), without Flask: importing Flask, Werkzeug and Jinja
    is a tenth of a second that ``decisions batch`` and its workers have no use for (issue 16)."""
    from register import db
    from register.services.snapshots import use_snapshots

    instance = instance_path()
    values = load_settings(config, instance, _instance_file_values(Path(instance) / "config.py"))
    engine = db.engine_for(values["DATABASE_URL"])
    use_snapshots(values["DATA_DIR"], values["SECRET_KEY"])
    return Register(values, engine)


def _instance_file_values(path: Path) -> dict:
    """The upper-case names ``instance/config.py`` sets, read as Flask's ``config.from_pyfile`` reads them."""
    if not path.exists():
        return {}
    import types

    module = types.ModuleType("config")
    module.__file__ = str(path)
    exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)  # noqa: S102 - the operator's own settings
    return {key: getattr(module, key) for key in dir(module) if key.isupper()}
