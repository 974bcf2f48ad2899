"""PDFs that are more than a PDF are refused with a reason, through the API and the portal, and
nothing is stored (issue 12, point 4): XFA forms with scripts, HTML/PDF and PDF/ZIP polyglots,
HTML in the header, attachments."""
from __future__ import annotations

import io

import pytest

FIELDS = {"kind": "dpia", "title": "DPIA cameratoezicht", "assessment_date": "2025-03-15", "version_label": "1.0",
          "language": "nl", "summary": "De gemeente heeft onderzocht wat de camera's betekenen voor uw privacy."}


@pytest.fixture
def state(session, app, entry, hostile):
    session.commit()
    return hostile.snapshot(session, app.config["DATA_DIR"])


def test_each_hostile_pdf_is_refused_through_the_api_with_a_dutch_reason(client, session, app, people, entry, state,
                                                                        hostile):
    for name, (make, words) in hostile.HOSTILE_PDFS.items():
        response = client.post(f"/api/v1/algorithms/{entry.code}/documents", headers=people["token"],
                               data={**FIELDS, "file": (io.BytesIO(make()), "dpia.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 422, name
        errors = response.get_json()["errors"]
        assert errors[0]["field"] == "file" and words in errors[0]["message"], (name, errors)
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == state


def test_the_reason_is_in_english_when_asked(client, people, entry, state, hostile):
    response = client.post(f"/api/v1/algorithms/{entry.code}/documents?lang=en", headers=people["token"],
                           data={**FIELDS, "file": (io.BytesIO(hostile.xfa_script_pdf()), "dpia.pdf")},
                           content_type="multipart/form-data")
    assert response.get_json()["errors"][0]["message"].startswith("The PDF contains an XFA form with scripts.")


def test_the_portal_shows_the_reason_next_to_the_file_field(client, auth, session, app, people, entry, state,
                                                           hostile):
    auth.login("reg@example.org")
    form_url = f"/portal/algorithms/{entry.code}/documents/new"
    response = auth.post(form_url, {**FIELDS, "file": (io.BytesIO(hostile.html_before_pdf()), "dpia.pdf")},
                         form_url=form_url, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "tegelijk een webpagina en een pdf" in response.get_data(as_text=True)
    assert hostile.snapshot(session, app.config["DATA_DIR"])["files"] == state["files"]


def test_a_plain_pdf_and_an_xfa_form_without_scripts_are_still_accepted(client, people, entry, hostile):
    for data in (hostile.plain_pdf(), hostile.xfa_script_pdf(packet=b"<xdp:xdp><template><subform/></template></xdp:xdp>"),
                 hostile.plain_pdf() + b"\r\n\n  \n"):
        response = client.post(f"/api/v1/algorithms/{entry.code}/documents", headers=people["token"],
                               data={**FIELDS, "file": (io.BytesIO(data), "dpia.pdf")},
                               content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
