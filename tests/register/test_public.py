"""Public pages, their `.json` twins, languages and useful error pages."""
import re

import pytest

from register.services import algorithms as algos


def test_start_page_has_search_and_recent_publications(client, published):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'role="search"' in html and published.code in html
    assert client.get("/.json").get_json()["recent"][0]["code"] == published.code


@pytest.mark.parametrize("path", ["/", "/algorithms", "/algorithms/{code}", "/algorithms/{code}/history"])
def test_every_public_page_has_a_json_twin_linked_from_the_page(client, published, path):
    url = path.format(code=published.code)
    html = client.get(url).get_data(as_text=True)
    link = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', html)
    assert link, url
    twin = client.get(link.group(1))
    assert twin.status_code == 200 and twin.is_json


def test_detail_page_groups_fields_by_the_standards_categories_and_your_decision(client, published):
    html = client.get(f"/algorithms/{published.code}").get_data(as_text=True)
    for heading in ("Algemene informatie", "Verantwoord gebruik", "Werking", "Uw besluit"):
        assert f">{heading}</h2>" in html, heading
    assert "Besluit parkeervergunning" in html and "Maak binnen 6 weken bezwaar." in html


def test_detail_json_is_a_record_of_the_standard(client, published):
    from register.services.standard import validate_export

    data = client.get(f"/algorithms/{published.code}.json").get_json()["algorithm"]
    assert data["code"] == published.code and data["version"] == 1
    assert data["entry"]["schema"] == "1.0.0" and validate_export(data["entry"]) == []


def test_english_via_query_is_remembered_in_a_cookie(client, published):
    html = client.get(f"/algorithms/{published.code}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and ">Your decision</h2>" in html and ">General information</h2>" in html
    html = client.get(f"/algorithms/{published.code}").get_data(as_text=True)
    assert '<html lang="en">' in html
    html = client.get(f"/algorithms/{published.code}?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in html


def test_unknown_code_gives_a_useful_404_in_the_users_language(client):
    page = client.get("/algorithms/A-ZZZZ")
    assert page.status_code == 404
    assert "A-ZZZZ" in page.get_data(as_text=True) and "Controleer de code" in page.get_data(as_text=True)
    page = client.get("/algorithms/A-ZZZZ?lang=en")
    assert "Check the code on your letter" in page.get_data(as_text=True)
    assert client.get("/bestaat-niet").status_code == 404
    body = client.get("/algorithms/A-ZZZZ.json").get_json()
    assert body["ok"] is False and "A-ZZZZ" in body["error"] and body["errors"] == []


def test_filters_show_counts_per_value_and_narrow_the_list(session, world, client, make_entry):
    for i, (status, theme) in enumerate([("In gebruik", "Verkeer"), ("In gebruik", "Financiën"),
                                         ("In ontwikkeling", "Verkeer")]):
        algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                       data=make_entry(name=f"Algoritme {i}", status=status, theme=[theme]))
        algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
        algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    data = client.get("/algorithms.json").get_json()
    assert data["total"] == 3
    assert {f["value"]: f["count"] for f in data["facets"]["status"]} == {"In gebruik": 2, "In ontwikkeling": 1}
    assert {f["value"]: f["count"] for f in data["facets"]["theme"]} == {"Verkeer": 2, "Financiën": 1}
    narrowed = client.get("/algorithms.json?theme=Verkeer").get_json()
    assert narrowed["total"] == 2
    # counts of the other facets follow the theme filter; the theme facet keeps all choices
    assert {f["value"]: f["count"] for f in narrowed["facets"]["status"]} == {"In gebruik": 1, "In ontwikkeling": 1}
    assert {f["value"] for f in narrowed["facets"]["theme"]} == {"Verkeer", "Financiën"}
    both = client.get("/algorithms.json?theme=Verkeer&status=In+ontwikkeling").get_json()
    assert [r["name"] for r in both["results"]] == ["Algoritme 2"]
    # Naming a DPIA in the text is not publishing one: "with impact assessment" counts published ones (issue 13).
    assert client.get("/algorithms.json?impact_assessment=yes").get_json()["total"] == 0
    assert client.get("/algorithms.json?impact_assessment=no").get_json()["total"] == 3


def test_list_is_paginated(session, world, client, make_entry):
    for i in range(23):
        algos.publish_imported(session=session, organisation=world.org_a, note="test",
                               data=make_entry(name=f"Algoritme {i:02d}", source_id=f"S{i}") | {
                                   k: None for k in ()})
    session.commit()
    first = client.get("/algorithms.json").get_json()
    second = client.get("/algorithms.json?page=2").get_json()
    assert (first["total"], first["pages"], len(first["results"]), len(second["results"])) == (23, 2, 20, 3)
    assert not {r["code"] for r in first["results"]} & {r["code"] for r in second["results"]}
    html = client.get("/algorithms").get_data(as_text=True)
    assert 'rel="next"' in html


def test_security_headers_are_on_every_page(client, published):
    response = client.get(f"/algorithms/{published.code}")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]
