"""Benchmark of the account checks added for issue 12 (short; prints figures, asserts nothing).

Through the real app (Flask test client): a wrong-password sign-in without limits (baseline) and
with the limiter counting in memory and in Redis, and an authenticated API request (token looked up, expiry and current
membership checked) against the same request's portal twin signed in by session (epoch checked).

    python bench/bench_accounts.py [--runs 200] [--redis redis://127.0.0.1:6379/12]
"""
from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from register import create_app, db
from register.services import accounts

accounts.PASSWORD_METHOD = "pbkdf2:sha256:1000"  # the password hash is not what is measured


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def make_app(folder: Path, **config):
    return create_app({"ENV": "testing", "SECRET_KEY": "bench-" + "x" * 30, "DATA_DIR": str(folder / "data"),
                       "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}", "BASE_URL": "http://localhost",
                       "LOGIN_ATTEMPTS_PER_MINUTE": 10 ** 6, "LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE": 10 ** 6,
                       **config})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-accounts-"))
    db.upgrade(f"sqlite:///{folder / 'bench.sqlite'}")
    app = make_app(folder)
    from sqlmodel import Session

    with Session(app.extensions["stadsregister.engine"]) as session:
        org = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
        user = accounts.create_user(session=session, email="bench@example.org", name="b", password="p" * 16)
        accounts.grant(session=session, user=user, organisation=org, role="registrant")
        _row, plain = accounts.create_api_token(session=session, user=user, organisation=org, name="bench")
        session.commit()
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}, SQLite")

    for label, extra in (("none", {"RATELIMIT_ENABLED": False}), ("memory", {}), ("redis", {"REDIS_URL": args.redis})):
        client = make_app(folder, **extra).test_client()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                         client.get("/portal/login").get_data(as_text=True)).group(1)
        email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
        form = {"email": email, "password": "wrong", "csrf_token": csrf}
        p50, p95 = timed(lambda c=client, f=form: c.post("/portal/login", data=f), args.runs)
        print(f"failed sign-in, limiter in {label:6}: p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({args.runs} runs)")

    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    p50, p95 = timed(lambda: client.get("/api/v1/algorithms", headers=headers), args.runs)
    print(f"API request with token check     : p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/portal/login").get_data(as_text=True)).group(1)
    client.post("/portal/login", data={"email": "bench@example.org", "password": "p" * 16, "csrf_token": csrf})
    p50, p95 = timed(lambda: client.get("/portal/"), args.runs)
    print(f"portal page with session epoch   : p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
