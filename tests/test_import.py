"""Importing seed text and its editorial overlay: counts, idempotency, atomicity, editors' edits."""

import io
import re

import pytest
from django.core import serializers
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import importer, synthetic
from cases.importer import import_cases
from cases.models import (
    Case,
    CaseOrganization,
    Contact,
    Organization,
    Region,
    Theme,
    unique_slug,
)
from cases.seed import SeedError

from .factories import ATE, BARCELONA, DESCRIPTION, HOMENET, make_case

pytestmark = pytest.mark.django_db

SUMMARY_LINE = re.compile(
    r"^(themes|regions|organizations|contacts|cases): created \d+, updated \d+, unchanged \d+$"
)
SECOND_FILE = f"""A second look at home-based work

{DESCRIPTION}

HomeNet Pakistan

SSE organization

Ms. Sara Khan

General secretary
"""


def snapshot() -> str:
    """Every catalogue row, serialized: equal snapshots mean an untouched database."""
    models = [Theme, Region, Organization, Contact, Case, CaseOrganization]
    rows = [obj for model in models for obj in model.objects.order_by("pk")]
    return serializers.serialize("json", rows)


def tallies(report) -> dict[str, tuple[int, int, int]]:
    return {name: (t.created, t.updated, t.unchanged) for name, t in report.tallies.items()}


def change_in_admin(client, admin_form_data, obj, **changes):
    """Post the admin change form of obj with `changes`, as an editor's browser would."""
    url = reverse(f"admin:cases_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.post(url, admin_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# --- first import ---


def test_first_import_creates_three_cases_four_organizations_three_contacts(imported):
    counts = tallies(imported)
    assert counts["cases"] == (3, 0, 0)
    assert counts["organizations"] == (4, 0, 0)
    assert counts["contacts"] == (3, 0, 0)
    assert (Case.objects.count(), Organization.objects.count(), Contact.objects.count()) == (
        3,
        4,
        3,
    )
    assert CaseOrganization.objects.count() == 4


def test_first_import_publishes_the_cases(imported):
    assert Case.objects.published().count() == 3


def test_imported_cases_keep_title_absent_mark_and_source_line(imported):
    rows = Case.objects.order_by("source_line").values_list(
        "title", "marked_absent", "source_file", "source_line"
    )
    assert list(rows) == [
        (BARCELONA, False, "seed-cases.txt", 8),
        (HOMENET, True, "seed-cases.txt", 29),
        (ATE, False, "seed-cases.txt", 39),
    ]


def test_imported_case_names_its_organizations_in_order_with_their_contacts(imported):
    links = CaseOrganization.objects.filter(case__title=BARCELONA).order_by("position")
    assert [(link.organization.name, str(link.contact)) for link in links] == [
        ("Cooperativa Labcoop, SCCL", "Mr. Guillermo Rojo"),
        ("Ayuntamiento de Barcelona", "Ms. Elisenda Vegué Gisbert"),
    ]
    (homenet,) = CaseOrganization.objects.filter(case__title=HOMENET)
    assert homenet.contact is None


def test_imported_contacts_keep_honorific_and_role(imported):
    quispe = Contact.objects.get(name="Jesus Quispe")
    assert quispe.honorific == "Mr."
    assert (
        quispe.organization.name == "Asociación de Municipalidades en Red del Perú (MUNIRED PERU)"
    )
    assert quispe.role.startswith("Coordinator of Productive Municipalities")


def test_imported_organizations_have_their_kinds(imported):
    assert dict(Organization.objects.values_list("name", "kind")) == {
        "Cooperativa Labcoop, SCCL": "sse-organization",
        "Ayuntamiento de Barcelona": "government-and-public-agency",
        "HomeNet Pakistan": "sse-organization",
        "Asociación de Municipalidades en Red del Perú (MUNIRED PERU)": "sse-organization",
    }


def test_imported_cases_are_searchable_by_contact_name_and_role(imported):
    assert [c.title for c in Case.objects.search("quispe")] == [ATE]
    assert [c.title for c in Case.objects.search("vegue")] == [BARCELONA]
    assert [c.title for c in Case.objects.search("chief of operations")] == [BARCELONA]


def test_summary_states_created_updated_unchanged_per_entity(imported):
    lines = imported.summary().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "themes",
        "regions",
        "organizations",
        "contacts",
        "cases",
    ]
    assert all(SUMMARY_LINE.match(line) for line in lines)
    assert "cases: created 3, updated 0, unchanged 0" in lines
    assert "organizations: created 4, updated 0, unchanged 0" in lines
    assert "contacts: created 3, updated 0, unchanged 0" in lines


# --- idempotency ---


def test_second_import_creates_and_updates_nothing(imported, seed_path, editorial_path):
    again = import_cases([seed_path], editorial=editorial_path)
    assert all(created == updated == 0 for created, updated, _ in tallies(again).values())
    assert tallies(again)["cases"] == (0, 0, 3)
    assert tallies(again)["organizations"] == (0, 0, 4)
    assert tallies(again)["contacts"] == (0, 0, 3)


def test_second_import_leaves_every_row_as_it_was(imported, seed_path, editorial_path):
    before = snapshot()
    import_cases([seed_path], editorial=editorial_path)
    assert snapshot() == before


def test_second_import_without_editorial_creates_and_updates_nothing(db, seed_path):
    import_cases([seed_path])
    again = import_cases([seed_path])
    assert all(created == updated == 0 for created, updated, _ in tallies(again).values())


def test_changed_text_updates_the_case_on_reimport(imported, seed_path, editorial_path, write_seed):
    text = seed_path.read_text(encoding="utf-8").replace("vulnerabie", "vulnerable")
    report = import_cases([write_seed(text, "seed-cases.txt")], editorial=editorial_path)
    assert tallies(report)["cases"] == (0, 1, 2)
    assert "highly socially vulnerable" in Case.objects.get(title=BARCELONA).description


def test_import_never_deletes_cases_missing_from_the_file(imported, write_seed):
    import_cases([write_seed(SECOND_FILE)])
    assert Case.objects.count() == 4


def test_reimport_takes_the_same_queries_however_many_cases(tmp_path, django_assert_num_queries):
    path = tmp_path / "generated.txt"
    synthetic.generate_text_file(path, 120, 4)  # every case states its region
    import_cases([path])

    with django_assert_num_queries(14):  # not one more per case (one reads the version)
        report = import_cases([path])

    assert tallies(report)["cases"] == (0, 0, 120)


# --- all or nothing ---


def test_bad_second_file_leaves_the_database_as_it_was(db, seed_path, write_seed):
    make_case("A case an editor added")
    before = snapshot()
    bad = write_seed(SECOND_FILE + "\nThanks for reading!\n", "bad.txt")
    with pytest.raises(SeedError) as caught:
        import_cases([seed_path, bad])
    assert str(caught.value).startswith(f"{bad}:13: ")
    assert snapshot() == before


def test_organization_with_another_kind_in_a_second_file_is_an_error(db, seed_path, write_seed):
    second = write_seed(SECOND_FILE.replace("SSE organization", "Private sector"), "second.txt")
    with pytest.raises(SeedError) as caught:
        import_cases([seed_path, second])
    assert str(caught.value).startswith(f"{second}:5: ")
    assert f"{seed_path}:34" in str(caught.value)
    assert not Organization.objects.exists()


def test_same_case_title_in_two_files_is_an_error(db, seed_path, write_seed):
    second = write_seed(f"{ATE}\n\n{DESCRIPTION}\n", "second.txt")
    with pytest.raises(SeedError, match=re.escape(f"{second}:1: ")):
        import_cases([seed_path, second])
    assert not Case.objects.exists()


def test_failure_while_writing_rolls_back_everything_written(db, seed_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    before = snapshot()
    monkeypatch.setattr(importer, "_write_cases", fail)
    with pytest.raises(RuntimeError):
        import_cases([seed_path])
    assert snapshot() == before
    assert not Organization.objects.exists()


# --- dry run and drafts ---


def test_dry_run_reports_counts_and_writes_nothing(db, seed_path, editorial_path):
    before = snapshot()
    report = import_cases([seed_path], editorial=editorial_path, dry_run=True)
    assert tallies(report)["cases"] == (3, 0, 0)
    assert tallies(report)["organizations"] == (4, 0, 0)
    assert report.summary().splitlines()[-1] == "dry run: nothing was written"
    assert snapshot() == before


def test_draft_import_makes_new_cases_drafts(db, seed_path):
    import_cases([seed_path], draft=True)
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.DRAFT}
    assert not Case.objects.published().exists()


def test_draft_import_leaves_published_cases_published(imported, seed_path, write_seed):
    import_cases([seed_path, write_seed(SECOND_FILE)], draft=True)
    assert Case.objects.published().count() == 3
    assert Case.objects.get(title="A second look at home-based work").is_draft


# --- editorial overlay ---


def case_facts(title: str) -> tuple:
    case = Case.objects.get(title=title)
    themes = sorted(case.themes.values_list("slug", flat=True))
    region = case.region.slug if case.region else None
    return region, case.country.code, case.city, themes


def test_editorial_places_and_themes_the_barcelona_case(imported):
    assert case_facts(BARCELONA) == (
        "europe",
        "ES",
        "Barcelona",
        ["recognizing-the-informal-economy", "social-cohesion"],
    )


def test_editorial_places_and_themes_the_homenet_case(imported):
    assert case_facts(HOMENET) == (
        "asia",
        "PK",
        "",
        ["recognizing-the-informal-economy", "women"],
    )


def test_ate_case_keeps_its_stated_region_and_gets_editorial_facts(imported):
    assert case_facts(ATE) == (
        "latin-america",
        "PE",
        "Lima",
        ["recognizing-the-informal-economy", "social-cohesion", "youth"],
    )


def test_editorial_gives_organizations_their_countries(imported):
    countries = {org.name: org.country.code for org in Organization.objects.all()}
    assert countries == {
        "Cooperativa Labcoop, SCCL": "ES",
        "Ayuntamiento de Barcelona": "ES",
        "HomeNet Pakistan": "PK",
        "Asociación de Municipalidades en Red del Perú (MUNIRED PERU)": "PE",
    }


def test_editorial_describes_the_themes(imported):
    assert Theme.objects.get(slug="women").description.startswith("Women's work, leadership")
    assert not Theme.objects.filter(description="").exists()


def test_provenance_tells_stated_region_from_editorial_region(imported):
    ate = dict(Case.objects.get(title=ATE).provenance)
    barcelona = dict(Case.objects.get(title=BARCELONA).provenance)
    assert ate["region"] == "source text"
    assert barcelona["region"] == "editorial"
    assert ate["themes"] == barcelona["themes"] == "editorial"
    assert ate["title"] == barcelona["title"] == "source text"


def test_without_editorial_only_the_stated_region_is_set(db, seed_path):
    import_cases([seed_path])
    assert dict(Case.objects.values_list("title", "region__slug")) == {
        BARCELONA: None,
        HOMENET: None,
        ATE: "latin-america",
    }


def test_editorial_may_name_themes_and_regions_by_slug(db, seed_path, write_seed):
    editorial = write_seed(
        f'[cases."{ATE}"]\nregion = "latin-america"\nthemes = ["youth", "Social Cohesion"]\n'
        f'[cases."{HOMENET}"]\nregion = "asia"\n',
        "editorial.toml",
    )
    import_cases([seed_path], editorial=editorial)
    assert case_facts(ATE) == ("latin-america", "", "", ["social-cohesion", "youth"])
    assert case_facts(HOMENET)[0] == "asia"


# --- editorial errors name FILE:LINE ---


def editorial_error(seed_path, write_seed, toml: str) -> tuple[str, str]:
    path = write_seed(toml, "editorial.toml")
    with pytest.raises(SeedError) as caught:
        import_cases([seed_path], editorial=path)
    assert not Case.objects.exists()
    return str(path), str(caught.value)


def test_editorial_unknown_theme_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(
        seed_path, write_seed, f'# facts\n\n[cases."{ATE}"]\nthemes = ["Youth", "Poverty"]\n'
    )
    assert error.startswith(f"{path}:3: ")
    assert "unknown theme “Poverty”" in error


def test_editorial_unknown_title_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(
        seed_path, write_seed, f'[cases."{ATE}"]\ncity = "Lima"\n\n[cases."No such case"]\n'
    )
    assert error.startswith(f"{path}:4: ")
    assert "No such case" in error


def test_editorial_bad_toml_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(seed_path, write_seed, f'[cases."{ATE}"]\ncity = Lima\n')
    assert error.startswith(f"{path}:2: ")
    assert "TOML" in error


def test_editorial_region_contradicting_the_text_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(seed_path, write_seed, f'\n[cases."{ATE}"]\nregion = "Asia"\n')
    assert error.startswith(f"{path}:2: ")
    assert "stated in the text" in error


def test_editorial_unknown_organization_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(
        seed_path, write_seed, '[organizations."Nobody"]\ncountry = "ES"\n'
    )
    assert error.startswith(f"{path}:1: ")


def test_editorial_unknown_country_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(seed_path, write_seed, f'[cases."{ATE}"]\ncountry = "XX"\n')
    assert error.startswith(f"{path}:1: ")


def test_editorial_error_under_a_bare_key_names_file_and_line(seed_path, write_seed):
    path, error = editorial_error(seed_path, write_seed, "[themes.Poverty]\ndescription = 'x'\n")
    assert error.startswith(f"{path}:1: ")


def test_editorial_key_inside_another_title_names_its_own_line(seed_path, write_seed):
    toml = f'[cases."{ATE} (second phase)"]\ncity = "Lima"\n\n[cases."{ATE}"]\nmayor = "x"\n'
    path, error = editorial_error(seed_path, write_seed, toml)
    assert error.startswith(f"{path}:4: ")
    assert "unknown fact “mayor”" in error


def test_editorial_title_with_escapes_names_its_line(seed_path, write_seed):
    toml = f'[cases."{ATE}"]\ncity = "Lima"\n\n[cases."Caf\\u00e9 \\"La Olla\\""]\ncity = "x"\n'
    path, error = editorial_error(seed_path, write_seed, toml)
    assert error.startswith(f"{path}:4: ")
    assert 'no imported case is titled “Café "La Olla"”' in error


def test_editorial_entry_written_as_a_key_names_its_line(seed_path, write_seed):
    toml = f'[cases]\n"{BARCELONA}" = {{ city = "Barcelona" }}\n"{ATE}" = {{ mayor = "x" }}\n'
    path, error = editorial_error(seed_path, write_seed, toml)
    assert error.startswith(f"{path}:3: ")
    assert "unknown fact “mayor”" in error


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ("city = 5", "city must be a string"),
        ('country = ["PE"]', "country must be a string"),
        ('themes = "Youth"', "themes must be a list of strings"),
        ('region = " "', "region is empty"),
        ('country = "PER"', "unknown country code “PER” (ISO 3166-1)"),
    ],
)
def test_editorial_fact_of_the_wrong_kind_names_file_and_line(seed_path, write_seed, fact, message):
    toml = f'[cases."{BARCELONA}"]\ncity = "Barcelona"\n\n[cases."{ATE}"]\n{fact}\n'
    path, error = editorial_error(seed_path, write_seed, toml)
    assert error == f"{path}:4: {message}"


def test_editorial_country_codes_may_be_lower_case(db, seed_path, write_seed):
    toml = f'[cases."{ATE}"]\ncountry = "pe"\n[organizations."HomeNet Pakistan"]\ncountry = "pk"\n'
    import_cases([seed_path], editorial=write_seed(toml, "editorial.toml"))
    assert case_facts(ATE)[1] == "PE"
    assert Organization.objects.get(name="HomeNet Pakistan").country.code == "PK"


def test_editorial_file_may_start_with_a_byte_order_mark(db, seed_path, write_seed):
    toml = f'\ufeff[cases."{ATE}"]\ncountry = "PE"\n'.encode()
    import_cases([seed_path], editorial=write_seed(toml, "editorial.toml"))
    assert case_facts(ATE)[1] == "PE"


# --- values longer than their fields hold are refused before anything is written ---


def too_long(model, name: str) -> str:
    return "x" * (model._meta.get_field(name).max_length + 1)


def limit_of(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@pytest.mark.parametrize(
    ("original", "model", "field", "line", "label"),
    [
        ("A second look at home-based work", Case, "title", 1, "title"),
        ("HomeNet Pakistan", Organization, "name", 5, "organization name"),
        ("Sara Khan", Contact, "name", 9, "contact name"),
        ("General secretary", Contact, "role", 11, "contact role"),
    ],
)
def test_seed_value_too_long_for_its_field_names_file_and_line(
    seed_path, write_seed, original, model, field, line, label
):
    make_case("A case an editor added")
    before = snapshot()
    long_file = write_seed(SECOND_FILE.replace(original, too_long(model, field)), "long.txt")

    with pytest.raises(SeedError) as caught:
        import_cases([seed_path, long_file])

    limit = limit_of(model, field)
    assert str(caught.value) == (
        f"{long_file}:{line}: {label} has {limit + 1} characters; at most {limit}"
    )
    assert snapshot() == before


def test_ten_megabyte_title_is_refused_with_file_and_line(write_seed):
    title = "x" * 10_485_760
    path = write_seed(SECOND_FILE.replace("A second look at home-based work", title))

    with pytest.raises(SeedError) as caught:
        import_cases([path])

    limit = limit_of(Case, "title")
    assert str(caught.value) == f"{path}:1: title has 10,485,760 characters; at most {limit}"
    assert not Case.objects.exists()


def test_editorial_city_too_long_names_the_editorial_line(seed_path, write_seed):
    city = too_long(Case, "city")
    toml = f'[cases."{ATE}"]\ncountry = "PE"\n\n[cases."{BARCELONA}"]\ncity = "{city}"\n'
    path, error = editorial_error(seed_path, write_seed, toml)
    limit = limit_of(Case, "city")
    assert error == f"{path}:4: city has {limit + 1} characters; at most {limit}"


def test_editorial_website_too_long_names_the_editorial_line(seed_path, write_seed):
    website = "https://example.org/" + too_long(Organization, "website")
    toml = f'# websites\n[organizations."HomeNet Pakistan"]\nwebsite = "{website}"\n'
    path, error = editorial_error(seed_path, write_seed, toml)
    limit = limit_of(Organization, "website")
    assert error == f"{path}:2: website has {len(website)} characters; at most {limit}"


# --- slugs start with a letter or a digit (a spreadsheet computes `-2-3` to -5) ---


def test_imported_slugs_start_with_a_letter_or_digit(write_seed):
    text = SECOND_FILE.replace("A second look at home-based work", "-2-3").replace(
        "HomeNet Pakistan", "=_HomeNet"
    )
    import_cases([write_seed(text), write_seed(text.replace("-2-3", "--2-3"), "again.txt")])

    slugs = [*Case.objects.values_list("slug", flat=True)]
    assert sorted(slugs) == ["2-3", "2-3-2"]
    assert Organization.objects.get().slug == "homenet"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.one_of(st.text(), st.sampled_from(["-2-3", "=cmd", "_x", "+1", "@SUM(1)", "--", ""])),
    taken=st.integers(min_value=0, max_value=3),
)
def test_unique_slug_starts_with_a_letter_or_digit(text, taken):
    refusals = iter(range(taken))  # the first `taken` candidates are already in use
    slug = unique_slug(text, lambda candidate: next(refusals, None) is not None)

    for model in (Case, Organization, Theme, Region):
        model._meta.get_field("slug").run_validators(slug)  # raises if refused


# --- editors' changes in the admin ---


def test_editor_change_survives_reimport(
    admin_client, admin_form_data, imported, seed_path, editorial_path
):
    case = Case.objects.get(title=BARCELONA)
    women = Theme.objects.get(slug="women")
    change_in_admin(admin_client, admin_form_data, case, city="Badalona", themes=[str(women.pk)])
    case.refresh_from_db()
    assert case.city == "Badalona"
    assert {"city", "themes"} <= set(case.edited_fields)

    report = import_cases([seed_path], editorial=editorial_path)

    assert tallies(report)["cases"] == (0, 0, 3)
    case.refresh_from_db()
    assert case.city == "Badalona"
    assert list(case.themes.values_list("slug", flat=True)) == ["women"]
    assert dict(case.provenance)["city"] == "editorial"


def test_overwrite_replaces_what_an_editor_changed(
    admin_client, admin_form_data, imported, seed_path, editorial_path
):
    case = Case.objects.get(title=BARCELONA)
    change_in_admin(admin_client, admin_form_data, case, city="Badalona", description=DESCRIPTION)

    report = import_cases([seed_path], editorial=editorial_path, overwrite=True)

    assert tallies(report)["cases"] == (0, 1, 2)
    case.refresh_from_db()
    assert case.city == "Barcelona"
    assert case.description.startswith("Alencop is a social cooperative")
    assert case.edited_fields == []


def test_editor_change_to_an_organization_survives_reimport(
    admin_client, admin_form_data, imported, seed_path, editorial_path
):
    org = Organization.objects.get(name="HomeNet Pakistan")
    change_in_admin(admin_client, admin_form_data, org, country="IN")
    import_cases([seed_path], editorial=editorial_path)
    org.refresh_from_db()
    assert org.country.code == "IN"
    import_cases([seed_path], editorial=editorial_path, overwrite=True)
    org.refresh_from_db()
    assert org.country.code == "PK"


def test_editor_change_to_a_contact_role_survives_reimport(
    admin_client, admin_form_data, imported, seed_path, editorial_path
):
    contact = Contact.objects.get(name="Elisenda Vegué Gisbert")
    change_in_admin(admin_client, admin_form_data, contact, role="Head of Other Economies")
    import_cases([seed_path], editorial=editorial_path)
    contact.refresh_from_db()
    assert contact.role == "Head of Other Economies"


# --- one organization across files ---


def test_same_organization_in_two_files_is_one_organization(db, seed_path, write_seed):
    report = import_cases([seed_path, write_seed(SECOND_FILE, "second.txt")])
    assert tallies(report)["organizations"] == (4, 0, 0)
    homenet = Organization.objects.get(name="HomeNet Pakistan")
    assert sorted(homenet.cases.values_list("title", flat=True)) == [
        "A second look at home-based work",
        HOMENET,
    ]
    assert list(homenet.contacts.values_list("name", flat=True)) == ["Sara Khan"]


CITY_HALL_AGAIN = f"""Another case with the city council

{DESCRIPTION}

Ayuntamiento de Barcelona

Government and public agency

Ms. Elisenda Vegué Gisbert
"""


def test_contact_named_in_two_files_is_one_contact_keeping_its_role(db, seed_path, write_seed):
    report = import_cases([seed_path, write_seed(CITY_HALL_AGAIN)])
    assert tallies(report)["contacts"] == (3, 0, 0)
    links = CaseOrganization.objects.filter(organization__name="Ayuntamiento de Barcelona")
    assert {link.contact.pk for link in links} == {
        Contact.objects.get(name="Elisenda Vegué Gisbert").pk
    }
    assert links[0].contact.role == "Chief of Operations, Other Economies"


def test_later_file_naming_a_contact_without_role_keeps_its_role(imported, write_seed):
    report = import_cases([write_seed(CITY_HALL_AGAIN)])
    assert tallies(report)["contacts"] == (0, 0, 1)
    contact = Contact.objects.get(name="Elisenda Vegué Gisbert")
    assert contact.role == "Chief of Operations, Other Economies"


def test_organization_from_an_earlier_import_is_reused(imported, write_seed):
    report = import_cases([write_seed(SECOND_FILE)])
    assert tallies(report)["organizations"] == (0, 0, 1)
    assert Organization.objects.count() == 4


# --- the command ---


def test_command_prints_the_summary_and_a_second_run_changes_nothing(seed_path, editorial_path):
    args = ["import_cases", str(seed_path), "--editorial", str(editorial_path)]
    first, second = io.StringIO(), io.StringIO()
    call_command(*args, stdout=first)
    call_command(*args, stdout=second)
    assert "cases: created 3, updated 0, unchanged 0" in first.getvalue().splitlines()
    assert "cases: created 0, updated 0, unchanged 3" in second.getvalue().splitlines()
    assert all(SUMMARY_LINE.match(line) for line in second.getvalue().splitlines())


def test_command_dry_run_writes_nothing(seed_path):
    out = io.StringIO()
    call_command("import_cases", str(seed_path), "--dry-run", stdout=out)
    assert "cases: created 3, updated 0, unchanged 0" in out.getvalue()
    assert "dry run: nothing was written" in out.getvalue()
    assert not Case.objects.exists()


def test_command_draft_makes_new_cases_drafts(seed_path):
    call_command("import_cases", str(seed_path), "--draft", stdout=io.StringIO())
    assert Case.objects.count() == 3
    assert not Case.objects.published().exists()


def test_command_error_is_file_colon_line(seed_path, write_seed):
    bad = write_seed("A title\n\nToo short.\n", "bad.txt")
    with pytest.raises(CommandError, match=rf"^{re.escape(str(bad))}:1: expected a case title"):
        call_command("import_cases", str(seed_path), str(bad), stdout=io.StringIO())
    assert not Case.objects.exists()


def test_command_exits_non_zero_and_prints_file_colon_line(
    seed_path, write_seed, capsys, monkeypatch
):
    # run_from_argv closes every connection when it ends, the test database's too.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    bad = write_seed("A title\n\nToo short.\n", "bad.txt")
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_cases", str(seed_path), str(bad)])
    assert exit_.value.code != 0
    assert f"{bad}:1: " in capsys.readouterr().err
    assert not Case.objects.exists()


def test_editor_title_change_does_not_bring_back_the_old_title_on_reimport(
    admin_client, admin_form_data, imported, seed_path, editorial_path
):
    case = Case.objects.get(title=ATE)
    change_in_admin(admin_client, admin_form_data, case, title="Recycling with Ate's youth")
    report = import_cases([seed_path], editorial=editorial_path)
    assert tallies(report)["cases"][0] == 0
    assert Case.objects.count() == 3


def test_editor_organization_rename_does_not_bring_back_the_old_name_on_reimport(
    admin_client, admin_form_data, imported, seed_path, editorial_path
):
    org = Organization.objects.get(name="HomeNet Pakistan")
    change_in_admin(admin_client, admin_form_data, org, name="HomeNet Pakistan (HNP)")
    import_cases([seed_path], editorial=editorial_path)
    assert Organization.objects.count() == 4
