"""The portal: sign in, forms with field errors next to the field, CSRF, and the workflow buttons."""
import re

from sqlmodel import select

from register.models import Algorithm


def form_data(entry):
    data = dict(entry)
    data["decision_kinds"] = "\n".join(entry.get("decision_kinds", []))
    return data


def test_sign_in_with_a_wrong_password_says_so(client, auth, world):
    response = auth.login(world.registrant_a.email, "wrong password")
    assert response.status_code == 401
    assert "Het e-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused(client, auth, world, make_entry, session):
    auth.login(world.registrant_a.email)
    response = client.post("/portal/algorithms/new", data=form_data(make_entry()) | {"organisation_id": world.org_a.id})
    assert response.status_code == 400
    assert session.exec(select(Algorithm)).all() == []


def test_a_registrant_registers_an_entry_through_the_form(client, auth, world, make_entry, session):
    auth.login(world.registrant_a.email)
    response = auth.post("/portal/algorithms/new", form_data(make_entry()) | {"organisation_id": world.org_a.id},
                         form_url="/portal/algorithms/new")
    assert response.status_code == 302
    algorithm = session.exec(select(Algorithm)).one()
    assert algorithm.public_state == "unpublished"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Concept opgeslagen." in page and "Indienen voor goedkeuring" in page


def test_field_errors_are_shown_next_to_each_field_and_input_is_kept(client, auth, world, make_entry, session):
    auth.login(world.registrant_a.email)
    data = form_data(make_entry(name="", start_date="maart 2023", description_short="Mijn beschrijving"))
    response = auth.post("/portal/algorithms/new?lang=en", data | {"organisation_id": world.org_a.id},
                         form_url="/portal/algorithms/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="e-name">.*Please fill in this field\.</p>', html)
    assert 'aria-describedby="e-start_date' in html and "Write the month as YYYY-MM" in html
    assert 'href="#f-name"' in html  # the error summary links to the field
    assert "Mijn beschrijving" in html
    assert session.exec(select(Algorithm)).all() == []


def test_submit_and_approve_through_the_portal(client, auth, world, make_entry, session):
    auth.login(world.registrant_a.email)
    auth.post("/portal/algorithms/new", form_data(make_entry()) | {"organisation_id": world.org_a.id},
              form_url="/portal/algorithms/new")
    code = session.exec(select(Algorithm)).one().code
    assert auth.post(f"/portal/algorithms/{code}/submit").status_code == 303
    auth.logout()
    auth.login(world.approver_a.email)
    page = client.get(f"/portal/algorithms/{code}").get_data(as_text=True)
    assert "Goedkeuren en publiceren" in page
    assert auth.post(f"/portal/algorithms/{code}/approve", {"reason": "Akkoord"}).status_code == 303
    assert client.get(f"/algorithms/{code}").status_code == 200


def test_sign_in_is_rate_limited_and_says_when_to_try_again(client, auth, world, app):
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 3
    for _ in range(3):
        assert auth.login(world.registrant_a.email, "wrong").status_code == 401
    response = auth.login(world.registrant_a.email, "wrong")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Probeer het over" in response.get_data(as_text=True)


def test_after_sign_in_people_are_never_sent_to_another_site(client, auth, world):
    token_page = client.get("/portal/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    response = client.post("/portal/login?next=https://evil.example/", data={
        "email": world.registrant_a.email, "password": "correct horse battery staple", "csrf_token": token})
    assert response.headers["Location"] == "/portal/"
