"""Plain data shapes shared by the HTML pages, their `.json` twins and the API."""
from __future__ import annotations

from register.models import Algorithm, AlgorithmVersion
from register.services.algorithms import entry_data
from register.services.standard import choice_label, layout, to_standard


def listing(algorithm: Algorithm) -> dict:
    """One row of a result list."""
    return {"code": algorithm.code, "name": algorithm.name, "organisation": algorithm.organisation_name,
            "description_short": algorithm.description_short, "status": algorithm.status,
            "publication_category": algorithm.publication_category,
            "has_impact_assessment": algorithm.has_impact_assessment,
            "public_state": algorithm.public_state, "published_at": algorithm.published_at}


def entry_sections(version: AlgorithmVersion, locale: str) -> list[dict]:
    """The standard's layout filled with the version's values (empty optional fields left out)."""
    data = entry_data(version)
    sections = []
    for section in layout(locale):
        fields = [dict(field, value=choice_label(field["name"], data.get(field["name"]), locale))
                  for field in section["fields"]
                  if data.get(field["name"]) not in (None, "", [])]
        sections.append(dict(section, fields=fields))
    return sections


def published_entry(algorithm: Algorithm, version: AlgorithmVersion) -> dict:
    """The public JSON of an entry: the standard's record plus our fields and version facts."""
    return {"code": algorithm.code, "public_state": algorithm.public_state,
            "public_state_reason": algorithm.public_state_reason, "version": version.number,
            "published_at": version.published_at, "entry": to_standard(entry_data(version))}
