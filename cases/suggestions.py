"""Suggestions from the public: the form at /suggest/ and the draft case it creates.

The form only shows fields; what a suggestion may hold is checked by the importer's rules
(`merge_text` for lengths and organizations, `CaseFactsForm` for themes, region, country
and city, the seed grammar for a description), and its rows are made by the importer's row
functions. A suggestion never changes a row that exists: an organization or contact already
in the catalogue is linked as it is.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import history, seed
from .editorial import CaseFactsForm
from .importer import (
    CaseRecord,
    Catalogue,
    case_row,
    contact_row,
    merge_text,
    organization_row,
    search_fields,
    vocabulary_row,
)
from .models import (
    Case,
    CaseOrganization,
    Contact,
    Organization,
    Region,
    Suggestion,
    Theme,
    unique_slug,
)

SALT = "cases.suggestions"
SOURCE = "suggestion"
MAX_ORGANIZATIONS = 5
# The database takes a description of any length; a suggestion is a summary, not a report.
MAX_DESCRIPTION_LENGTH = 5000
# A form kept open longer than this is sent again with a fresh start (a day, in seconds).
FORM_MAX_AGE = 24 * 60 * 60
CASE_FACTS = ("themes", "region", "country", "city")
BLANK = [("", "—")]

one_line = RegexValidator(
    r"[\r\n\x0b\x0c\x85\u2028\u2029]", _("Write this on one line."), inverse_match=True
)


class TooManySuggestions(Exception):
    """The client address sent SUGGESTIONS_PER_HOUR suggestions within the last hour."""


def address_hash(address: str) -> str:
    """A keyed hash of a client address: the same for the same address, and tells nothing."""
    return salted_hmac(SALT, address, algorithm="sha256").hexdigest()


def _limit(model, name: str) -> int:
    """The length the database holds for a field: the one place that limit lives."""
    return model._meta.get_field(name).max_length


def _text(label, model, name: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=_limit(model, name), **kwargs)


class OrganizationForm(forms.Form):
    """One organization of a suggestion, with its contact; an empty row is ignored."""

    name = _text(_("Organization"), Organization, "name", required=False, validators=[one_line])
    kind = forms.ChoiceField(
        label=_("Kind"), choices=BLANK + Organization.Kind.choices, required=False
    )
    honorific = forms.ChoiceField(
        label=_("Honorific"), choices=BLANK + Contact.Honorific.choices, required=False
    )
    contact = _text(_("Contact person"), Contact, "name", required=False, validators=[one_line])
    role = _text(_("Their role"), Contact, "role", required=False, validators=[one_line])
    email = forms.EmailField(
        label=_("Their e-mail"),
        max_length=_limit(Contact, "email"),
        required=False,
        help_text=_("Private: only the editors see it."),
    )

    def clean(self):
        data = super().clean()
        person = [data.get(name) for name in ("honorific", "role", "email")]
        if data.get("name") and not data.get("kind"):
            self.add_error("kind", _("Choose the kind of this organization."))
        if not data.get("name") and (data.get("kind") or data.get("contact") or any(person)):
            self.add_error("name", _("Name the organization."))
        if any(person) and not data.get("contact"):
            self.add_error("contact", _("Name the contact person."))
        return data

    def as_seed(self, line: int) -> seed.Organization | None:
        """The organization as seed text would state it; None for an empty row."""
        data = self.cleaned_data
        if not data.get("name"):
            return None
        contact = None
        if data["contact"]:
            contact = seed.Contact(data["honorific"], data["contact"], data["role"], line, line)
        return seed.Organization(data["name"], data["kind"], line, contact)


OrganizationFormSet = forms.formset_factory(
    OrganizationForm,
    extra=MAX_ORGANIZATIONS,
    max_num=MAX_ORGANIZATIONS,
    absolute_max=MAX_ORGANIZATIONS,
    validate_max=True,
)


class SuggestionForm(forms.Form):
    """A case suggested by the public, its organizations (a formset) and who suggests it."""

    title = _text(_("Title"), Case, "title", validators=[one_line])
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_DESCRIPTION_LENGTH,
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=BLANK + [(n, _(n)) for n in seed.REGIONS], required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=lambda: BLANK + list(countries), required=False
    )
    city = _text(_("City"), Case, "city", required=False, validators=[one_line])
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=[(name, _(name)) for name in seed.THEMES],  # see VOCABULARY_NAMES
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    your_name = _text(_("Your name"), Suggestion, "name", validators=[one_line])
    your_email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=_limit(Suggestion, "email"),
        help_text=_("Only the editors see it, if they have a question about your suggestion."),
    )
    # The honeypot: hidden from people by the style sheet, filled in by robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["description"].help_text = gettext(
            "What the case is about, in at least %(count)d characters, ending with a full stop."
        ) % {"count": seed.MIN_DESCRIPTION_LENGTH}
        self.organizations = OrganizationFormSet(data, prefix="organizations")
        self.catalogue: Catalogue | None = None

    @property
    def start_token(self) -> str:
        """When this form was first shown, signed: kept while it is valid, so the time spent
        correcting errors counts."""
        posted = self.data.get("started", "")
        try:
            self._check_time(posted)
        except ValidationError as error:
            if error.code != "too_fast":
                return signing.dumps(time.time(), salt=SALT)
        return posted

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.organizations.is_valid()])

    def clean_title(self):
        title = self.cleaned_data["title"]
        if Case.objects.filter(Q(title=title) | Q(source_title=title)).exists():
            raise ValidationError(
                _("A case with this title is already in the catalogue or awaiting review."),
                code="taken",
            )
        return title

    def clean_description(self):
        description = self.cleaned_data["description"]
        if not seed.is_description(description):
            raise ValidationError(
                _(
                    "Write at least %(count)d characters, ending with “.”, “!” or “?”: "
                    "this one has %(length)d."
                ),
                code="description",
                params={"count": seed.MIN_DESCRIPTION_LENGTH, "length": len(description)},
            )
        return description

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError(
                _(
                    "The field “Leave this field empty” was filled in, as robots do: "
                    "nothing was saved."
                ),
                code="honeypot",
            )
        self._check_time(data.get("started", ""))
        if not self.errors and self.organizations.is_valid():
            self.catalogue = self._catalogue(data)
        return data

    @staticmethod
    def _check_time(token: str) -> None:
        """Refuse a form sent sooner after it was shown than a person could fill it in."""
        try:
            elapsed = time.time() - float(signing.loads(token, salt=SALT))
        except (signing.BadSignature, TypeError, ValueError):
            message = _("This form could not be read: please check it and send it again.")
            raise ValidationError(message, code="bad_start") from None
        if elapsed > FORM_MAX_AGE:
            message = _("This form was opened too long ago: please check it and send it again.")
            raise ValidationError(message, code="expired")
        if elapsed < settings.SUGGESTION_MIN_SECONDS:
            message = _(
                "This form was sent too quickly after it was opened, as robots do: nothing was "
                "saved. Please check it and send it again."
            )
            raise ValidationError(message, code="too_fast")

    def _catalogue(self, data: dict) -> Catalogue:
        """The suggestion as the importer's catalogue of one draft case, checked by its rules."""
        rows = [form.as_seed(line) for line, form in enumerate(self.organizations, 3)]
        case = seed.Case(
            data["title"], data["description"], SOURCE, 1, organizations=tuple(filter(None, rows))
        )
        try:
            catalogue = merge_text([seed.SeedFile(SOURCE, cases=(case,))])
        except seed.SeedError as exc:
            raise ValidationError(exc.message, code="importer") from exc
        facts = CaseFactsForm({name: data[name] for name in CASE_FACTS if data.get(name)})
        if not facts.is_valid():
            raise ValidationError(facts.first_error(), code="facts")
        record = catalogue.cases[case.title]
        record.facts, record.source_facts = facts.cleaned_data, []
        record.source_file, record.source_line = "", None
        record.status = Case.Status.DRAFT
        return catalogue

    def contact_emails(self) -> dict[str, str]:
        """The e-mail given for each organization's contact, by organization name."""
        rows = [form.cleaned_data for form in self.organizations]
        return {row["name"]: row["email"] for row in rows if row.get("name") and row["email"]}


def save_suggestion(form: SuggestionForm, address: str) -> Case:
    """Create the valid form's draft case, its new organizations and contacts and its
    Suggestion in one transaction; TooManySuggestions when the address has had its share."""
    hashed = address_hash(address)
    with transaction.atomic():
        if Suggestion.objects.recent_from(hashed).count() >= settings.SUGGESTIONS_PER_HOUR:
            raise TooManySuggestions
        case = _write_case(form.catalogue, form.contact_emails())
        name = form.cleaned_data["your_name"]
        Suggestion.objects.create(
            case=case, name=name, email=form.cleaned_data["your_email"], address_hash=hashed
        )
        history.record_import([case], f"Suggested on the public form by {name}")
    return case


def _taken(model):
    return lambda slug: model.objects.filter(slug=slug).exists()


def _write_case(catalogue: Catalogue, emails: dict[str, str]) -> Case:
    """The catalogue's one case, as a draft, linked to its organizations and contacts."""
    (record,) = catalogue.cases.values()
    links = []
    for name, contact_name in record.links:
        org_record = catalogue.organizations[name]
        organization = _organization(org_record)
        contact = None
        if contact_name:
            contact = _contact(organization, org_record.contacts[contact_name], emails.get(name))
        links.append((organization, contact))
    case = Case.objects.create(
        slug=unique_slug(record.title, _taken(Case)),
        status=record.status,
        **case_row(record, _regions(record)),
        **search_fields(record, [(org.name, contact) for org, contact in links]),
    )
    case.themes.set([_vocabulary(Theme, name) for name in record.facts.get("themes", [])])
    CaseOrganization.objects.bulk_create(
        CaseOrganization(case=case, organization=org, contact=contact, position=position)
        for position, (org, contact) in enumerate(links)
    )
    return case


def _vocabulary(model, name: str):
    return model.objects.get_or_create(name=name, defaults=vocabulary_row(name, {}))[0]


def _regions(record: CaseRecord) -> dict[str, Region]:
    region = record.facts.get("region")
    return {region: _vocabulary(Region, region)} if region else {}


def _organization(record) -> Organization:
    """The organization of that name (as the importer finds it), else a new one."""
    found = Organization.objects.filter(source_name=record.name).first()
    found = found or Organization.objects.filter(name=record.name).first()
    if found:
        return found
    slug = unique_slug(record.name, _taken(Organization))
    return Organization.objects.create(slug=slug, **organization_row(record))


def _contact(organization: Organization, record, email: str | None) -> Contact:
    """The organization's contact of that name, as it is, else a new one with the e-mail."""
    named = Q(name=record.name) | Q(source_name=record.name)
    found = organization.contacts.filter(named).first()
    if found:
        return found
    return Contact.objects.create(
        organization=organization, email=email or "", **contact_row(record)
    )
