import sys

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.db import DatabaseError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views import defaults
from django.views.generic import DetailView, ListView, TemplateView, View

from . import exports
from .caching import cached
from .filters import FACETS, SORTS, CaseFilter, load_title_words, load_vocabulary, normalize
from .index import current_index
from .models import CardPages, Case, Organization, Region, Theme

LIST_PAGE_SIZE = 20
JSON_PAGE_SIZE = 50


def bad_request(request, errors, as_json=False):
    """A 400 that says what was wrong with the query, as a page or a JSON object."""
    detail = {field: [str(message) for message in messages] for field, messages in errors.items()}
    problems = [f"{field}: {message}" for field, messages in detail.items() for message in messages]
    if as_json:
        return JsonResponse({"error": " ".join(problems), "errors": detail}, status=400)
    return render(request, "400.html", {"problems": problems}, status=400)


class FilteredCasesMixin:
    """Build the shared CaseFilter; answer 400 when the query is not understood."""

    as_json = False
    parameters = ("q", *FACETS, "sort", "page")  # what the response depends on

    @staticmethod
    def filterset_of(request, queryset=None) -> CaseFilter:
        """The CaseFilter of this request's query, with the catalogue index when it is current
        (else SQL), its choices from the index or the cached vocabulary."""
        index = current_index(request)
        vocabulary = index.vocabulary if index else cached(request, "vocabulary", load_vocabulary)
        return CaseFilter(
            request.GET, queryset=queryset, request=request, vocabulary=vocabulary, index=index
        )

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        """The validated `parameters` in their canonical form; None when the query is refused."""
        filterset = cls.filterset_of(request)
        return filterset.canonical_query(cls.parameters) if filterset.is_valid() else None

    def dispatch(self, request, *args, **kwargs):
        self.filterset = self.filterset_of(request, Case.objects.published())
        if not self.filterset.is_valid():
            return bad_request(request, self.filterset.errors, as_json=self.as_json)
        self.kwargs["page"] = self.filterset.form.cleaned_data.get("page") or 1
        return super().dispatch(request, *args, **kwargs)


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        published = Case.objects.published()

        def summary():
            return {
                "case_count": published.count(),
                "organization_count": Organization.objects.public().count(),
                "country_count": published.exclude(country="").values("country").distinct().count(),
                "themes": list(Theme.objects.with_case_counts()),
                "regions": list(Region.objects.with_case_counts()),
            }

        return super().get_context_data(
            **cached(self.request, "home", summary),
            recent=self.recent(6),
            **kwargs,
        )

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
        context = super().get_context_data(
            filterset=self.filterset,
            facets=facets,
            chips=self.filterset.chips(),
            sorts=SORTS,
            sort=self.filterset.sort,
            searching=self.filterset.searching,
            query=self.filterset.form.cleaned_data.get("q", ""),
            search_terms=self.filterset.terms,
            export_query=normalize(self.request.GET).urlencode(),
            **kwargs,
        )
        if self.filterset.searching and not context["paginator"].count:
            words = cached(self.request, "title-words", load_title_words)
            suggestion = self.filterset.suggestion(words)
            if suggestion:
                params = self.request.GET.copy()
                params["q"] = suggestion
                params.pop("page", None)
                context.update(suggestion=suggestion, suggestion_query=params.urlencode())
        return context


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
        return JsonResponse(exports.json_page(request, page))


class CaseCSVView(FilteredCasesMixin, View):
    parameters = ("q", *FACETS, "sort")

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

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).for_listing()

    def get_context_data(self, **kwargs):
        related = Case.objects.related_to(self.object)
        return super().get_context_data(related=related, **kwargs)


def case_json(request, slug):
    cards = Case.objects.visible_to(request.user).filter(slug=slug).cards()
    if not cards:
        raise Http404("No case has this address.")
    return JsonResponse(exports.case_dict(request, cards[0]))


class PageMixin:
    """A malformed `page` answers 400; a page past the end stays a 404."""

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        """The page number alone (none for the first page); None when it is malformed."""
        field = forms.IntegerField(min_value=1, max_value=10**9, required=False)
        try:
            page = field.clean(request.GET.get("page", "").strip()) or 1
        except forms.ValidationError:
            return None
        return QueryDict(f"page={page}" if page > 1 else "", mutable=True)

    def get(self, request, *args, **kwargs):
        query = self.canonical_query(request)
        if query is None:
            return bad_request(request, {"page": ["The page must be a whole number (1, 2, 3…)."]})
        self.kwargs["page"] = int(query.get("page", 1))
        return super().get(request, *args, **kwargs)


class OrganizationListView(PageMixin, ListView):
    template_name = "cases/organization_list.html"
    context_object_name = "organizations"
    paginate_by = 50

    @staticmethod
    def kind_of(request) -> str:
        """The kind asked for, as stored; empty for every kind."""
        return request.GET.get("kind", "").strip().lower()

    @classmethod
    def canonical_query(cls, request) -> QueryDict | None:
        """The page and a known kind; None when either is malformed."""
        query, kind = super().canonical_query(request), cls.kind_of(request)
        if query is None or (kind and kind not in Organization.Kind.values):
            return None
        if kind:
            query["kind"] = kind
        return query

    def get(self, request, *args, **kwargs):
        self.kind = self.kind_of(request)
        if self.kind and self.kind not in Organization.Kind.values:
            return bad_request(request, {"kind": [f"Unknown organization kind “{self.kind}”."]})
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        organizations = Organization.objects.public().with_case_counts()
        return organizations.filter(kind=self.kind) if self.kind else organizations

    def get_context_data(self, **kwargs):
        counts = Organization.objects.public().kind_counts()
        options = [(key, label, counts.get(key, 0)) for key, label in Organization.Kind.choices]
        return super().get_context_data(kind=self.kind, kinds=options, **kwargs)


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
        return CardPages(Case.objects.naming(self.object).order_by("title"))


class ThemeListView(ListView):
    template_name = "cases/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return Theme.objects.with_case_counts()


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
