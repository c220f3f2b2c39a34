"""Rollouts over HTTP: ``GET rollouts/`` (each with its live figures), ``POST rollouts/<capability>/``
(start), ``PATCH`` (change its share or groups), ``POST .../promote/`` and ``POST .../abort/``. Each
change is a call of ``ai_models.activation.rollouts``: the gates, the lock and the history of the
admin and the command line."""

from django.contrib.auth.models import Group
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from ...activation import rollouts
from ...models import AIModel
from .. import serializers as s
from ..errors import not_found
from ..permissions import CanActivate, CanViewSaved
from .base import VIA, document
from .choices import CHANGE_ERRORS, CapabilityAction, capability_path, choice_result


class GroupNames(serializers.ListField):
    """Names of Django groups, each one that exists."""

    child = serializers.CharField(max_length=150)

    def to_internal_value(self, data):
        names = super().to_internal_value(data)
        found = {group.name: group for group in Group.objects.filter(name__in=names)}
        missing = [name for name in names if name not in found]
        if missing:
            raise serializers.ValidationError(gettext("No group %(names)s.") % {"names": ", ".join(missing)})
        return [found[name] for name in names]


class RolloutChange(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    groups = GroupNames(required=False)


class RolloutStart(s.ActivationOverrides, RolloutChange):
    candidate = serializers.IntegerField(help_text="The id of the saved model to try.")


# The running rollouts (one of summary_as_data each), as the listing, start and change answer them.
LISTING = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


def _listing(capability=None):
    return [rollouts.summary_as_data(summary) for summary in rollouts.summaries(capability)]


class RolloutList(CapabilityAction):
    """GET: every running rollout with the live figures of its candidate and of the active model."""

    def own_permissions(self):
        return [CanViewSaved()]

    @document("rollouts", {200: LISTING})
    def get(self, request):
        return Response(_listing())


class RolloutOne(CapabilityAction):
    """GET: the capability's rollout (``[]`` when none runs). POST: start one. PATCH: change it."""

    def own_permissions(self):
        return [CanViewSaved() if self.request.method in SAFE_METHODS else CanActivate()]

    @document("rollout", {200: LISTING}, errors=(404,), parameters=[capability_path])
    def get(self, request, capability):
        return Response(_listing(self.capability(capability)))

    @document("rollout_start", {201: LISTING}, errors=CHANGE_ERRORS, request=RolloutStart,
              parameters=[capability_path])
    def post(self, request, capability):
        capability = self.capability(capability)
        data = self.validated(RolloutStart, request.data)
        candidate = AIModel.objects.select_related("provider").filter(pk=data["candidate"], capability=capability).first()
        if candidate is None:
            raise not_found(gettext("No saved model %(id)s for this capability.") % {"id": data["candidate"]},
                            "unknown_saved_model")
        rollouts.start(capability, candidate, request.user, percent=data.get("percent", 0),
                       groups=data.get("groups", ()), via=VIA, overrides=s.overrides_of(data))
        return Response(_listing(capability), status=http.HTTP_201_CREATED)

    @document("rollout_change", {200: LISTING}, errors=CHANGE_ERRORS, request=RolloutChange,
              parameters=[capability_path])
    def patch(self, request, capability):
        capability = self.capability(capability)
        data = self.validated(RolloutChange, request.data)
        rollouts.change(capability, request.user, percent=data.get("percent"), groups=data.get("groups"), via=VIA)
        return Response(_listing(capability))


class RolloutPromote(CapabilityAction):
    """POST: make the candidate the active model (through the activation flow) and end the rollout."""

    @document("rollout_promote", {200: s.ChoiceResultSerializer}, errors=CHANGE_ERRORS, request=s.ActivationOverrides,
              parameters=[capability_path])
    def post(self, request, capability):
        data = self.validated(s.ActivationOverrides, request.data)
        change = rollouts.promote(self.capability(capability), request.user, via=VIA, overrides=s.overrides_of(data))
        return choice_result(change, created=False)  # the answer of every activation


class RolloutAbort(CapabilityAction):
    """POST: end the rollout; everyone gets the active model again."""

    @document("rollout_abort", {200: OpenApiTypes.OBJECT}, errors=(404, 409), parameters=[capability_path])
    def post(self, request, capability):
        rollout = rollouts.abort(self.capability(capability), request.user, via=VIA)
        return Response({"aborted": s.SavedModelSerializer(rollout.candidate).data})
