"""The portal for registrants and approvers (issue 13): one organisation field and a menu on the
entry form, assessments and models near the top, what the approver sees before approving, the
action log in words, and refusals of a model upload in the user's language."""
import io
import re
from pathlib import Path

from sqlmodel import select

from register.models import Algorithm
from register.services import algorithms as algos
from register.services import documents
from register.services.model_versions import register_model

ARTEFACTS = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts"


def form_data(entry):
    return dict(entry, decision_kinds="\n".join(entry.get("decision_kinds", [])))


def test_the_entry_form_asks_for_the_organisation_once_and_has_a_menu_of_its_parts(client, auth, world,
                                                                                   make_entry, session):
    auth.login(world.registrant_a.email)
    html = client.get("/portal/algorithms/new").get_data(as_text=True)
    assert html.count(">Organisatie *</label>") == 1 and 'id="f-organization"' not in html
    menu = re.search(r'<nav aria-label="Onderdelen van het formulier".*?</nav>', html, re.DOTALL).group(0)
    targets = re.findall(r'href="#(part-\d+)"', menu)
    assert len(targets) >= 4 and all(f'<fieldset id="{t}">' in html for t in targets)
    data = form_data(make_entry()) | {"organisation_id": world.org_a.id}
    data.pop("organization")
    response = auth.post("/portal/algorithms/new", data, form_url="/portal/algorithms/new")
    assert response.status_code == 302
    algorithm = session.exec(select(Algorithm)).one()
    assert algos.working_copy(session, algorithm).organization == "Gemeente Amsterdam"


def _submitted_with_model_and_dpia(app, session, world, published):
    """A published entry whose draft adds a model with fairness figures and a DPIA, then is submitted."""
    from weasyprint import HTML

    algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                       data={"purpose_and_impact": "Sneller en eerlijker beslissen."})
    base = ARTEFACTS / "slimme_check"
    register_model(session=session, user=world.registrant_a, algorithm=published, data_dir=app.config["DATA_DIR"],
                   model=(base / "model.skops").read_bytes(), model_name="model.skops",
                   spec=(base / "spec.json").read_bytes(), spec_name="spec.json",
                   reference=(base / "reference.csv").read_bytes())
    pdf = HTML(string="<html lang='nl'><body><h1>DPIA</h1><p>Over de slimme check.</p></body></html>").write_pdf()
    documents.attach(session=session, user=world.registrant_a, algorithm=published, data=pdf, filename="dpia.pdf",
                     fields={"kind": "dpia", "title": "DPIA Slimme check", "assessment_date": "2026-02-01",
                             "language": "nl", "summary": "Wat de slimme check betekent voor uw privacy."},
                     data_dir=app.config["DATA_DIR"], max_bytes=25 * 1024 * 1024)
    session.commit()
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    session.commit()


def test_the_approver_sees_the_changes_the_models_figures_and_the_documents_before_approving(
        app, client, auth, session, world, published):
    _submitted_with_model_and_dpia(app, session, world, published)
    auth.login(world.approver_a.email)
    html = client.get(f"/portal/algorithms/{published.code}").get_data(as_text=True)
    review = html[html.index('id="review-heading"'):html.index('id="actions-heading"')]
    assert "Sneller beslissen over aanvragen" in review and "Sneller en eerlijker beslissen." in review
    assert "Model waarmee besluiten worden uitgelegd" in review and "Modelversie 1" in review
    assert "voorbeeldgevallen" in review, "no performance figures"
    assert "<caption>" in review and "%" in review, "no fairness table"
    assert "DPIA Slimme check" in review and "nieuw bij deze goedkeuring" in review
    # The review comes before the approve button, assessments and models before the entry's fields.
    assert html.index('id="review-heading"') < html.index("Goedkeuren en publiceren")
    assert html.index('id="documents-heading"') < html.index('id="entry-heading"')
    assert html.index('id="models-heading"') < html.index('id="entry-heading"')
    # The registrant who submitted it does not get the review (they cannot approve).
    auth.logout()
    auth.login(world.registrant_a.email)
    assert 'id="review-heading"' not in client.get(f"/portal/algorithms/{published.code}").get_data(as_text=True)


def test_the_action_log_says_in_words_what_happened_who_did_it_and_when(app, client, auth, session, world,
                                                                         published):
    _submitted_with_model_and_dpia(app, session, world, published)
    auth.login(world.approver_a.email)
    html = client.get(f"/portal/algorithms/{published.code}").get_data(as_text=True)
    log = html[html.index('id="log-heading"'):]
    for words in ("Concept aangemaakt", "Ingediend voor goedkeuring", "Goedgekeurd en gepubliceerd",
                  "Model geregistreerd en aan het concept toegevoegd", "Effectbeoordeling toegevoegd"):
        assert words in log, words
    assert "registrant_a" in log and "approver_a" in log
    assert re.search(r"\d{1,2}\u00a0\w+\u00a0\d{4}, \d{2}:\d{2}", log), "no date and time"
    for raw in (">submitted", ">document_added", ">model<", ">created"):
        assert raw not in log
    english = client.get(f"/portal/algorithms/{published.code}?lang=en").get_data(as_text=True)
    assert "Submitted for approval" in english and "Assessment attached" in english


def test_a_broken_feature_spec_is_refused_in_the_users_language_without_parser_jargon(client, auth, world,
                                                                                       published):
    auth.login(world.registrant_a.email)
    base = ARTEFACTS / "woz"
    broken = b'{\n  "features": [\n    {"name": "x",}\n  ]\n}'
    for lang, expected in (("nl", "De featurespecificatie is geen geldige JSON of YAML. De fout staat op regel 3"),
                           ("en", "The feature spec is not valid JSON or YAML. The error is on line 3")):
        data = {"model": (io.BytesIO((base / "model.skops").read_bytes()), "model.skops"),
                "spec": (io.BytesIO(broken), "spec.json"),
                "reference": (io.BytesIO((base / "reference.csv").read_bytes()), "reference.csv")}
        response = auth.post(f"/portal/algorithms/{published.code}/models?lang={lang}", data,
                             form_url=f"/portal/algorithms/{published.code}/models",
                             content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and expected in html
        assert "Expecting" not in html and "char " not in html, "the parser's own message leaks through"
