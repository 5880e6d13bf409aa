"""Suggestions from the public (/suggest/): a draft for the editors, never public until
approved; robots, hurried senders and floods are refused with nothing written."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.cache import cache
from django.test import Client
from reversion.models import Version

from cases.models import Case, Contact, Organization, Suggestion
from cases.suggestions import SALT

from .factories import make_contact, make_organization

pytestmark = pytest.mark.django_db

URL = "/suggest/"
CHANGELIST = "/admin/cases/case/"
TITLE = "A Bakery Cooperative Run By Its Workers in Bilbao"
DESCRIPTION = (
    "Twelve bakers bought the bakery they worked in when its owner retired, and now run it as "
    "a workers' cooperative that supplies the schools of the district."
)
SUBMITTER_EMAIL = "submitter.private@example.org"
CONTACT_EMAIL = "contact.private@example.org"


def started(seconds_ago: float = 60) -> str:
    """A start token as the form signs it, for a form shown `seconds_ago`."""
    return signing.dumps(time.time() - seconds_ago, salt=SALT)


def organization_rows(*rows: dict) -> dict:
    data = {"organizations-TOTAL_FORMS": "5", "organizations-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"organizations-{index}-{name}": value for name, value in row.items()})
    return data


BAKERY = {
    "name": "Ogi Berri Kooperatiba",
    "kind": "sse-organization",
    "honorific": "Ms.",
    "contact": "Miren Etxeberria",
    "role": "Baker and treasurer",
    "email": CONTACT_EMAIL,
}


def suggestion(*rows: dict, **changes) -> dict:
    """POST data of a complete, valid suggestion; `changes` replace fields."""
    data = {
        "title": TITLE,
        "description": DESCRIPTION,
        "region": "Europe",
        "country": "ES",
        "city": "Bilbao",
        "themes": ["Social Cohesion", "Women"],
        "your_name": "Jon Ander",
        "your_email": SUBMITTER_EMAIL,
        "website": "",
        "started": started(),
        **organization_rows(*(rows or [BAKERY])),
    }
    data.update(changes)
    return data


def send(client, data=None, **meta):
    return client.post(URL, data or suggestion(), **meta)


def form_errors(response) -> str:
    return response.content.decode()


def body_of(response) -> bytes:
    return b"".join(response) if response.streaming else response.content


def assert_nothing_written() -> None:
    assert not Case.objects.exists()
    assert not Suggestion.objects.exists()
    assert not Organization.objects.exists()
    assert not Contact.objects.exists()


# --- A valid suggestion ---


def test_valid_suggestion_makes_a_draft_marked_as_a_suggestion(client):
    response = send(client)
    assert response.status_code == 302
    assert response["Location"] == "/suggest/thanks/"
    case = Case.objects.get(title=TITLE)
    assert case.status == Case.Status.DRAFT
    assert (case.region.name, case.country.code, case.city) == ("Europe", "ES", "Bilbao")
    assert sorted(case.themes.values_list("name", flat=True)) == ["Social Cohesion", "Women"]
    link = case.caseorganization_set.get()
    assert (link.organization.name, link.organization.kind) == (BAKERY["name"], BAKERY["kind"])
    assert (link.contact.honorific, link.contact.name) == ("Ms.", "Miren Etxeberria")
    assert (link.contact.role, link.contact.email) == ("Baker and treasurer", CONTACT_EMAIL)
    assert (case.suggestion.name, case.suggestion.email) == ("Jon Ander", SUBMITTER_EMAIL)
    assert Case.objects.suggestions("pending").get() == case


def test_thank_you_page_follows_the_suggestion(client):
    response = client.post(URL, suggestion(), follow=True)
    assert response.redirect_chain == [("/suggest/thanks/", 302)]
    assert "Thank you for your suggestion" in response.content.decode()


def test_suggested_case_is_found_by_the_staff_search_and_has_a_history_entry(client):
    send(client)
    case = Case.objects.get(title=TITLE)
    assert Case.objects.filter(pk=case.pk).search("etxeberria").exists()
    (version,) = Version.objects.get_for_object(case)
    assert version.revision.comment == "Suggested on the public form by Jon Ander"


def test_suggestion_without_organizations_or_facts_is_accepted(client):
    response = send(client, suggestion({}, region="", country="", city="", themes=[]))
    assert response.status_code == 302
    assert not Case.objects.get().caseorganization_set.exists()


def test_existing_organization_and_contact_are_linked_as_they_are(client):
    organization = make_organization(BAKERY["name"], Organization.Kind.OTHER)
    contact = make_contact(organization, "Miren Etxeberria", role="Founder", email="")
    send(client)
    link = Case.objects.get().caseorganization_set.get()
    assert (link.organization, link.contact) == (organization, contact)
    organization.refresh_from_db()
    contact.refresh_from_db()
    assert organization.kind == Organization.Kind.OTHER
    assert (contact.role, contact.email) == ("Founder", "")


# --- Never public until an editor publishes it ---


PUBLIC_URLS = ["/", "/cases/", "/cases.json", "/cases.csv", "/cases/feed/", "/cases.jsonld"]
PUBLIC_URLS += ["/organizations/", "/sitemap-cases.xml", "/sitemap-organizations.xml"]


def test_suggested_draft_is_not_public_anywhere(client, imported):
    send(client)
    case = Case.objects.get(title=TITLE)
    organization = Organization.objects.get(name=BAKERY["name"])
    for url in [*PUBLIC_URLS, "/cases/?q=bakery", "/cases.json?q=etxeberria"]:
        body = body_of(client.get(url)).decode()
        assert "Bakery" not in body and "Ogi Berri" not in body, url
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(organization.get_absolute_url()).status_code == 404


def test_emails_of_submitter_and_contact_are_never_public_once_published(editor_client, imported):
    send(Client())
    client = Client()
    case = Case.objects.get(title=TITLE)
    approve(editor_client, case)
    organization = Organization.objects.get(name=BAKERY["name"])
    urls = [*PUBLIC_URLS, case.get_absolute_url(), f"/cases/{case.slug}.json"]
    urls += [f"/cases/{case.slug}/cite.{style}" for style in ("bib", "ris", "json")]
    urls += [organization.get_absolute_url(), "/cases.jsonld?format=ttl"]
    assert b"Miren Etxeberria" in client.get(case.get_absolute_url()).content
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = body_of(response)
        assert SUBMITTER_EMAIL.encode() not in body, url
        assert CONTACT_EMAIL.encode() not in body, url


# --- Robots, hurried senders and floods ---


def test_filled_honeypot_is_refused_with_a_message_and_nothing_written(client):
    response = send(client, suggestion(website="http://spam.example"))
    assert response.status_code == 200
    assert "“Leave this field empty” was filled in" in form_errors(response)
    assert_nothing_written()


def test_form_sent_too_soon_after_it_was_shown_is_refused(client, settings):
    settings.SUGGESTION_MIN_SECONDS = 5
    response = send(client, suggestion(started=started(seconds_ago=1)))
    assert "sent too quickly" in form_errors(response)
    assert_nothing_written()
    # The form shown again keeps when it was first shown: sent again later, it passes.
    token = response.context["form"].start_token
    assert signing.loads(token, salt=SALT) < time.time() - 0.5


def test_forged_or_missing_start_time_is_refused(client):
    forged = started().replace(":", ";", 1)
    for token in (forged, "", signing.dumps(time.time() - 3600, salt="other")):
        response = send(client, suggestion(started=token))
        assert "could not be read" in form_errors(response)
    assert_nothing_written()


def test_form_opened_more_than_a_day_ago_is_refused_and_shown_with_a_new_start(client):
    response = send(client, suggestion(started=started(seconds_ago=2 * 24 * 3600)))
    assert "opened too long ago" in form_errors(response)
    assert_nothing_written()
    assert signing.loads(response.context["form"].start_token, salt=SALT) > time.time() - 60


def _distinct(n: int) -> dict:
    return suggestion({}, title=f"{TITLE} {n}")


def test_rate_limit_per_address_answers_429_and_writes_nothing(client, settings):
    settings.SUGGESTIONS_PER_HOUR = 2
    for n in range(2):
        assert send(client, _distinct(n), REMOTE_ADDR="203.0.113.7").status_code == 302
    response = send(client, _distinct(3), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "sent many suggestions in the last hour" in form_errors(response)
    assert Case.objects.count() == 2
    assert send(client, _distinct(4), REMOTE_ADDR="203.0.113.8").status_code == 302


def test_rate_limit_is_shared_by_workers_that_share_no_cache(client, settings):
    settings.SUGGESTIONS_PER_HOUR = 1
    assert send(client, _distinct(1)).status_code == 302
    cache.clear()  # another worker: its per-process cache knows nothing
    assert send(Client(), _distinct(2)).status_code == 429


def test_rate_limit_counts_the_address_django_axes_sees(client, settings):
    """Behind a proxy (DJANGO_CLIENT_IP_HEADER), the client's address, not the proxy's."""
    settings.SUGGESTIONS_PER_HOUR = 1
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert (
        send(client, _distinct(1), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 302
    )
    assert (
        send(client, _distinct(2), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 302
    )
    refused = send(client, _distinct(3), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert refused.status_code == 429


def test_client_address_is_kept_only_as_a_keyed_hash(client):
    send(client, REMOTE_ADDR="203.0.113.7")
    stored = Suggestion.objects.get().address_hash
    assert "203.0.113.7" not in stored and len(stored) == 64


def test_post_without_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post(URL, suggestion())
    assert response.status_code == 403
    assert_nothing_written()


def test_form_page_is_never_cached_nor_shared(client):
    first = client.get(URL)
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert "ETag" not in first
    other = Client().get(URL)
    assert first.context["csrf_token"] != other.context["csrf_token"]


# --- Validation: the importer's rules, shown in the form ---


def test_short_description_is_shown_as_an_error_and_nothing_written(client):
    response = send(client, suggestion(description="Too short."))
    assert response.status_code == 200
    assert "Write at least 80 characters, ending with “.”, “!” or “?”: this one has 10." in (
        form_errors(response)
    )
    assert_nothing_written()


def test_description_must_end_as_prose_does(client):
    response = send(client, suggestion(description=DESCRIPTION.rstrip(".")))
    assert "Write at least 80 characters" in form_errors(response)
    assert_nothing_written()


def test_organization_without_kind_and_contact_without_organization_are_errors(client):
    rows = [{"name": "Cooperativa Sin Tipo"}, {"contact": "Ana Ruiz"}]
    response = send(client, suggestion(*rows))
    body = form_errors(response)
    assert "Choose the kind of this organization." in body
    assert "Name the organization." in body
    assert_nothing_written()


def test_organization_named_twice_is_refused_by_the_importer_rule(client):
    response = send(client, suggestion(BAKERY, {**BAKERY, "contact": "Ane Goikoetxea"}))
    assert f"“{BAKERY['name']}” is named twice in “{TITLE}”" in form_errors(response)
    assert_nothing_written()


def test_unknown_region_theme_or_country_is_an_error(client):
    for field, value in [("region", "Atlantis"), ("themes", ["Astrology"]), ("country", "XX")]:
        response = send(client, suggestion(**{field: value}))
        assert "Select a valid choice" in form_errors(response), field
    assert_nothing_written()


def test_title_of_a_case_already_in_the_catalogue_is_refused(client, imported):
    title = Case.objects.first().title
    response = send(client, suggestion(title=title))
    assert "already in the catalogue or awaiting review" in form_errors(response)
    assert not Suggestion.objects.exists()


def test_names_and_titles_must_fit_on_one_line(client):
    response = send(client, suggestion(title="Two\nlines"))
    assert "Write this on one line." in form_errors(response)
    assert_nothing_written()


def test_missing_submitter_is_an_error(client):
    response = send(client, suggestion(your_name="", your_email="not-an-address"))
    body = form_errors(response)
    assert "This field is required." in body and "Enter a valid email address." in body
    assert_nothing_written()


# --- Length limits: the database's, read from the models ---


@pytest.mark.parametrize(
    ("changes", "limit"),
    [
        ({"title": "T" * 301}, 300),
        ({"city": "C" * 101}, 100),
        ({"description": DESCRIPTION + " " + "x" * 5000 + "."}, 5000),
        ({"your_name": "N" * 201}, 200),
    ],
)
def test_values_longer_than_their_limit_are_refused(client, changes, limit):
    response = send(client, suggestion(**changes))
    assert f"Ensure this value has at most {limit} characters" in form_errors(response)
    assert_nothing_written()


def test_organization_and_contact_longer_than_their_limit_are_refused(client):
    row = {**BAKERY, "name": "O" * 301, "role": "R" * 301}
    body = form_errors(send(client, suggestion(row)))
    assert "at most 300 characters (it has 301)" in body
    assert_nothing_written()


def test_more_than_five_organizations_are_refused(client):
    rows = [{"name": f"Cooperativa {n}", "kind": "other"} for n in range(6)]
    data = {**suggestion(*rows), "organizations-TOTAL_FORMS": "6"}
    response = send(client, data)
    assert response.status_code == 200
    assert "Please submit at most 5 forms." in form_errors(response)
    assert_nothing_written()


def test_form_fields_carry_the_limits_of_the_models(client):
    body = client.get(URL).content.decode()
    assert 'name="title" maxlength="300"' in body
    assert 'name="organizations-0-name" maxlength="300"' in body
    assert 'name="city" maxlength="100"' in body


# --- The editors' queue in the admin ---


def approve(client, case):
    data = {"action": "approve_suggestions", "_selected_action": [case.pk], "index": 0}
    return client.post(f"{CHANGELIST}?suggestion=pending", data)


def reject(client, case, reason=None):
    data = {"action": "reject_suggestions", "_selected_action": [case.pk]}
    if reason is None:
        data["index"] = 0  # from the list: the action asks for a reason
    else:
        data.update(post="yes", reason=reason)
    return client.post(f"{CHANGELIST}?suggestion=pending", data)


@pytest.fixture
def suggested(imported) -> Case:
    send(Client())
    return Case.objects.get(title=TITLE)


def test_suggestions_filter_shows_the_queue(editor_client, suggested):
    body = editor_client.get(f"{CHANGELIST}?suggestion=pending").content.decode()
    assert TITLE in body and "Jon Ander" in body
    assert Case.objects.count() == 4
    assert "Cooperation Between A Municipality" not in body
    assert "Awaiting review" in editor_client.get(CHANGELIST).content.decode()


def test_editors_see_who_suggested_a_case_on_its_page(editor_client, suggested):
    body = editor_client.get(f"{CHANGELIST}{suggested.pk}/change/").content.decode()
    assert "Jon Ander" in body and SUBMITTER_EMAIL in body


def test_approve_publishes_the_suggestion_with_a_history_entry(editor_client, suggested):
    response = approve(editor_client, suggested)
    assert response.status_code == 302
    suggested.refresh_from_db()
    assert suggested.status == Case.Status.PUBLISHED
    assert Client().get(suggested.get_absolute_url()).status_code == 200
    assert not Case.objects.suggestions("pending").exists()
    assert Case.objects.suggestions("approved").get() == suggested
    latest = Version.objects.get_for_object(suggested).first()
    assert latest.revision.comment == "Published: suggestion approved"
    assert latest.revision.user.username == "editor"


def test_reject_asks_for_a_reason_first(editor_client, suggested):
    response = reject(editor_client, suggested)
    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert reject(editor_client, suggested, reason="").status_code == 200
    assert Case.objects.suggestions("pending").get() == suggested


def test_reject_keeps_the_reason_in_the_history_and_the_case_a_draft(editor_client, suggested):
    reason = "Already covered by the Bilbao bakers' case."
    response = reject(editor_client, suggested, reason)
    assert response.status_code == 302
    suggested.refresh_from_db()
    assert suggested.status == Case.Status.DRAFT
    assert Client().get(suggested.get_absolute_url()).status_code == 404
    assert suggested.suggestion.rejection_reason == reason
    assert Case.objects.suggestions("rejected").get() == suggested
    assert not Case.objects.suggestions("pending").exists()
    history = editor_client.get(f"{CHANGELIST}{suggested.pk}/history/").content.decode()
    assert f"Suggestion rejected: {reason}" in history.replace("&#x27;", "'")


def test_actions_need_the_permission_to_change_cases(client, django_user_model, suggested):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(viewer)
    page = client.get(f"{CHANGELIST}?suggestion=pending")
    assert page.status_code == 200 and "approve_suggestions" not in page.content.decode()
    approve(client, suggested)
    reject(client, suggested, reason="No.")
    suggested.refresh_from_db()
    assert suggested.status == Case.Status.DRAFT and suggested.suggestion.rejected_at is None


def test_the_queue_is_for_signed_in_staff_only(client, suggested):
    response = client.get(f"{CHANGELIST}?suggestion=pending")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_editors_may_review_and_delete_suggestions(editor):
    for action in ("view", "change", "delete"):
        assert editor.has_perm(f"cases.{action}_suggestion")
