"""The national algorithm register's own shape: field names, limits and enums (issue #17).

The national register (MinBZK/Algoritmeregister, ``backend/app/schemas/config/v1_0.json``) and its
submission API ("aanleverapi" v1_0, ``register/standard/algoritmeregister-aanleverapi-v1_0.openapi.json``)
name the fields of the publication standard differently and differ on some limits. This module
turns a record of either shape into an entry of this register and an entry into the national
shape, and says per field where a record would exceed what the national register accepts.
"""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

from register.i18n import translator

OPENAPI_PATH = Path(__file__).parent.parent / "standard" / "algoritmeregister-aanleverapi-v1_0.openapi.json"

# Our field → the national register's field, where only the name differs.
RENAMED = {
    "name": "name", "description_short": "description_short", "organization": "organization",
    "status": "status", "start_date": "begin_date", "end_date": "end_date", "contact": "contact_email",
    "link": "website", "source_link": "url", "purpose_and_impact": "goal", "considerations": "proportionality",
    "human_intervention": "human_intervention", "risk_management": "risks", "legal_basis": "lawful_basis",
    "processing_register_link": "process_index_url", "impact_assessment_explanation": "impacttoetsen",
    "data": "source_data", "technical_operation": "methods_and_models", "supplier": "provider",
    "source_code_link": "publiccode", "source_id": "source_id", "search_terms": "tags",
}
NATIONAL_TO_OURS = {national: ours for ours, national in RENAMED.items()}
# Fields that exist only in the national shape: their presence marks a record as national.
NATIONAL_MARKERS = {"goal", "proportionality", "risks", "contact_email", "begin_date", "category",
                    "lawful_basis_grouping", "impacttoetsen_grouping", "source_data_grouping",
                    "methods_and_models", "provider", "lang", "standard_version", "website", "publiccode"}
# What the national register accepts (v1_0.json "max_length", counted without HTML).
NATIONAL_LIMITS = {
    "name": 100, "description_short": 350, "organization": 100, "contact_email": 500, "website": 500,
    "url": 500, "goal": 2500, "proportionality": 2500, "human_intervention": 2500, "risks": 2500,
    "lawful_basis": 2500, "process_index_url": 500, "impacttoetsen": 2500, "source_data": 2500,
    "methods_and_models": 5000, "provider": 200, "publiccode": 500, "source_id": 100, "tags": 2500,
}
GROUPING_LIMITS = {"lawful_basis_grouping": {"title": 100, "link": 500},
                   "impacttoetsen_grouping": {"link": 500}, "source_data_grouping": {"title": 500, "link": 500}}
MAX_CATEGORIES = 3
# The publication standard's categories carry "(Categorie X)"; the national enum does not.
CATEGORY_TO_NATIONAL = {
    "Hoog-risico AI-systeem (Categorie A)": "Hoog-risico AI-systeem",
    "Impactvolle algoritmes (Categorie B)": "Impactvolle algoritmes",
    "Overige algoritmes (Categorie C)": "Overige algoritmes",
}
CATEGORY_FROM_NATIONAL = {v: k for k, v in CATEGORY_TO_NATIONAL.items()}
# Theme names of the government list that the national register's list spells differently.
THEME_TO_NATIONAL = {"Financiën": "Overheidsfinanciën", "Huisvesting": "Wonen"}
THEME_FROM_NATIONAL = {v: k for k, v in THEME_TO_NATIONAL.items()}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


def national_categories() -> list[str]:
    return openapi_document()["components"]["schemas"]["v1_0__EnumCategory"]["enum"]


def is_national(record: dict) -> bool:
    """Whether a record uses the national register's field names."""
    return bool(NATIONAL_MARKERS & set(record))


_BLOCK_END = re.compile(r"</(p|div|li|ul|ol)\s*>|<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li(\s[^>]*)?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(value: str) -> str:
    """The national register's allowed HTML (div, br, p, ul, ol, li) as plain text with line breaks."""
    if "<" not in value:
        return value
    text = _LIST_ITEM.sub("- ", value)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def from_national(record: dict, locale: str = "en") -> tuple[dict, list[dict]]:
    """A national-shape record as an entry of this register, with notes on what was converted."""
    t = translator(locale)
    entry: dict = {}
    notes: list[dict] = []
    for key, value in record.items():
        if key in NATIONAL_TO_OURS:
            ours = NATIONAL_TO_OURS[key]
            if isinstance(value, str) and "<" in value and _TAG.search(value):
                value = html_to_text(value)
                notes.append({"field": ours, "message": t("HTML markup was turned into plain text.")})
            entry[ours] = value
        elif key == "category":
            entry["theme"] = [THEME_FROM_NATIONAL.get(v, v) for v in value] if isinstance(value, list) else value
        elif key == "publication_category":
            entry["publication_category"] = CATEGORY_FROM_NATIONAL.get(value, value)
        elif key == "lawful_basis_grouping":
            _grouping_in(entry, notes, value, "legal_basis_title", "legal_basis_link", "legal_basis", t)
        elif key == "source_data_grouping":
            _grouping_in(entry, notes, value, "data_source_title", "data_source_link", "data", t)
        elif key == "impacttoetsen_grouping":
            items = [i for i in (value or []) if isinstance(i, dict)]
            entry["impact_assessments"] = ", ".join(str(i.get("title", "")).strip() for i in items) or None
            links = [i["link"] for i in items if i.get("link")]
            entry["impact_assessment_link"] = links[0] if links else None
            if len(links) > 1:
                notes.append({"field": "impact_assessment_link", "message": t(
                    "Only the first link of the impact assessments was kept; the others: %(links)s",
                    links=", ".join(links[1:]))})
        elif key == "lang":
            entry["language"] = value
        elif key == "standard_version":
            continue  # "1.0" of the API is the standard's "1.0.0", added on export
        elif key in ("lars", "publication_dt", "create_dt", "language", "state"):
            continue  # assigned by the national register itself
        else:
            entry[key] = value
    return {k: v for k, v in entry.items() if v is not None}, notes


def _grouping_in(entry, notes, value, title_field, link_field, text_field, t) -> None:
    """The first title + link of a national list goes to the standard's pair; the rest into the text."""
    items = [i for i in (value or []) if isinstance(i, dict)]
    if not items:
        return
    entry[title_field] = items[0].get("title")
    entry[link_field] = items[0].get("link")
    if len(items) > 1:
        extra = "\n".join(f"{i.get('title', '')}: {i.get('link', '')}" for i in items[1:])
        entry[text_field] = "\n\n".join(p for p in (entry.get(text_field), extra) if p)
        notes.append({"field": text_field, "message": t(
            "%(count)d more references (title and link) were added to this text.", count=len(items) - 1)})


def to_national(entry: dict) -> dict:
    """An entry as a record in the national register's shape (the submission API's ``AlgorithmIn``)."""
    record: dict = {}
    for ours, national in RENAMED.items():
        value = entry.get(ours)
        if value not in (None, "", []):
            record[national] = value
    themes = [THEME_TO_NATIONAL.get(v, v) for v in entry.get("theme") or []]
    record["category"] = [v for v in themes if v in national_categories()]
    if entry.get("publication_category"):
        record["publication_category"] = CATEGORY_TO_NATIONAL.get(entry["publication_category"],
                                                                  entry["publication_category"])
    if entry.get("legal_basis_title") and entry.get("legal_basis_link"):
        record["lawful_basis_grouping"] = [{"title": entry["legal_basis_title"], "link": entry["legal_basis_link"]}]
    if entry.get("data_source_title") and entry.get("data_source_link"):
        record["source_data_grouping"] = [{"title": entry["data_source_title"], "link": entry["data_source_link"]}]
    titles = [t.strip() for t in re.split(r"[,;\n]", entry.get("impact_assessments") or "") if t.strip()]
    if titles:
        record["impacttoetsen_grouping"] = [{"title": title} for title in titles]
        if entry.get("impact_assessment_link"):
            record["impacttoetsen_grouping"][0]["link"] = entry["impact_assessment_link"]
    record["lang"] = "nld"
    record["standard_version"] = "1.0"
    return record


def national_problems(entry: dict, locale: str = "en") -> list[dict]:
    """Where an entry would exceed what the national register accepts, one message per field."""
    t = translator(locale)
    problems = []
    record = to_national(entry)
    for field, limit in NATIONAL_LIMITS.items():
        value = record.get(field)
        if isinstance(value, str) and len(value) > limit:
            problems.append({"field": field, "blocking": True, "message": t(
                "The national register accepts at most %(max)d characters here; this text has %(length)d.",
                max=limit, length=len(value))})
    for field, limits in GROUPING_LIMITS.items():
        for item in record.get(field, []):
            for part, limit in limits.items():
                if len(str(item.get(part) or "")) > limit:
                    problems.append({"field": f"{field}.{part}", "blocking": True, "message": t(
                        "The national register accepts at most %(max)d characters here; this text has %(length)d.",
                        max=limit, length=len(str(item[part])))})
    themes = [THEME_TO_NATIONAL.get(v, v) for v in entry.get("theme") or []]
    unknown = [v for v in themes if v not in national_categories()]
    if unknown:
        problems.append({"field": "category", "blocking": False, "message": t(
            "The national register's theme list has no %(themes)s; it is left out.", themes=", ".join(unknown))})
    if len(themes) - len(unknown) > MAX_CATEGORIES:
        problems.append({"field": "category", "blocking": True, "message": t(
            "The national register accepts at most %(max)d themes; this entry has %(count)d.",
            max=MAX_CATEGORIES, count=len(themes) - len(unknown))})
    return problems
