import ipaddress

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.db.models import Count
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from reversion.admin import VersionAdmin

from . import history
from .history import version_diffs
from .models import (
    COMPLETENESS_CHECKS,
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
from .views import database_is_busy

BUSY_MESSAGE = "The catalogue is busy, please save again."


def signin_username(request, credentials) -> str:
    """The name a sign-in counts against: the one Django authenticates (stripped, NFKC)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return UsernameField().to_python(raw)


def client_address(request) -> str:
    """The client's address: from the trusted proxy's header when configured, else the socket's."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.CLIENT_IP_HEADER:
        return remote
    # A proxy appends the address it saw: the last entry is the one a client cannot forge.
    forwarded = request.META.get(settings.CLIENT_IP_HEADER, "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote


class CatalogueForm(forms.ModelForm):
    """An admin form that refuses to save, saying why, when the database was too busy."""

    catalogue_busy = False

    def clean(self):
        if self.catalogue_busy:
            raise ValidationError(BUSY_MESSAGE, code="busy")
        return super().clean()


class CatalogueAdmin(admin.ModelAdmin):
    """A save that cannot get SQLite's write lock in time shows the form again, not a 500."""

    form = CatalogueForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OperationalError as exc:
            if not database_is_busy(exc):
                raise
        # The save's transaction was rolled back whole; show the posted form outside any
        # transaction (reads never wait in WAL mode), with the busy message and no write.
        request.catalogue_busy = True
        return self._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.catalogue_busy = getattr(request, "catalogue_busy", False)  # a class made per call
        return form


class HistoryAdmin(VersionAdmin):
    """Reversion's history, with each revision's field differences; put after CatalogueAdmin
    (`class X(CatalogueAdmin, HistoryAdmin)`) so a busy database is handled around the save."""

    object_history_template = "admin/cases/object_history.html"
    history_latest_first = True

    # Reversion opens its revision, a write transaction, around whole views (the list too);
    # here it opens in changeform_view, inside CatalogueAdmin's handling of a busy database.
    def add_view(self, request, form_url="", extra_context=None):
        return admin.ModelAdmin.add_view(self, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin.ModelAdmin.change_view(self, request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        context = {"has_change_permission": self.has_change_permission(request)}
        return admin.ModelAdmin.changelist_view(self, request, context | (extra_context or {}))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Nested in a revert's revision, this one joins it (reversion saves the outermost).
        with self.create_revision(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            return super().history_view(request, object_id, extra_context)
        name = f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_revision"
        entries = [
            {
                "revision": entry.revision,
                "changes": entry.changes,
                "first": entry.first,
                "url": reverse(name, args=[quote(obj.pk), entry.version.pk]),
            }
            for entry in version_diffs(obj)
        ]
        context = {"action_list": entries, **(extra_context or {})}
        return super().history_view(request, object_id, context)


def _remember_edits(obj, changed: list[str], facts) -> None:
    """Note which imported facts an editor changed, so a re-import spares them."""
    edited = set(obj.edited_fields) | (set(changed) & set(facts))
    obj.edited_fields = sorted(edited)


def contact_label(contact: Contact) -> str:
    """A contact named with its organization ("Ms. Ana Ruiz — Cooperativa Labcoop"), so an
    editor choosing the contact of a case's organization sees whose contact it is."""
    return f"{contact} — {contact.organization.name}"


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return contact_label(obj)


class ContactAutocompleteView(AutocompleteJsonView):
    """The contacts the inline offers, with their organization: named, and its id for
    admin-inline.js, which flags a contact of another organization as soon as it is chosen."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        return {**result, "text": contact_label(obj), "organization": str(obj.organization_id)}


class ContactAutocomplete(AutocompleteSelect):
    url_name = "%s:cases_contact_autocomplete"


class CaseOrganizationInline(admin.TabularInline):
    model = CaseOrganization
    extra = 0
    autocomplete_fields = ["organization", "contact"]
    fields = ["position", "organization", "contact"]
    ordering = ["position"]

    class Media:
        js = ["admin/js/jquery.init.js", "js/admin-inline.js"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contact":
            kwargs["widget"] = ContactAutocomplete(db_field, self.admin_site)
            kwargs["form_class"] = ContactChoiceField
            kwargs["queryset"] = Contact.objects.select_related("organization")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _set_status(request, queryset, status) -> int:
    """Set the status of the selected cases, with a history entry for each one that changed."""
    changing = list(queryset.exclude(status=status).values_list("pk", flat=True))
    count = Case.objects.filter(pk__in=changing).update(status=status, updated_at=timezone.now())
    if count:
        CatalogueState.objects.bump()  # update() sends no signal
        label = Case.Status(status).label
        history.record_import(Case.objects.filter(pk__in=changing), label, user=request.user)
    return count


@admin.action(description="Publish the selected cases")
def publish(modeladmin, request, queryset):
    count = _set_status(request, queryset, Case.Status.PUBLISHED)
    modeladmin.message_user(request, f"Published {count} case(s).", messages.SUCCESS)


@admin.action(description="Unpublish the selected cases (back to draft)")
def unpublish(modeladmin, request, queryset):
    count = _set_status(request, queryset, Case.Status.DRAFT)
    modeladmin.message_user(request, f"Moved {count} case(s) back to draft.", messages.SUCCESS)


class CaseAdminForm(CatalogueForm):
    """Refuses to save over a change someone else saved after this form was opened."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = ["title", "slug", "status", "description", "language", "region", "country"]
        fields += ["city", "themes", "marked_absent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Runs inside the admin's save transaction: the row stays locked (PostgreSQL; on
            # SQLite the IMMEDIATE transaction holds the write lock) until this save commits,
            # so a concurrent save of the same case waits here and then sees the new version.
            saved = Case.objects.select_for_update().filter(pk=self.instance.pk)
            current = saved.values_list("updated_at", flat=True).first()
            if current and cleaned.get("loaded_version") != current.isoformat():
                raise ValidationError(
                    "Someone else saved this case after you opened it "
                    f"(at {timezone.localtime(current):%Y-%m-%d %H:%M:%S}). "
                    "Your changes were not saved: open the case again to see theirs, "
                    "then make your changes once more.",
                    code="stale",
                )
        return cleaned


class CompletenessFilter(admin.SimpleListFilter):
    """Cases missing at least one of COMPLETENESS_CHECKS, or none (needs `with_completeness`)."""

    title = "completeness"
    parameter_name = "completeness"

    def lookups(self, request, model_admin):
        return [("incomplete", "Incomplete"), ("complete", "Complete")]

    def queryset(self, request, queryset):
        if self.value() == "incomplete":
            return queryset.filter(completeness__lt=len(COMPLETENESS_CHECKS))
        if self.value() == "complete":
            return queryset.filter(completeness=len(COMPLETENESS_CHECKS))
        return queryset


@admin.register(Case)
class CaseAdmin(CatalogueAdmin, HistoryAdmin):
    form = CaseAdminForm
    list_display = ["title", "status", "region", "country", "city", "completeness"]
    list_display += ["marked_absent", "updated_at"]
    list_filter = ["status", CompletenessFilter, "themes", "region", "organizations__kind"]
    list_filter += ["marked_absent"]
    search_fields = [
        "title",
        "description",
        "organizations__name",
        "caseorganization__contact__name",
    ]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["region"]
    filter_horizontal = ["themes"]
    inlines = [CaseOrganizationInline]
    actions = [publish, unpublish]
    date_hierarchy = "updated_at"
    list_per_page = 50
    readonly_fields = ["source_file", "source_line", "created_at", "updated_at", "checklist"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "status", "description", "language", "loaded_version"]},
        ),
        ("Where and what", {"fields": ["region", "country", "city", "themes", "marked_absent"]}),
        ("Completeness", {"fields": ["checklist"]}),
        ("Source", {"fields": ["source_file", "source_line", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_completeness()

    @admin.display(description="Completeness", ordering="completeness")
    def completeness(self, case):
        total = len(COMPLETENESS_CHECKS)
        return "complete" if case.completeness == total else f"{case.completeness}/{total}"

    @admin.display(description="Checklist")
    def checklist(self, case):
        """What the saved case has (✓) and lacks (✗), from COMPLETENESS_CHECKS."""
        if case.pk is None:
            return "Shown once the case is saved."
        saved = Case.objects.for_listing().get(pk=case.pk)
        lines = [
            ("✓", check.label, "") if passed else ("✗", check.label, " (missing)")
            for check, passed in saved.completeness_checklist()
        ]
        return format_html_join(mark_safe("<br>"), "{} {}{}", lines)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == Case.Status.PUBLISHED:
            readonly.append("slug")  # a published URL stays stable
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.status == Case.Status.PUBLISHED:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            _remember_edits(obj, form.changed_data, Case.FACTS)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        if change and any(formset.has_changed() for formset in formsets):
            _remember_edits(case, ["organizations"], Case.FACTS)
            Case.objects.filter(pk=case.pk).update(edited_fields=case.edited_fields)
        Case.objects.filter(pk=case.pk).refresh_search_text()


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0
    fields = ["honorific", "name", "role", "email"]


@admin.register(Organization)
class OrganizationAdmin(CatalogueAdmin, HistoryAdmin):
    list_display = ["name", "kind", "country", "case_count"]
    ordering = ["name"]  # explicit: a count annotation drops Meta.ordering (autocomplete pages)
    list_filter = ["kind", "country"]
    search_fields = ["name", "contacts__name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "country", "website"]
    inlines = [ContactInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("caseorganization"))

    @admin.display(description="Cases", ordering="case_count")
    def case_count(self, obj):
        return obj.case_count

    def save_model(self, request, obj, form, change):
        if change:
            _remember_edits(obj, form.changed_data, ["name", "kind", "country", "website"])
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.instance.pk and inline_form.has_changed():
                facts = ["name", "honorific", "role"]
                _remember_edits(inline_form.instance, inline_form.changed_data, facts)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Case.objects.filter(organizations=form.instance).refresh_search_text()


@admin.register(Contact)
class ContactAdmin(CatalogueAdmin, HistoryAdmin):
    list_display = ["name", "honorific", "role", "organization"]
    list_filter = ["organization__kind"]
    search_fields = ["name", "role", "organization__name"]
    autocomplete_fields = ["organization"]
    fields = ["organization", "honorific", "name", "role", "email"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    def get_urls(self):
        autocomplete = ContactAutocompleteView.as_view(admin_site=self.admin_site)
        view = self.admin_site.admin_view(autocomplete)
        return [path("autocomplete/", view, name="cases_contact_autocomplete"), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        if change:
            _remember_edits(obj, form.changed_data, ["name", "honorific", "role"])
        super().save_model(request, obj, form, change)
        Case.objects.filter(caseorganization__contact=obj).refresh_search_text()


@admin.register(Theme)
class ThemeAdmin(CatalogueAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]


@admin.register(Region)
class RegionAdmin(CatalogueAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug"]


class CollectionCaseInline(admin.TabularInline):
    model = CollectionCase
    extra = 1
    autocomplete_fields = ["case"]
    fields = ["position", "case"]
    ordering = ["position"]


@admin.register(Collection)
class CollectionAdmin(CatalogueAdmin):
    list_display = ["title", "case_count", "published_count", "updated_at"]
    ordering = ["title"]  # explicit: a count annotation drops Meta.ordering
    search_fields = ["title", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "introduction"]
    inlines = [CollectionCaseInline]

    def get_queryset(self, request):
        counted = super().get_queryset(request).with_case_counts()
        return counted.annotate(all_count=Count("collectioncase"))

    @admin.display(description="Cases", ordering="all_count")
    def case_count(self, collection):
        return collection.all_count

    @admin.display(description="Published", ordering="case_count")
    def published_count(self, collection):
        return collection.case_count


admin.site.site_header = "SSE case-study catalogue"
admin.site.site_title = "SSE catalogue admin"
admin.site.index_title = "Editing"
