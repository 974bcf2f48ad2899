"""Every kind of decision explained (issue 11): DMN rules, LightGBM, text classifiers — registered by
CLI, API and portal, refused with a reason and nothing stored, and explained on the page, in JSON,
on receipts and PDFs and on "how it works"."""
import io
import json
import pickle
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from register.models.explanation import DecisionReceipt, ModelVersion
from register.services.model_versions import RegistrationFailed, register_model

from .test_explanations import stored_rows

ARTEFACTS = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts"
FILES = {  # folder → (model file, extra file)
    "parkeerscan": ("rules.dmn", None),
    "meldingen": ("model.skops", None),
    "kinderopvang": ("model.txt", "preprocessing.skops"),
}
PARKING_CASE = {"parkeerrecht": "nee", "minuten_na_einde": "40", "uitzondering": "geen", "zone": "Centrum"}
REPORT = "Er ligt al dagen een berg vuilniszakken naast de container in onze straat."
CHILDCARE_CASE = {"soort_opvang": "dagopvang", "kindplaatsen": "60", "tekortkomingen_vorige": "4",
                  "klachten_12m": "3", "personeelsverloop": "40", "maanden_sinds_inspectie": "20",
                  "nieuwe_houder": "ja"}


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def register(session, app, algorithm, folder, publish=True, user=None, **changes):
    base = ARTEFACTS / folder
    model_file, extra = FILES[folder]
    arguments = {"model": (base / model_file).read_bytes(), "model_name": model_file,
                 "spec": (base / "spec.json").read_bytes(), "spec_name": "spec.json",
                 "reference": (base / "reference.csv").read_bytes(),
                 "extra": (base / extra).read_bytes() if extra else None}
    arguments.update(changes)
    return register_model(session=session, user=user, algorithm=algorithm, data_dir=app.config["DATA_DIR"],
                          publish=publish, **arguments)


@pytest.fixture
def parking(session, app, published):
    register(session, app, published, "parkeerscan")
    return published


@pytest.fixture
def reports(session, app, published):
    register(session, app, published, "meldingen")
    return published


@pytest.fixture
def childcare(session, app, published):
    register(session, app, published, "kinderopvang")
    return published


def test_the_kind_is_told_from_the_content_not_the_name(session, app, published):
    base = ARTEFACTS / "parkeerscan"
    version = register(session, app, published, "parkeerscan", model_name="regels.skops", reference=None)
    assert version.kind == "dmn" and version.method == "rules" and version.reference_sha256 == ""
    assert version.global_explanation["accuracy"] == {"kind": "exact", "method": "rules"}
    text = register(session, app, published, "meldingen", model_name="model.json")
    assert text.kind == "text"
    booster = register(session, app, published, "kinderopvang", model_name="model.onnx")
    assert booster.kind == "lightgbm" and booster.method == "tree" and booster.extra_sha256
    assert booster.global_explanation["features"] and booster.fairness is not None
    assert (base / "rules.dmn").exists()


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
          b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">&lol2;</definitions>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/">&x;</definitions>')
UNSUPPORTED_FEEL = (ARTEFACTS / "parkeerscan" / "rules.dmn").read_bytes().replace(
    b"<text>&gt; 5</text>", b"<text>&gt; 5 + count(x)</text>", 1)
TRUNCATED_ONNX = b"\x08\x07\x12\x07skl2onnx\x1a\x05" + b"\x01" * 40


@pytest.mark.parametrize("what, folder, model, field, words", [
    ("billion laughs", "parkeerscan", LAUGHS, "model", "DTD"),
    ("external entity", "parkeerscan", EXTERNAL, "model", "DTD"),
    ("pickle renamed .json", "kinderopvang", pickle.dumps({"learner": 1}), "model", "pickle"),
    ("truncated ONNX", "kinderopvang", TRUNCATED_ONNX, "model", "ONNX"),
    ("unsupported FEEL", "parkeerscan", UNSUPPORTED_FEEL, "model", "count(x)"),
    ("unknown bytes", "parkeerscan", b"GIF89a not a model", "model", "recognise"),
])
def test_hostile_and_malformed_files_are_refused_with_a_reason_and_nothing_is_stored(
        session, app, published, what, folder, model, field, words):
    before = stored_rows(session)
    with pytest.raises(RegistrationFailed) as refused:
        register(session, app, published, folder, model=model, model_name="model.json", extra=None)
    assert refused.value.field == field, what
    assert words in refused.value.message("en"), refused.value.message("en")
    assert refused.value.message("nl") != refused.value.message("en")
    assert stored_rows(session) == before
    assert not (Path(app.config["DATA_DIR"]) / "sha256").exists()


def test_a_rules_spec_naming_an_unknown_input_is_refused(session, app, published):
    spec = json.loads((ARTEFACTS / "parkeerscan" / "spec.json").read_text())
    spec["inputs"]["snelheid"] = {"label": {"nl": "snelheid", "en": "speed"}}
    before = stored_rows(session)
    with pytest.raises(RegistrationFailed) as refused:
        register(session, app, published, "parkeerscan", spec=json.dumps(spec).encode())
    assert refused.value.field == "spec" and "inputs/snelheid" in refused.value.message("nl")
    assert stored_rows(session) == before


def test_rules_with_a_feature_spec_are_refused_naming_the_keys(session, app, published):
    before = stored_rows(session)
    with pytest.raises(RegistrationFailed) as refused:
        register(session, app, published, "parkeerscan", spec=(ARTEFACTS / "woz" / "spec.json").read_bytes())
    assert refused.value.field == "spec" and "features" in refused.value.message("en")
    assert stored_rows(session) == before


def test_a_text_model_needs_its_reference_data(session, app, published):
    with pytest.raises(RegistrationFailed) as refused:
        register(session, app, published, "meldingen", reference=None)
    assert refused.value.field == "reference"


def test_every_kind_registers_by_the_command_line(runner, session, published):
    base = ARTEFACTS / "parkeerscan"
    result = runner.invoke(args=["models", "register", "--algorithm", published.code, str(base / "rules.dmn"),
                                 str(base / "spec.json")])
    assert result.exit_code == 0, result.output
    assert "dmn" in result.output and "published" in result.output
    base = ARTEFACTS / "kinderopvang"
    result = runner.invoke(args=["models", "register", "--algorithm", published.code, "--preprocessing",
                                 str(base / "preprocessing.skops"), str(base / "model.txt"), str(base / "spec.json"),
                                 str(base / "reference.csv")])
    assert result.exit_code == 0, result.output
    assert "lightgbm" in result.output
    kinds = [m.kind for m in session.exec(select(ModelVersion).order_by(ModelVersion.number))]
    assert kinds == ["dmn", "lightgbm"]


def test_a_text_classifier_registers_by_the_api_and_waits_for_approval(session, client, published, token_a):  # noqa: F811
    base = ARTEFACTS / "meldingen"
    upload = {"model": (io.BytesIO((base / "model.skops").read_bytes()), "model.skops"),
              "spec": (io.BytesIO((base / "spec.json").read_bytes()), "spec.json"),
              "reference": (io.BytesIO((base / "reference.csv").read_bytes()), "reference.csv")}
    response = client.post(f"/api/v1/algorithms/{published.code}/models", data=upload, headers=token_a,
                           content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["kind"] == "text" and body["draft_state"] != "published"
    assert client.get(f"/algorithms/{published.code}/explain").status_code == 404  # four eyes: not yet


def test_a_refused_api_upload_stores_nothing(session, client, published, token_a):  # noqa: F811
    before = stored_rows(session)
    base = ARTEFACTS / "parkeerscan"
    upload = {"model": (io.BytesIO(LAUGHS), "rules.dmn"),
              "spec": (io.BytesIO((base / "spec.json").read_bytes()), "spec.json")}
    response = client.post(f"/api/v1/algorithms/{published.code}/models", data=upload, headers=token_a,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "model"
    assert stored_rows(session) == before


def test_rules_from_the_portal_need_no_reference_data(session, auth, world, published, client):
    auth.login(world.registrant_a.email)
    base = ARTEFACTS / "parkeerscan"
    response = auth.post(f"/portal/algorithms/{published.code}/models", {
        "model": (io.BytesIO((base / "rules.dmn").read_bytes()), "rules.dmn"),
        "spec": (io.BytesIO((base / "spec.json").read_bytes()), "spec.json")},
        form_url=f"/portal/algorithms/{published.code}/models", content_type="multipart/form-data")
    assert response.status_code == 303
    assert session.exec(select(ModelVersion)).one().kind == "dmn"


def test_a_parking_fine_explained_by_its_rules(client, parking):
    form = client.get(f"/algorithms/{parking.code}/explain").get_data(as_text=True)
    assert 'name="minuten_na_einde"' in form and 'value="Centrum"' in form
    page = client.post(f"/algorithms/{parking.code}/explain", data=dict(PARKING_CASE, csrf_token=csrf(form)))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "naheffingsaanslag voorgesteld" in html and "€ 83,40" in html
    assert "Er was bij de scan geen geldig parkeerrecht" in html  # the rule in the spec's own words
    assert "https://wetten.overheid.nl/BWBR0005416" in html  # the legal source per rule
    assert "minuten na einde parkeertijd: 5 minuten in plaats van 40 minuten" in html  # nearest other outcome
    assert "Regelset versie 1" in html and "Modelversie" not in html  # rules are not called a model
    data = client.post(f"/algorithms/{parking.code}/explain.json", json=PARKING_CASE).get_json()
    explanation = data["explanation"]
    assert explanation["outputs"] == {"uitkomst": "naheffingsaanslag voorgesteld", "bedrag": 83.4}
    assert explanation["method"] == "rules" and explanation["accuracy"]["kind"] == "exact"
    assert [(f["decision"], f["rule"]) for f in explanation["fired_rules"]] == [("Overtreding", 4), ("Naheffingsaanslag", 3)]
    assert "zone" in explanation["deciding_inputs"]
    pdf = client.post(f"/algorithms/{parking.code}/explain.pdf", data=dict(PARKING_CASE, csrf_token=csrf(form)))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert pdf.status_code == 200 and "83,40" in text and "wetten.overheid.nl" in text
    assert "Regelset versie 1" in text
    bad = client.post(f"/algorithms/{parking.code}/explain.json", json=dict(PARKING_CASE, minuten_na_einde="veel"))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "minuten_na_einde"


def test_the_rules_as_sentences_and_an_accessible_table(client, parking):
    html = client.get(f"/algorithms/{parking.code}/how-it-works?lang=en").get_data(as_text=True)
    assert "<caption>Decision table: Naheffingsaanslag</caption>" in html
    assert '<th scope="col">parking zone</th>' in html
    assert "Because valid parking right at the scan is yes" in html
    data = client.get(f"/algorithms/{parking.code}/how-it-works.json").get_json()
    fired = [r["fired"] for t in data["rules"]["tables"] for r in t["rules"]]
    assert all(isinstance(n, int) and n > 0 for n in fired)  # how often each rule fired on the reference data


def test_a_parking_receipt_keeps_the_fired_rules(session, client, parking, token_a):  # noqa: F811
    inputs = {"parkeerrecht": False, "minuten_na_einde": 40, "uitzondering": "geen", "zone": "Noord"}
    body = client.post(f"/api/v1/algorithms/{parking.code}/decisions", json={"inputs": inputs},
                       headers=token_a).get_json()
    path = body["url"].split("localhost")[1]
    html = client.get(path).get_data(as_text=True)
    assert "€ 80,20" in html and "wetten.overheid.nl" in html
    data = client.get(path.replace("/d/", "/d/") + ".json").get_json()
    assert data["answer"]["explanation"]["outputs"]["bedrag"] == 80.2
    stored = session.exec(select(DecisionReceipt)).one().explanation
    assert stored["fired_rules"][-1]["rule"] == 4 and stored["kind"] == "dmn"
    pdf = client.get(path + ".pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert pdf.status_code == 200 and "80,20" in text


def test_a_report_explained_word_by_word_in_its_own_text(client, reports, session, token_a):  # noqa: F811
    form = client.get(f"/algorithms/{reports.code}/explain").get_data(as_text=True)
    page = client.post(f"/algorithms/{reports.code}/explain", data={"melding": REPORT, "csrf_token": csrf(form)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Afval en reiniging" in html
    assert '<mark class="word word-up">vuilniszakken<span class="word-effect"> ↑' in html  # not colour alone
    data = client.post(f"/algorithms/{reports.code}/explain.json", json={"melding": REPORT}).get_json()
    assert data["explanation"]["outputs"] == {"team": "afval"}
    assert data["explanation"]["accuracy"]["kind"] == "exact"
    assert any(w["word"] == "vuilniszakken" and w["contribution"] > 0 for w in data["explanation"]["words"])
    empty = client.post(f"/algorithms/{reports.code}/explain.json", json={"melding": "  "})
    assert empty.status_code == 422
    body = client.post(f"/api/v1/algorithms/{reports.code}/decisions", json={"inputs": {"melding": REPORT}},
                       headers=token_a).get_json()
    path = body["url"].split("localhost")[1]
    assert "vuilniszakken" in client.get(path).get_data(as_text=True)
    assert client.get(path + ".json").get_json()["answer"]["explanation"]["outputs"] == {"team": "afval"}
    assert client.get(path + ".pdf").status_code == 200
    how = client.get(f"/algorithms/{reports.code}/how-it-works").get_data(as_text=True)
    assert "Afval en reiniging" in how and "Woorden die het sterkst" in how


def test_a_childcare_inspection_explained_with_exact_treeshap(client, childcare, token_a):  # noqa: F811
    form = client.get(f"/algorithms/{childcare.code}/explain").get_data(as_text=True)
    page = client.post(f"/algorithms/{childcare.code}/explain", data=dict(CHILDCARE_CASE, csrf_token=csrf(form)))
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    data = client.post(f"/algorithms/{childcare.code}/explain.json", json=CHILDCARE_CASE).get_json()
    explanation = data["explanation"]
    assert explanation["method"] == "tree" and explanation["accuracy"]["kind"] == "exact"
    assert set(explanation["contributions"]) == set(CHILDCARE_CASE)
    assert abs(explanation["base_value"] + sum(explanation["contributions"].values())
               - explanation["output_value"]) < 1e-6
    assert list(explanation["outputs"]) == ["tekortkoming"]
    body = client.post(f"/api/v1/algorithms/{childcare.code}/decisions", json={"inputs": CHILDCARE_CASE},
                       headers=token_a).get_json()
    path = body["url"].split("localhost")[1]
    assert client.get(path).status_code == 200 and client.get(path + ".pdf").status_code == 200
    stored = client.get(path + ".json").get_json()["answer"]["explanation"]
    assert stored["outputs"] == explanation["outputs"] and stored["contributions"] == explanation["contributions"]
    assert client.get(f"/algorithms/{childcare.code}/how-it-works").status_code == 200


def test_the_demo_explains_parking_reports_and_childcare_and_loads_once(runner, session, client):
    from register.models import Algorithm

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    kinds = {}
    for source_id, kind in (("AMS-PARK-001", "dmn"), ("AMS-SIG-001", "text"), ("GGD-KO-001", "lightgbm")):
        algorithm = session.exec(select(Algorithm).where(Algorithm.source_id == source_id)).one()
        kinds[source_id] = session.exec(select(ModelVersion.kind).where(ModelVersion.algorithm_id == algorithm.id)).one()
        assert kinds[source_id] == kind
        assert client.get(f"/algorithms/{algorithm.code}/explain").status_code == 200, source_id
        assert client.get(f"/algorithms/{algorithm.code}/how-it-works").status_code == 200, source_id
    count = len(session.exec(select(ModelVersion)).all())
    assert runner.invoke(args=["demo"]).exit_code == 0
    session.expire_all()
    assert len(session.exec(select(ModelVersion)).all()) == count


def test_rules_make_batch_receipts_by_line(runner, session, parking, tmp_path):
    cases = tmp_path / "scans.csv"
    cases.write_text("parkeerrecht,minuten_na_einde,uitzondering,zone,case_ref\n"
                     "nee,40,geen,Centrum,S-1\nja,0,geen,Noord,S-2\nnee,veel,geen,West,S-3\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["decisions", "batch", "--algorithm", parking.code, "--lang", "nl", str(cases), str(out)])
    assert result.exit_code == 1, result.output  # one scan refused, by line
    assert "line 4: minuten_na_einde" in result.output and "2 receipts written" in result.output
    stored = [r.explanation["outputs"]["uitkomst"] for r in session.exec(select(DecisionReceipt))]
    assert sorted(stored) == ["geen naheffing", "naheffingsaanslag voorgesteld"]


def _tabular(tmp_path, kind):
    """A small XGBoost JSON or ONNX model on a bundled data set, with its spec and reference CSV."""
    import numpy as np

    from tests.explain.kinds_data import bundled

    frame, spec, _task = bundled("breast_cancer", 6)
    x = frame[spec.names].to_numpy(np.float32)
    if kind == "xgboost":
        import xgboost as xgb

        booster = xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1).fit(x, frame["doel"]).get_booster()
        booster.feature_names = spec.names
        model = tmp_path / "model.json"
        booster.save_model(model)
    else:
        import skl2onnx
        from sklearn.linear_model import LogisticRegression

        fitted = LogisticRegression(max_iter=2000).fit(x, frame["doel"])
        model = tmp_path / "model.onnx"
        model.write_bytes(skl2onnx.to_onnx(fitted, x[:1], options={"zipmap": False}).SerializeToString())
    reference = tmp_path / "reference.csv"
    frame.to_csv(reference, index=False)
    return model.read_bytes(), json.dumps(spec.raw).encode(), reference.read_bytes(), frame[spec.names].iloc[0].to_dict()


@pytest.mark.parametrize("kind, method, accuracy", [("xgboost", "tree", "exact"), ("onnx", "permutation", "estimate")])
def test_xgboost_and_onnx_models_register_and_explain(session, app, client, published, tmp_path, kind, method, accuracy):
    model, spec, reference, case = _tabular(tmp_path, kind)
    version = register_model(session=session, user=None, algorithm=published, data_dir=app.config["DATA_DIR"],
                             model=model, model_name="upload.bin", spec=spec, spec_name="spec.json",
                             reference=reference, publish=True)
    assert version.kind == kind and version.method == method
    assert version.global_explanation["accuracy"]["kind"] == accuracy
    data = client.post(f"/algorithms/{published.code}/explain.json", json=case).get_json()
    assert data["explanation"]["method"] == method and data["explanation"]["accuracy"]["kind"] == accuracy
    assert list(data["explanation"]["outputs"]) == ["doel"] and set(data["explanation"]["contributions"]) == set(case)
    assert client.get(f"/algorithms/{published.code}/how-it-works").status_code == 200


@pytest.mark.parametrize("folder, words", [("meldingen", "voorbeeldgevallen"), ("parkeerscan", "naheffing-3")])
def test_the_approver_reviews_a_text_model_or_rules_before_publishing(session, app, client, auth, world, published,
                                                                      folder, words):
    from register.services import algorithms as algos

    register(session, app, published, folder, publish=False, user=world.registrant_a)
    session.commit()
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    session.commit()
    auth.login(world.approver_a.email)
    html = client.get(f"/portal/algorithms/{published.code}").get_data(as_text=True)
    review = html[html.index('id="review-heading"'):html.index('id="actions-heading"')]
    assert "Modelversie 1" in review and words in review


def test_spec_init_drafts_a_rules_spec_from_the_dmn_file_that_registers(runner, session, published, tmp_path):
    out = tmp_path / "spec.json"
    rules = ARTEFACTS / "parkeerscan" / "rules.dmn"
    result = runner.invoke(args=["models", "spec-init", str(rules), "--out", str(out)])
    assert result.exit_code == 0, result.output
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert spec["kind"] == "rules" and spec["decision"] == "Naheffingsaanslag"
    assert set(spec["inputs"]) == {"parkeerrecht", "minuten_na_einde", "uitzondering", "zone"}
    assert spec["rules"]["naheffing-3"]["legal_source"].startswith("https://wetten.overheid.nl/")
    assert "no legal source" in result.output and "Naheffingsaanslag 1" in result.output
    registered = runner.invoke(args=["models", "register", "--algorithm", published.code, str(rules), str(out)])
    assert registered.exit_code == 0, registered.output


@pytest.mark.parametrize("folder", ["parkeerscan", "meldingen", "kinderopvang"])
def test_the_warm_up_builds_each_kinds_own_runtime_without_a_warning(session, app, published, folder, caplog):
    """Workers start with rules, text and booster runtimes ready (not a scikit-learn explainer that fails)."""
    from register.services import model_kinds, warmup

    version = register(session, app, published, folder)
    session.commit()
    model_kinds.RUNTIMES.clear()
    with caplog.at_level("WARNING"):
        assert warmup.warm_explainers(session, app.config["DATA_DIR"]) == 1
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert model_kinds.runtime_key(version) in model_kinds.RUNTIMES
