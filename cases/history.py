"""The history of cases, organizations and contacts: django-reversion's versions, compared.

Importing this module registers the models. A case's revision holds its organization links
(the admin inline), an organization's holds its contacts. History is shown only in the admin,
so contacts' e-mails may be kept in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import reversion
from django.db import models
from reversion.models import Revision, Version

from .models import Case, CaseOrganization, Contact, Organization

# The PostgreSQL trigger rebuilds search_vector from the row on every write, revert included.
reversion.register(Case, exclude=["search_vector"], follow=["caseorganization_set"])
reversion.register(CaseOrganization)
reversion.register(Organization, follow=["contacts"])
reversion.register(Contact)

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


def record_import(objects: Iterable[models.Model], comment: str) -> None:
    """One revision per imported row (with what it follows), labelled, with no user."""
    for obj in objects:
        # Inside the import's transaction: no savepoint per record.
        with reversion.create_revision(atomic=False):
            reversion.set_comment(comment)
            reversion.add_to_revision(obj)
