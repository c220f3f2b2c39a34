"""A second AdminSite with the app's admins registered on it, as docs/admin.md shows."""

from django.apps import apps
from django.contrib import admin
from django.urls import path

from ai_models.admin import AIModelAdmin, CatalogEntryAdmin, ProviderAdmin
from ai_models.models import AIModel, CatalogEntry, Provider

if apps.is_installed("unfold"):  # Unfold's templates need its site's extra views
    from unfold.sites import UnfoldAdminSite as AdminSite
else:
    AdminSite = admin.AdminSite

ops_site = AdminSite(name="ops")
ops_site.register(CatalogEntry, CatalogEntryAdmin)
ops_site.register(AIModel, AIModelAdmin)
ops_site.register(Provider, ProviderAdmin)

urlpatterns = [path("admin/", admin.site.urls), path("ops/", ops_site.urls)]
