"""Catalog rules: what staff hid from Browse catalog, the API and the board, per provider."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import CatalogRule
from .base import ModelAdmin


@admin.register(CatalogRule)
class CatalogRuleAdmin(ModelAdmin):
    """Hide rules and allow-lists. One model is hidden or shown again from Browse catalog's actions;
    patterns and allow-lists are written here. Django's history records each change."""

    list_display = ("provider", "action", "pattern", "created_at")
    list_filter = ("provider", "action")
    search_fields = ("provider", "pattern")
    fields = ("provider", "action", "pattern")
    search_help_text = _("Searches the provider id and the pattern.")
