"""Collections: the editors' selections of cases, public once one of their cases is."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CatalogueState, Collection, CollectionCase

from .factories import make_case, make_collection, make_organization

pytestmark = pytest.mark.django_db

DRAFT = Case.Status.DRAFT
INTRODUCTION = "Cooperatives of waste pickers that won contracts from their city."


@pytest.fixture
def waste_pickers():
    """A collection whose order is not alphabetical, with a draft between its cases."""
    cases = [
        make_case("Zero waste in Lima", themes=["women"], region="latin-america"),
        make_case("Secret plans of a cooperative", status=DRAFT),
        make_case("Asociación de recicladores de Bogotá", region="latin-america"),
    ]
    return make_collection("Waste pickers in Latin America", cases, introduction=INTRODUCTION)


def titles_on(response) -> list[str]:
    return [case.title for case in response.context["cases"]]


def test_collection_page_shows_its_introduction_and_published_cases_in_order(client, waste_pickers):
    response = client.get(waste_pickers.get_absolute_url())

    assert response.status_code == 200
    assert titles_on(response) == ["Zero waste in Lima", "Asociación de recicladores de Bogotá"]
    page = response.content.decode()
    assert INTRODUCTION in page
    assert "2 cases" in page
    assert "Secret plans" not in page
    assert 'aria-current="page">Waste pickers in Latin America' in page  # the breadcrumb


def test_collection_list_counts_only_published_cases(client, waste_pickers):
    response = client.get(reverse("collection-list"))

    page = response.content.decode()
    assert [c.case_count for c in response.context["collections"]] == [2]
    assert waste_pickers.get_absolute_url() in page
    assert "2 cases" in page
    assert f'href="{reverse("collection-list")}">Collections</a>' in page  # main navigation


def test_collection_of_drafts_only_is_not_public_yet(client, admin_client):
    drafts = make_collection("Coming soon", [make_case("Draft case", status=DRAFT)])

    assert drafts not in client.get(reverse("collection-list")).context["collections"]
    assert client.get(drafts.get_absolute_url()).status_code == 404
    # Staff see it, with nothing published to list.
    response = admin_client.get(drafts.get_absolute_url())
    assert response.status_code == 200
    assert "No case of this collection is published yet." in response.content.decode()


def test_collection_without_any_published_case_shows_the_empty_list_message(client):
    make_collection("Coming soon")

    response = client.get(reverse("collection-list"))

    assert "No collection has been published yet." in response.content.decode()


def test_case_page_links_the_collections_it_is_in(client, waste_pickers):
    lima = Case.objects.get(title="Zero waste in Lima")
    other = make_collection("Cities and their cooperatives", [lima])
    alone = make_case("A case in no collection")

    page = client.get(lima.get_absolute_url()).content.decode()
    assert "In the collections:" in page
    assert f'<a href="{other.get_absolute_url()}">Cities and their cooperatives</a>' in page
    assert f'<a href="{waste_pickers.get_absolute_url()}">' in page
    assert "In the collections:" not in client.get(alone.get_absolute_url()).content.decode()


def test_case_page_lists_its_collections_by_title(client, waste_pickers):
    lima = Case.objects.get(title="Zero waste in Lima")
    make_collection("Zebra crossings", [lima])
    make_collection("Alpha cooperatives", [lima])

    page = client.get(lima.get_absolute_url()).content.decode()
    names = ["Alpha cooperatives", waste_pickers.title, "Zebra crossings"]
    positions = [page.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)


def test_long_collection_is_paginated(client):
    collection = make_collection("Many", [make_case(f"Case {n:02}") for n in range(25)])

    first = client.get(collection.get_absolute_url())
    second = client.get(collection.get_absolute_url(), {"page": 2})

    assert titles_on(first) == [f"Case {n:02}" for n in range(20)]
    assert titles_on(second) == [f"Case {n:02}" for n in range(20, 25)]
    assert client.get(collection.get_absolute_url(), {"page": "x"}).status_code == 400


def test_sitemap_lists_public_collections_and_the_collection_list(client, waste_pickers):
    make_collection("Coming soon", [make_case("Draft case", status=DRAFT)])

    index = client.get("/sitemap.xml").content.decode()
    section = client.get("/sitemap-collections.xml").content.decode()
    pages = client.get("/sitemap-pages.xml").content.decode()

    assert "/sitemap-collections.xml" in index
    assert f"<loc>http://testserver{waste_pickers.get_absolute_url()}</loc>" in section
    assert "coming-soon" not in section
    assert "<loc>http://testserver/collections/</loc>" in pages


def test_collection_slug_starts_with_a_letter_or_digit_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.create(title="Dashed", slug="-2-3")


def test_a_case_is_in_a_collection_once():
    case = make_case()
    collection = make_collection("Once", [case])

    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionCase.objects.create(collection=collection, case=case, position=9)


def public_version() -> int:
    return CatalogueState.objects.current(public=True).version


def test_collection_changes_bump_the_public_version_drafts_do_not(waste_pickers):
    before = public_version()
    waste_pickers.introduction = "New words."
    waste_pickers.save()
    assert public_version() == before + 1

    # As the admin's inline saves it: a draft joining changes nothing visitors see.
    before = public_version()
    CollectionCase.objects.create(
        collection=waste_pickers, case=make_case("Another draft", status=DRAFT), position=7
    )
    assert public_version() == before

    published = make_case("Published to add")
    before = public_version()
    waste_pickers.cases.add(published, through_defaults={"position": 8})
    assert public_version() == before + 1

    before = public_version()
    CollectionCase.objects.filter(case=published).delete()
    assert public_version() == before + 1


def test_editor_adds_a_collection_with_its_cases_through_the_admin(editor_client):
    first, second = make_case("First case"), make_case("Second case")
    data = {
        "title": "Waste pickers in Latin America",
        "slug": "waste-pickers-in-latin-america",
        "introduction": INTRODUCTION,
        "collectioncase_set-TOTAL_FORMS": "2",
        "collectioncase_set-INITIAL_FORMS": "0",
        "collectioncase_set-0-position": "2",
        "collectioncase_set-0-case": str(first.pk),
        "collectioncase_set-1-position": "1",
        "collectioncase_set-1-case": str(second.pk),
    }
    add_url = reverse("admin:cases_collection_add")
    assert editor_client.get(add_url).status_code == 200

    response = editor_client.post(add_url, data)

    assert response.status_code == 302, response.context["errors"]
    collection = Collection.objects.get(slug="waste-pickers-in-latin-america")
    assert list(Case.objects.in_collection(collection)) == [second, first]
    changelist = editor_client.get(reverse("admin:cases_collection_changelist"))
    assert changelist.status_code == 200
    assert "Waste pickers in Latin America" in changelist.content.decode()


def many_collections(n: int) -> None:
    organization = make_organization()
    start = Collection.objects.count()
    for i in range(start, start + n):
        cases = [
            make_case(f"Case {i}-{j}", themes=["women", "youth"], organizations=[organization])
            for j in range(3)
        ]
        make_collection(f"Collection {i}", cases, introduction=INTRODUCTION)


def test_collection_list_makes_a_fixed_number_of_queries(client, django_assert_num_queries):
    many_collections(6)

    # The catalogue version; the collections with their counts.
    with django_assert_num_queries(2):
        assert client.get(reverse("collection-list")).status_code == 200


def test_collection_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries):
    many_collections(6)
    collection = Collection.objects.get(title="Collection 3")

    # The version; the collection; the count; the page of cases with its 2 prefetches.
    with django_assert_num_queries(6):
        assert client.get(collection.get_absolute_url()).status_code == 200


def test_collection_sitemap_costs_the_same_queries_for_few_or_many(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/sitemap-collections.xml").status_code == 200
        return len(context)

    many_collections(1)
    few = queries()
    many_collections(4)
    assert queries() == few
