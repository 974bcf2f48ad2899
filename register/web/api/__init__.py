"""JSON API for registrants and department systems (bearer-token authentication)."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from register.web.api import views  # noqa: E402,F401
