"""Registering is learnable (issue 10): the feature-spec help page and schema, spec-init, messages a
registrant can act on, and every upload built afresh (a cache hit never skips the check)."""
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from sqlmodel import select

import explain
from explain.allowlist import accepted_parts
from explain.spec_docs import documented_keys
from register.models.explanation import ModelVersion
from register.services import accounts

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "sample_models" / "artefacts"
SAMPLES = ("woz", "slimme_check", "vakantieverhuur")
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def token(session, world):
    plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="a")[1]
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def upload(client, code, token, *, spec: dict | None = None, model: bytes | None = None, lang="en"):
    base = ARTEFACTS / "woz"
    files = {"model": (io.BytesIO(model or (base / "model.skops").read_bytes()), "model.skops"),
             "spec": (io.BytesIO(json.dumps(spec).encode() if spec else (base / "spec.json").read_bytes()), "spec.json"),
             "reference": (io.BytesIO((base / "reference.csv").read_bytes()), "reference.csv")}
    return client.post(f"/api/v1/algorithms/{code}/models?lang={lang}", data=files, headers=token,
                       content_type="multipart/form-data")


def woz_spec() -> dict:
    return json.loads((ARTEFACTS / "woz" / "spec.json").read_text())


def feature(spec: dict, name: str) -> dict:
    return next(f for f in spec["features"] if f["name"] == name)


@pytest.mark.parametrize("lang,title", [("nl", "Zo schrijft u een featurespecificatie"),
                                        ("en", "How to write a feature spec")])
def test_the_help_page_documents_every_key_and_the_accepted_model_parts(client, lang, title):
    html = client.get(f"/help/feature-spec?lang={lang}").get_data(as_text=True)
    assert f">{title}</h1>" in html
    for place, keys in documented_keys().items():
        section = html.split(f'id="keys-{place}"')[1].split("</dl>")[0]
        for key in keys:
            assert f"<code>{key}</code>" in section, (place, key)
    for kind in ("number", "category", "yes_no"):
        assert f'id="example-{kind}"' in html and f"&#34;kind&#34;: &#34;{kind}&#34;" in html
    for names in accepted_parts().values():
        for name in names:
            assert f"<code>{name}</code>" in html
    assert 'href="/schemas/feature-spec.schema.json"' in html
    data = client.get(f"/help/feature-spec.json?lang={lang}").get_json()
    assert {p["place"]: {k["key"] for k in p["keys"]} for p in data["places"]} == documented_keys()


def test_the_schema_is_served_at_a_stable_url_and_every_sample_spec_keeps_it(client):
    response = client.get("/schemas/feature-spec.schema.json")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/schema+json"
    schema = response.get_json()
    assert schema["$id"] == "http://localhost/schemas/feature-spec.schema.json"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["outcome"]["properties"]["threshold"]["description"]
    for name in SAMPLES:
        spec = json.loads((ARTEFACTS / name / "spec.json").read_text())
        jsonschema.validate(spec, schema)
        parsed = explain.parse_spec(spec)
        assert explain.inputs.check_reference(parsed, __import__("pandas").read_csv(ARTEFACTS / name / "reference.csv")) == []


def test_the_readme_documents_every_key_with_an_example_per_kind():
    section = README.split("## The feature spec")[1].split("\n## ")[0]
    for keys in documented_keys().values():
        for key in keys:
            assert f"`{key}`" in section, key
    for kind in ('"kind": "number"', '"kind": "category"', '"kind": "yes_no"', '"kind": "regression"',
                 '"kind": "classification"', '"protected": true', "fairness_attributes"):
        assert kind in section, kind


@pytest.mark.parametrize("name", SAMPLES)
def test_spec_init_drafts_a_spec_the_register_accepts(runner, tmp_path, name):
    out = tmp_path / "spec.json"
    base = ARTEFACTS / name
    result = runner.invoke(args=["models", "spec-init", str(base / "model.skops"), str(base / "reference.csv"),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Check before registering" in result.output
    drafted = json.loads(out.read_text())
    original = json.loads((base / "spec.json").read_text())
    assert [f["name"] for f in drafted["features"]] == [f["name"] for f in original["features"]]
    assert [f["kind"] for f in drafted["features"]] == [f["kind"] for f in original["features"]]
    assert drafted["outcome"]["kind"] == original["outcome"]["kind"]
    assert drafted["outcome"].get("column") == original["outcome"].get("column")
    spec = explain.parse_spec(drafted)
    reference = explain.load_reference(base / "reference.csv", spec)
    explainer = explain.Explainer.build(explain.load_model(base / "model.skops"), spec, reference)
    assert explainer.task == ("regression" if name == "woz" else "binary")


def test_spec_init_refuses_a_pickle_with_the_reason(runner, tmp_path):
    bad = tmp_path / "model.pkl"
    bad.write_bytes(b"\x80\x04K\x01.")
    result = runner.invoke(args=["models", "spec-init", str(bad), str(ARTEFACTS / "woz" / "reference.csv")])
    assert result.exit_code != 0 and "skops" in result.output and "Traceback" not in result.output


def misspelt_outcome(spec):
    spec["outcome"]["column"] = "woz_waard"


def text_as_yes_no(spec):
    wijk = feature(spec, "wijk")
    wijk.update(kind="yes_no")
    wijk.pop("categories"), wijk.pop("phrase", None)


def text_as_number(spec):
    wijk = feature(spec, "wijk")
    wijk.update(kind="number", min=0, max=10)
    wijk.pop("categories"), wijk.pop("phrase", None)


def misspelt_key(spec):
    feature(spec, "wijk")["protcted"] = True


def missing_feature(spec):
    feature(spec, "wijk")["name"] = "wiijk"


@pytest.mark.parametrize("mistake,field,en_words,nl_words", [
    (misspelt_outcome, "reference", ["'woz_waard'", "could be 'woz_waarde'"], ["'woz_waarde'"]),
    (text_as_yes_no, "reference", ["'wijk' is declared yes_no", "'centrum'", "'category'"], ["ja/nee", "'centrum'"]),
    (text_as_number, "reference", ["'wijk' is declared a number", "'centrum'"], ["getal", "'centrum'"]),
    (misspelt_key, "spec", ["did you mean 'protected'"], ["'protected'"]),
    (missing_feature, "reference", ["'wiijk'", "Did you mean 'wijk'"], ["Bedoelt u 'wijk'"]),
])
def test_a_spec_mistake_is_refused_with_what_to_change_and_nothing_is_stored(session, client, published, token,
                                                                             mistake, field, en_words, nl_words):
    for lang, words in (("en", en_words), ("nl", nl_words)):
        spec = woz_spec()
        mistake(spec)
        response = upload(client, published.code, token, spec=spec, lang=lang)
        assert response.status_code == 422, response.get_data(as_text=True)
        error = response.get_json()["errors"][0]
        assert error["field"] == field
        assert all(w in error["message"] for w in words), error["message"]
        assert "Traceback" not in error["message"] and "/help/feature-spec" in error["message"]
    assert session.exec(select(ModelVersion)).all() == []


def test_a_spec_the_fresh_build_refuses_is_refused_even_when_the_model_is_cached(session, client, published,
                                                                                  token):
    """The good spec first (its explainer is now cached for this model and reference data), then a
    spec calling the WOZ regressor a yes/no classifier: only a fresh build finds out."""
    assert upload(client, published.code, token).status_code == 201
    spec = woz_spec()
    spec["outcome"] = {"kind": "classification", "label": {"nl": "x", "en": "x"}, "short": {"nl": "x", "en": "x"},
                       "classes": [{"value": "0", "label": {"nl": "nee", "en": "no"}},
                                   {"value": "1", "label": {"nl": "ja", "en": "yes"}}],
                       "flagged_class": "1", "threshold": 0.5}
    response = upload(client, published.code, token, spec=spec)
    assert response.status_code == 422, response.get_json()
    message = response.get_json()["errors"][0]["message"]
    assert "classification" in message and "predict_proba" in message
    assert len(session.exec(select(ModelVersion)).all()) == 1


def test_a_refused_model_part_gets_the_list_of_accepted_parts(session, client, published, token):
    from sklearn.naive_bayes import GaussianNB

    data = __import__("pandas").read_csv(ARTEFACTS / "woz" / "reference.csv")
    model = GaussianNB().fit(data[["woonoppervlak", "bouwjaar"]], (data["woz_waarde"] > 400000).astype(int))
    for lang, accepted in (("en", "Accepted:"), ("nl", "Toegestaan:")):
        response = upload(client, published.code, token, model=explain.model_bytes(model), lang=lang)
        assert response.status_code == 422
        message = response.get_json()["errors"][0]["message"]
        assert "sklearn.naive_bayes.GaussianNB" in message and accepted in message
        listed = re.findall(r"[A-Z][A-Za-z]+", message.split(accepted)[1])
        assert {"HistGradientBoostingClassifier", "LogisticRegression", "OneHotEncoder", "Pipeline"} <= set(listed)
        assert "/help/feature-spec#model-parts" in message
