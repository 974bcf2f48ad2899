"""Nothing is left behind (issue 12, point 7): a failed upload removes what it stored, the portal's
import check keeps only what the next step needs, and ``stadsregister purge`` removes what a crash
left (half-written temp files, stored files no row refers to, stale import uploads, working
folders), once they are older than an hour. Real files in the test's data folder."""
from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import pytest

from register.services import algorithms as algos
from register.services import filestore, upkeep

END = (dt.date.today() + dt.timedelta(days=300)).isoformat()
CSV_HEADER = "reference;sensor_type;lat;lon;measures;purpose;themes;personal_data;end_date\n"
WOZ = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts" / "woz"


def age(path: Path, seconds: int = 2 * 3600) -> Path:
    """Make a file look as if it was written ``seconds`` ago."""
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def files_under(root) -> set[str]:
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_purge_removes_what_a_crash_left_and_keeps_what_rows_use(runner, session, app, woz, tmp_path):
    data_dir = Path(app.config["DATA_DIR"])
    # the WOZ model and its reference data, named by the model version, and its explainer's snapshot
    in_use = files_under(data_dir)
    assert len(in_use) == 3 and sum(r.startswith("explainer-snapshots/") for r in in_use) == 1
    for relative in in_use:
        age(data_dir / relative)
    # a snapshot of an explainer no model version has any more (an older spec, say)
    stale_snapshot = age(_write(data_dir / "explainer-snapshots" / ("0" * 64 + ".snapshot"), "old"))
    # A worker killed while writing leaves its temp file; one killed before the commit leaves a file.
    orphan_digest, _written = filestore.store(data_dir, b"%PDF-1.7 stored but never committed")
    orphan = age(filestore.path_for(data_dir, orphan_digest))
    half = age(_write(orphan.parent / (filestore.TEMP_PREFIX + "abc123"), "half a fi"))
    fresh_digest, _ = filestore.store(data_dir, b"being uploaded right now")  # under an hour: still in progress
    stale_import = age(_write(data_dir / "sensor-imports" / "oldtoken.csv", CSV_HEADER))
    fresh_import = _write(data_dir / "sensor-imports" / "newtoken.csv", CSV_HEADER)

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 half-written temp files, 1 stored files no row refers to, 1 unfinished sensor-import uploads" \
        in result.output
    assert "1 explainer snapshots no model version uses" in result.output
    left = files_under(data_dir)
    assert in_use <= left
    assert not half.exists() and not orphan.exists() and not stale_import.exists()
    assert not stale_snapshot.exists()
    assert filestore.exists(data_dir, fresh_digest) and fresh_import.exists()


def test_working_folders_of_killed_registrations_are_removed(session, app, tmp_path):
    temp = tmp_path / "system-temp"
    old = temp / "stadsregister-model-killed"
    old.mkdir(parents=True)
    age(_write(old / "model.skops", "x"))
    age(old)
    busy = temp / "stadsregister-model-busy"
    busy.mkdir()
    other = temp / "someone-elses"
    other.mkdir()
    age(other)
    counts = upkeep.purge_files(session, app.config["DATA_DIR"], temp_dir=str(temp))
    assert counts["workdirs"] == 1
    assert not old.exists() and busy.exists() and other.exists()


def test_a_registration_that_fails_after_storing_removes_its_files(session, app, people, entry, hostile):
    from register.services.model_versions import register_model

    # The draft waits for approval, so the model cannot be attached: found only after the files are stored.
    algos.update_entry(session=session, user=people["registrant"], algorithm=entry, data={"supplier": "B.V."},
                       partial=True)
    algos.submit(session=session, user=people["registrant"], algorithm=entry)
    before = hostile.snapshot(session, app.config["DATA_DIR"])
    with pytest.raises(algos.WorkflowError):
        register_model(session=session, user=people["registrant"], algorithm=entry, data_dir=app.config["DATA_DIR"],
                       model=(WOZ / "model.skops").read_bytes(), model_name="model.skops",
                       spec=(WOZ / "spec.json").read_bytes(), spec_name="spec.json",
                       reference=(WOZ / "reference.csv").read_bytes())
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == before


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _check(auth, people, csv_text: str):
    return auth.post("/portal/sensors/import", {"action": "check", "organisation_id": str(people["org"].id),
                                                "file": (io.BytesIO(csv_text.encode()), "sensoren.csv")},
                     form_url="/portal/sensors/import", content_type="multipart/form-data")


def test_the_portal_import_check_keeps_only_an_upload_the_next_step_can_import(auth, app, people):
    imports = Path(app.config["DATA_DIR"]) / "sensor-imports"
    auth.login("reg@example.org")
    nothing_valid = _check(auth, people, CSV_HEADER + "CAM-9;onbekend;52.37;4.89;Beelden;Doel;Milieu: geluid;Nee;\n")
    assert nothing_valid.status_code == 422
    assert files_under(imports) == set()  # nothing in it could be imported: nothing kept
    good = CSV_HEADER + f"CAM-1;camera;52.37;4.89;Beelden;Doel;Milieu: geluid;Nee;{END}\n"
    assert _check(auth, people, good).status_code == 200
    first = files_under(imports)
    assert len(first) == 1
    assert _check(auth, people, good).status_code == 200
    second = files_under(imports)
    assert len(second) == 1 and second != first  # a new check replaces the previous upload
    done = auth.post("/portal/sensors/import", {"action": "import", "organisation_id": str(people["org"].id)},
                     form_url="/portal/sensors/import")
    assert done.status_code == 303
    assert files_under(imports) == set()
