"""The right to an explanation of an individual decision (EU AI Act, Regulation (EU) 2024/1689, art. 86).

A resident subject to a decision taken with the output of a high-risk AI system may obtain "clear
and meaningful explanations of the role of the AI system in the decision-making procedure and the
main elements of the decision taken". Every receipt of a high-risk system therefore states four
things, in B1 Dutch or English (issue #17): the system's role, the main elements of this decision,
the human review and the way to appeal. The text comes from the published entry version the
receipt was made with and from the stored explanation itself.
"""
from __future__ import annotations

from register.i18n import translator
from register.models import AlgorithmVersion

HIGH_RISK_CATEGORY = "Hoog-risico AI-systeem (Categorie A)"
PARTS = ("role", "main_elements", "human_review", "appeal")


def is_high_risk(version: AlgorithmVersion) -> bool:
    """Publication category A, or the AI Act risk class the registrant gave."""
    return version.publication_category == HIGH_RISK_CATEGORY or version.ai_act_risk_class == "high"


def for_receipt(version: AlgorithmVersion, narrative: dict, locale: str) -> dict | None:
    """The four statements of art. 86 for one receipt, or None when the system is not high-risk."""
    if not is_high_risk(version):
        return None
    t = translator(locale)
    decisions = ", ".join(version.decision_kinds or []) or t("your decision")
    role = t("%(name)s is a high-risk AI system under the EU AI Act. It calculated an outcome for your case. "
             "That outcome was one of the things %(organisation)s used to take this decision (%(decisions)s). "
             "The system does not take the decision on its own.",
             name=version.name, organisation=version.organization, decisions=decisions)
    main = [sentence for sentence in [narrative.get("outcome"), *(narrative.get("factors") or [])] if sentence]
    human = t("How people check the outcome: %(text)s", text=version.human_intervention)
    contact = version.human_contact or version.contact
    human += " " + t("You can ask for a person to look at your decision again: %(contact)s", contact=contact)
    if version.objection_route:
        appeal = version.objection_route
    else:
        appeal = t("You can object to the decision. Your decision letter says how and before which date. "
                   "Questions: %(contact)s", contact=contact)
    return {"article": "EU AI Act art. 86", "role": role, "main_elements": main, "human_review": human,
            "appeal": appeal, "appeal_link": version.objection_link}
