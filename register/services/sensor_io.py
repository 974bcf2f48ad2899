"""Bulk import of sensors (CSV, GeoJSON, GeoPackage, Amsterdam's workbook) and the demo sensors.

Reading is ``geo.read_file`` (row-by-row report, writes nothing).  Writing is all-or-nothing by
default: a file with any error changes nothing; with ``valid_only`` the valid rows are imported
and the others reported.  Re-importing updates the owner's sensors by reference instead of
duplicating them.  Everything is written in one transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

import geo
import geo.imports.columns
import geo.validate
from register.i18n import N_, translator
from register.models import Organisation, Sensor, SensorChange, User
from register.services import accounts
from register.services import sensors as svc
from register.services.sensors import owners


@dataclass
class ImportResult:
    report: geo.ImportReport
    written: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    owner_created: str | None = None  # an organisation created from the workbook's "Uw gegevens"

    def summary(self) -> dict[str, Any]:
        return {**self.report.summary(), "written": self.written, "created": len(self.created),
                "updated": len(self.updated), "unchanged": len(self.unchanged)}

    def lines(self, locale: str = "nl") -> list[str]:
        """The report for a person, in their language (Dutch by default), naming the columns
        they see in their file."""
        t = translator(locale)
        out = []
        label = t(N_("row")) if self.report.row_label == "row" else self.report.row_label
        for error in self.report.errors:
            where = f"{label} {error.row}" if error.row is not None else t(N_("file"))
            column = error.column or geo.imports.columns.field_label(error.field, locale)
            ref = f" ({error.reference})" if error.reference else ""
            out.append(f"{where}{ref}{f' [{column}]' if column else ''}: {error.message}")
        s = self.summary()
        if self.owner_created:
            out.append(t(N_("New organisation %(name)s created from the sheet 'Uw gegevens'; a site administrator "
                            "confirms it. Its contact details are not published."), name=self.owner_created))
        if self.written:
            out.append(t(N_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged; "
                            "%(invalid)d rows with errors left out."), created=s["created"], updated=s["updated"],
                         unchanged=s["unchanged"], invalid=s["invalid"]))
        elif s["total"] or s["errors"]:
            out.append(t(N_("Nothing imported: %(invalid)d of %(total)d rows have errors (fix them, or import "
                            "the valid rows with --valid-only)."), invalid=s["invalid"], total=s["total"]))
        else:
            out.append(t(N_("Nothing imported: the file holds no sensors.")))
        missing = sum(1 for r in self.report.rows if geo.validate.missing_retention(r.sensor))
        if self.written and missing:
            out.append(t(N_("%(num)d sensors process personal data without a retention period: they are published "
                            "with 'not given' until the owner adds it (see 'sensors reminders')."), num=missing))
        return out


def read(source, *, filename: str | None, organisation: Organisation | None, locale: str = "nl",
         boundary: geo.Boundary | None = None) -> geo.ImportReport:
    """The row-by-row report for a file, with the owner taken from ``organisation`` (without
    one, from the workbook's "Uw gegevens"; set the owner with ``own``)."""
    defaults = {"owner_name": organisation.name, "owner_kind": svc.owner_kind(organisation)} if organisation \
        else {}
    report = geo.read_file(source, filename=filename, boundary=boundary, locale=locale, defaults=defaults)
    if organisation is not None:
        own(report, organisation)
    return report


def own(report: geo.ImportReport, organisation: Organisation) -> None:
    """The organisation is the owner of every row, whatever the file says."""
    defaults = {"owner_name": organisation.name, "owner_kind": svc.owner_kind(organisation)}
    for row in report.rows:
        row.sensor.update(defaults)


def import_file(session: Session, source, *, organisation: Organisation | None, user: User | None,
                filename: str | None = None, valid_only: bool = False, locale: str = "nl",
                boundary: geo.Boundary | None = None, channel: str = "import",
                check_permission: bool = True) -> ImportResult:
    """Read ``source`` and, if it has no errors (or ``valid_only``), write its sensors."""
    if check_permission and organisation is not None:
        svc.require_edit(session, user, organisation.id)
    if filename is None and isinstance(source, (str, Path)):
        filename = str(source)
    report = read(source, filename=filename, organisation=organisation, locale=locale, boundary=boundary)
    created = None
    if organisation is None:  # the owner named on the workbook's "Uw gegevens" sheet (issue 14)
        if check_permission:
            raise accounts.PermissionDenied()
        try:
            organisation, new = owners.owner_from_sheet(session, report.owner)
        except owners.OwnerUnknown:
            raise ValueError(translator(locale)(N_(
                "The file names no organisation ('Naam organisatie/bedrijf' on the sheet 'Uw gegevens'); "
                "give one with --owner."))) from None
        created = organisation.name if new else None
        own(report, organisation)
    result = write(session, report, organisation=organisation, user=user, valid_only=valid_only, channel=channel,
                   locale=locale, boundary=boundary)
    if created and not result.written:
        session.rollback()  # nothing imported: no new organisation either
    result.owner_created = created if result.written else None
    return result


def write(session: Session, report: geo.ImportReport, *, organisation: Organisation, user: User | None,
          valid_only: bool = False, channel: str = "import", locale: str = "nl",
          boundary: geo.Boundary | None = None) -> ImportResult:
    result = ImportResult(report)
    if not report.rows or (report.errors and not valid_only):
        return result
    existing = {s.reference.casefold(): s for s in
                session.exec(select(Sensor).where(Sensor.organisation_id == organisation.id))}
    try:
        for row in report.rows:
            clean = row.sensor
            sensor = existing.get(clean["reference"].casefold())
            if sensor is None:
                sensor = Sensor(organisation_id=organisation.id, **svc._placeholder())
                svc._apply(sensor, clean)
                session.add(sensor)
                session.flush()
                svc._record_change(session, sensor, "created", channel, user, svc.diff(None, clean),
                                   organisation.name)
                existing[clean["reference"].casefold()] = sensor
                result.created.append(clean["reference"])
                continue
            changes = svc.diff(svc.record(sensor), clean)
            if not changes:
                result.unchanged.append(clean["reference"])
                continue
            svc._apply(sensor, clean)
            sensor.reference = clean["reference"]
            if sensor.expired_marked_on and not geo.is_expired(clean):
                sensor.expired_marked_on = None
            sensor.updated_at = svc.utcnow()
            session.add(sensor)
            svc._record_change(session, sensor, "updated", channel, user, changes, organisation.name)
            result.updated.append(clean["reference"])
        session.commit()
    except Exception:
        session.rollback()
        raise
    result.written = True
    return result


# ---- demo ---------------------------------------------------------------------------------------

DEMO_OWNERS = {  # the generator's owner names → organisation kind in the register
    "Gemeente Amsterdam": "municipality", "Instituut voor Stedelijke Metingen": "research",
    "Universiteit Amstelland": "research", "ParkeerSlim B.V.": "company", "Winkelcentrum Beheer Noord": "company",
    "Bakkerij De Korenschoof": "company", "Juwelier Van Dam": "company", "Supermarkt De Buurt": "company",
    "Buurt Meet Mee": "citizen", "Waterschap Amstel, Gooi en Vecht": "government",
}
DEMO_SENSORS = 3000
DEMO_SEED = 2024


def load_demo_sensors(session: Session, n: int = DEMO_SENSORS) -> list[str]:
    """A few thousand synthetic sensors across Amsterdam (seeded), owned by organisations of every
    kind, each with its 'created' history entry.  Idempotent: does nothing when sensors exist."""
    if session.exec(select(Sensor.id).limit(1)).first() is not None:
        return ["Demo sensors are already loaded."]
    organisations = {}
    for name, kind in DEMO_OWNERS.items():
        organisation = accounts.get_or_create_organisation(session=session, name=name, kind=kind)
        organisations[name] = organisation
    session.commit()
    today = dt.date.today()
    rows, changes = [], []
    now = svc.utcnow()
    for rec in geo.generate_sensors(n, seed=DEMO_SEED, as_of=today):
        organisation = organisations[rec["owner_name"]]
        values = svc.column_values(rec)
        values.update(id=rec["id"], organisation_id=organisation.id, owner_kind=svc.owner_kind(organisation),
                      created_at=now, updated_at=now, expired_marked_on=None)
        rows.append(values)
        changes.append({"sensor_id": values["id"], "at": now, "action": "created", "channel": "import",
                        "actor_organisation": organisation.name, "user_id": None,
                        "changes": {"reference": [None, rec["reference"]]}})
    session.execute(insert(Sensor), rows)
    session.execute(insert(SensorChange), changes)
    session.commit()
    _fix_sequence(session)
    kinds = sorted({svc.owner_kind(o) for o in organisations.values()})
    return [f"Loaded {len(rows)} demo sensors across Amsterdam (owners: {', '.join(kinds)})."]


def _fix_sequence(session: Session) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if not svc.is_postgres(session):
        return
    from sqlalchemy import text

    for table in ("sensor", "sensorchange"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    session.commit()
