"""The OpenAPI description: valid, built from the live vocabulary, true to the real answers;
and the public data readable from any origin, never with credentials."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate

from cases.filters import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SORTS
from cases.models import Case, Organization, Theme
from cases.views import FILTERED_PARAMETERS

from .factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"
DRAFT = "Secret zeppelin cooperative"


@pytest.fixture
def catalogue(db) -> dict[str, Case]:
    """Published cases with organizations and contacts, and a draft of their theme."""
    coop = make_organization("Bakers Cooperative", country="FR")
    city = make_organization("City of Lyon", "government-and-public-agency")
    contact = make_contact(coop, "Ana Ruiz", role="Treasurer", email="ana@example.org")
    cases = {
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
        "draft": make_case(DRAFT, themes=["women"], status=Case.Status.DRAFT),
    }
    return cases


def get_document(client, **headers) -> dict:
    response = client.get("/api/openapi.json", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def validator(document: dict, component: str) -> Draft202012Validator:
    """A validator of one schema of the document ($refs resolve inside the document)."""
    schema = {**document, "$ref": f"#/components/schemas/{component}"}
    return Draft202012Validator(schema)


def parameters(document: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}


def response_schema(document, path: str, status: str, media_type="application/json") -> dict:
    return document["paths"][path]["get"]["responses"][status]["content"][media_type]["schema"]


# The document


def test_the_document_is_valid_openapi_3_1(client, catalogue):
    document = get_document(client)
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_the_document_describes_every_public_data_url(client, catalogue):
    paths = get_document(client)["paths"]
    assert set(paths) == {"/cases.json", "/cases/{slug}.json", "/cases.csv", "/cases/feed/"}


def test_every_parameter_a_view_reads_is_documented(client, catalogue):
    document = get_document(client)
    for name, read in FILTERED_PARAMETERS.items():
        documented = parameters(document, reverse(name))
        query = [p for p, spec in documented.items() if spec["in"] == "query"]
        assert query == list(read)
    assert set(parameters(document, "/cases.json")) >= {"page_size", "page", "If-None-Match"}
    assert "page" not in parameters(document, "/cases/feed/")


def test_parameter_values_come_from_the_live_vocabulary(client, catalogue):
    Theme.objects.create(name="Care Work", slug="care-work")

    params = parameters(get_document(client), "/cases.json")

    assert params["theme"]["schema"]["items"]["enum"] == list(
        Theme.objects.values_list("slug", flat=True)
    )
    assert "care-work" in params["theme"]["schema"]["items"]["enum"]
    assert "europe" in params["region"]["schema"]["items"]["enum"]
    assert params["kind"]["schema"]["items"]["enum"] == Organization.Kind.values
    assert {"FR", "IN", "ZW"} <= set(params["country"]["schema"]["items"]["enum"])
    assert params["sort"]["schema"]["enum"] == [key for key, _ in SORTS]
    assert params["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE
    assert params["q"]["schema"]["maxLength"] == MAX_QUERY_LENGTH


def test_the_document_starts_at_site_url_and_states_the_licence(client, settings, catalogue):
    settings.SITE_URL = SITE
    settings.DATA_LICENSE = "ODbL 1.0"
    settings.DATA_LICENSE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"

    document = get_document(client)

    assert document["servers"] == [{"url": SITE}]
    assert document["info"]["license"] == {
        "name": "ODbL 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }


def test_the_document_states_etags_304_and_the_csv_row_count(client, catalogue):
    paths = get_document(client)["paths"]
    for item in paths.values():
        responses = item["get"]["responses"]
        assert "304" in responses
        assert "ETag" in responses["200"]["headers"]
    csv_headers = paths["/cases.csv"]["get"]["responses"]["200"]["headers"]
    assert csv_headers["X-Total-Count"]["schema"]["type"] == "integer"


# Real answers against the document's schemas


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"theme": "women"},
        {"theme": ["women", "youth"], "region": "europe", "sort": "-title"},
        {"q": "bakers", "sort": "relevance"},
        {"country": "fr", "kind": "government-and-public-agency"},
        {"page_size": "1", "page": "2"},
    ],
)
def test_list_answers_match_the_page_schema(client, catalogue, query):
    document = get_document(client)
    response = client.get("/cases.json", query)
    assert response.status_code == 200
    validator(document, "CasePage").validate(response.json())
    assert DRAFT not in response.content.decode()


@pytest.mark.parametrize("case", ["bakers", "weavers", "bare"])
def test_one_case_answers_match_the_case_schema(client, catalogue, case):
    document = get_document(client)
    response = client.get(f"/cases/{catalogue[case].slug}.json")
    assert response.status_code == 200
    schema = response_schema(document, "/cases/{slug}.json", "200")
    assert schema == {"$ref": "#/components/schemas/Case"}
    validator(document, "Case").validate(response.json())


def test_the_case_schema_refuses_a_contact_email_and_a_missing_key(client, catalogue):
    document = get_document(client)
    case = client.get(f"/cases/{catalogue['bakers'].slug}.json").json()
    case["organizations"][0]["contacts"][0]["email"] = "ana@example.org"
    with pytest.raises(ValidationError):
        validator(document, "Case").validate(case)
    del case["organizations"][0]["contacts"][0]["email"]
    del case["city"]
    with pytest.raises(ValidationError):
        validator(document, "Case").validate(case)


@pytest.mark.parametrize(
    "query",
    [{"theme": "zeppelins"}, {"page": "two"}, {"page_size": "501"}, {"sort": "price"}],
)
def test_a_bad_parameter_answers_the_documented_400(client, catalogue, query):
    document = get_document(client)
    response = client.get("/cases.json", query)
    assert response.status_code == 400
    assert response_schema(document, "/cases.json", "400") == {"$ref": "#/components/schemas/Error"}
    validator(document, "Error").validate(response.json())
    assert set(response.json()["errors"]) == set(query)


@pytest.mark.parametrize("path", ["/cases.csv", "/cases/feed/"])
def test_downloads_answer_a_bad_parameter_with_the_documented_page(client, catalogue, path):
    document = get_document(client)
    response = client.get(path, {"region": "atlantis"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "text/html" in document["paths"][path]["get"]["responses"]["400"]["content"]


@pytest.mark.parametrize(
    "url",
    ["/cases/no-such-case.json", "/cases/secret-zeppelin-cooperative.json", "/cases.json?page=9"],
)
def test_a_missing_case_or_page_answers_the_documented_404(client, catalogue, url):
    document = get_document(client)
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    validator(document, "NotFound").validate(response.json())


def test_staff_still_see_a_draft_as_json(editor_client, catalogue):
    response = editor_client.get(f"/cases/{catalogue['draft'].slug}.json")
    assert response.status_code == 200
    assert response.json()["title"] == DRAFT


def test_etag_answers_304_as_documented(client, catalogue):
    for url in [
        "/cases.json?theme=women",
        f"/cases/{catalogue['bakers'].slug}.json",
        "/cases/feed/",
    ]:
        first = client.get(url)
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_csv_counts_its_rows_in_x_total_count(client, catalogue):
    response = client.get("/cases.csv", {"theme": "women"})
    rows = b"".join(response.streaming_content).decode().strip().split("\r\n")
    assert int(response["X-Total-Count"]) == len(rows) - 1 == 2


# Cross-origin reads


def data_urls(catalogue) -> list[str]:
    slug = catalogue["bakers"].slug
    return [
        "/cases.json?theme=women",
        f"/cases/{slug}.json",
        "/cases.csv",
        "/cases/feed/",
        "/api/openapi.json",
        f"/cases/{slug}/cite.bib",
        "/cases.json?theme=zeppelins",  # errors too: a script can read why
        "/cases/no-such-case.json",
    ]


def test_public_data_is_readable_from_any_origin_without_credentials(client, catalogue):
    for url in data_urls(catalogue):
        response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert not response.has_header("Access-Control-Allow-Credentials"), url


def test_a_304_to_another_origin_allows_it_too(client, catalogue):
    etag = client.get("/cases.json")["ETag"]
    response = client.get("/cases.json", HTTP_IF_NONE_MATCH=etag, HTTP_ORIGIN="https://x.example")
    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_conditional_get_from_a_script_passes_its_preflight(client, catalogue):
    response = client.options(
        "/cases.json",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert not response.has_header("Access-Control-Allow-Credentials")


@pytest.mark.parametrize("url", ["/", "/cases/", "/api/", "/data/", "/admin/login/"])
def test_pages_stay_same_origin(client, catalogue, url):
    response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
    assert not response.has_header("Access-Control-Allow-Origin")
    preflight = client.options(url, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert not preflight.has_header("Access-Control-Allow-Origin")


# The page for people


def test_api_page_lists_every_endpoint_and_its_parameters(client, catalogue):
    response = client.get("/api/")
    page = response.content.decode()

    assert response.status_code == 200
    for path in ("/cases.json", "/cases/{slug}.json", "/cases.csv", "/cases/feed/"):
        assert f"<code>GET {path}</code>" in page
    for name in ("q", "theme", "region", "country", "kind", "sort", "page", "page_size"):
        assert f"<code>{name}</code>" in page
    assert ", ".join(Theme.objects.values_list("slug", flat=True)) in page  # the live themes
    assert re.search(r'href="/api/openapi\.json"', page)
    assert DRAFT not in page


def test_the_document_costs_the_vocabulary_queries_only(
    client, catalogue, django_assert_num_queries
):
    # Catalogue state and the vocabulary (themes, regions, countries), then nothing.
    with django_assert_num_queries(4):
        get_document(client)
