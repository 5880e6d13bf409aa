"""Small factories for catalogue data; themes and regions come from the data migration."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import count

from django.utils.text import slugify

from cases.models import (
    Case,
    CaseOrganization,
    CatalogueState,
    Collection,
    CollectionCase,
    Contact,
    Organization,
    Region,
    Theme,
    name_key,
    search_document,
    unique_slug,
)

# The titles of the three cases in fixtures/source/seed-cases.txt.
BARCELONA = (
    "Cooperation Between A Municipality and A Cooperative of Junk Collectors: "
    "Waste Management and Support For Vulnerable Groups"
)
HOMENET = (
    "Women In The Informal Economy and Local Governance: the Power of Standing On Your Own Two Feet"
)
ATE = "Participative Environmental Management, Recycling and Social Inclusion"

DESCRIPTION = (
    "A cooperative of waste pickers works with the city council to collect, sort and "
    "recycle the waste of a whole district."
)


_numbers = count(1)


def get_theme(slug: str) -> Theme:
    return Theme.objects.get(slug=slug)


def get_region(slug: str) -> Region:
    return Region.objects.get(slug=slug)


def make_organization(
    name: str | None = None,
    kind: str = Organization.Kind.SSE_ORGANIZATION,
    *,
    country: str = "",
    website: str = "",
) -> Organization:
    name = name or f"Cooperativa Example {next(_numbers)}"
    taken = Organization.objects.filter
    return Organization.objects.create(
        name=name,
        slug=unique_slug(name, lambda slug: taken(slug=slug).exists()),
        name_key=name_key(name),
        kind=kind,
        country=country,
        website=website,
    )


def make_contact(
    organization: Organization | None = None,
    name: str = "Ana Ruiz",
    *,
    honorific: str = Contact.Honorific.DR,
    role: str = "",
    email: str = "",
) -> Contact:
    return Contact.objects.create(
        organization=organization or make_organization(),
        honorific=honorific,
        name=name,
        role=role,
        email=email,
    )


def make_case(
    title: str | None = None,
    *,
    description: str = DESCRIPTION,
    themes: Iterable[str | Theme] = (),
    organizations: Iterable[Organization | tuple[Organization, Contact | None]] = (),
    region: str | Region | None = None,
    country: str = "",
    city: str = "",
    status: str = Case.Status.PUBLISHED,
    marked_absent: bool = False,
    language: str = "",
) -> Case:
    """A case (published unless told otherwise) with its search text up to date.

    `themes` and `region` take slugs or objects; `organizations` takes organizations
    or (organization, contact) pairs, in the order the case names them.
    """
    title = title or f"Waste pickers and the city {next(_numbers)}"
    links = [entry if isinstance(entry, tuple) else (entry, None) for entry in organizations]
    search_text, search_title = search_document(
        title, description, [(organization.name, contact) for organization, contact in links]
    )
    taken = Case.objects.filter
    case = Case.objects.create(
        title=title,
        slug=unique_slug(title, lambda slug: taken(slug=slug).exists()),
        description=description,
        region=get_region(region) if isinstance(region, str) else region,
        country=country,
        city=city,
        status=status,
        marked_absent=marked_absent,
        language=language,
        search_text=search_text,
        search_title=search_title,
    )
    case.themes.set([t if isinstance(t, Theme) else get_theme(t) for t in themes])
    CaseOrganization.objects.bulk_create(
        CaseOrganization(case=case, organization=organization, contact=contact, position=position)
        for position, (organization, contact) in enumerate(links)
    )
    return case


def many_cases(n: int, *, themes=("women",), prefix: str = "Case") -> list[Case]:
    """n published cases with themes, a region, a country and two organizations with contacts.

    Written in bulk, as the importer writes, with one version bump after: one case at a time
    took about twenty queries a case. The prefix keeps names and slugs unique."""
    pairs = [(f"{prefix} cooperative {i:02d}", f"{prefix} council {i:02d}") for i in range(n)]
    organizations = Organization.objects.bulk_create(
        Organization(name=name, slug=slugify(name), name_key=name_key(name), **kind)
        for coop, council in pairs
        for name, kind in [
            (coop, {"kind": Organization.Kind.SSE_ORGANIZATION, "country": "ES"}),
            (council, {"kind": Organization.Kind.GOVERNMENT_AND_PUBLIC_AGENCY}),
        ]
    )
    contacts = Contact.objects.bulk_create(
        Contact(organization=organization, honorific=Contact.Honorific.DR, name=name, role=role)
        for i in range(n)
        for organization, name, role in [
            (organizations[2 * i], f"Ana Ruiz {i}", "Chair"),
            (organizations[2 * i + 1], f"Joan Puig {i}", "Officer"),
        ]
    )
    links = [[(organizations[j], contacts[j]) for j in (2 * i, 2 * i + 1)] for i in range(n)]
    europe = get_region("europe")
    cases = Case.objects.bulk_create(
        _bulk_case(f"{prefix} {i:02d} of waste pickers", europe, links[i]) for i in range(n)
    )
    theme_rows = [get_theme(slug) for slug in themes]
    Case.themes.through.objects.bulk_create(
        Case.themes.through(case=case, theme=theme) for case in cases for theme in theme_rows
    )
    CaseOrganization.objects.bulk_create(
        CaseOrganization(case=case, organization=organization, contact=contact, position=position)
        for case, pairs_of_case in zip(cases, links, strict=True)
        for position, (organization, contact) in enumerate(pairs_of_case)
    )
    CatalogueState.objects.bump()
    return cases


def _bulk_case(title: str, region: Region, links) -> Case:
    search_text, search_title = search_document(
        title, DESCRIPTION, [(organization.name, contact) for organization, contact in links]
    )
    return Case(
        title=title,
        slug=unique_slug(title, lambda slug: False),
        description=DESCRIPTION,
        region=region,
        country="ES",
        city="Barcelona",
        status=Case.Status.PUBLISHED,
        search_text=search_text,
        search_title=search_title,
    )


def make_collection(
    title: str, cases: Iterable[Case] = (), *, introduction: str = ""
) -> Collection:
    """A collection of these cases, in this order."""
    collection = Collection.objects.create(
        title=title, slug=unique_slug(title, lambda slug: False), introduction=introduction
    )
    CollectionCase.objects.bulk_create(
        CollectionCase(collection=collection, case=case, position=position)
        for position, case in enumerate(cases, start=1)
    )
    return collection
