"""How to cite a case or the whole catalogue: plain text, BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import slugify

from .caching import absolute_url


@dataclass(frozen=True)
class Citation:
    """What every citation format says about one work of the catalogue."""

    key: str
    title: str
    authors: tuple[str, ...]  # institutional authors, never people
    catalogue: str
    genre: str
    created: date | None
    updated: date
    url: str
    note: str = ""

    @property
    def text(self) -> str:
        """The plain-text citation (the reader adds the date they accessed it)."""
        parts = [f"{'; '.join(self.authors) or self.catalogue} ({self.updated.year})."]
        parts.append(f"{self.title} [{self.genre}].")
        if self.authors:
            parts.append(f"In {self.catalogue}.")
        updated = format_date(self.updated, "j F Y")
        if self.created:
            parts.append(f"Created {format_date(self.created, 'j F Y')}, last updated {updated}.")
        else:
            parts.append(f"Last updated {updated}.")
        if self.note:
            parts.append(self.note)
        return " ".join([*parts, self.url])

    @property
    def dates_note(self) -> str:
        """The dates in ISO form, for the notes of BibTeX and RIS."""
        created = f"Created {self.created.isoformat()}; " if self.created else ""
        return f"{created}last updated {self.updated.isoformat()}"


def _day(moment) -> date:
    return timezone.localtime(moment).date()


def of_case(request, case) -> Citation:
    """A case, its organizations (from `case.links`, in order) as its authors."""
    return Citation(
        key=case.slug,
        title=case.title,
        authors=tuple(link.organization.name for link in case.links),
        catalogue=settings.SITE_TITLE,
        genre="Case study",
        created=_day(case.created_at),
        updated=_day(case.updated_at),
        url=absolute_url(request, case.get_absolute_url()),
    )


def of_catalogue(request, changed_at) -> Citation:
    """The whole data set, as published on /data/ under its licence."""
    return Citation(
        key=slugify(settings.SITE_TITLE),
        title=f"{settings.SITE_TITLE}: case studies of the social and solidarity economy",
        authors=(),
        catalogue=settings.SITE_TITLE,
        genre="Data set",
        created=None,
        updated=_day(changed_at),
        url=absolute_url(request, reverse("data")),
        note=f"Licence: {settings.DATA_LICENSE}.",
    )


# Special to (La)TeX; the other characters stay as they are (UTF-8 BibTeX and biber take them).
_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
    }
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def bibtex_escape(text: str) -> str:
    """Text for a braced BibTeX value: special characters escaped, on one line."""
    return _one_line(text).translate(_BIBTEX_ESCAPES)


def bibtex(citation: Citation) -> str:
    """A BibTeX @misc entry; double braces keep institutional names and the title as written."""
    fields = []
    if citation.authors:
        names = " and ".join(f"{{{bibtex_escape(name)}}}" for name in citation.authors)
        fields.append(("author", names))
    fields += [
        ("title", f"{{{bibtex_escape(citation.title)}}}"),
        ("howpublished", bibtex_escape(citation.catalogue)),
        ("type", bibtex_escape(citation.genre)),
        ("year", str(citation.updated.year)),
        ("date", citation.updated.isoformat()),
        # A URL field is verbatim in biblatex: escaping would corrupt it (slugs need none).
        ("url", citation.url),
        ("note", bibtex_escape(_one_line(f"{citation.dates_note}. {citation.note}"))),
    ]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@misc{{{citation.key},\n{body}}}\n"


def ris(citation: Citation) -> str:
    """An RIS record (CRLF lines, `TAG  - value`), ending with ER."""
    lines = [("TY", "DATA" if citation.genre == "Data set" else "ELEC")]
    lines += [("AU", name) for name in citation.authors]
    lines += [
        ("TI", citation.title),
        ("T2", citation.catalogue),
        ("PB", citation.catalogue),
        ("M3", citation.genre),
        ("PY", str(citation.updated.year)),
        ("DA", citation.updated.strftime("%Y/%m/%d")),
        ("UR", citation.url),
        ("N1", f"{citation.dates_note}. {citation.note}"),
        ("ID", citation.key),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def _csl_date(day: date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_json(citation: Citation) -> str:
    """A CSL-JSON array holding the one item (what Zotero, Pandoc and citeproc read)."""
    item = {
        "id": citation.key,
        "type": "dataset" if citation.genre == "Data set" else "webpage",
        "title": citation.title,
        "author": [{"literal": name} for name in citation.authors],
        "container-title": citation.catalogue,
        "publisher": citation.catalogue,
        "genre": citation.genre,
        "issued": _csl_date(citation.updated),
        "URL": citation.url,
    }
    if citation.created:
        item["available-date"] = _csl_date(citation.created)
    if citation.note:
        item["note"] = citation.note
    return json.dumps([item], indent=1, ensure_ascii=False) + "\n"


# Suffix of the download: (builder, media type).
DOWNLOADS = {
    "bib": (bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (ris, "application/x-research-info-systems; charset=utf-8"),
    "json": (csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
}
