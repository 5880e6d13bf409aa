"""A visitor suggests a case from the footer; an editor approves one and rejects another."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from cases.models import Case

from ..test_suggest import TITLE, suggestion
from .conftest import sign_in

pytestmark = pytest.mark.browser

SPAM = "Cheap Watches For Every Cooperative Member Today"


def test_a_visitor_suggests_a_case_from_the_footer_and_is_thanked(visitor, settings):
    settings.SUGGESTION_MIN_SECONDS = 0
    page = visitor.open("/")
    page.get_by_role("link", name="Suggest a case").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill(suggestion()["description"])
    page.get_by_label("Region").select_option("Europe")
    page.get_by_label("Country").select_option("ES")
    page.get_by_label("City").fill("Bilbao")
    page.get_by_label("Women").check()
    page.locator("#id_organizations-0-name").fill("Ogi Berri Kooperatiba")
    page.locator("#id_organizations-0-kind").select_option("sse-organization")
    page.locator("#id_organizations-0-contact").fill("Miren Etxeberria")
    page.get_by_label("Your name").fill("Jon Ander")
    page.get_by_label("Your e-mail").fill("jon@example.org")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your suggestion")
    assert page.url.endswith("/suggest/thanks/")
    case = Case.objects.get(title=TITLE)
    assert case.status == Case.Status.DRAFT and case.suggestion.name == "Jon Ander"
    visitor.assert_clean()


def test_a_short_description_is_flagged_on_its_field(visitor, settings):
    settings.SUGGESTION_MIN_SECONDS = 0
    page = visitor.open("/suggest/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Too short.")
    page.get_by_label("Your name").fill("Jon Ander")
    page.get_by_label("Your e-mail").fill("jon@example.org")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.locator("#id_description")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Write at least 80 characters")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    assert not Case.objects.filter(title=TITLE).exists()


def test_an_editor_approves_one_suggestion_and_rejects_another_with_a_reason(page, site, superuser):
    for title in (TITLE, SPAM):
        assert Client().post("/suggest/", suggestion({}, title=title)).status_code == 302
    sign_in(page, site)
    page.goto(f"{site}/admin/cases/case/")
    page.get_by_role("link", name="Awaiting review").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    row = page.locator("#result_list tbody tr", has_text=TITLE)
    expect(row).to_contain_text("Jon Ander")

    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_suggestions")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved and published 1 suggestion")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)

    page.locator("#result_list tbody tr", has_text=SPAM).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("reject_suggestions")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Reason").fill("Advertising, not a case.")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".messagelist")).to_contain_text("Rejected 1 suggestion")
    expect(page).to_have_url(re.compile(r"suggestion=pending"))

    assert Case.objects.get(title=TITLE).status == Case.Status.PUBLISHED
    spam = Case.objects.get(title=SPAM)
    assert spam.status == Case.Status.DRAFT
    assert spam.suggestion.rejection_reason == "Advertising, not a case."
    page.goto(f"{site}/admin/cases/case/{spam.pk}/history/")
    expect(page.get_by_text("Suggestion rejected: Advertising, not a case.")).to_be_visible()
