"""Demo DPIAs and IAMAs: PDFs rendered with WeasyPrint from the project's own Dutch text.

The text is in ``register/demo/assessments.json`` (processing, purposes, legal ground, necessity
and proportionality, risks to data subjects, measures). Each is attached through the same
service as an upload and published with four eyes, so the demo shows the real workflow:
the parking entry gets its 2019 DPIA published first and its 2023 revision as a new version.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from sqlmodel import Session, select

from register.models import Algorithm, User
from register.models.document import Document
from register.services import algorithms as algos
from register.services import documents

DEMO_FILE = Path(__file__).parent.parent / "demo" / "assessments.json"
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
SUBTITLES = {"dpia": "Gegevensbeschermingseffectbeoordeling (DPIA, artikel 35 AVG)",
             "iama": "Impact Assessment Mensenrechten en Algoritmes (IAMA)"}
# Who attaches and who approves, per organisation (demo accounts of services.demo).
PEOPLE = {"Gemeente Amsterdam": ("registrant@amsterdam.example", "approver@amsterdam.example")}


def render_assessment_pdf(spec: dict, organisation: str) -> bytes:
    """A PDF of one assessment, from ``templates/reports/assessment.html``."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from weasyprint import HTML

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    html = env.get_template("reports/assessment.html").render(
        language="nl", organisation=organisation, title=spec["title"],
        subtitle=SUBTITLES.get(spec["kind"], "Effectbeoordeling") + (f" — {spec['version_label']}"
                                                                     if spec.get("version_label") else ""),
        facts=[*spec.get("facts", []), ["Datum", spec["assessment_date"]]],
        sections=spec["sections"], signature=spec.get("signature", ""))
    return HTML(string=html).write_pdf()


def load_demo_documents(session: Session) -> list[str]:
    """Attach and publish the demo assessments once; a second run changes nothing."""
    if session.exec(select(Document.id)).first() is not None:
        return ["Demo documents are already loaded."]
    specs = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data_dir = current_app.config["DATA_DIR"]
    attached, touched = 0, []
    for spec in specs:
        algorithm = session.exec(select(Algorithm).where(Algorithm.source_id == spec["source_id"])).first()
        if algorithm is None or algorithm.organisation_name not in PEOPLE:
            continue
        registrant, approver = (session.exec(select(User).where(User.email == email)).one()
                                for email in PEOPLE[algorithm.organisation_name])
        fields = {name: spec.get(name, "") for name in documents.METADATA_FIELDS}
        fields["language"] = "nl"
        if spec.get("replaces"):
            current = [d for d in documents.working_set(session, algorithm) if d.title == spec["replaces"]]
            fields["supersedes"] = str(current[0].id) if current else ""
            _publish(session, algorithm, registrant, approver, touched)  # the earlier one is public first
        pdf = render_assessment_pdf(spec, algorithm.organisation_name)
        documents.attach(session=session, user=registrant, algorithm=algorithm, data=pdf, filename=None,
                         fields=fields, data_dir=data_dir, max_bytes=len(pdf) + 1)
        attached += 1
        if algorithm.id not in touched:
            touched.append(algorithm.id)
    for algorithm_id in list(touched):
        algorithm = session.get(Algorithm, algorithm_id)
        _publish(session, algorithm, *_people(session, algorithm), touched)
    return [f"Attached and published {attached} demo assessments (DPIA, IAMA) as PDF."]


def _people(session: Session, algorithm: Algorithm):
    return tuple(session.exec(select(User).where(User.email == email)).one()
                 for email in PEOPLE[algorithm.organisation_name])


def _publish(session: Session, algorithm: Algorithm, registrant: User, approver: User, touched: list) -> None:
    draft = algos.current_draft(session, algorithm)
    if draft is None or draft.state == "submitted":
        return
    algos.submit(session=session, user=registrant, algorithm=algorithm)
    algos.approve(session=session, user=approver, algorithm=algorithm,
                  note="Effectbeoordeling gepubliceerd als PDF in het register.")
    if algorithm.id in touched:
        touched.remove(algorithm.id)
