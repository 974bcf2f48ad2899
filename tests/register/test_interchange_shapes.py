"""Real records import as they are, in both shapes, and export in both (issue #17, point 2)."""
import json

import pytest
from openapi_schema_validator import OAS31Validator
from sqlmodel import select

from register.models import Algorithm, AlgorithmVersion
from register.services import algorithms as algos
from register.services.national import openapi_document

# A record as the national register publishes it: its own field names, HTML in the texts, a name of
# exactly 100 characters and the invisible characters word processors leave behind.
NAME_100 = "Automatische beoordeling van aanvragen voor een bijzondere bijstand bij schulden en energiekosten 26"
NATIONAL = {
    "name": NAME_100 + "\u200b",
    "description_short": "\ufeffEen algoritme helpt\u00a0medewerkers aanvragen voor bijzondere bijstand te beoordelen.",
    "organization": "Gemeente Amsterdam", "category": ["Sociale zekerheid", "Overheidsfinanciën"],
    "status": "In gebruik", "begin_date": "2022-03", "contact_email": "bijstand@amsterdam.example",
    "publication_category": "Impactvolle algoritmes",
    "goal": "<p>Sneller beslissen over aanvragen.</p><ul><li>Minder wachttijd</li><li>Gelijke behandeling</li></ul>",
    "proportionality": "Sneller dan handmatig, en een medewerker beslist.\u200b",
    "human_intervention": "Een medewerker beoordeelt elke aanvraag.",
    "risks": "Maandelijkse steekproef.", "lawful_basis": "Participatiewet.",
    "lawful_basis_grouping": [{"title": "Participatiewet", "link": "https://wetten.overheid.nl/BWBR0015703"},
                              {"title": "Beleidsregels bijzondere bijstand", "link": "https://lokaleregelgeving.overheid.nl/CVDR1"}],
    "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)",
                                "link": "https://amsterdam.example/dpia.pdf"},
                               {"title": "Impact Assessment Mensenrechten en Algoritmes (IAMA)"}],
    "source_data": "Gegevens uit de aanvraag.", "methods_and_models": "Regels uit de beleidsregels.",
    "provider": "Intern ontwikkeld", "lang": "nld", "standard_version": "1.0", "source_id": "NR-1",
    "lars": "12345678", "publication_dt": "2024-01-10",
}


def write(tmp_path, data, name="records.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def stored(session):
    session.expire_all()
    return session.exec(select(AlgorithmVersion)).one()


def test_a_national_record_imports_with_its_own_field_names(runner, session, tmp_path):
    result = runner.invoke(args=["algorithms", "import", "--lang", "en", str(write(tmp_path, [NATIONAL]))])
    assert result.exit_code == 0, result.output
    version = stored(session)
    assert version.name == NAME_100 and len(version.name) == 100
    assert version.description_short.startswith("Een algoritme helpt medewerkers")
    assert version.purpose_and_impact == "Sneller beslissen over aanvragen.\n- Minder wachttijd\n- Gelijke behandeling"
    assert version.considerations == "Sneller dan handmatig, en een medewerker beslist."
    assert version.risk_management == "Maandelijkse steekproef." and version.contact == "bijstand@amsterdam.example"
    assert version.start_date == "2022-03" and version.theme == ["Sociale zekerheid", "Financiën"]
    assert version.publication_category == "Impactvolle algoritmes (Categorie B)"
    assert (version.legal_basis_title, version.legal_basis_link) == (
        "Participatiewet", "https://wetten.overheid.nl/BWBR0015703")
    assert "Beleidsregels bijzondere bijstand: https://lokaleregelgeving.overheid.nl/CVDR1" in version.legal_basis
    assert version.impact_assessments.startswith("Data Protection Impact Assessment (DPIA), Impact Assessment")
    assert version.impact_assessment_link == "https://amsterdam.example/dpia.pdf"
    assert version.technical_operation == "Regels uit de beleidsregels." and version.supplier == "Intern ontwikkeld"


def test_invisible_characters_are_normalised_with_a_note_per_field(runner, tmp_path, make_entry):
    records = [make_entry(source_id="W-1", name="Parkeervergunning\u200b", supplier="Intern ontwikkeld ",
                          description_short="Tekst\u00a0met harde spatie")]
    result = runner.invoke(args=["algorithms", "import", "--lang", "nl", str(write(tmp_path, records))])
    assert result.exit_code == 0, result.output
    assert "1 records: 1 nieuw" in result.output
    assert ("Aangepast: record 0 (source_id W-1), name: Onzichtbare tekens (zoals spaties zonder breedte) "
            "zijn verwijderd.") in result.output
    assert "description_short: Harde spaties zijn vervangen door gewone spaties." in result.output
    assert "supplier: Spaties aan het begin of eind zijn verwijderd." in result.output


def test_both_shapes_of_one_entry_are_the_same_entry(runner, session, tmp_path):
    runner.invoke(args=["algorithms", "import", "--lang", "en", str(write(tmp_path, [NATIONAL]))])
    out = tmp_path / "national.json"
    assert runner.invoke(args=["algorithms", "export", "--shape", "national", str(out)]).exit_code == 0
    again = runner.invoke(args=["algorithms", "import", "--lang", "en", str(out)])
    assert again.exit_code == 0 and "1 unchanged" in again.output
    standard = tmp_path / "standard.json"
    runner.invoke(args=["algorithms", "export", str(standard)])
    assert "1 unchanged" in runner.invoke(args=["algorithms", "import", "--lang", "en", str(standard)]).output
    assert len(session.exec(select(Algorithm)).all()) == 1


def test_the_national_export_validates_against_the_submission_apis_schema(runner, tmp_path, make_entry):
    runner.invoke(args=["algorithms", "import", "--lang", "en", str(write(tmp_path, [NATIONAL, make_entry(source_id="S-2")]))])
    out = tmp_path / "national.json"
    runner.invoke(args=["algorithms", "export", "--shape", "national", str(out)])
    document = openapi_document()
    schema = {**document["components"]["schemas"]["AlgorithmIn"], "components": document["components"]}
    validator = OAS31Validator(schema)
    records = json.loads(out.read_text(encoding="utf-8"))
    assert len(records) == 2
    for record in records:
        assert list(validator.iter_errors(record)) == [], record
        assert "purpose_and_impact" not in record and record["goal"]


def test_an_export_over_the_national_limits_says_so_per_record(runner, session, tmp_path, make_entry):
    records = [make_entry(source_id="L-1", description_short="K" * 380, theme=["Verkeer", "Bestuur"]),
               make_entry(source_id="L-2")]
    runner.invoke(args=["algorithms", "import", "--lang", "en", str(write(tmp_path, records))])
    code = session.exec(select(Algorithm).where(Algorithm.source_id == "L-1")).one().code
    out = tmp_path / "national.json"
    result = runner.invoke(args=["algorithms", "export", "--shape", "national", str(out)])
    assert result.exit_code == 1 and out.exists()
    assert (f"{code}, description_short: The national register accepts at most 350 characters here; "
            "this text has 380.") in result.output
    assert f"{code}, category: The national register's theme list has no Bestuur" in result.output
    assert result.output.count(", description_short:") == 1


def test_the_portal_form_accepts_100_characters_and_cleans_invisible_characters(client, auth, world, session,
                                                                                   make_entry):
    auth.login(world.registrant_a.email)
    data = dict(make_entry(name=NAME_100 + "\u200b", supplier="Intern\u00a0ontwikkeld"), decision_kinds="")
    response = auth.post("/portal/algorithms/new", data | {"organisation_id": world.org_a.id},
                         form_url="/portal/algorithms/new", follow_redirects=True)
    assert response.status_code == 200
    version = stored(session)
    assert version.name == NAME_100 and version.supplier == "Intern ontwikkeld"
    assert "Onzichtbare tekens en harde spaties zijn verwijderd uit: Naam, Leverancier." in response.get_data(as_text=True)


@pytest.fixture
def api_token(session, world):
    from register.services import accounts

    plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="t")[1]
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_the_api_cleans_invisible_characters_as_the_import_does_and_says_so(client, session, api_token, make_entry):
    entry = make_entry(name="\ufeffParkeervergunning\u200b", supplier="Intern\u00a0ontwikkeld ",
                       theme=["Verkeer\u2060"], description_short="\u200bKorte beschrijving.\u200d")
    created = client.post("/api/v1/algorithms?lang=nl", json=entry, headers=api_token)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["draft"]["name"] == "Parkeervergunning" and body["draft"]["supplier"] == "Intern ontwikkeld"
    assert body["draft"]["theme"] == ["Verkeer"] and body["draft"]["description_short"] == "Korte beschrijving."
    notes = {note["field"]: note["message"] for note in body["notes"]}
    assert notes["name"] == "Onzichtbare tekens (zoals spaties zonder breedte) zijn verwijderd."
    assert notes["supplier"] == "Harde spaties zijn vervangen door gewone spaties."
    assert set(notes) == {"name", "supplier", "theme", "description_short"}
    assert stored(session).name == "Parkeervergunning"
    patched = client.patch(f"/api/v1/algorithms/{body['code']}?lang=en", json={"supplier": "Nieuw B.V.\ufeff"},
                           headers=api_token)
    assert patched.status_code == 200 and patched.get_json()["draft"]["supplier"] == "Nieuw B.V."
    assert patched.get_json()["notes"] == [
        {"field": "supplier", "message": "Invisible characters (such as zero-width spaces) were removed."}]
    assert stored(session).supplier == "Nieuw B.V."


def test_the_api_still_refuses_a_text_that_is_nothing_but_invisible_characters(client, session, api_token,
                                                                                make_entry):
    response = client.post("/api/v1/algorithms?lang=en", json=make_entry(name="\u200b\ufeff\u00a0"), headers=api_token)
    assert response.status_code == 422
    assert {e["field"]: e["message"] for e in response.get_json()["errors"]} == {"name": "Please fill in this field."}
    assert session.exec(select(AlgorithmVersion)).all() == []


def test_the_portal_edit_form_cleans_invisible_characters_at_the_edges(auth, session, world, published, make_entry):
    auth.login(world.registrant_a.email)
    url = f"/portal/algorithms/{published.code}/edit"
    form = {k: v for k, v in make_entry().items() if not isinstance(v, list)}
    form.update(theme="Verkeer", decision_kinds="Besluit parkeervergunning", name="\ufeffNieuwe naam\u200b",
                supplier="\u2060Leverancier B.V.\u00a0")
    response = auth.post(url, form, form_url=url, follow_redirects=True)
    assert response.status_code == 200
    assert "Onzichtbare tekens en harde spaties zijn verwijderd uit: Naam, Leverancier." in response.get_data(as_text=True)
    session.expire_all()
    draft = algos.current_draft(session, published)
    assert draft.name == "Nieuwe naam" and draft.supplier == "Leverancier B.V."
