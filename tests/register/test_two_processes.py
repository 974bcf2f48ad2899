"""One truth per model version in every process (issue 10, point 4).

Two real app servers (``stadsregister run``, separate processes) share one SQLite file. Both
explain a case with a yes/no model whose threshold is 0.5; the model is then registered again
with the same file and reference data but a spec whose threshold is 0.3; both servers must
answer with the new threshold at once — words, numbers and outcome alike.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import explain
from register.services.model_versions import register_model

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_models" / "artefacts" / "vakantieverhuur"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, port: int) -> subprocess.Popen:
    command = [sys.executable, "-c", "from register.cli import main; main()", "run", "--port", str(port),
               "--no-reload", "--without-threads"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ask(port: int, code: str, case: dict, timeout: float = 120) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/algorithms/{code}/explain.json?lang=en",
                                     data=json.dumps(case).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/algorithms.json", timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"no server on port {port}")


def spec_with_threshold(threshold: float) -> bytes:
    spec = json.loads((SAMPLE / "spec.json").read_text())
    spec["outcome"]["threshold"] = threshold
    return json.dumps(spec).encode()


def a_case_between(low: float, high: float) -> dict:
    """A reference case whose chance lies between the two thresholds."""
    spec = explain.load_spec(SAMPLE / "spec.json")
    reference = explain.load_reference(SAMPLE / "reference.csv", spec)
    explainer = explain.Explainer.build(explain.load_model(SAMPLE / "model.skops"), spec, reference)
    scores = explainer.outcome_values(reference[spec.names])
    index = next(i for i, score in enumerate(scores) if low + 0.02 < score < high - 0.02)
    row = reference[spec.names].iloc[int(index)].to_dict()
    return {k: (bool(v) if spec.feature(k).kind == "yes_no" else v.item() if hasattr(v, "item") else v)
            for k, v in row.items()}


def test_a_new_spec_is_seen_by_two_running_app_processes(tmp_path, published, session, app):
    if app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("this test shares one SQLite file between processes")
    data_dir = app.config["DATA_DIR"]

    def register(threshold: float):
        return register_model(session=session, user=None, algorithm=published, data_dir=data_dir,
                              model=(SAMPLE / "model.skops").read_bytes(), model_name="model.skops",
                              spec=spec_with_threshold(threshold), spec_name="spec.json",
                              reference=(SAMPLE / "reference.csv").read_bytes(), publish=True)

    register(0.5)
    case = a_case_between(0.3, 0.5)
    env = dict(os.environ, PYTHONPATH=str(ROOT), STADSREGISTER_ENV="testing",
               STADSREGISTER_DATABASE_URL=app.config["DATABASE_URL"], STADSREGISTER_DATA_DIR=data_dir,
               STADSREGISTER_SECRET_KEY="two-process-test-" + "x" * 20, STADSREGISTER_BASE_URL="http://localhost")
    ports = [free_port(), free_port()]
    servers = [serve(env, port) for port in ports]
    try:
        for port, server in zip(ports, servers):
            wait_until_up(port, server)
        before = [ask(port, published.code, case) for port in ports]
        for answer in before:
            assert answer["explanation"]["threshold"] == 0.5 and answer["explanation"]["flagged"] is False
        version = register(0.3)
        after = [ask(port, published.code, case) for port in ports]
        for answer in after:
            assert answer["model"]["version"] == version.number
            assert answer["explanation"]["threshold"] == 0.3 and answer["explanation"]["flagged"] is True
            assert answer["explanation"]["score"] == pytest.approx(before[0]["explanation"]["score"])
            assert answer["narrative"]["outcome"] != before[0]["narrative"]["outcome"]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
