from django.contrib import admin
from django.urls import include, path

from cases import views
from cases.caching import catalogue_page

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", catalogue_page(views.sitemap_index), name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        catalogue_page(views.sitemap_section),
        name="sitemap-section",
    ),
    path("", include("cases.urls")),
]

handler500 = "cases.views.server_error"
