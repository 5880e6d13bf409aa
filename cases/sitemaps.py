"""Sitemaps of every public page: the lists, published cases, organizations, themes, regions
and collections.

A page's `lastmod` is the latest update of the published cases it shows, annotated in the
query that lists the pages (no query per page). Links start with SITE_URL when it is set,
without the sites framework. Every page is listed in each language of the interface, with
its versions in the others (`hreflang` alternates and x-default, the English one).
"""

from __future__ import annotations

from functools import cached_property
from html import escape  # Django's escape, without its lazy-string wrapper
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.timezone import template_localtime

from .caching import absolute_url
from .index import current_index, in_id_order
from .models import Case, CaseOrganization, Collection, CollectionCase, Organization, Region, Theme

PUBLISHED = Case.Status.PUBLISHED
# Items per page, each in three languages with four alternates (about 1.7 kB): pages of about
# 200 kB, drawn in about 12 ms, larger than a shared copy may be (CATALOGUE_CACHE_MAX_BYTES);
# the index lists every page.
PAGE_SIZE = 120


class LanguageVersions:
    """A sitemap's items as Django's i18n sitemaps take them, (item, language) pairs, but
    paged by item: a page holds `limit` items in every language and reads only those items
    (Django's own list of pairs reads every item of the section to build one page)."""

    def __init__(self, sitemap: Sitemap):
        self.sitemap = sitemap
        self.items = sitemap.items()

    def __len__(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def __getitem__(self, key: slice) -> list[tuple]:
        languages = self.sitemap.get_languages_for_item
        return [(item, code) for item in self.items[key] for code in languages(item)]


class CatalogueSitemap(Sitemap):
    """Links on SITE_URL's scheme and host; else (development) the request's. `index`: the
    current CatalogueIndex, when there is one."""

    i18n = True
    alternates = True
    x_default = True

    def __init__(self, index=None):
        self.index = index

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)

    def lastmod(self, item):
        return item.lastmod

    def _items(self):
        return LanguageVersions(self)

    def _urls(self, page, protocol, domain):
        """Django's Sitemap._urls (the same entries and latest_lastmod), with each language
        switched on once for the page, not for every address of every item (five each)."""
        pairs = self.paginator.page(page).object_list
        items = list({id(item): item for item, _ in pairs}.values())
        languages = {id(item): self.get_languages_for_item(item) for item in items}
        base, address = f"{protocol}://{domain}", {}
        for code in dict.fromkeys(code for codes in languages.values() for code in codes):
            with translation.override(code):
                for item in items:
                    if code in languages[id(item)]:
                        address[id(item), code] = base + self._get("location", (item, code))
        urls, lastmods = [], []
        for pair in pairs:
            item, language = pair
            codes = languages[id(item)]
            alternates = [
                {"location": address[id(item), code], "lang_code": code} for code in codes
            ]
            if settings.LANGUAGE_CODE in codes:
                default = address[id(item), settings.LANGUAGE_CODE]
                default = default.replace(f"/{settings.LANGUAGE_CODE}/", "/", 1)
                alternates.append({"location": default, "lang_code": "x-default"})
            lastmods.append(self._get("lastmod", pair))
            location = address[id(item), language]
            urls.append(
                {
                    "item": pair,
                    "location": location,
                    "lastmod": lastmods[-1],
                    "changefreq": None,
                    "priority": "",
                    "alternates": alternates,
                }
            )
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


class PageSitemap(CatalogueSitemap):
    """The home page, the lists and the data pages: they change with any published case."""

    def items(self):
        lists = ["case-list", "organization-list", "theme-list", "collection-list"]
        return ["home", *lists, "data", "api"]

    def location(self, name):
        return reverse(name)

    @cached_property
    def latest(self):
        return Case.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def lastmod(self, name):
        return self.latest

    def get_latest_lastmod(self):
        return self.latest


class CaseSitemap(CatalogueSitemap):
    limit = PAGE_SIZE

    def items(self):
        cases = Case.objects.only("slug", "updated_at")
        if self.index is not None:
            return IdPages(self.index.ids_by_pk, cases)
        return cases.filter(status=PUBLISHED).order_by("pk")

    def lastmod(self, case):
        return case.updated_at

    def get_latest_lastmod(self):
        return Case.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class OrganizationSitemap(CatalogueSitemap):
    """Public organizations by name: from the index's directory, a page reads only its own."""

    limit = PAGE_SIZE

    def items(self):
        if self.index is not None:
            return IdPages(self.index.directory.ids, with_lastmod(Organization.objects.all()))
        return with_lastmod(Organization.objects.public()).order_by("name")

    def get_latest_lastmod(self):
        links = CaseOrganization.objects.filter(case__status=PUBLISHED)
        return links.aggregate(latest=Max("case__updated_at"))["latest"]


def with_lastmod(organizations: QuerySet) -> QuerySet:
    """Each with `lastmod`, the latest update of its published cases: a subquery per
    organization of the page, not a GROUP BY over all of them."""
    links = CaseOrganization.objects.filter(organization=OuterRef("pk"), case__status=PUBLISHED)
    latest = links.values("organization").annotate(latest=Max("case__updated_at"))
    return organizations.only("slug").annotate(lastmod=Subquery(latest.values("latest")))


class IdPages:
    """The rows of a queryset by a list of ids, in its order, sliced: a page reads only its
    own rows (the index knows which and in what order)."""

    def __init__(self, ids, queryset: QuerySet):
        self.ids, self.queryset = ids, queryset

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, key: slice) -> list:
        return in_id_order(self.queryset, self.ids[key])


class VocabularySitemap(CatalogueSitemap):
    """Every theme or region; one without published cases has no lastmod."""

    model = None
    case_field = ""  # the field of Case that holds this vocabulary

    def items(self):
        cases = Case.objects.published().filter(**{self.case_field: OuterRef("pk")})
        latest = cases.values(self.case_field).annotate(latest=Max("updated_at"))
        return self.model.objects.annotate(lastmod=Subquery(latest.values("latest")))

    def get_latest_lastmod(self):
        tagged = Case.objects.published().filter(**{f"{self.case_field}__isnull": False})
        return tagged.aggregate(latest=Max("updated_at"))["latest"]


class ThemeSitemap(VocabularySitemap):
    model, case_field = Theme, "themes"


class RegionSitemap(VocabularySitemap):
    model, case_field = Region, "region"


class CollectionSitemap(CatalogueSitemap):
    """Public collections, changed when they are or when one of their published cases is."""

    def items(self):
        members = CollectionCase.objects.filter(collection=OuterRef("pk"), case__status=PUBLISHED)
        latest = members.values("collection").annotate(latest=Max("case__updated_at"))
        public = Collection.objects.public().only("slug", "updated_at").order_by("pk")
        return public.annotate(lastmod=Greatest("updated_at", Subquery(latest.values("latest"))))

    def get_latest_lastmod(self):
        members = CollectionCase.objects.filter(case__status=PUBLISHED)
        latest = members.aggregate(
            collection=Max("collection__updated_at"), case=Max("case__updated_at")
        )
        return max(filter(None, latest.values()), default=None)


SITEMAPS = {
    "pages": PageSitemap,
    "cases": CaseSitemap,
    "organizations": OrganizationSitemap,
    "themes": ThemeSitemap,
    "regions": RegionSitemap,
    "collections": CollectionSitemap,
}


def index_entries(request) -> list[SitemapIndexItem]:
    """Each page of each section's sitemap, with the section's latest change."""
    entries = []
    for section, sitemap in sections(request).items():
        url = absolute_url(request, reverse("sitemap-section", args=[section]))
        latest = sitemap.get_latest_lastmod()
        for page in sitemap.paginator.page_range:
            entries.append(SitemapIndexItem(url if page == 1 else f"{url}?p={page}", latest))
    return entries


def sections(request) -> dict[str, CatalogueSitemap]:
    """This request's sitemap of each section, with the catalogue index when it is current."""
    index = current_index(request)
    return {section: sitemap_class(index) for section, sitemap_class in SITEMAPS.items()}


URLSET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
    'sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n{}\n</urlset>\n'
)
ALTERNATE = '<xhtml:link rel="alternate" hreflang="{}" href="{}"/>'


def urlset(urls: list[dict]) -> str:
    """A sitemap page of Sitemap.get_urls() entries, as Django's sitemap.xml template draws it
    to the byte (in Python: the template spent some 30 ms on a page of 360 entries)."""
    html, days = [], {}
    for url in urls:
        html.append(f"<url><loc>{escape(url['location'])}</loc>")
        if lastmod := url["lastmod"]:
            if lastmod not in days:  # an item's languages share it
                days[lastmod] = date_format(template_localtime(lastmod), "Y-m-d")
            html.append(f"<lastmod>{days[lastmod]}</lastmod>")
        for alternate in url["alternates"]:
            language, location = escape(alternate["lang_code"]), escape(alternate["location"])
            html.append(ALTERNATE.format(language, location))
        html.append("</url>")
    return URLSET.format("".join(html))
