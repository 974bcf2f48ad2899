"""``stadsregister models register``, ``decisions batch`` and ``purge``."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from register.cli import _session


def _algorithm(session, code: str):
    from register.services import algorithms as algos

    algorithm = algos.get_by_code(session, code)
    if algorithm is None:
        raise click.ClickException(f"No algorithm with code {code.upper()}.")
    return algorithm


@click.group("models")
def models_group() -> None:
    """Model versions of algorithms."""


@models_group.command("register")
@click.option("--algorithm", "code", required=True, help="The algorithm's public code, e.g. A-7K3Q.")
@click.option("--note", help="What changed, for the public history.")
@click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("reference", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def models_register(code: str, note: str | None, model: Path, spec: Path, reference: Path) -> None:
    """Register MODEL.skops with its SPEC and REFERENCE.csv and publish it with the entry."""
    from register.services.model_versions import RegistrationFailed, register_model

    with _session() as session:
        algorithm = _algorithm(session, code)
        try:
            version = register_model(session=session, user=None, algorithm=algorithm,
                                     data_dir=current_app.config["DATA_DIR"], model=model.read_bytes(),
                                     model_name=model.name, spec=spec.read_bytes(), spec_name=spec.name,
                                     reference=reference.read_bytes(), publish=True, note=note)
        except RegistrationFailed as error:
            raise click.ClickException(f"{error.field}: {error.message('en')}") from error
        click.echo(f"Registered model version {version.number} of {algorithm.code} "
                   f"(SHA-256 {version.sha256}, {version.method} explainer) and published it.")


@click.group("decisions")
def decisions_group() -> None:
    """Decision receipts for letters."""


@decisions_group.command("batch")
@click.option("--algorithm", "code", required=True, help="The algorithm's public code.")
@click.option("--chunk", default=1000, show_default=True, help="Cases explained and stored per transaction.")
@click.argument("cases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def decisions_batch(code: str, chunk: int, cases: Path, out: Path) -> None:
    """Create a receipt per row of CASES (CSV: the model's input columns and optionally case_ref) and write
    one URL per case to OUT. Bad rows are reported by line; re-running gives the same URLs."""
    from register.services.decisions import NoModel, Withdrawn, create_receipts

    base = current_app.config["BASE_URL"].rstrip("/")
    with cases.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    bad = 0
    with _session() as session, out.open("w", newline="", encoding="utf-8") as target:
        algorithm = _algorithm(session, code)
        writer = csv.writer(target)
        writer.writerow(["line", "case_ref", "url", "reference", "algorithm", "error"])
        with click.progressbar(length=len(rows), label=f"Explaining {len(rows)} cases", file=sys.stderr) as bar:
            for start in range(0, len(rows), chunk):
                part = rows[start:start + chunk]
                cases_in = [({k: v for k, v in row.items() if k != "case_ref"}, (row.get("case_ref") or "").strip() or None)
                            for row in part]
                try:
                    results = create_receipts(session=session, algorithm=algorithm, cases=cases_in,
                                              secret=current_app.config["SECRET_KEY"], data_dir=current_app.config["DATA_DIR"])
                except Withdrawn as error:
                    raise click.ClickException(f"{algorithm.code} is {error.state}: no new decisions are "
                                               "explained with it.") from error
                except NoModel as error:
                    raise click.ClickException(f"{algorithm.code} has no published model.") from error
                for offset, (token, receipt, errors) in enumerate(results):
                    line = start + offset + 2  # the header is line 1
                    case_ref = cases_in[offset][1] or ""
                    if errors:
                        bad += 1
                        problem = "; ".join(f"{field}: {message}" for field, message in errors.items())
                        writer.writerow([line, case_ref, "", "", algorithm.code, problem])
                        click.echo(f"line {line}: {problem}", err=True)
                    else:
                        writer.writerow([line, case_ref, f"{base}/d/{token}", receipt.short_code, algorithm.code, ""])
                bar.update(len(part))
    click.echo(f"{len(rows) - bad} receipts written to {out}; {bad} rows refused.")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete every expired decision receipt (opened or not), and the files a crash or an abandoned
    upload left: half-written temp files, stored files no row refers to, sensor-import uploads and
    working folders older than an hour."""
    from register.services.decisions import purge
    from register.services.upkeep import purge_files

    with _session() as session:
        click.echo(f"Deleted {purge(session)} expired decision receipts.")
        files = purge_files(session, current_app.config["DATA_DIR"])
    click.echo(f"Deleted {files['temp']} half-written temp files, {files['unreferenced']} stored files no row "
               f"refers to, {files['imports']} unfinished sensor-import uploads and {files['workdirs']} "
               "working folders.")


COMMANDS = [models_group, decisions_group, purge_command]
