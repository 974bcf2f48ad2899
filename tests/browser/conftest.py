"""The browser suite: a real server with the demo content, Debian's Chromium driven by Playwright.

Everything the browser tests share lives here, because tests use fixtures and never import a
conftest. The list of public pages every check runs on is ``PAGES`` below: to cover a new page,
add one ``PageSpec`` line (its URL from the demo content, the HTTP status it should answer with,
and the endpoint that must exist for it — until then it is skipped as "page not built yet").

- ``site``: the app served by werkzeug on 127.0.0.1 (a free port) in a thread, with
  ``stadsregister demo`` loaded into a temporary SQLite instance folder.
- ``browser``: one Chromium for the session; skipped with a clear reason when Chromium or
  axe-core is missing (``make test`` then prints a one-line notice as well).
- ``visit``: opens pages in an ordinary context (CSP enforced) that records every CSP violation
  (console messages and ``securitypolicyviolation`` events) and every failed request.
- ``axe``: runs axe-core on a page loaded in a separate context with ``bypass_csp`` (axe is
  injected as a script, which the real CSP rightly refuses); fails on WCAG 2.1 A/AA violations.
- ``person``: a visitor that clicks (``how="mouse"``) or uses only Tab, Enter and Space
  (``how="keyboard"``), checking that every element it reaches with Tab shows visible focus.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("STADSREGISTER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "demo-wachtwoord-2026"
LANGS = ("nl", "en")
LOGIN_LIMIT = 3  # sign-in attempts per minute on the test server, so the limit is quick to reach


def _why_not_runnable() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return (f"Chromium not found at {CHROMIUM}: browser tests not run "
                "(install it with `apt-get install -y chromium`)")
    if not AXE_JS.exists():
        return f"axe-core not found at {AXE_JS.relative_to(ROOT)}: browser tests not run (run `make install`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: browser tests not run (run `make install`)"
    if os.environ.get("STADSREGISTER_TEST_DATABASE_URL"):
        return ("browser suite not run in the PostgreSQL pass: it serves its own SQLite demo database "
                "and runs in the SQLite pass")
    return None


SKIP_REASON = _why_not_runnable()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON is not None:
        terminalreporter.write_line(f"NOTICE: {SKIP_REASON}.", yellow=True, bold=True)


# --------------------------------------------------------------------------------------------
# The pages every check runs on. One line per page; `needs` is the endpoint that must exist.
# --------------------------------------------------------------------------------------------

class NotBuiltYet(Exception):
    """The page's feature (or its demo content) does not exist yet."""


@dataclass(frozen=True)
class PageSpec:
    name: str
    url: Callable[["Site"], str]
    status: int = 200
    needs: str | None = None  # endpoint that must be registered, else "page not built yet"
    account: str | None = None  # sign in as this demo account first
    action: Callable | None = None  # action(page, site) after loading: brings the page into a state


def _submit_login(email: str, password: str, times: int = 1):
    def action(page, site):
        for _ in range(times):
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
    return action


def _rate_limited(page, site):
    _submit_login(f"locked-{uuid.uuid4().hex[:8]}@example.org", "wrong", LOGIN_LIMIT + 1)(page, site)


def _empty_entry_form(page, site):
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _empty_question_form(page, site):
    """Send the question form of a questions page without choosing or writing anything (issue 15)."""
    page.locator("#ask-heading ~ form button[type=submit]").click()
    page.wait_for_load_state()


def _explain_answer(page, site):
    """Fill in the explain form with the first case of the model's reference data and submit it."""
    site.fill_explain_form(page)
    page.locator("main form").last.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _fill_and_explain(values: dict[str, str]):
    """Fill the explain form of another kind of model (issue 11) and submit it."""
    def action(page, site):
        for name, value in values.items():
            field = page.locator(f"main form [name='{name}']")
            kind = field.first.evaluate("(el) => el.tagName.toLowerCase() + ':' + (el.type || '')")
            if kind.startswith("select"):
                field.select_option(value=value)
            elif kind.endswith("radio"):
                page.locator(f"main form [name='{name}'][value='{value}']").check()
            else:
                field.fill(value)
        page.locator("main form").first.locator("button[type=submit]").click()
        page.wait_for_load_state()
    return action


PAGES: list[PageSpec] = [
    PageSpec("start", lambda s: "/"),
    PageSpec("list", lambda s: "/algorithms"),
    PageSpec("list-search-filtered", lambda s: "/algorithms?q=parkeren&organisation=Gemeente+Amsterdam"),
    PageSpec("list-nothing-found", lambda s: "/algorithms?q=zzzzqqq"),
    PageSpec("detail", lambda s: f"/algorithms/{s.code('AMS-PARK-001')}"),
    PageSpec("detail-archived", lambda s: f"/algorithms/{s.code('AMS-BIJ-001')}"),
    PageSpec("history", lambda s: f"/algorithms/{s.code('AMS-PARK-001')}/history"),
    PageSpec("error-410-retracted", lambda s: f"/algorithms/{s.code('AMS-RIO-002')}", status=410),
    PageSpec("error-404", lambda s: "/algorithms/A-ZZZZ", status=404),
    PageSpec("error-404-unknown-path", lambda s: "/no/such/page", status=404),
    PageSpec("portal-sign-in", lambda s: "/portal/login"),
    PageSpec("portal-sign-in-failed", lambda s: "/portal/login", status=401,
             action=_submit_login("registrant@amsterdam.example", "wrong password")),
    PageSpec("portal-sign-in-rate-limited", lambda s: "/portal/login", status=429, action=_rate_limited),
    PageSpec("portal-home", lambda s: "/portal/", account="registrant@amsterdam.example"),
    PageSpec("portal-new-entry", lambda s: "/portal/algorithms/new", account="registrant@amsterdam.example"),
    PageSpec("portal-new-entry-errors", lambda s: "/portal/algorithms/new", status=422,
             account="registrant@amsterdam.example", action=_empty_entry_form),
    PageSpec("portal-entry-to-approve", lambda s: f"/portal/algorithms/{s.code('AMS-WOZ-001')}",
             account="approver@amsterdam.example"),
    PageSpec("portal-tokens", lambda s: "/portal/tokens", account="registrant@amsterdam.example"),
    PageSpec("portal-tokens-errors", lambda s: "/portal/tokens", status=422, account="registrant@amsterdam.example",
             action=_empty_entry_form),
    PageSpec("portal-sensor-messages", lambda s: "/portal/sensors/messages", account="registrant@amsterdam.example",
             needs="portal.sensor_messages"),
    # Explanations (issue 5)
    PageSpec("how-it-works", lambda s: f"/algorithms/{s.model_code()}/how-it-works",
             needs="public.how_it_works_page"),
    PageSpec("explain-form", lambda s: f"/algorithms/{s.model_code()}/explain", needs="public.explain_page"),
    PageSpec("explain-answer", lambda s: f"/algorithms/{s.model_code()}/explain", needs="public.explain_page",
             action=_explain_answer),
    PageSpec("receipt", lambda s: f"/d/{s.receipt_token()}", needs="public.receipt"),
    # Every kind of decision (issue 11): DMN rules, a text classifier, a LightGBM model
    PageSpec("how-it-works-rules", lambda s: f"/algorithms/{s.code('AMS-PARK-001')}/how-it-works",
             needs="public.how_it_works_page"),
    PageSpec("explain-answer-rules", lambda s: f"/algorithms/{s.code('AMS-PARK-001')}/explain",
             needs="public.explain_page", action=_fill_and_explain(
                 {"parkeerrecht": "nee", "minuten_na_einde": "40", "uitzondering": "geen", "zone": "Centrum"})),
    PageSpec("how-it-works-text", lambda s: f"/algorithms/{s.code('AMS-SIG-001')}/how-it-works",
             needs="public.how_it_works_page"),
    PageSpec("explain-answer-text", lambda s: f"/algorithms/{s.code('AMS-SIG-001')}/explain",
             needs="public.explain_page", action=_fill_and_explain(
                 {"melding": "Er ligt al dagen een berg vuilniszakken naast de container; ook is een lantaarnpaal kapot."})),
    PageSpec("explain-answer-lightgbm", lambda s: f"/algorithms/{s.code('GGD-KO-001')}/explain",
             needs="public.explain_page", action=_fill_and_explain(
                 {"soort_opvang": "dagopvang", "kindplaatsen": "60", "tekortkomingen_vorige": "4", "klachten_12m": "3",
                  "personeelsverloop": "40", "maanden_sinds_inspectie": "20", "nieuwe_houder": "ja"})),
    # Registering (issue 10)
    PageSpec("help-feature-spec", lambda s: "/help/feature-spec", needs="public.feature_spec_help_page"),
    # Documents (issue 3)
    PageSpec("document", lambda s: f"/documents/{s.document_sha()}", needs="public.document"),
    # Sensors (issue 6)
    PageSpec("sensor-map", lambda s: "/sensors", needs="public.sensor_map"),
    PageSpec("sensor-list", lambda s: "/sensors/list", needs="public.sensor_list"),
    PageSpec("sensor-list-filtered", lambda s: "/sensors/list?sensor_type=camera&personal_data=true",
             needs="public.sensor_list"),
    PageSpec("sensor-map-filtered", lambda s: "/sensors?sensor_type=camera&personal_data=true",
             needs="public.sensor_map"),
    PageSpec("sensor-detail", lambda s: f"/sensors/{s.sensor_id()}", needs="public.sensor_detail"),
    PageSpec("sensor-contact", lambda s: f"/sensors/{s.sensor_id()}/contact", needs="public.sensor_contact"),
    PageSpec("sensor-report", lambda s: "/sensors/report", needs="public.sensor_report"),
    # Participation, lock-in index, costs (issue 15)
    PageSpec("questions", lambda s: f"/algorithms/{s.code('AMS-BIJ-001')}/questions", needs="public.questions_page"),
    PageSpec("questions-late", lambda s: f"/algorithms/{s.code('AMS-PARK-001')}/questions",
             needs="public.questions_page"),
    PageSpec("questions-errors", lambda s: f"/algorithms/{s.code('AMS-PARK-001')}/questions", status=422,
             needs="public.questions_page", action=_empty_question_form),
    PageSpec("lock-in-index", lambda s: "/lock-in-index", needs="public.lockin_index"),
    PageSpec("lock-in-index-provisional", lambda s: f"/lock-in-index?year={date.today().year}",
             needs="public.lockin_index"),
    PageSpec("lock-in-method", lambda s: "/lock-in-index/method", needs="public.lockin_method"),
    PageSpec("costs", lambda s: "/costs", needs="public.costs_overview"),
    PageSpec("portal-questions", lambda s: "/portal/questions", needs="portal.questions",
             account="registrant@amsterdam.example"),
    PageSpec("portal-advice", lambda s: f"/portal/algorithms/{s.code('AMS-BIJ-001')}/advice", needs="portal.advice",
             account="approver@amsterdam.example"),
    # The resident's way from a letter, on any phone (issue 13)
    PageSpec("detail-with-model", lambda s: f"/algorithms/{s.model_code()}"),
    PageSpec("history-with-model", lambda s: f"/algorithms/{s.model_code()}/history"),
    PageSpec("label", lambda s: f"/algorithms/{s.model_code()}/label", needs="public.label_page"),
    PageSpec("receipt-reference", lambda s: "/explanation-reference?ref=D-64ME-QSHS", needs="public.receipt_reference"),
    PageSpec("about", lambda s: "/about", needs="public.about_page"),
    PageSpec("organisation", lambda s: "/organisations/gemeente-amsterdam", needs="public.organisation_page"),
]


def pytest_generate_tests(metafunc):
    """Tests asking for ``page_spec`` run once per page; with ``lang`` also once per language."""
    if "page_spec" in metafunc.fixturenames:
        metafunc.parametrize("page_spec", PAGES, ids=[p.name for p in PAGES])
    if "lang" in metafunc.fixturenames:
        metafunc.parametrize("lang", LANGS)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

@dataclass
class Site:
    base_url: str
    app: object
    endpoints: set[str]
    demo_failures: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def has(self, endpoint: str) -> bool:
        return endpoint in self.endpoints

    def _session(self):
        from sqlmodel import Session

        return Session(self.app.extensions["stadsregister.engine"], expire_on_commit=False)

    def code(self, source_id: str) -> str:
        from sqlmodel import select

        from register.models import Algorithm

        with self._session() as s:
            return s.exec(select(Algorithm.code).where(Algorithm.source_id == source_id)).one()

    def woz_case(self) -> dict[str, str]:
        import csv

        spec = json.loads((ROOT / "sample_models/artefacts/woz/spec.json").read_text(encoding="utf-8"))
        with open(ROOT / "sample_models/artefacts/woz/reference.csv", encoding="utf-8") as handle:
            row = next(csv.DictReader(handle))
        return {f["name"]: row[f["name"]] for f in spec["features"]}

    def fill_explain_form(self, page, person=None) -> None:
        """Fill the explain form with the WOZ case (through ``person`` when given: mouse or keyboard)."""
        for name, value in self.woz_case().items():
            field = page.locator(f"main form [name='{name}']")
            kind = field.first.evaluate("(el) => el.tagName.toLowerCase() + ':' + (el.type || '')")
            if kind.startswith("select"):
                if person and person.keyboard:
                    label = field.evaluate("(el, v) => Array.from(el.options).find(o => o.value === v).text.trim()", value)
                    person.choose(field, label)
                else:
                    field.select_option(value=value)
            elif kind.endswith(("radio", "checkbox")):
                if field.count() == 2 and value in ("0", "1", "True", "False", "true", "false"):  # yes/no
                    value = "ja" if value in ("1", "True", "true") else "nee"
                option = page.locator(f"main form [name='{name}'][value='{value}']")
                person.check(option) if person else option.check()
            else:
                person.fill(field, value) if person else field.fill(value)

    def forget_sign_ins(self, email: str) -> None:
        """Set-up sign-ins do not count towards the rate limit (which has its own test)."""
        from register.web.ratelimit import EXTENSION

        self.app.extensions[EXTENSION].reset()  # this test app's own store: the account's and the address's counts

    def _get_json(self, path: str):
        client = self.app.test_client()
        response = client.get(path)
        if response.status_code != 200:
            raise NotBuiltYet(f"{path} answered {response.status_code}")
        return response.get_json()

    # The helpers below find demo content of the rooms still being built; each raises
    # NotBuiltYet until that room's demo content exists.
    def model_code(self) -> str:
        """The code of the demo algorithm with a published model (the WOZ valuation)."""
        return self.code("AMS-WOZ-001")

    def receipt_token(self) -> str:
        """A decision receipt for the first case of the WOZ model's reference data, made as a
        department's system would (the register stores only the token's hash, so make one)."""
        if "receipt" not in self.__dict__:
            import csv

            from register.services import decisions
            from register.models import Algorithm
            from sqlmodel import select

            spec = json.loads((ROOT / "sample_models/artefacts/woz/spec.json").read_text(encoding="utf-8"))
            names = [f["name"] for f in spec["features"]]
            with open(ROOT / "sample_models/artefacts/woz/reference.csv", encoding="utf-8") as handle:
                row = next(csv.DictReader(handle))
            inputs = {name: row[name] for name in names}
            try:
                with self.app.app_context(), self._session() as s:
                    algorithm = s.exec(select(Algorithm).where(Algorithm.source_id == "AMS-WOZ-001")).one()
                    token, _receipt = decisions.create_receipt(
                        session=s, algorithm=algorithm, inputs=inputs, case_ref="BROWSER-1",
                        secret=self.app.config["SECRET_KEY"], data_dir=self.app.config["DATA_DIR"])
                    s.commit()
            except Exception as error:  # noqa: BLE001 - shown as the skip reason
                raise NotBuiltYet(f"could not make a demo receipt: {error!r}") from error
            self.__dict__["receipt"] = token
        return self.__dict__["receipt"]

    def document_sha(self) -> str:
        """A published demo assessment (a DPIA of the demo content)."""
        page = self._get_json(f"/algorithms/{self.code('AMS-PARK-001')}.json")
        shas = re.findall(r"/documents/([0-9a-f]{64})", json.dumps(page))
        if not shas:
            raise NotBuiltYet("no published demo document")
        return shas[0]

    def sensor_id(self, query: str = "sensor_type=camera&personal_data=true") -> str:
        """A demo sensor (by default a camera that processes personal data)."""
        items = self._get_json(f"/sensors/list.json?{query}")["items"]
        if not items:
            raise NotBuiltYet("no demo sensor")
        return str(items[0]["id"])


def _load_demo(app) -> dict[str, str]:
    """What ``stadsregister demo`` does, loader by loader: one room's broken demo content fails
    ``test_demo_content_loads`` instead of every browser test."""
    from sqlmodel import Session

    from register import db
    from register.services.demo import DEMO_LOADERS

    db.upgrade(app.config["DATABASE_URL"])
    failures = {}
    for loader in DEMO_LOADERS:
        with app.app_context(), Session(app.extensions["stadsregister.engine"], expire_on_commit=False) as session:
            try:
                loader(session)
            except Exception as error:  # noqa: BLE001 - reported by test_demo_content_loads
                session.rollback()
                failures[f"{loader.__module__}.{loader.__name__}"] = repr(error)
    return failures


def _free_server(app):
    from werkzeug.serving import make_server

    return make_server("127.0.0.1", 0, app, threaded=True)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The register served on 127.0.0.1 with the demo content in a temporary instance folder."""
    from register import create_app

    instance = tmp_path_factory.mktemp("browser-instance")
    app = create_app({"ENV": "testing", "SECRET_KEY": "browser-secret-" + "x" * 24,
                      "DATABASE_URL": f"sqlite:///{instance / 'stadsregister.sqlite'}",
                      "DATA_DIR": str(instance / "data"), "LOGIN_ATTEMPTS_PER_MINUTE": LOGIN_LIMIT})
    demo_failures = _load_demo(app)
    server = _free_server(app)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, name="browser-suite-server", daemon=True)
    thread.start()
    yield Site(base_url=base, app=app, endpoints={r.endpoint for r in app.url_map.iter_rules()},
               demo_failures=demo_failures)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["stadsregister.engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# --------------------------------------------------------------------------------------------
# Visiting pages: CSP violations and failed requests are collected for every page
# --------------------------------------------------------------------------------------------

CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__stadsregisterCsp && window.__stadsregisterCsp(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${document.location.pathname} ` +
    `(${e.sourceFile || ''}:${e.lineNumber || ''}) ${e.sample || ''}`);
}, true);
"""


@dataclass
class Watch:
    """What went wrong while a context was open."""
    csp: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def assert_clean(self, where: str = "") -> None:
        assert not self.csp, f"CSP violations {where}:\n" + "\n".join(self.csp)
        assert not self.failed, f"failed requests {where}:\n" + "\n".join(self.failed)
        assert not self.console_errors, f"console errors {where}:\n" + "\n".join(self.console_errors)


def _is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


def new_context(browser, site: Site, *, lang: str = "nl", bypass_csp: bool = False):
    context = browser.new_context(base_url=site.base_url, bypass_csp=bypass_csp, locale="nl-NL",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    watch = Watch()
    context.stadsregister_watch = watch
    context.expose_function("__stadsregisterCsp", lambda text: watch.csp.append(text))
    context.add_init_script(CSP_LISTENER)

    def on_console(message):
        if _is_csp_message(message.text):
            watch.csp.append("console: " + message.text)
        elif message.type == "error" and "status of 4" not in message.text:  # expected 4xx pages
            watch.console_errors.append(message.text)

    def on_page(page):
        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.console_errors.append(f"page error: {error}"))
        # Aborted requests are normal (a map cancels the fetch for a view it has left).
        page.on("requestfailed", lambda request: watch.failed.append(f"{request.url}: {request.failure}")
                if "ERR_ABORTED" not in (request.failure or "") else None)
        # A page's own resources (styles, scripts, data) must load; the page itself may be a 4xx.
        page.on("response", lambda response: watch.failed.append(f"{response.url}: HTTP {response.status}")
                if response.status >= 400 and not response.request.is_navigation_request() else None)

    context.on("page", on_page)
    # The language is remembered in a cookie, as it is for a person who chose it once.
    context.add_cookies([{"name": "lang", "value": lang, "url": site.base_url}])
    return context


def sign_in(page, email: str, password: str = DEMO_PASSWORD, *, site: Site) -> None:
    """Sign in through the form. Set-up sign-ins do not count towards the rate limit, which has
    its own tests; the limiter forgets this account's earlier attempts first."""
    site.forget_sign_ins(email)
    page.goto("/portal/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/portal/login" not in page.url, f"sign-in as {email} failed"


def open_spec(context, site: Site, spec: PageSpec, lang: str):
    """Open ``spec`` in ``context`` in ``lang``; returns (page, status of the last document)."""
    if spec.needs and not site.has(spec.needs):
        pytest.skip(f"page not built yet ({spec.needs} does not exist)")
    try:
        path = spec.url(site)
    except NotBuiltYet as why:
        pytest.skip(f"page not built yet ({why})")
    page = context.new_page()
    if spec.account:
        sign_in(page, spec.account, site=site)
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{path}{separator}lang={lang}")
    status = response.status if response else None
    if spec.action:
        statuses = []
        page.on("response", lambda r: statuses.append(r.status)
                if r.request.is_navigation_request() and r.request.frame == page.main_frame else None)
        spec.action(page, site)
        status = statuses[-1] if statuses else status
    return page, status


@pytest.fixture
def visit(browser, site):
    """``visit(spec, lang)`` → (page, status, watch) in a context that enforces the real CSP."""
    contexts = []

    def _visit(spec: PageSpec, lang: str):
        context = new_context(browser, site, lang=lang)
        contexts.append(context)
        page, status = open_spec(context, site, spec, lang)
        return page, status, context.stadsregister_watch

    yield _visit
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------------------------

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, tags: v.tags,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: n.failureSummary}))}));
}"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}: {node['html']}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe(browser, site, axe_source):
    """``axe(spec, lang)`` → list of WCAG 2.1 A/AA violations on that page (axe in a bypass-CSP context)."""
    contexts = []

    def _axe(spec: PageSpec, lang: str) -> list[dict]:
        context = new_context(browser, site, lang=lang, bypass_csp=True)
        contexts.append(context)
        page, _status = open_spec(context, site, spec, lang)
        return run_axe(page, axe_source)

    yield _axe
    for context in contexts:
        context.close()


def run_axe(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(AXE_RUN, AXE_TAGS)


# --------------------------------------------------------------------------------------------
# Checks axe cannot do, shared by the page tests and the journeys
# --------------------------------------------------------------------------------------------

FOCUS_STYLE = """(el) => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {visible: outline || !!shadow, outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
          shadow: s.boxShadow};
}"""

ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
          id: el.id, name: el.getAttribute('name'), visibleBox: r.width > 0 && r.height > 0};
}"""

HEADINGS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]'))
  .filter(h => !h.closest('[hidden], [aria-hidden=true]') && getComputedStyle(h).display !== 'none')
  .map(h => ({level: h.getAttribute('aria-level') ? Number(h.getAttribute('aria-level')) : Number(h.tagName[1]),
              text: h.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60)}))"""


def heading_problems(page) -> list[str]:
    """Headings start with one h1 and never skip a level going down."""
    headings = page.evaluate(HEADINGS)
    problems = []
    if not headings or headings[0]["level"] != 1:
        problems.append(f"the first heading is not an h1: {headings[:1]}")
    if sum(1 for h in headings if h["level"] == 1) != 1:
        problems.append("there is not exactly one h1: " + ", ".join(h["text"] for h in headings if h["level"] == 1))
    previous = 0
    for h in headings:
        if h["level"] > previous + 1:
            problems.append(f"h{h['level']} '{h['text']}' follows h{previous}")
        previous = h["level"]
    return problems


SIDEWAYS = """() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const textSticksOut = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'
      && r.left + el.scrollWidth > limit + 1;  // a long word running out of its box
    if (r.width === 0 || (r.right <= limit + 1 && !textSticksOut)) continue;
    if (el.closest('.chart, .table-scroll, .leaflet-container, .visually-hidden, .skip-link')) continue;
    culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : ''} (right edge ${Math.round(r.right)} px)`);
  }
  return {scrollWidth: root.scrollWidth, clientWidth: limit, culprits: culprits.slice(-6)};
}"""


def sideways(page) -> dict:
    """How wide the page is against the window, and the elements sticking out furthest (issue 13).
    Content that scrolls in its own box (wide tables, charts, the map) does not count."""
    return page.evaluate(SIDEWAYS)


def focus_is_visible(page) -> dict:
    return page.evaluate(f"() => ({FOCUS_STYLE})(document.activeElement)")


def active_element(page) -> dict | None:
    return page.evaluate(ACTIVE)


# --------------------------------------------------------------------------------------------
# A person going through a journey, with the mouse or with the keyboard alone
# --------------------------------------------------------------------------------------------

class Person:
    """Does what a person does. With ``how="keyboard"`` it reaches every control with Tab and uses
    it with Enter, Space or typing; every element focused on the way must show visible focus."""

    MAX_TABS = 400

    def __init__(self, page, how: str, shots: Path):
        self.page, self.how, self.shots, self.step = page, how, shots, 0
        self.tab_stops = 0
        shots.mkdir(parents=True, exist_ok=True)
        for old in shots.glob("*.png"):
            old.unlink()

    @property
    def keyboard(self) -> bool:
        return self.how == "keyboard"

    def screenshot(self, name: str) -> Path:
        self.step += 1
        path = self.shots / f"{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def goto(self, path: str):
        return self.page.goto(path)

    def tab_to(self, locator) -> None:
        """Press Tab until ``locator`` has focus (every stop on the way must show focus)."""
        locator.wait_for(state="attached")
        handle = locator.element_handle()
        for _ in range(self.MAX_TABS):
            self.page.keyboard.press("Tab")
            self.tab_stops += 1
            active = active_element(self.page)
            if active is None:
                continue
            style = focus_is_visible(self.page)
            assert style["visible"] or not active["visibleBox"], \
                f"focus is not visible on {active} at {self.page.url}: {style}"
            if self.page.evaluate("(el) => el === document.activeElement", handle):
                return
        raise AssertionError(f"could not reach {locator} with Tab on {self.page.url}")

    def activate(self, locator, *, navigates: bool = True) -> None:
        """Follow a link or press a button."""
        if self.keyboard:
            self.tab_to(locator)
            if navigates:
                with self.page.expect_navigation():
                    self.page.keyboard.press("Enter")
            else:
                self.page.keyboard.press("Enter")
        else:
            if navigates:
                with self.page.expect_navigation():
                    locator.click()
            else:
                locator.click()
        self.page.wait_for_load_state()

    def fill(self, locator, text: str) -> None:
        if self.keyboard:
            self.tab_to(locator)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.insert_text(text)
        else:
            locator.fill(text)

    def check(self, locator) -> None:
        """Tick a checkbox or choose a radio button."""
        if self.keyboard and locator.get_attribute("type") == "radio":
            # Tab reaches a radio group once (its checked or first button); arrows choose within it.
            name = locator.get_attribute("name")
            self.tab_to(self.page.locator(f"input[type=radio][name='{name}']:checked, "
                                          f"input[type=radio][name='{name}']").first
                        if self.page.locator(f"input[type=radio][name='{name}']:checked").count() == 0
                        else self.page.locator(f"input[type=radio][name='{name}']:checked"))
            for _ in range(10):
                if locator.is_checked():
                    break
                self.page.keyboard.press("ArrowDown")
            assert locator.is_checked(), f"the arrow keys did not choose {locator}"
        elif self.keyboard:
            self.tab_to(locator)
            if not locator.is_checked():
                self.page.keyboard.press("Space")
            assert locator.is_checked(), f"Space did not check {locator}"
        else:
            locator.check()

    def choose(self, select, label: str, typed: str | None = None) -> None:
        """Choose the option of a select box whose text starts with ``label`` (by keyboard: type
        ``typed`` or the label, as a person types the first letters of an option)."""
        texts = select.evaluate("(el) => Array.from(el.options).map(o => o.text.trim())")
        target = next((t for t in texts if t.startswith(label)), None)
        assert target, f"no option {label!r} in {texts}"
        if self.keyboard:
            self.tab_to(select)
            self.page.keyboard.type(typed or label, delay=30)
            chosen = select.evaluate("(el) => el.options[el.selectedIndex].text.trim()")
            assert chosen == target, f"typing {typed or label!r} chose {chosen!r}"
        else:
            select.select_option(label=target)

    def submit_search(self, field, text: str) -> None:
        self.fill(field, text)
        if self.keyboard:
            with self.page.expect_navigation():
                self.page.keyboard.press("Enter")
        else:
            with self.page.expect_navigation():
                field.locator("xpath=ancestor::form").locator("button[type=submit]").click()
        self.page.wait_for_load_state()


@pytest.fixture
def person_factory(browser, site):
    """``person_factory(journey, how, lang="nl")`` → a Person in a CSP-enforcing context."""
    contexts = []

    def make(journey: str, how: str, lang: str = "nl") -> Person:
        context = new_context(browser, site, lang=lang)
        contexts.append(context)
        page = context.new_page()
        person = Person(page, how, ARTIFACTS / f"journey-{journey}-{how}")
        person.watch = context.stadsregister_watch
        return person

    yield make
    for context in contexts:
        context.close()


def pytest_configure(config):
    ARTIFACTS.mkdir(exist_ok=True)



class Checks:
    """The helpers above, for test modules (which use fixtures and never import conftest)."""
    heading_problems = staticmethod(heading_problems)
    focus_is_visible = staticmethod(focus_is_visible)
    active_element = staticmethod(active_element)
    format_violations = staticmethod(format_violations)
    sideways = staticmethod(sideways)
    PageSpec = PageSpec
    PAGES = PAGES
    ARTIFACTS = ARTIFACTS
    LOGIN_LIMIT = LOGIN_LIMIT
    DEMO_PASSWORD = DEMO_PASSWORD


@pytest.fixture(scope="session")
def checks() -> type[Checks]:
    return Checks


@pytest.fixture
def sign_in_as(site):
    """``sign_in_as(page, email)``: sign in through the form (set-up, not counted by the limiter)."""
    return lambda page, email, password=DEMO_PASSWORD: sign_in(page, email, password, site=site)


@pytest.fixture
def context_factory(browser, site):
    """``context_factory(lang="nl", bypass_csp=False)`` → a browser context closed after the test."""
    contexts = []

    def make(lang: str = "nl", bypass_csp: bool = False):
        context = new_context(browser, site, lang=lang, bypass_csp=bypass_csp)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
