"""An entry's organisation is its registrant's organisation; the standard's ``organization`` field
follows from it in the API, the portal and imports (issue 12, point 2) — the permission matrix
extended to the organisation field."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from register import db as register_db
from register.models import Algorithm, AlgorithmVersion
from register.services import algorithms as algos


def _load_world():
    """``accounts_world.py`` beside this file (importlib mode keeps neighbours from importing each other)."""
    spec = importlib.util.spec_from_file_location("accounts_world", Path(__file__).with_name("accounts_world.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


world_module = _load_world()


@pytest.fixture
def world(session):
    return world_module.build(session)


def everything(app):
    return world_module.dump(app.extensions["stadsregister.engine"], ignore={"apitoken": {"last_used_at"}})


def listed_under(client, organisation: str) -> set[str]:
    body = client.get("/algorithms.json", query_string={"organisation": organisation}).get_json()
    return {item["code"] for item in body["results"]}


@pytest.mark.parametrize("claimed", ["Gemeente Amsterdam", "gemeente amsterdam ", "Iemand anders"])
def test_a_ggd_token_cannot_create_an_entry_as_another_organisation(session, app, client, world, claimed):
    headers = world_module.token(session, world.registrant_g, world.ggd)
    before = everything(app)
    response = client.post("/api/v1/algorithms", json=world_module.valid_entry(organization=claimed), headers=headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["organization"]
    assert "GGD Amsterdam" in errors[0]["message"]
    assert everything(app) == before


def test_a_ggd_token_cannot_edit_an_entry_into_another_organisation(session, app, client, world):
    headers = world_module.token(session, world.registrant_g, world.ggd)
    created = client.post("/api/v1/algorithms", json=world_module.valid_entry(), headers=headers).get_json()
    before = everything(app)
    response = client.patch(f"/api/v1/algorithms/{created['code']}", json={"organization": "Gemeente Amsterdam"},
                            headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "organization"
    assert everything(app) == before


def test_the_organization_field_is_filled_in_from_the_token_and_the_amsterdam_filter_stays_amsterdams(
        session, client, world):
    amsterdam_entry = world_module.publish(session, world, "amsterdam")
    headers = world_module.token(session, world.registrant_g, world.ggd)
    created = client.post("/api/v1/algorithms", json=world_module.valid_entry(), headers=headers)
    assert created.status_code == 201
    assert created.get_json()["draft"]["organization"] == "GGD Amsterdam"
    code = created.get_json()["code"]
    same_name = client.patch(f"/api/v1/algorithms/{code}", json={"organization": "GGD Amsterdam", "name": "Nieuw"},
                             headers=headers)
    assert same_name.status_code == 200
    client.post(f"/api/v1/algorithms/{code}/submit", headers=headers)
    approver = world_module.token(session, world.approver_g, world.ggd)
    approved = client.post(f"/api/v1/algorithms/{code}/approve", json={}, headers=approver)
    assert approved.status_code == 200
    assert approved.get_json()["published"]["organization"] == "GGD Amsterdam"
    assert listed_under(client, "Gemeente Amsterdam") == {amsterdam_entry.code}
    assert listed_under(client, "GGD Amsterdam") == {code}


def test_the_portal_form_has_no_organization_field_and_ignores_one_sent_anyway(session, client, auth, world):
    auth.login(world.registrant_g.email)
    form = client.get("/portal/algorithms/new").get_data(as_text=True)
    assert 'name="organization"' not in form
    data = world_module.valid_entry(organization="Gemeente Amsterdam") | {
        "organisation_id": str(world.ggd.id), "theme": "Openbare orde en veiligheid",
        "decision_kinds": "Toewijzing melding"}
    response = auth.post("/portal/algorithms/new", data, form_url="/portal/algorithms/new")
    assert response.status_code == 302
    version = session.exec(select(AlgorithmVersion)).one()
    assert version.organization == "GGD Amsterdam"
    assert session.get(Algorithm, version.algorithm_id).organisation_id == world.ggd.id


def test_an_import_files_each_record_under_the_organisation_it_names_and_moves_nothing(session, runner, tmp_path,
                                                                                       world):
    amsterdam_entry = world_module.publish(session, world, "amsterdam", source_id="MOR-1")
    record = world_module.valid_entry(organization="GGD Amsterdam", source_id="MOR-1", name="Andere naam")
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    result = runner.invoke(args=["algorithms", "import", str(path)])
    assert result.exit_code == 0, result.output
    session.expire_all()
    rows = session.exec(select(Algorithm).order_by(Algorithm.id)).all()
    assert [(a.code == amsterdam_entry.code, a.organisation_id, a.organisation_name) for a in rows] == [
        (True, world.amsterdam.id, "Gemeente Amsterdam"), (False, world.ggd.id, "GGD Amsterdam")]
    assert algos.published_version(session, rows[0]).name == world_module.valid_entry()["name"]


def test_the_migration_corrects_entries_published_under_another_organisations_name(migrated_database, tmp_path):
    """An instance attacked before the fix: its entries name the organisation they really belong to."""
    from alembic import command

    if isinstance(migrated_database, str):
        pytest.skip("run on the SQLite pass: the migration is replayed on a copy of the template")
    import shutil

    copy = tmp_path / "old.sqlite"
    shutil.copy(migrated_database, copy)
    url = f"sqlite:///{copy}"
    command.downgrade(register_db.alembic_config(url), "0005_secacc_sessions_tokens-1")
    engine = register_db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (id, name, kind, created_at) VALUES "
                          "(1, 'Gemeente Amsterdam', 'municipality', '2026-01-01'), (2, 'GGD Amsterdam', 'government', '2026-01-01')"))
        conn.execute(text("INSERT INTO algorithm (id, code, organisation_id, organisation_name, public_state, "
                          "has_impact_assessment, created_at) "
                          "VALUES (1, 'A-BAD1', 2, 'Gemeente Amsterdam', 'published', 0, '2026-01-01')"))
    engine.dispose()
    register_db.upgrade(url)
    engine = register_db.make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT organisation_name FROM algorithm WHERE id = 1")).scalar() == "GGD Amsterdam"
    engine.dispose()
