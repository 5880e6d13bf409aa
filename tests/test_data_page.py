"""/data/: counts, a data dictionary true to the exports, the licence, the dataset citation,
every download and when the data last changed."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.test import Client

from cases import exports
from cases.models import Case, CatalogueState

from .factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

SITE = "https://catalogue.example.org"


@pytest.fixture
def catalogue(db) -> dict[str, Case]:
    """Two published cases in two countries; a draft with an organization and country of its own."""
    coop = make_organization("Bakers Cooperative")
    contact = make_contact(coop, "Ana Ruiz", role="Treasurer", email="ana@example.org")
    return {
        "bakers": make_case(
            "Bakers of Lyon",
            themes=["women"],
            region="europe",
            country="FR",
            organizations=[(coop, contact)],
        ),
        "weavers": make_case("Weavers of Pune", country="IN", organizations=[coop]),
        "draft": make_case(
            "Secret zeppelin cooperative",
            country="DE",
            organizations=[make_organization("Zeppelin Foundation")],
            status=Case.Status.DRAFT,
        ),
    }


def data_page(client=None, **headers) -> str:
    response = (client or Client()).get("/data/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def table_after(page: str, heading_id: str) -> list[list[str]]:
    """The body rows (cell texts) of the first table after the heading `heading_id`."""
    section = page[page.index(f'id="{heading_id}"') :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [text_of(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def json_paths(value, prefix: str = "") -> list[str]:
    """Every key of a JSON value, nested ones as `organizations[].name`."""
    paths = []
    if isinstance(value, dict):
        for key, item in value.items():
            paths.append(prefix + key)
            paths += json_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        paths += json_paths(value[0], prefix[:-1] + "[].")
    return paths


def test_counts_leave_drafts_out(catalogue):
    holds = text_of(data_page().split('id="holds-heading"')[1].split("</section>")[0])
    assert "Cases 2 " in holds
    assert "Organizations 1 " in holds
    assert "Countries 2 " in holds
    assert "Themes 5 " in holds
    assert "Regions 7 " in holds


def test_dictionary_lists_every_key_of_the_real_json_in_order(client, catalogue):
    case = client.get(f"/cases/{catalogue['bakers'].slug}.json").json()
    envelope = client.get("/cases.json").json()

    page = data_page()
    case_rows = table_after(page, "json-case-heading")
    page_rows = table_after(page, "json-page-heading")

    assert [row[0] for row in case_rows] == json_paths(case)
    assert [row[0] for row in page_rows] == list(envelope)
    assert all(meaning for _, _, meaning in case_rows + page_rows)
    types = {path: kind for path, kind, _ in case_rows}
    assert types["region"] == "string or null"
    assert types["themes"] == "array of strings"
    assert types["organizations"] == "array of objects"
    assert types["marked_absent"] == "boolean"


def test_dictionary_lists_every_csv_column_in_order(client, catalogue):
    body = b"".join(client.get("/cases.csv").streaming_content).decode()
    header = next(csv.reader(io.StringIO(body)))

    rows = table_after(data_page(), "csv-heading")

    assert [row[0] for row in rows] == header == exports.CSV_HEADER
    assert all(kind and meaning for _, kind, meaning in rows)


def test_the_json_builders_follow_the_declarations(client, catalogue):
    case = client.get(f"/cases/{catalogue['bakers'].slug}.json").json()
    organization = case["organizations"][0]
    assert list(case) == [field.name for field in exports.CASE_FIELDS]
    assert list(organization) == [field.name for field in exports.ORGANIZATION_FIELDS]
    assert list(organization["contacts"][0]) == [field.name for field in exports.CONTACT_FIELDS]
    assert "ana@example.org" not in str(case)


def test_licence_defaults_to_cc_by_4(catalogue):
    page = data_page()
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in page


def test_licence_comes_from_the_settings(settings, client, catalogue):
    settings.DATA_LICENSE = "ODbL 1.0"
    settings.DATA_LICENSE_URL = ""

    page = data_page()
    feed = client.get("/cases/feed/").content.decode()

    assert "under the ODbL 1.0 licence" in text_of(page)
    assert "creativecommons" not in page
    assert "<rights>Data licence: ODbL 1.0</rights>" in feed


def test_data_page_gives_the_dataset_citation(settings, catalogue):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["internal.example"]
    CatalogueState.objects.current(public=True)
    CatalogueState.objects.filter(pk=2).update(changed_at=datetime(2025, 6, 2, 8, tzinfo=UTC))

    page = data_page(HTTP_HOST="internal.example")
    citation = text_of(page.split('class="citation">')[1].split("</p>")[0])

    assert citation == (
        "SSE case-study catalogue (2025). SSE case-study catalogue: case studies of the social "
        "and solidarity economy [Data set]. Last updated 2 June 2025. Licence: CC BY 4.0. "
        f"{SITE}/data/"
    )
    assert "@misc{sse-case-study-catalogue," in page
    assert "internal.example" not in page


def test_data_page_links_every_download_and_the_api(catalogue):
    page = data_page()
    for href in (
        "/cases.json",
        "/cases.csv",
        "/cases/feed/",
        "/sitemap.xml",
        "/api/",
        "/api/openapi.json",
    ):
        assert f'href="{href}"' in page
    for pattern in ("/cases/&lt;slug&gt;.json", "cite.bib", "cite.ris", "cite.json"):
        assert pattern in page


def test_data_page_says_when_published_data_last_changed(client, editor_client, catalogue):
    CatalogueState.objects.current(public=True)
    CatalogueState.objects.filter(pk=2).update(changed_at=datetime(2025, 6, 2, 8, tzinfo=UTC))

    assert 'datetime="2025-06-02T08:00:00+00:00"' in data_page()
    # Staff see the same date: a draft edit is no change to the published data.
    make_case("Another draft", status=Case.Status.DRAFT)
    assert 'datetime="2025-06-02T08:00:00+00:00"' in data_page(editor_client)


@pytest.mark.parametrize("url", ["/", "/cases/", "/themes/", "/data/", "/api/"])
def test_every_page_links_data_and_api_in_its_footer(client, catalogue, url):
    page = client.get(url).content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'href="/data/"' in footer
    assert 'href="/api/"' in footer


def test_data_page_queries_are_pinned(client, catalogue, django_assert_num_queries):
    # Catalogue state (validators), the public state's date, and five counts.
    with django_assert_num_queries(7):
        client.get("/data/")
