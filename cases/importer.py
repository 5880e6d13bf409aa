"""Import seed text (and its editorial overlay) into the database, all or nothing."""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from . import seed
from .models import (
    Case,
    CaseOrganization,
    CatalogueState,
    Contact,
    Organization,
    Region,
    Theme,
    search_document,
    unique_slug,
)

CaseTheme = Case.themes.through
WRITE_ATTEMPTS = 5


class ImportFailed(Exception):
    """The database refused the import; the transaction was rolled back."""


ENTITIES = ("themes", "regions", "organizations", "contacts", "cases")


# --- The merged catalogue: seed text plus editorial facts, before any database work ---


@dataclass
class ContactRecord:
    honorific: str
    name: str
    role: str = ""


@dataclass
class OrganizationRecord:
    name: str
    kind: str
    source: str
    facts: dict = field(default_factory=dict)
    contacts: dict[str, ContactRecord] = field(default_factory=dict)


@dataclass
class CaseRecord:
    title: str
    description: str
    marked_absent: bool
    source_file: str
    source_line: int
    links: list[tuple[str, str | None]]
    facts: dict = field(default_factory=dict)
    source_facts: list[str] = field(default_factory=list)


@dataclass
class Catalogue:
    themes: list[str] = field(default_factory=list)
    theme_descriptions: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, OrganizationRecord] = field(default_factory=dict)
    cases: dict[str, CaseRecord] = field(default_factory=dict)


@dataclass
class Editorial:
    """Facts the seed text does not state, keyed by case title and organization name."""

    source: str = ""
    themes: dict[str, dict] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    organizations: dict[str, dict] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def error(self, key: str, message: str) -> seed.SeedError:
        return seed.SeedError(self.source, self.lines.get(key), message)

    def error_at(self, key: str):
        """error() for one entry, as a function of the message."""
        return lambda message: self.error(key, message)


_TOML_POSITION_RE = re.compile(
    r"(?P<message>.*?)(?: \((?:at line (?P<where>\d+), column \d+|at end of document)\))?$",
    re.DOTALL,
)
_TABLES = {
    "themes": {"description"},
    "cases": {"themes", "region", "country", "city"},
    "organizations": {"country", "website"},
}


# A TOML key: bare, "basic" (with escapes) or 'literal'; dotted keys join them with dots.
_KEY = r"""[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""
_DOTTED_KEY = rf"(?:{_KEY})(?:[ \t]*\.[ \t]*(?:{_KEY}))*"
_HEADER_RE = re.compile(rf"[ \t]*\[(?!\[)[ \t]*(?P<key>{_DOTTED_KEY})[ \t]*\]")
_ASSIGNMENT_RE = re.compile(rf"[ \t]*(?P<key>{_DOTTED_KEY})[ \t]*=")
_KEY_PART_RE = re.compile(_KEY)


def _key_path(dotted: str) -> tuple[str, ...]:
    """The parts of a TOML dotted key, with quotes and escapes resolved."""
    if "\\" not in dotted:
        parts = _KEY_PART_RE.findall(dotted)
        return tuple(part[1:-1] if part[0] in "\"'" else part for part in parts)
    try:  # escapes: the TOML parser reads them exactly as it read the file
        table = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return ()  # not a key after all, e.g. a line of a multi-line string
    path = []
    while isinstance(table, dict):
        ((key, table),) = table.items()
        path.append(key)
    return tuple(path)


def _entry_lines(lines: Iterable[str]) -> dict[tuple[str, str], int]:
    """The line where each entry (`[cases."Title"]` or a key under `[cases]`) first appears.

    One pass over the lines; tomllib reads the values but does not say where they were.
    """
    found: dict[tuple[str, str], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(lines, 1):
        if header := _HEADER_RE.match(line):
            table = path = _key_path(header["key"])
        elif len(table) < 2 and (assignment := _ASSIGNMENT_RE.match(line)):
            # Under [cases."Title"] a key is a fact; only under [cases] or at the top is it
            # an entry (`"Title" = {…}`, `cases."Title".city = …`).
            path = table + _key_path(assignment["key"])
        else:
            continue
        if len(path) >= 2:
            found.setdefault(path[:2], number)
    return found


def load_editorial(path: str | Path) -> Editorial:
    """Read and check an editorial TOML file; errors name FILE:LINE."""
    path = Path(path)
    try:
        text = seed.decode(path.read_bytes(), str(path))
    except OSError as exc:
        raise seed.SeedError(str(path), None, f"cannot read the file ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError holds only a message ending in its position.
        message, where = _TOML_POSITION_RE.match(str(exc)).group("message", "where")
        line = int(where) if where else (len(text.splitlines()) or None)
        raise seed.SeedError(str(path), line, f"not valid TOML: {message}") from exc
    positions = _entry_lines(text.split("\n"))  # TOML lines end in LF (or CRLF)
    editorial = Editorial(source=str(path))
    unknown_tables = set(data) - set(_TABLES)
    if unknown_tables:
        expected = ", ".join(f"[{table}.…]" for table in _TABLES)
        raise seed.SeedError(
            str(path), None, f"unknown table [{sorted(unknown_tables)[0]}]: expected {expected}"
        )
    for table, allowed in _TABLES.items():
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise seed.SeedError(str(path), None, f"“{table}” must be a table")
        for key, facts in entries.items():
            editorial.lines[key] = positions.get((table, key))
            if not isinstance(facts, dict):
                raise editorial.error(key, f"[{table}.“{key}”] must be a table of facts")
            extra = set(facts) - allowed
            if extra:
                raise editorial.error(
                    key,
                    f"unknown fact “{sorted(extra)[0]}” for “{key}”: "
                    f"expected {', '.join(sorted(allowed))}",
                )
            getattr(editorial, table)[key] = facts
    return editorial


def _check_str(editorial: Editorial, key: str, name: str, value) -> str:
    if not isinstance(value, str):
        raise editorial.error(key, f"{name} of “{key}” must be a string")
    return value.strip()


def _case_facts(editorial: Editorial, title: str, facts: dict, vocab: dict) -> dict:
    checked = {}
    if "themes" in facts:
        themes = facts["themes"]
        if not isinstance(themes, list):
            raise editorial.error(title, f"themes of “{title}” must be a list")
        checked["themes"] = []
        for theme in themes:
            name = vocab["themes"].get(_check_str(editorial, title, "a theme", theme).casefold())
            if name is None:
                raise editorial.error(title, f"unknown theme “{theme}” for “{title}”")
            checked["themes"].append(name)
    if "region" in facts:
        value = _check_str(editorial, title, "region", facts["region"])
        region = vocab["regions"].get(value.casefold())
        if region is None:
            raise editorial.error(title, f"unknown region “{value}” for “{title}”")
        checked["region"] = region
    if "country" in facts:
        checked["country"] = _country(editorial, title, facts["country"])
    if "city" in facts:
        checked["city"] = _check_str(editorial, title, "city", facts["city"])
    return checked


def _country(editorial: Editorial, key: str, value) -> str:
    code = _check_str(editorial, key, "country", value).upper()
    if code and code not in countries:
        raise editorial.error(key, f"unknown country code “{value}” for “{key}” (ISO 3166-1)")
    return code


def _check_lengths(model, values: dict[str, str], error, label: str = "") -> None:
    """Refuse a value longer than its model field holds; error(message) names FILE:LINE."""
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        limit = model_field.max_length
        if limit is not None and len(value) > limit:
            raise error(
                f"{label}{model_field.verbose_name} has {len(value):,} characters; "
                f"at most {limit:,}"
            )


def merge(files: Sequence[seed.SeedFile], editorial: Editorial | None = None) -> Catalogue:
    """One catalogue from parsed seed files and the editorial overlay; conflicts are errors.

    Every value is checked against the field that will hold it, so nothing too long for the
    database reaches the transaction.
    """
    catalogue = Catalogue()
    for parsed in files:
        catalogue.themes += [t for t in parsed.themes if t not in catalogue.themes]
        for case in parsed.cases:
            _merge_case(catalogue, parsed.source, case)
    _merge_editorial(catalogue, editorial or Editorial())
    return catalogue


def _at(source: str, line: int | None):
    """A SeedError at FILE:LINE, as a function of the message."""
    return lambda message: seed.SeedError(source, line, message)


def _merge_case(catalogue: Catalogue, source: str, case: seed.Case) -> None:
    if case.title in catalogue.cases:
        other = catalogue.cases[case.title]
        raise _at(source, case.line)(
            f"the case “{case.title}” is already at {other.source_file}:{other.source_line}"
        )
    _check_lengths(Case, {"title": case.title, "source_file": case.source}, _at(source, case.line))
    links = []
    for org in case.organizations:
        if any(name == org.name for name, _ in links):
            raise _at(source, org.line)(f"“{org.name}” is named twice in “{case.title}”")
        links.append(_merge_organization(catalogue, source, org))
    facts = {"region": case.region} if case.region else {}
    catalogue.cases[case.title] = CaseRecord(
        title=case.title,
        description=case.description,
        marked_absent=case.marked_absent,
        source_file=case.source,
        source_line=case.line,
        links=links,
        facts=facts,
        source_facts=["title", "description", "organizations", *facts],
    )


def _merge_organization(
    catalogue: Catalogue, source: str, org: seed.Organization
) -> tuple[str, str | None]:
    """Record an organization a case names (and its contact); the link (name, contact name)."""
    _check_lengths(Organization, {"name": org.name}, _at(source, org.line), "organization ")
    record = catalogue.organizations.setdefault(
        org.name, OrganizationRecord(org.name, org.kind, f"{source}:{org.line}")
    )
    if record.kind != org.kind:
        raise _at(source, org.line)(
            f"“{org.name}” is a {seed.KINDS[org.kind]} here but a "
            f"{seed.KINDS[record.kind]} at {record.source}"
        )
    contact = org.contact
    if contact is None:
        return org.name, None
    names = {"honorific": contact.honorific, "name": contact.name}
    _check_lengths(Contact, names, _at(source, contact.line), "contact ")
    _check_lengths(Contact, {"role": contact.role}, _at(source, contact.role_line), "contact ")
    known = record.contacts.get(contact.name)
    role = contact.role or (known.role if known else "")
    record.contacts[contact.name] = ContactRecord(contact.honorific, contact.name, role)
    return org.name, contact.name


def _merge_editorial(catalogue: Catalogue, editorial: Editorial) -> None:
    vocab = {
        "themes": {name.casefold(): name for name in seed.THEMES}
        | {slugify(name): name for name in seed.THEMES},
        "regions": {name.casefold(): name for name in seed.REGIONS}
        | {slugify(name): name for name in seed.REGIONS},
    }
    for title, facts in editorial.cases.items():
        record = catalogue.cases.get(title)
        if record is None:
            raise editorial.error(title, f"no imported case is titled “{title}”")
        checked = _case_facts(editorial, title, facts, vocab)
        _check_lengths(Case, {"city": checked.get("city", "")}, editorial.error_at(title))
        stated = record.facts.get("region")
        if stated and checked.get("region", stated) != stated:
            raise editorial.error(
                title, f"the region of “{title}” is stated in the text as {stated}"
            )
        record.facts = checked | record.facts
    for name, facts in editorial.themes.items():
        theme = vocab["themes"].get(name.casefold())
        if theme is None:
            raise editorial.error(name, f"unknown theme “{name}”")
        if "description" in facts:
            description = _check_str(editorial, name, "description", facts["description"])
            catalogue.theme_descriptions[theme] = description
    for name, facts in editorial.organizations.items():
        record = catalogue.organizations.get(name)
        if record is None:
            raise editorial.error(name, f"no imported organization is named “{name}”")
        if "country" in facts:
            record.facts["country"] = _country(editorial, name, facts["country"])
        if "website" in facts:
            website = _check_str(editorial, name, "website", facts["website"])
            _check_lengths(Organization, {"website": website}, editorial.error_at(name))
            record.facts["website"] = website


# --- Writing the catalogue ---


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    dry_run: bool = False
    tallies: dict[str, Tally] = field(default_factory=lambda: {e: Tally() for e in ENTITIES})

    def summary(self) -> str:
        lines = [
            f"{entity}: created {t.created}, updated {t.updated}, unchanged {t.unchanged}"
            for entity, t in self.tallies.items()
        ]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


def _apply(obj, values: dict, overwrite: bool) -> bool:
    """Set values on obj, sparing fields an editor changed unless overwrite; True if any changed."""
    changed = False
    for name, value in values.items():
        if name in obj.edited_fields and not overwrite:
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if overwrite and obj.edited_fields:
        obj.edited_fields = []
        changed = True
    return changed


def import_cases(
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    editorial: str | Path | None = None,
    draft: bool = False,
    overwrite: bool = False,
) -> ImportReport:
    """Parse, merge and upsert seed files in one transaction; raise SeedError before writing."""
    files = [seed.parse_file(path) for path in paths]
    catalogue = merge(files, load_editorial(editorial) if editorial else None)
    attempt = 0
    while True:
        attempt += 1
        report = ImportReport(dry_run=dry_run)
        try:
            with transaction.atomic():
                _write(catalogue, report, draft=draft, overwrite=overwrite)
                if dry_run:
                    transaction.set_rollback(True)
            return report
        except (IntegrityError, OperationalError) as exc:
            # A concurrent import committed the same rows first, or held the write lock:
            # everything was rolled back, so upsert again against what it wrote.
            if attempt == WRITE_ATTEMPTS:
                raise ImportFailed(
                    f"the database refused the import, nothing was written ({exc})"
                ) from exc
            time.sleep(0.2 * attempt)
        except DatabaseError as exc:
            raise ImportFailed(f"database error, nothing was written ({exc})") from exc


def _vocabulary(model, names: Iterable[str], tally: Tally, descriptions=None) -> dict:
    existing = {obj.name: obj for obj in model.objects.all()}
    descriptions = descriptions or {}
    for name in names:
        values = {"description": descriptions[name]} if name in descriptions else {}
        obj = existing.get(name)
        if obj is None:
            existing[name] = model.objects.create(name=name, slug=slugify(name), **values)
            tally.created += 1
        elif any(getattr(obj, key) != value for key, value in values.items()):
            model.objects.filter(pk=obj.pk).update(**values)
            tally.updated += 1
        else:
            tally.unchanged += 1
    return existing


def _write(catalogue: Catalogue, report: ImportReport, *, draft: bool, overwrite: bool) -> None:
    t = report.tallies
    case_themes = {name for c in catalogue.cases.values() for name in c.facts.get("themes", [])}
    theme_names = [*catalogue.themes, *sorted(case_themes - set(catalogue.themes))]
    theme_names += sorted(set(catalogue.theme_descriptions) - set(theme_names))
    themes = _vocabulary(Theme, theme_names, t["themes"], catalogue.theme_descriptions)
    case_regions = sorted(
        {c.facts["region"] for c in catalogue.cases.values() if "region" in c.facts}
    )
    regions = _vocabulary(Region, case_regions, t["regions"])
    organizations = _write_organizations(catalogue, t["organizations"], overwrite)
    contacts = _write_contacts(catalogue, organizations, t["contacts"], overwrite)
    _write_cases(catalogue, themes, regions, organizations, contacts, t["cases"], draft, overwrite)
    if any(tally.created or tally.updated for tally in t.values()):
        CatalogueState.objects.bump()


def _by_source(queryset, source_field: str, field: str, keys) -> dict:
    """Rows keyed by the name they have in the source text, even if an editor renamed them."""
    found, by_source = {}, {}
    for chunk in _chunks(list(keys)):
        for obj in queryset.filter(**{f"{field}__in": chunk}):
            found[getattr(obj, field)] = obj
        for obj in queryset.filter(**{f"{source_field}__in": chunk}):
            by_source[getattr(obj, source_field)] = obj
    return found | by_source


def _write_organizations(catalogue: Catalogue, tally: Tally, overwrite: bool) -> dict:
    names = list(catalogue.organizations)
    existing = _by_source(Organization.objects.all(), "source_name", "name", names)
    slugs = set(Organization.objects.values_list("slug", flat=True))
    new, changed = [], []
    for name, record in catalogue.organizations.items():
        values = {"name": name, "source_name": name, "kind": record.kind, **record.facts}
        obj = existing.get(name)
        if obj is None:
            obj = Organization(slug=unique_slug(name, slugs.__contains__), **values)
            slugs.add(obj.slug)
            new.append(obj)
        elif _apply(obj, values, overwrite):
            changed.append(obj)
        else:
            tally.unchanged += 1
    Organization.objects.bulk_create(new, batch_size=500)
    fields = ["name", "source_name", "kind", "country", "website", "edited_fields"]
    Organization.objects.bulk_update(changed, fields, batch_size=500)
    tally.created, tally.updated = tally.created + len(new), tally.updated + len(changed)
    return _by_source(Organization.objects.all(), "source_name", "name", names)


def _write_contacts(catalogue: Catalogue, organizations: dict, tally: Tally, overwrite: bool):
    wanted = {
        (organizations[org.name].pk, contact.name): contact
        for org in catalogue.organizations.values()
        for contact in org.contacts.values()
    }
    org_ids = {org_id for org_id, _ in wanted}

    def current():
        contacts = [
            contact
            for ids in _chunks(sorted(org_ids))
            for contact in Contact.objects.filter(organization_id__in=ids)
        ]
        found = {(c.organization_id, c.name): c for c in contacts}
        found.update({(c.organization_id, c.source_name): c for c in contacts if c.source_name})
        return found

    existing = current()
    new, changed = [], []
    for key, record in wanted.items():
        values = {"name": key[1], "source_name": key[1], "honorific": record.honorific}
        if record.role:  # a file that names the contact without a role keeps the known one
            values["role"] = record.role
        obj = existing.get(key)
        if obj is None:
            new.append(Contact(organization_id=key[0], **values))
        elif _apply(obj, values, overwrite):
            changed.append(obj)
        else:
            tally.unchanged += 1
    Contact.objects.bulk_create(new, batch_size=500)
    fields = ["name", "source_name", "honorific", "role", "edited_fields"]
    Contact.objects.bulk_update(changed, fields, batch_size=500)
    tally.created, tally.updated = tally.created + len(new), tally.updated + len(changed)
    return current()


CASE_FIELDS = [
    "title",
    "source_title",
    "description",
    "marked_absent",
    "source_file",
    "source_line",
    "source_facts",
    "country",
    "city",
    "region",
    "edited_fields",
    "search_text",
    "search_title",
    "updated_at",
]


def _case_values(title: str, record: CaseRecord, regions: dict) -> dict:
    values = {
        "title": title,
        "source_title": title,
        "description": record.description,
        "marked_absent": record.marked_absent,
        "source_file": record.source_file,
        "source_line": record.source_line,
        "source_facts": record.source_facts,
    }
    values.update(
        {fact: record.facts[fact] for fact in ("country", "city") if fact in record.facts}
    )
    if "region" in record.facts:
        values["region"] = regions[record.facts["region"]]
    return values


def _write_cases(catalogue, themes, regions, organizations, contacts, tally, draft, overwrite):
    existing = _by_source(Case.objects.all(), "source_title", "title", catalogue.cases)
    slugs = set(Case.objects.values_list("slug", flat=True))
    current_themes: dict[int, set[int]] = {}
    current_links: dict[int, list[tuple[int, int | None]]] = {}
    for ids in _chunks([case.pk for case in existing.values()]):
        for case_id, theme_id in CaseTheme.objects.filter(case__in=ids).values_list(
            "case_id", "theme_id"
        ):
            current_themes.setdefault(case_id, set()).add(theme_id)
        links = CaseOrganization.objects.filter(case__in=ids).order_by("case", "position")
        for case_id, org_id, contact_id in links.values_list(
            "case_id", "organization_id", "contact_id"
        ):
            current_links.setdefault(case_id, []).append((org_id, contact_id))

    now = timezone.now()
    new: list[Case] = []
    changed: dict[int, Case] = {}
    theme_rows: list[tuple[Case, int]] = []
    link_rows: list[tuple[Case, int, int | None, int]] = []
    stale_themes, stale_links, kept_links = [], [], []
    for title, record in catalogue.cases.items():
        values = _case_values(title, record, regions)
        obj = existing.get(title)
        is_new = obj is None
        if is_new:
            obj = Case(
                slug=unique_slug(title, slugs.__contains__),
                status=Case.Status.DRAFT if draft else Case.Status.PUBLISHED,
                **values,
            )
            slugs.add(obj.slug)
            new.append(obj)
            touched = False
        else:
            touched = _apply(obj, values, overwrite)

        if "themes" in record.facts and (overwrite or "themes" not in obj.edited_fields):
            wanted = {themes[name].pk for name in record.facts["themes"]}
            if is_new or wanted != current_themes.get(obj.pk, set()):
                if not is_new:
                    stale_themes.append(obj.pk)
                theme_rows += [(obj, pk) for pk in sorted(wanted)]
                touched = True

        if overwrite or "organizations" not in obj.edited_fields:
            links = [
                (organizations[org_name], contacts[(organizations[org_name].pk, c)] if c else None)
                for org_name, c in record.links
            ]
            ids = [(org.pk, c.pk if c else None) for org, c in links]
            if is_new or ids != current_links.get(obj.pk, []):
                if not is_new:
                    stale_links.append(obj.pk)
                link_rows += [(obj, o, c, i) for i, (o, c) in enumerate(ids)]
                touched = True
            people = [(org.name, contact) for org, contact in links]
            text, search_title = search_document(obj.title, obj.description, people)
            if (text, search_title) != (obj.search_text, obj.search_title):
                obj.search_text, obj.search_title = text, search_title
                touched = True
        else:
            kept_links.append(obj)  # an editor's links: their search text is refreshed below

        if is_new:
            continue
        if touched:
            obj.updated_at = now
            changed[obj.pk] = obj
        else:
            tally.unchanged += 1

    Case.objects.bulk_create(new, batch_size=500)
    for ids in _chunks(stale_themes):
        CaseTheme.objects.filter(case__in=ids).delete()
    CaseTheme.objects.bulk_create(
        [CaseTheme(case=case, theme_id=pk) for case, pk in theme_rows], batch_size=1000
    )
    for ids in _chunks(stale_links):
        CaseOrganization.objects.filter(case__in=ids).delete()
    CaseOrganization.objects.bulk_create(
        [
            CaseOrganization(case=case, organization_id=o, contact_id=c, position=i)
            for case, o, c, i in link_rows
        ],
        batch_size=1000,
    )
    Case.objects.bulk_update(changed.values(), CASE_FIELDS, batch_size=500)
    tally.created, tally.updated = tally.created + len(new), tally.updated + len(changed)
    for ids in _chunks([o.pk for o in kept_links if o.pk in changed]):
        Case.objects.filter(pk__in=ids).refresh_search_text()


def _chunks(items: list, size: int = 1000):
    """Slices small enough for any database's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
