"""URLs of the demo: the admin, the language switch, the generation pages and JSON API at the
root, and the HTTP API of ai_models at api/ai-models/ (when the rest extra is installed)."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the admin's language switch
    path("", include("generation.urls")),
]

if find_spec("rest_framework"):
    urlpatterns.insert(1, path("api/ai-models/", include("ai_models.api.urls")))
