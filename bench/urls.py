from django.contrib import admin
from django.urls import path

from bench.vanilla import views
from bench.vanilla.admin import plain_site

urlpatterns = [
    path("admin/", admin.site.urls),
    path("plain-admin/", plain_site.urls),
    path("bench/catalog/old/", views.old_catalog, name="bench_old_catalog"),
    path("bench/catalog/new/", views.new_catalog, name="bench_new_catalog"),
]
