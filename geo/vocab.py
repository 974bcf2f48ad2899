"""Vocabularies of the sensor register: Amsterdam's words, with English labels.

Every term has a stable English code (stored and used in URLs and exports) and a Dutch and an
English label.  Dutch labels are the city's own wording, so a workbook filled in for Amsterdam's
register reads back without translation.  ``Vocabulary.lookup`` accepts a code or either label,
ignoring case and stray whitespace, and the other spellings a term lists (``aliases``): the
city's workbook spells some values differently from the register (issue 14).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    nl: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, locale: str = "nl") -> str:
        return self.en if locale == "en" else self.nl


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip().casefold()


class Vocabulary:
    """An ordered, closed list of terms."""

    def __init__(self, name: str, terms: list[tuple]) -> None:
        self.name = name
        self.terms = tuple(Term(*t) for t in terms)
        self._by_key: dict[str, Term] = {}
        for term in self.terms:
            for key in (term.code, term.nl, term.en, *term.aliases):
                self._by_key.setdefault(_norm(key), term)

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, code: object) -> bool:
        return any(t.code == code for t in self.terms)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def lookup(self, value: str | None) -> Term | None:
        """The term whose code or Dutch or English label is ``value``, else None."""
        if value is None:
            return None
        return self._by_key.get(_norm(value))

    def get(self, code: str) -> Term:
        for term in self.terms:
            if term.code == code:
                return term
        raise KeyError(code)

    def label(self, code: str, locale: str = "nl") -> str:
        return self.get(code).label(locale)

    def choices(self, locale: str = "nl") -> list[tuple[str, str]]:
        """(code, label) pairs, e.g. for a select field."""
        return [(t.code, t.label(locale)) for t in self.terms]


OTHER_TYPE = "other"

SENSOR_TYPES = Vocabulary("sensor_type", [
    ("presence", "Aanwezigheid of nabijheidsensor", "Presence or proximity sensor"),
    ("temperature", "Temperatuursensor", "Temperature sensor"),
    ("density", "Dichtheidssensor", "Density sensor"),
    ("pressure", "Druksensor", "Pressure sensor"),
    ("position", "Positie- of verplaatsingsensor", "Position or displacement sensor"),
    ("flow", "Vloeistof- en gasstroomsensor", "Liquid and gas flow sensor"),
    ("electricity", "Elektriciteitssensor", "Electricity sensor", ("Electriciteitssensor",)),
    ("chemical", "Chemiesensor", "Chemical sensor"),
    ("climate", "Klimaatsensor", "Climate sensor"),
    ("sound", "Geluidsensor", "Sound sensor"),
    ("camera", "Optische / camera sensor", "Optical / camera sensor"),
    (OTHER_TYPE, "Anders, namelijk…", "Other, namely…"),
])

THEMES = Vocabulary("theme", [
    ("economy-construction", "Economie: bouwen en verbouwen", "Economy: construction and renovation"),
    ("economy-services", "Economie: dienstensector", "Economy: services"),
    ("economy-marketing", "Economie: marketing en reclame", "Economy: marketing and advertising"),
    ("economy-market-supervision", "Economie: markttoezicht", "Economy: market supervision"),
    ("environment-waste", "Milieu: afval", "Environment: waste"),
    ("environment-energy", "Milieu: energie", "Environment: energy"),
    ("environment-noise", "Milieu: geluid", "Environment: noise"),
    ("environment-climate-change", "Milieu: klimaatverandering", "Environment: climate change"),
    ("environment-nature", "Milieu: natuur- en landschapsbeheer",
     "Environment: nature and landscape management"),
    ("environment-substances", "Milieu: stoffen", "Environment: substances"),
    ("environment-water-soil-air", "Milieu: water, bodem, lucht", "Environment: water, soil, air"),
    ("mobility-car", "Mobiliteit: auto", "Mobility: car"),
    ("mobility-bicycle", "Mobiliteit: fiets", "Mobility: bicycle"),
    ("mobility-pedestrian", "Mobiliteit: voetganger", "Mobility: pedestrian"),
    ("mobility-aviation", "Mobiliteit: luchtvaart", "Mobility: aviation"),
    ("mobility-public-transport", "Mobiliteit: openbaar vervoer", "Mobility: public transport"),
    ("mobility-rail", "Mobiliteit: railverkeer", "Mobility: rail traffic"),
    ("mobility-shipping", "Mobiliteit: scheepvaart", "Mobility: shipping"),
    ("safety-surveillance-camera", "Veiligheid: bewakings- en/of beveiligingscamera",
     "Safety: surveillance and/or security camera"),
    ("safety-health", "Veiligheid: gezondheid", "Safety: health"),
])

LEGAL_GROUNDS = Vocabulary("legal_ground", [
    ("vital-interests",
     "Bescherming vitale belangen betrokkene(n) of van een andere natuurlijke persoon",
     "Protection of the vital interests of the data subject(s) or another person",
     # the dropdown of the city's workbook, with its unmatched closing parenthesis
     ("Bescherming vitale belangen betrokkene(n) of van een andere natuurlijke persoon)",)),
    ("contract", "Uitvoering overeenkomst met betrokkene(n)",
     "Performance of a contract with the data subject(s)"),
    ("consent", "Toestemming betrokkene(n)", "Consent of the data subject(s)"),
    ("legal-obligation", "Wettelijke verplichting", "Legal obligation"),
    ("legitimate-interest", "Gerechtvaardigd belang", "Legitimate interest"),
    ("public-task", "Publieke taak", "Public task"),
])

OWNER_KINDS = Vocabulary("owner_kind", [
    ("municipality", "Gemeente", "Municipality"),
    ("other-government", "Andere overheid", "Other government"),
    ("company", "Bedrijf", "Company"),
    ("research", "Onderzoeksinstelling", "Research institution"),
    ("citizen-initiative", "Burgerinitiatief", "Citizen initiative"),
])

STATUSES = Vocabulary("status", [
    ("planned", "Gepland", "Planned"),
    ("active", "Actief", "Active"),
    ("removed", "Verwijderd", "Removed"),
])

#: Amsterdam's workbook allows at most eight themes per sensor.
MAX_THEMES = 8

VOCABULARIES = {v.name: v for v in (SENSOR_TYPES, THEMES, LEGAL_GROUNDS, OWNER_KINDS, STATUSES)}
