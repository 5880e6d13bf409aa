"""Merging a duplicate organization into the one kept: one transaction, one history entry."""

from __future__ import annotations

from django.db import transaction

from . import history
from .models import Case, CaseOrganization, CatalogueState, Organization, OrganizationAlias


def merge_organizations(kept: Organization, other: Organization, *, user=None) -> None:
    """Move other's case links and contacts to kept, keep other's names as kept's aliases,
    and delete other: all or nothing, recorded as one revision (other's last state included,
    so it can be recovered)."""
    if kept.pk == other.pk:
        raise ValueError("an organization cannot be merged into itself")
    with transaction.atomic():
        # Locked in id order, so two merges of the same pair wait for each other.
        locked = Organization.objects.select_for_update().filter(pk__in=[kept.pk, other.pk])
        list(locked.order_by("pk"))
        before = history.current_versions(other)
        case_ids = list(other.caseorganization_set.values_list("case_id", flat=True))
        gone = {("organization", str(other.pk))}
        gone |= {("contact", str(pk)) for pk in _move_contacts(kept, other)}
        _move_links(kept, other)
        _keep_names(kept, other)
        other.delete()
        cases = Case.objects.filter(pk__in=case_ids)
        cases.refresh_search_text()
        history.record_revision(
            [*cases, kept, *kept.aliases.all()],
            f"Merged “{other.name}” into “{kept.name}”",
            user,
            deleted=[v for v in before if (v.content_type.model, v.object_id) in gone],
        )
        CatalogueState.objects.bump()


def _move_contacts(kept: Organization, other: Organization) -> list[int]:
    """Other's contacts join kept; one named as a contact of kept is that contact, which
    takes over its links and the details it lacked. The ids of the contacts deleted."""
    same_name = {contact.name: contact for contact in kept.contacts.all()}
    deleted = []
    for contact in other.contacts.all():
        existing = same_name.get(contact.name)
        if existing is None:
            contact.organization = kept
            contact.save(update_fields=["organization"])
            continue
        CaseOrganization.objects.filter(contact=contact).update(contact=existing)
        for name in ("honorific", "role", "email"):
            if not getattr(existing, name):
                setattr(existing, name, getattr(contact, name))
        existing.save()
        deleted.append(contact.pk)
        contact.delete()
    return deleted


def _move_links(kept: Organization, other: Organization) -> None:
    """Other's case links become kept's; a case naming both keeps one link, at the first
    of the two positions, with a contact if either had one."""
    theirs = {link.case_id: link for link in other.caseorganization_set.all()}
    for link in kept.caseorganization_set.filter(case_id__in=list(theirs)):
        duplicate = theirs[link.case_id]
        link.position = min(link.position, duplicate.position)
        link.contact_id = link.contact_id or duplicate.contact_id
        duplicate.delete()
        link.save(update_fields=["position", "contact"])
    other.caseorganization_set.update(organization=kept)


def _keep_names(kept: Organization, other: Organization) -> None:
    """Other's name, source name and aliases become kept's aliases."""
    other.aliases.update(organization=kept)
    for name in {other.name, other.source_name} - {"", kept.name}:
        OrganizationAlias.objects.update_or_create(name=name, defaults={"organization": kept})
