"""Shared setting for the ``test_accounts_*`` files: two organisations, their people, an entry.

Loaded by path from each test file (``--import-mode=importlib`` keeps test modules from importing
their neighbours), so it adds no fixtures to the directory's conftest.
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace

from sqlalchemy import MetaData
from sqlalchemy import select as sa_select

from register.services import accounts
from register.services import algorithms as algos

PASSWORD = "correct horse battery staple"


def valid_entry(**overrides) -> dict:
    """A complete, valid entry in the national standard's shape (no ``organization``: it follows)."""
    entry = {
        "name": "Meldingen openbare ruimte sorteren",
        "description_short": "Een algoritme stuurt meldingen over de openbare ruimte naar het juiste team.",
        "theme": ["Openbare orde en veiligheid"],
        "status": "In gebruik",
        "start_date": "2024-03",
        "contact": "meldingen@example.org",
        "publication_category": "Impactvolle algoritmes (Categorie B)",
        "purpose_and_impact": "Meldingen sneller bij het juiste team krijgen.",
        "considerations": "Sneller dan handmatig sorteren; een medewerker controleert steekproeven.",
        "human_intervention": "Een medewerker kan elke melding opnieuw toewijzen.",
        "risk_management": "Wekelijkse steekproef.",
        "impact_assessments": "DPIA",
        "data": "De tekst van de melding en de plaats.",
        "technical_operation": "Een tekstclassificatie kiest het team.",
        "supplier": "Intern ontwikkeld",
        "decision_kinds": ["Toewijzing melding"],
        "objection_route": "Dien een klacht in via de website.",
    }
    entry.update(overrides)
    return entry


def build(session) -> SimpleNamespace:
    """Gemeente Amsterdam and GGD Amsterdam, each with a registrant and an approver; a site admin."""
    world = SimpleNamespace()
    world.amsterdam = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
    world.ggd = accounts.get_or_create_organisation(session=session, name="GGD Amsterdam", kind="government")
    for key, email, org, role in [("registrant_a", "reg-a@example.org", world.amsterdam, "registrant"),
                                  ("approver_a", "app-a@example.org", world.amsterdam, "approver"),
                                  ("registrant_g", "reg-g@example.org", world.ggd, "registrant"),
                                  ("approver_g", "app-g@example.org", world.ggd, "approver")]:
        user = accounts.create_user(session=session, email=email, name=key, password=PASSWORD)
        accounts.grant(session=session, user=user, organisation=org, role=role)
        setattr(world, key, user)
    world.admin = accounts.create_user(session=session, email="admin@example.org", name="admin",
                                       password=PASSWORD, is_admin=True)
    session.commit()
    return world


def publish(session, world, org_key: str = "amsterdam", **overrides):
    """A published entry of the organisation, made and approved by its own people."""
    suffix = "a" if org_key == "amsterdam" else "g"
    registrant, approver = getattr(world, f"registrant_{suffix}"), getattr(world, f"approver_{suffix}")
    algorithm = algos.create_entry(session=session, user=registrant, organisation=getattr(world, org_key),
                                   data=valid_entry(**overrides))
    algos.submit(session=session, user=registrant, algorithm=algorithm)
    algos.approve(session=session, user=approver, algorithm=algorithm)
    return algorithm


def submitted(session, world, org_key: str = "amsterdam", **overrides):
    """An entry of the organisation waiting for approval."""
    suffix = "a" if org_key == "amsterdam" else "g"
    registrant = getattr(world, f"registrant_{suffix}")
    algorithm = algos.create_entry(session=session, user=registrant, organisation=getattr(world, org_key),
                                   data=valid_entry(**overrides))
    algos.submit(session=session, user=registrant, algorithm=algorithm)
    return algorithm


def token(session, user, organisation, days: int = 90) -> dict:
    """An Authorization header with a fresh API token of ``user`` for ``organisation``."""
    _row, plain = accounts.create_api_token(session=session, user=user, organisation=organisation, name="system",
                                            days=days)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def dump(engine, ignore: dict[str, set[str]] | None = None) -> dict:
    """Every row of every table, to prove a request stored nothing."""
    ignore = ignore or {}
    meta = MetaData()
    with warnings.catch_warnings():  # PostGIS's geometry column is read as text, which is all we compare
        warnings.simplefilter("ignore")
        meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name in {"alembic_version", "spatial_ref_sys"}:
                continue
            columns = [c for c in table.columns if c.name not in ignore.get(table.name, set())]
            rows = conn.execute(sa_select(*columns)).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out
