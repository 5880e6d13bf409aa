from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cases import urls as cases_urls
from cases import views
from cases.caching import catalogue_page

# Data, admin and discovery URLs are language-neutral and unprefixed; the pages come once per
# language: English unprefixed, the others under /es/ and /fr/.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", catalogue_page(views.sitemap_index), name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        catalogue_page(views.sitemap_section),
        name="sitemap-section",
    ),
    path("", include(cases_urls)),
    *i18n_patterns(*cases_urls.pages, prefix_default_language=False),
]

handler500 = "cases.views.server_error"
