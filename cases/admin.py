import ipaddress

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from reversion.admin import VersionAdmin

from . import history
from .admin_import import import_view
from .history import version_diffs
from .merging import merge_organizations
from .models import (
    COMPLETENESS_CHECKS,
    Case,
    CaseOrganization,
    CatalogueState,
    Collection,
    CollectionCase,
    Contact,
    Organization,
    OrganizationAlias,
    Region,
    Suggestion,
    Theme,
    name_key,
)
from .views import database_is_busy

BUSY_MESSAGE = "The catalogue is busy, please save again."
BUSY_ACTION_MESSAGE = "The catalogue was busy and nothing was changed: please try again."


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

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except OperationalError as exc:
            if not database_is_busy(exc):
                raise
        # An action (publish, merge…) that could not get the write lock wrote nothing.
        self.message_user(request, BUSY_ACTION_MESSAGE, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.catalogue_busy = getattr(request, "catalogue_busy", False)  # a class made per call
        return form


def change_url(obj) -> str:
    """The admin page editing obj."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


class DuplicateWarningForm(CatalogueForm):
    """Names the likely duplicates of a new or changed name (`name_field`), with links, and
    saves it only once the editor ticks "Save anyway", which appears with the warning."""

    name_field = "name"
    save_anyway = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Save anyway",
        help_text="Tick if this is none of the likely duplicates named above.",
    )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get(self.name_field)
        named = self.instance._state.adding or self.name_field in self.changed_data
        if name and named and not cleaned.get("save_anyway"):
            others = self._meta.model.objects.exclude(pk=self.instance.pk).similar_to(name)
            if others:
                self.fields["save_anyway"].widget = forms.CheckboxInput()
                self.add_error(self.name_field, duplicate_warning(others))
        return cleaned


def duplicate_warning(others) -> ValidationError:
    """The warning naming likely duplicates, each linked (in a new tab: the form stays)."""
    links = format_html_join(
        ", ",
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        ((change_url(other), str(other)) for other in others),
    )
    message = format_html(
        "This looks like a duplicate of {}. Check, then tick “Save anyway” to save it all the "
        "same.",
        links,
    )
    return ValidationError(message, code="duplicate")


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


def _set_status(request, queryset, status, label: str = "") -> int:
    """Set the status of the selected cases, with a history entry for each one that changed."""
    changing = list(queryset.exclude(status=status).values_list("pk", flat=True))
    count = Case.objects.filter(pk__in=changing).update(status=status, updated_at=timezone.now())
    if count:
        CatalogueState.objects.bump()  # update() sends no signal
        label = label or Case.Status(status).label
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


@admin.action(description="Approve the selected suggestions (publish them)", permissions=["change"])
def approve_suggestions(modeladmin, request, queryset):
    ids = list(queryset.filter(suggestion__isnull=False).values_list("pk", flat=True))
    if not ids:
        modeladmin.message_user(
            request, "None of the selected cases is a suggestion.", messages.WARNING
        )
        return
    count = _set_status(
        request,
        Case.objects.filter(pk__in=ids),
        Case.Status.PUBLISHED,
        "Published: suggestion approved",
    )
    # An approval overrides an earlier rejection; the history keeps the rejection's reason.
    Suggestion.objects.filter(case__in=ids).update(
        rejected_at=None, rejection_reason="", reviewed_by=request.user
    )
    modeladmin.message_user(
        request, f"Approved and published {count} suggestion(s).", messages.SUCCESS
    )


class RejectionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=1000,
        help_text="Kept with the suggestion and in the case's history; never shown publicly.",
    )


@admin.action(description="Reject the selected suggestions…", permissions=["change"])
def reject_suggestions(modeladmin, request, queryset):
    """Ask for a reason, then mark the selected suggestions awaiting review rejected: they stay
    drafts, and the reason goes into each one's history."""
    pending = queryset.suggestions("pending")
    if not pending.exists():
        message = "None of the selected cases is a suggestion awaiting review."
        modeladmin.message_user(request, message, messages.WARNING)
        return None
    form = RejectionForm(request.POST if "post" in request.POST else None)
    if not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": "Reject suggestions",
            "opts": modeladmin.model._meta,
            "cases": pending.select_related("suggestion").order_by("title"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cases/case/reject_suggestions.html", context)
    reason = form.cleaned_data["reason"]
    ids = list(pending.values_list("pk", flat=True))
    Suggestion.objects.filter(case__in=ids).update(
        rejected_at=timezone.now(), rejection_reason=reason, reviewed_by=request.user
    )
    label = f"Suggestion rejected: {reason}"
    history.record_import(Case.objects.filter(pk__in=ids), label, user=request.user)
    modeladmin.message_user(request, f"Rejected {len(ids)} suggestion(s).", messages.SUCCESS)
    return None


class CaseAdminForm(DuplicateWarningForm):
    """Refuses to save over a change someone else saved after this form was opened, and
    warns of likely duplicates of its title."""

    name_field = "title"
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


class SuggestionFilter(admin.SimpleListFilter):
    """Cases suggested by the public: those awaiting review are the editors' queue."""

    title = "suggestions"
    parameter_name = "suggestion"

    def lookups(self, request, model_admin):
        return [("pending", "Awaiting review"), ("approved", "Approved"), ("rejected", "Rejected")]

    def queryset(self, request, queryset):
        if self.value() in {"pending", "approved", "rejected"}:
            return queryset.suggestions(self.value())
        return queryset


class SuggestionInline(admin.StackedInline):
    """Who suggested the case, when, and any rejection: read only."""

    model = Suggestion
    can_delete = False
    fields = ["name", "email", "submitted_at", "rejected_at", "rejection_reason", "reviewed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(CatalogueAdmin, HistoryAdmin):
    form = CaseAdminForm
    change_list_template = "admin/cases/case/change_list.html"  # reversion's, with an import
    list_display = ["title", "status", "suggested_by", "region", "country", "city"]
    list_display += ["completeness", "marked_absent", "updated_at"]
    list_select_related = ["region", "suggestion"]
    list_filter = ["status", SuggestionFilter, CompletenessFilter, "themes", "region"]
    list_filter += ["organizations__kind"]
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
    inlines = [CaseOrganizationInline, SuggestionInline]

    def get_inlines(self, request, obj):
        """Who suggested the case shows only on a case that came as a suggestion."""
        if obj is not None and hasattr(obj, "suggestion"):
            return self.inlines
        return [CaseOrganizationInline]

    actions = [publish, unpublish, approve_suggestions, reject_suggestions]
    date_hierarchy = "updated_at"
    list_per_page = 50
    readonly_fields = ["source_file", "source_line", "created_at", "updated_at", "checklist"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "save_anyway",
                    "slug",
                    "status",
                    "description",
                    "language",
                    "loaded_version",
                ]
            },
        ),
        ("Where and what", {"fields": ["region", "country", "city", "themes", "marked_absent"]}),
        ("Completeness", {"fields": ["checklist"]}),
        ("Source", {"fields": ["source_file", "source_line", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_completeness()

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_view(self, request))
        return [path("import/", view, name="cases_case_import"), *super().get_urls()]

    def has_import_permission(self, request) -> bool:
        """Importing seed text adds and changes cases: editors may."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        context = {"has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, context | (extra_context or {}))

    @admin.display(description="Completeness", ordering="completeness")
    def completeness(self, case):
        total = len(COMPLETENESS_CHECKS)
        return "complete" if case.completeness == total else f"{case.completeness}/{total}"

    @admin.display(description="Suggested by", ordering="suggestion__submitted_at")
    def suggested_by(self, case):
        suggestion = getattr(case, "suggestion", None)
        return f"{suggestion.name} ({suggestion.submitted_at:%Y-%m-%d})" if suggestion else ""

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


class OrganizationAliasInline(admin.TabularInline):
    """Former names (of organizations merged into this one) that imports still find."""

    model = OrganizationAlias
    extra = 0
    fields = ["name"]


class OrganizationAdminForm(DuplicateWarningForm):
    """Warns of likely duplicates of the organization's name."""

    class Meta:
        model = Organization
        fields = ["name", "slug", "kind", "country", "website"]


class MergeForm(forms.Form):
    """Which of two organizations a merge keeps."""

    keep = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep",
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {org.pk: org for org in organizations}
        self.fields["keep"].queryset = Organization.objects.filter(pk__in=self.organizations)
        self.fields["keep"].label_from_instance = self.label

    def label(self, organization) -> str:
        counted = self.organizations[organization.pk]
        return f"{counted.name} ({counted.case_count} case(s), {counted.contact_count} contact(s))"

    def merged(self) -> tuple[Organization, Organization]:
        """(kept, the other) as chosen."""
        kept = self.cleaned_data["keep"]
        return kept, next(org for pk, org in self.organizations.items() if pk != kept.pk)


@admin.action(description="Merge the two selected organizations", permissions=["merge"])
def merge_selected(modeladmin, request, queryset):
    """Ask which of two organizations to keep, then merge the other into it."""
    counted = queryset.annotate(contact_count=Count("contacts", distinct=True))
    organizations = list(counted.annotate(case_count=Count("caseorganization", distinct=True)))
    if len(organizations) != 2:
        message = "Select exactly two organizations to merge."
        modeladmin.message_user(request, message, messages.WARNING)
        return None
    data = request.POST if request.POST.get("post") == "yes" else None
    form = MergeForm(data, organizations=organizations)
    if form.is_valid():
        kept, other = form.merged()
        merge_organizations(kept, other, user=request.user)
        message = f"Merged “{other.name}” into “{kept.name}”; its name is kept as an alias."
        modeladmin.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(change_url(kept))
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Merge two organizations",
        "opts": modeladmin.model._meta,
        "organizations": organizations,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/cases/organization/merge.html", context)


@admin.register(Organization)
class OrganizationAdmin(CatalogueAdmin, HistoryAdmin):
    list_display = ["name", "kind", "country", "case_count"]
    ordering = ["name"]  # explicit: a count annotation drops Meta.ordering (autocomplete pages)
    list_filter = ["kind", "country"]
    search_fields = ["name", "contacts__name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    form = OrganizationAdminForm
    fields = ["name", "save_anyway", "slug", "kind", "country", "website"]
    inlines = [ContactInline, OrganizationAliasInline]
    actions = [merge_selected]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("caseorganization"))

    def has_merge_permission(self, request) -> bool:
        """A merge changes one organization and deletes the other."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.display(description="Cases", ordering="case_count")
    def case_count(self, obj):
        return obj.case_count

    def save_model(self, request, obj, form, change):
        if change:
            _remember_edits(obj, form.changed_data, ["name", "kind", "country", "website"])
        obj.name_key = name_key(obj.name)
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
