"""An editor adds an organization the catalogue already has: warned, saves anyway, merges."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cases.models import CaseOrganization, Organization

from .conftest import sign_in

pytestmark = pytest.mark.browser

LABCOOP = "Cooperativa Labcoop, SCCL"  # in the seed catalogue, named by the Barcelona case
NEW_NAME = "Cooperativa Lab-Coop"


def add_organization(page: Page, site: str, name: str) -> None:
    page.goto(f"{site}/admin/cases/organization/add/")
    page.locator("#id_name").fill(name)
    page.locator("#id_kind").select_option(label="SSE organization")
    page.get_by_role("button", name="Save", exact=True).click()


def test_a_likely_duplicate_is_named_with_a_link_until_saved_anyway(page, site, superuser):
    sign_in(page, site)
    add_organization(page, site, NEW_NAME)

    warning = page.locator(".field-name .errorlist")
    expect(warning).to_contain_text("This looks like a duplicate of")
    labcoop = Organization.objects.get(name=LABCOOP)
    expect(warning.get_by_role("link", name=LABCOOP)).to_have_attribute(
        "href", f"/admin/cases/organization/{labcoop.pk}/change/"
    )
    assert not Organization.objects.filter(name=NEW_NAME).exists()

    page.get_by_label("Save anyway").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist .success")).to_contain_text(NEW_NAME)
    assert Organization.objects.filter(name=NEW_NAME).exists()


def test_merging_two_organizations_from_the_list(page, site, superuser):
    sign_in(page, site)
    add_organization(page, site, NEW_NAME)
    page.get_by_label("Save anyway").check()
    page.get_by_role("button", name="Save", exact=True).click()
    labcoop, new = Organization.objects.get(name=LABCOOP), Organization.objects.get(name=NEW_NAME)

    page.goto(f"{site}/admin/cases/organization/")
    for organization in (labcoop, new):
        page.locator(f"input[name='_selected_action'][value='{organization.pk}']").check()
    page.get_by_label("Action:").select_option(label="Merge the two selected organizations")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Merge two organizations")).to_be_visible()
    page.get_by_label(f"{NEW_NAME} (0 case(s), 0 contact(s))").check()
    page.get_by_role("button", name="Merge").click()

    page.wait_for_url(f"{site}/admin/cases/organization/{new.pk}/change/")
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Merged “{LABCOOP}” into “{NEW_NAME}”"
    )
    expect(page.locator(".field-name input[value='Cooperativa Labcoop, SCCL']")).to_have_count(1)
    assert not Organization.objects.filter(pk=labcoop.pk).exists()
    assert CaseOrganization.objects.filter(organization=new).count() == 1
