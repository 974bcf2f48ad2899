"""The JSON API: token auth, the workflow, field errors and its OpenAPI description."""
import re

import pytest
from sqlmodel import select

from register.models import Algorithm
from register.services import accounts


@pytest.fixture
def tokens(session, world):
    def make(user, org):
        return {"Authorization": f"Bearer {accounts.create_api_token(session=session, user=user, organisation=org, name='t')[1]}"}
    headers = {"registrant": make(world.registrant_a, world.org_a), "approver": make(world.approver_a, world.org_a)}
    session.commit()
    return headers


def test_the_whole_workflow_through_the_api(client, tokens, make_entry):
    created = client.post("/api/v1/algorithms", json=make_entry(), headers=tokens["registrant"])
    assert created.status_code == 201
    code = created.get_json()["code"]
    assert created.get_json()["draft_state"] == "draft"
    assert client.post(f"/api/v1/algorithms/{code}/submit", headers=tokens["registrant"]).get_json()["draft_state"] == "submitted"
    own = client.post(f"/api/v1/algorithms/{code}/approve", headers=tokens["registrant"])
    assert own.status_code == 403  # a registrant is no approver
    published = client.post(f"/api/v1/algorithms/{code}/approve", json={"reason": "Akkoord"}, headers=tokens["approver"])
    assert published.status_code == 200 and published.get_json()["published_version"] == 1
    assert client.get(f"/algorithms/{code}").status_code == 200
    patched = client.patch(f"/api/v1/algorithms/{code}", json={"supplier": "Nieuw B.V."}, headers=tokens["registrant"])
    assert patched.get_json()["draft"]["supplier"] == "Nieuw B.V." and patched.get_json()["published"]["supplier"] == "Intern ontwikkeld"


def test_the_approver_cannot_approve_their_own_edit(client, tokens, make_entry):
    code = client.post("/api/v1/algorithms", json=make_entry(), headers=tokens["approver"]).get_json()["code"]
    client.post(f"/api/v1/algorithms/{code}/submit", headers=tokens["approver"])
    response = client.post(f"/api/v1/algorithms/{code}/approve", headers=tokens["approver"])
    assert response.status_code == 409
    assert "andere persoon" in response.get_json()["error"]  # Dutch unless ?lang=en


def test_field_errors_come_field_by_field_in_the_users_language(client, session, tokens, make_entry):
    response = client.post("/api/v1/algorithms?lang=nl", json=make_entry(name="", start_date="2023"),
                           headers=tokens["registrant"])
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "name": "Vul dit veld in.", "start_date": "Schrijf de maand als JJJJ-MM, bijvoorbeeld 2023-01."}
    assert session.exec(select(Algorithm)).all() == []


def test_a_body_that_is_not_a_json_object_is_refused(client, tokens):
    response = client.post("/api/v1/algorithms", data="name=x", headers=tokens["registrant"])
    assert response.status_code == 400 and response.get_json()["ok"] is False


def test_returning_needs_a_reason(client, tokens, make_entry):
    code = client.post("/api/v1/algorithms", json=make_entry(), headers=tokens["registrant"]).get_json()["code"]
    client.post(f"/api/v1/algorithms/{code}/submit", headers=tokens["registrant"])
    assert client.post(f"/api/v1/algorithms/{code}/return", headers=tokens["approver"]).status_code == 409
    returned = client.post(f"/api/v1/algorithms/{code}/return", json={"reason": "Vul de DPIA aan"}, headers=tokens["approver"])
    assert returned.get_json()["return_reason"] == "Vul de DPIA aan"


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule not in ("/api/v1/", "/api/v1/openapi.json"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            if "<any(" in path:
                for step in ("submit", "approve", "return", "retract", "archive"):
                    assert path.split("/<any(")[0] + "/" + step in described
            else:
                assert path in described, path
    assert document["components"]["schemas"]["Entry"]["properties"]["name"]["maxLength"] == 99


# ---- residents' questions through the API (issue 15) ------------------------------------------------

QUESTION_EMAIL = "vraagsteller@example.net"


@pytest.fixture
def question(session, world, published):
    from register.services import participation

    item = participation.submit(session=session, algorithm=published, locale="en", answer_days=10,
                                data={"kind": "question", "body": "Which data do you use?", "email": QUESTION_EMAIL})
    participation.moderate(session=session, user=world.registrant_a, item=item, decision="publish")
    return item


def _questions_state(session):
    from register.models.participation import Contribution

    session.expire_all()
    return [c.model_dump() for c in session.exec(select(Contribution)).all()]


def test_a_registrant_answers_a_question_through_the_api_and_a_different_approver_publishes_it(
        app, client, session, tokens, question, published, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    listed = client.get("/api/v1/questions", headers=tokens["registrant"])
    [row] = listed.get_json()["items"]
    assert row["id"] == question.id and row["algorithm"] == published.code and row["step"] == "answer"
    assert row["answer_by_email"] is True and QUESTION_EMAIL not in listed.get_data(as_text=True)

    answered = client.post(f"/api/v1/questions/{question.id}/answer", json={"answer": "Only your licence plate."},
                           headers=tokens["registrant"])
    assert answered.status_code == 200 and answered.get_json()["question"]["step"] == "approve"
    assert answered.get_json()["public"]["answer"] is None  # not public before a second person approves
    refused = client.post(f"/api/v1/questions/{question.id}/approve", headers=tokens["registrant"])
    assert refused.status_code == 403 and smtp.mails == []

    published_answer = client.post(f"/api/v1/questions/{question.id}/approve", headers=tokens["approver"])
    assert published_answer.status_code == 200 and published_answer.get_json()["email"] == "sent"
    public = client.get(f"/algorithms/{published.code}/questions.json").get_json()["items"][0]
    assert public["answer"] == "Only your licence plate."
    [(to, mail)] = smtp.mails
    assert to == [QUESTION_EMAIL] and "Only your licence plate." in mail.get_content()
    assert client.get("/api/v1/questions", headers=tokens["registrant"]).get_json()["items"] == []
    again = client.post(f"/api/v1/questions/{question.id}/resend", headers=tokens["registrant"])
    assert again.status_code == 409 and len(smtp.mails) == 1  # nothing failed, nothing sent twice


def test_a_failed_answer_email_shows_in_the_api_queue_and_can_be_sent_again(app, client, session, world, tokens,
                                                                            question, smtp):
    from tests.register.conftest import free_port

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nothing listens there
    client.post(f"/api/v1/questions/{question.id}/answer", json={"answer": "Only your address."},
                headers=tokens["registrant"])
    assert client.post(f"/api/v1/questions/{question.id}/approve",
                       headers=tokens["approver"]).get_json()["email"] == "failed"
    [row] = client.get("/api/v1/questions", headers=tokens["registrant"]).get_json()["items"]
    assert row["step"] == "email_failed" and row["email_state"] == "failed"
    app.config["SMTP_PORT"] = smtp.port
    sent = client.post(f"/api/v1/questions/{question.id}/resend", headers=tokens["registrant"])
    assert sent.status_code == 200 and sent.get_json()["email"] == "sent" and len(smtp.mails) == 1


def test_the_approver_cannot_publish_an_answer_to_a_question_they_wrote_through_the_api(client, session, tokens, question):
    client.post(f"/api/v1/questions/{question.id}/answer", json={"answer": "Mine."}, headers=tokens["approver"])
    own = client.post(f"/api/v1/questions/{question.id}/approve", headers=tokens["approver"])
    assert own.status_code == 409 and "Een ander moet het goedkeuren" in own.get_json()["error"]
    assert _questions_state(session)[0]["answer_state"] == "submitted"


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/v1/questions", None),
    ("post", "/api/v1/questions/{id}/answer", {"answer": "Not yours to answer."}),
    ("post", "/api/v1/questions/{id}/approve", None),
    ("post", "/api/v1/questions/{id}/resend", None),
])
def test_another_organisations_token_sees_no_questions_and_changes_nothing(client, session, world, question, method,
                                                                     path, body):
    from register.services import participation

    participation.write_answer(session=session, user=world.registrant_a, item=question, text="Antwoord.",
                               locale="nl")
    other = {"Authorization": "Bearer " + accounts.create_api_token(
        session=session, user=world.approver_b, organisation=world.org_b, name="t")[1]}
    session.commit()
    before = _questions_state(session)
    response = getattr(client, method)(path.format(id=question.id), json=body, headers=other)
    if method == "get":
        assert response.status_code == 200 and response.get_json()["items"] == []
    else:
        assert response.status_code == 403
    assert _questions_state(session) == before


@pytest.mark.parametrize("body, status, message", [
    ({}, 422, "Please write the answer."),
    ({"answer": 12}, 422, "Please write the answer."),
    ({"answer": "   "}, 422, "Please write the answer."),
    ({"answer": "x" * 4001}, 422, "at most 4000 characters, you used 4001"),
    ([1, 2], 400, "Send a JSON object"),
])
def test_a_bad_answer_to_a_question_is_refused_with_a_clear_message_and_nothing_stored(client, session, tokens, question, body,
                                                                        status, message):
    before = _questions_state(session)
    response = client.post(f"/api/v1/questions/{question.id}/answer?lang=en", json=body, headers=tokens["registrant"])
    assert response.status_code == status
    assert message in response.get_json()["error"] + " ".join(e["message"] for e in response.get_json()["errors"])
    assert _questions_state(session) == before


def test_an_unknown_question_is_a_404(client, tokens):
    assert client.post("/api/v1/questions/999/answer", json={"answer": "x"}, headers=tokens["registrant"]).status_code == 404
