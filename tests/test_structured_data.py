"""schema.org JSON-LD in pages, and the OpenGraph and Twitter-card tags of every page."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests.factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"


class HeadReader(HTMLParser):
    """The JSON-LD scripts and the <meta> tags of a page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.meta: dict[str, str] = {}
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.scripts.append("")
        if tag == "meta":
            name = attrs.get("property") or attrs.get("name")
            if name:
                assert name not in self.meta, f"{name} twice"
                self.meta[name] = attrs.get("content", "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.scripts[-1] += data


def read_head(response) -> HeadReader:
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


def json_ld(response) -> dict:
    """The page's one JSON-LD object, parsed."""
    scripts = read_head(response).scripts
    assert len(scripts) == 1
    return json.loads(scripts[0])


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def bakers(site):
    coop = make_organization("Bakers Cooperative", country="FR", website="https://bakers.example")
    city = make_organization("City of Lyon", "government-and-public-agency")
    contact = make_contact(coop, "Ana Ruiz", role="Treasurer", email="ana@example.org")
    return make_case(
        "Bakers of Lyon",
        themes=["women", "youth"],
        region="europe",
        country="FR",
        city="Lyon",
        organizations=[(coop, contact), city],
    )


def test_case_page_describes_the_case_as_a_creative_work(client, bakers):
    data = json_ld(client.get(bakers.get_absolute_url()))
    url = f"{SITE}/cases/{bakers.slug}/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "CreativeWork"
    assert (data["name"], data["url"], data["@id"]) == ("Bakers of Lyon", url, url)
    assert data["description"] == bakers.description
    assert data["dateCreated"] == bakers.created_at.isoformat()
    assert data["dateModified"] == bakers.updated_at.isoformat()
    assert data["isPartOf"]["@type"] == "Dataset"


def test_case_themes_are_defined_terms(client, bakers):
    about = json_ld(client.get(bakers.get_absolute_url()))["about"]
    assert {term["@type"] for term in about} == {"DefinedTerm"}
    assert [term["termCode"] for term in about] == ["women", "youth"]
    assert about[0]["@id"] == f"{SITE}/themes/women/"


def test_case_place_has_city_country_and_region(client, bakers):
    place = json_ld(client.get(bakers.get_absolute_url()))["spatialCoverage"]
    assert place["@type"] == "Place"
    assert place["address"] == {
        "@type": "PostalAddress",
        "addressCountry": "FR",
        "addressLocality": "Lyon",
    }
    assert place["containedInPlace"]["url"] == f"{SITE}/regions/europe/"


def test_case_without_a_place_states_none(client, site):
    case = make_case("A case with nothing stated")
    assert "spatialCoverage" not in json_ld(client.get(case.get_absolute_url()))


def test_case_organizations_are_contributors_in_order(client, bakers):
    contributors = json_ld(client.get(bakers.get_absolute_url()))["contributor"]
    assert [org["name"] for org in contributors] == ["Bakers Cooperative", "City of Lyon"]
    assert [org["@type"] for org in contributors] == ["Organization", "GovernmentOrganization"]
    assert contributors[0]["url"] == f"{SITE}/organizations/bakers-cooperative/"
    assert contributors[0]["sameAs"] == "https://bakers.example"


def test_structured_data_never_holds_a_contact(client, bakers):
    page = client.get(bakers.get_absolute_url())
    text = read_head(page).scripts[0]
    assert "ana@example.org" not in page.content.decode()
    assert "Ana Ruiz" not in text and "Treasurer" not in text


def test_a_description_cannot_end_the_script(client, site):
    hostile = "Before </script><script>alert(1)</script> & after <!-- a comment"
    case = make_case("Hostile text", description=hostile)
    page = client.get(case.get_absolute_url())
    reader = read_head(page)
    assert json.loads(reader.scripts[0])["description"] == hostile
    assert "</script><script>alert" not in page.content.decode()


def test_the_content_security_policy_leaves_json_ld_alone(client, bakers):
    """JSON-LD is data, not run: script-src 'self' without 'unsafe-inline' is kept."""
    page = client.get(bakers.get_absolute_url())
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_organization_page_describes_an_organization(client, bakers):
    data = json_ld(client.get("/organizations/bakers-cooperative/"))
    assert data["@type"] == "Organization"
    assert data["name"] == "Bakers Cooperative"
    assert data["url"] == f"{SITE}/organizations/bakers-cooperative/"
    assert data["address"]["addressCountry"] == "FR"


def test_home_page_describes_the_dataset_and_its_downloads(client, bakers, settings):
    data = json_ld(client.get("/"))
    assert data["@type"] == "Dataset"
    assert data["license"] == settings.DATA_LICENSE_URL
    downloads = {d["encodingFormat"]: d["contentUrl"] for d in data["distribution"]}
    assert downloads == {
        "application/json": f"{SITE}/cases.json",
        "text/csv": f"{SITE}/cases.csv",
        "application/ld+json": f"{SITE}/cases.jsonld",
    }
    assert {d["@type"] for d in data["distribution"]} == {"DataDownload"}


def test_a_draft_never_appears_in_structured_data(client, bakers):
    make_case("Secret draft of Lyon", status=Case.Status.DRAFT, organizations=[])
    for url in ["/", bakers.get_absolute_url(), "/organizations/bakers-cooperative/"]:
        assert "Secret draft" not in "".join(read_head(client.get(url)).scripts)


def test_case_page_has_its_own_social_tags(client, bakers):
    meta = read_head(client.get(bakers.get_absolute_url())).meta
    assert meta["og:title"] == meta["twitter:title"] == "Bakers of Lyon"
    assert meta["og:url"] == f"{SITE}/cases/{bakers.slug}/"
    assert meta["og:type"] == "article"
    assert meta["og:description"].startswith(bakers.description[:50])
    assert meta["twitter:card"] == "summary"


@pytest.mark.parametrize(
    "url", ["/", "/cases/?theme=women", "/organizations/", "/themes/", "/regions/europe/", "/data/"]
)
def test_every_page_has_social_tags(client, bakers, url):
    meta = read_head(client.get(url)).meta
    for name in ["og:title", "og:description", "og:url", "og:type", "og:site_name"]:
        assert meta[name], name
    assert meta["og:url"].startswith(f"{SITE}{url.split('?')[0]}")
    assert meta["twitter:card"] == "summary"


def test_organization_page_has_its_own_social_tags(client, bakers):
    meta = read_head(client.get("/organizations/bakers-cooperative/")).meta
    assert meta["og:title"] == "Bakers Cooperative"
    assert meta["og:url"] == f"{SITE}/organizations/bakers-cooperative/"


def test_case_page_reads_themes_and_organizations_once(client, bakers):
    """The structured data uses what the page prefetched: no query per theme or organization."""
    with CaptureQueriesContext(connection) as captured:
        client.get(bakers.get_absolute_url())
    sql = [query["sql"] for query in captured.captured_queries]
    assert len([q for q in sql if 'FROM "cases_theme"' in q and "case_id" in q]) == 1
    assert len([q for q in sql if '"cases_organization"."name"' in q]) == 1
