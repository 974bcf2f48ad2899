"""Attaching assessments: real PDFs are accepted; every other kind of file is refused with a clear
message and the right status, and then nothing is stored — no file, no database row."""
from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from sqlalchemy import text

from register.services import accounts
from register.services import algorithms as algos

TABLES = ("document", "document_file", "algorithm_version_document", "algorithm_version", "algorithm_event")
METADATA = {"kind": "dpia", "title": "DPIA Parkeervergunningen", "assessment_date": "2024-03-15",
            "version_label": "versie 1", "language": "nl",
            "summary": "De gemeente heeft onderzocht wat dit algoritme betekent voor uw privacy."}


@lru_cache(maxsize=None)
def real_pdf(words: str = "cameratoezicht in de openbare ruimte") -> bytes:
    """A real multi-page PDF made with WeasyPrint."""
    from weasyprint import HTML

    body = "".join(f"<h2>Hoofdstuk {i}</h2><p>Deze DPIA beschrijft {words}. Risico's en maatregelen.</p>"
                   "<p style='page-break-after: always'></p>" for i in range(1, 4))
    return HTML(string=f"<html lang='nl'><body><h1>DPIA</h1>{body}</body></html>").write_pdf()


def _blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_openaction_js() -> bytes:
    writer = _blank_writer()
    writer.add_js("app.alert(1);")
    return _bytes(writer)


def pdf_with_launch_action() -> bytes:
    writer = _blank_writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                               NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def pdf_with_annotation_js() -> bytes:
    writer = _blank_writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("this.print();")})
    link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0),
                                                               NumberObject(100), NumberObject(100)]),
                             NameObject("/A"): action})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _bytes(writer)


def pdf_with_page_open_action() -> bytes:
    writer = _blank_writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.launchURL('https://example.org');")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    return _bytes(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(real_pdf()))
    writer.encrypt(user_password="geheim", owner_password="nog-geheimer", algorithm="RC4-128")
    return _bytes(writer)


BAD_FILES = {
    # name: (bytes, words the Dutch message contains)
    "empty": (lambda: b"", "leeg"),
    "html renamed to .pdf": (lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
                             "webpagina"),
    "exe renamed to .pdf": (lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, "programma"),
    "zip renamed to .pdf": (lambda: b"PK\x03\x04\x14\x00" + b"\x00" * 200, "ZIP"),
    "truncated pdf": (lambda: real_pdf()[: len(real_pdf()) // 2], "onvolledig"),
    "encrypted pdf": (encrypted_pdf, "wachtwoord"),
    "javascript open action": (pdf_with_openaction_js, "JavaScript"),
    "launch action": (pdf_with_launch_action, "programma"),
    "javascript in a link annotation": (pdf_with_annotation_js, "JavaScript"),
    "javascript when a page opens": (pdf_with_page_open_action, "JavaScript"),
    "garbage after a pdf header": (lambda: b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "beschadigd"),
}


def snapshot(session, data_dir: Path) -> tuple:
    """Every row of the tables an upload touches, and every file under the data directory."""
    session.expire_all()
    rows = tuple(tuple(session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()) for table in TABLES)
    files = tuple(sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())) \
        if data_dir.exists() else ()
    return rows, files


@pytest.fixture
def data_dir(app) -> Path:
    return Path(app.config["DATA_DIR"])


@pytest.fixture
def token_a(session, world):
    _token, plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a,
                                              name="system A")
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def token_b(session, world):
    _token, plain = accounts.create_api_token(session=session, user=world.registrant_b, organisation=world.org_b,
                                              name="system B")
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def api_upload(client, code, headers, data: bytes | None, name="dpia.pdf", lang="", **fields):
    form = dict(METADATA, **fields)
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(f"/api/v1/algorithms/{code}/documents{lang}", data=form, headers=headers,
                       content_type="multipart/form-data")


def test_a_real_pdf_is_stored_once_under_its_sha256(client, session, published, token_a, data_dir):
    pdf = real_pdf()
    digest = hashlib.sha256(pdf).hexdigest()
    first = api_upload(client, published.code, token_a, pdf)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["sha256"] == digest and body["page_count"] == 3 and body["size_bytes"] == len(pdf)
    assert body["public"] is False  # part of the draft until approved
    stored = data_dir / "sha256" / digest[:2] / digest
    assert stored.read_bytes() == pdf
    second = api_upload(client, published.code, token_a, pdf, title="Dezelfde DPIA nog eens")
    assert second.status_code == 201
    assert [p for p in data_dir.rglob("*") if p.is_file()] == [stored]  # same bytes, stored once
    assert session.execute(text("SELECT count(*) FROM document_file")).scalar() == 1
    assert session.execute(text("SELECT count(*) FROM document")).scalar() == 2


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_refused_through_the_api_and_nothing_is_stored(client, session, published, token_a,
                                                                      data_dir, name):
    make, words = BAD_FILES[name]
    before = snapshot(session, data_dir)
    response = api_upload(client, published.code, token_a, make())
    assert response.status_code == 422, name
    body = response.get_json()
    assert body["ok"] is False
    file_errors = [e["message"] for e in body["errors"] if e["field"] == "file"]
    assert file_errors and words.lower() in file_errors[0].lower(), (name, file_errors)
    assert snapshot(session, data_dir) == before


@pytest.mark.parametrize("name", ["html renamed to .pdf", "javascript open action", "encrypted pdf"])
def test_bad_files_are_refused_in_the_portal_next_to_the_file_field(client, auth, session, published, data_dir,
                                                                     name):
    make, words = BAD_FILES[name]
    auth.login("reg-a@example.org")
    url = f"/portal/algorithms/{published.code}/documents/new"
    before = snapshot(session, data_dir)
    response = auth.post(url, dict(METADATA, file=(io.BytesIO(make()), "dpia.pdf")), form_url=url,
                         content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="e-file"' in page and 'aria-describedby="e-file h-file"' in page
    assert words.lower() in page.lower()
    assert 'value="DPIA Parkeervergunningen"' in page  # what was typed is kept
    assert snapshot(session, data_dir) == before


def test_messages_are_in_english_when_asked(client, session, published, token_a, data_dir):
    response = api_upload(client, published.code, token_a, b"<html><body>hi</body></html>", lang="?lang=en")
    assert response.status_code == 422
    assert "web page (HTML), not a PDF" in response.get_json()["errors"][0]["message"]


def test_metadata_errors_are_reported_per_field_and_nothing_is_stored(client, session, published, token_a,
                                                                      data_dir):
    before = snapshot(session, data_dir)
    response = api_upload(client, published.code, token_a, real_pdf(), kind="brochure", title="",
                          assessment_date="15-03-2024", summary="", language="fr")
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"kind", "title", "assessment_date", "summary", "language"}
    assert snapshot(session, data_dir) == before
    response = api_upload(client, published.code, token_a, real_pdf(), assessment_date="2999-01-01")
    assert "toekomst" in response.get_json()["errors"][0]["message"]
    assert snapshot(session, data_dir) == before


def test_a_file_over_the_limit_gets_413_with_a_message_and_nothing_is_stored(app, client, session, published,
                                                                             token_a, data_dir):
    app.config["MAX_UPLOAD_MB"] = 1
    before = snapshot(session, data_dir)
    big = real_pdf() + b"%" + b"x" * (1024 * 1024) + b"\n%%EOF\n"
    response = api_upload(client, published.code, token_a, big)
    assert response.status_code == 413
    assert "1 MB" in response.get_json()["error"]
    assert snapshot(session, data_dir) == before


def test_flask_refuses_a_body_over_max_content_length_with_the_plain_413(app, client, auth, session, published,
                                                                         token_a, data_dir):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = snapshot(session, data_dir)
    big = b"%PDF-1.7\n" + b"0" * (128 * 1024)
    response = api_upload(client, published.code, token_a, big)
    assert response.status_code == 413
    body = response.get_json()
    assert body["ok"] is False and "groter" in body["error"]
    auth.login("reg-a@example.org")
    url = f"/portal/algorithms/{published.code}/documents/new"
    token = auth.client.get(url).get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(url, data=dict(METADATA, csrf_token=token, file=(io.BytesIO(big), "groot.pdf")),
                       content_type="multipart/form-data")
    assert page.status_code == 413
    assert "<h1>Bestand te groot</h1>" in page.get_data(as_text=True)
    assert snapshot(session, data_dir) == before


def test_another_organisation_can_never_attach(client, auth, session, published, token_b, data_dir):
    before = snapshot(session, data_dir)
    response = api_upload(client, published.code, token_b, real_pdf())
    assert response.status_code == 403
    assert client.get(f"/api/v1/algorithms/{published.code}/documents", headers=token_b).status_code == 403
    auth.login("reg-b@example.org")
    url = f"/portal/algorithms/{published.code}/documents/new"
    assert client.get(url).status_code == 403
    response = auth.post(url, dict(METADATA, file=(io.BytesIO(real_pdf()), "dpia.pdf")),
                         content_type="multipart/form-data")
    assert response.status_code == 403
    assert snapshot(session, data_dir) == before


def test_anonymous_uploads_are_refused(client, session, published, data_dir):
    before = snapshot(session, data_dir)
    assert api_upload(client, published.code, {}, real_pdf()).status_code == 401
    response = client.post(f"/portal/algorithms/{published.code}/documents/new", data=dict(METADATA))
    assert response.status_code in (302, 400)  # sign-in redirect or CSRF refusal
    assert snapshot(session, data_dir) == before


def test_a_draft_waiting_for_approval_cannot_get_documents(client, session, world, published, token_a, data_dir):
    algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                       data={"name": "Nieuwe naam"})
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    before = snapshot(session, data_dir)
    response = api_upload(client, published.code, token_a, real_pdf())
    assert response.status_code == 409
    assert snapshot(session, data_dir) == before


def test_portal_upload_adds_the_document_to_the_draft(client, auth, session, published, data_dir):
    auth.login("reg-a@example.org")
    url = f"/portal/algorithms/{published.code}/documents/new"
    response = auth.post(url, dict(METADATA, file=(io.BytesIO(real_pdf()), "mijn dpia.pdf")), form_url=url,
                         content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(f"/portal/algorithms/{published.code}").get_data(as_text=True)
    assert "DPIA Parkeervergunningen" in page and "Nog niet" in page
    session.expire_all()
    draft = algos.current_draft(session, algos.get_by_code(session, published.code))
    assert draft is not None and draft.state == "draft"  # attaching started a new draft
