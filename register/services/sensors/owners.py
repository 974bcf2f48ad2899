"""Owners that arrive with an import: the organisation named on the "Uw gegevens" sheet of the
city's workbook, found by name or created unverified for a site administrator to confirm; its
contact details stay on the sensors, private (issue 14)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import false, func
from sqlmodel import Session, select

from register.models import Organisation


class OwnerUnknown(ValueError):
    """The file names no organisation and none was given."""


def owner_from_sheet(session: Session, owner: Mapping[str, Any] | None) -> tuple[Organisation, bool]:
    """(organisation, created) for the workbook's "Naam organisatie/bedrijf"."""
    name = str((owner or {}).get("organisation") or "").strip()
    if not name:
        raise OwnerUnknown(name)
    found = session.exec(select(Organisation).where(func.lower(Organisation.name) == name.casefold())).first()
    if found is not None:
        return found, False
    website = str((owner or {}).get("website") or "").strip() or None
    organisation = Organisation(name=name[:99], kind="company", website=website, verified=False)
    session.add(organisation)
    session.flush()
    return organisation, True


def unverified_organisations(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).where(Organisation.verified == false())
                             .order_by(Organisation.name)))


def verify_organisation(session: Session, organisation_id: int) -> Organisation | None:
    organisation = session.get(Organisation, organisation_id)
    if organisation is not None and not organisation.verified:
        organisation.verified = True
        session.add(organisation)
        session.commit()
    return organisation
