"""Saved models: the models chosen from the catalog, the active one per capability, history."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import guardrail, selection
from ..drift import activated_entry
from ..exceptions import ActivationError, UnknownCapability
from ..models import AIModel
from . import gates
from .base import ModelAdmin
from .display import EMPTY, fetched_when, format_price, format_tokens
from .drift import drift_cell, request_drift
from .filters import SavedCapabilityFilter
from .forms import ActivateForm, SavedModelForm


# What re-activating a saved model may need ticked, in the order the page asks.
CONFIRMATIONS = ("confirm_above_ceiling", "override_requirements", "confirm_embedding_switch")
EDITABLE = ("display_name", "parameters", "fallback_position")


def _in_use(obj) -> bool:
    return obj.is_active or obj.fallback_position is not None


@admin.register(AIModel)
class AIModelAdmin(ModelAdmin):
    """Saved models. Activation only through the actions; the display name, call parameters and
    fallback position are editable."""

    list_display = (
        "model_id",
        "display_name",
        "provider_name",
        "capability_name",
        "active",
        "drift_status",
        "input_price_per_1m",
        "output_price_per_1m",
        "activated_at",
        "activated_by",
        "fallback",
        "test_call",
    )
    list_filter = (SavedCapabilityFilter, "is_active", "provider")
    list_select_related = ("provider", "activated_by")
    search_fields = ("model_id", "display_name")
    actions = ["reactivate", "deactivate"]
    fields = (
        "provider",
        "model_id",
        "capability_name",
        "active",
        "display_name",
        "parameters",
        "fallback_position",
        "description",
        "context",
        "input_price_per_1m",
        "output_price_per_1m",
        "activated_at",
        "activated_by",
        "activated_via",
        "drift_detail",
        "test_call_detail",
        "created_at",
        "updated_at",
        "metadata_json",
    )
    reactivate_template = "admin/ai_models/aimodel/reactivate.html"
    readonly_fields = tuple(name for name in fields if name not in EDITABLE)
    form = SavedModelForm

    # --- columns ----------------------------------------------------------------------------

    @admin.display(description=_("provider"), ordering="provider")
    def provider_name(self, obj):
        """The provider, marked when its answers are the offline snapshot's demo output."""
        if not obj.is_demo:
            return str(obj.provider)
        return format_html('{} <span class="aim-badge">{}</span>', obj.provider, gettext("demo output"))

    @admin.display(description=_("capability"), ordering="capability")
    def capability_name(self, obj):
        return obj.capability_label

    @admin.display(description=_("active"), ordering="-is_active")
    def active(self, obj):
        if not obj.is_active:
            return EMPTY
        return format_html('<span class="aim-badge aim-badge-active">{}</span>', gettext("active"))

    @admin.display(description=_("fallback"), ordering="fallback_position")
    def fallback(self, obj):
        """Its place in the capability's fallback chain (while it is not the active model)."""
        if obj.fallback_position is None or obj.is_active:
            return EMPTY
        return gettext("#%(position)d") % {"position": obj.fallback_position}

    @admin.display(description=_("drift"))
    def drift_status(self, obj):
        """For an active model or a fallback: how it stands against its provider's cached catalog."""
        if obj is None or not _in_use(obj):
            return EMPTY
        return drift_cell(getattr(obj, "drift", None))

    @admin.display(description=_("drift"))
    def drift_detail(self, obj):
        """The same, each flag with its sentence (the change form)."""
        if obj is None or not _in_use(obj):
            return EMPTY
        return drift_cell(getattr(obj, "drift", None), detailed=True)

    @admin.display(description=_("test call"), ordering="trial_latency_ms")
    def test_call(self, obj):
        """The latency of the test call made at the last activation; its result on hover."""
        if obj is None or obj.trial_at is None:
            return EMPTY
        return format_html(
            '<span title="{}">{}</span>', obj.trial_result, gettext("%(latency)d ms") % {"latency": obj.trial_latency_ms or 0}
        )

    @admin.display(description=_("test call"))
    def test_call_detail(self, obj):
        """The test call made by "Test and activate" at the last activation: result, latency, when."""
        if obj is None or obj.trial_at is None:
            return EMPTY
        return gettext("%(result)s in %(latency)d ms, %(when)s") % {
            "result": obj.trial_result,
            "latency": obj.trial_latency_ms or 0,
            "when": fetched_when(obj.trial_at),
        }

    # Display callables get only the row: the rows shown carry their ``Drift`` as ``.drift``.
    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        drifts = request_drift(request)
        for row in changelist.result_list:
            row.drift = drifts.get(row.pk)
        return changelist

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and _in_use(obj):
            obj.drift = request_drift(request).get(obj.pk)
        return obj

    @admin.display(description=_("context window"), ordering="context_window")
    def context(self, obj):
        return format_tokens(obj.context_window)

    @admin.display(description=_("input / 1M tokens"), ordering="input_price")
    def input_price_per_1m(self, obj):
        return format_price(obj.input_price)

    @admin.display(description=_("output / 1M tokens"), ordering="output_price")
    def output_price_per_1m(self, obj):
        return format_price(obj.output_price)

    @admin.display(description=_("catalog entry at activation"))
    def metadata_json(self, obj):
        text = json.dumps(obj.metadata, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        return format_html('<pre class="aim-json">{}</pre>', text)

    # --- permissions: rows come from the catalog; active rows cannot be deleted ------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def has_activate_permission(self, request):
        return request.user.has_perm("ai_models.activate_aimodel")

    def delete_queryset(self, request, queryset):
        # Filtered in SQL, so a row activated since the confirmation page is still kept.
        super().delete_queryset(request, queryset.filter(is_active=False))

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def get_deleted_objects(self, objs, request):
        """Django's summary, naming the active rows as what blocks the deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        active = [obj for obj in objs if obj.is_active]
        if active:
            perms_needed = {p for p in perms_needed if str(p) != str(self.opts.verbose_name)}
            perms_needed |= {gettext("%(model)s is active: deactivate it first") % {"model": obj} for obj in active}
        return deleted, counts, perms_needed, protected

    # --- actions ----------------------------------------------------------------------------

    @admin.action(description=_("Activate the selected model again (roll back to it)"), permissions=["activate"])
    def reactivate(self, request, queryset):
        rows = list(queryset.select_related("provider")[:2])
        if len(rows) != 1:
            count = queryset.count()
            self.message_user(
                request,
                ngettext(
                    "Select exactly one model to activate (%(count)d was selected). Nothing was changed.",
                    "Select exactly one model to activate (%(count)d were selected). Nothing was changed.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
            return
        row = rows[0]
        if row.is_active:
            self.message_user(request, gettext("%(model)s is already active.") % {"model": row}, messages.INFO)
            return
        ticked = {name: request.POST.get(name) == "yes" for name in CONFIRMATIONS}
        try:
            note = guardrail.approve(row.capability, row.input_price, row.output_price, request.user,
                                     confirmed=ticked["confirm_above_ceiling"])
        except guardrail.AboveCeiling as above:
            if not above.permitted:
                refused = guardrail.refusal(row.display_name or row.model_id, row.capability, above.excess, format_price)
                self.message_user(request, refused, messages.ERROR)
                return
            note = None
        asks = self._confirmations(row, ticked, note is None)
        if asks:
            return self._confirm_reactivation(request, row, asks, ticked)
        try:
            selection.reactivate(row, request.user, note=note, override_requirements=ticked["override_requirements"],
                                 confirm_embedding_switch=ticked["confirm_embedding_switch"])
        except (ActivationError, UnknownCapability) as err:
            self.message_user(request, gettext("Nothing was changed: %(error)s") % {"error": err}, messages.ERROR)
            return
        self.message_user(
            request,
            gettext("%(model)s is the active model for %(capability)s again.")
            % {"model": row.display_name or row.model_id, "capability": row.capability_label},
            messages.SUCCESS,
        )

    def _confirmations(self, row, ticked, above_ceiling) -> dict:
        """Confirmation name -> what to confirm, for each one re-activating ``row`` needs and lacks."""
        asks = {}
        if above_ceiling and not ticked["confirm_above_ceiling"]:
            excess = guardrail.excesses(row.capability, row.input_price, row.output_price)
            asks["confirm_above_ceiling"] = gettext(
                "This model is priced above the price ceiling for its capability: %(excess)s."
            ) % {"excess": guardrail.describe(excess, format_price)}
        return {**asks, **gates.pending(activated_entry(row), row.capability, ticked)}

    def _confirm_reactivation(self, request, row, asks, ticked):
        """The page asking to confirm what re-activating the model needs (price, requirements, switch)."""
        labels = {name: ActivateForm.base_fields[name].label for name in CONFIRMATIONS}  # the same ticks
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Confirm the activation"),
            "opts": self.opts,
            "back_url": request.get_full_path(),
            "media": self.media,
            "row": row,
            "asks": [(name, asks[name], labels[name]) for name in CONFIRMATIONS if asks.get(name)],
            "given": [name for name in CONFIRMATIONS if ticked[name]],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.reactivate_template, context)

    @admin.action(description=_("Deactivate the selected models"), permissions=["activate"])
    def deactivate(self, request, queryset):
        active = list(queryset.filter(is_active=True).select_related("provider"))
        if not active:
            self.message_user(
                request, gettext("None of the selected models is active. Nothing was changed."), messages.WARNING
            )
            return
        for row in active:
            try:
                deactivated = selection.deactivate(row.capability, request.user, only=row)
            except UnknownCapability as err:
                self.message_user(
                    request,
                    gettext("%(model)s was not deactivated: %(error)s") % {"model": row, "error": err},
                    messages.ERROR,
                )
                continue
            if deactivated is None:
                self.message_user(
                    request,
                    gettext("%(model)s was not deactivated: another model was activated meanwhile.")
                    % {"model": row.display_name or row.model_id},
                    messages.WARNING,
                )
                continue
            self.message_user(
                request,
                gettext("%(model)s was deactivated: no model is active for %(capability)s now.")
                % {"model": row.display_name or row.model_id, "capability": row.capability_label},
                messages.SUCCESS,
            )
