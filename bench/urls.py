from django.contrib import admin
from django.urls import include, path

from bench.vanilla import views
from bench.vanilla.admin import plain_site
from bench.vanilla.api import VanillaList

urlpatterns = [
    path("admin/", admin.site.urls),
    path("plain-admin/", plain_site.urls),
    path("bench/catalog/old/", views.old_catalog, name="bench_old_catalog"),
    path("bench/catalog/new/", views.new_catalog, name="bench_new_catalog"),
    path("api/ai-models/", include("ai_models.api.urls")),
    path("bench/api/vanilla/", VanillaList.as_view(), name="bench_api_vanilla"),
]
