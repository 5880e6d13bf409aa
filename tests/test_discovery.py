"""Discovery: the sitemaps, robots.txt and the Atom feed; drafts never reach any of them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import unescape
from urllib.robotparser import RobotFileParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from protego import Protego

from cases.models import Case
from cases.sitemaps import CaseSitemap

from .factories import make_case, make_organization

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
EARLY = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NEWEST = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def updated(case: Case, moment: datetime) -> None:
    """Set a case's update time (auto_now would overwrite it on save)."""
    Case.objects.filter(pk=case.pk).update(updated_at=moment)


@pytest.fixture
def site(settings):
    """SITE_URL set; requests arrive on another (internal) host name."""
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["internal.example", "catalogue.example.org", "testserver"]


@pytest.fixture
def catalogue(db) -> dict[str, Case]:
    """Two published cases and a newer draft that shares their theme, region and organization.

    The draft alone names "Draft Only Foundation" and is the newest case of all.
    """
    shared = make_organization("Shared Cooperative")
    other = make_organization("Other Cooperative")
    draft_only = make_organization("Draft Only Foundation")
    cases = {
        "early": make_case(
            "Bakers of Lyon", themes=["women"], region="europe", organizations=[shared]
        ),
        "later": make_case(
            "Weavers of Pune", themes=["youth"], region="asia", organizations=[other, shared]
        ),
        "draft": make_case(
            "Secret zeppelin cooperative",
            themes=["women"],
            region="europe",
            organizations=[shared, draft_only],
            status=Case.Status.DRAFT,
        ),
    }
    updated(cases["early"], EARLY)
    updated(cases["later"], LATER)
    updated(cases["draft"], NEWEST)
    return cases


def xml_of(client, url: str, **headers) -> ET.Element:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(("application/xml", "application/atom+xml"))
    return ET.fromstring(response.content)


def sitemap_entries(client, url: str, **headers) -> dict[str, str | None]:
    """{location: lastmod or None} of a sitemap (or of a sitemap index), English pages only:
    tests/test_i18n.py checks the other languages' entries."""
    root = xml_of(client, url, **headers)
    entries = {}
    for entry in root:
        lastmod = entry.find(f"{SITEMAP}lastmod")
        location = entry.find(f"{SITEMAP}loc").text
        if not re.search(r"//[^/]+/(es|fr)/", location):
            entries[location] = None if lastmod is None else lastmod.text
    return entries


# Sitemaps


def test_sitemap_index_lists_every_section_on_site_url(client, site, catalogue):
    entries = sitemap_entries(client, "/sitemap.xml", HTTP_HOST="internal.example")

    assert list(entries) == [
        f"{SITE}/sitemap-{section}.xml"
        for section in ("pages", "cases", "organizations", "themes", "regions", "collections")
    ]
    # Each section's latest change is the latest published one, never the newer draft's.
    assert entries[f"{SITE}/sitemap-cases.xml"].startswith("2025-06-01")
    assert entries[f"{SITE}/sitemap-themes.xml"].startswith("2025-06-01")


def test_case_sitemap_lists_published_cases_with_their_update_day(client, site, catalogue):
    entries = sitemap_entries(client, "/sitemap-cases.xml", HTTP_HOST="internal.example")

    assert entries == {
        f"{SITE}{catalogue['early'].get_absolute_url()}": "2025-03-01",
        f"{SITE}{catalogue['later'].get_absolute_url()}": "2025-06-01",
    }


def test_organization_sitemap_lists_public_organizations_at_their_latest_case(
    client, site, catalogue
):
    entries = sitemap_entries(client, "/sitemap-organizations.xml")

    assert entries == {
        f"{SITE}/organizations/other-cooperative/": "2025-06-01",
        f"{SITE}/organizations/shared-cooperative/": "2025-06-01",
    }
    assert "draft-only-foundation" not in str(entries)


def test_theme_and_region_lastmod_is_their_latest_published_case(client, site, catalogue):
    themes = sitemap_entries(client, "/sitemap-themes.xml")
    regions = sitemap_entries(client, "/sitemap-regions.xml")

    # Women: only the early case is published (the newer draft does not count).
    assert themes[f"{SITE}/themes/women/"] == "2025-03-01"
    assert themes[f"{SITE}/themes/youth/"] == "2025-06-01"
    assert themes[f"{SITE}/themes/social-cohesion/"] is None  # listed, nothing to date it
    assert regions[f"{SITE}/regions/europe/"] == "2025-03-01"
    assert regions[f"{SITE}/regions/asia/"] == "2025-06-01"


def test_page_sitemap_lists_home_lists_data_and_api(client, site, catalogue):
    entries = sitemap_entries(client, "/sitemap-pages.xml")

    paths = ["/", "/cases/", "/organizations/", "/themes/", "/collections/", "/data/", "/api/"]
    assert entries == {f"{SITE}{path}": "2025-06-01" for path in paths}


@pytest.mark.parametrize("section", ["cases", "organizations", "themes", "regions"])
def test_a_sitemap_costs_the_same_queries_for_few_or_many_pages(client, catalogue, section):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/sitemap-{section}.xml").status_code == 200
        return len(context)

    few = queries()
    for n in range(4):
        make_case(
            f"More cases {n}",
            themes=["women", "youth"],
            region="africa",
            organizations=[make_organization(f"More Cooperative {n}")],
        )
    assert queries() == few


def test_index_and_section_queries_are_pinned(client, catalogue, django_assert_num_queries):
    # Catalogue state, the pages' latest change; per other section its count and latest change.
    with django_assert_num_queries(12):
        client.get("/sitemap.xml")
    # Catalogue state, the count of pages, the page of cases.
    with django_assert_num_queries(3):
        client.get("/sitemap-cases.xml")


def test_a_large_section_is_split_into_pages_the_index_lists(client, catalogue, monkeypatch):
    monkeypatch.setattr(CaseSitemap, "limit", 1)

    index = sitemap_entries(client, "/sitemap.xml")
    first = sitemap_entries(client, "/sitemap-cases.xml")
    second = sitemap_entries(client, "/sitemap-cases.xml?p=2")

    assert "http://testserver/sitemap-cases.xml?p=2" in index
    assert "http://testserver/sitemap-cases.xml?p=3" not in index
    assert len(first) == len(second) == 1
    assert first != second
    assert client.get("/sitemap-cases.xml?p=3").status_code == 404
    assert client.get("/sitemap-cases.xml?p=two").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-cases.xml"])
def test_sitemaps_themselves_stay_out_of_search_results(client, catalogue, url):
    for _ in range(2):  # the second answer is the shared copy
        assert client.get(url)["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_sitemaps_answer_304_until_the_catalogue_changes(client, catalogue):
    first = client.get("/sitemap-cases.xml")
    again = client.get("/sitemap-cases.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    make_case("A newly published case")
    changed = client.get("/sitemap-cases.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert b"a-newly-published-case" in changed.content


# robots.txt


def robots_txt(client) -> str:
    response = client.get("/robots.txt", HTTP_HOST="internal.example")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode()


def robots(client) -> Protego:
    """robots.txt as a crawler following RFC 9309 (wildcards included) reads it."""
    return Protego.parse(robots_txt(client))


def test_robots_points_to_the_absolute_sitemap(client, site):
    assert list(robots(client).sitemaps) == [f"{SITE}/sitemap.xml"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/cases/case/",
        "/cases/?theme=women",
        "/cases/?q=bakers&sort=recent",
        "/cases/?page=2",
        "/cases/feed/?region=europe",
        "/cases.json?theme=women&page=3",
        "/cases.csv?country=FR",
    ],
)
def test_robots_keeps_crawlers_out_of_admin_and_filter_combinations(client, site, path):
    assert not robots(client).can_fetch(f"{SITE}{path}", "*")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/",
        "/cases/bakers-of-lyon/",
        "/cases/feed/",
        "/cases.json",
        "/cases.csv",
        "/themes/women/",
        "/organizations/",
        "/data/",
        "/api/",
        "/sitemap-cases.xml",
    ],
)
def test_robots_lets_crawlers_read_every_public_page(client, site, path):
    assert robots(client).can_fetch(f"{SITE}{path}", "*")


def test_a_crawler_without_wildcards_still_reads_the_case_pages(client, site):
    # Python's own parser drops a trailing "?": the rules must not read as "all of /cases/".
    parser = RobotFileParser()
    parser.parse(robots_txt(client).splitlines())
    assert parser.can_fetch("*", f"{SITE}/cases/bakers-of-lyon/")
    assert not parser.can_fetch("*", f"{SITE}/admin/")


# Atom feed


def feed_entries(client, query: str = "", **headers) -> list[dict[str, str]]:
    root = xml_of(client, f"/cases/feed/{query}", **headers)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


def test_feed_lists_published_cases_most_recently_updated_first(client, catalogue):
    entries = feed_entries(client)

    assert [entry["title"] for entry in entries] == ["Weavers of Pune", "Bakers of Lyon"]
    assert entries[0]["updated"].startswith("2025-06-01T09:00:00")
    assert entries[0]["author"] == "Other Cooperative; Shared Cooperative"


def test_feed_holds_the_50_most_recently_updated_cases(client, catalogue):
    for n in range(50):
        updated(make_case(f"Numbered case {n:02d}"), datetime(2024, 1, 1 + n % 28, tzinfo=UTC))

    titles = [entry["title"] for entry in feed_entries(client)]

    assert len(titles) == 50
    assert titles[:2] == ["Weavers of Pune", "Bakers of Lyon"]
    assert "Secret zeppelin cooperative" not in titles


@pytest.mark.parametrize(
    "query",
    [
        {"theme": "women"},
        {"region": ["asia", "europe"]},
        {"country": "es"},
        {"kind": "sse-organization"},
        {"q": "weavers"},
        {"q": "cooperative", "theme": "youth"},
    ],
)
def test_feed_takes_every_filter_of_the_case_list(client, catalogue, query):
    make_case("Market of Madrid", themes=["youth"], country="ES")
    expected = {case["title"] for case in client.get("/cases.json", query).json()["results"]}
    response = client.get("/cases/feed/", query)
    titles = {
        entry.findtext(f"{ATOM}title")
        for entry in ET.fromstring(response.content).iter(f"{ATOM}entry")
    }
    assert titles == expected
    assert "Secret zeppelin cooperative" not in titles


def test_feed_with_an_unknown_filter_is_a_400_saying_why(client, catalogue):
    response = client.get("/cases/feed/", {"theme": "zeppelins"})
    assert response.status_code == 400
    assert "Unknown theme" in response.content.decode()


def test_feed_links_start_with_site_url_and_keep_the_filters(client, site, catalogue):
    root = xml_of(client, "/cases/feed/?theme=women&sort=recent", HTTP_HOST="internal.example")

    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": f"{SITE}/cases/?theme=women",
        "self": f"{SITE}/cases/feed/?theme=women",
    }
    assert root.findtext(f"{ATOM}title") == "SSE case-study catalogue: Theme: Women"
    entry_link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert entry_link == f"{SITE}{catalogue['early'].get_absolute_url()}"
    assert "internal.example" not in ET.tostring(root, encoding="unicode")


def test_feed_text_is_escaped_once(client):
    make_case("Bread & <Roses>", description="Cats & <dogs>\n\nSecond paragraph.")

    entry = feed_entries(client)[0]

    assert entry["title"] == "Bread & <Roses>"
    assert entry["summary"] == "<p>Cats &amp; &lt;dogs&gt;</p>\n\n<p>Second paragraph.</p>"
    assert unescape(re.sub(r"<[^>]+>", "", entry["summary"])).startswith("Cats & <dogs>")


def test_list_page_links_its_feed_with_its_filters_but_not_page_or_sort(client, catalogue):
    for n in range(21):
        make_case(f"Women's case {n:02d}", themes=["women"])

    page = client.get("/cases/", {"theme": "women", "sort": "recent", "page": "2"})

    alternates = re.findall(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*>', page.content.decode()
    )
    assert len(alternates) == 1
    assert 'href="/cases/feed/?theme=women"' in alternates[0]
    assert len(feed_entries(client, "?theme=women")) == 22


def test_feed_costs_the_same_queries_for_few_or_many_entries(
    client, catalogue, django_assert_num_queries
):
    # Catalogue state, the vocabulary (themes, regions, countries), the cases, their themes
    # and their organizations.
    with django_assert_num_queries(7):
        client.get("/cases/feed/", {"theme": "women"})
    for n in range(10):
        make_case(f"More women's cases {n}", themes=["women"], organizations=[make_organization()])
    with django_assert_num_queries(7):
        assert len(feed_entries(client, "?theme=women")) == 11
