"""The Vendor Lock-in Index: how dependent the city is on specific digital suppliers, per domain (issue 15).

Method (version ``METHOD_VERSION``, published on ``/lock-in-index/method``): each entry in use
gets a score from 0 (no dependence) to 100 (fully dependent) as the weighted sum of six factors,
each 0 (independent), part, or 1 (dependent); a factor that is not stated counts as dependent,
and the share of stated factors is published beside the score. A domain is one of the
publication standard's themes; its score is the mean of its entries (an entry with two themes
counts in both); the city's score is the mean of all entries. Per domain the index names the
suppliers with the most entries. A year is frozen by ``stadsregister lockin publish YEAR``: the
result is stored as computed and never recomputed; the change is measured against the latest
earlier frozen year.
"""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict

from sqlmodel import Session, select

from register.i18n import N_
from register.models import Algorithm, AlgorithmVersion
from register.models.footprint import LockinIndex

METHOD_VERSION = "1.0"
# factor → (weight, field, dependence per value; a missing value counts as 1.0)
FACTORS = {
    "licence": (20, "source_open", {True: 0.0, False: 1.0}),
    "hosting": (15, "hosting", {"own": 0.0, "nl_eu_cloud": 0.5, "other": 1.0}),
    "open_standards": (15, "open_standards", None),  # stated standards: 0, none stated: 1
    "data_portable": (15, "data_portable", {True: 0.0, False: 1.0}),
    "exit_in_contract": (15, "exit_in_contract", {True: 0.0, False: 1.0}),
    "replaceability": (20, "replaceability", {"easy": 0.0, "effort": 1 / 3, "hard": 2 / 3, "locked": 1.0}),
}
FACTOR_LABELS = {"licence": N_("Licence: open source or proprietary"), "hosting": N_("Hosting"),
                 "open_standards": N_("Open standards used"), "data_portable": N_("Data can leave in an open format"),
                 "exit_in_contract": N_("Exit strategy in the contract"), "replaceability": N_("How replaceable it is")}
OWN_SUPPLIERS = {"intern ontwikkeld", "eigen ontwikkeling", "in-house"}
TOP_SUPPLIERS = 3


def entry_score(version) -> dict:
    """Score 0–100 of one entry, each factor's dependence, and how many factors were stated."""
    factors, stated, total = {}, 0, 0.0
    for name, (weight, field, scale) in FACTORS.items():
        value = getattr(version, field)
        if scale is None:
            known = bool(value and str(value).strip())
            dependence = 0.0 if known else 1.0
        else:
            known = value in scale
            dependence = scale[value] if known else 1.0
        stated += known
        factors[name] = round(dependence, 3)
        total += weight * dependence
    return {"score": round(total, 1), "factors": factors, "stated": stated, "of": len(FACTORS)}


COLUMNS = ("name", "organization", "supplier", "theme", "contract_end_date",
           *dict.fromkeys(field for _weight, field, _scale in FACTORS.values()))


def _entries(session: Session) -> list:
    """Code and the needed fields of published entries in use or in development (not stopped)."""
    columns = [Algorithm.code, *(getattr(AlgorithmVersion, name) for name in COLUMNS)]
    return list(session.exec(select(*columns).join(
        AlgorithmVersion, AlgorithmVersion.id == Algorithm.published_version_id).where(
        Algorithm.public_state == "published", AlgorithmVersion.status != "Buiten gebruik")
        .order_by(Algorithm.code)).all())


def compute(session: Session, year: int) -> dict:
    """The index as it stands now, for ``year`` (not stored)."""
    entries, domains = [], defaultdict(list)
    suppliers: dict[str, Counter] = defaultdict(Counter)
    for version in _entries(session):
        scored = entry_score(version)
        supplier = (version.supplier or "").strip()
        own = supplier.lower() in OWN_SUPPLIERS
        entries.append({"code": version.code, "name": version.name, "organisation": version.organization,
                        "supplier": supplier, "in_house": own, "themes": list(version.theme or []),
                        "contract_end_date": version.contract_end_date} | scored)
        for theme in dict.fromkeys(version.theme or []):
            domains[theme].append(scored["score"])
            if supplier and not own:
                suppliers[theme][supplier] += 1
    previous = previous_year(session, year)
    before = {d["domain"]: d["score"] for d in previous["result"]["domains"]} if previous else {}
    domain_rows = []
    for theme in sorted(domains):
        score = round(sum(domains[theme]) / len(domains[theme]), 1)
        domain_rows.append({"domain": theme, "score": score, "entries": len(domains[theme]),
                            "suppliers": [{"name": n, "entries": c} for n, c in
                                          sorted(suppliers[theme].items(), key=lambda p: (-p[1], p[0]))[:TOP_SUPPLIERS]],
                            "change": round(score - before[theme], 1) if theme in before else None})
    city = round(sum(e["score"] for e in entries) / len(entries), 1) if entries else None
    city_before = previous["result"]["city"]["score"] if previous else None
    return {"year": year, "method_version": METHOD_VERSION, "compared_with": previous["year"] if previous else None,
            "city": {"score": city, "entries": len(entries),
                     "change": round(city - city_before, 1) if city is not None and city_before is not None else None},
            "domains": domain_rows, "entries": entries}


def previous_year(session: Session, year: int) -> dict | None:
    row = session.exec(select(LockinIndex).where(LockinIndex.year < year).order_by(LockinIndex.year.desc())).first()
    return {"year": row.year, "result": row.result} if row else None


class AlreadyPublished(Exception):
    """That year is frozen; it is never recomputed."""


def publish(session: Session, year: int) -> LockinIndex:
    """Freeze ``year``: store the index as computed now. A published year never changes."""
    if session.get(LockinIndex, year) is not None:
        raise AlreadyPublished(year)
    row = LockinIndex(year=year, method_version=METHOD_VERSION, result=compute(session, year))
    session.add(row)
    session.commit()
    return row


def years(session: Session) -> list[int]:
    return list(session.exec(select(LockinIndex.year).order_by(LockinIndex.year.desc())))


def view(session: Session, year: int | None, current_year: int) -> dict | None:
    """A published year (frozen), or with ``year`` None the latest published one, else this year's
    provisional figures; None for a year that was never published."""
    published = years(session)
    chosen = year if year is not None else (published[0] if published else None)
    if chosen is None or (year == current_year and year not in published):
        result = compute(session, current_year)
        return {"frozen": False, "published_at": None, "years": published} | result
    row = session.get(LockinIndex, chosen)
    if row is None:
        return None
    return {"frozen": True, "published_at": row.published_at, "years": published} | row.result


def to_csv(result: dict) -> str:
    """One row per domain and one for the city, with the top suppliers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["year", "method_version", "domain", "score", "entries", "change", "top_suppliers"])
    for row in result["domains"]:
        writer.writerow([result["year"], result["method_version"], row["domain"], row["score"], row["entries"],
                         "" if row["change"] is None else row["change"],
                         "; ".join(f"{s['name']} ({s['entries']})" for s in row["suppliers"])])
    city = result["city"]
    writer.writerow([result["year"], result["method_version"], "", city["score"], city["entries"],
                     "" if city["change"] is None else city["change"], ""])
    return "\ufeff" + out.getvalue()
