"""Bump the catalogue version on every write, whichever path it takes (admin, shell, import).

This is the one use of signals: cache invalidation must not depend on each caller
remembering it. Bulk writes send no signals, so the importer and generator bump explicitly.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Case, CaseOrganization, CatalogueState, Contact, Organization, Region, Theme

WATCHED = (Case, CaseOrganization, Contact, Organization, Region, Theme)


def _bump(sender, **kwargs):
    if not kwargs.get("raw"):
        CatalogueState.objects.bump()


def _bump_on_m2m(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        CatalogueState.objects.bump()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_bump, sender=model, dispatch_uid=f"bump-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"bump-delete-{model.__name__}")
    m2m_changed.connect(_bump_on_m2m, sender=Case.themes.through, dispatch_uid="bump-themes")
