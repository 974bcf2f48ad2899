"""Fixtures for the register: two organisations with registrants and approvers."""
from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from register.services import accounts

PASSWORD = "correct horse battery staple"


def valid_entry(**overrides) -> dict:
    """A complete, valid entry in the national standard's shape."""
    entry = {
        "name": "Aanvragen parkeervergunning beoordelen",
        "description_short": "Een algoritme controleert of een aanvraag voor een parkeervergunning compleet is.",
        "organization": "Gemeente Amsterdam",
        "theme": ["Verkeer"],
        "status": "In gebruik",
        "start_date": "2023-01",
        "contact": "parkeren@amsterdam.example",
        "publication_category": "Impactvolle algoritmes (Categorie B)",
        "purpose_and_impact": "Sneller beslissen over aanvragen voor een parkeervergunning.",
        "considerations": "Sneller en gelijker dan handmatig controleren.",
        "human_intervention": "Een medewerker beslist over elke afwijzing.",
        "risk_management": "Maandelijkse steekproef door een medewerker.",
        "impact_assessments": "DPIA",
        "data": "Kenteken, adres en eerdere vergunningen.",
        "technical_operation": "Regels uit de parkeerverordening controleren de aanvraag.",
        "supplier": "Intern ontwikkeld",
        "decision_kinds": ["Besluit parkeervergunning"],
        "objection_route": "Maak binnen 6 weken bezwaar.",
    }
    entry.update(overrides)
    return entry


@dataclass
class World:
    org_a: object
    org_b: object
    registrant_a: object
    approver_a: object
    second_approver_a: object
    registrant_b: object
    approver_b: object
    admin: object


@pytest.fixture
def world(session) -> World:
    """Organisation A (Gemeente Amsterdam) and B (Gemeente Zaanstad), each with a registrant and an approver."""
    org_a = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
    org_b = accounts.get_or_create_organisation(session=session, name="Gemeente Zaanstad")
    people = {}
    for key, email, org, role in [
        ("registrant_a", "reg-a@example.org", org_a, "registrant"),
        ("approver_a", "app-a@example.org", org_a, "approver"),
        ("second_approver_a", "app2-a@example.org", org_a, "approver"),
        ("registrant_b", "reg-b@example.org", org_b, "registrant"),
        ("approver_b", "app-b@example.org", org_b, "approver"),
    ]:
        people[key] = accounts.create_user(session=session, email=email, name=key, password=PASSWORD)
        accounts.grant(session=session, user=people[key], organisation=org, role=role)
    # The approvers of A may also edit, so the four-eyes rule can be tested on one person.
    accounts.grant(session=session, user=people["approver_a"], organisation=org_a, role="registrant")
    admin = accounts.create_user(session=session, email="admin@example.org", name="admin", password=PASSWORD,
                                 is_admin=True)
    session.commit()
    return World(org_a=org_a, org_b=org_b, admin=admin, **people)


@pytest.fixture
def published(session, world):
    """A published entry of organisation A (version 1)."""
    from register.services import algorithms as algos

    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                   data=valid_entry(source_id="PV-1"))
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    return algorithm


@pytest.fixture
def make_entry():
    """``make_entry(**overrides)``: a valid entry dict."""
    return valid_entry


class Inbox:
    """What a real SMTP server on 127.0.0.1 (aiosmtpd) received: (recipients, message) pairs."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a free local port; ``smtp.mails`` lists what it received."""
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def woz(session, app, published):
    """A published entry of organisation A explained with the sample WOZ model."""
    from tests.register.samples import register

    register(session, app, published)
    return published


@pytest.fixture
def token_a(session, world):
    """An API token of organisation A's registrant."""
    plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="a")[1]
    session.commit()
    return {"Authorization": f"Bearer {plain}"}
