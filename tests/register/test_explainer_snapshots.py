"""Snapshots of built explainers in DATA_DIR (issue 16): used when their HMAC holds and their key is the
explainer's own; anything else is refused and the explainer built again, never unpickled."""
from __future__ import annotations

import csv
import json
import logging
import pickle
import shutil

import pytest
from click.testing import CliRunner
from sqlmodel import delete, select

from register.models.explanation import DecisionReceipt
from register.services import explainers, snapshots
from register.services.decisions import model_for

from .samples import ARTEFACTS, WOZ_COLUMNS, register, woz_reference_cases


@pytest.fixture(autouse=True)
def empty_cache():
    """Explainers are kept per process by key, across tests: each test starts with none in memory."""
    explainers.EXPLAINERS.clear()
    yield
    explainers.EXPLAINERS.clear()


def model_of(session, algorithm):
    return model_for(session, algorithm)[1]


def counts() -> tuple[int, int, int]:
    return explainers.BUILDS["explainers"], snapshots.STATS["loaded"], snapshots.STATS["refused"]


def snapshot_of(session, app, algorithm):
    """The published model and its snapshot's path, with no explainer in memory (as in a new process)."""
    explainers.EXPLAINERS.clear()
    model = model_of(session, algorithm)
    return model, snapshots.path_for(app.config["DATA_DIR"], explainers.COPIES.get(model).key)


def explanations(explainer, rows) -> str:
    return json.dumps([e.to_dict() for e in explainer.explain_many(rows, validate=False)], sort_keys=True)


def test_registration_writes_a_snapshot_that_a_new_process_uses_instead_of_building(session, app, woz):
    model, path = snapshot_of(session, app, woz)
    assert path.is_file() and path.parent.name == "explainer-snapshots"
    built, loaded, refused = counts()
    explainer = explainers.EXPLAINERS.get(model, app.config["DATA_DIR"])
    assert counts() == (built, loaded + 1, refused)  # read back, not built from the model file
    fresh = explainers.build_explainer(model, app.config["DATA_DIR"])
    rows = fresh.reference.head(40)
    assert explanations(explainer, rows) == explanations(fresh, rows)
    assert explainer.fast is not None  # the verified numpy replay is compiled again on loading


@pytest.mark.parametrize("where", ["payload", "mac", "magic"])
def test_a_snapshot_with_one_byte_flipped_is_refused_and_rebuilt(session, app, woz, caplog, where):
    model, path = snapshot_of(session, app, woz)
    data = bytearray(path.read_bytes())
    offset = {"payload": len(data) - 100, "mac": len(snapshots.MAGIC) + 5, "magic": 3}[where]
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    built, loaded, refused = counts()
    with caplog.at_level(logging.WARNING, logger="register.services.snapshots"):
        explainer = explainers.EXPLAINERS.get(model, app.config["DATA_DIR"])
    assert counts() == (built + 1, loaded, refused + 1)
    assert "refused" in caplog.text
    assert explainer.model.sha256 == model.sha256
    # the rebuild wrote a good snapshot again: the next process reads it
    assert path.read_bytes() != bytes(data)
    explainers.EXPLAINERS.clear()
    explainers.EXPLAINERS.get(model, app.config["DATA_DIR"])
    assert counts() == (built + 1, loaded + 1, refused + 1)


class Marker:
    """A pickle that writes a file when it is loaded: proof of whether a refused file was unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_a_file_without_the_right_hmac_is_never_unpickled(session, app, woz, tmp_path):
    model, path = snapshot_of(session, app, woz)
    key = explainers.COPIES.get(model).key
    marker = tmp_path / "unpickled"
    payload = pickle.dumps({"key": key, "fingerprint": snapshots.fingerprint(), "explainer": Marker(marker)})
    other_secret = snapshots.mac_key("another register's secret key, long enough")
    for mac in (b"\0" * 32, snapshots._mac(other_secret, path, payload)):
        path.write_bytes(snapshots.MAGIC + mac + payload)
        assert snapshots.load(app.config["DATA_DIR"], key) is None
        assert not marker.exists()
    built = explainers.BUILDS["explainers"]
    assert explainers.EXPLAINERS.get(model, app.config["DATA_DIR"]).model.sha256 == model.sha256
    assert explainers.BUILDS["explainers"] == built + 1 and not marker.exists()


def test_another_specs_snapshot_is_not_used(session, app, woz, make_entry, world):
    """The same model with another spec (and another reference) is another explainer: its snapshot
    has another name, and a snapshot copied over from the first is refused."""
    from register.services import algorithms as algos

    other = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                               data=make_entry(source_id="PV-2"))
    spec = json.loads((ARTEFACTS / "woz" / "spec.json").read_text())
    spec["features"][0]["label"]["en"] = "City district"
    algos.submit(session=session, user=world.registrant_a, algorithm=other)
    algos.approve(session=session, user=world.approver_a, algorithm=other)
    register(session, app, other, spec=spec)
    first, first_path = snapshot_of(session, app, woz)
    second, second_path = snapshot_of(session, app, other)
    assert first.sha256 == second.sha256 and first_path != second_path
    shutil.copyfile(first_path, second_path)  # the first spec's explainer under the second's name
    built, loaded, refused = counts()
    explainer = explainers.EXPLAINERS.get(second, app.config["DATA_DIR"])
    assert counts() == (built + 1, loaded, refused + 1)
    assert explainer.spec.raw["features"][0]["label"]["en"] == "City district"
    # the name is the full key: a snapshot whose inside names another key is refused even with a good HMAC
    payload = pickle.dumps({"key": explainers.COPIES.get(first).key, "fingerprint": snapshots.fingerprint(),
                            "explainer": explainer})
    mac = snapshots._mac(snapshots.key_for(app.config["DATA_DIR"]), second_path, payload)
    second_path.write_bytes(snapshots.MAGIC + mac + payload)
    assert snapshots.load(app.config["DATA_DIR"], explainers.COPIES.get(second).key) is None


def test_a_reference_change_is_another_snapshot(session, app, woz):
    model, path = snapshot_of(session, app, woz)
    key = explainers.explainer_key(model_sha256=model.sha256, spec=explainers.COPIES.get(model).spec.raw,
                                   reference_sha256="0" * 64)
    assert snapshots.path_for(app.config["DATA_DIR"], key) != path
    assert snapshots.load(app.config["DATA_DIR"], key) is None


def batch(runner, algorithm, cases, out):
    result = runner.invoke(args=["decisions", "batch", "--algorithm", algorithm.code, str(cases), str(out)])
    assert result.exit_code == 0, result.output
    return [(r["line"], r["case_ref"], r["url"], r["error"]) for r in csv.DictReader(out.open())]


@pytest.fixture
def cases(tmp_path):
    path = tmp_path / "cases.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*WOZ_COLUMNS, "case_ref"])
        for n, row in enumerate(woz_reference_cases(30)):
            writer.writerow([*row, f"WOZ-{n}"])
    return path


def stored(session) -> dict:
    session.expire_all()
    return {r.token_hash: json.dumps(r.explanation, sort_keys=True)
            for r in session.exec(select(DecisionReceipt)).all()}


def test_batch_receipts_are_the_same_with_and_without_a_snapshot(runner, session, app, woz, cases, tmp_path):
    explainers.EXPLAINERS.clear()
    built, loaded, _refused = counts()
    with_snapshot = batch(runner, woz, cases, tmp_path / "with.csv")
    assert counts()[:2] == (built, loaded + 1)
    receipts = stored(session)
    assert len(receipts) == 30
    session.exec(delete(DecisionReceipt))
    session.commit()
    shutil.rmtree(snapshots.path_for(app.config["DATA_DIR"], "x").parent)  # derived data: safe to delete
    explainers.EXPLAINERS.clear()
    without = batch(runner, woz, cases, tmp_path / "without.csv")
    assert counts()[0] == built + 1
    assert without == with_snapshot
    assert stored(session) == receipts  # the same explanation, to the last digit, for every case


def test_the_batch_command_starts_without_the_web_layer(app, session, woz, cases, tmp_path):
    """``stadsregister decisions batch`` (the installed command, not the test app) makes an app without
    blueprints, and writes what the full app writes."""
    from flask.cli import ScriptInfo

    from register.cli import _create_app, main

    explainers.EXPLAINERS.clear()
    full = batch(app.test_cli_runner(), woz, cases, tmp_path / "full.csv")
    info = ScriptInfo(create_app=_create_app, set_debug_flag=False)
    env = {f"STADSREGISTER_{k}": str(app.config[k]) for k in ("SECRET_KEY", "DATABASE_URL", "DATA_DIR", "BASE_URL")}
    result = CliRunner().invoke(main, ["decisions", "batch", "--algorithm", woz.code, str(cases),
                                       str(tmp_path / "light.csv")], obj=info, env=dict(env, STADSREGISTER_ENV="testing"))
    assert result.exit_code == 0, result.output
    light = info.load_app()  # the app the command made (loaded once, kept by the ScriptInfo)
    assert light is not app and light.blueprints == {} and "decisions" not in light.cli.commands
    assert [r for r in csv.DictReader((tmp_path / "light.csv").open())] == \
        [r for r in csv.DictReader((tmp_path / "full.csv").open())]
    assert len(full) == 30
    light.extensions["stadsregister.engine"].dispose()


def test_the_batch_command_with_a_snapshot_loads_neither_scikit_learn_nor_shap(app, woz, cases, tmp_path):
    """A real ``stadsregister decisions batch`` process: with the registration's snapshot it explains
    and stores every case without importing scikit-learn, shap, pandas, skops or shapely, nor what
    only the web app, registration or the pages use (Flask, Werkzeug, Jinja, jsonschema, YAML, Babel's
    catalogues and locale data, the sensor and participation tables): issue 16, its start-up."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys\nfrom register.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in ('sklearn', 'shap', 'pandas', 'skops', 'shapely', 'scipy', 'flask', "
            "'werkzeug', 'jinja2', 'jsonschema', 'yaml', 'babel.messages', 'babel.dates', 'explain.charts', "
            "'explain.narrative', 'register.web', 'register.models.sensor', 'register.models.participation') "
            "if m in sys.modules))\n")
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
               **{f"STADSREGISTER_{k}": str(app.config[k])
                  for k in ("ENV", "SECRET_KEY", "DATABASE_URL", "DATA_DIR", "BASE_URL")})
    out = tmp_path / "out.csv"
    result = subprocess.run([sys.executable, "-c", code, "decisions", "batch", "--algorithm", woz.code,
                             str(cases), str(out)], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr
    lines = list(csv.DictReader(out.open()))
    assert len(lines) == 30 and all(line["url"] and not line["error"] for line in lines)
    assert batch(app.test_cli_runner(), woz, cases, tmp_path / "again.csv") == \
        [(r["line"], r["case_ref"], r["url"], r["error"]) for r in lines]  # the same receipts in-process
