import json
import re
import string
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, lru_cache
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVectorField, TrigramSimilarity
from django.core.exceptions import FullResultSet, ValidationError
from django.core.validators import RegexValidator
from django.db import connection, connections, models, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Length, Substr
from django.db.models.lookups import GreaterThanOrEqual, In
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop
from django_countries import countries
from django_countries.fields import CountryField
from rapidfuzz.distance import Levenshtein

from . import seed

_NON_WORD_RE = re.compile(r"[\W_]+")
# Accents: the combining diacritical mark blocks, Hebrew points and Arabic harakat.
_MARKS_RE = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0591-\u05c7\u064b-\u065f\u0670]+"
)
# Letters that Unicode does not decompose into a base letter and an accent mark.
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)


def fold(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces: the search form of text."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN_LETTERS))
    return _NON_WORD_RE.sub(" ", _MARKS_RE.sub("", decomposed)).strip()


# Legal forms an organization's name may end with, as folded words (dotted initials joined:
# "S.C.C.L." folds to "sccl"); they say nothing about which organization it is.
LEGAL_FORMS = sorted(
    (
        tuple(form.split())
        for form in [
            "sccl",
            "scl",
            "sa",
            "sl",
            "slu",
            "sal",
            "sau",
            "sll",
            "scoop",
            "s coop",
            "s coop and",
            "coop",
            "co op",
            "ltd",
            "limited",
            "inc",
            "llc",
            "llp",
            "plc",
            "pty",
            "cic",
            "cio",
            "gmbh",
            "ggmbh",
            "eg",
            "ev",
            "ag",
            "sarl",
            "sas",
            "sasu",
            "scop",
            "scic",
            "scrl",
            "srl",
            "spa",
            "onlus",
            "bv",
            "nv",
            "vzw",
            "asbl",
            "ac",
            "cv",
            "sa de cv",
            "co",
            "and co",
        ]
    ),
    key=len,
    reverse=True,
)
_INITIALS_RE = re.compile(r"\b\w(?: \w\b)+")


def name_key(name: str) -> str:
    """An organization's name as duplicates are compared: folded, initials joined, a legal
    form at the end dropped ("Labcoop, S.C.C.L." and "LABCOOP" both give "labcoop")."""
    folded = _INITIALS_RE.sub(lambda initials: initials[0].replace(" ", ""), fold(name))
    words = folded.split()
    for form in LEGAL_FORMS:  # longest first: "s coop" before "coop"
        if len(words) > len(form) and tuple(words[-len(form) :]) == form:
            return " ".join(words[: -len(form)])
    return folded


def trigrams(key: str) -> set[str]:
    """The trigrams pg_trgm takes from folded text: each word padded, two spaces before."""
    padded = [f"  {word} " for word in key.split()]
    return {word[i : i + 3] for word in padded for i in range(len(word) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two folded texts: shared trigrams over all of them."""
    mine, theirs = trigrams(a), trigrams(b)
    shared = len(mine & theirs)
    return shared / (len(mine) + len(theirs) - shared) if shared else 0.0


# What the trigram index narrows candidates to (pg_trgm's default threshold for `%`), and
# the similarity, or else number of typos for a name's length, that makes one a duplicate.
CANDIDATE_SIMILARITY = 0.3
DUPLICATE_SIMILARITY = 0.6
TYPOS_ALLOWED = ((10, 2), (4, 1))
DUPLICATE_CANDIDATES, DUPLICATES_SHOWN = 50, 5


def likely_same(a: str, b: str) -> bool:
    """Whether two folded names probably name the same thing: close in trigrams, or a
    few typos apart ("fair trade", "fare trade")."""
    similarity = trigram_similarity(a, b)
    if similarity < CANDIDATE_SIMILARITY:
        return False
    shorter = min(len(a), len(b))
    typos = next((n for length, n in TYPOS_ALLOWED if shorter >= length), 0)
    return similarity >= DUPLICATE_SIMILARITY or Levenshtein.distance(a, b) <= typos


# The FTS5 trigram tables kept by triggers (SQLite), best matches of any trigram first.
_TRIGRAM_MATCH = "SELECT rowid FROM {} WHERE {} MATCH %s ORDER BY rank LIMIT %s"


def likely_duplicates(queryset, column: str, stored: str, trigram_table: str) -> list:
    """The rows of queryset whose `column` (folded text) likely says the same as `stored`,
    a value as the column holds it; most similar first, at most DUPLICATES_SHOWN.

    A trigram index narrows the candidates (pg_trgm's GIN index on PostgreSQL, an FTS5
    trigram table on SQLite), so a save never compares every name; likely_same then decides
    in Python, the same rule on both databases.
    """
    key = stored.strip()
    if not key:
        return []
    if connection.vendor == "postgresql":
        close = queryset.filter(**{f"{column}__trigram_similar": key})
        close = close.annotate(similarity=TrigramSimilarity(column, key)).order_by("-similarity")
    else:
        # Any trigram of the key, quoted: FTS5's trigram tokenizer matches it as a substring.
        match = " OR ".join(sorted({f'"{key[i : i + 3]}"' for i in range(len(key) - 2)}))
        sql = _TRIGRAM_MATCH.format(trigram_table, trigram_table)
        found = Q(pk__in=RawSQL(sql, [match, DUPLICATE_CANDIDATES])) if match else Q(pk__in=[])
        close = queryset.filter(found | Q(**{column: stored}))
    scored = [
        (trigram_similarity(key, value), row)
        for row in close[:DUPLICATE_CANDIDATES]
        if likely_same(key, value := getattr(row, column).strip())
    ]
    scored.sort(key=lambda pair: (-pair[0], str(pair[1])))
    return [row for _, row in scored[:DUPLICATES_SHOWN]]


MAX_SEARCH_WORDS = 10
# Words this short would match as prefixes nearly every case; they match whole words only.
SHORT_WORD = 2


@dataclass(frozen=True)
class SearchTerms:
    """The words a search uses, and those it ignores beyond the first MAX_SEARCH_WORDS."""

    words: tuple[str, ...]
    ignored: tuple[str, ...]

    @property
    def prefixed(self) -> list[tuple[str, bool]]:
        """Each word, and whether it matches as a word start (else as a whole word)."""
        return [(word, len(word) > SHORT_WORD) for word in self.words]

    def all_in(self, folded: str) -> bool:
        """Whether every word matches a word of this folded text, as the database search does."""
        padded = f" {folded} "
        return all((f" {w}" if prefix else f" {w} ") in padded for w, prefix in self.prefixed)


def search_terms(query: str) -> SearchTerms:
    """The folded words of a search: repeated words once, at most MAX_SEARCH_WORDS used."""
    words = tuple(dict.fromkeys(fold(query).split()))
    return SearchTerms(words[:MAX_SEARCH_WORDS], words[MAX_SEARCH_WORDS:])


@dataclass(frozen=True)
class Matches:
    """The ids of the cases a search found, and of those whose title matches too."""

    ids: list[int]
    in_title: list[int]


class AmongIds(Lookup):
    """`lhs` is one of a list of ids, bound as one parameter: the SQL keeps one size."""

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.rhs)]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*params, self.rhs]


def search_document(title: str, description: str, links) -> tuple[str, str]:
    """The folded search text and title of a case, padded so " term" matches a word start.

    `links` are (organization name, contact or None) pairs; a contact's name and role count.
    """
    words = [title, description]
    for organization, contact in links:
        words += [organization, contact.name, contact.role] if contact else [organization]
    return f" {fold(' '.join(words))} ", f" {fold(title)} "


def unique_slug(text: str, taken, max_length: int = 80) -> str:
    """A slug of text, shortened at a word boundary, with -2, -3… until `taken(slug)` is false."""
    base = slugify(text)
    if len(base) > max_length:
        base = base[: max_length + 1].rsplit("-", 1)[0]
    base = base or "untitled"
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


# A slug starting with "-" (`-2-3`) is a formula to a spreadsheet, and "_" reads as a typo.
SLUG_START_MESSAGE = "A slug starts with a letter or a digit."
slug_starts_with_letter_or_digit = RegexValidator(
    r"\A[0-9A-Za-z]", SLUG_START_MESSAGE, code="slug_start"
)


# A BCP 47 language tag as `lang` takes it: a language, then optional script, region…
language_tag = RegexValidator(
    r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z",
    "A language code like en, es, fr or pt-BR.",
    code="language",
)


def slug_start_constraint(name: str) -> models.CheckConstraint:
    """The same rule in the database; a list rather than REGEXP, which SQLite knows only
    inside Django (the sqlite3 shell could not write the table)."""
    first = Substr("slug", 1, 1)
    return models.CheckConstraint(
        condition=In(first, list(string.digits + string.ascii_letters)),
        name=name,
        violation_error_code="slug_start",
        violation_error_message=SLUG_START_MESSAGE,
    )


# The names of the fixed vocabularies, for makemessages: stored, exported and addressed in
# English (slugs never change), shown in the reader's language through `label`.
VOCABULARY_NAMES = (
    gettext_noop("Social Cohesion"),
    gettext_noop("Recognizing the Informal Economy"),
    gettext_noop("Indicators and Measures of Impact"),
    gettext_noop("Women"),
    gettext_noop("Youth"),
    gettext_noop("Africa"),
    gettext_noop("Asia"),
    gettext_noop("Europe"),
    gettext_noop("Latin America"),
    gettext_noop("Middle East"),
    gettext_noop("North America"),
    gettext_noop("Oceania"),
    gettext_noop("SSE organization"),
    gettext_noop("Government and public agency"),
    gettext_noop("International organization"),
    gettext_noop("Academic and research institution"),
    gettext_noop("Private sector"),
    gettext_noop("Other"),
)


# The path of each detail page around its slug, per URL name, language and script prefix:
# reverse() costs some 20 µs, and a case page links two dozen pages.
_DETAIL_PATHS: dict[tuple[str, str | None, str], tuple[str, str]] = {}
_SLUG_SLOT = "slug-slot"


def detail_url(name: str, slug: str) -> str:
    """reverse(name, args=[slug]) for a detail page whose only argument is a slug."""
    key = (name, get_language(), get_script_prefix())
    around = _DETAIL_PATHS.get(key)
    if around is None:
        before, after = reverse(name, args=[_SLUG_SLOT]).rsplit(_SLUG_SLOT, 1)
        around = _DETAIL_PATHS[key] = (before, after)
    return f"{around[0]}{slug}{around[1]}"


@cache  # one per model: quoting is the database's (the one there is)
def _columns(model) -> str:
    table, quote = model._meta.db_table, connection.ops.quote_name
    return ", ".join(f"{quote(table)}.{quote(field.column)}" for field in _fields(model))


def _fields(model) -> list:
    return model._meta.concrete_fields


@lru_cache(maxsize=64)
def _converters(model, wrapper) -> tuple[list[tuple], list[str]]:
    """(column, converters) of each concrete field of model, as the ORM finds them for this
    thread's connection `wrapper`, and the fields' attribute names: found once, not per row."""
    columns = []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        columns.append(
            (column, wrapper.ops.get_db_converters(column) + field.get_db_converters(wrapper))
        )
    return columns, [field.attname for field in _fields(model)]


def _instance(model, values):
    """A model instance from its concrete columns' values, converted as the ORM does."""
    wrapper = connections[connection.alias]
    columns, names = _converters(model, wrapper)
    converted = []
    for (column, converters), value in zip(columns, values, strict=True):
        for convert in converters:
            value = convert(value, column, wrapper)
        converted.append(value)
    return model.from_db(wrapper.alias, names, converted)


def _rows(sql: str, params: list | dict) -> list[tuple]:
    """The rows of a plain query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_THEMES_SQL = (
    'SELECT {} FROM "cases_theme" JOIN "cases_case_themes"'
    ' ON "cases_case_themes"."theme_id" = "cases_theme"."id"'
    ' WHERE "cases_case_themes"."case_id" = %s ORDER BY "cases_theme"."name"'
)


_COLLECTIONS_SQL = (
    'SELECT {} FROM "cases_collection" JOIN "cases_collectioncase"'
    ' ON "cases_collectioncase"."collection_id" = "cases_collection"."id"'
    ' WHERE "cases_collectioncase"."case_id" = %s ORDER BY "cases_collection"."title"'
)


def _links_sql() -> str:
    """A case's links with their organization and contact, in order (a row each)."""
    columns = ", ".join(_columns(model) for model in (CaseOrganization, Organization, Contact))
    return (
        f'SELECT {columns} FROM "cases_caseorganization"'
        ' JOIN "cases_organization"'
        ' ON "cases_organization"."id" = "cases_caseorganization"."organization_id"'
        ' LEFT JOIN "cases_contact" ON "cases_contact"."id" = "cases_caseorganization"."contact_id"'
        ' WHERE "cases_caseorganization"."case_id" = %s'
        ' ORDER BY "cases_caseorganization"."position"'
    )


def _case_sql() -> str:
    """A case with its region (a row of NULLs when it has none), by slug."""
    columns = ", ".join(_columns(model) for model in (Case, Region))
    return (
        f'SELECT {columns} FROM "cases_case"'
        ' LEFT JOIN "cases_region" ON "cases_region"."id" = "cases_case"."region_id"'
        ' WHERE "cases_case"."slug" = %s'
    )


def _case(row: tuple) -> "Case":
    """A Case with its region, from a row of _case_sql(), as select_related("region") gives."""
    end = len(_fields(Case))
    case = _instance(Case, row[:end])
    region = None if row[end] is None else _instance(Region, row[end:])
    Case.region.field.set_cached_value(case, region)
    return case


def _link(row: tuple) -> "CaseOrganization":
    """A CaseOrganization with its organization and contact, from a row of _links_sql()."""
    ends = [len(_fields(CaseOrganization)), len(_fields(Organization))]
    ends[1] += ends[0]
    link = _instance(CaseOrganization, row[: ends[0]])
    link.organization = _instance(Organization, row[ends[0] : ends[1]])
    link.contact = None if row[ends[1]] is None else _instance(Contact, row[ends[1] :])
    return link


class VocabularyQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def rows_by_name(self) -> list[tuple[str, tuple]]:
        """(slug, row of the model's columns as _instance takes it) of each, by name."""
        table = f'"{self.model._meta.db_table}"'
        rows = _rows(f'SELECT {_columns(self.model)} FROM {table} ORDER BY {table}."name"', [])
        slug_at = [field.attname for field in _fields(self.model)].index("slug")
        return [(row[slug_at], row) for row in rows]

    def with_case_counts(self) -> "VocabularyQuerySet":
        """Each theme or region with the number of its published cases."""
        published = Q(cases__status=Case.Status.PUBLISHED)
        return self.annotate(case_count=Count("cases", filter=published)).order_by("name")


class Vocabulary(models.Model):
    """A fixed vocabulary (themes, regions): known by name, addressed by slug."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, validators=[slug_starts_with_letter_or_digit]
    )

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [slug_start_constraint("%(app_label)s_%(class)s_slug_start")]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language (a name without a translation stays as it is)."""
        return gettext(self.name)

    def natural_key(self):
        return (self.name,)


class Theme(Vocabulary):
    description = models.TextField(blank=True)

    def get_absolute_url(self):
        return detail_url("theme-detail", self.slug)


class Region(Vocabulary):
    def get_absolute_url(self):
        return detail_url("region-detail", self.slug)


class OrganizationQuerySet(models.QuerySet):
    def get_by_natural_key(self, name):
        return self.get(name=name)

    def public(self) -> "OrganizationQuerySet":
        """Organizations named by at least one published case."""
        published = CaseOrganization.objects.filter(
            organization=OuterRef("pk"), case__status=Case.Status.PUBLISHED
        )
        return self.filter(Exists(published))

    def kind_counts(self) -> dict[str, int]:
        rows = self.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n")
        return dict(rows)

    def of_kinds(self, kinds) -> "OrganizationQuerySet":
        return self.filter(kind__in=kinds)

    def named(self, terms: SearchTerms) -> list[int]:
        """The ids of these organizations whose name has every search word, accents folded
        in Python as for cases (names are short: scanning them is cheap)."""
        names = self.order_by().values_list("pk", "name").iterator(chunk_size=2000)
        return [pk for pk, name in names if terms.all_in(fold(name))]

    def similar_to(self, name: str) -> list["Organization"]:
        """These organizations whose name is likely the same as name (see likely_duplicates)."""
        return likely_duplicates(self, "name_key", name_key(name), "cases_organization_trgm")

    def among(self, ids: list[int]) -> "OrganizationQuerySet":
        return self.filter(AmongIds(F("pk"), ids))

    def with_case_counts(self) -> "OrganizationQuerySet":
        """Each with `case_count`, its number of published cases, counted row by row: a page
        by name counts for its own rows, not by grouping every link of the catalogue."""
        published = CaseOrganization.objects.filter(
            organization=OuterRef("pk"), case__status=Case.Status.PUBLISHED
        )
        counts = published.order_by().values("organization").annotate(n=Count("pk")).values("n")
        return self.annotate(case_count=Coalesce(Subquery(counts), 0)).order_by("name")

    def sorted_by(self, key: str) -> "OrganizationQuerySet":
        """By name, or with `cases` by number of published cases (most first), then name."""
        return self.order_by("-case_count", "name") if key == "cases" else self.order_by("name")


class Organization(models.Model):
    Kind = models.TextChoices(
        "Kind",
        [
            (key.replace("-", "_").upper(), (key, gettext_lazy(label)))  # see VOCABULARY_NAMES
            for key, label in seed.KINDS.items()
        ],
    )

    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, validators=[slug_starts_with_letter_or_digit]
    )
    kind = models.CharField(max_length=40, choices=Kind, db_index=True)
    source_name = models.CharField(
        max_length=300, blank=True, db_index=True, editable=False, help_text="Name in the source."
    )
    name_key = models.CharField(
        max_length=300, blank=True, db_index=True, editable=False, help_text="See name_key()."
    )
    country = CountryField(blank=True)
    website = models.URLField(blank=True)
    edited_fields = models.JSONField(default=list, blank=True, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [slug_start_constraint("cases_organization_slug_start")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("organization-detail", self.slug)

    def natural_key(self):
        return (self.name,)

    def get_kind_display(self) -> str:
        """The kind's label in the reader's language (Django's own builds a dictionary of the
        choices on every call, some 60 µs)."""
        return str(_KIND_LABELS.get(self.kind, self.kind))

    @property
    def country_name(self) -> str:
        return country_name(self.country.code)


_KIND_LABELS = dict(Organization.Kind.choices)


class OrganizationAlias(models.Model):
    """A former name of an organization, one merged into it: imports still find it so."""

    name = models.CharField(max_length=300, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "organization aliases"

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    def get_by_natural_key(self, organization_name, name):
        return self.get(organization__name=organization_name, name=name)


class Contact(models.Model):
    class Honorific(models.TextChoices):
        MR = "Mr.", "Mr."
        MS = "Ms.", "Ms."
        MRS = "Mrs.", "Mrs."
        DR = "Dr.", "Dr."
        PROF = "Prof.", "Prof."

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    honorific = models.CharField(max_length=5, choices=Honorific, blank=True)
    name = models.CharField(max_length=200)
    source_name = models.CharField(max_length=200, blank=True, editable=False)
    role = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True, help_text="Private: shown only in the admin.")
    edited_fields = models.JSONField(default=list, blank=True, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_contact_per_org")
        ]

    def __str__(self):
        return f"{self.honorific} {self.name}".strip()

    def natural_key(self):
        return (*self.organization.natural_key(), self.name)

    natural_key.dependencies = ["cases.organization"]


# A description shorter than this says too little about a case to stand on its own.
MIN_DESCRIPTION_LENGTH = 200


@dataclass(frozen=True)
class CompletenessCheck:
    """A fact a complete case has: its label for editors, and how the public hears it missing."""

    key: str
    label: str
    missing: str


COMPLETENESS_CHECKS = (
    CompletenessCheck("themes", "At least one theme", gettext_lazy("no theme yet")),
    CompletenessCheck("region", "Region", gettext_lazy("no region yet")),
    CompletenessCheck("country", "Country", gettext_lazy("no country yet")),
    CompletenessCheck("city", "City", gettext_lazy("no city yet")),
    CompletenessCheck(
        "organizations", "At least one organization", gettext_lazy("no organization yet")
    ),
    CompletenessCheck(
        "contact", "A contact for one of its organizations", gettext_lazy("no contact yet")
    ),
    CompletenessCheck(
        "description",
        f"A description of at least {MIN_DESCRIPTION_LENGTH} characters",
        gettext_lazy("a short description"),
    ),
)


def _completeness_conditions() -> dict:
    """Each check's key and its condition in SQL; Case.present_facts says the same in Python."""
    links = CaseOrganization.objects.filter(case=OuterRef("pk"))
    return {
        "themes": Exists(Case.themes.through.objects.filter(case=OuterRef("pk"))),
        "region": Q(region__isnull=False),
        "country": ~Q(country=""),
        "city": ~Q(city=""),
        "organizations": Exists(links),
        "contact": Exists(links.filter(contact__isnull=False)),
        "description": GreaterThanOrEqual(Length("description"), MIN_DESCRIPTION_LENGTH),
    }


# Shared themes and organizations of case `{c}` with the case %(case)s.
_SHARED = (
    "(SELECT COUNT(*) FROM cases_case_themes t WHERE t.case_id = {c}.id AND t.theme_id IN"
    " (SELECT theme_id FROM cases_case_themes WHERE case_id = %(case)s))",
    "(SELECT COUNT(*) FROM cases_caseorganization o WHERE o.case_id = {c}.id"
    " AND o.organization_id IN"
    " (SELECT organization_id FROM cases_caseorganization WHERE case_id = %(case)s))",
)


_SHARING_ORGANIZATIONS = (
    "SELECT o.case_id, COUNT(*) FROM cases_caseorganization o WHERE o.organization_id IN"
    " (SELECT organization_id FROM cases_caseorganization WHERE case_id = %(case)s)"
    " AND o.case_id <> %(case)s GROUP BY o.case_id"
)


def related_sql(levels: int) -> str:
    """(id, title, shared themes, shared organizations) of the only published cases that can
    rank among the first %(limit)s related to case %(case)s: those sharing an organization,
    and for each number of shared themes (1 to `levels`) the first %(limit)s by title.

    Each arm is an index walk that stops early; the arms sit in subqueries because SQLite
    refuses LIMIT inside a compound SELECT. The outer query reads only the arms' rows by key
    (no status test there: without statistics SQLite would scan the status index for it).
    """
    themes, organizations = (shared.format(c="c") for shared in _SHARED)
    arms = [
        "SELECT o.case_id FROM cases_caseorganization o WHERE o.organization_id IN"
        " (SELECT organization_id FROM cases_caseorganization WHERE case_id = %(case)s)"
        " AND o.case_id <> %(case)s"
        " AND (SELECT status FROM cases_case WHERE id = o.case_id) = %(status)s"
    ]
    for n in range(1, levels + 1):
        arms.append(
            f"SELECT id FROM (SELECT l.id FROM cases_case l WHERE l.status = %(status)s"
            f" AND l.id <> %(case)s AND {_SHARED[0].format(c='l')} = {n}"
            f" ORDER BY l.title LIMIT %(limit)s) AS level{n}"
        )
    return (
        f"SELECT c.id, c.title, {themes}, {organizations} FROM cases_case c"
        f" WHERE c.id IN ({' UNION ALL '.join(arms)})"
    )


# The FTS5 index the migrations keep by triggers (SQLite); `"word"*` matches word starts.
_FTS_MATCH = "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s"
# The same ids as one JSON array: a row per match cost SQLite and Python twice as much.
_FTS_MATCH_ARRAY = (
    "SELECT json_group_array(rowid) FROM cases_case_fts WHERE cases_case_fts MATCH %s"
)


@contextmanager
def _through_the_text_index():
    """On PostgreSQL, a text match reads the GIN index even when nearly every case matches:
    the planner would rather scan the table and test each (TOASTed) vector, 5 to 10 times
    slower than the index, which is exact. One transaction, for SET LOCAL."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def _fts_query(terms: SearchTerms) -> str:
    return " AND ".join(f'"{word}"*' if prefix else f'"{word}"' for word, prefix in terms.prefixed)


class CaseQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def published(self) -> "CaseQuerySet":
        return self.filter(status=Case.Status.PUBLISHED)

    def visible_to(self, user) -> "CaseQuerySet":
        return self if user.is_active and user.is_staff else self.published()

    def for_listing(self) -> "CaseQuerySet":
        # By position only: the default ordering would join cases_case to sort by title.
        links = CaseOrganization.objects.select_related("organization", "contact").order_by(
            "position"
        )
        return self.select_related("region").prefetch_related(
            "themes", Prefetch("caseorganization_set", queryset=links, to_attr="links")
        )

    def get_for_page(self, slug: str, index=None) -> "Case":
        """The case of `slug` among these, as for_listing() loads it (the same 3 queries), read
        by plain SQL: the ORM's compiling and prefetching cost ten times the queries. Only
        these cases' conditions are compiled (visible_to's), so they may name only the case's
        own columns. A current CatalogueIndex that knows the case tells its themes."""
        try:
            where, params = self.query.get_compiler(self.db).compile(self.query.where)
        except FullResultSet:  # no condition (staff see every case)
            where, params = "", []
        rows = _rows(_case_sql() + (f" AND ({where})" if where else ""), [slug, *params])
        if not rows:
            raise Case.DoesNotExist(f"No case with the slug {slug!r} among these.")
        case = _case(rows[0])
        themes = index.themes_of(case.pk) if index else None
        if themes is None:
            themes = _rows(_THEMES_SQL.format(_columns(Theme)), [case.pk])
        case._prefetched_objects_cache = {"themes": ThemeList(_instance(Theme, t) for t in themes)}
        case.links = [_link(row) for row in _rows(_links_sql(), [case.pk])]
        return case

    def with_completeness(self) -> "CaseQuerySet":
        """Each case with `completeness`, the number of COMPLETENESS_CHECKS it passes."""
        conditions = _completeness_conditions()
        one_each = [
            models.Case(models.When(conditions[check.key], then=Value(1)), default=Value(0))
            for check in COMPLETENESS_CHECKS
        ]
        return self.annotate(completeness=sum(one_each[1:], one_each[0]))

    def with_themes(self, slugs) -> "CaseQuerySet":
        tagged = Case.themes.through.objects.filter(theme__slug__in=slugs)
        return self.filter(pk__in=tagged.values("case"))

    def with_regions(self, slugs) -> "CaseQuerySet":
        return self.filter(region__slug__in=slugs)

    def with_countries(self, codes) -> "CaseQuerySet":
        return self.filter(country__in=codes)

    def in_collection(self, collection) -> "CaseQuerySet":
        """The cases of a collection, in its order."""
        members = self.filter(collectioncase__collection=collection)
        return members.order_by("collectioncase__position", "title")

    def suggestions(self, state: str) -> "CaseQuerySet":
        """Cases the public suggested: `pending` (draft, not rejected), `approved` (published)
        or `rejected` (still a draft)."""
        suggested = self.filter(suggestion__isnull=False)
        if state == "approved":
            return suggested.filter(status=Case.Status.PUBLISHED)
        rejected = state == "rejected"
        return suggested.filter(
            status=Case.Status.DRAFT, suggestion__rejected_at__isnull=not rejected
        )

    def with_kinds(self, kinds) -> "CaseQuerySet":
        links = CaseOrganization.objects.filter(organization__kind__in=kinds)
        return self.filter(pk__in=links.values("case"))

    def naming(self, organization: "Organization") -> "CaseQuerySet":
        """The published cases naming an organization, found through its links (a status
        test on the cases themselves would walk the status index without statistics)."""
        links = CaseOrganization.objects.filter(
            organization=organization, case__status=Case.Status.PUBLISHED
        )
        return self.filter(pk__in=links.values("case"))

    def related_to(self, case: "Case", limit: int = 5) -> list["CaseCard"]:
        """Up to `limit` other published cases sharing organizations or themes with `case`.

        A shared organization counts twice, a shared theme once; ties go by title. Only the
        cases that can make the top `limit` are scored (see related_sql); the winners are
        then fetched by key.
        """
        params = {"case": case.pk, "status": Case.Status.PUBLISHED, "limit": limit}
        rows = _rows(related_sql(len(case.themes.all())), params)
        ranked = sorted(rows, key=lambda row: (-row[2] - 2 * row[3], row[1]))
        return cards_by_id([pk for pk, *_ in ranked[:limit]])

    def sharing_organizations(self, case: "Case") -> dict[int, int]:
        """Other cases (any status) sharing organizations with `case`: id -> how many. One
        walk of the (organization, case) index."""
        return dict(_rows(_SHARING_ORGANIZATIONS, {"case": case.pk}))

    def _text_match(self, terms: SearchTerms) -> "CaseQuerySet":
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{word}:*" if prefix else word for word, prefix in terms.prefixed)
            return self.filter(
                search_vector=SearchQuery(tsquery, config="simple", search_type="raw")
            )
        return self.filter(pk__in=RawSQL(_FTS_MATCH, [_fts_query(terms)]))

    def matching(self, terms: SearchTerms) -> "CaseQuerySet":
        """The text match, as (pk, in_title) rows of these cases that match every word."""
        in_title = Q()
        for word, prefix in terms.prefixed:
            # search_title is padded with spaces: " word" starts a word, " word " is one.
            in_title &= Q(search_title__contains=f" {word}" if prefix else f" {word} ")
        flag = models.Case(models.When(in_title, then=True), default=False)
        found = self._text_match(terms).order_by()
        return found.annotate(in_title=flag).values_list("pk", "in_title")

    def matching_ids(self, terms: SearchTerms) -> list[int]:
        """The ids of every case (drafts too) whose text matches every word, read from the
        text index alone on SQLite, through it on PostgreSQL."""
        if connection.vendor == "postgresql":
            found = Case.objects.order_by()._text_match(terms).values_list("pk", flat=True)
            with _through_the_text_index():
                return list(found)
        return json.loads(_rows(_FTS_MATCH_ARRAY, [_fts_query(terms)])[0][0])

    def matches(self, terms: SearchTerms) -> Matches:
        """Run the text match once; `among` then reuses it in every query of a page."""
        with _through_the_text_index():
            rows = list(self.matching(terms))
        return Matches([pk for pk, _ in rows], [pk for pk, in_title in rows if in_title])

    def among(self, matches: Matches) -> "CaseQuerySet":
        """The cases of `matches`, ranked 2 when their title matches too, else 1."""
        in_title = models.When(AmongIds(F("pk"), matches.in_title), then=2.0)
        return self.filter(AmongIds(F("pk"), matches.ids)).annotate(
            rank=models.Case(in_title, default=1.0)
        )

    def similar_to(self, title: str) -> list["Case"]:
        """These cases whose title is likely the same as title (see likely_duplicates)."""
        return likely_duplicates(self, "search_title", f" {fold(title)} ", "cases_case_title_trgm")

    def search(self, query: str) -> "CaseQuerySet":
        """Cases that match every word of `query` (see search_terms); runs the match now."""
        terms = search_terms(query)
        return self.among(self.matches(terms)) if terms.words else self

    def sorted_by(self, key: str, searching: bool = False) -> "CaseQuerySet":
        if key == "relevance" and searching:
            return self.order_by(F("rank").desc(), "title")
        if key == "-title":
            return self.order_by("-title")
        if key == "recent":
            return self.order_by("-updated_at", "title")
        return self.order_by("title")

    def cards(self) -> list["CaseCard"]:
        """These cases, in this queryset's order, as the plain rows a card and the JSON show:
        two queries and no model instances, so a page of them costs little."""
        columns = ("slug", "title", "description", "region__slug", "region__name", "country")
        return _cards(list(self.values_list("pk", *columns, "city", "marked_absent", "language")))

    def refresh_search_text(self) -> int:
        """Recompute the folded search text of these cases; returns how many changed."""
        changed = []
        for case in self.for_listing().iterator(chunk_size=1000):
            links = [(link.organization.name, link.contact) for link in case.links]
            text, title = search_document(case.title, case.description, links)
            if (text, title) != (case.search_text, case.search_title):
                case.search_text, case.search_title = text, title
                changed.append(case)
        Case.objects.bulk_update(changed, ["search_text", "search_title"], batch_size=500)
        return len(changed)


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # Facts an editor may state or change; the detail page tells where each came from.
    FACTS = ("title", "description", "region", "country", "city", "themes", "organizations")
    FACT_LABELS = {
        "title": gettext_lazy("Title"),
        "description": gettext_lazy("Description"),
        "region": gettext_lazy("Region"),
        "country": gettext_lazy("Country"),
        "city": gettext_lazy("City"),
        "themes": gettext_lazy("Themes"),
        "organizations": gettext_lazy("Organizations"),
    }

    title = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, validators=[slug_starts_with_letter_or_digit]
    )
    description = models.TextField()
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    country = CountryField(blank=True, db_index=True)
    city = models.CharField(max_length=100, blank=True)
    language = models.CharField(
        max_length=35,
        blank=True,
        validators=[language_tag],
        help_text="The language of the title and description, as a code: en, es, fr, pt-BR…"
        " Empty when unknown. (The interface around them is translated; they are not.)",
    )
    themes = models.ManyToManyField(Theme, related_name="cases", blank=True)
    organizations = models.ManyToManyField(
        Organization, through="CaseOrganization", related_name="cases", blank=True
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    marked_absent = models.BooleanField(
        default=False, help_text="The source title ended in “ - ABSENT”."
    )
    source_file = models.CharField(max_length=200, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)
    source_title = models.CharField(
        max_length=300, blank=True, db_index=True, editable=False, help_text="Title in the source."
    )
    source_facts = models.JSONField(
        default=list, blank=True, editable=False, help_text="Facts stated in the source text."
    )
    edited_fields = models.JSONField(
        default=list, blank=True, editable=False, help_text="Facts changed in the admin."
    )
    search_text = models.TextField(blank=True, editable=False)
    search_title = models.TextField(blank=True, editable=False)
    # PostgreSQL only: the weighted tsvector of search_title and search_text, kept by a trigger.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "title"], name="case_status_title"),
            models.Index(fields=["status", "updated_at"], name="case_status_updated"),
            models.Index(fields=["status", "region"], name="case_status_region"),
            models.Index(fields=["status", "country"], name="case_status_country"),
        ]
        constraints = [slug_start_constraint("cases_case_slug_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("case-detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["cases.theme", "cases.region", "cases.organization"]

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def country_name(self) -> str:
        return country_name(self.country.code)

    @property
    def provenance(self) -> list[tuple[str, str]]:
        """(fact, "source text" or "editorial") for each fact the case holds."""
        return [
            (
                fact,
                "source text"
                if fact in self.source_facts and fact not in self.edited_fields
                else "editorial",
            )
            for fact in self.FACTS
        ]

    @property
    def provenance_labels(self) -> list[tuple[str, str]]:
        """The provenance with each fact named in the reader's language."""
        return [(self.FACT_LABELS[fact], origin) for fact, origin in self.provenance]

    def present_facts(self) -> set[str]:
        """The keys of the COMPLETENESS_CHECKS this case passes; on a case from for_listing(),
        whose themes and links are prefetched, this makes no query."""
        present = {
            "themes": bool(self.themes.all()),
            "region": self.region_id is not None,
            "country": bool(self.country),
            "city": bool(self.city),
            "organizations": bool(self.links),
            "contact": any(link.contact_id for link in self.links),
            "description": len(self.description) >= MIN_DESCRIPTION_LENGTH,
        }
        return {key for key, passed in present.items() if passed}

    def completeness_checklist(self) -> list[tuple[CompletenessCheck, bool]]:
        """Each check, and whether this case passes it (see present_facts)."""
        present = self.present_facts()
        return [(check, check.key in present) for check in COMPLETENESS_CHECKS]

    def collection_list(self) -> list["Collection"]:
        """self.collections.all() (by title) read by plain SQL, for a fraction of its cost."""
        sql = _COLLECTIONS_SQL.format(_columns(Collection))
        return list(Collection.objects.raw(sql, [self.pk]))

    def missing_facts(self) -> list[str]:
        """What the public is told is missing ("no contact yet"); empty when complete."""
        return [check.missing for check, passed in self.completeness_checklist() if not passed]


class ThemeList(list):
    """A case card's themes; `all()` as on a Case, so one card template shows both."""

    def all(self) -> "ThemeList":
        return self


class CardOrganization(NamedTuple):
    name: str
    slug: str
    kind: str


class CardContact(NamedTuple):
    honorific: str
    name: str
    role: str


class CardLink(NamedTuple):
    organization: CardOrganization
    contact: CardContact | None


class CardCountry(NamedTuple):
    code: str
    name: str


# A card's themes and organizations, for a page of cases at a time, in one query: a theme
# (kind 0) in the order of its name, an organization (kind 1) in its position. Plain SQL:
# built by the ORM, it would cost more to compile than to run.
_CARD_THEMES_AND_LINKS = (
    "SELECT ct.case_id, 0, t.slug, t.name, NULL, NULL, NULL, NULL, 0"
    " FROM cases_case_themes ct JOIN cases_theme t ON t.id = ct.theme_id"
    " WHERE ct.case_id IN ({ids})"
    " UNION ALL SELECT l.case_id, 1, o.slug, o.name, o.kind, c.honorific, c.name, c.role,"
    " l.position FROM cases_caseorganization l"
    " JOIN cases_organization o ON o.id = l.organization_id"
    " LEFT JOIN cases_contact c ON c.id = l.contact_id WHERE l.case_id IN ({ids})"
    " ORDER BY 2, 9, 4"
)


_CARD_CASES = (
    "SELECT c.id, c.slug, c.title, c.description, r.slug, r.name, c.country, c.city,"
    " c.marked_absent, c.language FROM cases_case c LEFT JOIN cases_region r ON r.id = c.region_id"
    " WHERE c.id IN ({ids})"
)


def _cards(rows: list[tuple]) -> list["CaseCard"]:
    """Cards of (pk, slug, title, description, region slug and name, country, city,
    marked_absent, language) rows, in their order, with their themes and organizations."""
    ids = [row[0] for row in rows]
    themes, links = _card_themes_and_links(ids)
    regions, language = {}, get_language()
    cards = []
    for pk, slug, title, description, region, region_name, country, city, absent, lang in rows:
        if region and region not in regions:
            regions[region] = Region(slug=region, name=region_name)
        country = _card_country(country, language) if country else ""
        facts = (regions.get(region), country, city, bool(absent), themes[pk], links[pk], lang)
        cards.append(CaseCard(pk, slug, title, description, *facts))
    return cards


def cards_by_id(ids: list[int]) -> list["CaseCard"]:
    """The cases of these ids (any status) as cards, in that order; ids of no case are left
    out. Plain SQL: the page of a list, a search or a case's related cases, by key."""
    found = {card.pk: card for card in _cards(_card_rows(_CARD_CASES, ids))}
    return [found[pk] for pk in ids if pk in found]


def _card_rows(sql: str, ids: list[int]) -> list[tuple]:
    """The rows of a query about these cases: each `{ids}` in `sql` stands for all of them."""
    if not ids:
        return []
    return _rows(sql.format(ids=", ".join(["%s"] * len(ids))), ids * sql.count("{ids}"))


def _card_themes_and_links(ids: list[int]) -> tuple[dict, dict]:
    """case id -> its ThemeList, and case id -> its CardLinks, for these cases."""
    themes, links, known = defaultdict(ThemeList), defaultdict(list), {}
    for row in _card_rows(_CARD_THEMES_AND_LINKS, ids):
        pk, kind, slug, name, org_kind, honorific, person, role, _ = row
        if kind == 0:
            theme = known.get(slug) or known.setdefault(slug, Theme(slug=slug, name=name))
            themes[pk].append(theme)
        else:
            contact = CardContact(honorific, person, role) if person is not None else None
            links[pk].append(CardLink(CardOrganization(name, slug, org_kind), contact))
    return themes, links


def country_name(code: str) -> str:
    """A country's name in the reader's language ("" for no country): django-countries
    translates it anew on every call (some 60 µs), this once per language and worker."""
    return _card_country(code, get_language()).name if code else ""


@lru_cache(maxsize=1024)
def _card_country(code: str, language: str) -> CardCountry:
    """A country's code and name in a language: names are translated once, not per card."""
    return CardCountry(code, countries.name(code))


@dataclass(slots=True)
class CaseCard:
    """A case as its card and its JSON show it (CaseQuerySet.cards); reads like a Case."""

    pk: int
    slug: str
    title: str
    description: str
    region: "Region | None"
    country: CardCountry | str  # "" when not stated
    city: str
    marked_absent: bool
    themes: ThemeList
    links: list[CardLink]
    language: str  # of the title and description; "" when unknown
    search_excerpt: object = None  # set by a search page: why this case matched

    get_absolute_url = Case.get_absolute_url


class CardPages:
    """Cases of a queryset as cards, a slice (page) at a time: what a Paginator pages."""

    def __init__(self, queryset: CaseQuerySet, count: int | None = None):
        self.queryset, self.known_count = queryset, count

    def count(self) -> int:
        return self.queryset.count() if self.known_count is None else self.known_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[CaseCard]:
        return self.queryset[key].cards()


class CaseOrganizationQuerySet(models.QuerySet):
    def get_by_natural_key(self, case_slug, organization_name):
        return self.get(case__slug=case_slug, organization__name=organization_name)


class CaseOrganization(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="The contact of this organization for this case.",
    )

    objects = CaseOrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "organization"], name="unique_case_org")
        ]
        indexes = [models.Index(fields=["organization", "case"], name="caseorg_org_case")]

    def __str__(self):
        return f"{self.case} – {self.organization}"

    def natural_key(self):
        return (*self.case.natural_key(), *self.organization.natural_key())

    natural_key.dependencies = ["cases.case", "cases.organization", "cases.contact"]

    def clean(self):
        if self.contact_id and self.contact.organization_id != self.organization_id:
            raise ValidationError({"contact": "This contact belongs to another organization."})


class SuggestionQuerySet(models.QuerySet):
    def recent_from(self, address_hash: str) -> "SuggestionQuerySet":
        """The suggestions sent from one (hashed) client address within the last hour."""
        since = timezone.now() - timedelta(hours=1)
        return self.filter(address_hash=address_hash, submitted_at__gte=since)


class Suggestion(models.Model):
    """Who suggested a draft case on the public form, and whether an editor rejected it.

    Kept apart from the case, so nothing that reads cases (pages, exports, feeds, history of
    the case) can show the submitter; only the admin reads it.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="suggestion")
    name = models.CharField(max_length=200)
    email = models.EmailField(help_text="Private: shown only in the admin.")
    submitted_at = models.DateTimeField(default=timezone.now)
    # A keyed hash of the client's address: enough to count its suggestions, not to tell it.
    address_hash = models.CharField(max_length=64, editable=False)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["address_hash", "submitted_at"], name="suggestion_address_time")
        ]

    def __str__(self):
        return f"Suggestion of “{self.case}” by {self.name}"


class CollectionQuerySet(models.QuerySet):
    def public(self) -> "CollectionQuerySet":
        """Collections with at least one published case: the others are not shown yet."""
        published = CollectionCase.objects.filter(case__status=Case.Status.PUBLISHED)
        return self.filter(pk__in=published.values("collection"))

    def visible_to(self, user) -> "CollectionQuerySet":
        return self if user.is_active and user.is_staff else self.public()

    def with_case_counts(self) -> "CollectionQuerySet":
        """Each collection with `case_count`, the number of its published cases."""
        published = Q(collectioncase__case__status=Case.Status.PUBLISHED)
        return self.annotate(case_count=Count("collectioncase", filter=published))


class Collection(models.Model):
    """Cases an editor brought together under a title, with an introduction, in an order."""

    title = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, validators=[slug_starts_with_letter_or_digit]
    )
    introduction = models.TextField(blank=True)
    cases = models.ManyToManyField(
        Case, through="CollectionCase", related_name="collections", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [slug_start_constraint("cases_collection_slug_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return detail_url("collection-detail", self.slug)


class CollectionCase(models.Model):
    """A case in a collection, at its position there (lowest first)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE)
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "case"], name="unique_collection_case")
        ]

    def __str__(self):
        return f"{self.collection} – {self.case}"


# Two rows, no migration: staff pages follow every change, public ones only published changes.
EVERY_CHANGE_STATE, PUBLIC_STATE = 1, 2


class CatalogueStateQuerySet(models.QuerySet):
    def current(self, *, public: bool = False) -> "CatalogueState":
        """The version of the whole catalogue, or with `public` of what visitors see. Every
        page reads it: by plain SQL (26 µs; the ORM's get_or_create took 170)."""
        pk = PUBLIC_STATE if public else EVERY_CHANGE_STATE
        table = connection.ops.quote_name(CatalogueState._meta.db_table)
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {_columns(CatalogueState)} FROM {table} WHERE id = %s", [pk])
            row = cursor.fetchone()
        if row is not None:
            return _instance(CatalogueState, row)
        state, _ = self.get_or_create(pk=pk)
        return state

    def bump(self, *, public: bool = True) -> None:
        """Mark the catalogue changed (for visitors too unless `public` is False): caches and
        ETags keyed by the old version go stale."""
        rows = [EVERY_CHANGE_STATE, PUBLIC_STATE] if public else [EVERY_CHANGE_STATE]
        changed = self.filter(pk__in=rows).update(
            version=F("version") + 1, changed_at=timezone.now()
        )
        if changed < len(rows):
            for pk in rows:
                self.get_or_create(pk=pk)


class CatalogueState(models.Model):
    """A version that writes to the catalogue bump (cache keys, ETags): one row follows every
    change, one only what visitors can see."""

    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = CatalogueStateQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"catalogue version {self.version}"

    @property
    def token(self) -> str:
        """Names this state of the catalogue, also across a database reset."""
        return f"{self.version}.{self.changed_at.timestamp():.6f}"
