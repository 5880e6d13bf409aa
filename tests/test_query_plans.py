"""The indexes the listing depends on are the ones the databases actually use."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from cases import synthetic
from cases.models import Case, search_terms

pytestmark = pytest.mark.django_db


# A city named by 20 of the 2,000 generated cases: a search that narrows the catalogue.
# (A word in most cases is rightly answered by reading the whole table.)
NARROW_SEARCH = "thessaloniki"


def plan_of(queryset) -> str:
    """The plan the database's planner chooses for the queryset, as text."""
    sql, params = queryset.query.sql_with_params()
    explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{explain} {sql}", params)
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Enough generated cases for the planners to prefer indexes, as a server keeps them.

    Written once for the module in a transaction that each test's own nests in, and rolled
    back after the last test. Statistics are fresh; on PostgreSQL the GIN index's pending
    list is merged, as autovacuum does after a bulk load (VACUUM cannot run in a
    transaction): while pending, its 400-odd pages would be read by every search.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        synthetic.write_database(synthetic.generate(2000, 1))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            if connection.vendor == "postgresql":
                cursor.execute("SELECT gin_clean_pending_list('case_search_vector_gin')")
        yield
        transaction.set_rollback(True)


def test_narrow_search_uses_the_full_text_index(catalogue):
    assert 0 < Case.objects.published().search(NARROW_SEARCH).count() <= 40, (
        "the generated data no longer fits this test"
    )

    plan = plan_of(Case.objects.published().matching(search_terms(NARROW_SEARCH)))

    if connection.vendor == "postgresql":
        assert "Bitmap Index Scan on case_search_vector_gin" in plan, plan
    else:
        assert "SCAN cases_case_fts VIRTUAL TABLE INDEX" in plan, plan


def test_theme_filter_uses_the_theme_index(catalogue):
    plan = plan_of(Case.objects.published().with_themes(["women"]).order_by("title"))
    assert "cases_case_themes_theme_id" in plan, plan
    assert "SCAN cases_case_themes" not in plan  # SQLite: a search, not a full scan


def test_published_listing_in_title_order_uses_the_status_title_index(catalogue):
    plan = plan_of(Case.objects.published().order_by("title")[:20])
    assert "case_status_title" in plan, plan
