"""Portal for registrants and approvers: sign in, entries, workflow, API tokens."""
from flask import Blueprint

bp = Blueprint("portal", __name__)

from register.web.portal import views  # noqa: E402,F401
