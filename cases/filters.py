"""The FilterSets of the listings: CaseFilter behind /cases/, /cases.json and /cases.csv, with
disjunctive facets; OrganizationFilter behind /organizations/."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cached_property, lru_cache

import django_filters
from django import forms
from django.db.models import Count
from django.http import QueryDict
from django.utils.translation import get_language, gettext, gettext_lazy
from django_countries import countries

from .models import (
    CardPages,
    Case,
    CaseOrganization,
    Matches,
    Organization,
    Region,
    SearchTerms,
    Theme,
    fold,
    search_terms,
)

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 500
MAX_VALUES = 20
SHORT_FACET = 8  # a facet with more options shows its largest few and folds the rest
SHORTLIST = 5
SORTS = [
    ("relevance", gettext_lazy("Relevance")),
    ("title", gettext_lazy("Title A–Z")),
    ("-title", gettext_lazy("Title Z–A")),
    ("recent", gettext_lazy("Recently updated")),
]
FACETS = {
    "theme": gettext_lazy("Themes"),
    "region": gettext_lazy("Regions"),
    "country": gettext_lazy("Countries"),
    "kind": gettext_lazy("Organization kinds"),
}
SINGULAR = {
    "theme": gettext_lazy("Theme"),
    "region": gettext_lazy("Region"),
    "country": gettext_lazy("Country"),
    "kind": gettext_lazy("Organization kind"),
}
_LOWER = {"theme", "region", "kind", "sort"}
_UPPER = {"country"}


def normalize(params) -> QueryDict:
    """Strip values, drop empty and repeated ones, and fold slugs and codes to their stored case."""
    if isinstance(params, QueryDict):
        items = params.lists()
    else:
        items = ((k, v if isinstance(v, list | tuple) else [v]) for k, v in params.items())
    clean = QueryDict(mutable=True)
    for key, values in items:
        seen = set()
        for value in values:
            value = str(value).strip()
            if key in _LOWER:
                value = value.lower()
            elif key in _UPPER:
                value = value.upper()
            if value and value not in seen:
                seen.add(value)
                clean.appendlist(key, value)
    return clean


def load_title_words() -> list[str]:
    """The sorted words of published titles and organization names: what search can suggest."""
    words: set[str] = set()
    for title in Case.objects.published().values_list("search_title", flat=True).iterator():
        words.update(title.split())
    for name in Organization.objects.public().values_list("name", flat=True).iterator():
        words.update(fold(name).split())
    return sorted(word for word in words if len(word) > 2)


def country_choices():
    """Every ISO 3166-1 code (a callable: a list would be deep-copied on every request)."""
    return list(countries)


def load_vocabulary() -> dict[str, list[tuple[str, str]]]:
    """(value, label) of every theme, region and country that published cases use."""
    used = Case.objects.published().exclude(country="").order_by().values_list("country")
    return {
        "theme": list(Theme.objects.values_list("slug", "name")),
        "region": list(Region.objects.values_list("slug", "name")),
        "country": sorted(
            ((code, countries.name(code)) for (code,) in used.distinct()), key=lambda o: o[1]
        ),
    }


class CaseFilterForm(forms.Form):
    sort = forms.ChoiceField(
        choices=SORTS,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Unknown sort “%(value)s”: use title, -title, recent or relevance."
            )
        },
    )
    page = forms.IntegerField(
        min_value=1,
        max_value=10**9,
        required=False,
        error_messages={"invalid": gettext_lazy("The page must be a whole number (1, 2, 3…).")},
    )
    page_size = forms.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        required=False,
        error_messages={
            "invalid": gettext_lazy("The page size must be a whole number from 1 to 500.")
        },
    )

    def clean(self):
        # Each value becomes a chip, a facet mark and a query clause: keep their number small.
        for name in self.fields:
            given = len(self.data.getlist(name))
            if given > MAX_VALUES:
                message = gettext("At most %(most)s values, not %(given)s.")
                self.add_error(name, message % {"most": MAX_VALUES, "given": given})
        return super().clean()


UNKNOWN = {
    "theme": gettext_lazy("Unknown theme “%(value)s”."),
    "region": gettext_lazy("Unknown region “%(value)s”."),
    "country": gettext_lazy("Unknown country code “%(value)s”."),
    "kind": gettext_lazy("Unknown organization kind “%(value)s”."),
}


def _unknown(name: str) -> dict:
    return {"invalid_choice": UNKNOWN[name]}


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option]


@dataclass
class Chip:
    label: str
    remove_query: str
    name: str  # "q" for the search, else the facet


class FacetField(django_filters.fields.MultipleChoiceField):
    """A facet's values, checked against a set. The choices are the same for every request,
    so the form's copies of the field share them: Django deep-copies every choice for each
    form, and checks a value by walking them all (250 translated names for a country)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}  # shared by the copies; filled once with the valid values

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)

    def valid_value(self, value):
        if "values" not in self.known:
            self.known["values"] = frozenset(str(key) for key, _ in self.choices)
        return value in self.known["values"]


class FacetFilter(django_filters.MultipleChoiceFilter):
    field_class = FacetField


# The last form class CaseFilter made, with the vocabulary it was made for.
_form_classes: dict[str, tuple] = {}


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="search_text", method="search", max_length=MAX_QUERY_LENGTH, label="Search"
    )
    theme = FacetFilter(
        field_name="themes",
        choices=[],
        method="filter_themes",
        error_messages=_unknown("theme"),
    )
    region = FacetFilter(
        field_name="region",
        choices=[],
        method="filter_regions",
        error_messages=_unknown("region"),
    )
    country = FacetFilter(
        field_name="country",
        choices=country_choices,
        method="filter_countries",
        error_messages=_unknown("country"),
    )
    kind = FacetFilter(
        field_name="organizations__kind",
        choices=Organization.Kind.choices,
        method="filter_kinds",
        error_messages=_unknown("kind"),
    )

    class Meta:
        model = Case
        fields = []
        form = CaseFilterForm

    def __init__(self, data=None, *args, vocabulary=None, index=None, **kwargs):
        super().__init__(normalize(data) if data is not None else None, *args, **kwargs)
        # With a CatalogueIndex (cases/index.py) of the current version, totals, facet counts
        # and pages come from its bitmaps; without one, from SQL.
        self.index = index
        self.vocabulary = vocabulary or (index.vocabulary if index else load_vocabulary())
        for name in ("theme", "region"):
            self.filters[name].extra["choices"] = self.vocabulary[name]

    def get_form_class(self):
        """The form of this vocabulary, made once per worker and vocabulary (django-filter makes
        a form class and its fields for every request: a third of a millisecond)."""
        key = tuple(tuple(self.vocabulary[name]) for name in ("theme", "region"))
        made, form_class = _form_classes.get("last", (None, None))
        if made != key:
            form_class = super().get_form_class()
            _form_classes["last"] = (key, form_class)
        return form_class

    def search(self, queryset, name, value):
        # Every query of the page (results, count, facets) reuses the one text match.
        return queryset.among(self.matches) if self.terms.words else queryset

    @cached_property
    def terms(self) -> SearchTerms:
        return search_terms(self.form.cleaned_data.get("q") or "")

    @cached_property
    def matches(self) -> Matches:
        return self.queryset.matches(self.terms)

    def filter_themes(self, queryset, name, value):
        return queryset.with_themes(value)

    def filter_regions(self, queryset, name, value):
        return queryset.with_regions(value)

    def filter_countries(self, queryset, name, value):
        return queryset.with_countries(value)

    def filter_kinds(self, queryset, name, value):
        return queryset.with_kinds(value)

    @property
    def searching(self) -> bool:
        return bool(self.terms.words)

    @property
    def sort(self) -> str:
        return self.form.cleaned_data.get("sort") or ("relevance" if self.searching else "title")

    def _filtered(self, queryset, skip: str | None = None):
        for name, value in self.form.cleaned_data.items():
            if name in self.filters and name != skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        return self._filtered(queryset).sorted_by(self.sort, searching=self.searching)

    def suggestion(self, words: list[str]) -> str | None:
        """The search with each word that starts no known word replaced by the closest one."""
        terms = list(self.terms.words)
        fixed = []
        for term in terms:
            at = bisect_left(words, term)
            if at < len(words) and words[at].startswith(term):
                fixed.append(term)
            else:
                fixed.append(next(iter(get_close_matches(term, words, n=1, cutoff=0.75)), term))
        return " ".join(fixed) if fixed != terms else None

    def facet_key(self) -> str:
        """Everything the facets depend on, in a canonical order."""
        data = self.form.cleaned_data
        parts = [f"q={' '.join(self.terms.words)}"]
        parts += [f"{name}={','.join(sorted(data.get(name) or []))}" for name in FACETS]
        return "facets|" + "|".join(parts)

    def canonical_query(self, names) -> QueryDict:
        """The validated values of `names`, in that order: each facet's values once and sorted,
        the search with single spaces, no first page. Equal queries give equal pages."""
        data = self.form.cleaned_data
        query = QueryDict(mutable=True)
        for name in names:
            value = data.get(name)
            if name in FACETS:
                values = sorted(set(value or []))
            elif name == "q":
                values = [" ".join((value or "").split())]
            else:  # sort, page, page_size; the first page is the page without a number
                values = [str(value)] if value and (name, value) != ("page", 1) else []
            if any(values):
                query.setlist(name, values)
        return query

    def _sql_counts(self) -> dict[str, dict[str, int]]:
        """Each facet's counts by value, from four grouped queries."""
        base = self.queryset.order_by()

        def ids(skip):
            return self._filtered(base, skip).values("pk")

        def grouped(queryset, value, counted):
            rows = queryset.order_by().values(value).annotate(n=counted).values_list(value, "n")
            return dict(rows)

        through = Case.themes.through.objects
        return {
            "theme": grouped(through.filter(case__in=ids("theme")), "theme__slug", Count("case")),
            "region": grouped(self._filtered(base, "region"), "region__slug", Count("pk")),
            "country": grouped(self._filtered(base, "country"), "country", Count("pk")),
            "kind": grouped(
                CaseOrganization.objects.filter(case__in=ids("kind")),
                "organization__kind",
                Count("case", distinct=True),
            ),
        }

    @cached_property
    def _matched(self):
        """The index positions of the text matches (every case without a search): the text
        index gives the ids, the catalogue index which are published and which titles match."""
        if not self.searching:
            return self.index.everything
        return self.index.matching(self.terms)

    def _found(self, skip: str | None = None):
        """The index positions of the matching cases, ignoring facet `skip`."""
        found, data = self._matched, self.form.cleaned_data
        for name in FACETS:
            if name != skip and data.get(name):
                found = found & self.index.chosen(name, data[name])
        return found

    def cases(self):
        """The matching cases in the chosen order, for a Paginator: from the index when there
        is one (fetching only the page's cases), else the filtered queryset."""
        if self.index is None:
            return CardPages(self.qs)
        in_title = self.index.in_titles(self.terms) if self.searching else None
        return self.index.cases(self._found(), self.sort, in_title)

    def facets(self) -> list[Facet]:
        """Every facet's options with counts that ignore that facet's own selection."""
        data = self.form.cleaned_data
        if self.index is None:
            counts = self._sql_counts()
        else:
            counts = {name: self.index.counts(self._found(name), name) for name in FACETS}
        codes = [code for code, _ in self.vocabulary["country"]]
        codes += [code for code in data.get("country", []) if code not in codes]

        def facet(name, pairs):
            chosen = set(data.get(name, []))
            options = [Option(v, label, counts[name].get(v, 0), v in chosen) for v, label in pairs]
            return Facet(name, FACETS[name], options)

        # In the reader's language, in its alphabetical order (the stored names are English).
        return [
            facet("theme", translated(self.vocabulary["theme"])),
            facet("region", translated(self.vocabulary["region"])),
            facet("country", countries_named(codes)),
            facet("kind", Organization.Kind.choices),
        ]

    def chips(self) -> list[Chip]:
        """The active filters, each with the query string that removes it."""
        data = self.form.cleaned_data
        params = normalize(self.data)
        params.pop("page", None)
        labels = {
            "theme": dict(translated(self.vocabulary["theme"])),
            "region": dict(translated(self.vocabulary["region"])),
            "kind": dict(Organization.Kind.choices),
        }
        chips = []
        if data.get("q"):
            rest = params.copy()
            rest.pop("q")
            label = gettext("Search: “%(query)s”") % {"query": data["q"]}
            chips.append(Chip(label, rest.urlencode(), "q"))
        for name in FACETS:
            for value in data.get(name, []):
                rest = params.copy()
                rest.setlist(name, [v for v in params.getlist(name) if v != value])
                named = countries.name(value) if name == "country" else labels[name][value]
                label = f"{SINGULAR[name]}: {named}"
                chips.append(Chip(label, rest.urlencode(), name))
        return chips


def in_order(pairs) -> list[tuple[str, str]]:
    """(value, label) pairs by label, accents and case aside."""
    return sorted(pairs, key=lambda pair: fold(pair[1]))


def translated(pairs) -> tuple[tuple[str, str], ...]:
    """(slug, name) pairs of a vocabulary with each name in the reader's language, in order."""
    return _named(tuple(pairs), get_language(), gettext)


def countries_named(codes) -> tuple[tuple[str, str], ...]:
    """(code, name) of these countries in the reader's language, in order."""
    return _named(tuple((code, code) for code in codes), get_language(), countries.name)


@lru_cache(maxsize=64)
def _named(pairs: tuple, language: str, name) -> tuple[tuple[str, str], ...]:
    """(value, name(key)) of (value, key) pairs, in order, kept per language (`name` reads
    the active one): a list page names about 80 values, and translating them and sorting
    by folded name cost a millisecond."""
    return tuple(in_order((value, name(key)) for value, key in pairs))


@dataclass
class FacetGroup:
    """A facet as the filter panel shows it: the options that matter first, the tail folded."""

    name: str
    label: str
    top: list[Option]
    rest: list[Option]

    @property
    def total(self) -> int:
        return len(self.top) + len(self.rest)

    @property
    def rest_selected(self) -> bool:
        return any(option.selected for option in self.rest)


def panel_groups(facets: list[Facet]) -> list[FacetGroup]:
    """Options with matches (or ticked) before those without; a facet of more than SHORT_FACET
    options shows its SHORTLIST largest first and folds the rest, in the vocabulary's order."""
    groups = []
    for facet in facets:
        live = [option for option in facet.options if option.count or option.selected]
        idle = [option for option in facet.options if not (option.count or option.selected)]
        if len(facet.options) <= SHORT_FACET:
            groups.append(FacetGroup(facet.name, facet.label, live + idle, []))
            continue
        # A stable sort: equal counts keep the vocabulary's (alphabetical) order.
        top = sorted(live, key=lambda option: -option.count)[:SHORTLIST]
        rest = [option for option in live if option not in top] + idle
        groups.append(FacetGroup(facet.name, facet.label, top, rest))
    return groups


ORGANIZATION_SORTS = [("name", gettext_lazy("Name")), ("cases", gettext_lazy("Most cases"))]


class OrganizationFilterForm(CaseFilterForm):
    sort = forms.ChoiceField(
        choices=ORGANIZATION_SORTS,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Unknown sort “%(value)s”: use name or cases.")
        },
    )
    page_size = None


@dataclass
class KindOption(Option):
    query: str  # the list with this kind added, or removed when selected


class OrganizationFilter(django_filters.FilterSet):
    """The organization list: name search (accents folded), kinds (OR-ed), sort and page."""

    q = django_filters.CharFilter(
        field_name="name", method="search", max_length=MAX_QUERY_LENGTH, label="Search"
    )
    kind = FacetFilter(
        field_name="kind",
        choices=Organization.Kind.choices,
        method="filter_kinds",
        error_messages=_unknown("kind"),
    )

    class Meta:
        model = Organization
        fields = []
        form = OrganizationFilterForm

    def __init__(self, data=None, *args, directory=None, **kwargs):
        super().__init__(normalize(data) if data is not None else None, *args, **kwargs)
        # With the current CatalogueIndex's OrganizationDirectory (cases/index.py), the search,
        # the counts and the pages come from it; without one, from SQL.
        self.directory = directory

    @cached_property
    def terms(self) -> SearchTerms:
        return search_terms(self.form.cleaned_data.get("q") or "")

    @cached_property
    def found(self):
        """The directory's positions of the organizations the search finds."""
        return self.directory.matching(self.terms)

    def results(self):
        """The organizations of the page's search and kinds, in its order: what it pages."""
        if self.directory is None:
            return self.qs
        chosen = self.form.cleaned_data.get("kind")
        found = self.found & self.directory.of_kinds(chosen) if chosen else self.found
        return self.directory.listing(found, self.sort)

    @cached_property
    def named(self) -> list[int]:
        """The organizations the search finds: the names are scanned once per request."""
        return self.queryset.named(self.terms)

    def search(self, queryset, name, value):
        return queryset.among(self.named) if self.terms.words else queryset

    def filter_kinds(self, queryset, name, value):
        return queryset.of_kinds(value)

    @property
    def sort(self) -> str:
        return self.form.cleaned_data.get("sort") or "name"

    def filter_queryset(self, queryset):
        for name, declared in self.filters.items():  # sort and page are the form's, not filters
            queryset = declared.filter(queryset, self.form.cleaned_data.get(name))
        return queryset.with_case_counts().sorted_by(self.sort)

    def canonical_query(self) -> QueryDict:
        """q with single spaces, the kinds once and sorted, a sort other than by name and a page
        other than the first: equal queries give equal pages."""
        data, query = self.form.cleaned_data, QueryDict(mutable=True)
        values = {
            "q": [" ".join(data.get("q", "").split())],
            "kind": sorted(set(data.get("kind") or [])),
            "sort": [self.sort] if self.sort != "name" else [],
            "page": [str(data["page"])] if (data.get("page") or 1) > 1 else [],
        }
        for name, given in values.items():
            if any(given):
                query.setlist(name, given)
        return query

    @cached_property
    def kind_counts(self) -> dict[str, int]:
        """How many organizations of each kind the search finds (one pass over them)."""
        if self.directory is not None:
            return self.directory.kind_counts(self.found)
        return self.search(self.queryset, "q", self.terms).kind_counts()

    def total(self) -> int:
        """How many organizations the page lists, from the kind counts: no second pass."""
        chosen = self.form.cleaned_data.get("kind")
        return sum(n for kind, n in self.kind_counts.items() if not chosen or kind in chosen)

    def kinds(self) -> list[KindOption]:
        """Every kind with the number of organizations it has among those the search finds."""
        chosen, counts = set(self.form.cleaned_data.get("kind") or []), self.kind_counts
        options = []
        for value, label in Organization.Kind.choices:
            query = self.canonical_query()
            query.pop("page", None)
            query.setlist("kind", sorted(chosen ^ {value}))
            options.append(
                KindOption(value, label, counts.get(value, 0), value in chosen, query.urlencode())
            )
        return options
