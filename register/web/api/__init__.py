"""JSON API for registrants and department systems (bearer-token authentication)."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from register.web.api import views  # noqa: E402,F401
from register.web.api import documents  # noqa: E402,F401
from register.web.api import sensors  # noqa: E402,F401
from register.web.api import explanations  # noqa: E402,F401
from register.web.api import questions  # noqa: E402,F401
