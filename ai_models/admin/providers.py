"""Providers: which backends are on, their base URL override and write-only API key."""

import logging
import time

from django.contrib import admin, messages
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from ..catalog import provider_statuses, refresh
from ..exceptions import AIModelsError, log_unexpected, redact
from ..models import Provider
from ..providers import build_provider
from .base import ModelAdmin
from .display import EMPTY, key_source_label, own_words, status_summary
from .forms import ProviderForm

logger = logging.getLogger(__name__)


@admin.register(Provider)
class ProviderAdmin(ModelAdmin):
    """Providers. The key is never rendered back: only whether one is stored and its last four."""

    form = ProviderForm
    list_display = ("slug", "name", "stored_key", "key_in_use", "is_active", "catalog_status")
    list_filter = ("is_active",)
    search_fields = ("slug", "name")
    actions = ["test_connection"]
    readonly_fields = ("stored_key", "key_in_use", "catalog_status", "created_at", "updated_at", "shown_base_url")
    fieldsets = (
        (None, {"fields": ("slug", "name", "base_url", "is_active")}),
        (_("API key"), {"fields": ("stored_key", "api_key", "clear_api_key", "key_in_use")}),
        (_("Catalog"), {"fields": ("catalog_status", "created_at", "updated_at")}),
    )
    # What a user who may only view reads: whether a key is set and where the one in use comes from,
    # never the key fields (Django would show the form-only fields as values) or help about typing them.
    viewing_fieldsets = (
        (None, {"fields": ("slug", "name", "shown_base_url", "is_active")}),
        (_("API key"), {"fields": ("stored_key", "key_in_use")}),
        (_("Catalog"), {"fields": ("catalog_status", "created_at", "updated_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return self.viewing_fieldsets
        return super().get_fieldsets(request, obj)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        self.warn_if_cache_unavailable(request)
        return response

    # Error reports (the admins' email with DEBUG off) show "********" for the key typed.
    @method_decorator(sensitive_post_parameters("api_key"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self.warn_if_cache_unavailable(request)
        return response

    @admin.display(description=_("base URL override"))
    def shown_base_url(self, obj):
        return obj.base_url or gettext("none: the provider's own API")

    @admin.display(description=_("stored key"))
    def stored_key(self, obj):
        if obj is None or not obj.has_stored_key:
            return gettext("not set")
        if obj.api_key_last4:
            return format_html('{} · <span class="aim-key">…{}</span>', gettext("set"), obj.api_key_last4)
        return gettext("set")

    @admin.display(description=_("key in use"))
    def key_in_use(self, obj):
        """Where the key the backend will send comes from: environment, settings or database."""
        if obj is None or not obj.slug:
            return EMPTY
        try:
            backend = build_provider(obj.slug, obj)
        except (AIModelsError, ImportError) as err:  # unknown provider
            return str(err)
        if not backend.key_error and not backend.api_key and not backend.requires_key:
            return gettext("not needed")
        return backend.key_error or key_source_label(backend.key_source)

    @admin.display(description=_("last catalog fetch"))
    def catalog_status(self, obj):
        if obj is None or not obj.slug:
            return EMPTY
        if not obj.is_active:
            return gettext("inactive: left out of the catalog")
        try:
            statuses = provider_statuses([obj.slug])
        except (AIModelsError, ImportError) as err:
            return str(err)
        return status_summary(statuses[0]) if statuses else EMPTY

    @admin.action(description=_("Test connection: fetch the model list now"), permissions=["change"])
    def test_connection(self, request, queryset):
        """Fetch each selected provider's list now and report the count and time, or the error.

        An enabled provider is fetched through the catalog, so its "last catalog fetch" (and
        Browse catalog) show the result too; an inactive one is fetched directly, cache untouched.
        """
        enabled = {status.provider for status in provider_statuses()}
        for row in queryset:
            started = time.monotonic()
            if row.is_active and row.slug in enabled:
                count, error = self._fetch_through_catalog(row)
            else:
                count, error = self._fetch_directly(row)
            if error is not None:
                self.message_user(
                    request,
                    gettext("%(provider)s: the connection test failed: %(error)s")
                    % {"provider": row, "error": own_words(error, row.slug)},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                ngettext(
                    "%(provider)s: %(count)d model listed in %(seconds).2f s.",
                    "%(provider)s: %(count)d models listed in %(seconds).2f s.",
                    count,
                )
                % {"provider": row, "count": count, "seconds": time.monotonic() - started},
                messages.SUCCESS,
            )

    @staticmethod
    def _fetch_through_catalog(row):
        """(model count, None) or (None, error) after refreshing the provider's cached catalog."""
        status = next(status for status in refresh([row.slug]).statuses if status.provider == row.slug)
        if status.state == "fresh":
            return status.count, None
        return None, status.error or gettext("unknown error")

    @staticmethod
    def _fetch_directly(row):
        backend = None
        try:
            backend = build_provider(row.slug, row)
            return len(backend.fetch_catalog()), None
        except Exception as err:
            api_key = backend.api_key if backend is not None else ""
            if isinstance(err, (AIModelsError, ImportError)):
                return None, redact(str(err), api_key)  # belt and braces: our errors never hold it
            # A third-party backend's own exception: its text may hold anything.
            log_unexpected(logger, f"Test connection of provider {row.slug!r} failed", err, api_key)
            return None, gettext("unexpected %(error)s; see the server log") % {"error": type(err).__name__}
