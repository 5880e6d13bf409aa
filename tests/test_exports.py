"""/cases.json and /cases.csv: their shape, the shared filters, paging, and safe cells."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import StreamingHttpResponse

from cases import exports
from cases.models import Case, Organization, Region, Theme

from .factories import (
    ATE,
    BARCELONA,
    HOMENET,
    make_case,
    make_contact,
    make_organization,
)

pytestmark = pytest.mark.django_db

CSV_HEADER = [
    "slug",
    "title",
    "url",
    "description",
    "region",
    "country",
    "city",
    "themes",
    "marked_absent",
    "organizations",
    "organization_kinds",
    "contacts",
]


def get_json(client, url: str = "/cases.json", status: int = 200, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def csv_rows(client, **params) -> list[dict[str, str]]:
    response = client.get("/cases.csv", params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.reader(io.StringIO(body))
    header = next(reader)
    assert header == CSV_HEADER
    return [dict(zip(header, row, strict=True)) for row in reader]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def numbered_cases(n: int, prefix: str = "Numbered case", **kwargs) -> None:
    for i in range(n):
        make_case(f"{prefix} {i:03d}", **kwargs)


# --- JSON ---


def test_json_envelope_has_count_links_and_results(client, imported):
    data = get_json(client)

    assert data.keys() == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert data["next"] is None
    assert data["previous"] is None
    assert [case["title"] for case in data["results"]] == [BARCELONA, ATE, HOMENET]


def test_json_case_has_exactly_the_documented_shape(client, imported):
    barcelona = Case.objects.get(title=BARCELONA)

    (case,) = get_json(client, country="ES")["results"]

    assert case == {
        "slug": barcelona.slug,
        "title": BARCELONA,
        "url": f"http://testserver/cases/{barcelona.slug}/",
        "description": barcelona.description,
        "region": "europe",
        "country": "ES",
        "city": "Barcelona",
        "themes": ["recognizing-the-informal-economy", "social-cohesion"],
        "marked_absent": False,
        "organizations": [
            {
                "name": "Cooperativa Labcoop, SCCL",
                "slug": "cooperativa-labcoop-sccl",
                "kind": "sse-organization",
                "contacts": [{"honorific": "Mr.", "name": "Guillermo Rojo", "role": ""}],
            },
            {
                "name": "Ayuntamiento de Barcelona",
                "slug": "ayuntamiento-de-barcelona",
                "kind": "government-and-public-agency",
                "contacts": [
                    {
                        "honorific": "Ms.",
                        "name": "Elisenda Vegué Gisbert",
                        "role": "Chief of Operations, Other Economies",
                    }
                ],
            },
        ],
    }


def test_json_shows_the_absent_mark_and_an_organization_without_contact(client, imported):
    (case,) = get_json(client, country="PK")["results"]

    assert case["marked_absent"] is True
    assert case["title"] == HOMENET
    assert case["city"] == ""
    assert case["organizations"] == [
        {
            "name": "HomeNet Pakistan",
            "slug": "homenet-pakistan",
            "kind": "sse-organization",
            "contacts": [],
        }
    ]


def test_json_case_without_region_or_country_says_null_and_empty(client):
    make_case("A case with no place")

    (case,) = get_json(client)["results"]

    assert case["region"] is None
    assert case["country"] == ""
    assert case["themes"] == []
    assert case["organizations"] == []


def test_json_detail_is_the_same_case_as_in_the_list(client, imported):
    listed = {case["slug"]: case for case in get_json(client)["results"]}

    for slug, case in listed.items():
        assert get_json(client, f"/cases/{slug}.json") == case


def test_json_of_an_unknown_case_is_404(client, imported):
    assert client.get("/cases/no-such-case.json").status_code == 404


@pytest.mark.parametrize("url", ["/cases.json", "/cases.csv", "/cases/{slug}/"])
def test_contact_email_is_never_published(client, url):
    coop = make_organization("Cooperativa Privada")
    contact = make_contact(coop, "Ana Ruiz", role="Chair", email="ana.private@example.org")
    case = make_case(organizations=[(coop, contact)])

    response = client.get(url.format(slug=case.slug))
    body = b"".join(response.streaming_content) if response.streaming else response.content

    assert b"Ana Ruiz" in body
    assert b"ana.private" not in body
    assert b"email" not in body


def test_json_pages_hold_50_cases_by_default(client):
    numbered_cases(55)

    first = get_json(client)
    second = get_json(client, page=2)

    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert parse_qs(urlsplit(first["next"]).query) == {"page": ["2"]}
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert parse_qs(urlsplit(second["previous"]).query) == {"page": ["1"]}


def test_json_page_size_can_be_chosen_up_to_500(client):
    numbered_cases(12)

    assert len(get_json(client, page_size=5)["results"]) == 5
    assert len(get_json(client, page_size=500)["results"]) == 12
    assert get_json(client, page_size=501, status=400)["error"]


def test_json_next_and_previous_keep_the_filters(client):
    numbered_cases(5, themes=["women"], region="asia")
    numbered_cases(1, prefix="Youth case", themes=["youth"])

    first = get_json(client, theme="women", page_size=2, sort="-title")
    second = get_json(client, path_of(first["next"]))
    third = get_json(client, path_of(second["next"]))

    expected = {"theme": ["women"], "page_size": ["2"], "sort": ["-title"]}
    assert parse_qs(urlsplit(first["next"]).query) == {**expected, "page": ["2"]}
    assert first["next"].startswith("http://testserver/cases.json?")
    assert parse_qs(urlsplit(third["previous"]).query) == {**expected, "page": ["2"]}
    assert third["next"] is None
    titles = [case["title"] for page in (first, second, third) for case in page["results"]]
    assert titles == [f"Numbered case {i:03d}" for i in range(4, -1, -1)]


def test_json_page_past_the_end_is_a_404_json_error(client, imported):
    data = get_json(client, page=2, status=404)

    assert "error" in data


def test_json_page_of_no_results_is_empty_not_404(client, imported):
    data = get_json(client, theme="indicators-and-measures-of-impact")

    assert data == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"theme": ["women", "youth"]}, [ATE, HOMENET]),
        ({"region": "LATIN-AMERICA"}, [ATE]),
        ({"country": "es"}, [BARCELONA]),
        ({"kind": "government-and-public-agency"}, [BARCELONA]),
        ({"q": "vegue"}, [BARCELONA]),
        (
            {"theme": "recognizing-the-informal-economy", "sort": "-title"},
            [HOMENET, ATE, BARCELONA],
        ),
        ({"theme": "women", "region": "europe"}, []),
    ],
)
def test_json_honours_the_list_filters(client, imported, params, titles):
    assert [case["title"] for case in get_json(client, **params)["results"]] == titles


# --- CSV ---


def test_csv_streams_as_an_attachment(client, imported):
    response = client.get("/cases.csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert 'filename="cases.csv"' in response["Content-Disposition"]


def test_csv_has_a_header_and_one_row_per_case(client, imported):
    rows = csv_rows(client)

    assert [row["title"] for row in rows] == [BARCELONA, ATE, HOMENET]


def test_csv_row_joins_lists_with_semicolons(client, imported):
    barcelona, ate, homenet = csv_rows(client)

    assert barcelona["themes"] == "recognizing-the-informal-economy; social-cohesion"
    assert barcelona["organizations"] == "Cooperativa Labcoop, SCCL; Ayuntamiento de Barcelona"
    assert barcelona["organization_kinds"] == "sse-organization; government-and-public-agency"
    assert "Elisenda Vegué Gisbert" in barcelona["contacts"].split("; ")[1]
    assert "Guillermo Rojo" in barcelona["contacts"].split("; ")[0]
    assert ate["themes"] == "recognizing-the-informal-economy; social-cohesion; youth"
    assert homenet["contacts"] == ""


def test_csv_row_carries_the_facts_of_the_case(client, imported):
    ate = csv_rows(client, country="PE")[0]
    case = Case.objects.get(title=ATE)

    assert ate["slug"] == case.slug
    assert ate["url"] == f"http://testserver/cases/{case.slug}/"
    assert ate["description"] == case.description
    assert (ate["region"], ate["country"], ate["city"]) == ("latin-america", "PE", "Lima")
    assert ate["marked_absent"] == "false"
    assert csv_rows(client, country="PK")[0]["marked_absent"] == "true"


def test_csv_lists_every_match_without_pages(client):
    numbered_cases(120)

    assert len(csv_rows(client)) == 120


def test_csv_read_in_chunks_is_the_csv_read_at_once(client, monkeypatch):
    numbered_cases(25)
    whole = client.get("/cases.csv").getvalue()
    monkeypatch.setattr(exports, "CSV_CHUNK", 4)

    assert client.get("/cases.csv").getvalue() == whole


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"theme": ["women", "youth"]}, [ATE, HOMENET]),
        ({"region": "asia"}, [HOMENET]),
        ({"country": "es"}, [BARCELONA]),
        ({"kind": "government-and-public-agency"}, [BARCELONA]),
        ({"q": "asociacion"}, [ATE]),
        ({"sort": "-title"}, [HOMENET, ATE, BARCELONA]),
        ({"theme": "women", "region": "europe"}, []),
    ],
)
def test_csv_honours_the_list_filters(client, imported, params, titles):
    assert [row["title"] for row in csv_rows(client, **params)] == titles


@pytest.mark.parametrize(
    "title",
    [
        '=HYPERLINK("http://evil.example","Click for details")',
        "+1 cooperative of waste pickers",
        "-1 cooperative of waste pickers",
        "@SUM(1+1) cooperative of waste pickers",
    ],
)
def test_csv_neutralises_cells_that_a_spreadsheet_would_run(client, title):
    org = make_organization(f"{title[0]}cmd|' /C calc'!A0")
    make_case(title, organizations=[org])

    (row,) = csv_rows(client)

    assert row["title"] == f"'{title}"
    assert row["organizations"] == f"'{org.name}"


@pytest.fixture
def unchecked_slugs(db):
    """Let the test store slugs the database refuses, to reach the guard behind that rule."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:  # dropped inside the test's transaction, so back when it rolls back
            for table in ("case", "organization", "region", "theme"):
                cursor.execute(
                    f"ALTER TABLE cases_{table} DROP CONSTRAINT cases_{table}_slug_start"
                )
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def test_csv_guards_every_column_that_holds_text(client, unchecked_slugs):
    org = make_organization("=HYPERLINK(org)")
    contact = make_contact(org, "+contact", honorific="", role="-role")
    case = make_case(
        "=title",
        description="@description",
        themes=["youth"],
        region="europe",
        city="-city",
        organizations=[(org, contact)],
    )
    Case.objects.filter(pk=case.pk).update(slug="-2-3", country="=1")
    Organization.objects.filter(pk=org.pk).update(kind="+kind")
    Theme.objects.filter(slug="youth").update(slug="=cmd")
    Region.objects.filter(slug="europe").update(slug="-europe")

    (row,) = csv_rows(client)

    assert (row["slug"], row["themes"], row["region"]) == ("'-2-3", "'=cmd", "'-europe")
    # The URL starts with the scheme and marked_absent is true or false: nothing to guard.
    texts = {name: value for name, value in row.items() if name not in {"url", "marked_absent"}}
    assert [name for name, value in texts.items() if not value.startswith("'")] == []


@pytest.mark.parametrize(
    "params",
    [{}, {"theme": "youth"}, {"q": "asociacion"}, {"region": "europe", "country": "es"}],
)
def test_csv_announces_how_many_rows_it_streams(client, imported, params):
    make_case("A draft nobody may see", status=Case.Status.DRAFT, themes=["youth"])

    response = client.get("/cases.csv", params)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert int(response["X-Total-Count"]) == len(rows) - 1  # the header is not a row


def test_csv_of_no_matches_announces_zero_rows(client, imported):
    response = client.get("/cases.csv", {"theme": "indicators-and-measures-of-impact"})

    assert response["X-Total-Count"] == "0"


def test_csv_leaves_ordinary_cells_alone(client, imported):
    (row,) = csv_rows(client, country="ES")

    assert row["title"] == BARCELONA
    assert row["city"] == "Barcelona"


def test_csv_of_no_matches_is_just_the_header(client, imported):
    assert csv_rows(client, theme="indicators-and-measures-of-impact") == []


def test_organization_kind_keys_in_exports_are_the_documented_ones(client, imported):
    kinds = {org["kind"] for case in get_json(client)["results"] for org in case["organizations"]}

    assert kinds <= set(Organization.Kind.values)
    assert kinds == {"sse-organization", "government-and-public-agency"}
