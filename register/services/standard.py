"""The national publication standard v1.0.0 as data: fields, layout, labels and validation.

The committed JSON Schema drives the public page, the portal form, import, export and
validation, so a new field of the standard is one edit of the schema file.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit


from register.i18n import N_, translator
from register.models.algorithm import (
    AI_ACT_RISK_CLASSES,
    FIGURE_SOURCES,
    HOSTING_KINDS,
    REPLACEABILITY,
)
from register.services.text_cleaning import _oddities, clean_record, clean_text, invisible_in  # noqa: F401 (re-exported)

SCHEMA_PATH = Path(__file__).parent.parent / "standard" / "algoritmeregister-publicatiestandaard-v1.0.0.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
# Where the national register accepts more than the standard's schema says, we accept what it
# accepts: its real records have names of exactly 100 characters (issue #17). The schema file
# stays the standard's own; these limits apply to validation, the database and the forms.
ACCEPTED_LIMITS = {"name": 100, "organization": 100, "legal_basis_title": 100}
ACCEPTING_SCHEMA = {**SCHEMA, "properties": {
    name: ({**prop, "maxLength": ACCEPTED_LIMITS[name]} if name in ACCEPTED_LIMITS else prop)
    for name, prop in SCHEMA["properties"].items()}}
STANDARD_FIELDS: list[str] = list(SCHEMA["properties"])
CONSTANTS = {"language": "nld", "schema": "1.0.0"}
# Fields of the standard that we store (the constants are added on export).
STORED_STANDARD_FIELDS = [f for f in STANDARD_FIELDS if f not in CONSTANTS]

# Stadsregister's own fields, beside the standard's, described the same way.
EXTENSION_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "decision_kinds": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 99},
                           "category": "decision"},
        "human_contact": {"type": "string", "maxLength": 999, "category": "decision"},
        "objection_route": {"type": "string", "maxLength": 999, "category": "decision"},
        "objection_link": {"type": "string", "format": "uri", "category": "decision"},
        "ai_act_risk_class": {"enum": list(AI_ACT_RISK_CLASSES), "category": "accountability"},
        "eu_database_ref": {"type": "string", "maxLength": 99, "category": "accountability"},
        # AI Act Annex VIII Section C.3: the provider's entry in the EU database (issue #17)
        "eu_provider_entry_url": {"type": "string", "format": "uri", "category": "accountability"},
        "source_open": {"type": "boolean", "category": "accountability"},
        "exit_strategy": {"type": "string", "maxLength": 2499, "category": "accountability"},
        "open_standards": {"type": "string", "maxLength": 999, "category": "accountability"},
        "receipt_months": {"type": "integer", "minimum": 1, "maximum": 120, "category": "decision"},
        # Vendor lock-in (issue 15): beside the standard's supplier, source_open and source_code_link.
        "publiccode_url": {"type": "string", "format": "uri", "category": "accountability"},
        "hosting": {"enum": list(HOSTING_KINDS), "category": "accountability"},
        "data_portable": {"type": "boolean", "category": "accountability"},
        "exit_in_contract": {"type": "boolean", "category": "accountability"},
        "contract_end_date": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$", "category": "accountability"},
        "replaceability": {"enum": list(REPLACEABILITY), "category": "accountability"},
    },
}
# Costs and energy per year (issue 15): each figure with its source and year.
COST_FIGURES = ("cost_licence_eur", "cost_hosting_eur", "cost_staff_eur", "energy_training_kwh", "energy_running_kwh")
for _figure in COST_FIGURES:
    _stem = _figure.rsplit("_", 1)[0]
    EXTENSION_SCHEMA["properties"] |= {
        _figure: {"type": "integer" if _figure.endswith("_eur") else "number", "minimum": 0,
                  "maximum": 1_000_000_000, "category": "costs"},
        _stem + "_source": {"enum": list(FIGURE_SOURCES), "category": "costs"},
        _stem + "_year": {"type": "integer", "minimum": 2000, "maximum": 2100, "category": "costs"},
    }
EXTENSION_FIELDS: list[str] = list(EXTENSION_SCHEMA["properties"])
ENTRY_FIELDS: list[str] = STORED_STANDARD_FIELDS + EXTENSION_FIELDS
LIST_FIELDS = {"theme", "decision_kinds"}
LONG_TEXT_LIMIT = 300  # fields allowing more characters get a textarea

# English labels; the Dutch ones are the standard's own names.
LABELS_EN = {
    "name": "Name", "description_short": "Short description", "organization": "Organisation",
    "theme": "Theme", "status": "Status", "start_date": "Start date", "end_date": "End date",
    "contact": "Contact details", "link": "Link to public page",
    "publication_category": "Publication category", "source_link": "Link to source registration",
    "purpose_and_impact": "Purpose and impact", "considerations": "Considerations",
    "human_intervention": "Human intervention", "risk_management": "Risk management",
    "legal_basis": "Legal basis", "legal_basis_link": "Link to legal basis",
    "legal_basis_title": "Title of legal basis", "processing_register_link": "Link to processing register",
    "impact_assessments": "Impact assessments", "impact_assessment_link": "Link to impact assessment",
    "impact_assessment_explanation": "Explanation of impact assessments", "data": "Data",
    "data_source_link": "Link to data sources", "data_source_title": "Title of data source",
    "technical_operation": "Technical operation", "supplier": "Supplier",
    "source_code_link": "Link to source code", "language": "Language", "schema": "Schema",
    "source_id": "Source ID", "search_terms": "Search terms",
    "decision_kinds": "Decisions this algorithm is used for",
    "human_contact": "Talk to a person instead", "objection_route": "How to object",
    "objection_link": "Link to the objection procedure", "ai_act_risk_class": "EU AI Act risk class",
    "eu_database_ref": "EU database reference",
    "eu_provider_entry_url": "Link to the provider's entry in the EU database", "source_open": "Source code is open",
    "exit_strategy": "Exit strategy", "open_standards": "Open standards used",
    "receipt_months": "Months a decision explanation stays online",
    "model_version": "Model used to explain decisions",
    "publiccode_url": "publiccode.yml address", "hosting": "Hosting",
    "data_portable": "Data can leave in an open format", "exit_in_contract": "Exit strategy in the contract",
    "contract_end_date": "Contract end date", "replaceability": "How replaceable it is",
    "cost_licence_eur": "Licence costs per year (euro)", "cost_licence_source": "Source of the licence costs",
    "cost_licence_year": "Year of the licence costs", "cost_hosting_eur": "Hosting costs per year (euro)",
    "cost_hosting_source": "Source of the hosting costs", "cost_hosting_year": "Year of the hosting costs",
    "cost_staff_eur": "Staff costs per year (euro)", "cost_staff_source": "Source of the staff costs",
    "cost_staff_year": "Year of the staff costs", "energy_training_kwh": "Energy for training (kWh)",
    "energy_training_source": "Source of the training energy", "energy_training_year": "Year of the training energy",
    "energy_running_kwh": "Energy for running, per year (kWh)", "energy_running_source": "Source of the running energy",
    "energy_running_year": "Year of the running energy",
}
LABELS_NL_EXTENSIONS = {
    "decision_kinds": "Besluiten waarbij dit algoritme wordt gebruikt",
    "human_contact": "Liever met een mens praten", "objection_route": "Bezwaar maken",
    "objection_link": "Link naar de bezwaarprocedure", "ai_act_risk_class": "Risicoklasse AI-verordening",
    "eu_database_ref": "Referentie EU-databank",
    "eu_provider_entry_url": "Link naar de registratie van de aanbieder in de EU-databank", "source_open": "Broncode is openbaar",
    "exit_strategy": "Exitstrategie", "open_standards": "Gebruikte open standaarden",
    "receipt_months": "Maanden dat een besluituitleg online blijft",
    "model_version": "Model waarmee besluiten worden uitgelegd",
    "publiccode_url": "Adres van publiccode.yml", "hosting": "Hosting",
    "data_portable": "Gegevens kunnen mee in een open formaat", "exit_in_contract": "Exitstrategie in het contract",
    "contract_end_date": "Einddatum contract", "replaceability": "Hoe vervangbaar het is",
    "cost_licence_eur": "Licentiekosten per jaar (euro)", "cost_licence_source": "Bron van de licentiekosten",
    "cost_licence_year": "Jaar van de licentiekosten", "cost_hosting_eur": "Hostingkosten per jaar (euro)",
    "cost_hosting_source": "Bron van de hostingkosten", "cost_hosting_year": "Jaar van de hostingkosten",
    "cost_staff_eur": "Personeelskosten per jaar (euro)", "cost_staff_source": "Bron van de personeelskosten",
    "cost_staff_year": "Jaar van de personeelskosten", "energy_training_kwh": "Energie voor trainen (kWh)",
    "energy_training_source": "Bron van de trainingsenergie", "energy_training_year": "Jaar van de trainingsenergie",
    "energy_running_kwh": "Energie voor gebruik, per jaar (kWh)", "energy_running_source": "Bron van de gebruiksenergie",
    "energy_running_year": "Jaar van de gebruiksenergie",
}
# Labels of the lock-in and cost choices (their definitions: /lock-in-index/method).
CHOICE_LABELS = {
    "hosting": {"own": N_("Own data centre"), "nl_eu_cloud": N_("Dutch or EU public cloud"), "other": N_("Other")},
    "replaceability": {"easy": N_("Easy to replace"), "effort": N_("Replaceable with effort"),
                       "hard": N_("Hard to replace"), "locked": N_("Not replaceable in practice")},
    "source": {"declared": N_("declared"), "invoiced": N_("invoiced"), "measured": N_("measured")},
}
RISK_CLASS_LABELS = {
    "none": (N_("Not an AI system")), "minimal": N_("Minimal risk"), "limited": N_("Limited risk"),
    "high": N_("High risk"), "prohibited": N_("Prohibited practice"),
}
# "Your decision" comes first: it is what a resident holding a decision letter looks for.
SECTIONS = [
    ("decision", N_("Your decision")),
    ("Algemene informatie", N_("General information")),
    ("Verantwoord gebruik", N_("Responsible use")),
    ("Werking", N_("How it works")),
    ("accountability", N_("AI Act and supplier")),
    ("costs", N_("Costs and energy")),
    ("Metadata", N_("Metadata")),
]
HIDDEN = {"source_id", "search_terms"}


# The policy areas of the government's theme list (OWMS "themaindeling"), offered in forms.
THEMES = [
    "Bestuur", "Cultuur en recreatie", "Economie", "Financiën", "Huisvesting", "Internationaal",
    "Landbouw", "Migratie en integratie", "Natuur en milieu", "Onderwijs en wetenschap",
    "Openbare orde en veiligheid", "Organisatie en bedrijfsvoering", "Recht", "Ruimte en infrastructuur",
    "Sociale zekerheid", "Verkeer", "Werk", "Zorg en gezondheid",
]


def widget(name: str) -> str:
    """How a portal form asks for the field: select, checkboxes, lines, yesno, textarea or text."""
    schema = field_schema(name)
    if "enum" in schema:
        return "select"
    if name == "theme":
        return "checkboxes"
    if name in LIST_FIELDS:
        return "lines"
    if schema.get("type") == "boolean":
        return "yesno"
    if schema.get("type") in ("integer", "number"):
        return "text"
    if schema.get("format") == "uri" or schema.get("maxLength", 10_000) <= LONG_TEXT_LIMIT \
            or name in {"contact", "start_date", "end_date", "source_id"}:
        return "text"
    return "textarea"


def choices(name: str, locale: str) -> list[tuple[str, str]]:
    """(value, label) pairs for select and checkbox fields."""
    if name == "theme":
        return [(theme, theme) for theme in THEMES]
    if name == "ai_act_risk_class":
        t = translator(locale)
        return [(value, t(RISK_CLASS_LABELS[value])) for value in AI_ACT_RISK_CLASSES]
    labels = CHOICE_LABELS.get("source" if name.endswith("_source") else name)
    if labels:
        t = translator(locale)
        return [(value, t(labels[value])) for value in field_schema(name).get("enum", [])]
    return [(value, value) for value in field_schema(name).get("enum", [])]


def choice_label(name: str, value, locale: str):
    """The label of a lock-in or cost choice in ``locale``; other values as they are."""
    labels = CHOICE_LABELS.get("source" if name.endswith("_source") else name)
    return translator(locale)(labels[value]) if labels and value in labels else value


def field_schema(name: str) -> dict:
    """The schema of one entry field, standard or extension."""
    return ACCEPTING_SCHEMA["properties"].get(name) or EXTENSION_SCHEMA["properties"][name]


def label(name: str, locale: str) -> str:
    """The field's label in ``locale``."""
    if locale == "en":
        return LABELS_EN[name]
    return LABELS_NL_EXTENSIONS.get(name) or SCHEMA["properties"][name]["name"]


def is_required(name: str) -> bool:
    return name in SCHEMA["required"]


@cache
def layout(locale: str, include_hidden: bool = False) -> list[dict]:
    """Sections → fields, for the detail page, the form and the PDF alike."""
    t = translator(locale)
    sections = []
    for key, title in SECTIONS:
        fields = [f for f in ENTRY_FIELDS if field_schema(f).get("category") == key
                  and (include_hidden or f not in HIDDEN)]
        if not fields:
            continue
        sections.append({"key": key, "title": key if locale == "nl" and key[0].isupper() else t(title),
                         "fields": [{"name": f, "label": label(f, locale), "required": is_required(f),
                                     "help": field_schema(f).get("description", "") if locale == "nl" else "",
                                     "widget": widget(f), "choices": choices(f, locale)}
                                    for f in fields]})
    return sections


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    index: int | None = None  # the record's position in an import file

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@cache
def _validators():
    """The standard's and the extension's validators, made on first use: jsonschema is a tenth of a
    second to import, which a process that never checks an entry (``decisions batch``) is spared."""
    from jsonschema import Draft7Validator

    return (Draft7Validator({k: v for k, v in ACCEPTING_SCHEMA.items() if k != "$id"}),
            Draft7Validator(EXTENSION_SCHEMA))
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in value


def validate_entry(data: dict, *, locale: str = "nl", strict: bool = True) -> list[FieldError]:
    """Every problem with an entry, one plain message per field.

    ``strict`` refuses leading/trailing or invisible whitespace instead of silently cleaning it:
    imports and the API clean texts first (``clean_record``, with a note per field) and portal
    forms clean input too, so it only catches what cleaning left behind.
    """
    t = translator(locale)
    errors: dict[str, str] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, message)

    for key, value in data.items():
        if key not in ENTRY_FIELDS and key not in CONSTANTS:
            add(key, t("This field is not part of the publication standard or of this register."))
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and strict and _oddities(item):
                add(key, t("Remove the spaces or invisible characters at the start, at the end or inside this text."))
    present = {k: v for k, v in data.items() if v not in (None, "", [])}
    for key in ("language", "schema"):
        if key in data and data[key] != CONSTANTS[key]:
            add(key, t("This must be %(value)s.", value=CONSTANTS[key]))
    standard_part = {k: v for k, v in present.items() if k in SCHEMA["properties"]} | CONSTANTS
    for error in _validators()[0].iter_errors(standard_part):
        _translate(error, add, t)
    extension_part = {k: v for k, v in present.items() if k in EXTENSION_FIELDS}
    for error in _validators()[1].iter_errors(extension_part):
        _translate(error, add, t)
    for key, value in present.items():
        schema = field_schema(key) if key in ENTRY_FIELDS else {}
        if schema.get("format") == "uri" and isinstance(value, str) and not is_web_address(value):
            add(key, t("Give a full web address that starts with https://"))
        if key == "theme" and isinstance(value, list) and any(not str(v).strip() for v in value):
            add(key, t("A theme cannot be empty."))
    contact = present.get("contact")
    if isinstance(contact, str) and not (_EMAIL.match(contact.strip()) or is_web_address(contact.strip())):
        add("contact", t("Give an e-mail address or a web address that starts with https://"))
    if present.get("ai_act_risk_class") == "high" and not present.get("eu_database_ref"):
        add("eu_database_ref", t("A high-risk AI system must give its reference in the EU database."))
    start, end = present.get("start_date"), present.get("end_date")
    if isinstance(start, str) and isinstance(end, str) and "start_date" not in errors \
            and "end_date" not in errors and end < start:
        add("end_date", t("The end date cannot be before the start date."))
    if "theme" in data and not present.get("theme"):
        add("theme", t("Choose at least one theme."))
    for figure in COST_FIGURES:  # a cost or energy figure is only useful with its source and year
        if present.get(figure) is not None:
            for part in ("_source", "_year"):
                if not present.get(figure.rsplit("_", 1)[0] + part):
                    add(figure.rsplit("_", 1)[0] + part, t("Say where this figure comes from and for which year."))
    return [FieldError(field, message) for field, message in errors.items()]


def _translate(error, add, t) -> None:
    """Turn a JSON Schema error into a plain message on its field."""
    field = error.path[0] if error.path else None
    kind = error.validator
    if kind == "required":
        field = re.search(r"'([^']+)'", error.message).group(1)
        add(field, t("Please fill in this field."))
    elif field is None:
        return
    elif kind == "maxLength":
        add(field, t("This text is too long: at most %(max)d characters, you used %(length)d.",
                     max=error.validator_value, length=len(error.instance)))
    elif kind == "minLength":
        add(field, t("Please fill in this field."))
    elif kind == "pattern":
        add(field, t("Write the month as YYYY-MM, for example 2023-01."))
    elif kind == "enum":
        add(field, t("Choose one of: %(choices)s.", choices=", ".join(map(str, error.validator_value))))
    elif kind == "type":
        expected = {"string": t("text"), "array": t("a list of texts"), "boolean": t("yes or no"),
                    "integer": t("a whole number"), "number": t("a number")}
        add(field, t("This must be %(kind)s.", kind=expected.get(error.validator_value, error.validator_value)))
    elif kind in ("minimum", "maximum"):
        add(field, t("Give a whole number from %(low)d to %(high)d.", low=error.schema.get("minimum", 0),
                     high=error.schema.get("maximum", 0)))
    elif kind == "const":
        add(field, t("This must be %(value)s.", value=error.validator_value))
    else:  # pragma: no cover - the schema uses no other keywords
        add(field, error.message)


def normalise_form(form: dict[str, str | list[str]]) -> dict:
    """Clean what a person typed: trim, drop empty optional fields, split lists by line."""
    data: dict = {}
    for name in ENTRY_FIELDS:
        raw = form.get(name)
        if name in LIST_FIELDS:
            items = raw if isinstance(raw, list) else (raw or "").splitlines()
            data[name] = [clean_text(i) for i in items if i and clean_text(i)]
        elif field_schema(name).get("type") == "boolean":
            data[name] = {"yes": True, "no": False}.get(raw or "")
        elif field_schema(name).get("type") in ("integer", "number"):
            data[name] = _number(raw, field_schema(name)["type"])
        else:
            data[name] = clean_text(raw or "") or None
    return data


def _number(raw, kind: str):
    """A typed number ("1.250", "12,5" or "12.5" for a decimal) or the text as typed (refused later)."""
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if kind == "integer":
        digits = text.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text) else text
        return int(digits) if re.fullmatch(r"-?\d+", digits) else text
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def to_standard(entry: dict, *, extensions: bool = True) -> dict:
    """An entry as a record in the national standard's shape (plus our fields if asked)."""
    record = {}
    for name in STANDARD_FIELDS:
        value = CONSTANTS.get(name, entry.get(name))
        if value not in (None, "", []):
            record[name] = value
    if extensions:
        for name in EXTENSION_FIELDS:
            value = entry.get(name)
            if value not in (None, "", []):
                record[name] = value
    return record


def validate_export(record: dict) -> list[str]:
    """Schema errors of an exported record (none expected)."""
    return [e.message for e in _validators()[0].iter_errors(record)]
