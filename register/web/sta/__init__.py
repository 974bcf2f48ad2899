"""Read-only OGC SensorThings API v1.1 view of the sensor register at /sta/v1.1/."""
from flask import Blueprint

bp = Blueprint("sta", __name__)

from register.web.sta import views  # noqa: E402,F401
