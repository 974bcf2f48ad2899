"""The DCAT-AP catalogue of the register's open data (issue #17, point 5)."""
import json
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

SHAPES = Graph().parse(Path(__file__).with_name("dcat_ap_shapes.ttl"))
BASE = "http://localhost"


def catalogue(client, path="/catalog.ttl", fmt="turtle"):
    response = client.get(path)
    assert response.status_code == 200
    return response, Graph().parse(data=response.get_data(as_text=True), format=fmt)


def conforms(graph):
    ok, _graph, text = validate(graph, shacl_graph=SHAPES, inference="none")
    return ok, text


def test_turtle_and_json_ld_say_the_same_and_conform_to_dcat_ap(client, published):
    turtle_response, turtle = catalogue(client)
    jsonld_response, jsonld = catalogue(client, "/catalog.jsonld", "json-ld")
    assert turtle_response.mimetype == "text/turtle" and jsonld_response.mimetype == "application/ld+json"
    assert isomorphic(turtle, jsonld)
    ok, report = conforms(turtle)
    assert ok, report
    assert "@context" in json.loads(jsonld_response.get_data(as_text=True))


def test_the_catalogue_lists_every_open_dataset_and_each_download_answers(client, published):
    _response, graph = catalogue(client)
    datasets = set(graph.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))
    assert {URIRef(f"{BASE}/catalog#algorithms"), URIRef(f"{BASE}/catalog#sensors")} <= datasets
    urls = {str(u) for u in graph.objects(None, DCAT.accessURL)}
    assert {f"{BASE}/open-data/algorithms.json", f"{BASE}/open-data/algorithms.csv", f"{BASE}/sensors.geojson",
            f"{BASE}/sensors.csv", f"{BASE}/sensors.gpkg", f"{BASE}/sta/v1.1/Things"} <= urls
    for url in urls:
        assert client.get(url.removeprefix(BASE)).status_code == 200, url
    service = URIRef(f"{BASE}/catalog#sensorthings")
    assert (service, RDF.type, DCAT.DataService) in graph
    assert (service, DCAT.endpointURL, URIRef(f"{BASE}/sta/v1.1/")) in graph
    exported = client.get("/open-data/algorithms.json").get_json()
    assert [r["name"] for r in exported] == ["Aanvragen parkeervergunning beoordelen"]
    assert graph.value(URIRef(f"{BASE}/catalog#algorithms"), DCTERMS.modified) is not None


def test_titles_are_in_dutch_and_english_and_the_publisher_is_the_city(client, published):
    _response, graph = catalogue(client)
    titles = set(graph.objects(URIRef(f"{BASE}/catalog#sensors"), DCTERMS.title))
    assert {Literal("Sensorregister", lang="nl"), Literal("Sensor register", lang="en")} <= titles
    assert "Gemeente Amsterdam" in {str(n) for n in graph.objects(None, URIRef("http://xmlns.com/foaf/0.1/name"))}


@pytest.mark.parametrize("drop", [DCTERMS.title, DCTERMS.description, DCAT.accessURL, DCTERMS.license])
def test_the_shapes_catch_a_missing_mandatory_property(client, published, drop):
    """The check can fail: remove one mandatory property and the catalogue no longer conforms."""
    _response, graph = catalogue(client)
    graph.remove((None, drop, None))
    ok, report = conforms(graph)
    assert not ok and str(drop).rsplit("/", 1)[-1].split("#")[-1] in report


def test_questions_the_lock_in_index_and_costs_are_datasets_whose_downloads_answer(client, session, world, published):
    """Issue 15's open data is in the catalogue, in Dutch and English, and conforms to DCAT-AP."""
    from register.services import participation

    item = participation.submit(session=session, algorithm=published, locale="nl", answer_days=10,
                                data={"kind": "question", "body": "Wie controleert dit?", "email": "a@example.net"})
    participation.moderate(session=session, user=world.registrant_a, item=item, decision="publish")
    _response, graph = catalogue(client)
    ok, report = conforms(graph)
    assert ok, report
    expected = {"questions": ["/questions.json", "/questions.csv"],
                "lock-in-index": ["/lock-in-index.json", "/lock-in-index.csv"], "costs": ["/costs.json"]}
    for key, paths in expected.items():
        node = URIRef(f"{BASE}/catalog#{key}")
        assert node in set(graph.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset)), key
        assert {t.language for t in graph.objects(node, DCTERMS.title)} == {"nl", "en"}
        urls = {str(graph.value(d, DCAT.accessURL)) for d in graph.objects(node, DCAT.distribution)}
        assert urls == {BASE + p for p in paths}
        for path in paths:
            assert client.get(path).status_code == 200, path
    assert graph.value(URIRef(f"{BASE}/catalog#questions"), DCTERMS.modified) is not None  # a question is public
    method = URIRef(f"{BASE}/lock-in-index/method")
    assert (URIRef(f"{BASE}/catalog#lock-in-index-json"), DCTERMS.conformsTo, method) in graph
    assert client.get("/lock-in-index/method").status_code == 200
    assert "a@example.net" not in client.get("/questions.csv").get_data(as_text=True)
