"""An editor adds an organization to a case: the row numbers itself, a wrong contact shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case

from .conftest import BARCELONA, sign_in

pytestmark = pytest.mark.browser

MISMATCH = "This contact belongs to another organization."


def choose(row, field: str, text: str) -> None:
    """Pick an option of the row's autocomplete field by typing part of its name."""
    row.locator(f"td.field-{field} .select2-selection").click()
    search = row.page.locator(".select2-container--open .select2-search__field")
    search.fill(text)
    row.page.locator(".select2-results__option", has_text=text).first.click()


def test_a_new_row_takes_the_next_position_and_a_wrong_contact_is_flagged_on_it(
    page, site, superuser
):
    sign_in(page, site)
    case = Case.objects.get(slug=BARCELONA)
    page.goto(f"{site}/admin/cases/case/{case.pk}/change/")
    page.get_by_role("button", name=re.compile(r"^Add another Case organization")).click()

    row = page.locator("tr.dynamic-caseorganization_set").last
    expect(row.locator("input[name$='-position']")).to_have_value("2")
    choose(row, "organization", "HomeNet")
    choose(row, "contact", "Vegué")

    # Named with its organization, and flagged before any save.
    expect(row.locator("td.field-contact .select2-selection__rendered")).to_contain_text(
        "Elisenda Vegué Gisbert — Ayuntamiento de Barcelona"
    )
    expect(row.locator("td.field-contact .errorlist")).to_have_text(MISMATCH)

    page.get_by_role("button", name="Save", exact=True).click()
    saved_row = page.locator("tr.dynamic-caseorganization_set").last
    expect(saved_row.locator("td.field-contact .errorlist")).to_have_text(MISMATCH)
    expect(page.locator(".errornote")).to_be_visible()
    assert case.caseorganization_set.count() == 2


def test_choosing_the_right_organization_clears_the_flag(page, site, superuser):
    sign_in(page, site)
    case = Case.objects.get(slug=BARCELONA)
    page.goto(f"{site}/admin/cases/case/{case.pk}/change/")
    page.get_by_role("button", name=re.compile(r"^Add another Case organization")).click()
    row = page.locator("tr.dynamic-caseorganization_set").last
    choose(row, "organization", "HomeNet")
    choose(row, "contact", "Vegué")
    expect(row.locator(".errorlist")).to_have_text(MISMATCH)

    choose(row, "organization", "Ayuntamiento")

    expect(row.locator(".errorlist")).to_have_count(0)
