"""Sending published entries to the national register's submission API (issue #17, point 1).

A local server on 127.0.0.1 speaks the published contract and validates every request with
openapi-core; see ``national_server.py``.
"""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from register.models import NationalClaim, NationalSubmission
from register.services import algorithms as algos
from tests.register.national_server import IGNORE_WARNING, TOKEN, NationalRegister

pytestmark = pytest.mark.filterwarnings(IGNORE_WARNING)


@pytest.fixture
def national():
    with NationalRegister() as server:
        yield server


@pytest.fixture
def configured(app, national):
    app.config.update(NATIONAL_API_URL=national.url, NATIONAL_API_TOKEN=TOKEN,
                      NATIONAL_ORGANISATION_IDS="Gemeente Amsterdam=gm0363; Gemeente Zaanstad=gm0479")
    return national


def publish(runner, *extra):
    return runner.invoke(args=["algorithms", "publish-national", "--organisation", "Gemeente Amsterdam", *extra])


def publish_entry(session, world, **overrides):
    from tests.register.conftest import valid_entry

    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                   data=valid_entry(**overrides))
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    return algorithm


def change(session, world, algorithm, **fields):
    data = algos.entry_data(algos.published_version(session, algorithm)) | fields
    algos.update_entry(session=session, user=world.registrant_a, algorithm=algorithm, data=data)
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)


def test_new_entries_are_created_and_released_with_the_national_field_names(runner, session, world, configured):
    entry = publish_entry(session, world, name="N" * 100, theme=["Verkeer", "Financiën"],
                          publication_category="Hoog-risico AI-systeem (Categorie A)",
                          legal_basis_title="Wegenverkeerswet 1994", legal_basis_link="https://wetten.overheid.nl/BWBR0006622")
    result = publish(runner)
    assert result.exit_code == 0, result.output
    assert "1 entries: 1 sent, 0 retracted, 0 unchanged, 0 refused, 0 failed." in result.output
    assert [op for op, _ in configured.calls] == ["create", "release"]
    sent = next(iter(configured.released.values()))
    assert sent["name"] == "N" * 100 and sent["goal"].startswith("Sneller beslissen")
    assert sent["category"] == ["Verkeer", "Overheidsfinanciën"]
    assert sent["publication_category"] == "Hoog-risico AI-systeem"
    assert sent["lawful_basis_grouping"] == [{"title": "Wegenverkeerswet 1994",
                                              "link": "https://wetten.overheid.nl/BWBR0006622"}]
    assert "purpose_and_impact" not in sent and sent["lang"] == "nld"
    assert f"{entry.code} (" in result.output


def test_a_second_run_sends_nothing_and_a_change_is_sent_as_an_update(runner, session, world, configured):
    algorithm = publish_entry(session, world)
    publish(runner)
    again = publish(runner)
    assert again.exit_code == 0 and "1 unchanged" in again.output and "Version 1 was sent before" in again.output
    assert len(configured.calls) == 2
    change(session, world, algorithm, supplier="Nieuwe leverancier B.V.")
    third = publish(runner)
    assert third.exit_code == 0 and "1 sent" in third.output
    assert [op for op, _ in configured.calls][2:] == ["update", "release"]
    assert next(iter(configured.released.values()))["provider"] == "Nieuwe leverancier B.V."
    assert len(configured.entries) == 1  # never a second national entry


def test_a_retracted_entry_is_retracted_there_once(runner, session, world, configured):
    algorithm = publish_entry(session, world)
    publish(runner)
    algos.set_public_state(session=session, user=world.approver_a, algorithm=algorithm, state="retracted",
                           reason="Niet meer in gebruik")
    result = publish(runner)
    assert result.exit_code == 0 and "1 retracted" in result.output
    assert configured.retracted == set(configured.released)
    assert "1 unchanged" in publish(runner).output and len(configured.calls) == 3


def test_a_wrong_token_is_reported_per_record_and_nothing_is_marked_as_sent(app, runner, session, world, configured):
    publish_entry(session, world)
    publish_entry(session, world, source_id="second")
    app.config["NATIONAL_API_TOKEN"] = "wrong"
    result = publish(runner)
    assert result.exit_code == 1
    assert result.output.count("did not accept the token (401)") == 2
    assert session.exec(select(NationalSubmission)).all() == []
    app.config["NATIONAL_API_TOKEN"] = TOKEN
    assert "2 sent" in publish(runner).output


def test_a_server_error_on_release_is_retried_without_a_second_national_entry(runner, session, world, configured):
    publish_entry(session, world)
    configured.fail["release"] = [503]
    result = publish(runner)
    assert result.exit_code == 1 and "HTTP 503" in result.output and "1 failed" in result.output
    session.expire_all()
    assert [s.complete for s in session.exec(select(NationalSubmission))] == [False]
    retry = publish(runner)
    assert retry.exit_code == 0 and "1 sent" in retry.output
    assert [op for op, _ in configured.calls] == ["create", "update", "release"] and len(configured.entries) == 1


def test_a_422_answer_names_the_field_and_a_record_over_the_national_limit_is_not_sent(
        runner, session, world, configured):
    publish_entry(session, world, description_short="K" * 380)  # fine here (399), over the national 350
    publish_entry(session, world, source_id="refused-there")
    publish_entry(session, world, source_id="ok")
    configured.fail["create"] = [422]
    result = publish(runner)
    assert result.exit_code == 1
    assert "refused — description_short: The national register accepts at most 350 characters" in result.output
    assert "failed — The national register refused the record (422): name: Refused by the test" in result.output
    assert "1 sent, 0 retracted, 0 unchanged, 1 refused, 1 failed" in result.output
    assert len(configured.entries) == 1


def test_the_server_refuses_what_the_contract_does_not_allow(configured):
    """The stand-in is strict: a payload without the required fields gets the API's 422 shape."""
    import requests

    url = f"{configured.url}/organizations/gm0363/algorithms"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    bad = requests.post(url, json={"name": "x"}, headers=headers, timeout=5)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][0] == "body"
    too_long = requests.post(url, headers=headers, timeout=5, json={
        "name": "x" * 101, "description_short": "k", "organization": "o", "status": "In gebruik",
        "contact_email": "a@b.nl", "publication_category": "Overige algoritmes", "lang": "nld"})
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "name"]


def test_usage_errors_exit_2(app, runner, world, configured):
    assert runner.invoke(args=["algorithms", "publish-national"]).exit_code == 2
    assert publish(runner, "--national-id", "gm0363").exit_code == 0  # nothing published: full success
    assert runner.invoke(args=["algorithms", "publish-national", "--organisation", "Onbekend"]).exit_code == 2
    app.config["NATIONAL_API_URL"] = ""
    result = publish(runner)
    assert result.exit_code == 2 and "STADSREGISTER_NATIONAL_API_URL" in result.output


def test_an_approver_sends_from_the_portal_and_sees_the_report(client, auth, session, world, configured):
    entry = publish_entry(session, world)
    auth.login(world.approver_a.email)
    home = client.get("/portal/").get_data(as_text=True)
    action = f"/portal/organisations/{world.org_a.id}/publish-national"
    assert action in home and "Naar het landelijke register sturen: Gemeente Amsterdam" in home
    page = auth.post(action)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and entry.code in text and "verstuurd" in text
    assert [op for op, _ in configured.calls] == ["create", "release"]
    assert "Versie 1 is al eerder verstuurd." in auth.post(action).get_data(as_text=True)


def test_only_approvers_may_send_and_an_unconfigured_register_says_what_to_set(app, client, auth, session, world,
                                                                              configured):
    publish_entry(session, world)
    action = f"/portal/organisations/{world.org_a.id}/publish-national"
    auth.login(world.registrant_a.email)
    assert action not in client.get("/portal/").get_data(as_text=True)
    assert auth.post(action).status_code == 403
    auth.logout()
    auth.login(world.approver_b.email)
    assert auth.post(action).status_code == 403  # another organisation's approver
    auth.logout()
    auth.login(world.approver_a.email)
    app.config["NATIONAL_API_TOKEN"] = ""
    page = auth.post(action)
    assert page.status_code == 503 and "STADSREGISTER_NATIONAL_API_TOKEN" in page.get_data(as_text=True)
    assert configured.calls == []


def test_two_approvers_sending_at_the_same_moment_create_one_national_entry(app, session, world, configured, tmp_path):
    """Two senders in two processes (as two approvers' buttons on two app workers) meet while the entry is
    being created in the national register: one creates it, the other waits and sends nothing twice."""
    publish_entry(session, world)
    configured.hold_creates()  # the first create waits there until the second sender is waiting too
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]), STADSREGISTER_ENV="testing",
               STADSREGISTER_DATABASE_URL=app.config["DATABASE_URL"], STADSREGISTER_DATA_DIR=app.config["DATA_DIR"],
               STADSREGISTER_SECRET_KEY="national-race-test-" + "x" * 20, STADSREGISTER_BASE_URL="http://localhost",
               STADSREGISTER_NATIONAL_API_URL=configured.url, STADSREGISTER_NATIONAL_API_TOKEN=TOKEN,
               STADSREGISTER_NATIONAL_ORGANISATION_IDS="Gemeente Amsterdam=gm0363")
    command = [sys.executable, "-c", "from register.cli import main; main()", "algorithms", "publish-national",
               "--organisation", "Gemeente Amsterdam"]
    outputs = [tmp_path / f"sender{n}.txt" for n in (1, 2)]
    errors: list[list[str]] = [[], []]
    senders = [subprocess.Popen(command, env=env, stdout=out.open("w"), stderr=subprocess.PIPE, text=True)
               for out in outputs]

    def watch(index: int) -> None:
        for line in senders[index].stderr:
            errors[index].append(line)
            if line.startswith("Waiting: someone else is sending"):
                configured.open_creates()  # now both senders are at it at once

    watchers = [threading.Thread(target=watch, args=(i,), daemon=True) for i in (0, 1)]
    for watcher in watchers:
        watcher.start()
    try:
        codes = [sender.wait(timeout=180) for sender in senders]
    finally:
        for sender in senders:
            sender.kill()
        configured.open_creates()
    for watcher in watchers:
        watcher.join(5)
    reports = [out.read_text() for out in outputs]
    assert codes == [0, 0], (reports, errors)
    assert len(configured.entries) == 1 and [op for op, _ in configured.calls] == ["create", "release"]
    assert sorted("1 sent" in r for r in reports) == [False, True]
    waited = next(r for r in reports if "1 sent" not in r)
    assert "1 unchanged" in waited and "Version 1 was sent before. It was sent by someone else at the same moment." \
        in waited
    session.expire_all()
    sent = session.exec(select(NationalSubmission)).all()
    assert {s.national_id for s in sent} == set(configured.entries)
    assert session.exec(select(NationalClaim)).all() == []  # both claims were given back


def test_a_send_under_way_elsewhere_is_not_repeated_and_a_claim_left_by_a_dead_sender_is_taken_over(
        runner, session, world, configured, monkeypatch):
    from datetime import timedelta

    from register.models.accounts import utcnow
    from register.services import national_submit

    entry = publish_entry(session, world)
    monkeypatch.setattr(national_submit, "CLAIM_WAIT", 0.5)
    session.add(NationalClaim(algorithm_id=entry.id, holder="another-live-sender", claimed_at=utcnow()))
    session.commit()
    busy = publish(runner)
    assert busy.exit_code == 1 and "1 failed" in busy.output
    assert "Someone else is sending this entry to the national register right now" in busy.output
    assert "Waiting: someone else is sending" in busy.output and configured.calls == []
    claim = session.exec(select(NationalClaim)).one()
    claim.claimed_at = utcnow() - national_submit.CLAIM_STALE - timedelta(minutes=1)  # its sender died
    session.add(claim)
    session.commit()
    taken = publish(runner)
    assert taken.exit_code == 0 and "1 sent" in taken.output and len(configured.entries) == 1
    session.expire_all()
    assert session.exec(select(NationalClaim)).all() == []
