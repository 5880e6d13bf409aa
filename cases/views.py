import sys
from functools import partial

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import DatabaseError, IntegrityError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from . import citations, exports, linked_data, openapi, sitemaps
from .caching import absolute_url, cached
from .excerpts import case_excerpt
from .feeds import CaseFeed
from .filters import (
    FACETS,
    ORGANIZATION_SORTS,
    SORTS,
    CaseFilter,
    OrganizationFilter,
    load_title_words,
    load_vocabulary,
    normalize,
    panel_groups,
)
from .index import current_index
from .models import CardPages, Case, CatalogueState, Collection, Organization, Region, Theme
from .region_map import home_map, list_map
from .suggestions import SuggestionForm, TooManySuggestions, save_suggestion

LIST_PAGE_SIZE = 20
JSON_PAGE_SIZE = 50
EXPORT_PARAMETERS = ("q", *FACETS, "sort")


def bad_request(request, errors, as_json=False):
    """A 400 that says what was wrong with the query, as a page or a JSON object."""
    detail = {field: [str(message) for message in messages] for field, messages in errors.items()}
    problems = [f"{field}: {message}" for field, messages in detail.items() for message in messages]
    if as_json:
        return JsonResponse({"error": " ".join(problems), "errors": detail}, status=400)
    return render(request, "400.html", {"problems": problems}, status=400)


def vocabulary(request) -> dict[str, list[tuple[str, str]]]:
    """The themes, regions and countries of published cases: the index's when it is current,
    else read (and kept for the catalogue version)."""
    index = current_index(request)
    return index.vocabulary if index else cached(request, "vocabulary", load_vocabulary)


class FilteredCasesMixin:
    """Build the shared CaseFilter; answer 400 when the query is not understood."""

    as_json = False
    parameters = ("q", *FACETS, "sort", "page")  # what the response depends on

    @staticmethod
    def filterset_of(request, queryset=None) -> CaseFilter:
        """The CaseFilter of this request's query, with the catalogue index when it is current
        (else SQL), its choices from the index or the cached vocabulary."""
        index = current_index(request)
        return CaseFilter(
            request.GET,
            queryset=queryset,
            request=request,
            vocabulary=vocabulary(request),
            index=index,
        )

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        """The validated `parameters` in their canonical form; None when the query is refused.
        When that form says exactly what the query said (the usual case), the view reuses this
        CaseFilter (`request.case_filter`): the query is validated once per request."""
        filterset = cls.filterset_of(request, Case.objects.published())
        if not filterset.is_valid():
            return None
        query = filterset.canonical_query(cls.parameters)
        if list(normalize(query).lists()) == list(filterset.data.lists()):
            request.case_filter = (query, filterset)
        return query

    def dispatch(self, request, *args, **kwargs):
        query, filterset = getattr(request, "case_filter", (None, None))
        if query is not request.GET:  # reused only for the very query it was checked against
            filterset = self.filterset_of(request, Case.objects.published())
        self.filterset = filterset
        if not self.filterset.is_valid():
            return bad_request(request, self.filterset.errors, as_json=self.as_json)
        self.kwargs["page"] = self.filterset.form.cleaned_data.get("page") or 1
        return super().dispatch(request, *args, **kwargs)


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            counts=catalogue_counts(self.request),
            themes=with_case_counts(self.request, Theme),
            regions=with_case_counts(self.request, Region),
            recent=self.recent(6),
            **kwargs,
        )
        return {**context, "region_map": home_map(context["regions"])}

    def recent(self, n: int):
        """The n most recently updated published cases, as cards."""
        index = current_index(self.request)
        if index:
            return index.cases(index.everything, "recent", None)[0:n]
        return Case.objects.published().order_by("-updated_at", "title")[:n].cards()


class CaseListView(FilteredCasesMixin, ListView):
    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginate_by = LIST_PAGE_SIZE

    def get_queryset(self):
        return self.filterset.cases()

    def get_context_data(self, **kwargs):
        filterset = self.filterset
        # From the index, facets cost less than a cache lookup.
        facets = (
            filterset.facets()
            if filterset.index
            else cached(self.request, filterset.facet_key(), filterset.facets)
        )
        chips = filterset.chips()
        regions = next(facet.options for facet in facets if facet.name == "region")
        context = super().get_context_data(
            filterset=filterset,
            facet_groups=panel_groups(facets),
            region_map=list_map(regions, self.request.GET),
            chips=chips,
            filter_chips=[chip for chip in chips if chip.name != "q"],
            sorts=SORTS,
            sort=self.filterset.sort,
            searching=self.filterset.searching,
            query=self.filterset.form.cleaned_data.get("q", ""),
            search_terms=self.filterset.terms,
            # The whole filtered set, whichever page is on screen.
            export_query=self.filterset.canonical_query(EXPORT_PARAMETERS).urlencode(),
            **kwargs,
        )
        if self.filterset.searching:
            for case in context["cases"]:  # the page's cards only: a bounded cost
                case.search_excerpt = case_excerpt(case, self.filterset.terms)
        if self.filterset.searching and not context["paginator"].count:
            context.update(self.suggestion())
        return context

    def suggestion(self) -> dict:
        """For a search that found nothing: the search with its unknown words corrected (the
        index's words, else read and kept for the catalogue version), and its query."""
        index = self.filterset.index
        words = (
            index.suggestion_words
            if index
            else cached(self.request, "title-words", load_title_words)
        )
        suggestion = self.filterset.suggestion(words)
        if not suggestion:
            return {}
        params = self.request.GET.copy()
        params["q"] = suggestion
        params.pop("page", None)
        return {"suggestion": suggestion, "suggestion_query": params.urlencode()}


class CaseJSONView(FilteredCasesMixin, View):
    as_json = True
    parameters = (*FilteredCasesMixin.parameters, "page_size")

    def get(self, request):
        data = self.filterset.form.cleaned_data
        size = data.get("page_size") or JSON_PAGE_SIZE
        paginator = Paginator(self.filterset.cases(), size)
        number = data.get("page") or 1
        try:
            page = paginator.page(number)
        except EmptyPage:
            return JsonResponse(
                {"error": f"page {number} is past the end ({paginator.num_pages} pages)"},
                status=404,
            )
        return self.page_response(request, page)

    def page_response(self, request, page):
        return JsonResponse(exports.json_page(request, page))


class CaseCSVView(FilteredCasesMixin, View):
    parameters = EXPORT_PARAMETERS

    def get(self, request):
        rows = exports.csv_lines(self.filterset.qs, request)
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cases.csv"'
        # Sent before the rows, so a client can tell a cut-off download from a complete one.
        response["X-Total-Count"] = self.filterset.qs.count()
        return response


class CaseDetailView(DetailView):
    template_name = "cases/case_detail.html"
    context_object_name = "case"
    # The page, or the case as linked data for a client that asks for it (Accept).
    media_types = ("text/html", linked_data.JSON_LD, linked_data.TURTLE)

    def get_object(self, queryset=None):
        cases = Case.objects.visible_to(self.request.user)
        try:
            return cases.get_for_page(self.kwargs["slug"], current_index(self.request))
        except Case.DoesNotExist:
            raise Http404(f"No case with the slug “{self.kwargs['slug']}”.") from None

    def get(self, request, *args, **kwargs):
        if request.media_type == "text/html":
            return super().get(request, *args, **kwargs)
        node = linked_data.case_node(request, self.get_object())
        return linked_data_response(linked_data.document([node]), request.media_type)

    def get_context_data(self, **kwargs):
        index = current_index(self.request)
        related = index.related(self.object) if index else Case.objects.related_to(self.object)
        permalink = absolute_url(self.request, self.object.get_absolute_url())
        # A published case makes its collections public; a draft's page is for staff only.
        in_one = not index or index.in_a_collection(self.object.pk)
        collections = self.object.collection_list() if in_one else []
        return super().get_context_data(
            related=related, permalink=permalink, collections=collections, **kwargs
        )


class CaseDetailJSONView(View):
    """One case in the shape of a /cases.json result; an unknown slug is a JSON 404."""

    def get(self, request, slug):
        cards = Case.objects.visible_to(request.user).filter(slug=slug).cards()
        if not cards:
            message = f"No published case has the slug “{slug}”."
            return JsonResponse({"error": message}, status=404)
        return JsonResponse(exports.case_dict(request, cards[0]))


def page_query(request, name: str = "page") -> QueryDict | None:
    """The page number `name` alone (none for the first page); None when it is malformed."""
    field = forms.IntegerField(min_value=1, max_value=10**9, required=False)
    try:
        page = field.clean(request.GET.get(name, "").strip()) or 1
    except forms.ValidationError:
        return None
    return QueryDict(f"{name}={page}" if page > 1 else "", mutable=True)


class PageMixin:
    """A malformed `page` answers 400; a page past the end stays a 404."""

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        return page_query(request)

    def get(self, request, *args, **kwargs):
        query = self.canonical_query(request)
        if query is None:
            return bad_request(
                request, {"page": [gettext("The page must be a whole number (1, 2, 3…).")]}
            )
        self.kwargs["page"] = int(query.get("page", 1))
        return super().get(request, *args, **kwargs)


class OrganizationListView(ListView):
    template_name = "cases/organization_list.html"
    context_object_name = "organizations"
    paginate_by = 50

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        """The validated search, kinds, sort and page; None when the query is refused."""
        filterset = OrganizationFilter(request.GET, queryset=Organization.objects.none())
        return filterset.canonical_query() if filterset.is_valid() else None

    def get(self, request, *args, **kwargs):
        index = current_index(request)
        self.filterset = OrganizationFilter(
            request.GET,
            queryset=Organization.objects.public(),
            directory=index.directory if index else None,
        )
        if not self.filterset.is_valid():
            return bad_request(request, self.filterset.errors)
        self.kwargs["page"] = self.filterset.form.cleaned_data.get("page") or 1
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filterset.results()

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.filterset.total()
        return paginator

    def get_context_data(self, **kwargs):
        data = self.filterset.form.cleaned_data
        return super().get_context_data(
            query=data.get("q", ""),
            chosen_kinds=data.get("kind", []),
            kinds=self.filterset.kinds(),
            sort=self.filterset.sort,
            sorts=ORGANIZATION_SORTS,
            **kwargs,
        )


class CasesOfMixin(PageMixin):
    """A page about one thing (organization, theme, region) listing its published cases."""

    paginate_by = LIST_PAGE_SIZE
    context_object_name = "cases"

    def get_object_queryset(self):
        return self.model.objects.all()

    def get(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.get_object_queryset(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)


class OrganizationDetailView(CasesOfMixin, ListView):
    model = Organization
    template_name = "cases/organization_detail.html"

    def get_object_queryset(self):
        # An organization only a draft names is not public yet.
        return (
            Organization.objects.all()
            if self.request.user.is_staff
            else Organization.objects.public()
        )

    def get_queryset(self):
        index = current_index(self.request)
        count = index.directory.cases_naming(self.object.pk) if index else None
        return CardPages(Case.objects.naming(self.object).order_by("title"), count)


def with_case_counts(request, model: type[Theme | Region]) -> list:
    """Every theme or region by name, each with `case_count`: from the index's bitmaps when it
    is current, else from a query grouping every case's links (kept for the version)."""
    index = current_index(request)
    if index is None:
        name = f"{model._meta.model_name}-counts"
        return cached(request, name, lambda: list(model.objects.with_case_counts()))
    totals = index.totals(model._meta.model_name)
    named = list(model.objects.order_by("name"))
    for item in named:
        item.case_count = totals.get(item.slug, 0)
    return named


class ThemeListView(ListView):
    template_name = "cases/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return with_case_counts(self.request, Theme)


class RegionListView(ListView):
    template_name = "cases/region_list.html"
    context_object_name = "regions"

    def get_queryset(self):
        return with_case_counts(self.request, Region)


class ThemeDetailView(CasesOfMixin, ListView):
    model = Theme
    template_name = "cases/theme_detail.html"

    def get_queryset(self):
        index = current_index(self.request)
        if index:
            return index.cases(index.chosen("theme", [self.object.slug]), "title", None)
        return CardPages(Case.objects.published().with_themes([self.object.slug]))


class RegionDetailView(CasesOfMixin, ListView):
    model = Region
    template_name = "cases/region_detail.html"

    def get_queryset(self):
        index = current_index(self.request)
        if index:
            return index.cases(index.chosen("region", [self.object.slug]), "title", None)
        return CardPages(Case.objects.published().filter(region=self.object))


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def database_is_busy(exc: BaseException | None) -> bool:
    """Whether exc is SQLite's "database is locked": a write waited out its busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def server_error(request):
    """The 500 page; a database too busy to take a write answers 503 "try again" instead."""
    if not database_is_busy(sys.exc_info()[1]):
        return defaults.server_error(request)
    page = loader.render_to_string("busy.html")
    return HttpResponse(page, status=503, headers={"Retry-After": "10"})


# Open data: the feed, citations, discovery, the API description and the data page.


class CaseFeedView(FilteredCasesMixin, View):
    """The Atom feed of the cases /cases/ lists under the same filters (its own order)."""

    parameters = ("q", *FACETS)

    def get(self, request):
        return CaseFeed(request, self.filterset)(request)


def case_citation(request, slug, style):
    """A case's citation as a BibTeX, RIS or CSL-JSON download; drafts are staff-only."""
    case = get_object_or_404(Case.objects.visible_to(request.user).for_listing(), slug=slug)
    build, content_type = citations.DOWNLOADS[style]
    response = HttpResponse(build(citations.of_case(request, case)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{case.slug}.{style}"'
    return response


@sitemap_views.x_robots_tag
def sitemap_index(request):
    """/sitemap.xml: the index of every page of every section's sitemap."""
    entries = sitemaps.index_entries(request)
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@sitemap_views.x_robots_tag
def sitemap_section(request, section):
    """One page (`p`) of a section's sitemap, as Django's sitemap view answers it, drawn in
    Python (sitemaps.urlset)."""
    sitemap = sitemaps.sections(request).get(section)
    if sitemap is None:
        raise Http404(f"No sitemap section “{section}”.")
    try:
        urls = sitemap.get_urls(request.GET.get("p", 1), get_current_site(request), request.scheme)
    except (EmptyPage, PageNotAnInteger):
        raise Http404(f"No page {request.GET.get('p')} in the sitemap of {section}.") from None
    latest = getattr(sitemap, "latest_lastmod", None)
    headers = {"Last-Modified": http_date(latest.timestamp())} if latest else None
    return HttpResponse(sitemaps.urlset(urls), content_type="application/xml", headers=headers)


sitemap_section.canonical_query = partial(page_query, name="p")


def robots_txt(request):
    """Crawlers read every public page once, through the sitemap, and skip the filter,
    search and sort combinations of the lists and exports, which multiply without end."""
    combinations = [
        "case-list",
        "case-feed",
        "case-list-json",
        "case-list-csv",
        "case-list-linked-data",
    ]
    # `?*`: a parser that ignores wildcards then blocks nothing, where `?` alone would read
    # as the whole of /cases/, case pages included.
    disallowed = [reverse("admin:index"), *(f"{reverse(name)}?*" for name in combinations)]
    for code, _ in settings.LANGUAGES:  # the list page in the other languages too
        if code != settings.LANGUAGE_CODE:
            with translation.override(code):
                disallowed.append(f"{reverse('case-list')}?*")
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in disallowed),
        "",
        f"Sitemap: {absolute_url(request, reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# The query parameters of each filtered view, by URL name: what the API description documents.
FILTERED_PARAMETERS = {
    "case-list-json": CaseJSONView.parameters,
    "case-list-csv": CaseCSVView.parameters,
    "case-feed": CaseFeedView.parameters,
}


def api_document(request) -> dict:
    return openapi.document(request, vocabulary(request), FILTERED_PARAMETERS)


def openapi_json(request):
    return JsonResponse(api_document(request), json_dumps_params={"indent": 1})


class ApiView(TemplateView):
    """/api/: the API description for people."""

    template_name = "cases/api.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(document=api_document(self.request), **kwargs)


def catalogue_counts(request) -> dict[str, int]:
    """How many published cases there are, organizations they name and countries they are in:
    from the index when it is current, else from SQL (kept for the catalogue version)."""
    index = current_index(request)
    if index:
        return {
            "cases": len(index.ids),
            "organizations": index.organizations,
            "countries": sum(1 for cases in index.values["country"].values() if cases),
        }

    def counted():
        published = Case.objects.published()
        return {
            "cases": published.count(),
            "organizations": Organization.objects.public().count(),
            "countries": published.exclude(country="").values("country").distinct().count(),
        }

    return cached(request, "counts", counted)


class DataView(TemplateView):
    """/data/: what the data holds, its dictionary, licence, citation and downloads."""

    template_name = "cases/data.html"

    def get_context_data(self, **kwargs):
        changed_at = CatalogueState.objects.current(public=True).changed_at
        citation = citations.of_catalogue(self.request, changed_at)
        return super().get_context_data(
            counts={
                **catalogue_counts(self.request),
                "themes": Theme.objects.count(),
                "regions": Region.objects.count(),
            },
            page_fields=exports.PAGE_FIELDS,
            case_fields=exports.dictionary(exports.CASE_FIELDS),
            csv_columns=exports.CSV_COLUMNS,
            license=settings.DATA_LICENSE,
            license_url=settings.DATA_LICENSE_URL,
            citation=citation,
            bibtex=citations.bibtex(citation),
            changed_at=changed_at,
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")  # each visitor's own CSRF token and start time
class SuggestView(FormView):
    """/suggest/: the public form that creates a draft case for the editors to review."""

    template_name = "cases/suggest.html"
    form_class = SuggestionForm

    def form_valid(self, form):
        # The address django-axes counts sign-ins by: DJANGO_CLIENT_IP_HEADER governs both.
        address = get_client_ip_address(self.request) or ""
        try:
            save_suggestion(form, address)
        except TooManySuggestions:
            message = gettext(
                "You have sent many suggestions in the last hour: nothing was saved. "
                "Please try again later."
            )
            return self.refused(form, message, status=429)
        except IntegrityError:
            # A case or organization of the same name was saved at the same moment.
            message = gettext("The catalogue changed while you sent this: please send it again.")
            return self.refused(form, message, status=409)
        return redirect("suggest-thanks")

    def refused(self, form, message: str, status: int):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=status)


class SuggestThanksView(TemplateView):
    template_name = "cases/suggest_thanks.html"


def linked_data_response(document: dict, media_type: str) -> HttpResponse:
    content_type = linked_data.CONTENT_TYPES[media_type]
    return HttpResponse(linked_data.serialize(document, media_type), content_type=content_type)


class CaseLinkedDataView(CaseJSONView):
    """/cases.jsonld: the cases of /cases.json (same filters, same pages) as schema.org JSON-LD,
    or Turtle with `format=ttl`; the pages link to each other in the Link header."""

    FORMATS = {"jsonld": linked_data.JSON_LD, "ttl": linked_data.TURTLE}

    @classmethod
    def format_of(cls, request) -> str | None:
        return cls.FORMATS.get(request.GET.get("format", "jsonld"))

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        query = super().canonical_query(request)
        if query is None or cls.format_of(request) is None:
            return None
        if cls.format_of(request) == linked_data.TURTLE:
            query["format"] = "ttl"
        return query

    def dispatch(self, request, *args, **kwargs):
        if self.format_of(request) is None:
            given = request.GET.get("format")
            errors = {"format": [f"Unknown format “{given}”: use jsonld or ttl."]}
            return bad_request(request, errors, as_json=True)
        return super().dispatch(request, *args, **kwargs)

    def page_response(self, request, page):
        # Linked data names each organization's country and website: whole rows, one page.
        ids = [card.pk for card in page.object_list]
        cases = Case.objects.filter(pk__in=ids).for_listing().in_bulk()
        nodes = [linked_data.case_node(request, cases[pk]) for pk in ids]
        response = linked_data_response(linked_data.document(nodes), self.format_of(request))
        response["X-Total-Count"] = page.paginator.count
        # The neighbours' addresses, as /cases.json gives them in its body.
        relations = {"next": "next", "previous": "prev"}
        fields = [field for field in exports.PAGE_FIELDS if field.name in relations]
        links = [
            f'<{url}>; rel="{relations[field.name]}"'
            for field in fields
            if (url := field.value(request, page))
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response


# Collections: cases brought together by the editors.


class CollectionListView(ListView):
    template_name = "cases/collection_list.html"
    context_object_name = "collections"

    def get_queryset(self):
        return Collection.objects.visible_to(self.request.user).with_case_counts()


class CollectionDetailView(CasesOfMixin, ListView):
    """A collection's introduction and its published cases in the editors' order."""

    model = Collection
    template_name = "cases/collection_detail.html"

    def get_object_queryset(self):
        # A collection of drafts only is not public yet.
        return Collection.objects.visible_to(self.request.user)

    def get_queryset(self):
        return Case.objects.published().in_collection(self.object).for_listing()
