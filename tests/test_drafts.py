"""Drafts never reach the public; staff see them at their usual URL with a banner."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client
from pytest_django.asserts import assertInHTML

from cases.models import Case

from .factories import make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db

DRAFT = "Secret draft about zeppelin cooperatives"
PUBLISHED = "Public case about bakery cooperatives"


@pytest.fixture
def cases(db) -> dict[str, Case]:
    """A published case and a draft sharing a theme, a region and an organization.

    The draft alone uses the theme Youth, the country France, an organization of
    its own (of a kind no published case has) and the word "zeppelin".
    """
    shared = make_organization("Shared Cooperative", country="ES")
    own = make_organization("Zeppelin Foundation", "private-sector", country="FR")
    published = make_case(
        PUBLISHED,
        themes=["women"],
        region="europe",
        country="ES",
        organizations=[shared],
    )
    draft = make_case(
        DRAFT,
        themes=["women", "youth"],
        region="europe",
        country="FR",
        organizations=[shared, (own, make_contact(own, "Zora Lindqvist", role="Director"))],
        status=Case.Status.DRAFT,
    )
    return {"published": published, "draft": draft}


def html_of(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def says(html: str, phrase: str) -> bool:
    """Whether the page's text holds phrase as whole words ("1 case" is not "1 cases")."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", words) is not None


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cases/",
        "/cases/?theme=youth",
        "/cases/?q=zeppelin",
        "/cases/?sort=recent",
        "/organizations/",
        "/organizations/shared-cooperative/",
        "/themes/",
        "/themes/women/",
        "/themes/youth/",
        "/regions/europe/",
        "/cases/{published}/",
    ],
)
def test_draft_never_appears_on_public_pages(client, cases, url):
    html = html_of(client, url.format(published=cases["published"].slug))

    assert DRAFT not in html
    assert cases["draft"].slug not in html
    assert "Zora Lindqvist" not in html


def test_public_pages_still_show_the_published_case(client, cases):
    for url in ["/", "/cases/", "/themes/women/", "/regions/europe/"]:
        assert PUBLISHED in html_of(client, url)


def test_draft_is_not_counted_on_the_home_page(client, cases):
    html = html_of(client, "/")

    assert says(html, "Cases 1 Organizations 1 Countries 1")
    assert says(html, "Youth 0")
    assert says(html, "Women 1")
    assert says(html, "Europe 1")


def test_draft_is_not_counted_in_facets(client, cases):
    html = html_of(client, "/cases/")

    assert says(html, "1 case")
    assertInHTML('<label for="f-theme-women">Women <span class="count">1</span></label>', html)
    assertInHTML('<label for="f-theme-youth">Youth <span class="count">0</span></label>', html)
    assertInHTML('<label for="f-region-europe">Europe <span class="count">1</span></label>', html)
    assertInHTML(
        '<label for="f-kind-private-sector">Private sector <span class="count">0</span></label>',
        html,
    )
    assert "France" not in html


def test_draft_is_not_counted_on_vocabulary_and_organization_pages(client, cases):
    themes = html_of(client, "/themes/")
    assert says(themes, "Youth 0 cases")
    assert says(themes, "Women 1 case")
    assert says(html_of(client, "/organizations/shared-cooperative/"), "Cases (1)")
    organizations = html_of(client, "/organizations/")
    assert says(organizations, "1 organization")
    assert "Zeppelin Foundation" not in organizations


def test_organization_named_only_by_drafts_is_404_for_public(client, admin_client, cases):
    assert client.get("/organizations/zeppelin-foundation/").status_code == 404
    assert says(html_of(admin_client, "/organizations/zeppelin-foundation/"), "Cases (0)")


def test_search_does_not_find_drafts(client, cases):
    assert says(html_of(client, "/cases/", q="zeppelin"), "0 cases")
    assert says(html_of(client, "/cases/", q="lindqvist"), "0 cases")
    assert client.get("/cases.json", {"q": "zeppelin"}).json()["count"] == 0


def test_draft_is_not_exported(client, cases):
    data = client.get("/cases.json").json()
    response = client.get("/cases.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert data["count"] == 1
    assert [case["title"] for case in data["results"]] == [PUBLISHED]
    assert [row["title"] for row in rows] == [PUBLISHED]


def test_draft_is_not_a_related_case(client, cases):
    html = html_of(client, f"/cases/{cases['published'].slug}/")

    assert "No other case shares its themes or organizations yet." in html


def test_draft_is_404_for_public(client, cases):
    slug = cases["draft"].slug

    assert client.get(f"/cases/{slug}/").status_code == 404
    assert client.get(f"/cases/{slug}.json").status_code == 404


def test_draft_is_404_for_a_signed_in_non_staff_user(client, cases, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 20))
    slug = cases["draft"].slug

    assert client.get(f"/cases/{slug}/").status_code == 404
    assert client.get(f"/cases/{slug}.json").status_code == 404


def test_staff_see_a_draft_at_its_url_with_a_draft_banner(editor_client, cases):
    draft = html_of(editor_client, f"/cases/{cases['draft'].slug}/")
    published = html_of(editor_client, f"/cases/{cases['published'].slug}/")

    assertInHTML(f"<h1>{DRAFT}</h1>", draft)
    assert says(draft, "Draft")
    assert not says(published, "Draft")


def test_staff_get_the_json_of_a_draft(editor_client, cases):
    response = editor_client.get(f"/cases/{cases['draft'].slug}.json")

    assert response.status_code == 200
    assert response.json()["title"] == DRAFT


def test_staff_view_does_not_leak_to_the_public(editor_client, cases):
    url = f"/cases/{cases['draft'].slug}/"
    assert editor_client.get(url).status_code == 200

    assert Client().get(url).status_code == 404


def test_publishing_a_draft_makes_it_public(client, cases):
    draft = cases["draft"]
    assert client.get(f"/cases/{draft.slug}/").status_code == 404
    assert says(html_of(client, "/cases/"), "1 case")

    draft.status = Case.Status.PUBLISHED
    draft.save()

    assert client.get(f"/cases/{draft.slug}/").status_code == 200
    assert says(html_of(client, "/cases/"), "2 cases")
    assert client.get("/cases.json").json()["count"] == 2


def test_unpublishing_a_case_hides_it_again(client, cases):
    published = cases["published"]
    assert client.get(f"/cases/{published.slug}/").status_code == 200
    assert PUBLISHED in html_of(client, "/")

    published.status = Case.Status.DRAFT
    published.save()

    assert client.get(f"/cases/{published.slug}/").status_code == 404
    assert PUBLISHED not in html_of(client, "/")
    assert says(html_of(client, "/"), "Cases 0")
