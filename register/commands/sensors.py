"""``stadsregister sensors import|export|reminders``."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select


def _session() -> Session:
    return Session(current_app.extensions["stadsregister.engine"], expire_on_commit=False)


def _boundary():
    import geo

    path = current_app.config.get("SENSOR_BOUNDARY_FILE")
    return geo.Boundary.from_file(path) if path else geo.Boundary.default()


@click.group("sensors")
def sensors_group() -> None:
    """The sensor register: import, open-data export, reminders."""


@sensors_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", required=True, help="Name of the owning organisation (as in the register).")
@click.option("--valid-only", is_flag=True, help="Import the valid rows and report the others.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="en", show_default=True)
@with_appcontext
def sensors_import(file: Path, owner: str, valid_only: bool, lang: str) -> None:
    """Import sensors from CSV, GeoJSON, GeoPackage or Amsterdam's workbook (.xlsx).

    All-or-nothing by default: a file with errors changes nothing.  Re-importing updates the
    owner's sensors by reference."""
    from register.models import Organisation
    from register.services import sensor_io

    with _session() as session:
        organisation = session.exec(select(Organisation).where(Organisation.name == owner)).first()
        if organisation is None:
            raise click.UsageError(f"No organisation named {owner!r}. Create it first, e.g. with "
                                   "'stadsregister users create … --organisation'.")
        try:
            result = sensor_io.import_file(session, file, organisation=organisation, user=None,
                                           valid_only=valid_only, locale=lang, boundary=_boundary(),
                                           check_permission=False)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    for line in result.lines():
        click.echo(line)
    if not result.written or result.report.errors:  # exit codes: README, "Command line" (#17)
        sys.exit(1)


@sensors_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["geojson", "csv", "gpkg"]), default="geojson",
              show_default=True)
@click.option("--include-expired", is_flag=True, help="Also sensors past their end date, and removed ones.")
@with_appcontext
def sensors_export(file: Path, fmt: str, include_expired: bool) -> None:
    """Write the open-data export (public fields only) to FILE."""
    from register.services import sensors as svc

    with _session() as session:
        data = svc.export(session, fmt, svc.Filters(include_expired=include_expired),
                          site_url=current_app.config["BASE_URL"].rstrip("/"))
    file.write_bytes(data)
    click.echo(f"Wrote {file} ({len(data):,} bytes).")


@sensors_group.command("reminders")
@with_appcontext
def sensors_reminders() -> None:
    """Mark sensors past their end date, and list owners whose sensors end within 30 days or
    were not confirmed for a year (with the accounts to remind).  Deletes relay messages older
    than 180 days."""
    from register.services import sensors as svc

    with _session() as session:
        marked = svc.mark_expired(session)
        purged = svc.purge_messages(session)
        owners = svc.reminders(session)
    click.echo(f"Marked {marked} sensors as past their end date; deleted {purged} old relay messages.")
    if not owners:
        click.echo("No reminders.")
    for owner in owners:
        click.echo(f"{owner['organisation']} ({', '.join(owner['accounts']) or 'no accounts'}): "
                   f"{len(owner['sensors'])} sensors")
        for sensor in owner["sensors"]:
            reasons = " and ".join({"ends": f"ends {sensor['end_date']}",
                                    "unconfirmed": "not confirmed for a year"}[r] for r in sensor["reasons"])
            click.echo(f"  {sensor['reference']} (#{sensor['id']}): {reasons}")


COMMANDS = [sensors_group]
