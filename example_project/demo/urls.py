"""URLs of the demo: the admin, and the generation pages and JSON API at the root."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("generation.urls")),
]
