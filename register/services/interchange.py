"""Import and export of entries in the publication standard v1.0.0 and in the national register's shape.

Both shapes import (a record using the national register's field names is recognised by them);
texts are normalised with a note per field instead of refused for invisible or non-breaking
whitespace (issue #17). Export writes either shape; the national one says per record where it
would exceed what the national register accepts.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from geo.export import spreadsheet_safe
from register.i18n import translator
from register.models import Algorithm
from register.services import algorithms as algos
from register.services import national
from register.services.accounts import get_or_create_organisation
from register.services.standard import (
    CONSTANTS,
    ENTRY_FIELDS,
    EXTENSION_FIELDS,
    STANDARD_FIELDS,
    clean_record,
    to_standard,
    validate_entry,
)


@dataclass
class ImportReport:
    records: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {index, source_id, field, message}
    notes: list[dict] = field(default_factory=list)  # what was normalised, same shape
    written: bool = False

    @property
    def bad_records(self) -> int:
        return len({e["index"] for e in self.errors})

    def lines(self, locale: str = "en") -> list[str]:
        """The report as lines a person reads."""
        t = translator(locale)
        out = [t("%(records)d records: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                 "%(bad)d refused.", records=self.records, created=len(self.created), updated=len(self.updated),
                 unchanged=len(self.unchanged), bad=self.bad_records)]
        for error in self.errors:
            out.append(f"{_where(error, t)}, {error['field']}: {error['message']}")
        for note in self.notes:
            out.append(t("Adjusted") + f": {_where(note, t)}, {note['field']}: {note['message']}")
        if self.errors and not self.written:
            out.append(t("Nothing was imported. Correct the records above, or import the valid ones "
                         "with --skip-invalid."))
        return out


def _where(item: dict, t) -> str:
    where = t("record %(index)d", index=item["index"])
    if item.get("source_id"):
        where += f" (source_id {item['source_id']})"
    return where


def as_entry(record: dict, locale: str = "en") -> tuple[dict, list[dict]]:
    """A record of either shape as an entry of this register, cleaned, with notes on every change."""
    notes: list[dict] = []
    if national.is_national(record):
        record, notes = national.from_national(record, locale)
    cleaned, cleaning_notes = clean_record(record, locale)
    return cleaned, notes + cleaning_notes


def read_records(text: str, locale: str = "en") -> list:
    """The records of a JSON file holding one record or a list of them."""
    t = translator(locale)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(t("The file is not valid JSON: %(error)s (line %(line)d, column %(column)d).",
                           error=error.msg, line=error.lineno, column=error.colno)) from error
    records = data if isinstance(data, list) else [data]
    return records


def import_records(session: Session, records: list, *, skip_invalid: bool = False, locale: str = "en",
                   source: str = "import") -> ImportReport:
    """Validate every record; write all (or, with ``skip_invalid``, the valid ones) in one transaction."""
    t = translator(locale)
    report = ImportReport(records=len(records))
    valid: list[tuple[int, dict]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            report.errors.append({"index": index, "source_id": None, "field": "-",
                                  "message": t("A record must be a JSON object.")})
            continue
        record, notes = as_entry(record, locale)
        report.notes.extend({"index": index, "source_id": record.get("source_id"), **n} for n in notes)
        problems = [e.as_dict() for e in validate_entry(record, locale=locale, strict=True)]
        key = (str(record.get("organization")), str(record.get("source_id")))
        if record.get("source_id") and key in seen:
            problems.append({"field": "source_id", "message": t(
                "The same source_id already appears in record %(index)d of this file.", index=seen[key])})
        seen.setdefault(key, index)
        for problem in problems:
            report.errors.append({"index": index, "source_id": record.get("source_id"), **problem})
        if not problems:
            valid.append((index, {name: record.get(name) for name in ENTRY_FIELDS}))
    if report.errors and not skip_invalid:
        return report
    organisations: dict = {}
    try:
        for _index, data in valid:
            name = data["organization"]
            if name not in organisations:
                organisations[name] = get_or_create_organisation(session=session, name=name)
            organisation = organisations[name]
            algorithm, outcome = algos.publish_imported(session=session, organisation=organisation, data=data,
                                                        note=source)
            getattr(report, outcome).append(algorithm.code)
        session.commit()
    except Exception:
        session.rollback()
        raise
    report.written = True
    return report


def import_file(session: Session, path: Path, **options) -> ImportReport:
    return import_records(session, read_records(Path(path).read_text(encoding="utf-8"),
                                                options.get("locale", "en")), source=Path(path).name, **options)


def published_records(session: Session, *, extensions: bool = True) -> list[dict]:
    """Every published (or archived) entry in the standard's shape, oldest code first."""
    rows = session.exec(select(Algorithm).where(Algorithm.public_state.in_(("published", "archived")))
                        .order_by(Algorithm.id)).all()
    return [to_standard(algos.entry_data(algos.published_version(session, a)), extensions=extensions) for a in rows]


def export_json(session: Session, *, extensions: bool = True) -> str:
    return json.dumps(published_records(session, extensions=extensions), ensure_ascii=False, indent=2)


def export_national(session: Session, *, locale: str = "en") -> tuple[str, list[dict]]:
    """Every published entry in the national register's shape, and per record what it would exceed."""
    rows = session.exec(select(Algorithm).where(Algorithm.public_state.in_(("published", "archived")))
                        .order_by(Algorithm.id)).all()
    records, problems = [], []
    for algorithm in rows:
        entry = algos.entry_data(algos.published_version(session, algorithm))
        records.append(national.to_national(entry))
        problems.extend({"code": algorithm.code, **p} for p in national.national_problems(entry, locale))
    return json.dumps(records, ensure_ascii=False, indent=2), problems


def export_csv(session: Session, *, extensions: bool = True) -> str:
    """One row per entry; list fields joined with ``; ``."""
    columns = STANDARD_FIELDS + (EXTENSION_FIELDS if extensions else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for record in published_records(session, extensions=extensions):
        row = dict(CONSTANTS)
        for name, value in record.items():
            row[name] = "; ".join(value) if isinstance(value, list) else value
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})  # no formulas (issue 12)
    return buffer.getvalue()
