"""Import and export in the national publication standard v1.0.0."""
import csv
import io
import json

import pytest
from jsonschema import Draft7Validator
from sqlmodel import select

from register.models import Algorithm, AlgorithmVersion
from register.services.standard import SCHEMA


def write(tmp_path, data, name="records.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def count(session, model):
    session.expire_all()
    return len(session.exec(select(model)).all())


def test_import_of_a_list_publishes_every_record(runner, session, tmp_path, make_entry):
    path = write(tmp_path, [make_entry(source_id="R1"), make_entry(source_id="R2", organization="GGD Amsterdam")])
    result = runner.invoke(args=["algorithms", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 records: 2 created" in result.output
    assert count(session, Algorithm) == 2
    assert {a.public_state for a in session.exec(select(Algorithm))} == {"published"}


def test_import_of_a_single_record(runner, session, tmp_path, make_entry):
    result = runner.invoke(args=["algorithms", "import", str(write(tmp_path, make_entry(source_id="ONE")))])
    assert result.exit_code == 0 and count(session, Algorithm) == 1


BAD_RECORDS = [
    ("name", {"name": "Een naam die veel te lang is" * 4}, "at most 100 characters"),
    ("purpose_and_impact", {"purpose_and_impact": ""}, "Please fill in this field."),
    ("technical_operation", {"technical_operation": None}, "Please fill in this field."),
    ("status", {"status": "Actief"}, "Choose one of"),
    ("start_date", {"start_date": "januari 2023"}, "YYYY-MM"),
    ("theme", {"theme": "Verkeer"}, "a list of texts"),
    ("link", {"link": "amsterdam.nl"}, "https://"),
    ("schema", {"schema": "2.0.0"}, "1.0.0"),
]


@pytest.mark.parametrize("field,change,message", BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS])
def test_a_bad_record_is_reported_by_index_source_id_and_field_and_nothing_is_written(
        runner, session, tmp_path, make_entry, field, change, message):
    records = [make_entry(source_id="GOOD-1"), make_entry(source_id="BAD-1") | change, make_entry(source_id="GOOD-2")]
    result = runner.invoke(args=["algorithms", "import", str(write(tmp_path, records))])
    assert result.exit_code == 1
    assert f"record 1 (source_id BAD-1), {field}: " in result.output and message in result.output
    assert "Nothing was imported" in result.output
    assert count(session, Algorithm) == 0 and count(session, AlgorithmVersion) == 0


def test_skip_invalid_imports_the_good_records_and_reports_the_rest(runner, session, tmp_path, make_entry):
    records = [make_entry(source_id="A"), make_entry(source_id="B", name=""), make_entry(source_id="C")]
    result = runner.invoke(args=["algorithms", "import", "--skip-invalid", str(write(tmp_path, records))])
    assert result.exit_code == 1  # some records were refused, the others are written
    assert "3 records: 2 created, 0 updated, 0 unchanged, 1 refused." in result.output
    assert "record 1 (source_id B), name: Please fill in this field." in result.output
    assert sorted(a.source_id for a in session.exec(select(Algorithm))) == ["A", "C"]


def test_reports_can_be_in_dutch(runner, tmp_path, make_entry):
    result = runner.invoke(args=["algorithms", "import", "--lang", "nl",
                                 str(write(tmp_path, [make_entry(name="")]))])
    assert "record 0, name: Vul dit veld in." in result.output


def test_duplicate_source_id_within_a_file_is_refused(runner, session, tmp_path, make_entry):
    result = runner.invoke(args=["algorithms", "import", str(write(tmp_path, [make_entry(source_id="X"),
                                                                               make_entry(source_id="X")]))])
    assert result.exit_code == 1 and "already appears in record 0" in result.output
    assert count(session, Algorithm) == 0


def test_broken_json_gets_a_message_with_line_and_column(runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"name": "x",\n  }]', encoding="utf-8")
    result = runner.invoke(args=["algorithms", "import", str(path)])
    assert result.exit_code != 0 and "line 2" in result.output


def test_reimporting_a_source_id_adds_a_version_instead_of_a_duplicate(runner, session, tmp_path, make_entry):
    runner.invoke(args=["algorithms", "import", str(write(tmp_path, [make_entry(source_id="S-1")]))])
    same = runner.invoke(args=["algorithms", "import", str(write(tmp_path, [make_entry(source_id="S-1")]))])
    assert "1 unchanged" in same.output
    changed = runner.invoke(args=["algorithms", "import", str(write(
        tmp_path, [make_entry(source_id="S-1", supplier="Nieuwe leverancier B.V.")]))])
    assert "1 updated" in changed.output
    assert count(session, Algorithm) == 1
    numbers = sorted(v.number for v in session.exec(select(AlgorithmVersion)))
    assert numbers == [1, 2]


def test_export_json_validates_against_the_schema_and_round_trips(runner, session, tmp_path, make_entry):
    records = [make_entry(source_id="E1"), make_entry(source_id="E2", end_date="2024-06", status="Buiten gebruik")]
    runner.invoke(args=["algorithms", "import", str(write(tmp_path, records))])
    out = tmp_path / "export.json"
    assert runner.invoke(args=["algorithms", "export", "--format", "json", str(out)]).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    validator = Draft7Validator({k: v for k, v in SCHEMA.items() if k != "$id"})
    assert len(exported) == 2
    for record in exported:
        assert list(validator.iter_errors(record)) == []
    assert {k: v for k, v in exported[0].items() if k not in ("language", "schema")} == records[0]
    standard_only = tmp_path / "standard.json"
    runner.invoke(args=["algorithms", "export", "--standard-only", str(standard_only)])
    assert "decision_kinds" not in json.loads(standard_only.read_text(encoding="utf-8"))[0]


def test_export_csv_has_one_row_per_entry_with_lists_joined(runner, tmp_path, make_entry):
    runner.invoke(args=["algorithms", "import", str(write(tmp_path, [make_entry(theme=["Verkeer", "Economie"])]))])
    out = tmp_path / "export.csv"
    runner.invoke(args=["algorithms", "export", "--format", "csv", str(out)])
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 1 and rows[0]["theme"] == "Verkeer; Economie" and rows[0]["schema"] == "1.0.0"
