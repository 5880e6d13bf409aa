"""The indexes the listing depends on are the ones the databases actually use."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from cases import synthetic
from cases.models import Case, search_terms

pytestmark = pytest.mark.django_db


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Enough generated cases for the planners to prefer indexes, with fresh statistics.

    Written once for the module in a transaction that each test's own nests in, and rolled
    back after the last test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        synthetic.write_database(synthetic.generate(2000, 1))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield
        transaction.set_rollback(True)


def test_search_uses_the_full_text_index(catalogue):
    plan = plan_of(Case.objects.matching(search_terms("cooperative")))
    if connection.vendor == "postgresql":
        assert "case_search_vector_gin" in plan
    else:
        assert "cases_case_fts" in plan and "VIRTUAL TABLE INDEX" in plan


def test_theme_filter_uses_the_theme_index(catalogue):
    plan = plan_of(Case.objects.published().with_themes(["women"]).order_by("title"))
    assert "cases_case_themes" in plan
    assert "SCAN cases_case_themes" not in plan  # SQLite: a search, not a full scan


def test_published_listing_in_title_order_uses_the_status_title_index(catalogue):
    plan = plan_of(Case.objects.published().order_by("title")[:20])
    assert "case_status_title" in plan, plan
