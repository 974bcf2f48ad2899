"""Amsterdam's bulk registration workbook imports as the city hands it out (issue 14, point 8):
exactly its sheets, headers and dropdown lists (data validation included), its spellings, no
retention column, the owner taken from "Uw gegevens", Dutch on the command line by default."""
from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import select

from register.models import Organisation, Sensor

END = (dt.date.today() + dt.timedelta(days=400)).strftime("%d-%m-%Y")
HEADER = ["Referentie", "Kies soort / type sensor", "Latitude", "Longitude",
          "In welk gebied bevindt zich de mobiele sensor?", "Wat meet de sensor?", "Waarvoor meet u dat?",
          "Thema 1", *[f"Thema {i} (niet verplicht)" for i in range(2, 9)],
          "Worden er persoonsgegevens verwerkt? (Ja/Nee)", "Wettelijke grondslag", "Privacyverklaring",
          "Wanneer wordt de sensor verwijderd? (dd-mm-jjjj)", "Opmerking (niet verplicht)", "Project"]
OWNER_LABELS = ["Naam organisatie/bedrijf", "Postcode", "Huisnummer", "Toevoeging (niet verplicht)", "Straatnaam",
                "Plaatsnaam", "E-mail", "Telefoonnummer", "KVK-nummer (niet verplicht)", "Website (niet verplicht)",
                "Voornaam", "Tussenvoegsel (niet verplicht)", "Achternaam"]
TYPES = ["Aanwezigheid of nabijheidsensor", "Temperatuursensor", "Dichtheidssensor", "Druksensor",
         "Positie- of verplaatsingsensor", "Vloeistof- en gasstroomsensor", "Electriciteitssensor", "Chemiesensor",
         "Klimaatsensor", "Geluidsensor", "Optische / camera sensor"]
THEMES = ["Economie: bouwen en verbouwen", "Economie: dienstensector", "Economie: marketing en reclame",
          "Economie: markttoezicht", "Milieu: afval", "Milieu: energie", "Milieu: geluid",
          "Milieu: klimaatverandering", "Milieu: natuur- en landschapsbeheer", "Milieu: stoffen",
          "Milieu: water, bodem, lucht", "Mobiliteit: auto", "Mobiliteit: fiets", "Mobiliteit: voetganger",
          "Mobiliteit: luchtvaart", "Mobiliteit: openbaar vervoer", "Mobiliteit: railverkeer",
          "Mobiliteit: scheepvaart", "Veiligheid: bewakings- en/of beveiligingscamera", "Veiligheid: gezondheid"]
GROUNDS = ["Bescherming vitale belangen betrokkene(n) of van een andere natuurlijke persoon)",  # sic
           "Uitvoering overeenkomst met betrokkene(n)", "Toestemming betrokkene(n)", "Wettelijke verplichting",
           "Gerechtvaardigd belang", "Publieke taak"]


def row(ref, typ="Optische / camera sensor", measures="Beelden van de stoep", personal="Ja", ground=GROUNDS[0],
        lat="52,3731", lon="4,8926"):
    return [ref, typ, lat, lon, None, measures, "Veiligheid van voetgangers", THEMES[13], *[None] * 7, personal,
            ground if personal == "Ja" else None, "https://winkel.example/privacy" if personal == "Ja" else None,
            END, None, "Winkelstraat"]


def template(path, rows):
    """The city's workbook: its six sheets, its headers and its dropdowns, filled in."""
    book = Workbook()
    owner = book.active
    owner.title = "Uw gegevens"
    values = {"Naam organisatie/bedrijf": "Winkeliersvereniging De Pijp", "Postcode": "1072 LA", "Huisnummer": 1,
              "Straatnaam": "Ferdinand Bolstraat", "Plaatsnaam": "Amsterdam", "E-mail": "p.devries@ziggo.nl",
              "Telefoonnummer": "06-98765432", "Voornaam": "Petra", "Tussenvoegsel (niet verplicht)": "de",
              "Achternaam": "Vries"}
    for label in OWNER_LABELS:
        owner.append([label, values.get(label)])
    sheet = book.create_sheet("Sensorregistratie")
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    for name, items in (("JaNee", ["Ja", "Nee"]), ("Types", TYPES), ("Themas", THEMES),
                        ("Wettelijke Grondslagen", GROUNDS)):
        lists = book.create_sheet(name)
        for item in items:
            lists.append([item])
    for column, source, count in (("B", "Types", len(TYPES)), ("P", "JaNee", 2),
                                  ("Q", "'Wettelijke Grondslagen'", len(GROUNDS))):
        check = DataValidation(type="list", formula1=f"={source}!$A$1:$A${count}", allow_blank=True)
        sheet.add_data_validation(check)
        check.add(f"{column}2:{column}500")
    themes = DataValidation(type="list", formula1=f"=Themas!$A$1:$A${len(THEMES)}", allow_blank=True)
    sheet.add_data_validation(themes)
    themes.add("H2:O500")
    book.save(path)
    return path


def test_the_template_as_distributed_imports_without_owner_flag_in_dutch(runner, session, tmp_path, client):
    path = template(tmp_path / "sensorregistratie.xlsx", [
        row("WDP-1"), row("WDP-2", typ="Electriciteitssensor", measures="Stroomverbruik", personal="Nee"),
        row("WDP-3", measures=None)])
    out = runner.invoke(args=["sensors", "import", str(path), "--valid-only"])
    assert out.exit_code == 1, out.output  # written, but a row was refused (exit codes: README)
    assert "rij 4 (WDP-3) [Wat meet de sensor?]" in out.output  # the column the person sees, in Dutch
    assert "Geïmporteerd: 2 nieuw" in out.output and "Winkeliersvereniging De Pijp" in out.output
    assert "retention_days" not in out.output
    organisation = session.exec(select(Organisation).where(Organisation.name == "Winkeliersvereniging De Pijp")).one()
    assert organisation.verified is False
    camera = session.exec(select(Sensor).where(Sensor.reference == "WDP-1")).one()
    assert camera.legal_ground == "vital-interests" and camera.retention_days is None
    assert camera.contact_email == "p.devries@ziggo.nl" and not camera.contact_is_organisational
    meter = session.exec(select(Sensor).where(Sensor.reference == "WDP-2")).one()
    assert meter.sensor_type == "electricity"
    page = client.get(f"/sensors/{camera.id}").get_data(as_text=True)
    assert "niet opgegeven" in page and "Elektriciteitssensor" in client.get(f"/sensors/{meter.id}").get_data(
        as_text=True)
    assert "ziggo.nl" not in page and "06-98765432" not in page
    reminders = runner.invoke(args=["sensors", "reminders"])
    assert "WDP-1" in reminders.output and "geen bewaartermijn" in reminders.output


def test_all_or_nothing_by_default_and_skip_invalid_is_the_same_flag(runner, session, tmp_path):
    path = template(tmp_path / "t.xlsx", [row("A-1"), row("A-2", measures=None)])
    refused = runner.invoke(args=["sensors", "import", str(path), "--lang", "en"])
    assert refused.exit_code == 1 and "row 3 (A-2) [Wat meet de sensor?]" in refused.output
    assert "Nothing imported" in refused.output
    assert session.exec(select(Sensor)).all() == []
    assert session.exec(select(Organisation).where(Organisation.name == "Winkeliersvereniging De Pijp")).first() \
        is None  # nothing imported: no organisation created either
    kept = runner.invoke(args=["sensors", "import", str(path), "--skip-invalid"])
    assert kept.exit_code == 1 and [s.reference for s in session.exec(select(Sensor))] == ["A-1"]


def test_an_admin_confirms_the_organisation_the_workbook_created(runner, session, tmp_path, auth, client):
    from register.services import accounts

    template(tmp_path / "t.xlsx", [row("C-1")])
    runner.invoke(args=["sensors", "import", str(tmp_path / "t.xlsx")])
    accounts.create_user(session=session, email="admin@stad.example", name="Beheer", password="correct horse "
                         "battery staple", is_admin=True)
    session.commit()
    auth.login("admin@stad.example")
    page = client.get("/portal/sensors").get_data(as_text=True)
    assert "Winkeliersvereniging De Pijp" in page and "C-1" in page  # to confirm, and reminded of its retention
    organisation = session.exec(select(Organisation).where(Organisation.name == "Winkeliersvereniging De Pijp")).one()
    answer = auth.post(f"/portal/organisations/{organisation.id}/verify", form_url="/portal/sensors")
    assert answer.status_code == 303
    session.refresh(organisation)
    assert organisation.verified
