"""/cases.jsonld (JSON-LD or Turtle) and content negotiation on case pages, read with rdflib."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from cases.models import Case
from tests.factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"
SCHEMA = Namespace("https://schema.org/")
ESSGLOBAL = Namespace("https://w3id.solidarityeconomy.coop/essglobal/V2a/vocab/")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def catalogue(settings) -> dict[str, Case]:
    settings.SITE_URL = SITE
    coop = make_organization("Bakers Cooperative", country="FR")
    city = make_organization("City of Lyon", "government-and-public-agency")
    contact = make_contact(coop, "Ana Ruiz", role="Treasurer", email="ana@example.org")
    hidden = make_organization("Only in a draft")
    return {
        "bakers": make_case(
            "Bakers of Lyon",
            themes=["women", "youth"],
            region="europe",
            country="FR",
            city="Lyon",
            organizations=[(coop, contact), city],
        ),
        "weavers": make_case("Weavers of Pune", themes=["women"], region="asia", country="IN"),
        "bare": make_case("A case with nothing stated"),
        "draft": make_case(
            "Secret draft", themes=["women"], status=Case.Status.DRAFT, organizations=[hidden]
        ),
    }


def graph_of(response, rdf_format: str) -> Graph:
    assert response.status_code == 200, response.content
    return Graph().parse(data=response.content.decode(), format=rdf_format)


def case_iri(case: Case) -> URIRef:
    return URIRef(f"{SITE}/cases/{case.slug}/")


def cases_in(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, SCHEMA.CreativeWork))


def published(catalogue) -> set[URIRef]:
    return {case_iri(case) for case in catalogue.values() if not case.is_draft}


@pytest.mark.parametrize(("query", "rdf_format"), [("", "json-ld"), ("?format=ttl", "turtle")])
def test_every_published_case_and_no_draft(client, catalogue, query, rdf_format):
    response = client.get(f"/cases.jsonld{query}")
    graph = graph_of(response, rdf_format)
    assert cases_in(graph) == published(catalogue)
    text = response.content.decode()
    assert "Secret draft" not in text and "Only in a draft" not in text
    assert "ana@example.org" not in text and "Ana Ruiz" not in text


def test_json_ld_and_turtle_hold_the_same_graph(client, catalogue):
    json_ld = graph_of(client.get("/cases.jsonld"), "json-ld")
    turtle = graph_of(client.get("/cases.jsonld?format=ttl"), "turtle")
    assert json_ld.isomorphic(turtle)


def test_media_types(client, catalogue):
    assert client.get("/cases.jsonld")["Content-Type"] == "application/ld+json"
    turtle = client.get("/cases.jsonld?format=ttl")
    assert turtle["Content-Type"] == "text/turtle; charset=utf-8"
    assert turtle.content.decode().startswith("@prefix")


def test_a_case_in_schema_org_terms(client, catalogue):
    graph = graph_of(client.get("/cases.jsonld?format=ttl"), "turtle")
    case = case_iri(catalogue["bakers"])
    assert graph.value(case, SCHEMA.name) == Literal("Bakers of Lyon")
    assert graph.value(case, SCHEMA.url) == case
    themes = {graph.value(term, SCHEMA.termCode) for term in graph.objects(case, SCHEMA.about)}
    assert themes == {Literal("women"), Literal("youth")}
    place = graph.value(case, SCHEMA.spatialCoverage)
    address = graph.value(place, SCHEMA.address)
    assert graph.value(address, SCHEMA.addressCountry) == Literal("FR")
    assert graph.value(address, SCHEMA.addressLocality) == Literal("Lyon")


def test_organizations_with_their_kind_and_essglobal_type(client, catalogue):
    graph = graph_of(client.get("/cases.jsonld"), "json-ld")
    coop = URIRef(f"{SITE}/organizations/bakers-cooperative/#organization")
    city = URIRef(f"{SITE}/organizations/city-of-lyon/#organization")
    assert set(graph.objects(case_iri(catalogue["bakers"]), SCHEMA.contributor)) == {coop, city}
    assert graph.value(coop, SCHEMA.name) == Literal("Bakers Cooperative")
    assert graph.value(coop, SCHEMA.additionalType) == ESSGLOBAL.SSEInitiative
    assert (city, RDF.type, SCHEMA.GovernmentOrganization) in graph
    assert graph.value(city, SCHEMA.additionalType) is None


def test_filters_of_the_case_list_apply(client, catalogue):
    response = client.get("/cases.jsonld?theme=women&region=europe")
    assert cases_in(graph_of(response, "json-ld")) == {case_iri(catalogue["bakers"])}
    searched = client.get("/cases.jsonld?q=weavers&format=ttl")
    assert cases_in(graph_of(searched, "turtle")) == {case_iri(catalogue["weavers"])}


@pytest.mark.parametrize(
    "query", ["?theme=zeppelins", "?format=rdfxml", "?page=zero", "?page_size=100000"]
)
def test_a_bad_query_is_a_400_that_says_why(client, catalogue, query):
    response = client.get(f"/cases.jsonld{query}")
    assert response.status_code == 400
    assert response.json()["error"]


def test_pages_link_to_each_other(client, catalogue):
    first = client.get("/cases.jsonld?page_size=2&format=ttl")
    assert first["X-Total-Count"] == "3"
    assert first["Link"] == f'<{SITE}/cases.jsonld?page_size=2&format=ttl&page=2>; rel="next"'
    second = client.get("/cases.jsonld?page_size=2&format=ttl&page=2")
    assert 'rel="prev"' in second["Link"] and 'rel="next"' not in second["Link"]
    together = cases_in(graph_of(first, "turtle")) | cases_in(graph_of(second, "turtle"))
    assert together == published(catalogue)
    assert client.get("/cases.jsonld?page=3&page_size=2").status_code == 404


def test_crawlers_skip_the_filter_combinations_of_linked_data(client, catalogue):
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /cases.jsonld?*" in robots.splitlines()


def test_linked_data_is_readable_from_any_origin(client, catalogue):
    for url in ["/cases.jsonld", "/cases.jsonld?format=ttl"]:
        response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Link" in response["Access-Control-Expose-Headers"]
        assert not response.has_header("Access-Control-Allow-Credentials")


# Content negotiation on /cases/<slug>/


@pytest.mark.parametrize(
    ("accept", "rdf_format", "media_type"),
    [
        ("application/ld+json", "json-ld", "application/ld+json"),
        ("text/turtle", "turtle", "text/turtle; charset=utf-8"),
        ("text/turtle;q=0.9, text/html;q=0.5", "turtle", "text/turtle; charset=utf-8"),
    ],
)
def test_a_case_page_answers_in_the_accepted_form(
    client, catalogue, accept, rdf_format, media_type
):
    case = catalogue["bakers"]
    response = client.get(case.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response["Content-Type"] == media_type
    assert cases_in(graph_of(response, rdf_format)) == {case_iri(case)}
    assert "Accept" in response["Vary"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "*/*", "application/pdf", None])
def test_a_case_page_is_html_otherwise(client, catalogue, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(catalogue["bakers"].get_absolute_url(), **headers)
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    assert not response.has_header("Access-Control-Allow-Origin")


def test_the_shared_copy_never_serves_turtle_to_a_browser(client, catalogue):
    url = catalogue["bakers"].get_absolute_url()
    turtle = client.get(url, HTTP_ACCEPT="text/turtle")
    page = client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert page["Content-Type"].startswith("text/html")
    assert b"<!doctype html>" in page.content
    again = client.get(url, HTTP_ACCEPT="text/turtle")
    assert again.content == turtle.content
    assert again["Content-Type"] == turtle["Content-Type"]


def test_each_form_has_its_own_etag(client, catalogue):
    url = catalogue["bakers"].get_absolute_url()
    html_etag = client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)["ETag"]
    turtle_etag = client.get(url, HTTP_ACCEPT="text/turtle")["ETag"]
    assert html_etag != turtle_etag
    stale = client.get(url, HTTP_ACCEPT="text/turtle", HTTP_IF_NONE_MATCH=html_etag)
    assert stale.status_code == 200 and stale["Content-Type"].startswith("text/turtle")
    fresh = client.get(url, HTTP_ACCEPT="text/turtle", HTTP_IF_NONE_MATCH=turtle_etag)
    assert fresh.status_code == 304
    assert fresh["Access-Control-Allow-Origin"] == "*"


def test_a_draft_case_is_404_as_linked_data_for_the_public(client, catalogue):
    url = catalogue["draft"].get_absolute_url()
    assert client.get(url, HTTP_ACCEPT="text/turtle").status_code == 404
    assert client.get(url, HTTP_ACCEPT="application/ld+json").status_code == 404


def test_the_linked_data_document_parses_without_fetching_a_context(client, catalogue):
    """The context is inline: a reader offline (or a strict one) gets the same triples."""
    context = json.loads(client.get("/cases.jsonld").content)["@context"]
    assert isinstance(context, dict) and context["@vocab"] == "https://schema.org/"
