"""The deployer's registration data for the EU AI Act database (Regulation (EU) 2024/1689, Annex VIII
Section C), for public bodies that deploy a high-risk AI system (art. 49(3)); issue #17.

C.1 name, address and contact of the deployer, C.2 the person submitting on its behalf, C.3 the URL
of the provider's entry in the EU database, C.4 a summary of the fundamental-rights impact
assessment (art. 27; here the hosted IAMA/FRAIA), C.5 a summary of the DPIA (GDPR art. 35). Taken
from the published entry and the B1 summaries of its hosted assessments; what is still missing is
listed per item, so the portal can show it and the command can say so.
"""
from __future__ import annotations

from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, Organisation, User
from register.services import algorithms as algos
from register.services import documents

HIGH_RISK_CATEGORY = "Hoog-risico AI-systeem (Categorie A)"
ITEMS = {
    "C.1": N_("Name and contact details of the deployer"),
    "C.2": N_("Name and contact details of the person submitting the information"),
    "C.3": N_("URL of the provider's entry of the AI system in the EU database"),
    "C.4": N_("Summary of the fundamental rights impact assessment (Article 27)"),
    "C.5": N_("Summary of the data protection impact assessment (GDPR Article 35)"),
}


def high_risk_algorithms(session: Session) -> list[Algorithm]:
    """Every published entry in publication category A (high-risk AI system)."""
    return list(session.exec(select(Algorithm).where(Algorithm.publication_category == HIGH_RISK_CATEGORY)
                             .where(Algorithm.public_state.in_(("published", "archived"))).order_by(Algorithm.id)))


def is_high_risk(algorithm: Algorithm) -> bool:
    return algorithm.publication_category == HIGH_RISK_CATEGORY


def _newest(docs: list, kind: str):
    return next((d for d in docs if d.kind == kind), None)  # documents come newest first per kind


def registration(session: Session, algorithm: Algorithm, *, base_url: str, locale: str = "en",
                 version=None) -> dict:
    """Annex VIII Section C for one entry, with ``missing``: per item, what is still needed."""
    t = translator(locale)
    version = version or algos.published_version(session, algorithm)
    organisation = session.get(Organisation, algorithm.organisation_id)
    approver = session.get(User, version.approved_by_id) if version and version.approved_by_id else None
    docs = documents.version_documents(session, version.id if version else None)
    fria, dpia = _newest(docs, "iama"), _newest(docs, "dpia")
    base = base_url.rstrip("/")
    missing: list[dict] = []

    def need(item: str, message: str) -> None:
        missing.append({"item": item, "label": t(ITEMS[item]), "message": message})

    if not is_high_risk(algorithm):
        need("C.1", t("This entry is not in publication category A (high-risk AI system); the EU database "
                      "registration applies to high-risk systems only."))
    if not (version and version.contact):
        need("C.1", t("Fill in the entry's contact details."))
    if approver is None:
        need("C.2", t("No person has approved the published version yet (imported entries have no approver); "
                      "an approver of the organisation submits the registration."))
    if not (version and version.eu_provider_entry_url):
        need("C.3", t("Fill in the link to the provider's entry in the EU database."))
    if fria is None:
        need("C.4", t("Attach the fundamental rights impact assessment (IAMA or FRAIA) with its summary."))
    if dpia is None:
        need("C.5", t("Attach the DPIA with its summary, or explain in the entry why no DPIA applies."))
    return {
        "code": algorithm.code,
        "name": version.name if version else algorithm.name,
        "version": version.number if version else None,
        "register_url": f"{base}/algorithms/{algorithm.code}",
        "annex_viii_section_c": {
            "C.1": {"deployer": organisation.name if organisation else None,
                    "website": organisation.website if organisation else None,
                    "contact": version.contact if version else None},
            "C.2": {"name": approver.name, "email": approver.email} if approver else None,
            "C.3": version.eu_provider_entry_url if version else None,
            "C.4": _summary(fria, base),
            "C.5": _summary(dpia, base),
        },
        "missing": missing,
    }


def _summary(document, base: str) -> dict | None:
    if document is None:
        return None
    return {"title": document.title, "date": document.assessment_date.isoformat(), "summary": document.summary,
            "language": document.language, "url": f"{base}/documents/{document.sha256}"}
