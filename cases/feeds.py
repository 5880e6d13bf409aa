"""The Atom feed of recently updated published cases, under the filters of /cases/."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from .caching import absolute_url

FEED_SIZE = 50


class CaseFeed(Feed):
    """One feed per request: its links start with SITE_URL and keep the request's query."""

    feed_type = Atom1Feed
    author_name = settings.SITE_TITLE

    def __init__(self, request, filterset):
        super().__init__()
        self.request = request
        self.filterset = filterset
        query = request.GET.urlencode()
        self.query = f"?{query}" if query else ""

    def get_object(self, request, *args, **kwargs):
        return self.filterset

    def title(self, filterset):
        chosen = [chip.label for chip in filterset.chips()]
        return f"{settings.SITE_TITLE}: {', '.join(chosen) or 'all cases'}"

    def subtitle(self, filterset):
        return f"The {FEED_SIZE} most recently updated published cases."

    def link(self, filterset):
        return absolute_url(self.request, reverse("case-list") + self.query)

    def feed_url(self, filterset):
        return absolute_url(self.request, reverse("case-feed") + self.query)

    def feed_copyright(self, filterset):
        return f"Data licence: {settings.DATA_LICENSE} {settings.DATA_LICENSE_URL}".strip()

    def items(self, filterset):
        return filterset.qs.sorted_by("recent").for_listing()[:FEED_SIZE]

    def item_title(self, case):
        return case.title  # plain text: the feed writer escapes it once

    def item_description(self, case):
        # Atom sends the summary as HTML: the plain text escaped, its paragraphs kept.
        return linebreaks(case.description, autoescape=True)

    def item_link(self, case):
        return absolute_url(self.request, case.get_absolute_url())

    def item_author_name(self, case):
        return "; ".join(link.organization.name for link in case.links) or None

    def item_categories(self, case):
        return [theme.name for theme in case.themes.all()]

    def item_pubdate(self, case):
        return case.created_at

    def item_updateddate(self, case):
        return case.updated_at
