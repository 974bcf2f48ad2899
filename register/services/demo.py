"""Demo content: organisations, accounts and entries in every state (idempotent)."""
from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from register.models import User
from register.services import accounts
from register.services import algorithms as algos
from register.services.interchange import import_records

DEMO_DIR = Path(__file__).parent.parent / "demo"
DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_ACCOUNTS = [
    # e-mail, name, organisation, roles
    ("beheer@stadsregister.example", "Sanne Beheer", None, ()),
    ("registrant@amsterdam.example", "Ravi Registrant", "Gemeente Amsterdam", ("registrant",)),
    ("approver@amsterdam.example", "Anna Akkoord", "Gemeente Amsterdam", ("approver",)),
    ("registrant@ggd.example", "Gert Geregistreerd", "GGD Amsterdam", ("registrant",)),
    ("approver@ggd.example", "Greet Goedkeurder", "GGD Amsterdam", ("approver",)),
    ("registrant@waternet.example", "Wim Water", "Waternet", ("registrant", "approver")),
]
ORGANISATIONS = {"Gemeente Amsterdam": "https://www.amsterdam.nl", "GGD Amsterdam": "https://www.ggd.amsterdam.nl",
                 "Waternet": "https://www.waternet.nl"}


def _by_source(session: Session, source_id: str):
    from register.models import Algorithm

    return session.exec(select(Algorithm).where(Algorithm.source_id == source_id)).one()


def load_demo(session: Session) -> list[str]:
    """Load the demo algorithms and accounts once; a second run changes nothing."""
    if session.exec(select(User).where(User.email == DEMO_ACCOUNTS[1][0])).first() is not None:
        return ["Demo algorithms are already loaded."]
    users = {}
    for name, website in ORGANISATIONS.items():
        accounts.get_or_create_organisation(session=session, name=name, website=website)
    for email, name, organisation, roles in DEMO_ACCOUNTS:
        users[email] = accounts.create_user(session=session, email=email, name=name, password=DEMO_PASSWORD,
                                            is_admin=organisation is None)
        if organisation:
            org = accounts.get_or_create_organisation(session=session, name=organisation)
            for role in roles:
                accounts.grant(session=session, user=users[email], organisation=org, role=role)
    session.commit()
    records = json.loads((DEMO_DIR / "algorithms.json").read_text(encoding="utf-8"))
    report = import_records(session, records, source="demo")
    if report.errors:
        raise RuntimeError("demo content does not validate: " + "; ".join(report.lines()))
    registrant, approver = users["registrant@amsterdam.example"], users["approver@amsterdam.example"]

    # Parking: a second published version, so the history shows a change.
    parking = _by_source(session, "AMS-PARK-001")
    algos.update_entry(session=session, user=registrant, algorithm=parking, partial=True, data={
        "risk_management": "Kentekens van wie betaald heeft worden na 24 uur gewist (was 48 uur). Foto's worden "
                           "alleen bewaard bij een naheffingsaanslag. De foutmarge van de kentekenherkenning "
                           "wordt elk kwartaal gemeten en gepubliceerd."})
    algos.submit(session=session, user=registrant, algorithm=parking)
    algos.approve(session=session, user=approver, algorithm=parking, note="Bewaartermijn verkort naar 24 uur.")
    # WOZ: a change waiting for approval; the public still sees version 1.
    woz = _by_source(session, "AMS-WOZ-001")
    algos.update_entry(session=session, user=registrant, algorithm=woz, partial=True,
                       data={"start_date": "2015-01"})
    algos.submit(session=session, user=registrant, algorithm=woz)
    # Childcare inspections: returned by the approver with a reason.
    ggd = _by_source(session, "GGD-KO-001")
    algos.update_entry(session=session, user=users["registrant@ggd.example"], algorithm=ggd, partial=True,
                       data={"supplier": "Inspectiedata B.V."})
    algos.submit(session=session, user=users["registrant@ggd.example"], algorithm=ggd)
    algos.return_draft(session=session, user=users["approver@ggd.example"], algorithm=ggd,
                       reason="Vul ook de exitstrategie in nu er een leverancier is.")
    # Smart check: archived after its model is registered (archive_stopped_trial), as it happened.
    # A new entry that is only a draft, and one that was published by mistake and retracted.
    amsterdam = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
    draft = dict(records[2], name="Chatbot voor vragen over afval", source_id="AMS-CHAT-001",
                 status="In ontwikkeling", start_date="2026-09", search_terms="chatbot, afval, vragen")
    algos.create_entry(session=session, user=registrant, organisation=amsterdam, data=draft)
    mistaken = dict(records[6], name="Riooloverlast voorspellen", organization="Gemeente Amsterdam",
                    source_id="AMS-RIO-002")
    entry = algos.create_entry(session=session, user=registrant, organisation=amsterdam, data=mistaken)
    algos.submit(session=session, user=registrant, algorithm=entry)
    algos.approve(session=session, user=approver, algorithm=entry)
    algos.set_public_state(session=session, user=approver, algorithm=entry, state="retracted",
                           reason="Per vergissing geregistreerd: dit algoritme is van Waternet en staat daar al.")
    return [f"Loaded {len(records) + 2} demo algorithms and {len(DEMO_ACCOUNTS)} accounts.",
            f"Sign in at /portal/login with e.g. {DEMO_ACCOUNTS[1][0]} or {DEMO_ACCOUNTS[2][0]}, "
            f"password {DEMO_PASSWORD}"]


# Each room adds its demo loader here; ``stadsregister demo`` runs them in order, each idempotent.
from register.services.documents_demo import load_demo_documents  # noqa: E402

from register.services.sensor_io import load_demo_sensors  # noqa: E402

from register.services.demo_models import load_demo_models  # noqa: E402

from register.services.participation_demo import load_demo_participation  # noqa: E402



def archive_stopped_trial(session: Session) -> list[str]:
    """The Smart check was used with its model, then stopped: archived, its history stays public.
    Archived entries take no new model, so this runs after the demo models are registered."""
    from register.models import Algorithm

    smart_check = session.exec(select(Algorithm).where(Algorithm.source_id == "AMS-BIJ-001")).first()
    if smart_check is None or smart_check.public_state == "archived":
        return []
    approver = session.exec(select(User).where(User.email == "approver@amsterdam.example")).one()
    algos.set_public_state(session=session, user=approver, algorithm=smart_check,
                           state="archived", reason="De proef is in november 2023 gestopt.")
    return ["Archived the Smart check trial (stopped in November 2023)."]


DEMO_LOADERS = [load_demo, load_demo_documents, load_demo_sensors, load_demo_models, archive_stopped_trial,
                load_demo_participation]
