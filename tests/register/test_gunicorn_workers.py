"""Two real gunicorn workers answer as one register (issue 16, "Shared state is shared").

The app is served as the README's production section says (``-c python:register.gunicorn_conf``,
so with ``preload_app`` and caches warmed in the master) with two workers, on an SQLite file (or
on PostgreSQL in the PostgreSQL pass). A
change made through a request answered by one worker must show in what every worker answers
afterwards: the list and its search, the entry's page, the sensor map and explanations; sign-in
limits (in Redis) and sessions hold across workers. Each answer names the worker that gave it (a
header added by this test's WSGI wrapper only), so the test knows both took part.
"""
from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
import requests

from register.services import accounts
from register.services.model_versions import register_model

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "sample_models" / "artefacts"
REDIS_URL = os.environ.get("STADSREGISTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")  # its own database
WOZ_CASE = {"wijk": "centrum", "woningtype": "appartement", "woonoppervlak": "120", "perceeloppervlak": "0",
            "bouwjaar": "1930", "energielabel": "C", "onderhoudsstaat": "goed", "parkeerplaats": "nee"}
END = (date.today() + timedelta(days=400)).isoformat()
WRAPPER = '''
import os
from register import create_app

app = create_app()
_inner = app.wsgi_app


def _named(environ, start_response):
    if environ["PATH_INFO"] == "/__test_hold":  # keeps this worker busy, so the next request goes to the other
        import time
        time.sleep(1.5)
        start_response("204 No Content", [("X-Test-Worker", str(os.getpid()))])
        return [b""]

    def start(status, headers, exc_info=None):
        return start_response(status, headers + [("X-Test-Worker", str(os.getpid()))], exc_info)
    return _inner(environ, start)


app.wsgi_app = _named
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """The served register; every answer is a fresh connection (gunicorn's sync workers close them)."""

    def __init__(self, base: str):
        self.base = base
        self.workers: set[str] = set()

    def call(self, method: str, path: str, session: requests.Session | None = None, **kwargs) -> requests.Response:
        response = (session or requests).request(method, self.base + path, allow_redirects=False, timeout=120,
                                                 headers={"Connection": "close", **kwargs.pop("headers", {})},
                                                 **kwargs)
        self.workers.add(response.headers.get("X-Test-Worker"))
        return response

    def call_beside_busy(self, method: str, path: str, **kwargs) -> requests.Response:
        """The request while one worker is kept busy. The kernel may hand every connection to the
        worker that is back at accept() first; with that one busy, the request goes to the other."""
        hold = threading.Thread(target=self.call, args=("GET", "/__test_hold"))
        hold.start()
        time.sleep(0.3)
        try:
            return self.call(method, path, **kwargs)
        finally:
            hold.join()

    def from_both(self, method: str, path: str, **kwargs) -> list[requests.Response]:
        """The same request, repeated until each of the two workers has answered it."""
        answers: dict[str, requests.Response] = {}
        for attempt in range(60):
            send = self.call_beside_busy if attempt >= 10 else self.call
            response = send(method, path, **kwargs)
            answers.setdefault(response.headers["X-Test-Worker"], response)
            if len(answers) == 2:
                return list(answers.values())
        pytest.fail(f"only worker {sorted(answers)} answered {path} in 60 requests")


@pytest.fixture
def seeded(app, session, world, published):
    """A published entry explained with the sample WOZ model, two API tokens, a sensor owner."""
    base = ARTEFACTS / "woz"
    register_model(session=session, user=world.approver_a, algorithm=published, data_dir=app.config["DATA_DIR"],
                   model=(base / "model.skops").read_bytes(), model_name="model.skops",
                   spec=(base / "spec.json").read_bytes(), spec_name="spec.json",
                   reference=(base / "reference.csv").read_bytes(), publish=True)
    tokens = {}
    for key, user in (("registrant", world.registrant_a), ("approver", world.approver_b)):
        organisation = world.org_a if key == "registrant" else world.org_b
        tokens[key] = accounts.create_api_token(session=session, user=user, organisation=organisation, name="t")[1]
    second_approver = accounts.create_api_token(session=session, user=world.second_approver_a,
                                                organisation=world.org_a, name="t")[1]
    session.commit()
    return {"woz": published.code, "registrant": {"Authorization": f"Bearer {tokens['registrant']}"},
            "approver": {"Authorization": f"Bearer {second_approver}"}}


@pytest.fixture
def site(app, seeded, tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover - CI provides Redis
        pytest.fail(f"Redis must answer at {REDIS_URL} (STADSREGISTER_TEST_REDIS_URL) for this test")
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "served_register.py").write_text(textwrap.dedent(WRAPPER))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "served")]),
           "STADSREGISTER_ENV": "production", "STADSREGISTER_SECRET_KEY": "served-" + uuid.uuid4().hex * 2,
           "STADSREGISTER_DATABASE_URL": app.config["DATABASE_URL"],
           "STADSREGISTER_DATA_DIR": app.config["DATA_DIR"],
           "STADSREGISTER_INSTANCE_PATH": str(tmp_path / "instance"),
           "STADSREGISTER_BASE_URL": f"http://127.0.0.1:{port}", "STADSREGISTER_REDIS_URL": REDIS_URL,
           "STADSREGISTER_LOGIN_ATTEMPTS_PER_MINUTE": "4", "STADSREGISTER_MAP_TILES_URL": "",
           "STADSREGISTER_GEOCODER_URL": "",
           # A rebuilt list index is always awaited here, so "seen at once" does not hang on timing.
           "STADSREGISTER_CACHE_WAIT_SECONDS": "600"}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:register.gunicorn_conf",
                               "--workers", "2", "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
                               "served_register:app"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    served = Site(f"http://127.0.0.1:{port}")
    served.log = tmp_path / "gunicorn.log"
    try:
        for _ in range(600):  # the master warms the caches before it forks the workers
            if server.poll() is not None:
                pytest.fail("gunicorn stopped:\n" + (tmp_path / "gunicorn.log").read_text())
            try:
                if requests.get(served.base + "/", timeout=30).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        yield served
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def _csrf(response: requests.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)


def test_a_change_through_one_worker_shows_on_every_worker(site, seeded):
    # The master built the published model's explainer, the list's and the map's index before forking.
    assert "Caches warm before forking: {" in site.log.read_text()
    assert "'explainers': 1, 'listed': 1, 'sensors': 0" in site.log.read_text()
    before = {r.json()["total"] for r in site.from_both("GET", "/algorithms.json")}
    assert before == {1}
    explained = [r.json() for r in site.from_both("POST", f"/algorithms/{seeded['woz']}/explain.json",
                                                  json=WOZ_CASE)]
    assert explained[0] == explained[1]

    # A new entry, published through the API with the same model: list, search, page, explanation.
    word = "zwembadrooster"
    entry = {"name": "Roosters zwembaden plannen", "description_short": f"Een {word} voor de baden.",
             "organization": "Gemeente Amsterdam", "theme": ["Sport en recreatie"], "status": "In gebruik",
             "start_date": "2024-01", "contact": "sport@amsterdam.example",
             "publication_category": "Impactvolle algoritmes (Categorie B)",
             "purpose_and_impact": "Bezoekers weten wanneer het bad open is.", "considerations": "Sneller.",
             "human_intervention": "Een medewerker past het rooster aan.", "risk_management": "Steekproef.",
             "impact_assessments": "DPIA", "data": "Bezoekersaantallen.",
             "technical_operation": "Een model voorspelt de drukte.", "supplier": "Intern ontwikkeld",
             "decision_kinds": ["Rooster"], "objection_route": "Dien een klacht in."}
    created = site.call("POST", "/api/v1/algorithms", json=entry, headers=seeded["registrant"])
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    base = ARTEFACTS / "woz"
    files = {name: (filename, io.BytesIO((base / filename).read_bytes()))
             for name, filename in (("model", "model.skops"), ("spec", "spec.json"), ("reference", "reference.csv"))}
    registered = site.call("POST", f"/api/v1/algorithms/{code}/models", files=files, headers=seeded["registrant"])
    assert registered.status_code == 201, registered.text
    assert site.call("POST", f"/api/v1/algorithms/{code}/submit", headers=seeded["registrant"]).status_code == 200
    approved = site.call("POST", f"/api/v1/algorithms/{code}/approve", headers=seeded["approver"])
    assert approved.status_code == 200, approved.text

    for listed in site.from_both("GET", "/algorithms.json"):
        assert listed.json()["total"] == 2
    for found in site.from_both("GET", f"/algorithms.json?q={word}"):
        assert [item["code"] for item in found.json()["results"]] == [code]
    for facets in site.from_both("GET", "/algorithms.json?theme=Sport+en+recreatie"):
        assert facets.json()["total"] == 1
    for page in site.from_both("GET", f"/algorithms/{code}"):
        assert page.status_code == 200 and "Roosters zwembaden plannen" in page.text
    answers = [r.json() for r in site.from_both("POST", f"/algorithms/{code}/explain.json", json=WOZ_CASE)]
    assert answers[0] == answers[1]
    # The same model, spec and reference: the same explanation as the first entry's.
    def explanation(answer: dict) -> dict:  # less the entry's own facts and the model version's number
        return {k: v for k, v in answer.items() if k not in ("model", "decision", "code")}
    assert explanation(answers[0]) == explanation(explained[0])

    # A sensor registered through the API is on every worker's map; moved, it is seen at its new place.
    sensor = {"reference": "CAM-ZWEMBAD", "sensor_type": "camera", "themes": ["safety-surveillance-camera"],
              "measures": "Beelden van de ingang", "purpose": "Veiligheid", "personal_data": True,
              "legal_ground": "legitimate-interest", "privacy_statement_url": "https://a.example/privacy",
              "retention_days": 28, "lat": 52.3731, "lon": 4.8926, "end_date": END, "contact_name": "Jan Jansen",
              "contact_email": "jan.jansen@example.org", "contact_phone": "0612345678"}
    made = site.call("POST", "/api/v1/sensors", json=sensor, headers=seeded["registrant"])
    assert made.status_code == 201, made.text
    here, there = "4.890,52.372,4.895,52.374", "4.900,52.360,4.905,52.362"

    def references(bbox: str) -> list[list[str]]:
        return [sorted(f["properties"].get("reference", "") for f in r.json()["features"])
                for r in site.from_both("GET", f"/sensors.geojson?bbox={bbox}&zoom=18")]
    assert references(here) == [["CAM-ZWEMBAD"]] * 2
    moved = site.call("PATCH", "/api/v1/sensors/" + made.headers["Location"].rsplit("/", 1)[1], json={"lat": 52.361, "lon": 4.9025},
                      headers=seeded["registrant"])
    assert moved.status_code == 200, moved.text
    assert references(here) == [[]] * 2
    assert references(there) == [["CAM-ZWEMBAD"]] * 2
    for count in site.from_both("GET", "/sensors.json"):
        assert count.json()["total"] == 1


def test_sign_in_limits_and_sessions_hold_across_workers(site, world):
    # Failed sign-ins for one account are counted together, whichever worker answers (Redis).
    email = f"gone-{uuid.uuid4().hex[:10]}@example.org"
    statuses, refused_by = [], set()
    while len(statuses) < 4 or len(refused_by) < 2:
        form = requests.Session()
        csrf = _csrf(site.call("GET", "/portal/login", session=form))
        send = site.call_beside_busy if len(statuses) >= 6 else site.call  # one worker may win every accept()
        answer = send("POST", "/portal/login", session=form,
                      data={"email": email, "password": "wrong", "csrf_token": csrf})
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            refused_by.add(answer.headers["X-Test-Worker"])
        assert len(statuses) < 200, "only one worker answered"
    assert statuses[:4] == [401] * 4 and set(statuses[4:]) == {429}

    # Signed in through one worker, the session works on both; signed out, it works on neither.
    browser = requests.Session()
    csrf = _csrf(site.call("GET", "/portal/login", session=browser))
    signed_in = site.call("POST", "/portal/login", session=browser,
                          data={"email": world.registrant_a.email, "password": "correct horse battery staple",
                                "csrf_token": csrf})
    assert signed_in.status_code == 302
    csrf = _csrf(site.call("GET", "/portal/", session=browser))  # the form token now lives in the cookie too
    cookie = browser.cookies.get_dict()
    for home in site.from_both("GET", "/portal/", cookies=cookie):
        assert home.status_code == 200 and 'action="/portal/logout"' in home.text
    signed_out = site.call("POST", "/portal/logout", session=browser, data={"csrf_token": csrf})
    assert signed_out.status_code == 302
    for home in site.from_both("GET", "/portal/", cookies=cookie):
        assert home.status_code == 302 and "/portal/login" in home.headers["Location"]
