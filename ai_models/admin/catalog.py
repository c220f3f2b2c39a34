"""Browse catalog: the providers' live catalogs as a changelist, with Activate and Refresh.

The rows are never stored: ``get_queryset`` returns ``CatalogRows`` built from the cached
catalog, and ``InMemoryChangeListMixin`` filters, searches, sorts and pages them in Python.
Django's own ``changelist_view`` and templates (or Unfold's) render the page.
"""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import activation
from ..activation.ceilings import SIDES, ceilings, describe
from ..activation.plan import role_of
from ..capabilities import capability_choices, capability_label
from ..catalog import (
    Listing,
    entry_states,
    get_catalog,
    get_entry,
    provider_statuses,
    refresh,
)
from ..drift import expiry_flag
from ..exceptions import ActivationError, ActivationRefused, AIModelsError, UnknownCapability
from ..models import AIModel, CatalogEntry
from .base import ModelAdmin
from .changelist import in_memory
from .display import (
    EMPTY,
    capability_labels,
    entry_facts,
    entry_state,
    format_tokens,
    price_move,
    status_summary,
    with_source,
)
from ..prices import format_price, format_price_change
from .filters import CapabilityFilter, ExpiryFilter, PriceFilter, ProviderFilter, RequirementsFilter, StateFilter
from .forms import ActivateForm, override_field, override_fields
from .rows import CatalogRows


@admin.register(CatalogEntry)
class CatalogEntryAdmin(ModelAdmin):
    """Browse catalog: every model the enabled providers list now, to activate one."""

    list_display = (
        "model_id",
        "name",
        "provider",
        "capabilities",
        "context",
        "input_price_per_1m",
        "output_price_per_1m",
        "released",
        "state",
    )
    list_display_links = None
    list_filter = (ProviderFilter, CapabilityFilter, RequirementsFilter, PriceFilter, StateFilter, ExpiryFilter)
    search_fields = ("model_id", "name", "description")
    search_help_text = _("Searches the model id, name and description.")
    ordering = ("name",)
    list_per_page = 100
    show_facets = admin.ShowFacets.NEVER
    actions = ["activate", "save_without_activating"]
    change_list_template = "admin/ai_models/catalogentry/change_list.html"
    activate_template = "admin/ai_models/catalogentry/activate.html"

    # --- rows -------------------------------------------------------------------------------

    def listing(self, request):
        """The live catalog (``catalog.Listing``), read once per request.

        A configuration error (a provider id no class is registered under, say) becomes an
        error message over an empty list rather than a server error.
        """
        if not hasattr(request, "_ai_models_listing"):
            try:
                request._ai_models_listing = get_catalog()
            except AIModelsError as err:
                self.message_user(request, str(err), messages.ERROR)
                request._ai_models_listing = Listing(entries=[], statuses=[])
        return request._ai_models_listing

    def get_queryset(self, request):
        """All catalog rows as ``CatalogRows``, with saved/active states from one query."""
        listing = self.listing(request)
        # Every saved model's state: the few not listed cost less than checking 10,000 pks.
        return CatalogRows(listing.entries, entry_states())

    def get_changelist(self, request, **kwargs):
        return in_memory(super().get_changelist(request, **kwargs))

    def get_search_results(self, request, queryset, search_term):
        search_term = self.bounded_search(request, search_term)
        return (queryset.narrow(search=search_term) if search_term else queryset), False

    # --- columns ----------------------------------------------------------------------------

    @admin.display(description=_("capabilities"))
    def capabilities(self, row):
        return capability_labels(row.entry.capabilities, row.entry.capability_reasons)

    @admin.display(description=_("context window"), ordering="context_window")
    def context(self, row):
        return with_source(row.entry, "context_window", format_tokens(row.context_window))

    @admin.display(description=_("input / 1M tokens"), ordering="input_price")
    def input_price_per_1m(self, row):
        return with_source(row.entry, "input_price", format_price(row.input_price))

    @admin.display(description=_("output / 1M tokens"), ordering="output_price")
    def output_price_per_1m(self, row):
        return with_source(row.entry, "output_price", format_price(row.output_price))

    @admin.display(description=_("released"), ordering="-created")
    def released(self, row):
        return row.created.date().isoformat() if row.created else EMPTY

    @admin.display(description=_("state"))
    def state(self, row):
        return entry_state(row.state, row.entry.expires, row.entry.source_of("expires"))

    # --- permissions: the catalog is read-only; activating and refreshing have their own ---

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_activate_permission(self, request):
        return request.user.has_perm("ai_models.activate_aimodel")

    def has_refresh_permission(self, request):
        return request.user.has_perm("ai_models.refresh_catalog")

    # --- views ------------------------------------------------------------------------------

    def get_urls(self):
        """The changelist and the refresh view; no add, change, delete or history pages."""
        info = self.opts.app_label, self.opts.model_name
        changelist = [url for url in super().get_urls() if url.name == "%s_%s_changelist" % info]
        refresh_url = path("refresh/", self.admin_site.admin_view(self.refresh_view), name="%s_%s_refresh" % info)
        return [refresh_url, *changelist]

    def changelist_view(self, request, extra_context=None):
        context = {
            "title": gettext("Browse catalog"),
            # Called by the template, so only after changelist_view has checked the permission.
            "provider_panel": partial(self.provider_panel, request),
            **(extra_context or {}),
        }
        response = super().changelist_view(request, context)
        self.warn_if_cache_unavailable(request)  # the listing has been read: it would have failed by now
        return response

    def provider_panel(self, request):
        """Context of the provider status panel above the list."""
        return {
            "statuses": [(status, status_summary(status)) for status in self.listing(request).statuses],
            "can_refresh": self.has_refresh_permission(request),
            "refresh_url": self._url("refresh"),
            "next": request.get_full_path(),
        }

    def refresh_view(self, request):
        """POST: fetch the chosen providers' catalogs again (all when none is named), then go back."""
        if request.method != "POST":  # a bookmarked or typed URL: back to the list, not a blank 405
            self.message_user(request, gettext("Refresh is a button on this page: press it to fetch the catalogs again."),
                              messages.INFO)
            return HttpResponseRedirect(self._url("changelist"))
        if not self.has_refresh_permission(request):
            raise PermissionDenied
        known = {status.provider for status in provider_statuses()}
        chosen = [provider for provider in request.POST.getlist("provider") if provider in known]
        if request.POST.getlist("provider") and not chosen:
            self.message_user(request, gettext("Unknown provider: nothing was refreshed."), messages.ERROR)
            return HttpResponseRedirect(self._back_url(request))
        for status in refresh(chosen or None).statuses:
            if chosen and status.provider not in chosen:
                continue
            level = {"fresh": messages.SUCCESS, "stale": messages.WARNING}.get(status.state, messages.ERROR)
            self.message_user(request, f"{status.name}: {status_summary(status)}", level)
        return HttpResponseRedirect(self._back_url(request))

    def _url(self, view, *args, model_name=None):
        """The URL of one of this admin site's views (``admin`` or a custom site's namespace)."""
        name = f"{self.admin_site.name}:{self.opts.app_label}_{model_name or self.opts.model_name}_{view}"
        return reverse(name, args=args, current_app=self.admin_site.name)

    def _back_url(self, request):
        changelist = self._url("changelist")
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
        return target if safe and target.startswith(changelist) else changelist

    # --- actions ----------------------------------------------------------------------------

    @admin.action(description=_("Activate the selected model"), permissions=["activate"])
    def activate(self, request, queryset):
        return self._choose_capability(request, queryset, activating=True)

    @admin.action(description=_("Save the selected model without activating it"), permissions=["activate"])
    def save_without_activating(self, request, queryset):
        return self._choose_capability(request, queryset, activating=False)

    def _choose_capability(self, request, rows, *, activating):
        """Confirmation page for one model; on confirmation, activate (or save) it and go back.

        Every check is the activation flow's: a refusal comes back as gate outcomes, each shown on
        its override checkbox (or, when the user may not override it, as the reason nothing changed).
        """
        entry = self._one_entry(request, rows)
        if entry is None:
            return None
        data = request.POST if "confirm" in request.POST else None
        form = ActivateForm(entry, data, preferred=request.GET.get("capability"))
        if not form.is_valid():
            return self._confirmation(request, entry, form, activating)
        capability, parameters = form.cleaned_data["capability"], form.cleaned_data["parameters"]
        # The listing leaves out the provider's raw data; the saved metadata keeps it.
        entry = get_entry(entry.provider, entry.model_id) or entry
        try:
            if activating:
                change = activation.activate(entry, capability, request.user, overrides=form.overrides(),
                                             parameters=parameters, test="trial" in request.POST)
            else:
                change = activation.save(entry, capability, request.user, overrides=form.overrides(),
                                         parameters=parameters)
        except ActivationRefused as refused:
            return self._refused(request, entry, form, activating, refused)
        except (ActivationError, UnknownCapability) as err:
            self.message_user(request, gettext("Nothing was changed: %(error)s") % {"error": err}, messages.ERROR)
            return None
        self._done(request, change, activating)
        return None

    def _refused(self, request, entry, form, activating, refused):
        """The page again, each refusal on its checkbox; a refusal the user may not override ends here."""
        if "trial" in refused.keys:
            trial = refused.plan.outcome("trial").finding.details
            return self._confirmation(request, entry, form, activating, trial=trial)
        if refused.not_permitted:
            self.message_user(request, str(refused), messages.ERROR)
            return None
        for outcome in refused.outcomes:  # the reason is shown above each checkbox
            form.add_error(override_field(outcome.key),
                           gettext("Tick this box to go ahead anyway, or choose another model."))
        return self._confirmation(request, entry, form, activating)

    def _done(self, request, change, activating):
        model = change.model
        values = {"model": model.display_name or model.model_id, "capability": capability_label(change.capability)}
        if activating:
            done = gettext("%(model)s is now the active model for %(capability)s.") % values
        else:
            done = gettext("%(model)s was saved for %(capability)s, not activated.") % values
        if model.trial_at is not None and activating:
            done += " " + gettext("Test call: %(result)s in %(latency)d ms.") % {
                "result": model.trial_result,
                "latency": model.trial_latency_ms,
            }
        saved_admin = self.admin_site._registry.get(AIModel)
        if saved_admin is not None and saved_admin.has_view_or_change_permission(request, model):
            url = self._url("change", model.pk, model_name=AIModel._meta.model_name)
            done = format_html('{} <a href="{}">{}</a>', done, url, gettext("View the saved model"))
        self.message_user(request, done, messages.SUCCESS)
        for warning in change.plan.warnings:
            self.message_user(request, warning, messages.WARNING)

    def _one_entry(self, request, rows):
        """The single selected ``CatalogModel``, or None after telling the user why not."""
        selected = len(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        count = max(len(rows), selected)
        if count > 1:
            self.message_user(
                request,
                ngettext(
                    "Select exactly one model for this action (%(count)d was selected). Nothing was changed.",
                    "Select exactly one model for this action (%(count)d were selected). Nothing was changed.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
            return None
        if not rows:
            self.message_user(
                request,
                gettext("The selected model is no longer in the catalog. Nothing was changed."),
                messages.WARNING,
            )
            return None
        return next(iter(rows)).entry

    def _confirmation(self, request, entry, form, activating, trial=None):
        active = {row.capability: row for row in AIModel.objects.filter(is_active=True).select_related("provider")}
        saved = {row.capability: row for row in AIModel.objects.filter(provider__slug=entry.provider,
                                                                        model_id=entry.model_id)}
        limits = ceilings()
        labels = {"met": gettext("met"), "unmet": gettext("not met"), "unknown": gettext("unknown")}
        choices = []
        for name, label in capability_choices():
            current = active.get(name)
            role = activation.ACTIVE if activating else role_of(saved.get(name))
            planned = activation.plan(entry, name, role=role, user=request.user, current=current,
                                      saving=not activating)
            ceiling = limits.get(name, {})
            over = planned.outcome("ceiling")
            choices.append(
                {
                    "name": name,
                    "label": label,
                    "classified": name in entry.capabilities,
                    "reason": gettext(entry.reason_for(name)) if entry.reason_for(name) else "",
                    "current": current,
                    "is_current": planned.is_current,
                    "input_move": self._move(current and current.input_price, entry.input_price, current),
                    "output_move": self._move(current and current.output_price, entry.output_price, current),
                    "ceiling": " / ".join(format_price(ceiling.get(side)) for side in SIDES) if ceiling else "",
                    "over_ceiling": describe(over.finding.details, format_price) if over and over.finding else "",
                    "requirements": [{"state": check.state, "label": labels[check.state], "message": check.message}
                                     for check in planned.requirements] if activating else [],
                    "refusals": [outcome for outcome in planned.outcomes if outcome.finding],
                    "refuses": " ".join(outcome.key for outcome in planned.outcomes if outcome.finding),
                    "warnings": planned.warnings,
                }
            )
        title = gettext("Activate a model") if activating else gettext("Save a model without activating it")
        overrides = [
            {
                "key": gate.key,
                "field": form[name],
                "permitted": gate.may_override(request.user),
                "permission": gate.permission_name,
                "messages": [(choice["name"], outcome.message) for choice in choices for outcome in choice["refusals"]
                             if outcome.key == gate.key],
            }
            for name, gate in override_fields().items()
        ]
        selected = next((choice for choice in choices if choice["name"] == form["capability"].value()), None)
        return self.confirmation_page(
            request,
            self.activate_template,
            title,
            entry=entry,
            entry_input_price=with_source(entry, "input_price", format_price(entry.input_price)),
            entry_output_price=with_source(entry, "output_price", format_price(entry.output_price)),
            entry_context=with_source(entry, "context_window", format_tokens(entry.context_window)),
            entry_facts=entry_facts(entry),
            entry_capabilities=capability_labels(entry.capabilities, entry.capability_reasons),
            entry_released=entry.created.date().isoformat() if entry.created else "",
            expiry=expiry_flag(entry.expires),
            form=form,
            capabilities=choices,
            overrides=overrides,
            selected_refuses=selected["refuses"].split() if selected else [],
            activating=activating,
            action_name="activate" if activating else "save_without_activating",
            has_ceilings=bool(limits),
            trial=trial,
        )

    @staticmethod
    def _move(old, new, current):
        """The price cell: "old → new (change)" against the active model, else the new price."""
        if current is None:
            return price_move("", format_price(new))
        return price_move(format_price(old), format_price(new), format_price_change(new, old))
