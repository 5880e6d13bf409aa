"""The catalogue index (cases/index.py) gives the pages SQL gives, never a stale one, and
no visitor waits for it to be built."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import index as catalogue_index
from cases import synthetic
from cases.filters import CaseFilter, OrganizationFilter, load_title_words
from cases.index import CatalogueIndex, current_index
from cases.models import Case, CatalogueState, Organization, fold
from tests.factories import make_case, make_collection, make_organization

pytestmark = pytest.mark.django_db

URLS = [
    "/",
    "/cases/",
    "/cases/?theme=women",
    "/cases/?theme=women&theme=youth&region=asia",
    "/cases/?country=ES&country=IN&kind=government-and-public-agency",
    "/cases/?region=europe&sort=-title&page=2",
    "/cases/?theme=social-cohesion&sort=recent&page=3",
    "/cases/?sort=recent&page=2",
    "/cases/?q=cooperative",
    "/cases/?q=coop+work&theme=women&page=2",
    "/cases/?q=a&sort=title",
    "/cases/?q=zzzz",
    "/cases.json?theme=women&page_size=50",
    "/cases.json?q=cooperative&sort=recent&page=2&page_size=7",
    "/cases.json?kind=sse-organization&sort=-title&page=4&page_size=30",
    "/themes/women/?page=2",
    "/regions/asia/",
    "/themes/",
    "/es/regions/",
    "/data/",
    "/organizations/",
    "/organizations/?page=2",
    "/organizations/?q=co&sort=cases",
    "/organizations/?kind=sse-organization&kind=government-and-public-agency&sort=cases&page=2",
    "/es/organizations/?q=de+la",
    "/sitemap.xml",
    "/sitemap-organizations.xml",
    "/sitemap-cases.xml?p=2",
]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """300 generated cases, a fifth of them drafts, for the whole module; a tenth of them
    updated at the same latest moment, so the recent order breaks ties by title."""
    with django_db_blocker.unblock(), transaction.atomic():
        synthetic.write_database(synthetic.generate(300, 7, draft_ratio=0.2))
        tied = list(Case.objects.order_by("pk").values_list("pk", flat=True))[::10]
        Case.objects.filter(pk__in=tied).update(updated_at=timezone.now() + timedelta(days=1))
        CatalogueState.objects.bump()
        yield
        transaction.set_rollback(True)


def page(client, url: str) -> bytes:
    cache.clear()  # no shared copy: each page is rendered
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


def from_sql_and_index(client, settings, url: str) -> tuple[bytes, bytes]:
    """The page drawn without the index, then with it."""
    settings.CATALOGUE_INDEX = "off"
    from_sql = page(client, url)
    settings.CATALOGUE_INDEX = "inline"
    return from_sql, page(client, url)


@pytest.mark.parametrize("url", URLS)
def test_pages_from_the_index_are_the_pages_from_sql(client, settings, catalogue, url):
    from_sql, from_index = from_sql_and_index(client, settings, url)

    assert from_index == from_sql


def test_related_cases_from_the_index_are_those_from_sql(catalogue):
    index = CatalogueIndex.build(CatalogueState.objects.current(public=True).token)
    related = {}
    for case in Case.objects.published().prefetch_related("themes"):
        from_index = [card.slug for card in index.related(case)]
        assert from_index == [card.slug for card in Case.objects.related_to(case)], case.slug
        related[case.slug] = from_index
    assert {len(slugs) for slugs in related.values()} == {5}  # every case has five here


def test_a_case_page_from_the_index_is_the_page_from_sql(client, settings, catalogue):
    for case in Case.objects.published().order_by("?")[:20]:
        from_sql, from_index = from_sql_and_index(client, settings, case.get_absolute_url())
        assert from_index == from_sql


def filtered(data, index=None) -> CaseFilter:
    casefilter = CaseFilter(data, queryset=Case.objects.published(), index=index)
    assert casefilter.is_valid(), casefilter.errors
    return casefilter


def test_facet_counts_totals_and_order_agree_with_sql_for_any_filters(catalogue):
    index = CatalogueIndex.build(CatalogueState.objects.current(public=True).token)
    choices = {
        "theme": [slug for slug, _ in index.vocabulary["theme"]],
        "region": [slug for slug, _ in index.vocabulary["region"]],
        "country": [code for code, _ in index.vocabulary["country"]][:12],
        "kind": list(Organization.Kind.values),
        "q": ["", "cooperative", "co", "women work", "fund"],
        "sort": ["title", "-title", "recent", "relevance"],
    }
    draw = random.Random(5)
    for _ in range(40):
        data = {name: draw.sample(values, draw.randint(0, 2)) for name, values in choices.items()}
        data["q"], data["sort"] = " ".join(data["q"]), (data["sort"] or [""])[0]
        by_sql, by_index = filtered(data), filtered(data, index)
        sql_cases, index_cases = by_sql.cases(), by_index.cases()

        assert by_index.facets() == by_sql.facets(), data
        assert index_cases.count() == sql_cases.count(), data
        assert [c.pk for c in index_cases[5:17]] == [c.pk for c in sql_cases[5:17]], data


def test_organization_searches_counts_and_pages_agree_with_sql(catalogue):
    directory = CatalogueIndex.build(CatalogueState.objects.current(public=True).token).directory
    names = Organization.objects.public().values_list("name", flat=True)
    words = sorted({word for name in names for word in fold(name).split()})
    draw = random.Random(3)
    searches = ["", "de", "co", "zzz", *draw.sample(words, 20)]
    searches += [word[:4] for word in draw.sample(words, 10)]
    searches += [" ".join(draw.sample(words, 2)) for _ in range(10)]
    for sort in ["name", "cases"]:
        for q in searches:
            data = {"q": q, "sort": sort, "kind": draw.sample(Organization.Kind.values, 1)}
            by_sql = OrganizationFilter(data, queryset=Organization.objects.public())
            by_index = OrganizationFilter(
                data, queryset=Organization.objects.public(), directory=directory
            )
            assert by_sql.is_valid() and by_index.is_valid()
            sql_page, index_page = by_sql.results()[3:40], by_index.results()[3:40]

            assert by_index.kinds() == by_sql.kinds(), data
            assert by_index.results().count() == by_sql.total(), data
            assert [(o.pk, o.case_count) for o in index_page] == [
                (o.pk, o.case_count) for o in sql_page
            ], data


def test_the_words_a_search_can_be_corrected_to_are_those_sql_reads(catalogue):
    index = CatalogueIndex.build(CatalogueState.objects.current(public=True).token)

    assert index.suggestion_words == load_title_words()


def test_an_edit_shows_at_once_while_the_next_index_builds_in_the_background(
    client, settings, monkeypatch, catalogue
):
    settings.CATALOGUE_INDEX = "inline"
    page(client, "/cases/?q=quokka")  # the index of the current version
    started = []
    monkeypatch.setattr(catalogue_index.threading, "Thread", FakeThread.recording(started))
    settings.CATALOGUE_INDEX = "background"

    make_case("Quokka sanctuary cooperative", themes=["women"])

    assert b"Quokka sanctuary cooperative" in page(client, "/cases/?q=quokka")
    assert b"Quokka sanctuary cooperative" in page(client, "/cases/?q=quokka&theme=women")
    assert len(started) == 1, "one build at a time, and the visitors did not wait for it"


def test_a_draft_saved_after_the_index_was_built_stays_out_of_search(client, indexed):
    # The text index knows the draft (an id past any the catalogue index has): a public
    # change it is not, so the catalogue index of the version before still answers.
    make_case("Quokka sanctuary cooperative", status=Case.Status.DRAFT)
    make_case("Quokka rescue cooperative")
    make_case("Quokka marsupial cooperative", status=Case.Status.DRAFT)

    found = page(client, "/cases/?q=quokka")

    assert b"Quokka rescue cooperative" in found
    assert b"Quokka sanctuary" not in found
    assert b"Quokka marsupial" not in found


class FakeThread:
    """Records the build it is asked to start instead of running it."""

    @classmethod
    def recording(cls, started: list):
        def make(target, name, daemon):
            return cls(lambda: started.append(name))

        return make

    def __init__(self, start):
        self.start = start


def test_staff_pages_follow_every_change_without_the_index(settings, catalogue, admin_user):
    settings.CATALOGUE_INDEX = "inline"
    request = RequestFactory().get("/cases/")
    request.user = admin_user

    assert current_index(request) is None


# --- query counts ---


@pytest.fixture
def indexed(client, settings, catalogue, monkeypatch):
    """An index built afresh for the current version (no search kept from an earlier test),
    as after the first request."""
    monkeypatch.setitem(catalogue_index._state, "index", None)
    settings.CATALOGUE_INDEX = "inline"
    page(client, "/cases/")
    cache.clear()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the catalogue version, then the page's cards (cases; themes and organizations)
        ("/cases/?theme=women&region=asia", 3),
        ("/cases.json?theme=women&page_size=50", 3),
        ("/themes/women/", 4),  # and the theme
        ("/", 5),  # the recent cards (2), the themes, the regions: counted by the index
        ("/organizations/?sort=cases", 2),  # the organizations of the page
        ("/sitemap-organizations.xml", 2),  # the organizations of the page, with lastmod
        ("/sitemap-cases.xml?p=2", 2),  # the cases of the page
        # the text match, and no more: the index has the words to suggest
        ("/cases/?q=cooperatiive", 2 + (connection.vendor == "postgresql")),
        # and the text match (PostgreSQL: and the setting that has it read the text index)
        ("/cases/?q=cooperative", 4 + (connection.vendor == "postgresql")),
    ],
)
def test_pages_from_the_index_run_a_fixed_few_queries(
    client, django_assert_num_queries, indexed, url, queries
):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/", "/themes/", "/regions/", "/organizations/"])
def test_counts_of_cases_come_from_the_index_without_reading_the_cases(client, indexed, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]


@pytest.mark.parametrize(
    "url", ["/data/", "/organizations/", "/organizations/?q=co&kind=sse-organization&sort=cases"]
)
def test_organizations_come_from_the_index_without_reading_the_cases(client, indexed, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    assert not [query for query in queries if "cases_case" in query["sql"]]


def test_the_next_pages_of_a_search_reuse_its_text_match(
    client, django_assert_num_queries, indexed
):
    client.get("/cases/?q=cooperative")
    cache.clear()  # no shared copy of a page
    # the catalogue version, then the page's cards: the text match is the first page's
    for url in ["/cases/?q=cooperative&page=2", "/cases/?q=cooperative&theme=women"]:
        with django_assert_num_queries(3):
            assert client.get(url).status_code == 200
    with django_assert_num_queries(4 + (connection.vendor == "postgresql")):
        assert client.get("/cases/?q=cooperative+work").status_code == 200  # another search


def test_with_no_searches_kept_every_page_runs_the_text_match(
    client, settings, django_assert_num_queries, indexed
):
    settings.CATALOGUE_INDEX_SEARCHES = 0
    client.get("/cases/?q=cooperative")
    cache.clear()
    with django_assert_num_queries(4 + (connection.vendor == "postgresql")):
        assert client.get("/cases/?q=cooperative&page=2").status_code == 200


def test_a_case_page_runs_eight_queries(client, django_assert_num_queries, catalogue):
    case = Case.objects.published().order_by("title").first()
    # version, case, its themes, its links; the cases sharing an organization, the related
    # cases; their cards (2); its collections
    with django_assert_num_queries(8):
        assert client.get(case.get_absolute_url()).status_code == 200


def test_with_the_index_a_case_page_runs_six_queries(client, django_assert_num_queries, indexed):
    case = Case.objects.published().order_by("title").first()
    # version, case, its links; the cases sharing an organization; the related cards (2).
    # The index tells its themes, the other related cases and that it is in no collection.
    with django_assert_num_queries(6):
        page = client.get(case.get_absolute_url()).content.decode()

    for theme in case.themes.all():
        assert f'href="{theme.get_absolute_url()}"' in page


def test_with_the_index_a_case_in_a_collection_lists_it(client, indexed):
    case = Case.objects.published().order_by("title").first()
    collection = make_collection("Counted collection", cases=[case])
    client.get("/cases/")  # the index of the new version

    page = client.get(case.get_absolute_url()).content.decode()

    assert f'href="{collection.get_absolute_url()}"' in page


def test_an_organization_page_from_the_index_is_the_page_from_sql(client, settings, catalogue):
    for organization in Organization.objects.public().order_by("?")[:10]:
        url = organization.get_absolute_url()
        from_sql, from_index = from_sql_and_index(client, settings, url)
        assert from_index == from_sql


def test_with_the_index_an_organization_page_runs_four_queries(
    client, django_assert_num_queries, indexed
):
    organization = Organization.objects.public().order_by("name").first()
    # version, organization, cards (2): the index counts its cases
    with django_assert_num_queries(4):
        assert client.get(organization.get_absolute_url()).status_code == 200


def test_an_organization_page_runs_five_queries(client, django_assert_num_queries, catalogue):
    organization = make_organization("Counted cooperative")
    make_case("Counted case", organizations=[organization])
    # version, organization, count, cards (2)
    with django_assert_num_queries(5):
        assert client.get(organization.get_absolute_url()).status_code == 200
