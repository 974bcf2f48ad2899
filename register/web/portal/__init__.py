"""Portal for registrants and approvers: sign in, entries, workflow, API tokens."""
from flask import Blueprint

bp = Blueprint("portal", __name__)

from register.web.portal import views  # noqa: E402,F401
from register.web.portal import documents  # noqa: E402,F401
from register.web.portal import sensors  # noqa: E402,F401
from register.web.portal import explanations  # noqa: E402,F401
from register.web.portal import interchange  # noqa: E402,F401
from register.web.portal import participation  # noqa: E402,F401
