"""``stadsregister lockin publish YEAR``: freeze a year of the Vendor Lock-in Index (issue 15)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from register.cli import _session


@click.group("lockin")
def lockin_group() -> None:
    """The yearly Vendor Lock-in Index."""


@lockin_group.command("publish")
@click.argument("year", type=click.IntRange(2000, 2100))
@with_appcontext
def lockin_publish(year: int) -> None:
    """Compute the index for YEAR from the published entries and freeze it (once per year)."""
    from register.services import lockin

    with _session() as session:
        try:
            row = lockin.publish(session, year)
        except lockin.AlreadyPublished:
            raise click.ClickException(f"The index for {year} is already published and frozen; it is never recomputed.")
        city = row.result["city"]
        click.echo(f"Published the Vendor Lock-in Index {year} (method {row.method_version}): "
                   f"{len(row.result['domains'])} domains, {city['entries']} entries, city score {city['score']}.")


COMMANDS = [lockin_group]
