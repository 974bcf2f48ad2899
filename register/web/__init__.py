"""Web layer: one blueprint per audience, plus what every response shares."""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from register.i18n import DEFAULT_LOCALE, LOCALES, TRANSLATIONS_DIR, compile_catalogues

babel = Babel()
csrf = CSRFProtect()
LANG_COOKIE = "lang"


def select_locale() -> str:
    """``?lang=`` wins (and is remembered), then the cookie, then Dutch."""
    asked = request.args.get("lang")
    if asked in LOCALES:
        g.remember_lang = asked
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LOCALES else DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    compile_catalogues()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)

    from register.web import common
    from register.web.api import bp as api_bp
    from register.web.portal import bp as portal_bp
    from register.web.public import bp as public_bp

    common.init_app(app)
    from register.web import assets

    assets.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    from register.web.sta import bp as sta_bp

    app.register_blueprint(sta_bp, url_prefix="/sta/v1.1")
    from register.web import hosts, ratelimit

    hosts.init_app(app)  # links name STADSREGISTER_BASE_URL only (issue 12)
    ratelimit.init_app(app)  # sign-in limits shared by all workers (issue 12)
    from register.web import warm

    warm.init_app(app)  # caches built before serving, kept current per worker (issue 16)
    app.register_blueprint(sta_bp, url_prefix="/sta/v1.0", name="sta_v10")  # clients that still ask v1.0
    from register.web import pagecache

    pagecache.init_app(app)  # last: anonymous public pages kept per content generation (issue 16)
