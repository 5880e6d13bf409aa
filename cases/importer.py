"""Import seed text (and its editorial overlay) into the database, all or nothing.

Seed files merge into a Catalogue (the text, then the editorial facts) that one writer
upserts. Generated cases (synthetic.py) go through the same writer, and the built fixture
(fixture.py) takes its rows from the same row functions.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from . import history, seed
from .editorial import Editorial, length_error, load_editorial, parse_editorial
from .history import Change
from .models import (
    EVERY_CHANGE_STATE,
    Case,
    CaseOrganization,
    CatalogueState,
    Contact,
    Organization,
    OrganizationAlias,
    Region,
    Theme,
    name_key,
    search_document,
    unique_slug,
)

CaseTheme = Case.themes.through
WRITE_ATTEMPTS = 5
ANALYZED = (Case, CaseTheme, CaseOrganization, Organization, Contact, Theme, Region)


class ImportFailed(Exception):
    """The database refused the import; the transaction was rolled back."""


class CatalogueChanged(Exception):
    """The catalogue is no longer at the version an import expected; nothing was written."""


ENTITIES = ("themes", "regions", "organizations", "contacts", "cases")


# --- The catalogue: seed text plus editorial facts, before any database work ---


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
    # The status of the case if it is new; None: as the import says (see case_status).
    status: str | None = None


@dataclass
class Catalogue:
    themes: list[str] = field(default_factory=list)
    theme_descriptions: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, OrganizationRecord] = field(default_factory=dict)
    cases: dict[str, CaseRecord] = field(default_factory=dict)

    def people(self, record: CaseRecord) -> list[tuple[str, ContactRecord | None]]:
        """The (organization name, contact or None) pairs a case names, in order."""
        return [
            (name, self.organizations[name].contacts.get(contact) if contact else None)
            for name, contact in record.links
        ]


# --- Rows: what a record puts in the database, for the writer and the built fixture alike ---


def claim_slug(text: str, taken: set[str]) -> str:
    """A slug of text that is not in taken, which holds it from then on."""
    slug = unique_slug(text, taken.__contains__)
    taken.add(slug)
    return slug


def vocabulary_row(name: str, descriptions: Mapping[str, str]) -> dict:
    """The fields of a new theme's or region's row: name, slug and any stated description."""
    row = {"name": name, "slug": claim_slug(name, set())}
    if name in descriptions:
        row["description"] = descriptions[name]
    return row


def organization_row(record: OrganizationRecord) -> dict:
    """The fields of an organization's row that its record states (the slug aside)."""
    return {"name": record.name, "source_name": record.name, "kind": record.kind, **record.facts}


def contact_row(record: ContactRecord) -> dict:
    """The fields of a contact's row that its record states; without a role it keeps its own."""
    row = {"name": record.name, "source_name": record.name, "honorific": record.honorific}
    if record.role:
        row["role"] = record.role
    return row


def case_row(record: CaseRecord, regions: Mapping[str, object]) -> dict:
    """The fields of a case's row that its record states (slug, status and search aside).

    `regions` maps a region's name to what the row holds: a Region, or a fixture's natural key.
    """
    row = {
        "title": record.title,
        "source_title": record.title,
        "description": record.description,
        "marked_absent": record.marked_absent,
        "source_file": record.source_file,
        "source_line": record.source_line,
        "source_facts": record.source_facts,
    }
    row.update({fact: record.facts[fact] for fact in ("country", "city") if fact in record.facts})
    if "region" in record.facts:
        row["region"] = regions[record.facts["region"]]
    return row


def case_status(record: CaseRecord, *, draft: bool = False) -> str:
    """The status of a case created from record: its own, else draft or published as asked."""
    return record.status or (Case.Status.DRAFT if draft else Case.Status.PUBLISHED)


def search_fields(case, people) -> dict[str, str]:
    """The search fields of a case (row or record) naming people, (organization, contact) pairs."""
    text, title = search_document(case.title, case.description, people)
    return {"search_text": text, "search_title": title}


# --- Merging: the text, then the editorial overlay ---


def merge(files: Sequence[seed.SeedFile], editorial: Editorial | None = None) -> Catalogue:
    """One catalogue from parsed seed files and the editorial overlay; conflicts are errors.

    Every value is checked against the field that will hold it, so nothing too long for the
    database reaches the transaction.
    """
    catalogue = merge_text(files)
    if editorial is not None:
        apply_editorial(catalogue, editorial)
    return catalogue


def merge_text(files: Sequence[seed.SeedFile]) -> Catalogue:
    """One catalogue from parsed seed files; a case named twice is an error."""
    catalogue = Catalogue()
    for parsed in files:
        catalogue.themes += [t for t in parsed.themes if t not in catalogue.themes]
        for case in parsed.cases:
            _merge_case(catalogue, parsed.source, case)
    return catalogue


def _at(source: str, line: int | None):
    """A SeedError at FILE:LINE, as a function of the message."""
    return lambda message: seed.SeedError(source, line, message)


def _check_lengths(model, values: dict[str, str], error, label: str = "") -> None:
    """Refuse a value longer than its model field holds; error(message) names FILE:LINE."""
    for name, value in values.items():
        if message := length_error(model._meta.get_field(name), value, label):
            raise error(message)


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


def apply_editorial(catalogue: Catalogue, editorial: Editorial) -> None:
    """Add the overlay's checked facts; an entry the text lacks, or a region it contradicts,
    is an error at the entry's line."""
    for title, facts in editorial.cases.items():
        record = catalogue.cases.get(title)
        if record is None:
            raise editorial.error("cases", title, f"no imported case is titled “{title}”")
        stated = record.facts.get("region")
        if stated and facts.get("region", stated) != stated:
            raise editorial.error(
                "cases", title, f"the region of “{title}” is stated in the text as {stated}"
            )
        record.facts = facts | record.facts
    for name, facts in editorial.organizations.items():
        record = catalogue.organizations.get(name)
        if record is None:
            message = f"no imported organization is named “{name}”"
            raise editorial.error("organizations", name, message)
        record.facts |= facts
    for name, facts in editorial.themes.items():
        if "description" in facts:
            catalogue.theme_descriptions[name] = facts["description"]


# --- Writing the catalogue ---


@dataclass
class Update:
    """A row an import changes: its name and each field's old and new value, as shown."""

    name: str
    changes: list[Change]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    updates: list[Update] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool = False
    tallies: dict[str, Tally] = field(default_factory=lambda: {e: Tally() for e in ENTITIES})
    # The version of the catalogue (CatalogueState.token) the import read and wrote over.
    version: str = ""

    def summary(self) -> str:
        lines = [
            f"{entity}: created {t.created}, updated {t.updated}, unchanged {t.unchanged}"
            for entity, t in self.tallies.items()
        ]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)


def _apply(obj, values: dict, overwrite: bool) -> list[Change]:
    """Set values on obj, sparing fields an editor changed unless overwrite; what changed."""
    changes = []
    for name, value in values.items():
        if name in obj.edited_fields and not overwrite:
            continue
        old = getattr(obj, name)
        if old != value:
            setattr(obj, name, value)
            changes.append(_change(obj._meta.get_field(name), old, value))
    if overwrite and obj.edited_fields:
        changes.append(_change(obj._meta.get_field("edited_fields"), obj.edited_fields, []))
        obj.edited_fields = []
    return changes


def _change(model_field, old, new) -> Change:
    """A field's change as an editor reads it: labels of choices, names of rows."""
    return Change(str(model_field.verbose_name), _shown(model_field, old), _shown(model_field, new))


def _shown(model_field, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(dict(model_field.flatchoices).get(value, value))


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
    label = import_label([*paths, *([editorial] if editorial else [])])
    return write_catalogue(
        catalogue, dry_run=dry_run, draft=draft, overwrite=overwrite, label=label
    )


def read_catalogue(
    texts: Sequence[tuple[str, str]], editorial: tuple[str, str] | None = None
) -> Catalogue:
    """The catalogue of seed texts and an editorial overlay, each (file name, text), as
    import_cases reads files; errors name FILE:LINE."""
    files = [seed.parse(text, source=name) for name, text in texts]
    return merge(files, parse_editorial(editorial[1], editorial[0]) if editorial else None)


def import_label(names: Iterable[str | Path]) -> str:
    """The label of an import's revisions: the names of its files."""
    return f"Imported from {', '.join(Path(name).name for name in names)}"


def write_catalogue(
    catalogue: Catalogue,
    *,
    dry_run: bool = False,
    draft: bool = False,
    overwrite: bool = False,
    label: str | None = None,
    user=None,
    expected_version: str | None = None,
) -> ImportReport:
    """Upsert the catalogue in one transaction: new cases are published (drafts if draft,
    unless a record says otherwise); what editors changed stays unless overwrite. With a
    label, each case, organization and contact written gets a revision saying it (by user).
    With expected_version, raise CatalogueChanged unless the catalogue is still at it."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        report = ImportReport(dry_run=dry_run)
        try:
            with transaction.atomic():
                report.version = _locked_version()
                if expected_version is not None and report.version != expected_version:
                    raise CatalogueChanged("the catalogue changed since the preview")
                written = _write(catalogue, report, draft=draft, overwrite=overwrite)
                if dry_run:
                    transaction.set_rollback(True)
                elif label:
                    history.record_import(written, label, user=user)
            if not dry_run:
                _refresh_statistics(report)
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


def _refresh_statistics(report: ImportReport) -> None:
    """On PostgreSQL, ANALYZE the catalogue once an import added rows: until autovacuum comes
    round, the planner would take the grown tables for empty ones and pick nested loops
    that take minutes (a facet count over 300 cases took over a minute)."""
    if connection.vendor == "postgresql" and any(t.created for t in report.tallies.values()):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in ANALYZED))


def _locked_version() -> str:
    """The catalogue's version ("" before its first change), which stays so until the
    transaction ends: the row is locked on PostgreSQL, and SQLite's IMMEDIATE transaction
    already holds the write lock. Every writer bumps this row, so it waits for this one."""
    state = CatalogueState.objects.select_for_update().filter(pk=EVERY_CHANGE_STATE).first()
    return state.token if state else ""


def _vocabulary(model, names: Iterable[str], tally: Tally, descriptions=None) -> dict:
    existing = {obj.name: obj for obj in model.objects.all()}
    descriptions = descriptions or {}
    for name in names:
        values = {"description": descriptions[name]} if name in descriptions else {}
        obj = existing.get(name)
        if obj is None:
            existing[name] = model.objects.create(**vocabulary_row(name, descriptions))
            tally.created += 1
        elif changes := [
            _change(model._meta.get_field(key), getattr(obj, key), value)
            for key, value in values.items()
            if getattr(obj, key) != value
        ]:
            model.objects.filter(pk=obj.pk).update(**values)
            tally.updated += 1
            tally.updates.append(Update(name, changes))
        else:
            tally.unchanged += 1
    return existing


@dataclass
class _Rows:
    """The rows that cases name, by name: themes, regions, organizations, and contacts by
    (organization id, name)."""

    themes: dict[str, Theme]
    regions: dict[str, Region]
    organizations: dict[str, Organization]
    contacts: dict[tuple[int, str], Contact]


def _write(catalogue: Catalogue, report: ImportReport, *, draft: bool, overwrite: bool) -> list:
    """Write the catalogue and count it; the organizations, contacts and cases written."""
    t = report.tallies
    written: list = []
    case_themes = {name for c in catalogue.cases.values() for name in c.facts.get("themes", [])}
    theme_names = [*catalogue.themes, *sorted(case_themes - set(catalogue.themes))]
    theme_names += sorted(set(catalogue.theme_descriptions) - set(theme_names))
    themes = _vocabulary(Theme, theme_names, t["themes"], catalogue.theme_descriptions)
    case_regions = sorted(
        {c.facts["region"] for c in catalogue.cases.values() if "region" in c.facts}
    )
    regions = _vocabulary(Region, case_regions, t["regions"])
    organizations = _write_organizations(catalogue, t["organizations"], overwrite, written)
    contacts = _write_contacts(catalogue, organizations, t["contacts"], overwrite, written)
    rows = _Rows(themes, regions, organizations, contacts)
    _write_cases(catalogue, rows, t["cases"], draft=draft, overwrite=overwrite, written=written)
    if any(tally.created or tally.updated for tally in t.values()):
        CatalogueState.objects.bump()
    return written


def _by_source(queryset, source_field: str, field: str, keys) -> dict:
    """Rows keyed by the name they have in the source text, even if an editor renamed them."""
    found, by_source = {}, {}
    for chunk in _chunks(list(keys)):
        for obj in queryset.filter(**{f"{field}__in": chunk}):
            found[getattr(obj, field)] = obj
        for obj in queryset.filter(**{f"{source_field}__in": chunk}):
            by_source[getattr(obj, source_field)] = obj
    return found | by_source


def _write_organizations(
    catalogue: Catalogue, tally: Tally, overwrite: bool, written: list
) -> dict:
    """Upsert the organizations in bulk; their rows by the name the text gives them. A name
    that became an alias (a merge) finds the organization kept, which the text does not change."""
    names = list(catalogue.organizations)
    existing = _by_source(Organization.objects.all(), "source_name", "name", names)
    aliased = _by_alias([name for name in names if name not in existing])
    slugs = set(Organization.objects.values_list("slug", flat=True))
    new, changed = [], []
    for name, record in catalogue.organizations.items():
        values = organization_row(record)
        obj = existing.get(name)
        if obj is None and name in aliased:
            tally.unchanged += 1
        elif obj is None:
            slug = claim_slug(name, slugs)
            new.append(Organization(slug=slug, name_key=name_key(name), **values))
        elif changes := _apply(obj, values, overwrite):
            obj.name_key = name_key(obj.name)  # an editor's name stays, and so does its key
            changed.append(obj)
            tally.updates.append(Update(name, changes))
        else:
            tally.unchanged += 1
    Organization.objects.bulk_create(new, batch_size=500)
    existing |= aliased
    fields = ["name", "source_name", "name_key", "kind", "country", "website", "edited_fields"]
    Organization.objects.bulk_update(changed, fields, batch_size=500)
    written += [*new, *changed]
    tally.created, tally.updated = tally.created + len(new), tally.updated + len(changed)
    return existing | {obj.source_name: obj for obj in new}  # bulk_create set their ids


def _by_alias(names: list[str]) -> dict[str, Organization]:
    """The organizations kept by merges, by the alias names among names."""
    aliases = OrganizationAlias.objects.select_related("organization")
    return {
        alias.name: alias.organization
        for chunk in _chunks(names)
        for alias in aliases.filter(name__in=chunk)
    }


def _contacts_of(org_ids: set[int]) -> dict[tuple[int, str], Contact]:
    """The contacts of the organizations by (organization id, name or source name)."""
    contacts = [
        contact
        for ids in _chunks(sorted(org_ids))
        for contact in Contact.objects.filter(organization_id__in=ids)
    ]
    found = {(c.organization_id, c.name): c for c in contacts}
    found.update({(c.organization_id, c.source_name): c for c in contacts if c.source_name})
    return found


def _write_contacts(
    catalogue: Catalogue, organizations: dict, tally: Tally, overwrite: bool, written: list
):
    """Upsert the contacts in bulk; their rows by (organization id, name in the text)."""
    wanted = {
        (organizations[org.name].pk, contact.name): (org.name, contact)
        for org in catalogue.organizations.values()
        for contact in org.contacts.values()
    }
    existing = _contacts_of({org_id for org_id, _ in wanted})
    new, changed = [], []
    for key, (org_name, record) in wanted.items():
        values = contact_row(record)
        obj = existing.get(key)
        if obj is None:
            new.append(Contact(organization_id=key[0], **values))
        elif changes := _apply(obj, values, overwrite):
            changed.append(obj)
            tally.updates.append(Update(f"{record.honorific} {record.name} — {org_name}", changes))
        else:
            tally.unchanged += 1
    Contact.objects.bulk_create(new, batch_size=500)
    fields = ["name", "source_name", "honorific", "role", "edited_fields"]
    Contact.objects.bulk_update(changed, fields, batch_size=500)
    written += [*new, *changed]
    tally.created, tally.updated = tally.created + len(new), tally.updated + len(changed)
    return existing | {(obj.organization_id, obj.name): obj for obj in new}


def _write_cases(
    catalogue: Catalogue, rows: _Rows, tally: Tally, *, draft, overwrite, written: list
) -> None:
    """Create and update the catalogue's cases with their themes and links: load what the
    database holds, plan case by case, then write in bulk."""
    planner = _CasePlanner(
        _CurrentCases.load(catalogue.cases), rows, draft=draft, overwrite=overwrite
    )
    for record in catalogue.cases.values():
        planner.add(record)
    planner.plan.write(tally)
    written += [*planner.plan.new, *planner.plan.changed.values()]


@dataclass
class _CurrentCases:
    """The cases of the catalogue the database already holds, with their theme and link ids;
    and every slug taken."""

    cases: dict[str, Case]
    slugs: set[str]
    themes: dict[int, set[int]] = field(default_factory=dict)
    links: dict[int, list[tuple[int, int | None]]] = field(default_factory=dict)
    link_names: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, titles: Iterable[str]) -> _CurrentCases:
        """Read them in a few queries per thousand titles."""
        cases_with_region = Case.objects.select_related("region")  # compared with the record's
        current = cls(
            cases=_by_source(cases_with_region, "source_title", "title", titles),
            slugs=set(Case.objects.values_list("slug", flat=True)),
        )
        for ids in _chunks([case.pk for case in current.cases.values()]):
            theme_ids = CaseTheme.objects.filter(case__in=ids).values_list("case_id", "theme_id")
            for case_id, theme_id in theme_ids:
                current.themes.setdefault(case_id, set()).add(theme_id)
            links = CaseOrganization.objects.filter(case__in=ids).order_by("case", "position")
            for case_id, org, contact, *names in links.values_list(
                "case_id", "organization_id", "contact_id", *LINK_NAMES
            ):
                current.links.setdefault(case_id, []).append((org, contact))
                current.link_names.setdefault(case_id, []).append(_link_name(*names))
        return current


# What a link between a case and an organization reads as in a preview: the organization's
# name and the contact's honorific and name.
LINK_NAMES = ["organization__name", "contact__honorific", "contact__name"]


def _link_name(organization: str, honorific: str | None, contact: str | None) -> str:
    return f"{organization} ({honorific} {contact})" if contact else organization


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


@dataclass
class _CasePlan:
    """What writing the cases does: rows to create and update, themes and links to replace."""

    new: list[Case] = field(default_factory=list)
    changed: dict[int, Case] = field(default_factory=dict)
    unchanged: int = 0
    theme_rows: list[tuple[Case, int]] = field(default_factory=list)
    link_rows: list[tuple[Case, int, int | None, int]] = field(default_factory=list)
    stale_themes: list[int] = field(default_factory=list)
    stale_links: list[int] = field(default_factory=list)
    kept_links: list[Case] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)

    def write(self, tally: Tally) -> None:
        """Write the plan in bulk and count it."""
        Case.objects.bulk_create(self.new, batch_size=500)  # which sets their ids
        for ids in _chunks(self.stale_themes):
            CaseTheme.objects.filter(case__in=ids).delete()
        CaseTheme.objects.bulk_create(
            [CaseTheme(case_id=case.pk, theme_id=pk) for case, pk in self.theme_rows],
            batch_size=1000,
        )
        for ids in _chunks(self.stale_links):
            CaseOrganization.objects.filter(case__in=ids).delete()
        CaseOrganization.objects.bulk_create(
            [
                CaseOrganization(case_id=case.pk, organization_id=o, contact_id=c, position=i)
                for case, o, c, i in self.link_rows
            ],
            batch_size=1000,
        )
        Case.objects.bulk_update(self.changed.values(), CASE_FIELDS, batch_size=500)
        tally.created += len(self.new)
        tally.updated += len(self.changed)
        tally.unchanged += self.unchanged
        tally.updates += self.updates
        # An editor's links stay, but the search text follows the case's new title or text.
        for ids in _chunks([case.pk for case in self.kept_links if case.pk in self.changed]):
            Case.objects.filter(pk__in=ids).refresh_search_text()


class _CasePlanner:
    """Plans, case by case, what writing the catalogue changes, sparing editors' changes."""

    def __init__(self, current: _CurrentCases, rows: _Rows, *, draft: bool, overwrite: bool):
        self.current, self.rows = current, rows
        self.draft, self.overwrite = draft, overwrite
        self.now = timezone.now()
        self.plan = _CasePlan()

    def add(self, record: CaseRecord) -> None:
        values = case_row(record, self.rows.regions)
        obj = self.current.cases.get(record.title)
        if obj is None:
            slug = claim_slug(record.title, self.current.slugs)
            obj = Case(slug=slug, status=case_status(record, draft=self.draft), **values)
            self.plan.new.append(obj)
            self._themes(obj, record, [])
            self._links(obj, record, [])
            return
        changes = _apply(obj, values, self.overwrite)
        self._themes(obj, record, changes)
        self._links(obj, record, changes)
        if changes:
            obj.updated_at = self.now
            self.plan.changed[obj.pk] = obj
            self.plan.updates.append(Update(record.title, changes))
        else:
            self.plan.unchanged += 1

    def _themes(self, obj: Case, record: CaseRecord, changes: list[Change]) -> None:
        """Plan the themes the record states, unless an editor chose them; add to the changes
        of an existing case."""
        if "themes" not in record.facts:
            return
        if "themes" in obj.edited_fields and not self.overwrite:
            return
        wanted = {self.rows.themes[name].pk for name in record.facts["themes"]}
        if obj.pk is not None:
            had = self.current.themes.get(obj.pk, set())
            if wanted == had:
                return
            self.plan.stale_themes.append(obj.pk)
            names = {theme.pk: theme.name for theme in self.rows.themes.values()}
            shown = [", ".join(sorted(names[pk] for pk in ids)) or "—" for ids in (had, wanted)]
            changes.append(Change("themes", *shown))
        self.plan.theme_rows += [(obj, pk) for pk in sorted(wanted)]

    def _links(self, obj: Case, record: CaseRecord, changes: list[Change]) -> None:
        """Plan the links the record states and the search text they make, unless an editor
        chose the links; add to the changes of an existing case."""
        if "organizations" in obj.edited_fields and not self.overwrite:
            self.plan.kept_links.append(obj)
            return
        organizations, contacts = self.rows.organizations, self.rows.contacts
        links = {}  # by organization id: a name and its alias link the same organization once
        for name, c in record.links:
            org = organizations[name]
            links.setdefault(org.pk, (org, contacts[(org.pk, c)] if c else None))
        links = list(links.values())
        ids = [(org.pk, contact.pk if contact else None) for org, contact in links]
        is_new = obj.pk is None
        if is_new or ids != self.current.links.get(obj.pk, []):
            if not is_new:
                self.plan.stale_links.append(obj.pk)
                old = self.current.link_names.get(obj.pk, [])
                new = [_link_name(o.name, c and c.honorific, c and c.name) for o, c in links]
                changes.append(Change("organizations", *(", ".join(n) or "—" for n in (old, new))))
            self.plan.link_rows += [(obj, o, c, i) for i, (o, c) in enumerate(ids)]
        rebuilt = False
        for name, value in search_fields(obj, [(o.name, c) for o, c in links]).items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                rebuilt = True
        if rebuilt and not changes and not is_new:
            changes.append(SEARCH_TEXT_REBUILT)


# A case whose own facts stay but whose organizations or contacts were renamed: its search
# text follows them.
SEARCH_TEXT_REBUILT = Change("search text", "—", "rebuilt with the new names")


def _chunks(items: list, size: int = 1000):
    """Slices small enough for any database's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
