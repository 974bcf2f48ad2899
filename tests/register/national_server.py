"""A stand-in for the national register's submission API ("aanleverapi" v1_0), on real HTTP.

It speaks the published contract in ``register/standard/algoritmeregister-aanleverapi-v1_0.openapi.json``:
every request is validated with openapi-core (a request the contract does not allow gets the API's
422 shape), the vendor limit ``max_length_without_html`` is checked as the national register checks
it, a wrong token gets 401, and every answer is itself validated against the contract before it is
sent. ``fail`` makes the next calls of an operation answer with a given status (e.g. 503).
``hold_creates()`` keeps every create waiting until ``open_creates()`` (or until two are waiting), so
a test can make two senders meet at the moment an entry is created.
"""
from __future__ import annotations

import re
import threading
from itertools import count

from flask import Flask, jsonify, request
from openapi_core import OpenAPI
from openapi_core.contrib.flask import FlaskOpenAPIRequest, FlaskOpenAPIResponse
from werkzeug.serving import make_server

from register.services.national import OPENAPI_PATH, openapi_document

TOKEN = "national-test-token"
# openapi-core cannot check an OAuth2 bearer token (it warns); the stand-in checks it itself (401 below).
IGNORE_WARNING = "ignore:Unsupported scheme type"
_TAG = re.compile(r"<[^>]+>")


class NationalRegister:
    def __init__(self):
        self.openapi = OpenAPI.from_file_path(str(OPENAPI_PATH))
        self.schema = openapi_document()["components"]["schemas"]
        self.entries: dict[str, dict] = {}  # lars → latest payload
        self.released: dict[str, dict] = {}  # lars → released payload
        self.retracted: set[str] = set()
        self.calls: list[tuple[str, str]] = []  # (operation, lars or organisation)
        self.fail: dict[str, list[int]] = {}  # operation → statuses to answer with, in order
        self._ids = count(1)
        self._gate: threading.Event | None = None
        self._waiting = 0
        self._lock = threading.Lock()
        self.app = self._build()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/aanleverapi/v1_0"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)

    def hold_creates(self) -> None:
        self._gate = threading.Event()

    def open_creates(self) -> None:
        if self._gate is not None:
            self._gate.set()

    def _wait_at_gate(self) -> None:
        if self._gate is None:
            return
        with self._lock:
            self._waiting += 1
            if self._waiting >= 2:  # two creates of one entry at once: let both through, as a real register would
                self._gate.set()
        self._gate.wait(60)

    def _too_long(self, payload: dict) -> list[dict]:
        """The national register's own check of ``max_length_without_html``."""
        found = []
        for name, prop in self.schema["AlgorithmIn"]["properties"].items():
            limit, value = prop.get("max_length_without_html"), payload.get(name)
            if limit and isinstance(value, str) and len(_TAG.sub("", value)) > limit:
                found.append({"loc": ["body", name], "msg": f"String should have at most {limit} characters",
                              "type": "string_too_long"})
        return found

    def _build(self) -> Flask:
        app = Flask("national-register")
        register = self

        def answer(operation: str, body, status: int = 200):
            response = jsonify(body)
            response.status_code = status
            register.openapi.validate_response(FlaskOpenAPIRequest(request), FlaskOpenAPIResponse(response))
            return response

        @app.before_request
        def check():
            operation = request.endpoint
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return answer(operation, {"detail": "Not authenticated"}, 401)
            result = register.openapi.unmarshal_request(FlaskOpenAPIRequest(request))
            if result.errors:
                detail = [{"loc": ["body"], "msg": str(getattr(e, "__cause__", None) or e), "type": "value_error"}
                          for e in result.errors]
                return answer(operation, {"detail": detail}, 422)
            if request.method in ("POST", "PUT") and operation != "release":
                too_long = register._too_long(request.get_json())
                if too_long:
                    return answer(operation, {"detail": too_long}, 422)
            planned = register.fail.get(operation)
            if planned:
                status = planned.pop(0)
                if status >= 500:
                    return "Internal Server Error", status  # what a failing gateway sends: no JSON
                if status == 422:
                    return answer(operation, {"detail": [{"loc": ["body", "name"], "msg": "Refused by the test",
                                                          "type": "value_error"}]}, 422)
                return answer(operation, {"detail": "Refused by the test"}, status)
            register.calls.append((operation, request.view_args.get("algorithm_id") or request.view_args["organisation_id"]))
            return None

        @app.post("/aanleverapi/v1_0/organizations/<organisation_id>/algorithms", endpoint="create")
        def create(organisation_id):
            register._wait_at_gate()
            lars = f"{next(register._ids):04d}{organisation_id[:6]}"
            register.entries[lars] = request.get_json()
            return answer("create", {"lars_code": lars})

        @app.put("/aanleverapi/v1_0/organizations/<organisation_id>/algorithms/<algorithm_id>", endpoint="update")
        def update(organisation_id, algorithm_id):
            if algorithm_id not in register.entries:
                return answer("update", {"detail": "Algorithm not found"}, 404)
            register.entries[algorithm_id] = request.get_json()
            return answer("update", {"message": "Algorithm updated"})

        @app.put("/aanleverapi/v1_0/organizations/<organisation_id>/algorithms/<algorithm_id>/release", endpoint="release")
        def release(organisation_id, algorithm_id):
            if algorithm_id not in register.entries:
                return answer("release", {"detail": "Algorithm not found"}, 404)
            register.released[algorithm_id] = register.entries[algorithm_id]
            register.retracted.discard(algorithm_id)
            return answer("release", {"message": "Algorithm released"})

        @app.delete("/aanleverapi/v1_0/organizations/<organisation_id>/published-algorithms/<algorithm_id>/retract",
                    endpoint="retract")
        def retract(organisation_id, algorithm_id):
            if algorithm_id not in register.released:
                return answer("retract", {"detail": "Algorithm not found"}, 404)
            register.retracted.add(algorithm_id)
            return answer("retract", {})

        return app
