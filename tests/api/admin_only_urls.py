"""A site with the admin and without the HTTP API (see test_schema)."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
