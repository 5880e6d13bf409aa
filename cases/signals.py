"""Bump the catalogue version on every write, whichever path it takes (admin, shell, import).

This is the one use of signals: cache invalidation must not depend on each caller
remembering it. Bulk writes send no signals, so the importer and generator bump explicitly.
Every write bumps the staff version; the public one moves only when visitors could see the
row before or after the write, and when that is not known, it moves too.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .models import (
    Case,
    CaseOrganization,
    CatalogueState,
    Collection,
    CollectionCase,
    Contact,
    Organization,
    Region,
    Theme,
)

WATCHED = (Case, CaseOrganization, Contact, Organization, Region, Theme, Collection, CollectionCase)
PUBLISHED = Case.Status.PUBLISHED


def _shown_to_visitors(instance) -> bool:
    """Whether visitors see this row, before or after the write (themes, regions and
    collections: always)."""
    if isinstance(instance, Case):
        return instance.status == PUBLISHED or getattr(instance, "_was_published", True)
    if isinstance(instance, CaseOrganization | CollectionCase):
        return Case.objects.filter(pk=instance.case_id, status=PUBLISHED).exists()
    if isinstance(instance, Organization | Contact):
        # Contacts show only on their organization's published cases.
        org = instance.pk if isinstance(instance, Organization) else instance.organization_id
        links = CaseOrganization.objects.filter(organization=org, case__status=PUBLISHED)
        return links.exists()
    return True


def _note_published(sender, instance, raw=False, **kwargs):
    # Unpublishing or deleting a published case hides it from visitors: a public change too.
    if not raw and instance.status != PUBLISHED:
        stored = Case.objects.filter(pk=instance.pk, status=PUBLISHED)
        instance._was_published = not instance._state.adding and stored.exists()


def _bump(sender, instance, raw=False, **kwargs):
    if not raw:
        CatalogueState.objects.bump(public=_shown_to_visitors(instance))


def _bump_on_m2m(sender, instance, action, reverse, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        # A theme's or a collection's cases: not worth sorting out.
        public = not isinstance(instance, Case) or instance.status == PUBLISHED
        CatalogueState.objects.bump(public=public)


def connect() -> None:
    pre_save.connect(_note_published, sender=Case, dispatch_uid="note-published-save")
    pre_delete.connect(_note_published, sender=Case, dispatch_uid="note-published-delete")
    for model in WATCHED:
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"bump-delete-{model.__name__}")
    m2m_changed.connect(_bump_on_m2m, sender=Case.themes.through, dispatch_uid="bump-themes")
    m2m_changed.connect(
        _bump_on_m2m, sender=Collection.cases.through, dispatch_uid="bump-collections"
    )
