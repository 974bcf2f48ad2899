"""Public pages for residents and anyone looking at the city."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from register.web.public import views  # noqa: E402,F401
from register.web.public import documents  # noqa: E402,F401
from register.web.public import sensors  # noqa: E402,F401
from register.web.public import explanations  # noqa: E402,F401
from register.web.public import catalog  # noqa: E402,F401
from register.web.public import participation  # noqa: E402,F401
from register.web.public import lockin  # noqa: E402,F401
