"""Page cache and validators: bounded, host-proof, the same on every machine, blind to drafts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from cachetools import LRUCache
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.caching import RELEASE_FOLDERS, release
from cases.filters import CaseFilter
from cases.models import Case, CatalogueState, Theme
from cases.templatetags import cards
from tests.conftest import ROOT
from tests.factories import make_case, make_contact, make_organization

SITE = "https://catalogue.example.org"


def cached_pages() -> int:
    """How many rendered pages the (local-memory) cache holds."""
    return sum(":catalogue:page:" in key for key in cache._cache)


@pytest.fixture
def two_cases(db):
    make_case("Waste pickers of Pune", themes=["women"], region="asia")
    make_case("Recycling cooperative of Lima", themes=["women", "youth"], region="latin-america")


# Memory bound: one entry per page whatever the query string carries.


def test_junk_parameters_leave_one_cached_page(client, two_cases):
    for n in range(100):
        response = client.get("/cases.json", {"page_size": "500", "x": str(n)})
        assert response.status_code == 200
    assert cached_pages() == 1


@pytest.mark.parametrize(
    "variant",
    [
        "region=asia&theme=youth&theme=women",
        "theme=women&region=asia&theme=youth&theme=women",
        "theme=WOMEN&theme=%20youth%20&region=Asia&page=1&utm_source=mail",
    ],
)
def test_the_same_query_in_another_order_or_spelling_hits_the_same_page(
    client, two_cases, django_assert_num_queries, variant
):
    first = client.get("/cases/?theme=women&theme=youth&region=asia")
    with django_assert_num_queries(1):  # the catalogue version; the page comes from the cache
        again = client.get(f"/cases/?{variant}")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert cached_pages() == 1


PAGES = {
    "a theme, whose one parameter is the page": lambda: "/themes/women/",
    "home": lambda: "/",
    "a case": lambda: Case.objects.get(title__contains="Pune").get_absolute_url(),
}


@pytest.mark.parametrize("url_of", PAGES.values(), ids=PAGES)
def test_parameters_a_page_ignores_do_not_multiply_it(client, two_cases, url_of):
    for params in ({}, {"page": "1"}, {"junk": "1"}, {"page": "01", "sort": "x"}):
        assert client.get(url_of(), params).status_code == 200
    assert cached_pages() == 1


def test_ignored_parameters_never_reach_the_links_of_a_shared_page(client, two_cases):
    page = client.get("/cases/", {"theme": "women", "planted": "spam"}).content.decode()
    data = client.get("/cases.json", {"page_size": "1", "planted": "spam"}).json()
    assert "spam" not in page
    assert "spam" not in data["next"]
    assert data["next"] == "http://testserver/cases.json?page_size=1&page=2"


def test_a_query_in_its_canonical_form_is_validated_once(client, two_cases, monkeypatch):
    built = []
    original = CaseFilter.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(CaseFilter, "__init__", counting)
    assert client.get("/cases/", {"theme": "women", "region": "asia"}).status_code == 200
    assert len(built) == 1


def test_a_query_in_another_form_renders_the_page_of_its_canonical_form(client, two_cases):
    canonical = client.get("/cases/?theme=women&theme=youth&region=asia")
    for variant in ("region=asia&theme=youth&theme=women", "theme=WOMEN&theme=youth&region=Asia"):
        cache.clear()
        assert client.get(f"/cases/?{variant}").content == canonical.content


def test_a_page_larger_than_the_limit_is_served_but_not_kept(client, two_cases, settings):
    settings.CATALOGUE_CACHE_MAX_BYTES = 200
    for _ in range(2):
        response = client.get("/cases.json")
        assert response.status_code == 200
        assert response.json()["count"] == 2
    assert cached_pages() == 0
    settings.CATALOGUE_CACHE_MAX_BYTES = 10**6
    client.get("/cases.json")
    assert cached_pages() == 1


def test_a_malformed_query_is_refused_and_not_kept(client, two_cases):
    assert client.get("/cases/", {"page": "two"}).status_code == 400
    assert client.get("/themes/women/", {"page": "two"}).status_code == 400
    assert cached_pages() == 0


# Host header: links start with SITE_URL; without it, each host has its own copy.


@pytest.fixture
def site(settings, two_cases):
    settings.ALLOWED_HOSTS = ["catalogue.example.org"]
    settings.SITE_URL = SITE


def test_a_forged_host_port_never_reaches_json_links(client, site):
    for host in ("catalogue.example.org:1", "catalogue.example.org"):
        response = client.get("/cases.json", {"page_size": "1"}, HTTP_HOST=host)
        data = response.json()
        assert "example.org:1" not in response.content.decode()
        assert data["next"] == f"{SITE}/cases.json?page_size=1&page=2"
        assert data["results"][0]["url"].startswith(f"{SITE}/cases/")


def test_a_forged_host_port_never_reaches_csv_links_or_a_case(client, site):
    case = Case.objects.first()
    forged = "catalogue.example.org:1"
    csv = b"".join(client.get("/cases.csv", HTTP_HOST=forged).streaming_content).decode()
    one = client.get(reverse("case-detail-json", args=[case.slug]), HTTP_HOST=forged).json()
    assert "example.org:1" not in csv
    assert f'"{SITE}{case.get_absolute_url()}"' in csv
    assert one["url"] == f"{SITE}{case.get_absolute_url()}"


def test_without_site_url_each_host_gets_its_own_links(client, two_cases, settings):
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    settings.SITE_URL = ""
    for host in ("a.example.org", "b.example.org", "a.example.org"):
        response = client.get("/cases.json", {"page_size": "1"}, HTTP_HOST=host)
        data = response.json()
        assert data["next"] == f"http://{host}/cases.json?page_size=1&page=2"
        assert data["results"][0]["url"].startswith(f"http://{host}/cases/")
    assert cached_pages() == 2


# Release: a hash of the files' contents and relative paths, not of where they are.


def copy_tree(root) -> None:
    for folder in RELEASE_FOLDERS:
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))


def test_two_copies_of_the_code_in_different_folders_share_the_release(tmp_path):
    first, second = tmp_path / "one", tmp_path / "elsewhere" / "two"
    copy_tree(first)
    copy_tree(second)
    for path in second.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert release(first) == release(second) == release(ROOT)


def test_a_changed_file_changes_the_release(tmp_path):
    copy_tree(tmp_path)
    before = release(tmp_path)
    with open(tmp_path / "templates" / "base.html", "a") as template:
        template.write("<!-- changed -->\n")
    assert release(tmp_path) != before


def test_catalogue_release_setting_names_the_release():
    env = {**os.environ, "DJANGO_DEBUG": "1", "CATALOGUE_RELEASE": "3f2a9c1"}
    code = "import django; django.setup(); from cases.caching import RELEASE; print(RELEASE)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "3f2a9c1", result.stderr


# Validators: visitors' ETag and Last-Modified move only with published content.


@pytest.fixture
def catalogue(db):
    """A published case and a draft, each with its own organization; all an hour old."""
    shared = make_organization("Cooperativa Publica")
    make_contact(shared, "Ana Publica")
    hidden = make_organization("Cooperativa Oculta")
    make_contact(hidden, "Rosa Oculta")
    make_case("Published cooperative", themes=["women"], organizations=[shared])
    make_case("Draft cooperative", status=Case.Status.DRAFT, organizations=[hidden])
    an_hour_ago = timezone.now() - timedelta(hours=1)
    CatalogueState.objects.update(changed_at=an_hour_ago)


def validators(client) -> tuple[str, str]:
    response = client.get("/cases/")
    assert response.status_code == 200
    return response["ETag"], response["Last-Modified"]


def published():
    return Case.objects.get(title="Published cooperative")


def draft():
    return Case.objects.get(title="Draft cooperative")


def edit(obj, **changes):
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.save()


HIDDEN_CHANGES = {
    "save a draft": lambda: edit(draft(), city="Quito"),
    "add a theme to a draft": lambda: draft().themes.add(Theme.objects.get(slug="youth")),
    "create a draft": lambda: make_case("Another draft", status=Case.Status.DRAFT),
    "delete a draft": lambda: draft().delete(),
    "rename an organization only a draft names": lambda: edit(
        draft().organizations.get(), name="Cooperativa Renombrada"
    ),
    "edit a contact only a draft names": lambda: edit(
        draft().organizations.get().contacts.get(), role="Chair"
    ),
}
PUBLIC_CHANGES = {
    "publish a draft": lambda: edit(draft(), status=Case.Status.PUBLISHED),
    "edit a published case": lambda: edit(published(), city="Lima"),
    "unpublish a case": lambda: edit(published(), status=Case.Status.DRAFT),
    "delete a published case": lambda: published().delete(),
    "add a theme to a published case": lambda: published().themes.add(
        Theme.objects.get(slug="youth")
    ),
    "rename an organization a published case names": lambda: edit(
        published().organizations.get(), name="Cooperativa Renombrada"
    ),
    "edit a contact a published case names": lambda: edit(
        published().organizations.get().contacts.get(), role="Chair"
    ),
    "rename a theme": lambda: edit(Theme.objects.get(slug="youth"), name="Young people"),
}


@pytest.mark.parametrize(
    "change, public",
    [(change, False) for change in HIDDEN_CHANGES.values()]
    + [(change, True) for change in PUBLIC_CHANGES.values()],
    ids=[*HIDDEN_CHANGES, *PUBLIC_CHANGES],
)
def test_visitors_validators_change_only_with_published_content(
    catalogue, editor_client, change, public
):
    visitor = Client()
    before, staff_before = validators(visitor), validators(editor_client)
    change()
    after, staff_after = validators(visitor), validators(editor_client)
    assert [a != b for a, b in zip(after, before, strict=True)] == [public, public]
    assert [a != b for a, b in zip(staff_after, staff_before, strict=True)] == [True, True]


def test_an_editor_saving_a_draft_leaves_the_public_page_as_it_was(
    catalogue, editor_client, admin_form_data, django_assert_num_queries
):
    visitor = Client()
    before = visitor.get("/cases/")
    url = reverse("admin:cases_case_change", args=[draft().pk])
    themes = [str(pk) for pk in Theme.objects.values_list("pk", flat=True)[:2]]
    data = admin_form_data(editor_client.get(url), city="Quito", themes=themes)
    assert editor_client.post(url, data).status_code == 302
    with django_assert_num_queries(1):  # the public version only: the copy is still good
        after = visitor.get("/cases/")
    assert (after["ETag"], after["Last-Modified"]) == (before["ETag"], before["Last-Modified"])
    assert visitor.get("/cases/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304


# Case cards: each card's HTML kept per worker, under what it shows.


def test_a_kept_card_follows_an_edit_of_its_organization(client, db):
    organization = make_organization("Cooperativa Norte")
    make_case("Waste pickers of Pune", organizations=[organization])
    assert "Cooperativa Norte" in client.get("/cases/").content.decode()
    organization.name = "Cooperativa Sur"
    organization.save()
    cache.clear()  # the page cache aside: only the kept card could still say "Norte"
    page = client.get("/cases/").content.decode()
    assert "Cooperativa Sur" in page
    assert "Cooperativa Norte" not in page


def test_a_kept_card_shows_the_search_excerpt_only_on_the_search(client, db):
    make_case("Waste pickers of Pune", description="Pickers sort plastic and glass for resale.")
    listed = client.get("/cases/").content.decode()
    searched = client.get("/cases/", {"q": "glass"}).content.decode()
    again = client.get("/cases/", {"sort": "-title"}).content.decode()
    assert "<mark>glass</mark>" in searched
    assert "<mark>" not in listed
    assert "<mark>" not in again


def test_kept_cards_stay_within_their_byte_budget(client, db, monkeypatch):
    budget = LRUCache(maxsize=3000, getsizeof=cards.card_size)
    monkeypatch.setattr(cards, "kept", budget)
    for n in range(10):
        make_case(f"Cooperative number {n}")
    page = client.get("/cases/").content.decode()
    assert all(f"Cooperative number {n}" in page for n in range(10))
    assert 0 < len(budget) < 10
    assert budget.currsize <= 3000
