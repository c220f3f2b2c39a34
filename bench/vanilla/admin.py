"""A plain ModelAdmin with the Browse catalog's columns, filters, search and page size."""

from django.contrib import admin
from django.db.models import Q

from .models import VanillaEntry


class CapabilityFilter(admin.SimpleListFilter):
    title = "capability"
    parameter_name = "capability"

    def lookups(self, request, model_admin):
        return [("chat", "Chat"), ("content", "Content"), ("image", "Image"), ("audio", "Audio")]

    def queryset(self, request, queryset):
        return queryset.filter(capabilities__contains=self.value()) if self.value() else None


class PriceFilter(admin.SimpleListFilter):
    title = "price"
    parameter_name = "price"

    def lookups(self, request, model_admin):
        return [("free", "Free"), ("paid", "Paid")]

    def queryset(self, request, queryset):
        if self.value() == "free":
            return queryset.filter(input_price=0, output_price=0)
        if self.value() == "paid":
            return queryset.filter(Q(input_price__gt=0) | Q(output_price__gt=0))
        return None


@admin.register(VanillaEntry)
class VanillaEntryAdmin(admin.ModelAdmin):
    list_display = (
        "model_id",
        "name",
        "provider",
        "capabilities",
        "context_window",
        "input_price",
        "output_price",
    )
    list_display_links = None
    list_filter = ("provider", CapabilityFilter, PriceFilter)
    search_fields = ("model_id", "name", "description")
    ordering = ("name",)
    list_per_page = 100


# The Browse catalog admin with the vanilla admin's plain columns, on an admin site of its own:
# set against the vanilla changelist, it separates what the in-memory catalog costs a page
# (listing, states, filters, sorting, paging) from what rendering the richer columns costs.
plain_site = admin.AdminSite(name="plain")


def _plain_columns_admin():
    from ai_models.admin import CatalogEntryAdmin
    from ai_models.models import CatalogEntry

    class PlainColumnsCatalogAdmin(CatalogEntryAdmin):
        list_display = (
            "model_id",
            "name",
            "provider",
            "capabilities_plain",
            "context_window",
            "input_price",
            "output_price",
        )

        @admin.display(description="capabilities")
        def capabilities_plain(self, row):
            return ",".join(sorted(row.entry.capabilities))

    plain_site.register(CatalogEntry, PlainColumnsCatalogAdmin)


_plain_columns_admin()
