"""Synthetic, realistic case studies for benchmarks and load tests, as rows or as seed text.

`generate(n, seed)` is pure: the same arguments give the same cases. `write_database`
writes them through the importer's writer, as its Catalogue; `to_seed_text` writes them in
the seed text format, so that `import_cases` can be benchmarked on the very same data.
The words come from synthetic.toml beside this module.
"""

from __future__ import annotations

import random
import re
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from django.db import transaction

from . import seed
from .importer import (
    CaseRecord,
    Catalogue,
    ContactRecord,
    ImportReport,
    OrganizationRecord,
    write_catalogue,
)
from .models import Case, Organization

SOURCE_FILE = "generated"
SOURCE_FACTS = ["title", "description", "organizations", "region"]
MIN_WORDS, MAX_WORDS = 100, 250
WOMEN_SHARE = 0.3


# --- Vocabulary: places, people and the words of the social and solidarity economy ---


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    region: str
    languages: tuple[str, ...]
    name_groups: tuple[str, ...]
    cities: tuple[str, ...]


WORDS = tomllib.loads(Path(__file__).with_name("synthetic.toml").read_text(encoding="utf-8"))
COUNTRIES = tuple(
    Country(
        code,
        country["name"],
        region,
        tuple(country["languages"]),
        tuple(country["name_groups"]),
        tuple(country["cities"]),
    )
    for region, countries in WORDS["countries"].items()
    for code, country in countries.items()
)
REGION_WEIGHTS: dict[str, int] = WORDS["region_weights"]
KIND_WEIGHTS: dict[str, int] = WORDS["kind_weights"]
# By name group, then "women", "men" or "families".
PEOPLE: dict[str, dict[str, list[str]]] = WORDS["people"]
FAMILY_NAME_FIRST = set(WORDS["family_name_first"])
# Words of organizations and their contacts by language (names by language, then kind).
ROLES: dict[str, list[str]] = WORDS["roles"]
TRADES: dict[str, list[str]] = WORDS["trades"]
DEPARTMENTS: dict[str, list[str]] = WORDS["departments"]
FIELDS: dict[str, list[str]] = WORDS["fields"]
ORGANIZATION_NAMES: dict[str, dict[str, list[str]]] = WORDS["organization_names"]
BRANDS: list[str] = WORDS["brands"]
INTERNATIONAL_ORGANIZATIONS: list[str] = WORDS["international_organizations"]
# Case titles and descriptions; GOALS and THEME_SENTENCES by theme.
PRACTICES: list[str] = WORDS["practices"]
GROUPS: list[str] = WORDS["groups"]
GOALS: dict[str, list[str]] = WORDS["goals"]
TITLES: list[str] = WORDS["titles"]
OPENINGS: list[str] = WORDS["openings"]
SUPPORTED_OPENINGS: list[str] = WORDS["supported_openings"]
SENTENCES: list[str] = WORDS["sentences"]
THEME_SENTENCES: dict[str, list[str]] = WORDS["theme_sentences"]
CLOSINGS: list[str] = WORDS["closings"]


def _with_article(noun: str) -> str:
    return f"{'an' if noun[0].lower() in 'aeiou' else 'a'} {noun}"


_FRENCH_ELISION_RE = re.compile(r"\bde (?=[AEIOUYÉÈÎ])")


# --- The records ---


@dataclass(frozen=True)
class GeneratedOrganization:
    name: str
    kind: str
    country: str


@dataclass(frozen=True)
class Link:
    """An organization a case names, and the contact it names for the case, if any."""

    organization: GeneratedOrganization
    contact: seed.Contact | None = None


@dataclass(frozen=True)
class GeneratedCase:
    title: str
    description: str
    region: str
    country: str
    city: str
    themes: tuple[str, ...]
    links: tuple[Link, ...]
    draft: bool = False


def organizations_of(cases: list[GeneratedCase]) -> list[GeneratedOrganization]:
    """The organizations the cases name, in order of first appearance."""
    return list(dict.fromkeys(link.organization for case in cases for link in case.links))


def contacts_of(cases: list[GeneratedCase]) -> dict[GeneratedOrganization, list[seed.Contact]]:
    """The contacts the cases name, by organization, in order of first appearance."""
    named: dict[GeneratedOrganization, dict[seed.Contact, None]] = {}
    for case in cases:
        for link in case.links:
            if link.contact:
                named.setdefault(link.organization, {})[link.contact] = None
    return {organization: list(contacts) for organization, contacts in named.items()}


# --- Generation ---


class _Generator:
    """Draws everything from one random.Random, so that the seed fixes the whole output."""

    def __init__(self, seed_value: int, taken_titles: Iterable[str], taken_names: Iterable[str]):
        self.rng = random.Random(seed_value)
        self.titles = set(taken_titles)
        self.names = set(taken_names)
        self.countries: dict[str, list[Country]] = {}
        for country in COUNTRIES:
            self.countries.setdefault(country.region, []).append(country)
        self.pool: list[GeneratedOrganization] = []
        self.nearby: dict[str, list[GeneratedOrganization]] = {}
        self.contacts: dict[GeneratedOrganization, list[seed.Contact]] = {}
        self.homes: dict[GeneratedOrganization, tuple[Country, str]] = {}

    def country(self) -> Country:
        regions, weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
        return self.rng.choice(self.countries[self.rng.choices(regions, weights)[0]])

    def unique(self, taken: set[str], draw: Callable[[], str]) -> str:
        """A value of draw() not taken yet; after many collisions, a numbered variant."""
        value = draw()
        for _ in range(50):
            if value not in taken:
                break
            value = draw()
        base, n = value, 2
        while value in taken:
            value, n = f"{base} ({n})", n + 1
        taken.add(value)
        return value

    def person(self, group: str) -> tuple[str, str]:
        """The honorific and name of someone of a name group."""
        rng = self.rng
        woman = rng.random() < 0.6
        given = rng.choice(PEOPLE[group]["women" if woman else "men"])
        family = rng.choice(PEOPLE[group]["families"])
        name = f"{family} {given}" if group in FAMILY_NAME_FIRST else f"{given} {family}"
        honorific = rng.choices(["Dr.", "Prof.", ""], [15, 7, 78])[0]
        if not honorific:
            honorific = rng.choices(["Ms.", "Mrs."], [3, 1])[0] if woman else "Mr."
        return honorific, name

    def organization_name(self, kind: str, country: Country, language: str) -> tuple[str, str]:
        """A name not taken yet for an organization of the kind, and the city it is in."""
        rng = self.rng
        templates = ORGANIZATION_NAMES[language][kind]
        cities: list[str] = []

        def draw() -> str:
            cities.append(rng.choice(country.cities))
            name = rng.choice(templates).format(
                city=cities[-1],
                trade=rng.choice(TRADES[language]),
                dept=rng.choice(DEPARTMENTS[language]),
                brand=rng.choice(BRANDS),
                io=rng.choice(INTERNATIONAL_ORGANIZATIONS),
                field=rng.choice(FIELDS.get(language, FIELDS["en"])),
                family=rng.choice(PEOPLE[rng.choice(country.name_groups)]["families"]),
                country=country.name,
                region=country.region,
            )
            return _FRENCH_ELISION_RE.sub("d'", name) if language == "fr" else name

        return self.unique(self.names, draw), cities[-1]

    def staff(self, country: Country, language: str) -> list[seed.Contact]:
        """Up to three contacts of an organization, of different names, most with a role."""
        rng = self.rng
        contacts: dict[str, seed.Contact] = {}
        for _ in range(rng.choices([0, 1, 2, 3], [20, 50, 22, 8])[0]):
            honorific, name = self.person(rng.choice(country.name_groups))
            roles = ROLES[language if language in ROLES and rng.random() < 0.3 else "en"]
            role = rng.choice(roles) if rng.random() < 0.65 else ""
            contacts.setdefault(name, seed.Contact(honorific, name, role))
        return list(contacts.values())

    def organization(self, kind: str) -> GeneratedOrganization:
        """A new organization of the kind, named in one of its country's languages."""
        country = self.country()
        language = self.rng.choice(country.languages)
        if kind not in ORGANIZATION_NAMES[language]:
            language = "en"
        name, city = self.organization_name(kind, country, language)
        organization = GeneratedOrganization(name, kind, country.code)
        self.contacts[organization] = self.staff(country, language)
        self.homes[organization] = (country, city)
        self.pool.append(organization)
        self.nearby.setdefault(country.region, []).append(organization)
        return organization

    def organizations(self, size: int) -> list[GeneratedOrganization]:
        """A pool of organizations of every kind (if size allows), most of them SSE ones."""
        kinds = list(seed.KINDS)[:size]
        kinds += self.rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()), k=size - 6)
        self.rng.shuffle(kinds)
        return [self.organization(kind) for kind in kinds]

    def partner(self, country: Country) -> GeneratedOrganization:
        """An organization of the pool, most often one of the same region."""
        nearby = self.nearby.get(country.region)
        return self.rng.choice(nearby if nearby and self.rng.random() < 0.75 else self.pool)

    def contact(self, organization: GeneratedOrganization) -> seed.Contact | None:
        contacts = self.contacts[organization]
        return self.rng.choice(contacts) if contacts and self.rng.random() < 0.85 else None

    def themes(self) -> tuple[str, ...]:
        count = self.rng.choice([1, 1, 2, 2, 3])
        others = [theme for theme in seed.THEMES if theme != "Women"]
        if self.rng.random() < WOMEN_SHARE:
            chosen = {"Women", *self.rng.sample(others, count - 1)}
        else:
            chosen = set(self.rng.sample(others, count))
        return tuple(theme for theme in seed.THEMES if theme in chosen)

    def title(self, city: str, country: Country, themes: tuple[str, ...]) -> str:
        rng = self.rng

        def draw() -> str:
            practice, practice2 = rng.sample(PRACTICES, 2)
            return rng.choice(TITLES).format(
                city=city,
                country=country.name,
                practice=practice,
                practice2=practice2,
                a_practice=_with_article(practice),
                A_practice=f"A{_with_article(practice)[1:]}",
                goal=rng.choice(GOALS[rng.choice(themes)]),
                Group=rng.choice(GROUPS).title(),
                brand=rng.choice(BRANDS),
            )

        return self.unique(self.titles, draw)

    def facts(self, city: str, country: Country, links: tuple[Link, ...]) -> dict[str, object]:
        """The values a description's sentences name: who, where, when, how many."""
        rng = self.rng
        return {
            "org": links[0].organization.name,
            "partner": links[-1].organization.name
            if len(links) > 1
            else f"the municipality of {city}",
            "a_practice": _with_article(rng.choice(PRACTICES).lower()),
            "group": rng.choice(GROUPS),
            "city": city,
            "other_city": rng.choice([c for c in country.cities if c != city] or [city]),
            "country": country.name,
            "year": rng.randint(1985, 2022),
            "members": rng.randint(12, 2400),
            "shops": rng.randint(20, 400),
            "meals": rng.randint(80, 1500),
            "pct": rng.randint(55, 98),
            "ratio": f"{rng.randint(2, 6)}.{rng.randint(0, 9)}",
        }

    def description(self, city: str, country: Country, themes, links) -> str:
        """Prose of MIN_WORDS to MAX_WORDS words, telling more of the case's themes."""
        rng = self.rng
        values = self.facts(city, country, links)
        themed = [sentence for theme in themes for sentence in THEME_SENTENCES[theme]]
        general = list(SENTENCES)
        rng.shuffle(themed)
        rng.shuffle(general)
        openings = SUPPORTED_OPENINGS
        if links[0].organization.kind == "sse-organization":
            openings = SUPPORTED_OPENINGS + OPENINGS
        opening, closing = rng.choice(openings).format(**values), rng.choice(CLOSINGS)
        sentences, words = [opening], len(opening.split()) + len(closing.split())
        target = rng.randint(MIN_WORDS + 10, MAX_WORDS - 10)
        for template in dict.fromkeys(themed[:3] + general + themed[3:]):
            if words >= target:
                break
            sentence = template.format(**values)
            if words + len(sentence.split()) <= MAX_WORDS:
                sentences.append(sentence)
                words += len(sentence.split())
        return " ".join([*sentences, closing])

    def case(self, lead: GeneratedOrganization) -> GeneratedCase:
        """A case set where its lead organization is, with up to two partners."""
        rng = self.rng
        country, city = self.homes[lead]
        chosen = [lead]
        for _ in range(rng.choices([0, 1, 2], [35, 45, 20])[0]):
            partner = self.partner(country)
            if partner not in chosen:
                chosen.append(partner)
        links = tuple(Link(organization, self.contact(organization)) for organization in chosen)
        themes = self.themes()
        return GeneratedCase(
            title=self.title(city, country, themes),
            description=self.description(city, country, themes, links),
            region=country.region,
            country=country.code,
            city=city,
            themes=themes,
            links=links,
        )


def generate(
    n: int,
    seed_value: int,
    draft_ratio: float = 0.0,
    *,
    taken_titles: Iterable[str] = (),
    taken_organizations: Iterable[str] = (),
) -> list[GeneratedCase]:
    """n synthetic cases, the same for the same arguments, with titles and names not taken.

    The cases name a pool of max(6, n // 2) organizations of all six kinds; each of them
    leads a case (once n >= 6), and the other cases are led by random ones of them.
    round(n * draft_ratio) random cases are drafts.
    """
    if n < 1:
        raise ValueError("the number of cases must be at least 1")
    if not 0 <= draft_ratio <= 1:
        raise ValueError("the draft ratio must be between 0 and 1")
    generator = _Generator(seed_value, taken_titles, taken_organizations)
    pool = generator.organizations(max(6, n // 2))
    leads = pool[:n] + [generator.rng.choice(pool) for _ in range(n - len(pool))]
    cases = [generator.case(lead) for lead in leads]
    drafts = set(generator.rng.sample(range(n), round(n * draft_ratio)))
    return [replace(case, draft=True) if i in drafts else case for i, case in enumerate(cases)]


# --- Output: seed text, or the importer's catalogue for its writer ---


def _seed_lines(cases: list[GeneratedCase]) -> tuple[list[str], list[int]]:
    """The lines of the seed text of the cases, and the line number of each title."""
    lines = [" ".join(seed.THEMES), ""]
    title_lines = []
    for case in cases:
        lines.append("")
        title_lines.append(len(lines) + 1)
        lines += [case.title, "", case.region, "", case.description, ""]
        for link in case.links:
            lines += [link.organization.name, "", seed.KINDS[link.organization.kind], ""]
            if link.contact:
                lines += [f"{link.contact.honorific} {link.contact.name}", ""]
                if link.contact.role:
                    lines += [link.contact.role, ""]
    return lines, title_lines


def to_seed_text(cases: list[GeneratedCase]) -> str:
    """The cases in the seed text format, which holds no themes, countries, cities or status."""
    return "\n".join(_seed_lines(cases)[0])


def to_catalogue(cases: list[GeneratedCase]) -> Catalogue:
    """The cases as the importer's catalogue: what merging to_seed_text(cases) would give,
    with the country, city, themes and status the text cannot hold."""
    catalogue = Catalogue(themes=list(seed.THEMES))
    for case, line in zip(cases, _seed_lines(cases)[1], strict=True):
        for link in case.links:
            _add_organization(catalogue, link)
        catalogue.cases[case.title] = _case_record(case, line)
    return catalogue


def _add_organization(catalogue: Catalogue, link: Link) -> None:
    """Record the organization a case names, and the contact it names there, if new."""
    organization, contact = link.organization, link.contact
    record = catalogue.organizations.setdefault(
        organization.name,
        OrganizationRecord(
            organization.name, organization.kind, SOURCE_FILE, {"country": organization.country}
        ),
    )
    if contact:
        record.contacts.setdefault(
            contact.name, ContactRecord(contact.honorific, contact.name, contact.role)
        )


def _case_record(case: GeneratedCase, line: int) -> CaseRecord:
    """The record of a case, as if imported from line `line` of to_seed_text()."""
    return CaseRecord(
        title=case.title,
        description=case.description,
        marked_absent=False,
        source_file=SOURCE_FILE,
        source_line=line,
        links=[(link.organization.name, link.contact and link.contact.name) for link in case.links],
        facts={
            "region": case.region,
            "country": case.country,
            "city": case.city,
            "themes": list(case.themes),
        },
        source_facts=SOURCE_FACTS,
        status=Case.Status.DRAFT if case.draft else Case.Status.PUBLISHED,
    )


@dataclass
class GenerateReport:
    cases: int
    drafts: int
    organizations: int
    contacts: int
    target: str
    seconds: float

    def summary(self) -> str:
        return (
            f"generated {self.cases} cases ({self.drafts} drafts), {self.organizations} "
            f"organizations, {self.contacts} contacts into {self.target} "
            f"in {self.seconds:.2f} s"
        )


def _report(cases: list[GeneratedCase], target: str, started: float) -> GenerateReport:
    return GenerateReport(
        cases=len(cases),
        drafts=sum(case.draft for case in cases),
        organizations=len(organizations_of(cases)),
        contacts=sum(len(contacts) for contacts in contacts_of(cases).values()),
        target=target,
        seconds=time.perf_counter() - started,
    )


def generate_text_file(path: str | Path, n: int, seed_value: int) -> GenerateReport:
    """Write the n cases of seed_value as seed text to path; the database is not touched."""
    started = time.perf_counter()
    cases = generate(n, seed_value)
    Path(path).write_text(to_seed_text(cases), encoding="utf-8")
    return _report(cases, str(path), started)


def _taken(model, *fields: str) -> set[str]:
    """The names the model's rows hold in any of the fields."""
    return {name for field in fields for name in model.objects.values_list(field, flat=True)}


def generate_into_database(n: int, seed_value: int, draft_ratio: float = 0.0) -> GenerateReport:
    """Generate n cases whose titles and organization names are new, and insert them.

    Titles and names already in the database are drawn again, so a second run adds n
    more cases; on an empty database the cases are exactly those of generate().
    """
    started = time.perf_counter()
    with transaction.atomic():
        cases = generate(
            n,
            seed_value,
            draft_ratio,
            # The writer finds rows by their current or their source names: avoid both.
            taken_titles=_taken(Case, "title", "source_title"),
            taken_organizations=_taken(Organization, "name", "source_name"),
        )
        write_database(cases)
    return _report(cases, "the database", started)


def write_database(cases: list[GeneratedCase]) -> ImportReport:
    """Write the cases and what they name through the importer's writer, in one transaction.

    Titles and organization names should be new to the database (generate() can avoid the
    taken ones); otherwise the cases update the rows of those names, as an import would.
    """
    return write_catalogue(to_catalogue(cases))
