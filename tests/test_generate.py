"""generate_cases: synthetic cases, into the database or as seed text that imports cleanly."""

from io import StringIO
from string import Formatter

import pytest
from django.core.management import CommandError, call_command
from django_countries import countries

from cases import seed, synthetic
from cases.importer import import_cases, merge_text, write_catalogue
from cases.models import Case, CaseOrganization, CatalogueState, Contact, Organization

from .factories import make_case


def titles(cases):
    return [case.title for case in cases]


def organization_names(cases):
    return [organization.name for organization in synthetic.organizations_of(cases)]


def run(*args) -> str:
    out = StringIO()
    call_command("generate_cases", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_same_seed_gives_same_cases_and_another_seed_others():
    first, again, other = (synthetic.generate(80, s) for s in (7, 7, 8))

    assert first == again
    assert organization_names(first) == organization_names(again)
    assert len(set(titles(first)) & set(titles(other))) < 8
    assert organization_names(first) != organization_names(other)


def test_draft_ratio_changes_only_the_status():
    plain, drafted = synthetic.generate(60, 3), synthetic.generate(60, 3, 0.25)

    assert sum(case.draft for case in drafted) == 15
    assert [(c.title, c.links, c.themes) for c in plain] == [
        (c.title, c.links, c.themes) for c in drafted
    ]


def test_generated_cases_are_varied_and_well_formed():
    cases = synthetic.generate(200, 11)
    organizations = synthetic.organizations_of(cases)
    contacts = synthetic.contacts_of(cases)
    named = [contact for listed in contacts.values() for contact in listed]
    region_of = {country.code: country.region for country in synthetic.COUNTRIES}

    assert len(set(titles(cases))) == 200
    assert len(set(organization_names(cases))) == len(organizations) == 100
    assert {organization.kind for organization in organizations} == set(seed.KINDS)
    kinds = [organization.kind for organization in organizations]
    assert max(set(kinds), key=kinds.count) == "sse-organization"
    assert len(synthetic.COUNTRIES) >= 55
    assert all(country.code in countries for country in synthetic.COUNTRIES)
    for case in cases:
        assert 1 <= len(case.links) <= 3
        assert len({link.organization for link in case.links}) == len(case.links)
        assert 1 <= len(case.themes) <= 3 and set(case.themes) <= set(seed.THEMES)
        assert case.region in seed.REGIONS and region_of[case.country] == case.region
        assert case.city
        assert 100 <= len(case.description.split()) <= 250
        assert case.description.endswith(".")
    assert 0.2 <= sum("Women" in case.themes for case in cases) / 200 <= 0.4
    assert sum("cooperative" in case.title.casefold() for case in cases) >= 40
    assert sum("cooperative" in case.description.casefold() for case in cases) >= 150
    assert len({case.country for case in cases}) >= 30
    assert {case.region for case in cases} == set(seed.REGIONS)
    assert any(contact.role for contact in named) and any(not c.role for c in named)
    assert len(contacts) < len(organizations)  # some organizations have no contact
    assert {contact.honorific for contact in named} <= set(seed.HONORIFICS)
    assert any(not text.isascii() for text in [*titles(cases), *organization_names(cases)])


# The {fields} the generator fills in organization names, titles and descriptions.
NAME_FIELDS = {"city", "trade", "dept", "brand", "io", "field", "family", "country", "region"}
TITLE_FIELDS = {"city", "country", "practice", "practice2", "a_practice", "A_practice"}
TITLE_FIELDS |= {"goal", "Group", "brand"}
PROSE_FIELDS = {"org", "partner", "a_practice", "group", "city", "other_city", "country"}
PROSE_FIELDS |= {"year", "members", "shops", "meals", "pct", "ratio"}


def fields_of(templates) -> set[str]:
    return {field for text in templates for _, field, _, _ in Formatter().parse(text) if field}


def test_word_tables_name_only_known_groups_languages_themes_and_fields():
    groups = {group for country in synthetic.COUNTRIES for group in country.name_groups}
    languages = {language for country in synthetic.COUNTRIES for language in country.languages}
    names = synthetic.ORGANIZATION_NAMES

    assert set(synthetic.REGION_WEIGHTS) == set(seed.REGIONS)
    assert set(synthetic.KIND_WEIGHTS) == set(names["en"]) == set(seed.KINDS)
    assert groups == set(synthetic.PEOPLE) >= synthetic.FAMILY_NAME_FIRST
    assert all(set(people) == {"women", "men", "families"} for people in synthetic.PEOPLE.values())
    assert languages == set(names) == set(synthetic.TRADES) == set(synthetic.DEPARTMENTS)
    assert set(synthetic.GOALS) == set(synthetic.THEME_SENTENCES) == set(seed.THEMES)
    organization_names = [name for kinds in names.values() for ts in kinds.values() for name in ts]
    assert fields_of(organization_names) <= NAME_FIELDS
    assert fields_of(synthetic.TITLES) <= TITLE_FIELDS
    prose = [*synthetic.OPENINGS, *synthetic.SUPPORTED_OPENINGS, *synthetic.SENTENCES]
    prose += [sentence for told in synthetic.THEME_SENTENCES.values() for sentence in told]
    assert fields_of(prose) <= PROSE_FIELDS
    assert fields_of(synthetic.CLOSINGS) == set()


def test_seed_text_follows_the_grammar_for_many_cases():
    cases = synthetic.generate(1000, 5)

    parsed = seed.parse(synthetic.to_seed_text(cases), source="generated.txt")

    assert parsed.themes == seed.THEMES
    assert [
        (c.title, c.region, c.description, [(o.name, o.kind, o.contact) for o in c.organizations])
        for c in parsed.cases
    ] == [
        (
            c.title,
            c.region,
            c.description,
            [(link.organization.name, link.organization.kind, link.contact) for link in c.links],
        )
        for c in cases
    ]


def test_generated_catalogue_is_what_merging_its_seed_text_gives():
    cases = synthetic.generate(300, 13)

    generated = synthetic.to_catalogue(cases)
    merged = merge_text([seed.parse(synthetic.to_seed_text(cases), source="generated")])

    def text_of(catalogue):
        """What the seed text holds: no countries, cities, themes or status."""
        return (
            catalogue.themes,
            [
                (c.title, c.description, c.source_file, c.source_line, c.links, c.source_facts)
                for c in catalogue.cases.values()
            ],
            [(c.title, c.facts["region"]) for c in catalogue.cases.values()],
            [(o.name, o.kind, o.contacts) for o in catalogue.organizations.values()],
        )

    assert text_of(generated) == text_of(merged)


@pytest.mark.django_db
def test_generated_drafts_keep_their_status_through_the_writer_whatever_it_is_told():
    cases = synthetic.generate(40, 3, 0.25)
    drafts = {case.title for case in cases if case.draft}

    write_catalogue(synthetic.to_catalogue(cases), draft=True)

    assert set(Case.objects.filter(status=Case.Status.DRAFT).values_list("title", flat=True)) == (
        drafts
    )
    assert Case.objects.published().count() == 30


@pytest.mark.django_db
def test_generating_never_takes_over_a_case_an_editor_renamed():
    title = synthetic.generate(1, 3)[0].title
    make_case("Renamed by an editor")
    Case.objects.filter(title="Renamed by an editor").update(source_title=title)

    run(1, "--seed", 3)

    assert Case.objects.count() == 2
    renamed = Case.objects.get(title="Renamed by an editor")
    assert renamed.source_file == "" and not renamed.organizations.exists()


@pytest.mark.django_db
def test_command_writes_cases_with_their_organizations_and_search_text():
    version = CatalogueState.objects.current().version

    output = run(120, "--seed", 5)

    expected = synthetic.generate(120, 5)
    assert "generated 120 cases (0 drafts), 60 organizations" in output
    assert " s" in output and output.count("\n") == 1
    assert sorted(Case.objects.values_list("title", flat=True)) == sorted(titles(expected))
    assert Organization.objects.count() == 60
    assert set(Organization.objects.values_list("kind", flat=True)) == set(seed.KINDS)
    assert Contact.objects.count() == sum(
        len(named) for named in synthetic.contacts_of(expected).values()
    )
    assert CaseOrganization.objects.count() == sum(len(case.links) for case in expected)
    assert not Case.objects.filter(status=Case.Status.DRAFT).exists()
    case = Case.objects.get(title=expected[0].title)
    assert case.source_file == "generated"
    assert case.source_facts == ["title", "description", "organizations", "region"]
    assert case.region.name == expected[0].region
    assert (case.country.code, case.city) == (expected[0].country, expected[0].city)
    assert sorted(case.themes.values_list("name", flat=True)) == sorted(expected[0].themes)
    assert list(
        case.caseorganization_set.order_by("position").values_list("organization__name", flat=True)
    ) == [link.organization.name for link in expected[0].links]
    assert Case.objects.all().refresh_search_text() == 0  # filled as the model would
    assert Case.objects.search("cooperative").count() >= 100
    assert CatalogueState.objects.current().version > version  # caches go stale


@pytest.mark.django_db
def test_draft_ratio_makes_that_share_drafts():
    run(100, "--seed", 2, "--draft-ratio", 0.25)

    assert Case.objects.filter(status=Case.Status.DRAFT).count() == 25
    assert Case.objects.published().count() == 75


@pytest.mark.django_db
def test_second_run_adds_more_cases():
    run(50, "--seed", 4)
    run(50, "--seed", 4)

    assert Case.objects.count() == 100
    assert Organization.objects.count() == 50
    assert Case.objects.values("slug").distinct().count() == 100


@pytest.mark.django_db
def test_as_text_imports_into_the_same_cases_and_again_creates_nothing(tmp_path):
    path = tmp_path / "generated.txt"
    expected = synthetic.generate(150, 9)

    output = run(150, "--seed", 9, "--as-text", path)

    assert "generated 150 cases" in output and not Case.objects.exists()
    parsed = seed.parse_file(path)
    assert titles(parsed.cases) == titles(expected)
    report = import_cases([path])
    tallies = report.tallies
    assert tallies["cases"].created == Case.objects.count() == 150
    assert tallies["organizations"].created == len(synthetic.organizations_of(expected))
    assert tallies["contacts"].created == sum(
        len(named) for named in synthetic.contacts_of(expected).values()
    )
    again = import_cases([path]).tallies
    assert all(tally.created == 0 and tally.updated == 0 for tally in again.values())
    assert again["cases"].unchanged == 150


@pytest.mark.django_db
def test_source_lines_are_the_title_lines_of_the_seed_text(tmp_path):
    path = tmp_path / "generated.txt"
    run(30, "--seed", 6, "--as-text", path)
    run(30, "--seed", 6)

    lines = {case.title: case.line for case in seed.parse_file(path).cases}
    assert dict(Case.objects.values_list("title", "source_line")) == lines


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0,), "at least 1"),
        ((10, "--draft-ratio", 1.5), "between 0 and 1"),
        ((10, "--draft-ratio", 0.5, "--as-text", "x.txt"), "--draft-ratio cannot go"),
    ],
)
def test_command_rejects_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_importing_the_text_of_generated_cases_finds_them_by_their_source_names(tmp_path):
    path = tmp_path / "generated.txt"
    run(40, "--seed", 12)
    run(40, "--seed", 12, "--as-text", path)

    tallies = import_cases([path]).tallies

    assert tallies["organizations"].unchanged == Organization.objects.count() == 20
    assert tallies["contacts"].unchanged == Contact.objects.count()
    assert tallies["cases"].created == 0 and Case.objects.count() == 40
    assert set(Case.objects.values_list("source_file", flat=True)) == {"generated.txt"}
