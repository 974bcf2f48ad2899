"""The demo shows participation, the lock-in index and costs: the Slimme Check stopped after the panel's advice."""
from datetime import date

from sqlmodel import select

from register.models import Advice, Contribution, LockinIndex
from register.services.demo import archive_stopped_trial, load_demo
from register.services.participation_demo import load_demo_participation


def test_the_demo_shows_each_feature_and_loads_once(app, session, client):
    with app.app_context():
        load_demo(session)
        archive_stopped_trial(session)
        assert "lock-in index" in load_demo_participation(session)[0]
        before = [len(session.exec(select(m)).all()) for m in (Advice, Contribution, LockinIndex)]
        assert load_demo_participation(session) == ["Demo participation, lock-in and costs are already loaded."]
    session.expire_all()
    assert [len(session.exec(select(m)).all()) for m in (Advice, Contribution, LockinIndex)] == before == [2, 4, 1]
    from register.models import Algorithm

    check = session.exec(select(Algorithm).where(Algorithm.source_id == "AMS-BIJ-001")).one()
    data = client.get(f"/algorithms/{check.code}/questions.json?lang=en").get_json()
    assert data["advice"][0]["adviser"] == "Citizens' panel" and data["advice"][0]["outcome"] == "stopped"
    assert [m["who"] for m in data["timeline"]][:2] == ["adviser", "city"]
    assert data["timeline"][-1]["kind"] == "archived" and data["items"][0]["answer"]
    answered = session.exec(select(Contribution).where(Contribution.answer_state == "published")).one()
    assert answered.answer_email_state == "failed"  # the demo has no mail server: the queue says so
    parking = session.exec(select(Algorithm).where(Algorithm.source_id == "AMS-PARK-001")).one()
    counts = client.get(f"/algorithms/{parking.code}.json").get_json()["participation"]
    assert counts["overdue"] == 1 and counts["open"] == 3
    index = client.get("/lock-in-index.json").get_json()["index"]
    assert index["year"] == date.today().year - 1 and index["frozen"] is True
    now = client.get(f"/lock-in-index.json?year={date.today().year}").get_json()["index"]
    assert now["city"]["change"] < 0  # the filled-in fields show less dependence than last year's unknowns
    assert client.get("/costs.json").get_json()["overview"]["city"]["with_figures"] == 3
