"""A DCAT-AP catalogue of the register's open data, for open-data portals to harvest (issue #17).

DCAT-AP 2.1.1/3.0 (SEMIC) with what DCAT-AP-NL and data.overheid.nl ask for on top: every dataset
has an identifier, a publisher, a contact point, a licence and Dutch and English titles; every
distribution an access URL, a format, a media type and a licence. Datasets: the algorithm entries
in the publication standard's shape, the sensors as GeoJSON, CSV and GeoPackage, the SensorThings
API as a data service, residents' published questions with the answers, the yearly Vendor Lock-in
Index and the costs and footprint overview (issue 15).
"""
from __future__ import annotations

from datetime import UTC, datetime, time

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD
from sqlalchemy import func
from sqlmodel import Session, select

from register.models import Algorithm, Organisation
from register.models.footprint import CpuMeasurement, LockinIndex
from register.models.participation import Contribution
from register.models.sensor import Sensor
from register.services.standard import SCHEMA as STANDARD

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
STANDARD_SCHEMA = URIRef(STANDARD["$id"])  # the publication standard's own JSON Schema id
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SENSORTHINGS = URIRef("http://www.opengis.net/doc/is/sensorthings/1.1")
CONTEXT = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD), "xsd": str(XSD)}


def _text(graph: Graph, subject, predicate, nl: str, en: str) -> None:
    graph.add((subject, predicate, Literal(nl, lang="nl")))
    graph.add((subject, predicate, Literal(en, lang="en")))


def _stamp(value: datetime | None) -> Literal | None:
    return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime) if value else None


def publisher_name(session: Session, configured: str = "") -> str:
    """The catalogue's publisher: the setting, else the register's first municipality, else its name."""
    if configured:
        return configured
    first = session.exec(select(Organisation).where(Organisation.kind == "municipality").order_by(Organisation.id)).first()
    return first.name if first else "Stadsregister"


def build(session: Session, *, base_url: str, publisher: str) -> Graph:
    """The catalogue as an RDF graph; ``base_url`` is the register's public address."""
    base = base_url.rstrip("/")
    g = Graph()
    for prefix, namespace in CONTEXT.items():
        g.bind(prefix, namespace)
    catalog = URIRef(f"{base}/catalog")
    agent, contact = URIRef(f"{base}/catalog#publisher"), URIRef(f"{base}/catalog#contact")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(publisher)))
    g.add((agent, DCTERMS.type, URIRef("http://purl.org/adms/publishertype/LocalAuthority")))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(publisher)))
    g.add((contact, VCARD.hasURL, URIRef(f"{base}/about")))
    g.add((catalog, RDF.type, DCAT.Catalog))
    _text(g, catalog, DCTERMS.title, f"Open data van het Stadsregister ({publisher})",
          f"Open data of the City Register ({publisher})")
    _text(g, catalog, DCTERMS.description,
          "De algoritmes en AI-systemen die de gemeente gebruikt en de sensoren in de openbare ruimte, als open data.",
          "The algorithms and AI systems the city uses and the sensors in public space, as open data.")
    g.add((catalog, DCTERMS.publisher, agent))
    g.add((catalog, FOAF.homepage, URIRef(f"{base}/")))
    g.add((catalog, DCTERMS.license, CC0))
    for code in ("NLD", "ENG"):
        g.add((catalog, DCTERMS.language, URIRef(f"{EU}language/{code}")))
    g.add((catalog, DCAT.themeTaxonomy, URIRef(f"{EU}data-theme")))

    def dataset(key: str, nl: tuple[str, str], en: tuple[str, str], landing: str, themes: list[str],
                keywords: list[str], modified: datetime | None) -> URIRef:
        node = URIRef(f"{base}/catalog#{key}")
        g.add((node, RDF.type, DCAT.Dataset))
        _text(g, node, DCTERMS.title, nl[0], en[0])
        _text(g, node, DCTERMS.description, nl[1], en[1])
        g.add((node, DCTERMS.identifier, Literal(str(node))))
        g.add((node, DCTERMS.publisher, agent))
        g.add((node, DCAT.contactPoint, contact))
        g.add((node, DCAT.landingPage, URIRef(base + landing)))
        g.add((node, DCTERMS.license, CC0))
        g.add((node, DCTERMS.accessRights, URIRef(f"{EU}access-right/PUBLIC")))
        for theme in themes:
            g.add((node, DCAT.theme, URIRef(f"{EU}data-theme/{theme}")))
        for word in keywords:
            g.add((node, DCAT.keyword, Literal(word, lang="nl")))
        if modified:
            g.add((node, DCTERMS.modified, _stamp(modified)))
        g.add((catalog, DCAT.dataset, node))
        return node

    def distribution(ds: URIRef, key: str, path: str, file_type: str, media: str, title: str,
                     conforms: URIRef | None = None) -> URIRef:
        node = URIRef(f"{base}/catalog#{key}")
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCAT.accessURL, URIRef(base + path)))
        g.add((node, DCAT.downloadURL, URIRef(base + path)))
        g.add((node, DCTERMS.title, Literal(title, lang="en")))
        g.add((node, DCTERMS["format"], URIRef(f"{EU}file-type/{file_type}")))
        g.add((node, DCAT.mediaType, URIRef(IANA + media)))
        g.add((node, DCTERMS.license, CC0))
        if conforms is not None:
            g.add((node, DCTERMS.conformsTo, conforms))
        g.add((ds, DCAT.distribution, node))
        return node

    published = session.exec(select(func.max(Algorithm.published_at))).one()
    algorithms = dataset(
        "algorithms", ("Algoritmeregister", ("Alle gepubliceerde algoritmes en AI-systemen van de gemeente, in de "
                                             "velden van de publicatiestandaard voor het Algoritmeregister.")),
        ("Algorithm register", ("Every published algorithm and AI system of the city, in the fields of the Dutch "
                                "algorithm register's publication standard.")),
        "/algorithms", ["GOVE", "TECH"], ["algoritmes", "AI", "algoritmeregister"], published)
    distribution(algorithms, "algorithms-json", "/open-data/algorithms.json", "JSON", "application/json",
                 "Algorithms (JSON, publication standard v1.0.0)", STANDARD_SCHEMA)
    distribution(algorithms, "algorithms-csv", "/open-data/algorithms.csv", "CSV", "text/csv", "Algorithms (CSV)")

    updated = session.exec(select(func.max(Sensor.updated_at))).one()
    sensors = dataset(
        "sensors", ("Sensorregister", ("De sensoren in de openbare ruimte: plaats, eigenaar, wat ze meten en of ze "
                                       "persoonsgegevens verwerken.")),
        ("Sensor register", ("The sensors in public space: where they are, who owns them, what they measure and "
                             "whether they process personal data.")),
        "/sensors", ["GOVE", "ENVI", "TRAN"], ["sensoren", "camera's", "openbare ruimte"], updated)
    distribution(sensors, "sensors-geojson", "/sensors.geojson", "GEOJSON", "application/geo+json", "Sensors (GeoJSON)")
    distribution(sensors, "sensors-csv", "/sensors.csv", "CSV", "text/csv", "Sensors (CSV)")
    distribution(sensors, "sensors-gpkg", "/sensors.gpkg", "GPKG", "application/geopackage+sqlite3",
                 "Sensors (GeoPackage)")
    service = URIRef(f"{base}/catalog#sensorthings")
    g.add((service, RDF.type, DCAT.DataService))
    _text(g, service, DCTERMS.title, "SensorThings API van het sensorregister", "SensorThings API of the sensor register")
    g.add((service, DCAT.endpointURL, URIRef(f"{base}/sta/v1.1/")))
    g.add((service, DCTERMS.conformsTo, SENSORTHINGS))
    g.add((service, DCAT.servesDataset, sensors))
    g.add((service, DCTERMS.publisher, agent))
    g.add((service, DCTERMS.license, CC0))
    g.add((catalog, DCAT.service, service))
    sta = distribution(sensors, "sensors-sensorthings", "/sta/v1.1/Things", "JSON", "application/json",
                       "Sensors (OGC SensorThings API v1.1)", SENSORTHINGS)
    g.remove((sta, DCAT.downloadURL, None))
    g.add((sta, DCAT.accessService, service))
    _participation_and_costs(session, dataset, distribution, base)
    return g


def _latest(*values) -> datetime | None:
    """The latest of some datetimes and dates (a date counts from its start, UTC)."""
    found = [v if isinstance(v, datetime) else datetime.combine(v, time.min) for v in values if v is not None]
    return max((v if v.tzinfo else v.replace(tzinfo=UTC) for v in found), default=None)


def _participation_and_costs(session: Session, dataset, distribution, base: str) -> None:
    """Residents' questions and answers, the Vendor Lock-in Index and the costs overview (issue 15)."""
    published = [Contribution.state == "published"]
    asked = session.exec(select(func.max(Contribution.moderated_at)).where(*published)).one()
    answered = session.exec(select(func.max(Contribution.answered_at)).where(*published)).one()
    questions = dataset(
        "questions", ("Vragen van inwoners en de antwoorden", (
            "Vragen, meningen en foutmeldingen van inwoners over de algoritmes van de gemeente, met de antwoorden "
            "van de organisatie en of het antwoord te laat is. Zonder persoonsgegevens.")),
        ("Residents' questions and the answers", (
            "Residents' questions, views and error reports about the city's algorithms, with the organisation's "
            "answers and whether the answer is late. No personal data.")),
        "/algorithms?open_questions=yes", ["GOVE", "SOCI"], ["participatie", "inspraak", "vragen", "algoritmes"],
        _latest(asked, answered))
    distribution(questions, "questions-json", "/questions.json", "JSON", "application/json",
                 "Residents' questions and answers (JSON)")
    distribution(questions, "questions-csv", "/questions.csv", "CSV", "text/csv",
                 "Residents' questions and answers (CSV)")

    method = URIRef(f"{base}/lock-in-index/method")
    index = dataset(
        "lock-in-index", ("Vendor Lock-in Index", (
            "Per jaar en per domein: hoe afhankelijk de gemeente is van digitale leveranciers (licentie, hosting, "
            "open standaarden, exitstrategie, vervangbaarheid), de leveranciers waarvan elk domein het meest "
            "afhangt en de verandering sinds vorig jaar. Een gepubliceerd jaar verandert niet meer.")),
        ("Vendor Lock-in Index", (
            "Per year and per domain: how dependent the city is on digital suppliers (licence, hosting, open "
            "standards, exit strategy, replaceability), the suppliers each domain depends on most and the change "
            "since last year. A published year never changes.")),
        "/lock-in-index", ["GOVE", "TECH", "ECON"], ["leveranciers", "vendor lock-in", "open standaarden"],
        session.exec(select(func.max(LockinIndex.published_at))).one())
    distribution(index, "lock-in-index-json", "/lock-in-index.json", "JSON", "application/json",
                 "Vendor Lock-in Index, latest published year (JSON)", method)
    distribution(index, "lock-in-index-csv", "/lock-in-index.csv", "CSV", "text/csv",
                 "Vendor Lock-in Index, latest published year (CSV)", method)

    costs = dataset(
        "costs", ("Kosten en voetafdruk van algoritmes", (
            "Per domein en voor de hele gemeente: de opgegeven jaarlijkse kosten (licentie, hosting, personeel) en "
            "het energiegebruik van algoritmes, elk cijfer met bron en jaar, en de rekentijd, energie en CO2e die "
            "het register zelf meet bij uitleg over beslissingen.")),
        ("Costs and footprint of algorithms", (
            "Per domain and for the whole city: the declared yearly costs (licence, hosting, staff) and energy use "
            "of algorithms, each figure with its source and year, and the CPU time, energy and CO2e the register "
            "measures itself when it explains decisions.")),
        "/costs", ["GOVE", "ECON", "ENVI"], ["kosten", "energie", "CO2", "duurzaamheid"],
        _latest(session.exec(select(func.max(Algorithm.published_at))).one(),
                session.exec(select(func.max(CpuMeasurement.day))).one()))
    distribution(costs, "costs-json", "/costs.json", "JSON", "application/json", "Costs and footprint (JSON)")


def serialise(graph: Graph, fmt: str) -> str:
    """``turtle`` or ``json-ld`` (with a compact context)."""
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context=CONTEXT, indent=2)
    return graph.serialize(format="turtle")

