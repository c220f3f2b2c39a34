from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls)]

if find_spec("rest_framework"):  # the optional HTTP API
    urlpatterns.append(path("api/ai-models/", include("ai_models.api.urls")))
