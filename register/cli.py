"""The ``stadsregister`` command: a Flask CLI group with the register's maintenance commands.

Flask is imported when a command needs the app, not with this module: ``stadsregister decisions
batch`` is found and run without it (issue 16: its start-up before the first receipt)."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from register import db

WITHOUT_WEB = "stadsregister_without_web"


def without_web(command: click.Command) -> click.Command:
    """Mark a command whose app needs no web layer (see ``create_app(web=False)``)."""
    setattr(command, WITHOUT_WEB, True)
    return command


def with_appcontext(f):
    """``flask.cli.with_appcontext``, with Flask imported when the command runs."""

    @click.pass_context
    def decorator(ctx: click.Context, /, *args, **kwargs):
        from flask.cli import with_appcontext as flask_with_appcontext

        return ctx.invoke(flask_with_appcontext(f), *args, **kwargs)

    return functools.update_wrapper(decorator, f)


def _create_app():
    from register import create_app

    context = click.get_current_context(silent=True)
    command = context.command if context is not None else None
    return create_app(web=not getattr(command, WITHOUT_WEB, False))


class _Main(click.Group):
    """The installed command.  A command line that starts with one of this group's own commands
    (``decisions``) is run by it, without Flask; every other one by the Flask CLI group
    (``_flask_main``: ``--app``, ``--env-file``, ``run``, ``shell``, the app's commands, --help)."""

    def main(self, args=None, prog_name=None, **extra):
        argv = sys.argv[1:] if args is None else list(args)
        if argv and argv[0] in self.commands:
            if not _load_dotenv():
                return _flask_main().main(args, prog_name, **extra)
            return super().main(argv, prog_name, **extra)
        return _flask_main().main(args, prog_name, **extra)


def _load_dotenv() -> bool:
    """What the Flask CLI group does before any command: ``.flaskenv`` and ``.env`` (found from the
    working folder up) and the file ``FLASK_ENV_FILE`` names set the environment variables not set
    yet, unless ``FLASK_SKIP_DOTENV`` says not to.  False when python-dotenv is missing (the Flask
    group then says what it says about that)."""
    try:
        import dotenv
    except ImportError:
        return False
    skip = os.environ.get("FLASK_SKIP_DOTENV")
    defaults = not skip or skip.lower() in ("0", "false", "no")
    path = os.environ.get("FLASK_ENV_FILE") or None
    data: dict[str, str | None] = {}
    if defaults:
        for default_name in (".flaskenv", ".env"):
            if default_path := dotenv.find_dotenv(default_name, usecwd=True):
                data |= dotenv.dotenv_values(default_path, encoding="utf-8")
    if path is not None:
        if not os.path.isfile(path):
            return False  # the Flask group reports a missing --env-file
        data |= dotenv.dotenv_values(path, encoding="utf-8")
    for key, value in data.items():
        if key not in os.environ and value is not None:
            os.environ[key] = value
    return True


@click.group(cls=_Main, context_settings={"auto_envvar_prefix": "FLASK"})
def main() -> None:
    """Stadsregister: the city's register of algorithms and sensors."""


@functools.cache
def _flask_main() -> click.Group:
    """The Flask CLI group with ``main``'s commands; the app's own commands are found through the app."""
    from flask.cli import FlaskGroup

    class _Group(FlaskGroup):
        def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
            """The register's own commands first: finding them loads no Flask plugin's commands (the
            rate limiter's bring the ``rich`` library: a tenth of a second of a command's start-up)."""
            return self.commands.get(name) or super().get_command(ctx, name)

    group = _Group(name=main.name, callback=main.callback, help=main.help, create_app=_create_app)
    for command in main.commands.values():
        group.add_command(command)
    return group


def register_commands(app) -> None:
    """Attach the commands to ``app`` (so ``flask --app register`` has them too)."""
    from register.commands import all_commands

    for command in (db_group, algorithms_group, users_group, demo_command, *all_commands()):
        app.cli.add_command(command)


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the committed migrations."""
    from flask import current_app

    db.upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.group("algorithms")
def algorithms_group() -> None:
    """Import and export entries in the national publication standard."""


@algorithms_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-only", "--skip-invalid", "skip_invalid", is_flag=True,
              help="Import the valid records and report the others (--skip-invalid is the same).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def algorithms_import(file: Path, skip_invalid: bool, lang: str) -> None:
    """Import one record or a list of records (JSON in the v1.0.0 shape or the national register's own);
    all-or-nothing by default. Exits 1 when any record was refused (see the README's exit codes)."""
    from register.services.interchange import import_file

    with _session() as session:
        try:
            report = import_file(session, file, skip_invalid=skip_invalid, locale=lang)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    for line in report.lines(lang):
        click.echo(line)
    if report.errors:
        sys.exit(1)


@algorithms_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--standard-only", is_flag=True, help="Leave out Stadsregister's own fields.")
@click.option("--shape", type=click.Choice(["standard", "national"]), default="standard", show_default=True,
              help="The publication standard's field names, or the national register's own.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="en", show_default=True)
@with_appcontext
def algorithms_export(file: Path, fmt: str, standard_only: bool, shape: str, lang: str) -> None:
    """Write every published entry to FILE (JSON validates against the standard's schema, or is the
    national register's shape). Exits 1 when a record would exceed what the national register accepts."""
    from register.services.interchange import export_csv, export_json, export_national

    if shape == "national" and fmt != "json":
        raise click.UsageError("--shape national is written as JSON only.")
    problems: list[dict] = []
    with _session() as session:
        if shape == "national":
            text, problems = export_national(session, locale=lang)
        else:
            text = (export_json if fmt == "json" else export_csv)(session, extensions=not standard_only)
    file.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {file}.")
    for problem in problems:
        click.echo(f"{problem['code']}, {problem['field']}: {problem['message']}")
    if any(p["blocking"] for p in problems):
        sys.exit(1)


@click.group("users")
def users_group() -> None:
    """Accounts and roles."""


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--organisation", "organisation_name", help="Organisation the account works for.")
@click.option("--role", type=click.Choice(["registrant", "approver"]), multiple=True)
@click.option("--admin", is_flag=True, help="Site administrator (all organisations).")
@with_appcontext
def users_create(email: str, name: str, password: str, organisation_name: str | None, role: tuple[str, ...],
                 admin: bool) -> None:
    """Create an account, optionally with roles in an organisation."""
    from register.services import accounts

    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="--password")
    if role and not organisation_name:
        raise click.BadParameter("a role needs --organisation", param_hint="--role")
    with _session() as session:
        user = accounts.create_user(session=session, email=email, name=name, password=password, is_admin=admin)
        if organisation_name:
            organisation = accounts.get_or_create_organisation(session=session, name=organisation_name)
            for each in role:
                accounts.grant(session=session, user=user, organisation=organisation, role=each)
        session.commit()
    click.echo(f"Created {email}.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo content (idempotent): organisations, accounts and entries."""
    from flask import current_app

    from register.services.demo import DEMO_LOADERS

    db.upgrade(current_app.config["DATABASE_URL"])
    for loader in DEMO_LOADERS:
        with _session() as session:
            for line in loader(session):
                click.echo(line)


def _session():
    from flask import current_app
    from sqlmodel import Session

    return Session(current_app.extensions["stadsregister.engine"], expire_on_commit=False)


# ``decisions`` is found without loading the app, so its ``batch`` command's app is made when the
# command runs, knowing that it needs no web layer (issue 16: start-up before the first case).
from register.commands.explanations import decisions_group

main.add_command(decisions_group)
