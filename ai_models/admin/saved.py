"""Saved models: the models chosen from the catalog, the active one per capability, history."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import activation
from ..activation import history
from ..activation.plan import use_of
from ..exceptions import ActivationError, ActivationRefused, UnknownCapability
from ..models import AIModel
from ..visible import visible
from . import activate_page
from .base import ModelAdmin
from .board import BoardActions
from ..prices import format_price
from .display import EMPTY, fetched_when, format_tokens, isolate, model_named, sentence
from .drift import drift_cell, request_drift
from .filters import SavedCapabilityFilter
from .forms import ActivateForm, SavedModelForm, override_field

EDITABLE = ("display_name", "parameters", "fallback_position")


@admin.register(AIModel)
class AIModelAdmin(BoardActions, ModelAdmin):
    """Saved models. State changes only through the actions (and the same buttons on a model's
    page); the display name, call parameters and fallback position are editable."""

    list_display = (
        "shown_model_id",
        "shown_name",
        "provider_name",
        "capability_name",
        "state",
        "input_price_per_1m",
        "output_price_per_1m",
        "activated",
        "test_call",
    )
    list_filter = (SavedCapabilityFilter, "is_active", "provider")
    # Per capability: the active model, then the fallbacks in the order they are tried.
    ordering = ("capability", "-is_active", F("fallback_position").asc(nulls_last=True), "-activated_at")
    list_select_related = ("provider", "activated_by")
    search_fields = ("model_id", "display_name")
    actions = ["delete_selected", "reactivate", "deactivate"]
    fields = (
        "provider",
        "shown_model_id",
        "capability_name",
        "active",
        "display_name",
        "parameters",
        "fallback_position",
        "shown_description",
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
    change_form_template = "admin/ai_models/aimodel/change_form.html"
    deactivate_template = "admin/ai_models/aimodel/deactivate.html"
    readonly_fields = tuple(name for name in fields if name not in EDITABLE)
    form = SavedModelForm

    # --- columns ----------------------------------------------------------------------------

    # Provider text: what hides or reorders text is shown as "[U+…]" (see ``ai_models.visible``).
    @admin.display(description=_("model id"), ordering="model_id")
    def shown_model_id(self, obj):
        return visible(obj.model_id)

    @admin.display(description=_("name"), ordering="display_name")
    def shown_name(self, obj):
        return visible(obj.display_name) or EMPTY

    @admin.display(description=_("description"))
    def shown_description(self, obj):
        return visible(obj.description) or EMPTY

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

    @admin.display(description=_("state"), ordering="-is_active")
    def state(self, obj):
        """Active, or its place in the fallback chain, and how it stands against its provider's catalog."""
        if not obj.in_use:
            return EMPTY
        if obj.is_active:
            badge = self.active(obj)
        else:
            badge = format_html('<span class="aim-badge">{}</span>',
                                gettext("fallback #%(position)d") % {"position": obj.fallback_position})
        return format_html("{} {}", badge, drift_cell(getattr(obj, "drift", None)))

    @admin.display(description=_("drift"))
    def drift_detail(self, obj):
        """Each drift flag of an active model or a fallback with its sentence (the change form)."""
        if obj is None or not obj.in_use:
            return EMPTY
        return drift_cell(getattr(obj, "drift", None), detailed=True)

    @admin.display(description=_("activated"), ordering="activated_at")
    def activated(self, obj):
        """When, and by whom when known."""
        if obj.activated_at is None:
            return EMPTY
        when = format_html('<time datetime="{}">{}</time>', obj.activated_at.isoformat(), fetched_when(obj.activated_at))
        if obj.activated_by is None:
            return when
        return format_html("{} · {}", when, obj.activated_by.get_username())

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
        return isolate(gettext("%(result)s in %(latency)d ms, %(when)s") % {
            "result": obj.trial_result,
            "latency": obj.trial_latency_ms or 0,
            "when": fetched_when(obj.trial_at),
        })

    # Display callables get only the row: the rows shown carry their ``Drift`` as ``.drift``.
    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        drifts = request_drift(request)
        for row in changelist.result_list:
            row.drift = drifts.get(row.pk)
        return changelist

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.in_use:
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
        return format_html('<pre class="aim-json">{}</pre>', visible(text))

    # --- permissions: rows come from the catalog; models in use cannot be deleted -----------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.in_use:
            return False
        return super().has_delete_permission(request, obj)

    def has_activate_permission(self, request):
        return request.user.has_perm("ai_models.activate_aimodel")

    # The fallback position changes what serves a capability: the flow's gates decide, for a user
    # who may activate; the confirmations the gates ask for sit right below it.
    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        refusing = self._fallback_refusals(request, obj)
        at = fields.index("fallback_position") + 1
        return fields[:at] + [override_field(outcome.key) for outcome in refusing] + fields[at:]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if self.has_activate_permission(request) else (*readonly, "fallback_position")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user, "refusals": self._fallback_refusals(request, obj)})

    def _fallback_refusals(self, request, obj) -> list:
        """The gates that refuse ``obj`` as a fallback (what its confirmations are for)."""
        if obj is None or obj.is_active or not self.has_activate_permission(request):
            return []
        planned = activation.plan(obj.catalog_entry(), obj.capability, role=activation.FALLBACK, user=request.user)
        return [outcome for outcome in planned.outcomes if outcome.finding and outcome.permitted]

    def save_model(self, request, obj, form, change):
        """The other fields as Django saves them; the fallback position through the activation flow."""
        if change and "fallback_position" in form.changed_data:
            position, obj.fallback_position = obj.fallback_position, form.initial.get("fallback_position")
            try:
                obj.fallback_position = activation.move_fallback(
                    obj, position, request.user, overrides=form.overrides()
                ).fallback_position
            except ActivationError as err:
                self.message_user(request, gettext("The fallback position was not changed: %(error)s") % {"error": err},
                                  messages.ERROR)
        super().save_model(request, obj, form, change)

    # Deletions go through the activation flow, which keeps models in use and writes the history:
    # Django's confirmation pages are kept, the confirmed deletion is the flow's.
    def log_deletion(self, request, obj, object_repr):
        pass

    def log_deletions(self, request, queryset):
        pass

    def delete_queryset(self, request, queryset):
        self._delete(request, queryset)

    def delete_model(self, request, obj):
        self._delete(request, type(obj).objects.filter(pk=obj.pk))

    def _delete(self, request, queryset) -> bool:
        """Delete what is not in use, saying what was kept and why; False when nothing could be done."""
        try:
            deletion = activation.delete_saved(queryset, request.user)
        except ActivationError as err:
            self.message_user(request, gettext("Nothing was deleted: %(error)s") % {"error": err}, messages.ERROR)
            return False
        if deletion.kept:  # put in use since the confirmation page
            self._refuse_deleting_in_use(request, deletion.kept, nothing=not deletion.deleted)
        if deletion.deleted:
            count = len(deletion.deleted)
            self.message_user(request, ngettext("Deleted %(count)d saved model.", "Deleted %(count)d saved models.",
                                                count) % {"count": count}, messages.SUCCESS)
        return True

    def _refuse_deleting_in_use(self, request, rows, nothing=True):
        uses = format_html_join(", ", "{} ({})", ((model_named(row), use_of(row)) for row in rows))
        message = sentence(ngettext(
            "%(models)s is in use, so it cannot be deleted: deactivate it or take it out of the fallbacks first.",
            "%(models)s are in use, so they cannot be deleted: deactivate them or take them out of the fallbacks "
            "first.",
            len(rows),
        ), models=uses)
        if nothing:
            message = format_html("{} {}", message, gettext("Nothing was deleted."))
        self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("Delete the selected models not in use"), permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's confirmation page, after saying plainly why models in use cannot go; the
        confirmed deletion through the flow."""
        in_use = list(queryset.in_use().select_related("provider"))
        if in_use:
            self._refuse_deleting_in_use(request, in_use)
            return None
        if request.POST.get("post"):
            self._delete(request, queryset)
            return None
        return django_delete_selected(self, request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.in_use and super().has_delete_permission(request, obj):
            self._refuse_deleting_in_use(request, [obj])
            return HttpResponseRedirect(self._url("change", obj.pk))
        if obj is not None and request.method == "POST" and self.has_delete_permission(request, obj):
            deleted = self._delete(request, type(obj).objects.filter(pk=obj.pk))
            return HttpResponseRedirect(self._url("changelist") if deleted else self._url("change", obj.pk))
        return super().delete_view(request, object_id, extra_context)

    # --- the model's page: the actions as buttons, a readable history ----------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.object_action_view)
        return [
            path("board/<str:capability>/<str:action>/", self.admin_site.admin_view(self.board_action_view),
                 name="%s_%s_board" % info),
            path("<path:object_id>/reactivate/", view, {"action": "reactivate"}, name="%s_%s_reactivate" % info),
            path("<path:object_id>/deactivate/", view, {"action": "deactivate"}, name="%s_%s_deactivate" % info),
            *super().get_urls(),
        ]

    def object_action_view(self, request, object_id, action):
        """POST: the changelist action ``action`` on this one model, then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_activate_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        request.aim_back_url = self._url("change", obj.pk)
        response = getattr(self, action)(request, self.get_queryset(request).filter(pk=obj.pk))
        return response or HttpResponseRedirect(request.aim_back_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"can_activate": self.has_activate_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def history_view(self, request, object_id, extra_context=None):
        """Django's history page, each entry of ours told in the reader's language."""
        response = super().history_view(request, object_id, extra_context)
        for entry in getattr(response, "context_data", {}).get("action_list") or []:
            entry.get_change_message = _shown(history.reader(entry))
        return response

    def _url(self, view, *args):
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}"
        return reverse(name, args=args, current_app=self.admin_site.name)

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
            return None
        row = rows[0]
        if row.is_active:
            self.message_user(request, sentence(gettext("%(model)s is already active."), model=model_named(row)),
                              messages.INFO)
            return None
        return self.rollback_confirmation(request, row)

    def rollback_confirmation(self, request, row):
        """The Activate page for saved model ``row`` (a rollback: the same checks and price change as
        an activation); once confirmed, the flow activates it again."""
        entry = row.catalog_entry()
        confirming = request.POST.get("confirm") == "yes" and request.POST.get("model") == str(row.pk)
        data = request.POST.copy() if confirming else None
        if data is not None:
            data["capability"] = row.capability  # a rollback is of the row's own capability
        form = ActivateForm(entry, data, preferred=row.capability)
        page = {
            "focus": row.capability,
            "rollback": row,
            "title": gettext("Roll back: activate a model again"),
            "hidden": [("action", "reactivate"), (helpers.ACTION_CHECKBOX_NAME, row.pk), ("model", row.pk),
                       ("confirm", "yes")],
        }
        if not confirming or not form.is_valid():
            return activate_page.render(self, request, entry, form, **page)
        try:
            activation.reactivate(row, request.user, overrides=form.overrides(),
                                  parameters=form.cleaned_data["parameters"], test="trial" in request.POST)
        except ActivationRefused as refused:
            return activate_page.refused_page(self, request, entry, form, refused, **page)
        except (ActivationError, UnknownCapability) as err:
            self.message_user(request, gettext("Nothing was changed: %(error)s") % {"error": err}, messages.ERROR)
            return None
        self.message_user(
            request,
            sentence(gettext("%(model)s is the active model for %(capability)s again."),
                     model=model_named(row), capability=row.capability_label),
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Deactivate the selected models"), permissions=["activate"])
    def deactivate(self, request, queryset):
        """A page listing the capabilities that go dark first; on confirmation, deactivate."""
        active = list(queryset.filter(is_active=True).select_related("provider"))
        if not active:
            self.message_user(
                request, gettext("None of the selected models is active. Nothing was changed."), messages.WARNING
            )
            return None
        if request.POST.get("confirm") != "yes":
            return self.confirmation_page(
                request,
                self.deactivate_template,
                ngettext("Deactivate a model", "Deactivate %(count)d models", len(active)) % {"count": len(active)},
                active=active,
                skipped=queryset.count() - len(active),
            )
        for row in active:
            try:
                deactivated = activation.deactivate(row.capability, request.user, only=row)
            except (ActivationError, UnknownCapability) as err:
                self.message_user(
                    request,
                    sentence(gettext("%(model)s was not deactivated: %(error)s"), model=model_named(row), error=str(err)),
                    messages.ERROR,
                )
                continue
            if deactivated is None:
                self.message_user(
                    request,
                    sentence(gettext("%(model)s was not deactivated: another model was activated meanwhile."),
                             model=model_named(row)),
                    messages.WARNING,
                )
                continue
            self.message_user(
                request,
                sentence(gettext("%(model)s was deactivated: no model is active for %(capability)s now."),
                         model=model_named(row), capability=row.capability_label),
                messages.SUCCESS,
            )
        return None


def _shown(told):
    """``told`` (a change message reader) with provider text shown as it is (``ai_models.visible``), and its
    ids, dates and prices left to right in any language."""
    return lambda: isolate(visible(told()))
