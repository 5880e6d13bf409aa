"""The editorial overlay: facts the seed text does not state, read from TOML and checked.

One form per table says which facts an entry may state and what each must be; errors
name FILE:LINE of the entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django_countries import countries

from . import seed
from .models import Case, Organization, Theme


def length_error(model_field, value: str, label: str = "") -> str | None:
    """Why value does not fit the model field that will hold it, or None if it does."""
    limit = model_field.max_length
    if limit is not None and len(value) > limit:
        return f"{label}{model_field.verbose_name} has {len(value):,} characters; at most {limit:,}"
    return None


# --- The fields of an entry's facts ---


def _string(value, label: str) -> str:
    """value if it is a string: TOML numbers, dates and lists are not read as text."""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be a string", code="invalid")
    return value


class _Shared:
    """A field that keeps no state per form, so every form may share it: a form per entry
    would otherwise deep-copy ~250 country choices each time."""

    def __deepcopy__(self, memo):
        return self


class TextField(_Shared, forms.CharField):
    """A string, stripped, that fits the model field it fills (named after it in errors)."""

    def __init__(self, model_field, **kwargs):
        super().__init__(label=model_field.verbose_name, required=False, **kwargs)
        self.model_field = model_field

    def to_python(self, value):
        return super().to_python(_string(value, self.label))

    def validate(self, value):
        super().validate(value)
        if message := length_error(self.model_field, value):
            raise ValidationError(message, code="max_length")


def spellings(names: Iterable[str]) -> dict[str, str]:
    """Each name by the ways the overlay may write it: in any case, or as its slug."""
    return {spelling: name for name in names for spelling in (name.casefold(), slugify(name))}


class _Spellings(_Shared):
    """A name of a fixed vocabulary, in any case or as its slug; cleans to the name itself."""

    def __init__(self, names: Iterable[str], **kwargs):
        self.names = spellings(names)
        super().__init__(coerce=self.name_of, **kwargs)

    def valid_value(self, value) -> bool:
        return value.casefold() in self.names

    def name_of(self, value: str) -> str:
        return self.names[value.casefold()]


class NameField(_Spellings, forms.TypedChoiceField):
    def to_python(self, value):
        return _string(value, self.label).strip()


class NameListField(_Spellings, forms.TypedMultipleChoiceField):
    def to_python(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(f"{self.label} must be a list of strings", code="invalid_list")
        return [item.strip() for item in value]


def _unknown(what: str) -> dict[str, str]:
    return {"invalid_choice": f"unknown {what} “%(value)s”", "required": f"{what} is empty"}


def _country_field() -> NameField:
    """An ISO 3166-1 alpha-2 code, in any case; empty for no country."""
    return NameField(
        [code for code, _ in countries],
        label="country",
        required=False,
        error_messages={"invalid_choice": "unknown country code “%(value)s” (ISO 3166-1)"},
    )


class FactsForm(forms.Form):
    """The facts of one entry: only those it states are checked, and cleaned_data holds them."""

    def __init__(self, facts: dict):
        super().__init__(data=facts)
        self.fields = {name: f for name, f in self.fields.items() if name in facts}

    def first_error(self) -> str:
        """The message of the first fact that is wrong, in the order the form declares them."""
        return next(iter(self.errors.values()))[0]


class ThemeFactsForm(FactsForm):
    description = TextField(Theme._meta.get_field("description"))


class CaseFactsForm(FactsForm):
    themes = NameListField(
        seed.THEMES, label="themes", required=False, error_messages=_unknown("theme")
    )
    region = NameField(seed.REGIONS, label="region", error_messages=_unknown("region"))
    country = _country_field()
    city = TextField(Case._meta.get_field("city"))


class OrganizationFactsForm(FactsForm):
    country = _country_field()
    website = TextField(Organization._meta.get_field("website"))


FORMS: dict[str, type[FactsForm]] = {
    "themes": ThemeFactsForm,
    "cases": CaseFactsForm,
    "organizations": OrganizationFactsForm,
}
THEME_NAMES = spellings(seed.THEMES)


# --- Reading the file ---


@dataclass
class Editorial:
    """Checked facts the seed text does not state, keyed by case title and organization name."""

    source: str = ""
    themes: dict[str, dict] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    organizations: dict[str, dict] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)

    def error(self, table: str, key: str, message: str) -> seed.SeedError:
        """A SeedError at the line of the entry [table.key]."""
        return seed.SeedError(self.source, self.lines.get((table, key)), message)


_TOML_POSITION_RE = re.compile(
    r"(?P<message>.*?)(?: \((?:at line (?P<where>\d+), column \d+|at end of document)\))?$",
    re.DOTALL,
)
# A TOML key: bare, "basic" (with escapes) or 'literal'; dotted keys join them with dots.
_KEY = r"""[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""
_DOTTED_KEY = rf"(?:{_KEY})(?:[ \t]*\.[ \t]*(?:{_KEY}))*"
_HEADER_RE = re.compile(rf"[ \t]*\[(?!\[)[ \t]*(?P<key>{_DOTTED_KEY})[ \t]*\]")
_ASSIGNMENT_RE = re.compile(rf"[ \t]*(?P<key>{_DOTTED_KEY})[ \t]*=")
_KEY_PART_RE = re.compile(_KEY)


_ESCAPE_RE = re.compile(r"\\(U[0-9A-Fa-f]{8}|u[0-9A-Fa-f]{4}|.)")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"'}
_ESCAPES["\\"] = "\\"


def _unescape(match: re.Match) -> str:
    code = match[1]
    return chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else _ESCAPES.get(code, code)


def _key_path(dotted: str) -> tuple[str, ...]:
    """The parts of a TOML dotted key, with quotes and escapes resolved (tomllib has already
    read the file, so every escape here is a valid one)."""
    path = []
    for part in _KEY_PART_RE.findall(dotted):
        if part[0] == '"':
            part = _ESCAPE_RE.sub(_unescape, part[1:-1])
        elif part[0] == "'":
            part = part[1:-1]
        path.append(part)
    return tuple(path)


def _entry_lines(lines: Iterable[str]) -> dict[tuple[str, str], int]:
    """The line where each entry (`[cases."Title"]` or a key under `[cases]`) first appears.

    One pass over the lines; tomllib reads the values but does not say where they were.
    """
    found: dict[tuple[str, str], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(lines, 1):
        if header := _HEADER_RE.match(line):
            table = path = _key_path(header["key"])
        elif len(table) < 2 and (assignment := _ASSIGNMENT_RE.match(line)):
            # Under [cases."Title"] a key is a fact; only under [cases] or at the top is it
            # an entry (`"Title" = {…}`, `cases."Title".city = …`).
            path = table + _key_path(assignment["key"])
        else:
            continue
        if len(path) >= 2:
            found.setdefault(path[:2], number)
    return found


def _read_toml(text: str, source: str) -> dict:
    """The TOML the text holds; errors name FILE:LINE."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError holds only a message ending in its position.
        message, where = _TOML_POSITION_RE.match(str(exc)).group("message", "where")
        line = int(where) if where else (len(text.splitlines()) or None)
        raise seed.SeedError(source, line, f"not valid TOML: {message}") from exc


def load_editorial(path: str | Path) -> Editorial:
    """Read and check an editorial TOML file; errors name FILE:LINE."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise seed.SeedError(str(path), None, f"cannot read the file ({exc.strerror})") from exc
    return parse_editorial(seed.decode(data, str(path)), str(path))


def parse_editorial(text: str, source: str) -> Editorial:
    """Check editorial TOML text read from source (a file name, for errors at FILE:LINE)."""
    # A leading byte-order mark (as some Windows editors write) is dropped, as in seed text.
    text = text.removeprefix("\ufeff")
    data = _read_toml(text, source)
    lines = _entry_lines(text.split("\n"))  # TOML lines end in LF (or CRLF)
    editorial = Editorial(source=source, lines=lines)
    unknown_tables = set(data) - set(FORMS)
    if unknown_tables:
        expected = ", ".join(f"[{table}.…]" for table in FORMS)
        raise seed.SeedError(
            source, None, f"unknown table [{sorted(unknown_tables)[0]}]: expected {expected}"
        )
    for table in FORMS:
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise seed.SeedError(source, None, f"“{table}” must be a table")
        for key, facts in entries.items():
            getattr(editorial, table)[key] = _checked_facts(editorial, table, key, facts)
    editorial.themes = {_theme_name(editorial, key): f for key, f in editorial.themes.items()}
    return editorial


def _checked_facts(editorial: Editorial, table: str, key: str, facts) -> dict:
    """The cleaned facts of the entry [table.key], checked by the table's form."""
    if not isinstance(facts, dict):
        raise editorial.error(table, key, f"[{table}.“{key}”] must be a table of facts")
    form_class = FORMS[table]
    unknown = set(facts) - set(form_class.base_fields)
    if unknown:
        raise editorial.error(
            table,
            key,
            f"unknown fact “{sorted(unknown)[0]}” for “{key}”: "
            f"expected {', '.join(sorted(form_class.base_fields))}",
        )
    form = form_class(facts)
    if not form.is_valid():
        raise editorial.error(table, key, form.first_error())
    return form.cleaned_data


def _theme_name(editorial: Editorial, key: str) -> str:
    """The theme an entry of [themes] names, by name or slug."""
    name = THEME_NAMES.get(key.casefold())
    if name is None:
        raise editorial.error("themes", key, f"unknown theme “{key}”")
    return name
