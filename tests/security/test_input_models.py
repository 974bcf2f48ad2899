"""Hostile model uploads are refused with a reason and leave nothing behind (issue 12, points 5, 6):
a .skops zip bomb, archives with too many parts, malformed skops internals, an upload named '..'."""
from __future__ import annotations

import io
import tempfile
import tracemalloc
from pathlib import Path

import pytest

import explain

WOZ = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts" / "woz"


@pytest.fixture
def state(session, app, entry, people, hostile):
    session.commit()
    return hostile.snapshot(session, app.config["DATA_DIR"])


def upload(client, people, code: str, model: bytes, name: str = "model.skops", lang: str = "nl",
           spec: tuple[bytes, str] | None = None):
    spec_data, spec_name = spec or ((WOZ / "spec.json").read_bytes(), "spec.json")
    return client.post(f"/api/v1/algorithms/{code}/models?lang={lang}", headers=people["token"],
                       content_type="multipart/form-data",
                       data={"model": (io.BytesIO(model), name),
                             "spec": (io.BytesIO(spec_data), spec_name),
                             "reference": (io.BytesIO((WOZ / "reference.csv").read_bytes()), "reference.csv")})


def _work_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("stadsregister-model-*")}


@pytest.fixture(scope="module")
def bomb(hostile):
    return hostile.skops_zip_bomb(200)


def test_a_zip_bomb_is_refused_before_it_is_inflated(client, session, app, people, entry, state, hostile, bomb,
                                                      monkeypatch, tmp_path):
    assert len(bomb) < 300_000  # about 200 KB on the wire, 200 MiB once inflated
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))  # this test's own temp folder
    (tmp_path / "temp").mkdir()
    upload(client, people, entry.code, hostile.MALFORMED_SKOPS["an empty object as schema"]())  # imports warmed up
    tracemalloc.start()
    try:
        response = upload(client, people, entry.code, bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"][0]["field"] == "model" and "zipbom" in body["error"]
    assert peak < 64 * 2**20  # the 200 MiB were never inflated
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == state
    assert _work_folders() == set()  # the registration's working folder is gone too


def test_an_archive_with_too_many_parts_is_refused(client, session, app, people, entry, state, hostile):
    response = upload(client, people, entry.code, hostile.skops_many_entries(), lang="en")
    assert response.status_code == 422
    assert "parts; the register accepts at most 50,000" in response.get_json()["error"]
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == state


@pytest.mark.parametrize("name", ["an empty object as schema", "an empty list as schema", "a node without __class__",
                                  "a node whose type is a number", "a schema nested 100,000 deep",
                                  "a schema that is no JSON", "no schema at all"])
def test_malformed_skops_internals_are_a_clear_422(client, session, app, people, entry, state, hostile, name):
    response = upload(client, people, entry.code, hostile.MALFORMED_SKOPS[name]())
    assert response.status_code == 422, name
    assert "Dit is geen geldig .skops-bestand" in response.get_json()["error"], name
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == state


@pytest.mark.parametrize("name", ["..", ".", "/etc/passwd", "..\\..\\model.skops"])
def test_an_upload_named_like_a_path_is_just_a_file(client, session, app, people, entry, state, hostile, name):
    model = (WOZ / "model.skops").read_bytes()
    response = upload(client, people, entry.code, model, name=name)
    if name.lower().endswith(".skops"):  # the name's folders are ignored: it is read as the model it is
        assert response.status_code == 201, response.get_json()
        return
    assert response.status_code == 422
    assert "Alleen .skops-modelbestanden" in response.get_json()["error"]
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == state


def test_intake_refuses_the_bomb_without_the_web(tmp_path, bomb):
    path = tmp_path / "bomb.skops"
    path.write_bytes(bomb)
    with pytest.raises(explain.IntakeError) as refused:
        explain.load_model(path)
    assert refused.value.code == "unpacks_too_large"


@pytest.mark.parametrize("name", ["JSON nested 50,000 deep", "YAML nested 50,000 deep", "a YAML alias bomb"])
def test_a_hostile_feature_spec_is_refused_with_a_reason(client, session, app, people, entry, state, hostile, name):
    spec = {"JSON nested 50,000 deep": (hostile.deep_json(), "spec.json"),
            "YAML nested 50,000 deep": (hostile.deep_json(), "spec.yaml"),
            "a YAML alias bomb": (hostile.yaml_alias_bomb(), "spec.yaml")}[name]
    response = upload(client, people, entry.code, (WOZ / "model.skops").read_bytes(), spec=spec, lang="en")
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"][0]["field"] == "spec"
    assert ("nested more than 64 levels" in body["error"]) or ("aliases" in body["error"]), body["error"]
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == state
