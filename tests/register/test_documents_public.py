"""Published assessments for residents: visible once approved, served safely, versions kept,
searchable with the entry; drafts only for their own organisation."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import text

from register.models.document import Document
from register.services import accounts, documents, search
from register.services import algorithms as algos

METADATA = {"kind": "dpia", "title": "DPIA Parkeervergunningen", "assessment_date": "2024-03-15",
            "version_label": "versie 1", "language": "nl",
            "summary": "De gemeente heeft onderzocht wat dit algoritme betekent voor uw privacy."}
_PDFS: dict = {}


def make_pdf(words: str) -> bytes:
    if words not in _PDFS:
        from weasyprint import HTML

        _PDFS[words] = HTML(string=f"<html lang='nl'><body><h1>DPIA</h1><p>Deze DPIA gaat over {words}.</p>"
                                   "</body></html>").write_pdf()
    return _PDFS[words]


@pytest.fixture
def tokens(session, world):
    made = {}
    for key, user, org in (("a", world.registrant_a, world.org_a), ("b", world.registrant_b, world.org_b)):
        _token, plain = accounts.create_api_token(session=session, user=user, organisation=org, name=key)
        made[key] = {"Authorization": f"Bearer {plain}"}
    session.commit()
    return made


def attach(session, app, world, algorithm, words="cameratoezicht in de binnenstad", **fields):
    return documents.attach(session=session, user=world.registrant_a, algorithm=algorithm, data=make_pdf(words),
                            filename="dpia.pdf", fields=dict(METADATA, **fields), data_dir=app.config["DATA_DIR"],
                            max_bytes=25 * 1024 * 1024)


def approve(session, world, algorithm):
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)


def test_a_draft_document_is_visible_only_to_its_own_organisation(app, client, auth, session, world, published,
                                                                   tokens):
    document = attach(session, app, world, published)
    page, pdf = f"/documents/{document.sha256}", f"/documents/{document.sha256}.pdf"
    for url in (page, page + ".json", pdf):
        assert client.get(url).status_code == 404, url  # anonymous
        assert client.get(url, headers=tokens["b"]).status_code == 404, url  # the other organisation's system
        assert client.get(url, headers=tokens["a"]).status_code == 200, url  # its own organisation's system
    assert client.get(pdf, headers=tokens["a"]).headers["Cache-Control"] == "private, no-store"
    auth.login("reg-b@example.org")
    assert client.get(page).status_code == 404
    auth.logout()
    auth.login("reg-a@example.org")
    html = client.get(page).get_data(as_text=True)
    assert "Nog niet gepubliceerd" in html
    # The public page of the entry does not list it before approval.
    assert client.get(f"/algorithms/{published.code}.json").get_json()["documents"] == []


def test_after_approval_the_resident_reaches_the_dpia_from_the_algorithm_page(app, client, session, world,
                                                                              published):
    document = attach(session, app, world, published)
    assert search.search(session, q="cameratoezicht")["total"] == 0  # drafts are not searchable
    approve(session, world, published)
    detail = client.get(f"/algorithms/{published.code}.json").get_json()
    [listed] = detail["documents"]
    assert listed["sha256"] == document.sha256 and listed["kind"] == "dpia" and listed["page_count"] == 1
    html = client.get(f"/algorithms/{published.code}").get_data(as_text=True)
    assert f'href="{listed["url"]}"' in html and "Gepubliceerde effectbeoordelingen" in html
    meta = client.get(f"/documents/{document.sha256}.json").get_json()
    assert meta["documents"][0]["title"] == "DPIA Parkeervergunningen"
    assert meta["file_url"].endswith(f"/documents/{document.sha256}.pdf")
    session.expire_all()
    assert algos.get_by_code(session, published.code).has_impact_assessment is True


def test_the_file_is_served_as_a_sandboxed_pdf_download(app, client, session, world, published):
    document = attach(session, app, world, published, title='DPIA "Parkeren" / <script> ë')
    approve(session, world, published)
    response = client.get(f"/documents/{document.sha256}.pdf")
    assert response.status_code == 200
    assert response.data == make_pdf("cameratoezicht in de binnenstad")
    assert hashlib.sha256(response.data).hexdigest() == document.sha256
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.fullmatch(r'attachment; filename=[a-z0-9-]+\.pdf', disposition), disposition
    assert disposition == "attachment; filename=dpia-parkeren-script-e-versie-1.pdf"


def test_unknown_or_malformed_addresses_give_404(client):
    for url in ("/documents/" + "0" * 64, "/documents/" + "0" * 64 + ".pdf", "/documents/../../etc/passwd",
                "/documents/abc.json", "/documents/" + "A" * 64):
        assert client.get(url).status_code == 404, url


def test_a_new_version_replaces_the_current_one_and_the_old_one_stays_reachable(app, client, session, world,
                                                                                published):
    first = attach(session, app, world, published, words="versie een", version_label="versie 1",
                   assessment_date="2019-05-14")
    approve(session, world, published)
    second = attach(session, app, world, published, words="versie twee", version_label="versie 2",
                    assessment_date="2023-09-28", supersedes=str(first.id))
    approve(session, world, published)
    detail = client.get(f"/algorithms/{published.code}.json").get_json()
    [current] = detail["documents"]
    assert current["sha256"] == second.sha256
    assert [d["sha256"] for d in current["earlier_versions"]] == [first.sha256]
    # Two clicks: the algorithm page links the earlier version directly, and its page links the file.
    html = client.get(f"/algorithms/{published.code}").get_data(as_text=True)
    assert f'href="{current["earlier_versions"][0]["url"]}"' in html
    old_page = client.get(f"/documents/{first.sha256}").get_data(as_text=True)
    assert "Er is een nieuwere versie" in old_page and f"/documents/{first.sha256}.pdf" in old_page
    assert client.get(f"/documents/{first.sha256}.pdf").status_code == 200
    history = client.get(f"/algorithms/{published.code}/history.json").get_json()
    assert [d["sha256"] for d in history["documents"]["2"]] == [first.sha256]
    assert [d["sha256"] for d in history["documents"]["3"]] == [second.sha256]
    assert search.search(session, q="twee")["total"] == 1  # the current version's text is indexed


def test_documents_of_a_published_version_cannot_be_changed(app, session, world, published):
    document = attach(session, app, world, published)
    approve(session, world, published)
    document = session.get(Document, document.id)
    document.title = "Andere titel"
    session.add(document)
    with pytest.raises(algos.WorkflowError):
        session.flush()
    session.rollback()


def test_removing_a_document_from_the_draft_keeps_it_in_the_published_version(app, client, session, world,
                                                                             published):
    document = attach(session, app, world, published)
    approve(session, world, published)
    documents.remove_from_working_copy(session=session, user=world.registrant_a, algorithm=published,
                                       document=document, data_dir=app.config["DATA_DIR"])
    assert client.get(f"/algorithms/{published.code}.json").get_json()["documents"] != []  # still version 2
    approve(session, world, published)
    assert client.get(f"/algorithms/{published.code}.json").get_json()["documents"] == []
    assert client.get(f"/documents/{document.sha256}").status_code == 200  # version 2 keeps it


def test_without_a_dpia_the_page_says_why(app, client, session, world, make_entry):
    entry = make_entry(impact_assessments="Geen DPIA nodig",
                       impact_assessment_explanation="Er worden geen persoonsgegevens verwerkt.")
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a, data=entry)
    approve(session, world, algorithm)
    html = client.get(f"/algorithms/{algorithm.code}").get_data(as_text=True)
    assert "Er worden geen persoonsgegevens verwerkt." in html
    assert "geen effectbeoordeling gepubliceerd" in html


def test_search_finds_an_entry_by_a_word_only_in_its_dpia(app, session, world, make_entry):
    neutral = {"description_short": "Korte tekst.", "purpose_and_impact": "Doel.", "decision_kinds": [],
               "theme": ["Bestuur"], "search_terms": None, "name": "Drukte meten"}
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                   data=make_entry(**neutral))
    approve(session, world, algorithm)
    other = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                               data=make_entry(**dict(neutral, name="Iets anders")))
    approve(session, world, other)
    assert search.search(session, q="cameratoezicht")["total"] == 0
    attach(session, app, world, algorithm, words="cameratoezicht en de bescherming van persoonsgegevens")
    approve(session, world, algorithm)
    assert [a.name for a in search.search(session, q="cameratoezicht")["items"]] == ["Drukte meten"]
    assert [a.name for a in search.search(session, q="persoonsgegeven")["items"]] == ["Drukte meten"]
    rows = session.execute(text("SELECT count(*) FROM algorithm_version_document")).scalar()
    assert rows == 1
