"""Portal: send entries to the national register; see what the EU AI Act database still needs (#17)."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from register.db import get_session
from register.models import Organisation
from register.services import accounts, eu_database, national_submit
from register.web.common import current_user, fail, locale, login_required
from register.web.portal import bp
from register.web.portal.views import _own_algorithm


@bp.post("/organisations/<int:organisation_id>/publish-national")
@login_required
def publish_national(organisation_id: int):
    """An approver sends the organisation's new, changed and retracted entries to the national register."""
    db, user = get_session(), current_user()
    organisation = db.get(Organisation, organisation_id) or fail(404)
    if not accounts.has_role(session=db, user=user, organisation_id=organisation.id, role="approver"):
        fail(403, _("Only an approver of this organisation may send its entries to the national register."))
    config = current_app.config
    national_id = national_submit.organisation_ids(config.get("NATIONAL_ORGANISATION_IDS", "")).get(organisation.name)
    if not (config.get("NATIONAL_API_URL") and config.get("NATIONAL_API_TOKEN") and national_id):
        return render_template("portal/national_report.html", organisation=organisation, results=None), 503
    client = national_submit.Client(config["NATIONAL_API_URL"], config["NATIONAL_API_TOKEN"], national_id,
                                    locale=locale())
    results = national_submit.publish_national(session=db, organisation=organisation, client=client, locale=locale())
    status = 200 if all(r.ok for r in results) else 502
    return render_template("portal/national_report.html", organisation=organisation, results=results,
                           labels=national_submit.OUTCOME_LABELS), status


@bp.get("/algorithms/<code>/eu-database")
@login_required
def eu_database_page(code: str):
    """The entry's registration data for the EU AI Act database (Annex VIII C) and what is still missing."""
    db, _user, algorithm = _own_algorithm(code)
    if algorithm.public_state not in ("published", "archived"):
        fail(404)
    record = eu_database.registration(db, algorithm, base_url=current_app.config["BASE_URL"], locale=locale())
    return render_template("portal/eu_database.html", algorithm=algorithm, record=record, items=eu_database.ITEMS)


def _approver_organisations() -> list[Organisation]:
    """The organisations the signed-in account approves for (for the button on the portal's home page)."""
    user = current_user()
    if user is None:
        return []
    db = get_session()
    roles = accounts.roles_of(session=db, user=user)
    ids = [org_id for org_id, held in roles.items() if "approver" in held]
    return [db.get(Organisation, org_id) for org_id in sorted(ids)]


@bp.app_context_processor
def _interchange_context() -> dict:
    return {"national_publish_organisations": _approver_organisations}
