"""Caches built before serving and brought up to date beside the copy that serves (issue 16)."""
from __future__ import annotations

from pathlib import Path

from register import create_app
from register.services import algorithms as algos
from register.services import explainers, listing, warmup
from register.services.model_versions import register_model
from register.web import warm

ARTEFACTS = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts"
NEUTRAL = {"description_short": "Korte tekst.", "purpose_and_impact": "Doel.", "decision_kinds": [],
           "theme": ["Bestuur"], "search_terms": None}


def publish(session, world, make_entry, name):
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                   data=make_entry(**(NEUTRAL | {"name": name})))
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    session.commit()
    return algorithm


def test_after_a_change_the_old_list_answers_while_the_new_one_is_built(session, world, make_entry):
    publish(session, world, make_entry, "Eerste")
    cache = {"wait": 0}  # a server that never lets a request wait for the rebuild
    assert listing.listing_index(session, cache).size == 1
    publish(session, world, make_entry, "Tweede")
    running = cache["listing_job"] = listing._Rebuild()  # a rebuild that has not finished yet
    assert listing.listing_index(session, cache).size == 1  # the old copy answers meanwhile
    running.done.set()
    # A request that may wait for the rebuild gets the new list.
    cache["wait"] = 600
    assert listing.listing_index(session, cache).size == 2
    publish(session, world, make_entry, "Derde")
    assert listing.listing_index(session, cache).size == 3
    assert cache["listing_job"] is not running


def test_the_keeper_rebuilds_the_list_and_keeps_an_explainer_whose_key_did_not_change(app, session, world,
                                                                                     make_entry):
    first = publish(session, world, make_entry, "Waarde van woningen")
    base = ARTEFACTS / "woz"

    def with_woz(algorithm):
        register_model(session=session, user=world.approver_a, algorithm=algorithm, data_dir=app.config["DATA_DIR"],
                       model=(base / "model.skops").read_bytes(), model_name="model.skops",
                       spec=(base / "spec.json").read_bytes(), spec_name="spec.json",
                       reference=(base / "reference.csv").read_bytes(), publish=True)
        session.commit()
    with_woz(first)
    explainers.EXPLAINERS.clear()
    caches = warm.caches(app)
    report = warmup.warm(caches)
    assert (report["explainers"], report["listed"]) == (1, 1)
    model = warmup.published_models(session)[0]
    built = explainers.EXPLAINERS.get(model, app.config["DATA_DIR"])

    # Another entry published with the same model, spec and reference data: the keeper updates the
    # list and finds the explainer it needs already there — the same object, not rebuilt.
    second = publish(session, world, make_entry, "Taxatie tweede wijk")
    keeper = warmup.Keeper(caches)  # started with the generation the warm-up saw
    with_woz(second)
    # Registering builds an explainer in the registering process; another worker still holds the one
    # it warmed at start-up, as this process did before.
    explainers.EXPLAINERS.put(explainers.COPIES.get(model).key, built)
    keeper.refresh()
    assert caches.listing["listing"][1].size == 2
    models = warmup.published_models(session)
    assert len(models) == 2 and models[0].id != models[1].id
    assert all(explainers.EXPLAINERS.get(m, app.config["DATA_DIR"]) is built for m in models)


def test_command_line_runs_do_not_warm_the_caches(database_url, tmp_path):
    app = create_app({"ENV": "production", "SECRET_KEY": "a-long-random-value-" + "y" * 20,
                      "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "data")})
    try:
        assert app.extensions[warm.EXTENSION]["thread"] is None
        assert "listing" not in app.extensions[warm.LISTING_CACHE]
    finally:
        app.extensions["stadsregister.engine"].dispose()


def test_after_a_sensor_moved_the_old_map_answers_while_it_is_updated(session, world):
    import datetime as dt
    import threading

    from register.services import sensors as svc
    from register.services.sensors import mapindex

    data = {"reference": "CAM-1", "sensor_type": "camera", "themes": ["safety-surveillance-camera"],
            "measures": "Beelden van de stoep", "purpose": "Beveiliging", "personal_data": True,
            "legal_ground": "legitimate-interest", "privacy_statement_url": "https://a.example/privacy",
            "retention_days": 28, "lat": 52.3731, "lon": 4.8926,
            "end_date": (dt.date.today() + dt.timedelta(days=300)).isoformat(),
            "contact_name": "Jan Jansen", "contact_email": "jan.jansen@example.org", "contact_phone": "0612345678"}
    sensor = svc.create_sensor(session, user=world.registrant_a, organisation=world.org_a, data=data)
    session.commit()
    today = dt.date.today()
    cache = {"wait": 0}
    assert mapindex.map_index(session, cache, today).sensors[0]["lat"] == 52.3731
    svc.update_sensor(session, user=world.registrant_a, sensor=sensor, data={"lat": 52.361, "lon": 4.9025})
    session.commit()
    running = cache["update_job"] = threading.Event()  # an update that has not finished yet
    assert mapindex.map_index(session, cache, today).sensors[0]["lat"] == 52.3731  # the old copy answers
    running.set()
    cache["wait"] = 600  # a request that may wait for the update gets the sensor where it is now
    assert mapindex.map_index(session, cache, today).sensors[0]["lat"] == 52.361
    assert cache["update_job"] is not running


def test_every_page_template_is_compiled_in_the_master_before_workers_are_forked(app):
    """A worker's first visitors do not wait while it compiles the templates (gunicorn's master warms)."""
    compiled = warm._compile_templates(app)
    assert {"base.html", "public/algorithm.html", "public/sensor.html", "errors/error.html"} <= set(compiled)
    cached = {key[1] for key in app.jinja_env.cache.keys()}
    assert set(compiled) <= cached
    assert len(compiled) == len(app.jinja_env.list_templates(extensions=["html"]))
