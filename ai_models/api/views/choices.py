"""Choosing models over HTTP: activate, save, bulk save, delete, the saved and active models,
deactivate, roll back. Every change goes through ``ai_models.selection`` (one transaction, a
``LogEntry`` naming the user and "via HTTP API"), the price ceilings through ``guardrail``,
test calls through ``trial``: the same rules as the admin and the command line."""

from django.contrib.admin.models import DELETION, LogEntry
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status as http
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from ... import guardrail, history, selection
from ...capabilities import capability_label
from ...catalog import filter_entries, get_catalog, get_entry, sort_entries
from ...conf import ai_settings
from ...drift import active_drift, usd
from ...exceptions import ActivationError, EmbeddingSwitchUnconfirmed, RequirementsNotMet
from ...models import AIModel, Provider
from ...trial import run_trial
from .. import serializers as s
from ..errors import bad_gateway, conflict, forbidden, not_found
from ..permissions import CanActivate, CanDeleteSaved, CanViewSaved
from .base import VIA, APIBase, Pagination, WriteBase, document
from .catalog import missing_entry, sort_arguments, unavailable

ERRORS = {code: s.ErrorSerializer for code in (400, 403, 404, 409, 502)}


def enabled_ids() -> list:
    return [backend.id for backend in Provider.objects.backends()]


def find_entry(provider, model_id):
    """The catalog entry, raw data included; 404 when not listed, 502 when its provider is down."""
    entry = get_entry(provider, model_id)
    if entry is None:
        raise missing_entry(provider, model_id)
    return entry


def saved_data(row):
    return None if row is None else s.SavedModelSerializer(row).data


def active_row(capability):
    return AIModel.objects.select_related("provider", "activated_by").filter(capability=capability, is_active=True).first()


def ceiling_note(user, capability, name, input_price, output_price, allowed, sources=None) -> str:
    """``guardrail.approve`` (the one price-ceiling rule of every way in), its refusals as API errors.

    The ``LogEntry`` note above the ceiling, "" within it. 403 for a user without the permission
    to go above it; 409 when ``allow_above_ceiling`` was not sent.
    """
    try:
        return guardrail.approve(capability, input_price, output_price, user, confirmed=allowed, sources=sources)
    except guardrail.AboveCeiling as above:
        found = s.ExcessSerializer(above.excess, many=True).data
        if not above.permitted:
            raise forbidden(guardrail.refusal(name, capability, above.excess, usd), "above_ceiling_not_permitted",
                            excess=found) from above
        raise conflict(
            gettext("%(model)s is priced above the ceiling for %(capability)s (%(excess)s). Nothing was changed; "
                    "send allow_above_ceiling: true to activate it anyway.")
            % {"model": name, "capability": capability_label(capability), "excess": guardrail.describe(above.excess, usd)},
            "above_ceiling",
            override={"allow_above_ceiling": True},
            excess=found,
        ) from above


def choice_result(row, previous, warnings, created=True):
    replaced = previous if previous is not None and previous.pk != row.pk else None
    body = {"model": saved_data(row), "replaced": saved_data(replaced), "warnings": warnings}
    return Response(body, status=http.HTTP_201_CREATED if created else http.HTTP_200_OK)


def checked(activation, *args, **kwargs):
    """``activation(*args, **kwargs)`` (a ``selection`` function); what it refuses as a 409 that
    names the flag to send: ``requirements_not_met``, ``embedding_switch_unconfirmed``."""
    try:
        return activation(*args, **kwargs)
    except RequirementsNotMet as err:
        raise conflict(gettext("Nothing was changed: %(error)s") % {"error": err}, "requirements_not_met",
                       override={"override_requirements": True}) from err
    except EmbeddingSwitchUnconfirmed as err:
        raise conflict(gettext("Nothing was changed: %(error)s") % {"error": err}, "embedding_switch_unconfirmed",
                       override={"confirm_embedding_switch": True}) from err
    except ActivationError as err:
        raise conflict(gettext("Nothing was changed: %(error)s") % {"error": err}, "activation_failed") from err


class Activations(WriteBase):
    """POST: make a catalog model the active one for a capability (the admin's Activate)."""

    permission_classes = [CanActivate]

    @document(operation_id="activate", request=s.ActivationRequest,
              responses={201: s.ChoiceResultSerializer, **ERRORS})
    def post(self, request):
        data = self.validated(s.ActivationRequest, request.data, providers=enabled_ids())
        capability = data["capability"]
        entry = find_entry(data["provider"], data["model_id"])
        name = entry.name or entry.model_id
        note = ceiling_note(request.user, capability, name, entry.input_price, entry.output_price,
                            data["allow_above_ceiling"], guardrail.price_sources(entry))
        gates = {name: data[name] for name in ("override_requirements", "confirm_embedding_switch")}
        checked(selection.check_activation, entry, capability, "", *gates.values())  # before a billable call
        warnings = selection.activation_warnings(entry, capability)
        trial = None
        if data["test"]:
            trial = run_trial(entry, capability)
            if not trial.ok:
                raise bad_gateway(gettext("The test call failed: %(error)s. Nothing was changed.") % {"error": trial.error},
                                  "trial_failed")
        previous = active_row(capability)
        row = checked(selection.activate, entry, capability, request.user, via=VIA, trial=trial, note=note, **gates)
        return choice_result(row, previous, warnings)


class Saved(WriteBase):
    """GET: the saved models. POST: save a catalog model without activating it.
    DELETE: delete the saved models that are not active (never an active one)."""

    pagination_class = Pagination

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [CanViewSaved()]
        return [CanDeleteSaved() if self.request.method == "DELETE" else CanActivate()]

    def get_throttles(self):
        self.throttle_scope = "ai_models_read" if self.request.method in SAFE_METHODS else "ai_models_write"
        return super().get_throttles()

    @staticmethod
    def rows(query):
        rows = AIModel.objects.select_related("provider", "activated_by").order_by("capability", "-is_active", "pk")
        if query.get("provider"):
            rows = rows.filter(provider__slug=query["provider"])
        if query.get("capability"):
            rows = rows.filter(capability=query["capability"])
        if query.get("active") is not None:
            rows = rows.filter(is_active=query["active"])
        return rows

    @document(operation_id="saved_list", parameters=[s.SavedQuery],
              responses={200: s.SavedPageSerializer, **ERRORS})
    def get(self, request):
        query = self.validated(s.SavedQuery, request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.rows(query), request, view=self)
        return paginator.get_paginated_response(s.SavedModelSerializer(page, many=True).data)

    @document(operation_id="save", request=s.ChooseRequest, responses={201: s.ChoiceResultSerializer, **ERRORS})
    def post(self, request):
        data = self.validated(s.ChooseRequest, request.data, providers=enabled_ids())
        entry = find_entry(data["provider"], data["model_id"])
        row = selection.save(entry, data["capability"], request.user, via=VIA)
        return choice_result(row, None, selection.activation_warnings(entry, data["capability"], activating=False))

    @document(operation_id="saved_delete", parameters=[s.DeleteSavedQuery],
              responses={200: s.DeleteResultSerializer, **ERRORS})
    def delete(self, request):
        query = self.validated(s.DeleteSavedQuery, request.query_params)
        with transaction.atomic():
            # Filtered in SQL under a row lock, so a row activated meanwhile is kept.
            rows = list(self.rows(query).select_for_update(of=("self",)).filter(is_active=False))
            body = {"deleted": len(rows), "models": s.SavedModelSerializer(rows, many=True).data}
            if rows and request.user.pk:
                LogEntry.objects.log_actions(
                    request.user.pk, rows, DELETION, change_message=history.message(history.DELETED, "", "", via=VIA), single_object=False
                )
            try:
                AIModel.objects.filter(pk__in=[row.pk for row in rows], is_active=False).delete()
            except ProtectedError as err:
                raise conflict(gettext("Some of these models are still in use: nothing was deleted."), "protected") from err
        return Response(body)


class SavedBulk(WriteBase):
    """POST: save the first ``limit`` models of a filtered, sorted listing for a capability, activating none."""

    permission_classes = [CanActivate]

    @document(operation_id="saved_bulk", request=s.BulkSaveRequest, responses={201: s.BulkResultSerializer, **ERRORS})
    def post(self, request):
        listing = get_catalog()
        data = self.validated(s.BulkSaveRequest, request.data, providers=[x.provider for x in listing.statuses])
        provider = data.get("provider")
        error = unavailable([x for x in listing.statuses if not provider or x.provider == provider])
        if error:
            raise error
        entries = filter_entries(listing.entries, provider=provider, capability=data["capability"],
                                 search=data.get("search", ""), price=data.get("price"))
        chosen = sort_entries(entries, *sort_arguments(data["order"]))[: data["limit"]]
        with transaction.atomic():  # all or none
            rows = [
                selection.save(get_entry(entry.provider, entry.model_id) or entry, data["capability"], request.user,
                               via=VIA)
                for entry in chosen
            ]
        return Response({"count": len(rows), "saved": s.SavedModelSerializer(rows, many=True).data},
                        status=http.HTTP_201_CREATED)


class ActiveList(APIBase):
    """GET: one row per configured capability: its active model (or null) and drift flags."""

    permission_classes = [CanViewSaved]

    @document(operation_id="active_list", responses={200: s.ActiveSerializer(many=True), 403: s.ErrorSerializer})
    def get(self, request):
        drifts = {drift.model.capability: drift for drift in active_drift()}
        items = [
            {"capability": name, "model": getattr(drifts.get(name), "model", None), "drift": drifts.get(name)}
            for name in ai_settings.CAPABILITIES
        ]
        return Response(s.ActiveSerializer(items, many=True).data)


class CapabilityAction(WriteBase):
    permission_classes = [CanActivate]

    def capability(self, name):
        if name not in ai_settings.CAPABILITIES:
            raise not_found(gettext("Unknown capability “%(name)s”.") % {"name": name}, "unknown_capability")
        return name


capability_path = OpenApiParameter("capability", str, OpenApiParameter.PATH)


class Deactivate(CapabilityAction):
    """POST: leave a capability with no active model; ``deactivated`` is null when none was active."""

    @document(operation_id="deactivate", request=None, parameters=[capability_path],
              responses={200: s.DeactivateResultSerializer, **ERRORS})
    def post(self, request, capability):
        row = selection.deactivate(self.capability(capability), request.user, via=VIA)
        return Response({"deactivated": saved_data(row)})


class Rollback(CapabilityAction):
    """POST: activate again the model that was active before the current one (the most recently activated other)."""

    @document(operation_id="rollback", request=s.ActivationOverrides, parameters=[capability_path],
              responses={200: s.ChoiceResultSerializer, **ERRORS})
    def post(self, request, capability):
        capability = self.capability(capability)
        data = self.validated(s.ActivationOverrides, request.data)
        current = active_row(capability)
        earlier = AIModel.objects.select_related("provider").filter(
            capability=capability, is_active=False, activated_at__isnull=False
        )
        row = earlier.order_by("-activated_at", "-pk").first()
        if row is None:
            raise not_found(gettext("No earlier model of %(capability)s to roll back to.")
                            % {"capability": capability_label(capability)}, "no_previous_model")
        note = ceiling_note(request.user, capability, row.display_name or row.model_id, row.input_price,
                            row.output_price, data["allow_above_ceiling"])
        gates = {name: data[name] for name in ("override_requirements", "confirm_embedding_switch")}
        row = checked(selection.reactivate, row, request.user, via=VIA, note=note, **gates)
        return choice_result(row, current, [], created=False)

