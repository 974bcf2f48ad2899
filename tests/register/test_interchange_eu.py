"""The deployer's registration for the EU AI Act database, Annex VIII Section C (issue #17, point 3)."""
import html
import json
from functools import cache

import pytest

from register.services import algorithms as algos
from register.services import documents
from tests.register.conftest import valid_entry

HIGH_RISK = "Hoog-risico AI-systeem (Categorie A)"
PROVIDER_URL = "https://ec.europa.eu/ai-act-database/systems/EU-123456"


@cache
def real_pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html lang='nl'><body><h1>{title}</h1><p>Bevindingen en maatregelen.</p></body></html>").write_pdf()


def attach(session, app, world, algorithm, kind, title, summary):
    documents.attach(session=session, user=world.registrant_a, algorithm=algorithm, data=real_pdf(title),
                     filename=f"{kind}.pdf", fields={"kind": kind, "title": title, "assessment_date": "2026-03-01",
                                                    "version_label": "1", "language": "nl", "summary": summary},
                     data_dir=app.config["DATA_DIR"], max_bytes=10_000_000)


def high_risk_entry(session, app, world, *, complete: bool):
    data = valid_entry(publication_category=HIGH_RISK, ai_act_risk_class="high", eu_database_ref="EU-123456",
                       source_id=f"HR-{complete}")
    if complete:
        data["eu_provider_entry_url"] = PROVIDER_URL
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a, data=data)
    if complete:
        attach(session, app, world, algorithm, "iama", "FRAIA Slimme check", "Het FRAIA vond geen verboden onderscheid.")
        attach(session, app, world, algorithm, "dpia", "DPIA Slimme check", "De DPIA beschrijft welke gegevens we gebruiken.")
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    return algorithm


def test_a_complete_entry_exports_all_five_items_of_annex_viii_c(app, runner, session, world):
    algorithm = high_risk_entry(session, app, world, complete=True)
    result = runner.invoke(args=["algorithms", "export-eu", algorithm.code])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)[0]
    c = record["annex_viii_section_c"]
    assert c["C.1"]["deployer"] == "Gemeente Amsterdam" and c["C.1"]["contact"] == "parkeren@amsterdam.example"
    assert c["C.2"] == {"name": "approver_a", "email": "app-a@example.org"}
    assert c["C.3"] == PROVIDER_URL
    assert c["C.4"]["summary"] == "Het FRAIA vond geen verboden onderscheid." and c["C.4"]["url"].startswith(
        "http://localhost/documents/")
    assert c["C.5"]["title"] == "DPIA Slimme check"
    assert record["missing"] == []


def test_what_is_missing_is_named_per_item_and_the_command_exits_1(app, runner, session, world, tmp_path):
    high_risk_entry(session, app, world, complete=True)
    incomplete = high_risk_entry(session, app, world, complete=False)
    out = tmp_path / "eu.json"
    result = runner.invoke(args=["algorithms", "export-eu", "--all", "--output", str(out)])
    assert result.exit_code == 1
    records = json.loads(out.read_text(encoding="utf-8"))
    assert len(records) == 2  # the export is written with what is known
    missing = {m["item"] for m in records[1]["missing"]}
    assert missing == {"C.3", "C.4", "C.5"}
    assert f"{incomplete.code}, C.3: Fill in the link to the provider's entry" in result.output


def test_only_high_risk_entries_are_in_the_export_and_usage_errors_exit_2(app, runner, session, world, published):
    result = runner.invoke(args=["algorithms", "export-eu", "--all"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert runner.invoke(args=["algorithms", "export-eu"]).exit_code == 2
    assert runner.invoke(args=["algorithms", "export-eu", "A-ZZZZ"]).exit_code == 2


@pytest.mark.parametrize("lang,heading,missing", [
    ("nl", "Nog ontbreekt", "Vul de link naar de registratie van de aanbieder in de EU-databank in."),
    ("en", "Still missing", "Fill in the link to the provider's entry in the EU database."),
])
def test_the_portal_page_shows_what_is_still_missing(app, client, auth, session, world, lang, heading, missing):
    algorithm = high_risk_entry(session, app, world, complete=False)
    auth.login("reg-a@example.org")
    page = client.get(f"/portal/algorithms/{algorithm.code}/eu-database?lang={lang}")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert heading in text and missing in text and "C.4" in text
    entry_page = client.get(f"/portal/algorithms/{algorithm.code}").get_data(as_text=True)
    assert f"/portal/algorithms/{algorithm.code}/eu-database" in entry_page


def test_another_organisation_cannot_see_the_page(app, client, auth, session, world):
    algorithm = high_risk_entry(session, app, world, complete=True)
    auth.login("reg-b@example.org")
    assert client.get(f"/portal/algorithms/{algorithm.code}/eu-database").status_code == 403
