"""Fixtures for the security corpus.

The register's world (two organisations with their people, a published entry), the same the
permission tests use; and for the hostile-input corpus (``test_input_*.py``) one organisation
with tokens, a published entry, the sample WOZ model and a sensor. The hostile samples live in
``hostile.py`` (loaded by path: with ``--import-mode=importlib`` a test module cannot import its
neighbours).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from register.services import accounts

_spec = importlib.util.spec_from_file_location(
    "register_test_fixtures", Path(__file__).parent.parent / "register" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures  # dataclasses look their module up
_spec.loader.exec_module(_fixtures)

PASSWORD = _fixtures.PASSWORD
valid_entry = _fixtures.valid_entry
world = _fixtures.world
published = _fixtures.published
make_entry = _fixtures.make_entry
ARTEFACTS = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts"


def _load_hostile():
    spec = importlib.util.spec_from_file_location("security_hostile", Path(__file__).with_name("hostile.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE = _load_hostile()


@pytest.fixture(scope="session")
def hostile():
    """The generators of hostile files and requests (``tests/security/hostile.py``)."""
    return HOSTILE


@pytest.fixture
def people(session):
    """Organisation A with a registrant and an approver, and an API token for the registrant."""
    org = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
    registrant = accounts.create_user(session=session, email="reg@example.org", name="Registrant", password=PASSWORD)
    approver = accounts.create_user(session=session, email="app@example.org", name="Approver", password=PASSWORD)
    accounts.grant(session=session, user=registrant, organisation=org, role="registrant")
    accounts.grant(session=session, user=approver, organisation=org, role="approver")
    plain = accounts.create_api_token(session=session, user=registrant, organisation=org, name="security")[1]
    approver_plain = accounts.create_api_token(session=session, user=approver, organisation=org, name="approve")[1]
    session.commit()
    return {"org": org, "registrant": registrant, "approver": approver,
            "token": {"Authorization": f"Bearer {plain}"},
            "approver_token": {"Authorization": f"Bearer {approver_plain}"}}


@pytest.fixture
def entry(session, people):
    """A published entry of organisation A (no model yet)."""
    from register.services import algorithms as algos

    algorithm = algos.create_entry(session=session, user=people["registrant"], organisation=people["org"],
                                   data=HOSTILE.valid_entry())
    algos.submit(session=session, user=people["registrant"], algorithm=algorithm)
    algos.approve(session=session, user=people["approver"], algorithm=algorithm)
    return algorithm


@pytest.fixture
def woz(session, app, entry):
    """The published entry explained with the sample WOZ model."""
    from register.services.model_versions import register_model

    base = ARTEFACTS / "woz"
    register_model(session=session, user=None, algorithm=entry, data_dir=app.config["DATA_DIR"],
                   model=(base / "model.skops").read_bytes(), model_name="model.skops",
                   spec=(base / "spec.json").read_bytes(), spec_name="spec.json",
                   reference=(base / "reference.csv").read_bytes(), publish=True)
    return entry


@pytest.fixture
def sensor(session, people):
    """One sensor of organisation A."""
    from register.services import sensors as svc

    return svc.create_sensor(session, user=people["registrant"], organisation=people["org"],
                             data=HOSTILE.valid_sensor(), locale="en")
