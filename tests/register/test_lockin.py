"""The Vendor Lock-in Index: entry fields with four eyes, scores per entry and domain, frozen years (issue 15)."""
import csv
import io
from datetime import date

import pytest
from sqlmodel import select

from register.models import AlgorithmVersion
from register.services import algorithms as algos
from register.services import lockin
from tests.register.conftest import valid_entry

INDEPENDENT = {"source_open": True, "hosting": "own", "open_standards": "NL GOV API Design Rules, OpenAPI",
               "data_portable": True, "exit_in_contract": True, "replaceability": "easy"}
LOCKED = {"source_open": False, "hosting": "other", "open_standards": None, "data_portable": False,
          "exit_in_contract": False, "replaceability": "locked", "supplier": "Leverancier X B.V."}


def publish(session, world, **fields):
    entry = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                               data=valid_entry(**fields))
    algos.submit(session=session, user=world.registrant_a, algorithm=entry)
    algos.approve(session=session, user=world.approver_a, algorithm=entry)
    return entry


def change(session, world, entry, **fields):
    algos.update_entry(session=session, user=world.registrant_a, algorithm=entry, data=fields, partial=True)
    algos.submit(session=session, user=world.registrant_a, algorithm=entry)
    algos.approve(session=session, user=world.approver_a, algorithm=entry)


def test_lockin_fields_go_public_only_after_approval(auth, client, session, world, published):
    auth.login(world.registrant_a.email)
    form = {k: v for k, v in valid_entry().items() if not isinstance(v, list)}
    form |= {"theme": "Verkeer", "decision_kinds": "Besluit parkeervergunning", "hosting": "nl_eu_cloud",
             "replaceability": "effort", "data_portable": "yes", "exit_in_contract": "no",
             "contract_end_date": "2028-06", "publiccode_url": "https://example.org/publiccode.yml"}
    url = f"/portal/algorithms/{published.code}/edit"
    assert auth.post(url, form, form_url=url).status_code == 302
    entry = client.get(f"/algorithms/{published.code}.json").get_json()["algorithm"]["entry"]
    assert "hosting" not in entry
    session.expire_all()
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    algos.approve(session=session, user=world.approver_a, algorithm=published)
    entry = client.get(f"/algorithms/{published.code}.json").get_json()["algorithm"]["entry"]
    assert entry["hosting"] == "nl_eu_cloud" and entry["data_portable"] is True and entry["exit_in_contract"] is False
    assert entry["contract_end_date"] == "2028-06" and entry["replaceability"] == "effort"
    page = client.get(f"/algorithms/{published.code}?lang=en").get_data(as_text=True)
    assert "Dutch or EU public cloud" in page and "Replaceable with effort" in page
    history = client.get(f"/algorithms/{published.code}/history.json").get_json()["history"]["versions"][0]
    assert {c["field"] for c in history["changes"]} >= {"hosting", "replaceability", "contract_end_date"}


@pytest.mark.parametrize("field, value, message", [
    ("hosting", "mars", "Kies een van: own, nl_eu_cloud, other."),
    ("contract_end_date", "2027-13", "Schrijf de maand als JJJJ-MM"),
    ("publiccode_url", "ftp://example.org/publiccode.yml", "https://"),
    ("replaceability", "soms", "Kies een van: easy, effort, hard, locked."),
])
def test_bad_lockin_fields_are_refused_with_nothing_stored(auth, session, world, published, field, value, message):
    auth.login(world.registrant_a.email)
    form = {k: v for k, v in valid_entry().items() if not isinstance(v, list)} | {"theme": "Verkeer", field: value}
    url = f"/portal/algorithms/{published.code}/edit"
    count = len(session.exec(select(AlgorithmVersion)).all())
    response = auth.post(url, form, form_url=url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#f-{field}"' in page and message in page
    session.expire_all()
    assert len(session.exec(select(AlgorithmVersion)).all()) == count


def test_scores_per_entry_follow_the_published_method(client, session, world):
    free = publish(session, world, **INDEPENDENT)
    locked = publish(session, world, **LOCKED)
    unstated = publish(session, world, source_open=None)
    scores = {e["code"]: e for e in lockin.compute(session, 2026)["entries"]}
    assert scores[free.code]["score"] == 0 and scores[free.code]["stated"] == 6
    assert scores[locked.code]["score"] == 100 and scores[locked.code]["stated"] == 5  # no standards named
    assert scores[unstated.code]["score"] == 100 and scores[unstated.code]["stated"] == 0
    on_page = client.get(f"/algorithms/{free.code}.json").get_json()["lockin"]
    assert on_page["score"] == 0 and on_page["stated"] == 6 and on_page["method_version"] == lockin.METHOD_VERSION
    assert "0.0 out of 100" in client.get(f"/algorithms/{free.code}?lang=en").get_data(as_text=True)
    half = publish(session, world, **(INDEPENDENT | {"hosting": "nl_eu_cloud", "replaceability": "hard"}))
    assert {e["code"]: e["score"] for e in lockin.compute(session, 2026)["entries"]}[half.code] == pytest.approx(20.8)


def test_domains_average_their_entries_and_name_their_main_suppliers(session, world):
    publish(session, world, theme=["Verkeer", "Werk"], **LOCKED)
    publish(session, world, theme=["Verkeer"], **(INDEPENDENT | {"supplier": "Leverancier X B.V."}))
    publish(session, world, theme=["Verkeer"], **(INDEPENDENT | {"supplier": "Intern ontwikkeld"}))
    stopped = publish(session, world, theme=["Verkeer"], status="Buiten gebruik", end_date="2024-01", **LOCKED)
    result = lockin.compute(session, 2026)
    domains = {d["domain"]: d for d in result["domains"]}
    assert domains["Verkeer"]["entries"] == 3 and domains["Verkeer"]["score"] == pytest.approx(33.3)
    assert domains["Verkeer"]["suppliers"] == [{"name": "Leverancier X B.V.", "entries": 2}]
    assert domains["Werk"]["score"] == 100
    assert result["city"] == {"score": pytest.approx(33.3), "entries": 3, "change": None}
    assert stopped.code not in {e["code"] for e in result["entries"]}


def test_a_published_year_is_frozen_and_the_next_year_shows_the_change(runner, client, session, world):
    entry = publish(session, world, theme=["Verkeer"], **LOCKED)
    result = runner.invoke(args=["lockin", "publish", "2025"])
    assert result.exit_code == 0 and "city score 100.0" in result.output
    change(session, world, entry, **INDEPENDENT)
    frozen = client.get("/lock-in-index.json?year=2025").get_json()["index"]
    assert frozen["frozen"] is True and frozen["domains"][0]["score"] == 100
    again = runner.invoke(args=["lockin", "publish", "2025"])
    assert again.exit_code == 1 and "already published" in again.output
    assert client.get("/lock-in-index.json?year=2025").get_json()["index"]["domains"][0]["score"] == 100
    now = client.get(f"/lock-in-index.json?year={date.today().year}").get_json()["index"]
    assert now["frozen"] is False and now["compared_with"] == 2025
    assert now["domains"][0] | {"suppliers": None} == {"domain": "Verkeer", "score": 0, "entries": 1, "change": -100,
                                                        "suppliers": None}
    page = client.get(f"/lock-in-index?year={date.today().year}&lang=en").get_data(as_text=True)
    assert "-100.0 (less dependent)" in page and '<svg role="img"' in page and "Verkeer: 0.0." in page
    assert client.get("/lock-in-index.json?year=1999").status_code == 404


def test_the_index_is_open_data_as_csv_and_its_method_is_published(runner, client, session, world):
    publish(session, world, theme=["Verkeer"], **LOCKED)
    runner.invoke(args=["lockin", "publish", "2025"])
    response = client.get("/lock-in-index.csv?year=2025")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == {"year": "2025", "method_version": lockin.METHOD_VERSION, "domain": "Verkeer", "score": "100.0",
                       "entries": "1", "change": "", "top_suppliers": "Leverancier X B.V. (1)"}
    assert rows[-1]["domain"] == "" and rows[-1]["score"] == "100.0"
    method = client.get("/lock-in-index/method.json").get_json()
    assert method["method_version"] == lockin.METHOD_VERSION
    assert sum(f["weight"] for f in method["factors"]) == 100
    page = client.get("/lock-in-index/method").get_data(as_text=True)
    assert "In de praktijk niet te vervangen" in page and "Methodeversie 1.0" in page


def test_another_organisations_registrant_cannot_change_lockin_or_cost_fields(auth, client, session, world,
                                                                             published):
    auth.login(world.registrant_b.email)
    url = f"/portal/algorithms/{published.code}/edit"
    count = len(session.exec(select(AlgorithmVersion)).all())
    form = {k: v for k, v in valid_entry().items() if not isinstance(v, list)} | {
        "theme": "Verkeer", "hosting": "other", "replaceability": "locked"}
    assert auth.post(url, form, form_url="/portal/").status_code == 403
    session.expire_all()
    assert len(session.exec(select(AlgorithmVersion)).all()) == count
    assert "hosting" not in client.get(f"/algorithms/{published.code}.json").get_json()["algorithm"]["entry"]
