"""The built fixture (fixtures/catalogue.json): deterministic, fresh, equal to an import."""

import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.importer import import_cases
from cases.models import Case, CaseOrganization, Contact, Organization, Region, Theme

from .factories import make_case, make_organization


def build_fixtures(*args: str) -> str:
    out = io.StringIO()
    call_command("build_fixtures", *args, stdout=out)
    return out.getvalue()


def load_fixture() -> None:
    call_command("loaddata", str(settings.CATALOGUE_FIXTURE), verbosity=0)


def catalogue_rows() -> dict[str, set]:
    """The catalogue by natural keys, without primary keys or timestamps."""
    return {
        "themes": set(Theme.objects.values_list("name", "slug", "description")),
        "regions": set(Region.objects.values_list("name", "slug")),
        "organizations": set(
            Organization.objects.values_list("name", "slug", "kind", "country", "website")
        ),
        "contacts": set(
            Contact.objects.values_list("organization__name", "honorific", "name", "role", "email")
        ),
        "cases": {
            (
                case.title,
                case.slug,
                case.description,
                case.region.name if case.region else None,
                case.country.code,
                case.city,
                tuple(sorted(case.themes.values_list("slug", flat=True))),
                case.status,
                case.marked_absent,
                case.source_file,
                case.source_line,
                tuple(case.source_facts),
                tuple(case.edited_fields),
                case.search_text,
                case.search_title,
            )
            for case in Case.objects.all()
        },
        "links": set(
            CaseOrganization.objects.values_list(
                "case__title", "organization__name", "position", "contact__name"
            )
        ),
    }


# --- building ---


def test_check_passes_on_the_committed_fixture():
    assert build_fixtures("--check") == "catalogue.json is up to date\n"


def test_building_twice_gives_byte_identical_text(settings, tmp_path):
    settings.CATALOGUE_FIXTURE = tmp_path / "catalogue.json"
    assert build_fixtures().startswith("wrote ")
    first = settings.CATALOGUE_FIXTURE.read_bytes()
    assert build_fixtures() == "catalogue.json unchanged\n"
    assert settings.CATALOGUE_FIXTURE.read_bytes() == first
    assert first == (settings.BASE_DIR / "fixtures" / "catalogue.json").read_bytes()


def test_check_fails_on_a_stale_fixture(settings, tmp_path):
    committed = (settings.BASE_DIR / "fixtures" / "catalogue.json").read_text(encoding="utf-8")
    settings.CATALOGUE_FIXTURE = tmp_path / "catalogue.json"
    settings.CATALOGUE_FIXTURE.write_text(committed.replace("Barcelona", "Girona"), "utf-8")
    with pytest.raises(CommandError, match="is stale"):
        build_fixtures("--check")


def test_check_fails_when_the_editorial_changes(settings, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(settings.CATALOGUE_SOURCE_DIR, source)
    editorial = source / "editorial.toml"
    editorial.write_text(
        editorial.read_text(encoding="utf-8").replace('city = "Lima"', 'city = "Callao"'), "utf-8"
    )
    settings.CATALOGUE_SOURCE_DIR = source
    with pytest.raises(CommandError, match="is stale"):
        build_fixtures("--check")


def test_build_error_names_file_and_line(settings, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "bad.txt").write_text("A title\n\nToo short.\n", "utf-8")
    settings.CATALOGUE_SOURCE_DIR = source
    settings.CATALOGUE_FIXTURE = tmp_path / "catalogue.json"
    with pytest.raises(CommandError, match=f"^{source / 'bad.txt'}:1: "):
        build_fixtures()
    assert not settings.CATALOGUE_FIXTURE.exists()


def test_fixture_holds_no_contact_email(settings):
    records = json.loads(settings.CATALOGUE_FIXTURE.read_text(encoding="utf-8"))
    contacts = [r["fields"] for r in records if r["model"] == "cases.contact"]
    assert len(contacts) == 3
    assert all(fields["email"] == "" for fields in contacts)


# --- loading ---


@pytest.mark.django_db
def test_loaddata_fills_an_empty_database_with_the_catalogue():
    load_fixture()
    assert Case.objects.published().count() == 3
    assert Organization.objects.count() == 4
    assert Contact.objects.count() == 3
    assert Theme.objects.count() == 5
    assert Region.objects.count() == 7
    assert CaseOrganization.objects.count() == 4


@pytest.mark.django_db
def test_import_after_loaddata_reports_everything_unchanged(seed_path, editorial_path):
    load_fixture()
    report = import_cases([seed_path], editorial=editorial_path)
    assert {name: (t.created, t.updated) for name, t in report.tallies.items()} == {
        name: (0, 0) for name in report.tallies
    }
    assert report.tallies["cases"].unchanged == 3


@pytest.mark.django_db
def test_loaddata_and_import_build_the_same_catalogue(seed_path, editorial_path):
    load_fixture()
    loaded = catalogue_rows()
    CaseOrganization.objects.all().delete()
    Case.objects.all().delete()
    Organization.objects.all().delete()
    Theme.objects.update(description="")
    import_cases([seed_path], editorial=editorial_path)
    assert catalogue_rows() == loaded


@pytest.mark.django_db
def test_load_catalogue_loads_into_an_empty_database():
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert Case.objects.count() == 3
    assert Organization.objects.count() == 4
    assert "loaded 3 cases" in out.getvalue()


@pytest.mark.django_db
def test_load_catalogue_leaves_a_database_with_cases_untouched():
    make_case("An editor's own case", organizations=[make_organization("Own org")])
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert list(Case.objects.values_list("title", flat=True)) == ["An editor's own case"]
    assert list(Organization.objects.values_list("name", flat=True)) == ["Own org"]
    assert "left as it is" in out.getvalue()


@pytest.mark.django_db
def test_load_catalogue_leaves_a_database_with_only_organizations_untouched():
    make_organization("Own org")
    call_command("load_catalogue", stdout=io.StringIO())
    assert not Case.objects.exists()
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_load_catalogue_twice_loads_once():
    call_command("load_catalogue", stdout=io.StringIO())
    Case.objects.filter(city="Lima").update(city="Callao")
    call_command("load_catalogue", stdout=io.StringIO())
    assert Case.objects.count() == 3
    assert Case.objects.filter(city="Callao").exists()
