"""Editing through the Django admin: who gets in, what they can change, what they see."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import Case, CaseOrganization, Contact, Organization, Region, Theme

from .conftest import EDITOR_PASSWORD
from .factories import ATE, BARCELONA, make_case, make_contact, make_organization

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:cases_{obj._meta.model_name}_change", args=[obj.pk])


CASE_LIST = "/admin/cases/case/"


# --- who gets in ---


def test_editor_logs_in_through_the_admin_login_form(client, editor):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": EDITOR_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_editor_changes_a_case_through_the_change_form(client, editor, admin_form_data):
    case = make_case(
        "Waste pickers and the city",
        organizations=[make_organization("Cooperativa Labcoop")],
        themes=["women"],
    )
    client.post("/admin/login/", {"username": "editor", "password": EDITOR_PASSWORD})
    url = change_url(case)
    youth = Theme.objects.get(slug="youth")
    data = admin_form_data(client.get(url), city="Badalona", themes=[str(youth.pk)])
    assert "caseorganization_set-TOTAL_FORMS" in data

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == reverse("admin:cases_case_changelist")
    case.refresh_from_db()
    assert case.city == "Badalona"
    assert list(case.themes.values_list("slug", flat=True)) == ["youth"]
    assert {"city", "themes"} <= set(case.edited_fields)


def test_editor_adds_an_organization_to_a_case_through_the_inline(editor_client, admin_form_data):
    labcoop = make_organization("Cooperativa Labcoop")
    case = make_case(organizations=[labcoop])
    city_hall = make_organization("Ayuntamiento de Barcelona", "government-and-public-agency")
    rojo = make_contact(city_hall, "Guillermo Rojo", honorific="Mr.")
    url = change_url(case)
    data = admin_form_data(editor_client.get(url))
    data.update(
        {
            "caseorganization_set-TOTAL_FORMS": "2",
            "caseorganization_set-1-position": "1",
            "caseorganization_set-1-organization": str(city_hall.pk),
            "caseorganization_set-1-contact": str(rojo.pk),
            "caseorganization_set-1-case": str(case.pk),
        }
    )

    response = editor_client.post(url, data)

    assert response.status_code == 302
    links = CaseOrganization.objects.filter(case=case).order_by("position")
    assert [(link.organization, link.contact) for link in links] == [
        (labcoop, None),
        (city_hall, rojo),
    ]
    assert list(Case.objects.search("rojo")) == [case]
    case.refresh_from_db()
    assert "organizations" in case.edited_fields


def test_published_case_keeps_its_slug_when_an_editor_posts_another(editor_client, admin_form_data):
    case = make_case("Waste pickers and the city")
    url = change_url(case)
    data = admin_form_data(editor_client.get(url), slug="another-slug", city="Lima")
    assert editor_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.slug, case.city) == ("waste-pickers-and-the-city", "Lima")


def test_draft_case_slug_can_be_changed(editor_client, admin_form_data):
    case = make_case("Waste pickers and the city", status=Case.Status.DRAFT)
    url = change_url(case)
    response = editor_client.post(url, admin_form_data(editor_client.get(url), slug="pickers"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.slug == "pickers"


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_case("Waste pickers and the city", status=Case.Status.DRAFT),
        make_organization,
        lambda: Theme.objects.get(slug="youth"),
        lambda: Region.objects.get(slug="asia"),
    ],
    ids=["case", "organization", "theme", "region"],
)
@pytest.mark.parametrize("slug", ["-2-3", "_draft"])
def test_slug_not_starting_with_a_letter_or_digit_is_refused_in_the_admin(
    editor_client, admin_form_data, make, slug
):
    obj = make()
    url = change_url(obj)

    response = editor_client.post(url, admin_form_data(editor_client.get(url), slug=slug))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"slug": ["A slug starts with a letter or a digit."]}
    assert type(obj).objects.get(pk=obj.pk).slug == obj.slug


@pytest.mark.parametrize("model", [Case, Organization, Theme, Region])
@pytest.mark.parametrize("slug", ["-2-3", "_x", "=cmd", ""])
def test_database_refuses_a_slug_not_starting_with_a_letter_or_digit(model, slug):
    make_case(organizations=[make_organization()], themes=["youth"], region="asia")
    one_row = model.objects.filter(pk=model.objects.first().pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        one_row.update(slug=slug)


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(CASE_LIST)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/?next=")


def test_non_staff_user_is_sent_to_the_admin_login(client, django_user_model):
    user = django_user_model.objects.create_user(username="reader", password=EDITOR_PASSWORD)
    client.force_login(user)
    for url in ["/admin/", CASE_LIST]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"/admin/login/?next={url}"


def test_non_staff_user_cannot_log_in_to_the_admin(client, django_user_model):
    django_user_model.objects.create_user(username="reader", password=EDITOR_PASSWORD)
    response = client.post("/admin/login/", {"username": "reader", "password": EDITOR_PASSWORD})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/"])
def test_editors_cannot_reach_user_administration(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editors_cannot_add_themes_but_can_see_them(editor_client):
    assert editor_client.get("/admin/cases/theme/").status_code == 200
    assert editor_client.get("/admin/cases/theme/add/").status_code == 403


# --- publishing ---


def test_publish_action_publishes_the_selected_drafts(editor_client):
    drafts = [make_case(f"Draft {n}", status=Case.Status.DRAFT) for n in range(3)]
    response = editor_client.post(
        CASE_LIST,
        {"action": "publish", "_selected_action": [drafts[0].pk, drafts[1].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Published 2 case(s)." in [str(m) for m in response.context["messages"]]
    assert sorted(Case.objects.published().values_list("title", flat=True)) == [
        "Draft 0",
        "Draft 1",
    ]


def test_unpublish_action_moves_the_selected_cases_back_to_draft(editor_client):
    cases = [make_case(f"Case {n}") for n in range(2)]
    editor_client.post(CASE_LIST, {"action": "unpublish", "_selected_action": [cases[0].pk]})
    assert list(Case.objects.published()) == [cases[1]]
    cases[0].refresh_from_db()
    assert cases[0].is_draft


# --- what the pages show ---


@pytest.mark.parametrize("model", [Case, Organization, Contact, Theme, Region])
def test_changelist_and_change_pages_render_for_a_superuser(admin_client, imported, model):
    assert (
        admin_client.get(reverse(f"admin:cases_{model._meta.model_name}_changelist")).status_code
        == 200
    )
    assert admin_client.get(change_url(model.objects.first())).status_code == 200


def test_admin_add_case_page_renders(admin_client):
    assert admin_client.get("/admin/cases/case/add/").status_code == 200


def test_admin_case_search_finds_cases_by_contact_name(admin_client, imported):
    response = admin_client.get(CASE_LIST, {"q": "Quispe"})
    assert response.status_code == 200
    assert [case.title for case in response.context["cl"].result_list] == [ATE]


def test_admin_case_search_finds_cases_by_organization_name(admin_client, imported):
    response = admin_client.get(CASE_LIST, {"q": "Labcoop"})
    assert [case.title for case in response.context["cl"].result_list] == [BARCELONA]


def test_contact_email_is_shown_in_the_admin(admin_client):
    contact = make_contact(email="ana.ruiz@example.org")
    assert "ana.ruiz@example.org" in admin_client.get(change_url(contact)).content.decode()
    page = admin_client.get(change_url(contact.organization)).content.decode()
    assert "ana.ruiz@example.org" in page
