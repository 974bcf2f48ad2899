"""Demo: residents' questions, the citizens' panel advice that stopped the Slimme Check, lock-in and cost
figures, a frozen lock-in year and measured explanations (issue 15). Idempotent: runs once."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlmodel import Session, select

from register.models import Algorithm, User
from register.models.accounts import utcnow
from register.models.footprint import LockinIndex
from register.models.participation import Advice
from register.services import algorithms as algos
from register.services import decisions, lockin
from register.services import participation as svc
from register.services.participation_advice import approve_advice, submit_advice
from register.services.participation_mail import send_answer

REGISTRANT, APPROVER = "registrant@amsterdam.example", "approver@amsterdam.example"
# Lock-in and cost fields per demo entry, published with four eyes after the 2025 index was frozen.
FIELDS = {
    "AMS-PARK-001": {"hosting": "other", "data_portable": True, "exit_in_contract": True, "contract_end_date": "2027-12",
                     "replaceability": "effort", "cost_licence_eur": 85000, "cost_licence_source": "invoiced",
                     "cost_licence_year": 2025, "cost_hosting_eur": 12000, "cost_hosting_source": "invoiced",
                     "cost_hosting_year": 2025, "energy_running_kwh": 5400.0, "energy_running_source": "declared",
                     "energy_running_year": 2025},
    "AMS-CROWD-001": {"hosting": "nl_eu_cloud", "data_portable": True, "exit_in_contract": False,
                      "contract_end_date": "2026-12", "replaceability": "hard", "cost_licence_eur": 64000,
                      "cost_licence_source": "invoiced", "cost_licence_year": 2025},
    "AMS-SIG-001": {"hosting": "own", "data_portable": True, "exit_in_contract": True, "replaceability": "easy",
                    "publiccode_url": "https://github.com/Amsterdam/signals/blob/main/publiccode.yml",
                    "cost_staff_eur": 180000, "cost_staff_source": "declared", "cost_staff_year": 2025,
                    "energy_training_kwh": 42.0, "energy_training_source": "measured", "energy_training_year": 2025},
}
PANEL = {"adviser_kind": "citizens_panel", "adviser_name": "Burgerpanel Slimme Check (24 Amsterdammers)",
         "given_on": "2023-09-14", "link": "", "outcome": "stopped", "decided_on": "2023-11-01",
         "summary": "Het panel vindt dat de Slimme Check te veel over mensen wil weten. Mensen die bijstand aanvragen "
                    "kunnen niet kiezen of zij meedoen. Het panel is bang dat de check sommige groepen vaker "
                    "aanwijst. Het advies: stop met de proef, of laat mensen zelf kiezen.",
         "response": "De gemeente heeft het advies gevolgd en is in november 2023 gestopt met de proef. De gemeenteraad "
                     "kreeg hierover een brief. Er worden geen aanvragen meer door het model beoordeeld."}
DPO = {"adviser_kind": "dpo", "adviser_name": "Functionaris gegevensbescherming gemeente Amsterdam",
       "given_on": "2023-06-20", "link": "", "outcome": "partly_followed", "decided_on": "2023-07-10",
       "summary": "De functionaris vindt de bewaartermijn van 48 uur voor kentekens te lang.",
       "response": "De bewaartermijn is verkort naar 24 uur. Foto's worden alleen bewaard bij een naheffingsaanslag."}
WOZ_CASE = {"wijk": "centrum", "woningtype": "appartement", "woonoppervlak": "120", "perceeloppervlak": "0",
            "bouwjaar": "1930", "energielabel": "C", "onderhoudsstaat": "goed", "parkeerplaats": "nee"}


def _entry(session: Session, source_id: str) -> Algorithm | None:
    return session.exec(select(Algorithm).where(Algorithm.source_id == source_id)).first()


def _ask(session: Session, algorithm: Algorithm, days_ago: int, **data) -> object:
    item = svc.submit(session=session, algorithm=algorithm, locale="nl", answer_days=10,
                      today=date.today() - timedelta(days=days_ago), data=data)
    item.received_at = utcnow() - timedelta(days=days_ago)
    session.add(item)
    session.commit()
    return item


def load_demo_participation(session: Session) -> list[str]:
    """Load the participation, lock-in and cost demo once; a second run changes nothing."""
    if session.exec(select(Advice.id)).first() is not None:
        return ["Demo participation, lock-in and costs are already loaded."]
    people = {email: session.exec(select(User).where(User.email == email)).first() for email in (REGISTRANT, APPROVER)}
    registrant, approver = people[REGISTRANT], people[APPROVER]
    check, parking = _entry(session, "AMS-BIJ-001"), _entry(session, "AMS-PARK-001")
    if None in (registrant, approver, check, parking):
        return ["Load the demo algorithms first."]
    year = date.today().year
    if session.get(LockinIndex, year - 1) is None:  # last year's index, before the fields were filled in
        lockin.publish(session, year - 1)
    for source_id, fields in FIELDS.items():
        entry = _entry(session, source_id)
        draft = algos.current_draft(session, entry)
        if draft is not None and draft.state == "submitted":
            continue
        algos.update_entry(session=session, user=registrant, algorithm=entry, data=fields, partial=True)
        algos.submit(session=session, user=registrant, algorithm=entry)
        algos.approve(session=session, user=approver, algorithm=entry,
                      note="Gegevens over leverancier, lock-in en kosten aangevuld.")
    # The Slimme Check: the citizens' panel advised to stop, and the city stopped.
    approve_advice(session=session, user=approver,
                   advice=submit_advice(session=session, user=registrant, algorithm=check, data=PANEL, locale="nl"))
    approve_advice(session=session, user=approver,
                   advice=submit_advice(session=session, user=registrant, algorithm=parking, data=DPO, locale="nl"))
    asked = _ask(session, check, 40, kind="question", body="Worden mijn gegevens uit de proef nog bewaard?",
                 email="bewoner@example.net")
    svc.moderate(session=session, user=registrant, item=asked, decision="publish")
    svc.write_answer(session=session, user=registrant, item=asked, locale="nl",
                     text="Nee. Alle gegevens uit de proef zijn in december 2023 verwijderd.")
    svc.approve_answer(session=session, user=approver, item=asked)
    if not current_app.config.get("SMTP_HOST"):  # never e-mails the made-up address: shows what a missing server does
        send_answer(session, asked, mailer=None,
                    questions_url=f"{current_app.config['BASE_URL'].rstrip('/')}/algorithms/{check.code}/questions")
    error = _ask(session, parking, 5, kind="error", field="contact", body="Het e-mailadres voor vragen werkt niet.")
    svc.moderate(session=session, user=registrant, item=error, decision="publish")
    late = _ask(session, parking, 25, kind="question", body="Hoe vaak rijdt de scanauto door mijn straat?")
    svc.moderate(session=session, user=registrant, item=late, decision="publish")
    _ask(session, parking, 1, kind="view", body="Ik vind het goed dat foto's snel worden gewist.",
         email="lezer@example.net")
    measured = _measure(session)
    return [f"Published the {year - 1} lock-in index; added lock-in and cost figures to {len(FIELDS)} entries.",
            ("Added the citizens' panel advice that stopped the Slimme Check, a DPO advice, four residents' messages "
             f"(one answered, one late, one waiting for moderation) and {measured} measured explanations.")]


def _measure(session: Session) -> int:
    """A few explanations with the WOZ demo model, so its measured footprint shows."""
    woz = _entry(session, "AMS-WOZ-001")
    if woz is None:
        return 0
    try:
        for _ in range(3):
            decisions.what_if(session=session, algorithm=woz, inputs=dict(WOZ_CASE), locale="nl",
                              data_dir=current_app.config["DATA_DIR"])
    except (decisions.NoModel, decisions.InputRefused):
        return 0
    return 3
