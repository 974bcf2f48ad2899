"""``stadsregister models register``, ``decisions batch`` and ``purge``."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from register.cli import _session, with_appcontext, without_web


def _algorithm(session, code: str):
    from register.services import algorithms as algos

    algorithm = algos.get_by_code(session, code)
    if algorithm is None:
        raise click.UsageError(f"No algorithm with code {code.upper()}.")
    return algorithm


@click.group("models")
def models_group() -> None:
    """Model versions of algorithms."""


@models_group.command("register")
@click.option("--algorithm", "code", required=True, help="The algorithm's public code, e.g. A-7K3Q.")
@click.option("--note", help="What changed, for the public history.")
@click.option("--preprocessing", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A booster's preprocessing step (.skops) that turns the inputs into its columns.")
@click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("reference", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@with_appcontext
def models_register(code: str, note: str | None, preprocessing: Path | None, model: Path, spec: Path,
                    reference: Path | None) -> None:
    """Register MODEL with its SPEC and REFERENCE.csv and publish it with the entry.

    The kind is told from MODEL's content: a .skops scikit-learn model or text pipeline, DMN
    decision rules (REFERENCE optional), an XGBoost JSON/UBJ or LightGBM text model (with
    --preprocessing when it follows a .skops step), or an ONNX model."""
    from flask import current_app

    from register.services.algorithms import WorkflowError
    from register.services.model_versions import RegistrationFailed, register_model

    with _session() as session:
        algorithm = _algorithm(session, code)
        try:
            version = register_model(session=session, user=None, algorithm=algorithm,
                                     data_dir=current_app.config["DATA_DIR"], model=model.read_bytes(),
                                     model_name=model.name, spec=spec.read_bytes(), spec_name=spec.name,
                                     reference=reference.read_bytes() if reference else None, publish=True,
                                     note=note, extra=preprocessing.read_bytes() if preprocessing else None)
        except RegistrationFailed as error:
            raise click.ClickException(f"{error.field}: {error.message('en')}") from error
        except WorkflowError as error:  # an archived or retracted entry takes no new model
            raise click.ClickException(str(error)) from error
        click.echo(f"Registered model version {version.number} of {algorithm.code} "
                   f"({version.kind}, SHA-256 {version.sha256}, {version.method} explainer) and published it.")


@models_group.command("spec-init")
@click.argument("model", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("reference", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the draft here (default: print it).")
@click.option("--outcome", "outcome_column", help="The reference data's outcome column, if it cannot be told.")
def models_spec_init(model: Path, reference: Path | None, out: Path | None, outcome_column: str | None) -> None:
    """Draft a feature spec from MODEL.skops's input names and REFERENCE.csv, to complete by hand.

    Kinds, ranges, categories and the outcome are taken from the data; labels and wordings are
    yours to write (see /help/feature-spec). What to check is printed after the draft. For DMN
    decision rules (told from the file's content) the draft comes from the tables alone.
    """

    import pandas as pd

    import explain
    from explain.spec_draft import draft_spec

    data = model.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # DMN XML: the tables say enough
        from explain.dmn import load_dmn
        from explain.dmn.draft import draft_rules_spec

        try:
            spec, notes = draft_rules_spec(load_dmn(data))
        except explain.IntakeError as error:
            raise click.ClickException(error.message("en")) from error
        _write_draft(spec, notes, out)
        return
    if reference is None:
        raise click.UsageError("Give the reference data (CSV) as the second argument.")

    try:
        loaded = explain.load_model(model)
    except explain.IntakeError as error:
        raise click.ClickException(error.message("en")) from error
    try:
        frame = pd.read_csv(reference)
    except (ValueError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{reference.name} is not a readable CSV file: {error}") from error
    if outcome_column and outcome_column not in frame.columns:
        raise click.BadParameter(f"not a column of {reference.name}; it has {', '.join(map(str, frame.columns))}",
                                 param_hint="--outcome")
    try:
        spec, notes = draft_spec(loaded.estimator, frame, outcome_column=outcome_column)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    _write_draft(spec, notes, out)


def _write_draft(spec: dict, notes: list[str], out: Path | None) -> None:
    import json

    text = json.dumps(spec, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote a draft spec to {out}.", err=True)
    else:
        click.echo(text, nl=False)
    click.echo("Check before registering:", err=True)
    for note in notes:
        click.echo(f"- {note}", err=True)


@click.group("decisions")
def decisions_group() -> None:
    """Decision receipts for letters."""


@without_web
@decisions_group.command("batch")
@click.option("--algorithm", "code", required=True, help="The algorithm's public code.")
@click.option("--chunk", default=1000, show_default=True, help="Cases explained and stored per transaction.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes that explain chunks side by side; the output stays in input order.")
@click.option("--shard", default="1/1", show_default=True,
              help="i/N: this machine takes every N-th case from the i-th; sort the N outputs by line.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="en", show_default=True,
              help="How numbers in CASES are written: nl '1.250,5', en '1,250.5'; messages in this language.")
@click.argument("cases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def decisions_batch(ctx: click.Context, code: str, chunk: int, workers: int, shard: str, lang: str, cases: Path,
                    out: Path) -> None:
    """Create a receipt per row of CASES (CSV: the model's input columns and optionally case_ref) and write
    one URL per case to OUT. Bad rows are reported by line; re-running gives the same URLs. A number that
    reads as two plausible values ('1.250': 1250 or 1.25) is refused on its line, never guessed."""
    import time

    from sqlmodel import Session

    from geo.cells import spreadsheet_safe
    from register.services import batch
    from register.services.decisions import NoModel, Withdrawn, model_for
    from register.services.model_versions import EXPLAINERS

    config, engine = _register(ctx)
    try:
        rows = batch.read_cases(cases, batch.parse_shard(shard))
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    bad, started, first = 0, time.monotonic(), None
    with Session(engine, expire_on_commit=False) as session, out.open("w", newline="", encoding="utf-8") as target:
        algorithm = _algorithm(session, code)
        try:
            _version, model = model_for(session, algorithm)
        except Withdrawn as error:  # retracted or archived: no new decisions (issue 12)
            raise click.UsageError(f"{algorithm.code} is {error.state}: no new decisions are explained with it.") \
                from error
        except NoModel as error:
            raise click.UsageError(f"{algorithm.code} has no published model.") from error
        writer = csv.writer(target)
        writer.writerow(["line", "case_ref", "url", "reference", "algorithm", "error"])
        if model.kind == "sklearn":
            warm = lambda: EXPLAINERS.get(model, config["DATA_DIR"])
        else:  # rules, boosters, text, ONNX (issue 11)
            from register.services.model_kinds import runtime_for

            warm = lambda: runtime_for(model, config["DATA_DIR"])
        with click.progressbar(length=len(rows), label=f"Explaining {len(rows)} cases", file=sys.stderr) as bar:
            for lines in batch.run(session=session, algorithm=algorithm, cases=rows, locale=lang,
                                   config=dict(config), workers=workers, chunk=chunk, warm=warm):
                first = first or time.monotonic() - started
                for line in lines:
                    if line.error:
                        bad += 1
                        click.echo(f"line {line.line}: {line.error}", err=True)
                    # case_ref and error echo the input file: no cell may run as a formula (issue 12)
                    writer.writerow([spreadsheet_safe(cell) for cell in (
                        line.line, line.case_ref, line.url, line.reference, algorithm.code, line.error)])
                bar.update(len(lines))
    click.echo(f"{len(rows) - bad} receipts written to {out}; {bad} rows refused "
               f"(first chunk after {first or 0:.1f} s, all after {time.monotonic() - started:.1f} s).")
    _quick_exit()
    if bad:  # a cron job must see that rows were refused, above all when every row was (#17)
        sys.exit(1)


def _register(ctx: click.Context) -> tuple[dict, object]:
    """The settings and the database engine: the app's when the command runs under Flask's command
    line (``flask --app register``, ``stadsregister --env-file …``, a test's runner), else read and
    opened as the app would, without importing Flask (issue 16)."""
    if "flask" in sys.modules:
        from flask import current_app
        from flask.cli import ScriptInfo

        info = ctx.find_object(ScriptInfo)
        if not current_app and info is not None:
            ctx.with_resource(info.load_app().app_context())
        if current_app:
            return current_app.config, current_app.extensions["stadsregister.engine"]
    from register import open_register

    opened = open_register()
    return opened.config, opened.engine


_EXIT_HOOK: list = []


def _quick_exit() -> None:
    """Python's last garbage collection at exit walks every object of the 800 modules loaded, a fifth
    of a second the run has no use for: at exit, the objects are frozen (left to the OS) instead."""
    if not _EXIT_HOOK:
        import atexit
        import gc

        atexit.register(gc.freeze)
        _EXIT_HOOK.append(True)


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete every expired decision receipt (opened or not), residents' e-mail addresses 30 days
    after their question was answered, and the files a crash or an abandoned upload left:
    half-written temp files, stored files no row refers to, sensor-import uploads, working
    folders and explainer snapshots no model version uses, older than an hour."""
    from flask import current_app

    from register.services.decisions import purge
    from register.services.participation import purge_emails
    from register.services.upkeep import purge_files

    with _session() as session:
        click.echo(f"Deleted {purge(session)} expired decision receipts.")
        click.echo(f"Deleted {purge_emails(session)} e-mail addresses of residents answered more than 30 days ago.")
        files = purge_files(session, current_app.config["DATA_DIR"])
    click.echo(f"Deleted {files['temp']} half-written temp files, {files['unreferenced']} stored files no row "
               f"refers to, {files['imports']} unfinished sensor-import uploads, {files['workdirs']} "
               f"working folders and {files['snapshots']} explainer snapshots no model version uses.")


COMMANDS = [models_group, decisions_group, purge_command]
