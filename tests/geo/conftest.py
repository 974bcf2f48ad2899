"""Fixtures for the geo library: a valid sensor record and Amsterdam's bulk workbook."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from geo import Boundary

WORKBOOK_HEADER = [
    "Referentie", "Kies soort / type sensor", "Latitude", "Longitude",
    "In welk gebied bevindt zich de mobiele sensor?", "Wat meet de sensor?",
    "Waarvoor meet u dat?", "Thema 1", *[f"Thema {i} (niet verplicht)" for i in range(2, 9)],
    "Worden er persoonsgegevens verwerkt? (Ja/Nee)", "Wettelijke grondslag", "Privacyverklaring",
    "Wanneer wordt de sensor verwijderd? (dd-mm-jjjj)", "Opmerking (niet verplicht)", "Project",
]

OWNER_ROWS = [
    ("Naam organisatie/bedrijf", "Bakkerij Test B.V."), ("Postcode", "1012 AB"),
    ("Huisnummer", 1), ("Toevoeging (niet verplicht)", None), ("Straatnaam", "Dam"),
    ("Plaatsnaam", "Amsterdam"), ("E-mail", "jan.jansen@gmail.com"),
    ("Telefoonnummer", "06-12345678"), ("KVK-nummer (niet verplicht)", None),
    ("Website (niet verplicht)", None), ("Voornaam", "Jan"),
    ("Tussenvoegsel (niet verplicht)", None), ("Achternaam", "Jansen"),
]


def workbook_row(ref, kind="Geluidsensor", lat="52,3731", lon="4,8926", area=None,
                 themes=("Milieu: geluid",), personal="Nee", ground=None, privacy=None,
                 end="31-12-2027", remark=None, project="Test"):
    theme_cells = list(themes) + [None] * (8 - len(themes))
    return [ref, kind, lat, lon, area, "Geluid in dB", "Overlast meten", *theme_cells,
            personal, ground, privacy, end, remark, project]


def make_workbook(rows, *, owner=True, sensor_sheet="Sensorregistratie") -> bytes:
    book = Workbook()
    first = book.active
    if owner:
        first.title = "Uw gegevens"
        for label, value in OWNER_ROWS:
            first.append([label, value])
        sheet = book.create_sheet(sensor_sheet)
    else:
        first.title = sensor_sheet
        sheet = first
    sheet.append(WORKBOOK_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def workbook():
    """Builders for Amsterdam's bulk workbook: ``workbook.make(rows)``, ``workbook.row(...)``."""
    return SimpleNamespace(make=make_workbook, row=workbook_row)


@pytest.fixture
def boundary() -> Boundary:
    return Boundary.default()


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 1, 15)


@pytest.fixture
def valid_input() -> dict:
    """A shop camera as a registrant would enter it in the portal."""
    return {
        "reference": "CAM-01", "owner_name": "Bakkerij Test B.V.", "owner_kind": "Bedrijf",
        "contact_name": "Jan Jansen", "contact_email": "jan.jansen@gmail.com",
        "contact_phone": "06-12345678", "contact_is_organisational": "Nee",
        "sensor_type": "Optische / camera sensor",
        "themes": ["Veiligheid: bewakings- en/of beveiligingscamera"],
        "measures": "Beelden van de ingang", "purpose": "Beveiliging",
        "personal_data": "Ja", "legal_ground": "Gerechtvaardigd belang",
        "privacy_statement_url": "https://bakkerij.example/privacy", "retention_days": "28 dagen",
        "lat": "52,37310", "lon": "4,89260", "end_date": "31-12-2027",
        "field_of_view": "POLYGON((4.8926 52.3731, 4.8929 52.3733, 4.8929 52.3729, 4.8926 52.3731))",
    }
