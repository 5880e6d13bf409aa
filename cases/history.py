"""The history of cases, organizations and contacts: django-reversion's versions, compared.

Importing this module registers the models. A case's revision holds its organization links
(the admin inline), an organization's holds its contacts. History is shown only in the admin,
so contacts' e-mails may be kept in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import timezone
from reversion.models import Revision, Version

from .models import Case, CaseOrganization, Contact, Organization, OrganizationAlias

# The PostgreSQL trigger rebuilds search_vector from the row on every write, revert included.
CASE_EXCLUDE = ["search_vector"]
reversion.register(Case, exclude=CASE_EXCLUDE, follow=["caseorganization_set"])
reversion.register(CaseOrganization)
reversion.register(Organization, follow=["contacts"])
reversion.register(Contact)
reversion.register(OrganizationAlias)

# Kept in versions, so a revert restores a consistent row, but computed or bookkeeping: a
# difference in them says nothing an editor did.
NOT_COMPARED = {"search_text", "search_title", "updated_at", "edited_fields", "source_facts"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One version of an object: its revision (who, when, why) and what it changed."""

    version: Version
    changes: list[Change] = field(default_factory=list)
    first: bool = False

    @property
    def revision(self) -> Revision:
        return self.version.revision


def version_diffs(obj: models.Model) -> list[Entry]:
    """Every version of obj, newest first, with the fields it changed against the one before."""
    versions = list(
        Version.objects.get_for_object(obj).select_related("revision__user").order_by("pk")
    )
    states = [_state(obj, version) for version in versions]
    names = _Names()
    entries = []
    for index, version in enumerate(versions):
        changes = []
        if index:
            before, after = states[index - 1], states[index]
            for name, value in after.items():
                if name in NOT_COMPARED or before.get(name) == value:
                    continue
                label, old, new = names.describe(obj, name, before.get(name), value)
                changes.append(Change(label, old, new))
        entries.append(Entry(version, changes, first=not index))
    return entries[::-1]


def _state(obj: models.Model, version: Version) -> dict:
    """The version's fields by name; a case's also has its organizations, from its revision."""
    state = {
        obj._meta.get_field(name).name: value
        for name, value in version.field_dict.items()
        if name != obj._meta.pk.attname
    }
    if isinstance(obj, Case):
        revision_links = Version.objects.get_for_model(CaseOrganization)
        links = [link.field_dict for link in revision_links.filter(revision=version.revision_id)]
        ordered = sorted(
            (link for link in links if link["case_id"] == obj.pk), key=lambda link: link["position"]
        )
        state["organizations"] = [link["organization_id"] for link in ordered]
    return state


class _Names:
    """Values as an editor reads them: choices by label, related rows by name."""

    def __init__(self):
        self.rows: dict[tuple[type, object], str] = {}

    def describe(self, obj, name: str, old, new) -> tuple[str, str, str]:
        field = obj._meta.get_field(name)
        return str(field.verbose_name), self.show(field, old), self.show(field, new)

    def show(self, field, value) -> str:
        if value in (None, "", []):
            return "—"
        if field.is_relation:
            ids = value if isinstance(value, list) else [value]
            return ", ".join(self.name(field.related_model, pk) for pk in ids)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return str(value)

    def name(self, model, pk) -> str:
        """A related row's name (queried once per row per page); a deleted one says so."""
        key = (model, pk)
        if key not in self.rows:
            row = model._base_manager.filter(pk=pk).first()
            self.rows[key] = str(row) if row else f"(deleted #{pk})"
        return self.rows[key]


def record_import(objects: Iterable[models.Model], comment: str, user=None) -> None:
    """One revision per imported (or bulk-updated) row with what it follows, labelled.

    Written in bulk, a few queries per thousand rows: reversion's add_to_revision would take
    several per row (an import of 10,000 cases from 18 s to over two minutes).
    """
    objects = list(objects)
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, comment=comment, user=user) for _ in objects], batch_size=500
    )
    followed = _followed(objects)
    pairs = [
        (revision, row)
        for revision, obj in zip(revisions, objects, strict=True)
        for row in [obj, *followed.get((type(obj), obj.pk), [])]
    ]
    Version.objects.bulk_create(_versions(pairs), batch_size=500)


def current_versions(obj: models.Model) -> list[Version]:
    """Unsaved versions of obj and of the rows its revision follows, as they are now: what
    record_revision keeps of rows deleted meanwhile (reversion drops rows that are gone)."""
    rows = [obj, *_followed([obj]).get((type(obj), obj.pk), [])]
    return _versions([(None, row) for row in rows])


def record_revision(
    objects: Iterable[models.Model], comment: str, user=None, *, deleted: Iterable[Version] = ()
) -> Revision:
    """One revision of objects with what they follow, and of deleted rows (current_versions
    taken before they were deleted), so they can be recovered."""
    objects = list(objects)
    revision = Revision.objects.create(date_created=timezone.now(), comment=comment, user=user)
    followed = _followed(objects)
    rows = [row for obj in objects for row in [obj, *followed.get((type(obj), obj.pk), [])]]
    versions = _versions([(revision, row) for row in rows])
    for version in deleted:
        version.revision = revision
        versions.append(version)
    Version.objects.bulk_create(versions, batch_size=500)
    return revision


def _versions(pairs: list[tuple[Revision | None, models.Model]]) -> list[Version]:
    """The version of each row in its revision, serialized as reversion does."""
    serialized = _serialized([row for _, row in pairs])
    return [
        _version(revision, row, data)
        for (revision, row), data in zip(pairs, serialized, strict=True)
    ]


def _followed(objects: list[models.Model]) -> dict[tuple[type, int], list[models.Model]]:
    """The rows each object's revision also holds, as the registrations above follow them:
    a case's links, an organization's contacts; by (model, id). The cases' themes are
    read along, and the links get the case and organization their names read."""
    cases = {obj.pk: obj for obj in objects if isinstance(obj, Case)}
    prefetch_related_objects(list(cases.values()), "themes")
    links = _rows_of(CaseOrganization, "case_id", list(cases))
    names = Organization.objects.only("name").in_bulk({link.organization_id for link in links})
    followed: dict[tuple[type, int], list[models.Model]] = {}
    for link in links:
        link.case, link.organization = cases[link.case_id], names[link.organization_id]
        followed.setdefault((Case, link.case_id), []).append(link)
    organizations = [obj.pk for obj in objects if isinstance(obj, Organization)]
    for contact in _rows_of(Contact, "organization_id", organizations):
        followed.setdefault((Organization, contact.organization_id), []).append(contact)
    return followed


def _rows_of(model, key: str, ids: list[int]) -> list[models.Model]:
    """The rows of model whose key is one of ids, a thousand ids a query."""
    return [
        row
        for start in range(0, len(ids), 1000)
        for row in model.objects.filter(**{f"{key}__in": ids[start : start + 1000]})
    ]


class _Serializer(PythonSerializer):
    """Django's serializer, reading prefetched many-to-many rows as they are: Django's own
    builds a queryset per row even then, a third of the time of an import's history."""

    def handle_m2m_field(self, obj, field):
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        if prefetched is None:
            return super().handle_m2m_field(obj, field)
        self._current[field.name] = [related.pk for related in prefetched]


def _serialized(rows: list[models.Model]) -> list[str]:
    """Each row as reversion's "json" format holds it (what serializers.serialize("json",
    [row], fields=...) writes), one serializer per model rather than per row."""
    by_model: dict[type, list[int]] = {}
    for index, row in enumerate(rows):
        by_model.setdefault(type(row), []).append(index)
    serialized = [""] * len(rows)
    for model, indexes in by_model.items():
        data = _Serializer().serialize([rows[i] for i in indexes], fields=_fields(model))
        for index, item in zip(indexes, data, strict=True):
            serialized[index] = json.dumps([item], cls=DjangoJSONEncoder, ensure_ascii=False)
    return serialized


def _fields(model) -> list[str]:
    """The fields a version of model holds (reversion's, less what CASE_EXCLUDE leaves out)."""
    opts = model._meta
    fields = [f.name for f in opts.local_fields + opts.local_many_to_many]
    return [name for name in fields if not (model is Case and name in CASE_EXCLUDE)]


def _version(revision: Revision | None, obj: models.Model, serialized: str) -> Version:
    """The version of obj in revision."""
    return Version(
        revision=revision,
        object_id=str(obj.pk),
        content_type=ContentType.objects.get_for_model(obj),
        db=obj._state.db or "default",
        format="json",
        serialized_data=serialized,
        object_repr=str(obj),
    )
