"""Full-text search with Dutch stemming, on SQLite (FTS5) and PostgreSQL (dutch configuration)."""
from register.services import algorithms as algos
from register.services import search


NEUTRAL = {"description_short": "Korte tekst.", "purpose_and_impact": "Doel.", "decision_kinds": [],
           "theme": ["Bestuur"], "search_terms": None}


def publish(session, world, make_entry, **fields):
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                   data=make_entry(**(NEUTRAL | fields)))
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    return algorithm


def names(session, q, **filters):
    return [a.name for a in search.search(session, q=q, filters=filters)["items"]]


def test_dutch_inflections_find_each_other(session, world, make_entry):
    publish(session, world, make_entry, name="Beoordelen bijstandsaanvraag", description_short="Elke aanvraag wordt gecontroleerd.")
    publish(session, world, make_entry, name="Waarde van woningen", description_short="Taxatie van iedere woning in de stad.")
    assert names(session, "aanvragen") == ["Beoordelen bijstandsaanvraag"]
    assert names(session, "woning") == ["Waarde van woningen"]
    assert names(session, "woningen") == ["Waarde van woningen"]


def test_search_covers_organisation_decision_kinds_and_search_terms(session, world, make_entry):
    publish(session, world, make_entry, name="Taxatiemodel", decision_kinds=["WOZ-beschikking"], search_terms="OZB")
    assert names(session, "woz") == ["Taxatiemodel"]
    assert names(session, "ozb") == ["Taxatiemodel"]
    assert names(session, "amsterdam") == ["Taxatiemodel"]


def test_every_word_must_match_and_prefixes_count(session, world, make_entry):
    publish(session, world, make_entry, name="Parkeercontrole met scanauto")
    publish(session, world, make_entry, name="Parkeervergunning aanvragen", description_short="Aanvraag controleren.")
    assert sorted(names(session, "parkeer")) == ["Parkeercontrole met scanauto", "Parkeervergunning aanvragen"]
    assert names(session, "parkeer scanauto") == ["Parkeercontrole met scanauto"]
    assert names(session, "onbekendwoord") == []


def test_name_matches_rank_above_body_matches(session, world, make_entry):
    publish(session, world, make_entry, name="Toezicht op kinderopvang", description_short="Inspecties plannen.")
    publish(session, world, make_entry, name="Inspectieplanning", description_short="Ook voor kinderopvang gebruikt.")
    assert names(session, "kinderopvang")[0] == "Toezicht op kinderopvang"


def test_punctuation_and_quotes_in_queries_are_harmless(session, world, make_entry):
    publish(session, world, make_entry, name="Parkeren")
    for q in ['"', "park*", "a AND OR NOT", "'); DROP TABLE algorithm; --", "ñ:*&|!"]:
        search.search(session, q=q)


def test_a_new_version_replaces_the_old_text_in_the_index(session, world, make_entry):
    algorithm = publish(session, world, make_entry, name="Oude naam")
    algos.update_entry(session=session, user=world.registrant_a, algorithm=algorithm, partial=True,
                       data={"name": "Verkeerslichten afstellen"})
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    assert names(session, "oude") == []
    assert names(session, "verkeerslichten") == ["Verkeerslichten afstellen"]


def test_an_index_written_before_migration_0006_is_converted_and_ranks_name_matches_first(app, session, world,
                                                                                         make_entry):
    """Migration 0006_search_title changes the index of a running register (PostgreSQL: the name's
    words in a column of their own; SQLite: an FTS5 table without word positions): the index is
    converted, not emptied, and the name still comes first."""
    from alembic import command
    from sqlalchemy import text

    from register import db

    publish(session, world, make_entry, name="Toezicht op kinderopvang", description_short="Inspecties plannen.")
    publish(session, world, make_entry, name="Inspectieplanning", description_short="Ook voor kinderopvang gebruikt.")
    session.commit()
    url, engine = app.config["DATABASE_URL"], app.extensions["stadsregister.engine"]
    postgres = engine.dialect.name == "postgresql"

    def shape() -> str:
        with engine.connect() as conn:
            if postgres:
                return " ".join(sorted(r[0] for r in conn.execute(text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'algorithm_search'"))))
            return conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'algorithm_fts'")).scalar_one()

    engine.dispose()
    command.downgrade(db.alembic_config(url), "0005_resident_impact_facet")
    try:
        before = shape()
        assert before == "algorithm_id document" if postgres else "detail" not in before
    finally:
        db.upgrade(url)
    after = shape()
    assert after == "algorithm_id document title" if postgres else "detail=column" in after
    assert names(session, "kinderopvang") == ["Toezicht op kinderopvang", "Inspectieplanning"]
    assert names(session, "inspectie") == ["Inspectieplanning", "Toezicht op kinderopvang"]
    assert names(session, "kinderop") == ["Toezicht op kinderopvang", "Inspectieplanning"]
