"""Choosing models over HTTP: activate, save, bulk save, delete, the saved and active models,
deactivate, roll back. Every change is a call of ``ai_models.activation`` (the gates, the lock, a
``LogEntry`` naming the user and "via HTTP API"): the same rules as the admin and the command line.
What the flow raises becomes a JSON error in ``WriteBase.handle_exception``."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status as http
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from ... import activation
from ...activation.plan import use_of
from ...catalog import filter_entries, get_catalog, get_entry, sort_entries
from ...conf import ai_settings
from ...drift import active_drift
from ...models import AIModel, Provider
from .. import serializers as s
from ..errors import conflict, not_found
from ..permissions import CanActivate, CanDeleteSaved, CanViewSaved
from .base import PAGE_PARAMETERS, VIA, APIBase, Pagination, WriteBase, document
from .catalog import missing_entry, sort_arguments, unavailable

CHANGE_ERRORS = (404, 409, 502)  # what an activation or a save may answer besides the usual
capability_path = OpenApiParameter("capability", str, OpenApiParameter.PATH)
saved_id_path = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The saved model's id."))


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


def choice_result(change, created=True):
    body = {"model": saved_data(change.model), "replaced": saved_data(change.replaced),
            "warnings": list(change.plan.warnings)}
    return Response(body, status=http.HTTP_201_CREATED if created else http.HTTP_200_OK)


class Activations(WriteBase):
    """POST: make a catalog model the active one for a capability (the admin's Activate)."""

    permission_classes = [CanActivate]

    @document("activate", {201: s.ChoiceResultSerializer}, errors=CHANGE_ERRORS, request=s.ActivationRequest)
    def post(self, request):
        data = self.validated(s.ActivationRequest, request.data, providers=enabled_ids())
        entry = find_entry(data["provider"], data["model_id"])
        change = activation.activate(entry, data["capability"], request.user, via=VIA, overrides=s.overrides_of(data),
                                     parameters=data["parameters"], test=data["test"])
        return choice_result(change)


class Saved(WriteBase):
    """GET: the saved models. POST: save a catalog model without activating it.
    DELETE: delete the saved models that are not active (never an active one)."""

    pagination_class = Pagination

    def own_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [CanViewSaved()]
        return [CanDeleteSaved() if self.request.method == "DELETE" else CanActivate()]

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

    @document("saved_list", {200: s.SavedPageSerializer}, errors=(400, 404), parameters=[s.SavedQuery, *PAGE_PARAMETERS])
    def get(self, request):
        query = self.validated(s.SavedQuery, request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.rows(query), request, view=self)
        return paginator.get_paginated_response(s.SavedModelSerializer(page, many=True).data)

    @document("save", {201: s.SaveResultSerializer}, errors=CHANGE_ERRORS, request=s.SaveRequest)
    def post(self, request):
        data = self.validated(s.SaveRequest, request.data, providers=enabled_ids())
        entry = find_entry(data["provider"], data["model_id"])
        changes = activation.save_for(entry, data["capabilities"], request.user, via=VIA,
                                      parameters=data["parameters"], overrides=s.overrides_of(data))
        response = choice_result(changes[0])
        response.data["models"] = [saved_data(change.model) for change in changes]
        response.data["warnings"] = list(dict.fromkeys(w for change in changes for w in change.plan.warnings))
        return response

    @document("saved_delete", {200: s.DeleteResultSerializer}, errors=(400, 409), parameters=[s.DeleteSavedQuery])
    def delete(self, request):
        query = self.validated(s.DeleteSavedQuery, request.query_params)
        deletion = activation.delete_saved(self.rows(query), request.user, via=VIA)  # never a model in use
        kept = [{**s.SavedModelSerializer(row).data, "in_use": use_of(row)} for row in deletion.kept]
        return Response({"deleted": len(deletion.deleted),
                         "models": s.SavedModelSerializer(deletion.deleted, many=True).data, "kept": kept})


class SavedBulk(WriteBase):
    """POST: save the first ``limit`` models of a filtered, sorted listing for a capability, activating none."""

    permission_classes = [CanActivate]

    @document("saved_bulk", {201: s.BulkResultSerializer}, errors=CHANGE_ERRORS, request=s.BulkSaveRequest)
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
        # With their raw data, read before the capability is locked: nothing is fetched under it.
        chosen = [get_entry(entry.provider, entry.model_id) or entry for entry in chosen]
        changes = activation.save_many(chosen, data["capability"], request.user, via=VIA, overrides=s.overrides_of(data),
                                       activate_first=data["activate_first"])
        rows = [change.model for change in changes]
        activated = next((change for change in changes if change.activated), None)
        return Response({"count": len(rows), "saved": s.SavedModelSerializer(rows, many=True).data,
                         "activated": saved_data(activated and activated.model),
                         "replaced": saved_data(activated and activated.replaced)},
                        status=http.HTTP_201_CREATED)


class SavedOne(WriteBase):
    """GET: one saved model. DELETE: delete it, unless it is in use (active or a fallback: 409)."""

    def own_permissions(self):
        return [CanViewSaved() if self.request.method in SAFE_METHODS else CanDeleteSaved()]

    @staticmethod
    def row(pk):
        row = AIModel.objects.select_related("provider", "activated_by").filter(pk=pk).first()
        if row is None:
            raise not_found(gettext("No saved model has the id %(id)s.") % {"id": pk}, "unknown_saved_model")
        return row

    @document("saved_detail", {200: s.SavedModelSerializer}, errors=(404,), parameters=[saved_id_path])
    def get(self, request, pk):
        return Response(saved_data(self.row(pk)))

    @document("saved_delete_one", {200: s.DeleteResultSerializer}, errors=(404, 409), parameters=[saved_id_path])
    def delete(self, request, pk):
        deletion = activation.delete_saved([self.row(pk)], request.user, via=VIA)  # never a model in use
        if deletion.kept:
            (row,) = deletion.kept
            raise conflict(gettext("%(model)s is not deleted: it is %(use)s. Nothing was changed.")
                           % {"model": row, "use": use_of(row)}, "in_use")
        return Response({"deleted": len(deletion.deleted),
                         "models": s.SavedModelSerializer(deletion.deleted, many=True).data, "kept": []})


class Capabilities(APIBase):
    """GET: every configured capability with its label, kind, requirements, active model and fallbacks."""

    permission_classes = [CanViewSaved]

    @document("capabilities_list", {200: s.CapabilitySerializer(many=True)})
    def get(self, request):
        return Response(s.CapabilitySerializer(activation.capabilities_overview(), many=True).data)


class ActiveList(APIBase):
    """GET: one row per configured capability: its active model (or null) and drift flags."""

    permission_classes = [CanViewSaved]

    @document("active_list", {200: s.ActiveSerializer(many=True)})
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




class Deactivate(CapabilityAction):
    """POST: leave a capability with no active model; ``deactivated`` is null when none was active."""

    @document("deactivate", {200: s.DeactivateResultSerializer}, errors=(404, 409), parameters=[capability_path])
    def post(self, request, capability):
        row = activation.deactivate(self.capability(capability), request.user, via=VIA)
        return Response({"deactivated": saved_data(row)})


class Rollback(CapabilityAction):
    """POST: activate again the model that was active before the current one (the most recently activated other)."""

    @document("rollback", {200: s.ChoiceResultSerializer}, errors=CHANGE_ERRORS, request=s.ActivationOverrides,
              parameters=[capability_path])
    def post(self, request, capability):
        data = self.validated(s.ActivationOverrides, request.data)
        change = activation.rollback(self.capability(capability), request.user, via=VIA, overrides=s.overrides_of(data))
        return choice_result(change, created=False)
