"""The catalogue's URLs: `pages` (HTML, one copy per language under its prefix) and
`urlpatterns` (data: JSON, CSV, linked data, feed, citations; language-neutral, unprefixed)."""

from django.urls import path

from . import views
from .caching import catalogue_page

urlpatterns = [
    path("cases.json", catalogue_page(views.CaseJSONView.as_view()), name="case-list-json"),
    path("cases.csv", catalogue_page(views.CaseCSVView.as_view()), name="case-list-csv"),
    path(
        "cases.jsonld",
        catalogue_page(views.CaseLinkedDataView.as_view()),
        name="case-list-linked-data",
    ),
    # Before the case pages: "feed" is not a case's slug.
    path("cases/feed/", catalogue_page(views.CaseFeedView.as_view()), name="case-feed"),
    *(
        path(
            f"cases/<slug:slug>/cite.{style}",
            catalogue_page(views.case_citation),
            {"style": style},
            name=f"case-cite-{style}",
        )
        for style in ("bib", "ris", "json")
    ),
    path(
        "cases/<slug:slug>.json",
        catalogue_page(views.CaseDetailJSONView.as_view()),
        name="case-detail-json",
    ),
    path("api/openapi.json", catalogue_page(views.openapi_json), name="api-openapi"),
    path("healthz", views.healthz, name="healthz"),
]

pages = [
    path("", catalogue_page(views.HomeView.as_view()), name="home"),
    path("cases/", catalogue_page(views.CaseListView.as_view()), name="case-list"),
    path("cases/<slug:slug>/", catalogue_page(views.CaseDetailView.as_view()), name="case-detail"),
    path(
        "organizations/",
        catalogue_page(views.OrganizationListView.as_view()),
        name="organization-list",
    ),
    path(
        "organizations/<slug:slug>/",
        catalogue_page(views.OrganizationDetailView.as_view()),
        name="organization-detail",
    ),
    path("themes/", catalogue_page(views.ThemeListView.as_view()), name="theme-list"),
    path(
        "themes/<slug:slug>/", catalogue_page(views.ThemeDetailView.as_view()), name="theme-detail"
    ),
    path("regions/", catalogue_page(views.RegionListView.as_view()), name="region-list"),
    path(
        "regions/<slug:slug>/",
        catalogue_page(views.RegionDetailView.as_view()),
        name="region-detail",
    ),
    path(
        "collections/",
        catalogue_page(views.CollectionListView.as_view()),
        name="collection-list",
    ),
    path(
        "collections/<slug:slug>/",
        catalogue_page(views.CollectionDetailView.as_view()),
        name="collection-detail",
    ),
    path("api/", catalogue_page(views.ApiView.as_view()), name="api"),
    path("data/", catalogue_page(views.DataView.as_view()), name="data"),
    path("suggest/", views.SuggestView.as_view(), name="suggest"),
    path("suggest/thanks/", views.SuggestThanksView.as_view(), name="suggest-thanks"),
]
