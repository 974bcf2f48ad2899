"""Public pages for residents and anyone looking at the city."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from register.web.public import views  # noqa: E402,F401
