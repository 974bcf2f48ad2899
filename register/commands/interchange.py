"""``stadsregister algorithms publish-national`` and ``algorithms export-eu`` (issue #17).

They join the core ``algorithms`` group. Exit codes as every command: 0 full success, 1 when
some records were refused or failed (the report and any output are written), 2 usage errors.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from register.cli import _session, algorithms_group


@algorithms_group.command("publish-national")
@click.option("--organisation", "organisation_name", required=True, help="The organisation whose entries to send.")
@click.option("--national-id", help="The organisation's id in the national register "
                                    "(default: from STADSREGISTER_NATIONAL_ORGANISATION_IDS).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="en", show_default=True)
@with_appcontext
def publish_national(organisation_name: str, national_id: str | None, lang: str) -> None:
    """Send the organisation's new, changed and retracted published entries to the national register's
    submission API (STADSREGISTER_NATIONAL_API_URL, …_TOKEN); what was sent is remembered per version."""
    from register.models import Organisation
    from register.services import national_submit

    config = current_app.config
    if not config.get("NATIONAL_API_URL") or not config.get("NATIONAL_API_TOKEN"):
        raise click.UsageError("Set STADSREGISTER_NATIONAL_API_URL and STADSREGISTER_NATIONAL_API_TOKEN.")
    national_id = national_id or national_submit.organisation_ids(
        config.get("NATIONAL_ORGANISATION_IDS", "")).get(organisation_name)
    if not national_id:
        raise click.UsageError(f"No national id for {organisation_name!r}: give --national-id or set "
                               "STADSREGISTER_NATIONAL_ORGANISATION_IDS.")
    with _session() as session:
        organisation = session.exec(select(Organisation).where(Organisation.name == organisation_name)).first()
        if organisation is None:
            raise click.UsageError(f"No organisation named {organisation_name!r}.")
        client = national_submit.Client(config["NATIONAL_API_URL"], config["NATIONAL_API_TOKEN"], national_id,
                                        locale=lang)
        results = national_submit.publish_national(
            session=session, organisation=organisation, client=client, locale=lang,
            on_wait=lambda entry: click.echo(f"Waiting: someone else is sending {entry.code} right now.", err=True))
    for line in national_submit.report_lines(results, lang):
        click.echo(line)
    if not all(r.ok for r in results):
        sys.exit(1)


@algorithms_group.command("export-eu")
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="Every published high-risk (category A) entry.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON here (default: stdout).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="en", show_default=True)
@with_appcontext
def export_eu(code: str | None, every: bool, output: Path | None, lang: str) -> None:
    """The deployer's registration data for the EU AI Act database (Annex VIII Section C) of CODE or --all
    high-risk entries. Exits 1 when an entry still misses data (the export is written with what is known)."""
    from register.services import algorithms as algos
    from register.services import eu_database

    if bool(code) == every:
        raise click.UsageError("Give one CODE or --all.")
    with _session() as session:
        if every:
            algorithms = eu_database.high_risk_algorithms(session)
        else:
            algorithm = algos.get_by_code(session, code)
            if algorithm is None or algorithm.public_state not in ("published", "archived"):
                raise click.UsageError(f"No published algorithm with code {code.upper()}.")
            algorithms = [algorithm]
        records = [eu_database.registration(session, a, base_url=current_app.config["BASE_URL"], locale=lang)
                   for a in algorithms]
    text = json.dumps(records, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)
    else:
        click.echo(text)
    for record in records:
        for missing in record["missing"]:
            click.echo(f"{record['code']}, {missing['item']}: {missing['message']}", err=True)
    if any(record["missing"] for record in records):
        sys.exit(1)


COMMANDS: list = []  # the commands above join the core ``algorithms`` group
