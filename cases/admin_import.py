"""The admin's "Import seed text": upload, preview (a dry run), confirm (the very same import).

Nothing uploaded is kept after the request. The preview page carries the texts themselves,
compressed and signed, with the catalogue version the dry run read: confirming imports
exactly those texts, and only while the catalogue is still at that version (checked inside
the import's transaction), else the fresh preview is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import seed
from .importer import (
    Catalogue,
    CatalogueChanged,
    ImportFailed,
    ImportReport,
    import_label,
    read_catalogue,
    write_catalogue,
)

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_FILES = 20
PREVIEW_MAX_AGE = 60 * 60  # seconds an editor has to confirm a preview
SALT = "cases.admin_import.preview"
SHOWN_UPDATES = 100  # per entity; the rest are counted
# The entities a preview lists, in the order an editor reads them.
ENTITIES = [
    ("cases", "Cases"),
    ("organizations", "Organizations"),
    ("contacts", "Contacts"),
    ("themes", "Themes"),
    ("regions", "Regions"),
]


@dataclass
class Upload:
    """What an editor uploaded: seed texts and an optional editorial overlay, each (file
    name, text), and whether new cases are published."""

    texts: list[tuple[str, str]]
    editorial: tuple[str, str] | None
    publish: bool

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.texts] + ([self.editorial[0]] if self.editorial else [])

    def catalogue(self) -> Catalogue:
        return read_catalogue(self.texts, self.editorial)

    def sign(self, version: str) -> str:
        """The upload and the catalogue version its preview read, compressed and signed."""
        data = {"texts": self.texts, "editorial": self.editorial, "publish": self.publish}
        return signing.dumps({**data, "version": version}, salt=SALT, compress=True)

    @classmethod
    def unsign(cls, token: str) -> tuple[Upload, str]:
        """The upload and version of a signed preview; BadSignature if altered or expired."""
        data = signing.loads(token, salt=SALT, max_age=PREVIEW_MAX_AGE)
        editorial = tuple(data["editorial"]) if data["editorial"] else None
        upload = cls([tuple(text) for text in data["texts"]], editorial, data["publish"])
        return upload, data["version"]


def _read(uploaded) -> tuple[str, str]:
    """(name, text) of an uploaded file: at most MAX_FILE_SIZE, UTF-8."""
    if uploaded.size > MAX_FILE_SIZE:
        raise ValidationError(
            f"{uploaded.name} is {uploaded.size / 1024 / 1024:.1f} MB; "
            f"at most {MAX_FILE_SIZE // 1024 // 1024} MB per file.",
            code="too_large",
        )
    try:
        return uploaded.name, seed.decode(uploaded.read(), uploaded.name)
    except seed.SeedError as exc:
        raise ValidationError(str(exc), code="encoding") from exc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files, as Django's documentation shows it."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label="Seed text files",
        help_text=f"UTF-8 text in the seed format; at most {MAX_FILES} files of 5 MB each.",
    )
    editorial = forms.FileField(
        label="Editorial TOML",
        required=False,
        help_text="Optional: themes, regions, countries and cities the text does not state.",
    )
    publish = forms.BooleanField(
        label="Publish new cases",
        required=False,
        help_text="Otherwise new cases arrive as drafts. Cases already there keep their status.",
    )

    def clean_files(self) -> list[tuple[str, str]]:
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise ValidationError(f"At most {MAX_FILES} files at once.", code="too_many")
        return [_read(uploaded) for uploaded in files]

    def clean_editorial(self) -> tuple[str, str] | None:
        uploaded = self.cleaned_data["editorial"]
        return _read(uploaded) if uploaded else None

    def clean(self):
        """Read the upload as the importer will, so FILE:LINE errors show on the form."""
        cleaned = super().clean()
        if not self.errors:
            self.upload = Upload(cleaned["files"], cleaned["editorial"], cleaned["publish"])
            self.catalogue = _checked(self, self.upload.catalogue)
        return cleaned


def _checked(form: forms.Form, read):
    """What read() returns; a SeedError becomes an error on the field of the file it names."""
    try:
        return read()
    except seed.SeedError as exc:
        editorial = form.cleaned_data.get("editorial")
        field = "editorial" if editorial and exc.path == editorial[0] else "files"
        raise ValidationError({field: str(exc)}) from exc


@dataclass
class Preview:
    """A dry run's report, with the signed upload that confirming it imports."""

    report: ImportReport
    upload: Upload
    signed: str
    stale: bool = False

    def entities(self) -> list[dict]:
        """Per entity: its label, counts and the first SHOWN_UPDATES updates."""
        return [
            {
                "label": label,
                "tally": tally,
                "updates": tally.updates[:SHOWN_UPDATES],
                "more": max(0, len(tally.updates) - SHOWN_UPDATES),
            }
            for key, label in ENTITIES
            for tally in [self.report.tallies[key]]
        ]


def import_view(model_admin, request):
    """The upload form; posted, its preview; a confirmed preview, the import."""
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "preview" in request.POST:
        return _confirm(model_admin, request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        return _preview(model_admin, request, form, form.upload, form.catalogue)
    return _render(model_admin, request, form)


def _preview(model_admin, request, form, upload: Upload, catalogue, stale: bool = False):
    """The dry run of the upload: nothing is written."""
    try:
        report = write_catalogue(catalogue, dry_run=True, draft=not upload.publish)
    except ImportFailed as exc:
        return _render(model_admin, request, form, problem=str(exc))
    signed = upload.sign(report.version)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and len(signed) > limit - 16 * 1024:  # room for the other fields
        problem = (
            f"These files are too large to confirm from a preview ({len(signed):,} bytes "
            "compressed): import them in several parts, or with manage.py import_cases."
        )
        return _render(model_admin, request, form, problem=problem)
    return _render(model_admin, request, form, Preview(report, upload, signed, stale))


def _confirm(model_admin, request):
    """Import a signed preview, unless the catalogue changed since: then preview it afresh."""
    form = ImportForm()
    try:
        upload, version = Upload.unsign(request.POST["preview"])
        catalogue = upload.catalogue()
        report = write_catalogue(
            catalogue,
            draft=not upload.publish,
            label=import_label(upload.names),
            user=request.user,
            expected_version=version,
        )
    except signing.BadSignature:
        problem = "This preview has expired or was altered: upload the files again."
        return _render(model_admin, request, form, problem=problem, status=400)
    except CatalogueChanged:
        return _preview(model_admin, request, form, upload, catalogue, stale=True)
    except (seed.SeedError, ImportFailed) as exc:
        return _render(model_admin, request, form, problem=str(exc))
    counts = "; ".join(
        f"{label.lower()}: created {t.created}, updated {t.updated}, unchanged {t.unchanged}"
        for key, label in ENTITIES[:3]
        for t in [report.tallies[key]]
    )
    model_admin.message_user(
        request, f"Imported {', '.join(upload.names)}. {counts}.", messages.SUCCESS
    )
    return redirect("admin:cases_case_changelist")


def _render(
    model_admin,
    request,
    form: ImportForm,
    preview: Preview | None = None,
    problem: str = "",
    status: int = 200,
):
    """The import page: the upload form, a preview or why there is none."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Preview the import" if preview else "Import seed text",
        "form": form,
        "preview": preview,
        "problem": problem,
    }
    return TemplateResponse(request, "admin/cases/case/import.html", context, status=status)
