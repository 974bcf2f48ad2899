"""What the portal shows a signed-in account: its organisations' entries and what awaits it."""
from __future__ import annotations

import explain
from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, AlgorithmEvent, AlgorithmVersion, Organisation, User
from register.models.explanation import ModelVersion
from register.services import algorithms as algos
from register.services.accounts import roles_of
from register.services.model_pages import fairness_tables, model_facts, performance_lines
from register.services.standard import label


def organisations_for(session: Session, user: User) -> list[Organisation]:
    """The organisations the account works for (all of them for a site admin)."""
    if user.is_admin:
        return list(session.exec(select(Organisation).order_by(Organisation.name)))
    ids = list(roles_of(session=session, user=user))
    return list(session.exec(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


def overview(session: Session, user: User) -> list[dict]:
    """Every entry of the account's organisations with its public and working state."""
    organisations = {o.id: o for o in organisations_for(session, user)}
    rows = session.exec(select(Algorithm).where(Algorithm.organisation_id.in_(list(organisations)))
                        .order_by(Algorithm.id.desc())).all()
    roles = roles_of(session=session, user=user)
    result = []
    for algorithm in rows:
        draft = algos.current_draft(session, algorithm)
        copy = draft or algos.published_version(session, algorithm)
        result.append({"code": algorithm.code, "name": copy.name if copy else "",
                       "organisation": organisations[algorithm.organisation_id].name,
                       "public_state": algorithm.public_state, "draft_state": draft.state if draft else None,
                       "awaits_me": bool(draft and draft.state == "submitted" and draft.last_editor_id != user.id
                                         and (user.is_admin or "approver" in roles.get(algorithm.organisation_id, set())))})
    return result


# The action log in words (issue 13); the stored kinds stay short codes.
EVENT_WORDS = {
    "created": N_("Draft created"), "edited": N_("Draft changed"), "submitted": N_("Submitted for approval"),
    "published": N_("Approved and published"), "imported": N_("Published from an import"),
    "returned": N_("Returned to the registrants"), "retracted": N_("Retracted"), "archived": N_("Archived"),
    "model": N_("Model registered and added to the draft"), "document_added": N_("Assessment attached"),
    "document_removed": N_("Assessment removed from the draft"),
    "admin_override": N_("Approved by a site administrator from outside the organisation (override)"),
}


def events(session: Session, algorithm: Algorithm, locale: str) -> list[dict]:
    """The entry's action log, newest first: what happened in words, who did it and when."""
    t = translator(locale)
    rows = session.exec(select(AlgorithmEvent, User).join(User, User.id == AlgorithmEvent.actor_id, isouter=True)
                        .where(AlgorithmEvent.algorithm_id == algorithm.id)
                        .order_by(AlgorithmEvent.at.desc(), AlgorithmEvent.id.desc())).all()
    return [{"kind": event.kind, "what": t(EVENT_WORDS[event.kind]) if event.kind in EVENT_WORDS else event.kind,
             "who": (user.name or user.email) if user else t("the register (command line or import)"),
             "at": event.at, "reason": event.reason} for event, user in rows]


def models(session: Session, algorithm: Algorithm, draft: AlgorithmVersion | None) -> list[dict]:
    """The entry's registered model versions, newest first, with which one is public and which is in the draft."""
    published = algos.published_version(session, algorithm)
    rows = session.exec(select(ModelVersion).where(ModelVersion.algorithm_id == algorithm.id)
                        .order_by(ModelVersion.number.desc())).all()
    return [{"number": m.number, "registered_at": m.created_at, "note": m.note,
             "published": bool(published and published.model_version_id == m.id),
             "in_draft": bool(draft and draft.model_version_id == m.id)} for m in rows]


def review(session: Session, algorithm: Algorithm, draft: AlgorithmVersion, locale: str) -> dict:
    """What an approver checks before approving: the changes against the public version, and the
    model's performance and fairness figures (the attached documents are listed beside it)."""
    t = translator(locale)
    published = algos.published_version(session, algorithm)
    before = algos.entry_data(published) if published else None
    changes = [dict(change, label=label(change["field"], locale))
               for change in algos.diff(before, algos.entry_data(draft))]
    result = {"first": published is None, "changes": changes, "model": None}
    model = session.get(ModelVersion, draft.model_version_id) if draft.model_version_id else None
    if model is not None:
        overview = model.global_explanation or {}
        tabular = model.kind not in ("dmn", "text")  # rules and text classifiers have no feature spec (issue 11)
        spec = explain.parse_spec(model.spec) if tabular else None
        result["model"] = dict(model_facts(model),
                               new=not (published and published.model_version_id == model.id),
                               performance=performance_lines(overview.get("performance"), spec, locale) if tabular
                               else _kind_performance(overview, locale),
                               fairness=fairness_tables(model.fairness, locale) if model.fairness else [],
                               fairness_summary=explain.describe_fairness(model.fairness, locale)
                               if model.fairness else [],
                               protected=[f.label.get(locale) for f in spec.features if f.protected] if spec else [])
        if not published or published.model_version_id != model.id:
            earlier = session.get(ModelVersion, published.model_version_id) \
                if published and published.model_version_id else None
            changes.append({"field": "model_version", "label": label("model_version", locale),
                            "before": t("Model version %(version)d", version=earlier.number) if earlier else None,
                            "after": t("Model version %(version)d", version=model.number)})
    return result


def _kind_performance(overview: dict, locale: str) -> list[str]:
    """A text classifier's accuracy on its reference data, or how often a rule set's rules fired."""
    t = translator(locale)
    performance = overview.get("performance")
    if performance:
        return [t("Checked on %(rows)s example cases with a known outcome.", rows=performance["rows"]),
                t("Overall %(percent)s of its outcomes are right.",
                  percent=explain.fmt.number(round(100 * performance["accuracy"]), locale, decimals=0) + "%")]
    if overview.get("rule_counts"):
        return [t("%(count)s of %(rows)s example cases", count=n, rows=overview.get("rows")) + f" — {rule}"
                for rule, n in overview["rule_counts"].items()]
    return []


def token_page(session: Session, user: User) -> dict:
    """The account's API tokens with their state, organisation, expiry and last use."""
    from register.services.accounts import token_state, tokens_of

    names = {o.id: o.name for o in session.exec(select(Organisation))}
    return {"organisations": organisations_for(session, user),
            "tokens": [{"id": t.id, "name": t.name, "prefix": t.prefix, "organisation": names.get(t.organisation_id),
                        "created_at": t.created_at, "last_used_at": t.last_used_at, "expires_at": t.expires_at,
                        "state": token_state(session=session, token=t)} for t in tokens_of(session=session, user=user)]}
