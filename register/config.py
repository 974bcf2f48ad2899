"""Settings, read from ``STADSREGISTER_*`` environment variables and the instance folder.

Precedence (lowest first): defaults below, ``instance/config.py``, environment variables,
the ``config`` mapping given to :func:`register.create_app`.
"""
from __future__ import annotations

import os
from pathlib import Path

PREFIX = "STADSREGISTER_"

# Values that must never protect a real deployment.
PLACEHOLDER_SECRETS = {"", "dev", "changeme", "change-me", "secret", "development-only-secret"}

DEFAULTS: dict[str, object] = {
    "ENV": "production",  # production | development | testing
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "DATA_DIR": None,  # None: <instance>/data
    "PAGE_SIZE": 20,
    "BASE_URL": "http://127.0.0.1:5000",
    "MAX_UPLOAD_MB": 25,
    "LOGIN_ATTEMPTS_PER_MINUTE": 10,  # failed sign-ins per account, from anywhere
    "LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE": 30,  # failed sign-ins per client address, any account
    "REDIS_URL": "",  # e.g. redis://127.0.0.1:6379/0: sign-in limits shared by all workers; empty: per process
    "TRUSTED_PROXIES": 0,  # proxies in front that set X-Forwarded-For (the client address for limits)
    "ALLOWED_HOSTS": "",  # host names answered besides BASE_URL's (comma-separated), in production
    # Sensor map background: None = PDOK's BRT-Achtergrondkaart (not in testing); "" = the shipped
    # offline layer of districts and water; or any {z}/{x}/{y} tile URL.
    "MAP_TILES_URL": None,
    "MAP_TILES_ATTRIBUTION": None,  # None: PDOK's attribution with PDOK's tiles
    # Address search: None = PDOK's Locatieserver (not in testing); "" = district and
    # neighbourhood names only (offline); or another Locatieserver v3.1 base URL.
    "GEOCODER_URL": None,
    # E-mail to sensor owners about residents' messages; no host: no e-mail (the portal still shows them).
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_SECURITY": "",  # "", "starttls" or "ssl"
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_FROM": "",
    "SENSOR_BOUNDARY_FILE": "",  # GeoJSON of the city boundary sensors must lie in; empty: Amsterdam (shipped)
    # The national algorithm register's submission API (issue #17): base URL …/aanleverapi/v1_0, token,
    # and each organisation's id there ("Gemeente Amsterdam=gm0363; …").
    "NATIONAL_API_URL": "",
    "NATIONAL_API_TOKEN": "",
    "NATIONAL_ORGANISATION_IDS": "",
    "CATALOG_PUBLISHER": "",  # publisher of /catalog.ttl; empty: the register's first municipality
    "ANSWER_DAYS": 10,  # working days within which residents' questions are answered publicly
    "CONTRIBUTIONS_PER_HOUR": 5,  # questions and flags per client address per hour (in the limiter's store only)
    # Caches (issue 16): the longest a request waits for a rebuilt list index before the old copy
    # answers, and how often each worker looks for changes to bring its caches up to date.
    "CACHE_WAIT_SECONDS": 1,
    "CACHE_REFRESH_SECONDS": 5,
    # Public pages kept per worker for anonymous visitors, keyed on the content generation
    # (register/web/pagecache.py): memory per worker (None: 32 MB in production, else 0; 0 = off), the
    # longest an answer is kept, and the largest answer kept.
    "PAGE_CACHE_MB": None,
    "PAGE_CACHE_SECONDS": 60,
    "PAGE_CACHE_MAX_KB": 512,
}

# Settings whose environment values are integers.
INT_SETTINGS = {"PAGE_SIZE", "MAX_UPLOAD_MB", "LOGIN_ATTEMPTS_PER_MINUTE", "LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE",
                "TRUSTED_PROXIES", "ANSWER_DAYS", "CONTRIBUTIONS_PER_HOUR", "SMTP_PORT",
                "CACHE_WAIT_SECONDS", "CACHE_REFRESH_SECONDS", "PAGE_CACHE_MB", "PAGE_CACHE_SECONDS",
                "PAGE_CACHE_MAX_KB"}

PDOK_TILES_URL = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
PDOK_TILES_ATTRIBUTION = ('Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a> '
                          '(BRT-Achtergrondkaart, <a href="https://www.pdok.nl">PDOK</a>)')
PDOK_GEOCODER_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"


class ConfigError(RuntimeError):
    """Raised when the app is started with settings that are unsafe or inconsistent."""


def from_environment(environ: os._Environ | dict[str, str] | None = None) -> dict[str, object]:
    """Return the settings given as ``STADSREGISTER_<NAME>`` environment variables."""
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for key, value in environ.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX):]
        found[name] = int(value) if name in INT_SETTINGS else value
    return found


def finalise(settings: dict, instance_path: str) -> dict:
    """Fill in derived defaults and refuse unsafe combinations."""
    env = settings.get("ENV") or "production"
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"STADSREGISTER_ENV must be production, development or testing, not {env!r}")
    secret = settings.get("SECRET_KEY")
    if env == "production" and (secret is None or str(secret).strip().lower() in PLACEHOLDER_SECRETS):
        raise ConfigError(
            "STADSREGISTER_SECRET_KEY is not set or is a placeholder. Set a long random value, "
            "for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if not secret:
        settings["SECRET_KEY"] = "development-only-secret"
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "stadsregister.sqlite")
    if not settings.get("DATA_DIR"):
        settings["DATA_DIR"] = str(Path(instance_path) / "data")
    settings["MAX_CONTENT_LENGTH"] = int(settings["MAX_UPLOAD_MB"]) * 1024 * 1024 + 1024 * 1024
    settings["TESTING"] = env == "testing"
    if settings.get("PAGE_CACHE_MB") is None:
        settings["PAGE_CACHE_MB"] = 32 if env == "production" else 0  # development shows template edits at once
    online = env != "testing"  # tests and offline demos never reach PDOK unless told to (issue 14)
    if settings.get("MAP_TILES_URL") is None:
        settings["MAP_TILES_URL"] = PDOK_TILES_URL if online else ""
    if settings.get("MAP_TILES_ATTRIBUTION") is None:
        settings["MAP_TILES_ATTRIBUTION"] = PDOK_TILES_ATTRIBUTION if settings["MAP_TILES_URL"] == PDOK_TILES_URL \
            else ""
    if settings.get("GEOCODER_URL") is None:
        settings["GEOCODER_URL"] = PDOK_GEOCODER_URL if online else ""
    # Session cookie: HttpOnly and SameSite=Lax always; Secure when served over HTTPS.
    secure = settings.get("SESSION_COOKIE_SECURE")
    if isinstance(secure, str):
        secure = secure.strip().lower() in {"1", "true", "yes", "on"}
    settings["SESSION_COOKIE_SECURE"] = (str(settings.get("BASE_URL") or "").startswith("https://")
                                         if secure is None else bool(secure))
    settings.setdefault("SESSION_COOKIE_HTTPONLY", True)
    settings.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    return settings
