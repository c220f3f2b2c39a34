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
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import activation
from .. import requirements
from ..catalog import curation
from ..capabilities import capability_label, configured
from ..catalog import (
    Listing,
    entry_states,
    get_catalog,
    get_entry,
    provider_statuses,
    refresh,
)
from ..exceptions import ActivationError, ActivationRefused, AIModelsError, UnknownCapability
from ..models import AIModel, CatalogEntry
from .base import ReadOnlyAdmin
from . import activate_page
from .activate_page import focus_of
from .changelist import in_memory
from .display import (EMPTY, breakable_id, capability_labels, entry_state, format_tokens, model_named, sentence,
                      status_summary, with_source)
from ..prices import format_price
from .filters import (
    CapabilityFilter,
    ExpiryFilter,
    HiddenFilter,
    PriceFilter,
    ProviderFilter,
    RequirementsFilter,
    StateFilter,
)
from .forms import ActivateForm
from .rows import CatalogRows


@admin.register(CatalogEntry)
class CatalogEntryAdmin(ReadOnlyAdmin):
    """Browse catalog: every model the enabled providers list now, to activate one."""

    list_display = (
        "shown_model_id",
        "name",
        "provider_name",
        "capabilities",
        "context",
        "input_price_per_1m",
        "output_price_per_1m",
        "released",
        "state",
    )
    list_display_links = None
    list_filter = (ProviderFilter, CapabilityFilter, RequirementsFilter, PriceFilter, StateFilter, ExpiryFilter,
                   HiddenFilter)
    search_fields = ("model_id", "name", "description")
    search_help_text = _("Searches the model id, name and description.")
    ordering = ("name",)
    list_per_page = 100
    show_facets = admin.ShowFacets.NEVER
    actions = ["activate", "save_without_activating", "hide", "show_again"]
    change_list_template = "admin/ai_models/catalogentry/change_list.html"

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
        hidden = request.GET.get(HiddenFilter.parameter_name) == "yes"
        return CatalogRows(listing.hidden if hidden else listing.entries, entry_states())

    def get_changelist(self, request, **kwargs):
        return in_memory(super().get_changelist(request, **kwargs))

    def get_search_results(self, request, queryset, search_term):
        search_term = self.bounded_search(request, search_term)
        return (queryset.narrow(search=search_term) if search_term else queryset), False

    # --- columns ----------------------------------------------------------------------------

    @admin.display(description=_("model id"), ordering="model_id")
    def shown_model_id(self, row):
        return breakable_id(row.model_id)  # the row holds it as shown (``visible``)

    @admin.display(description=_("provider"), ordering="provider")
    def provider_name(self, row):
        """The provider's display name (its id on hover), as Saved models shows it."""
        return getattr(row, "provider_html", row.provider)

    @admin.display(description=_("capabilities"))
    def capabilities(self, row):
        return capability_labels(row.entry)

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

    @admin.display(description=_("choose"))
    def choose(self, row):
        """The row's Choose button (it submits the page's choose form), marked when the model does not
        meet the capability's requirements or may not."""
        capability = configured().get(getattr(row, "choose_for", None))
        button = format_html('<button type="submit" form="aim-choose" name="{}" value="{}" class="aim-button">{}</button>',
                             helpers.ACTION_CHECKBOX_NAME, row.pk, gettext("Choose"))
        if capability is None or not capability.requires:
            return button
        checks = requirements.check(row.entry, capability.requires)
        marks = (
            (requirements.unmet(checks), " aim-badge-drift", gettext("requirements not met")),
            (requirements.unknown(checks), "", gettext("requirements unknown")),
        )
        why = format_html_join(" ", '<span class="aim-badge{}">{}</span> <span class="aim-help">{}</span>', (
            (style, badge, "; ".join(check.message for check in found)) for found, style, badge in marks if found))
        return format_html("{} {}", button, why) if why else button

    def action_checkbox(self, row):
        """The theme's row checkbox, filled in from the page's stamp (see ``checkbox_stamp``)."""
        stamp = getattr(row, "checkbox_stamp", None)
        if stamp is None:
            return super().action_checkbox(row)
        return mark_safe(stamp.replace(_RowMarks.pk, escape(row.pk)).replace(_RowMarks.label, escape(str(row))))

    def checkbox_stamp(self):
        """The theme's row checkbox rendered once, marks where the row's pk and label go: a widget
        template rendered per row was a third of the page's time. Both land escaped once, as the
        widget renders them."""
        return str(super().action_checkbox(_RowMarks()))

    def get_list_display(self, request):
        """The columns, led by a Choose button on each row when the list is narrowed to one capability."""
        shown = super().get_list_display(request)
        return ("choose", *shown) if focus_of(request) and self.has_activate_permission(request) else shown

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Display callables get only the row. A single page is the row list itself, whose rows are
        # built on each iteration: keep them (one page at most).
        changelist.result_list = list(changelist.result_list)
        focus = focus_of(request)
        names = {status.provider: format_html('<span title="{}">{}</span>', status.provider, status.name)
                 for status in self.listing(request).statuses}
        stamp = self.checkbox_stamp()
        for row in changelist.result_list:
            row.choose_for = focus
            row.provider_html = names.get(row.provider) or row.provider
            row.checkbox_stamp = stamp
        return changelist

    # --- permissions: read-only (ReadOnlyAdmin); activating and refreshing have their own ---

    def has_activate_permission(self, request):
        return request.user.has_perm("ai_models.activate_aimodel")

    def has_curate_permission(self, request):
        return request.user.has_perm("ai_models.add_catalogrule") and request.user.has_perm("ai_models.delete_catalogrule")

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
            "choose": self.choose_context(request),
            # Called by the template, so only after changelist_view has checked the permission.
            "provider_panel": partial(self.provider_panel, request),
            **(extra_context or {}),
        }
        response = super().changelist_view(request, context)
        self.warn_if_cache_unavailable(request)  # the listing has been read: it would have failed by now
        return response

    def choose_context(self, request):
        """What the page says when it lists the models to choose from for one capability (the board's Choose…)."""
        name = focus_of(request)
        if name is None or not self.has_activate_permission(request):
            return None
        capability = configured()[name]
        if request.GET.get(CapabilityFilter.standing_parameter) == "any":
            listing, toggle = "all", {"meets": name, CapabilityFilter.standing_parameter: None}
        else:  # those that meet them (Choose…), or those not failing them (the capability filter)
            listing = "met" if request.GET.get("meets") == name else "unfailing"
            toggle = {"meets": None, CapabilityFilter.standing_parameter: "any"}
        query = request.GET.copy()
        for key, value in toggle.items():
            query.pop(key, None)
            if value:
                query[key] = value
        return {
            "label": capability.label,
            "requires": bool(capability.requires),
            "listing": listing,
            "toggle_url": "?" + query.urlencode(),
        }

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
        page = self._page(request, entry, activating)
        if not form.is_valid():
            return activate_page.render(self, request, entry, form, **page)
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
            return activate_page.refused_page(self, request, entry, form, refused, **page)
        except (ActivationError, UnknownCapability) as err:
            self.message_user(request, gettext("Nothing was changed: %(error)s") % {"error": err}, messages.ERROR)
            return None
        self._done(request, change, activating)
        return None

    @admin.action(description=_("Hide the selected models (from Browse catalog, the API and Choose…)"),
                  permissions=["curate"])
    def hide(self, request, rows):
        count = curation.hide([row.entry for row in rows], request.user)
        self.message_user(request, ngettext("%(count)d model hidden: see them with the filter “Hidden by staff”.",
                                            "%(count)d models hidden: see them with the filter “Hidden by staff”.",
                                            count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Show the selected hidden models again"), permissions=["curate"])
    def show_again(self, request, rows):
        count = curation.show([row.entry for row in rows], request.user)
        self.message_user(request, ngettext("%(count)d model shown again.", "%(count)d models shown again.", count)
                          % {"count": count}, messages.SUCCESS)
        if count < len(rows):
            self.message_user(request, gettext("Models hidden by a provider's pattern or allow-list stay hidden: "
                                               "change that rule under Catalog rules."), messages.WARNING)

    def _done(self, request, change, activating):
        model = change.model
        values = {"model": model_named(model), "capability": capability_label(change.capability)}
        if activating:
            done = sentence(gettext("%(model)s is now the active model for %(capability)s."), **values)
        else:
            done = sentence(gettext("%(model)s was saved for %(capability)s, not activated."), **values)
        if model.trial_at is not None and activating:
            done = format_html("{} {}", done, sentence(gettext("Test call: %(result)s in %(latency)d ms."),
                                                       result=model.trial_result, latency=model.trial_latency_ms))
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

    def _page(self, request, entry, activating):
        """How the Activate page posts back here, and what it is about."""
        hidden = [("action", "activate" if activating else "save_without_activating"),
                  (helpers.ACTION_CHECKBOX_NAME, entry.pk), ("confirm", "yes")]
        return {"activating": activating, "focus": focus_of(request), "hidden": hidden}


class _RowMarks:
    """Stands in for a row while its checkbox is stamped: what the widget shows of a row, as marks."""

    pk = "aim-row-pk-mark"
    label = "aim-row-label-mark"

    def __str__(self):
        return self.label
