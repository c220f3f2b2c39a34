"""API errors: JSON bodies with a stable ``code`` and a translated ``detail`` (provider text and
echoed input in it shown with ``ai_models.visible``).

``exception_handler`` formats every error of the API's views, DRF's own (validation,
authentication, permission, throttling, 404) included::

    {"code": "unknown_capability", "detail": "...", "errors": {"capability": [...]}}

``errors`` is there for validation errors only: field -> [{"code", "detail"}].
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import ActivationBusy, ActivationError, ActivationNotPermitted, ActivationRefused, NoEarlierModel
from ..visible import visible
from .serializers import ExcessSerializer, override_field, refusal_code

# Validation codes that name what was wrong; any other validation error is "invalid".
SPECIFIC_CODES = ("unknown_provider", "unknown_capability", "unknown_model")


class APIError(exceptions.APIException):
    """An error with its own status and code; ``extra`` is merged into the body."""

    def __init__(self, detail, code, status_code, **extra):
        super().__init__(detail, code)
        self.status_code = status_code
        self.extra = extra


def not_found(detail, code="not_found", **extra) -> APIError:
    return APIError(detail, code, status.HTTP_404_NOT_FOUND, **extra)


def conflict(detail, code, **extra) -> APIError:
    """409: refused as asked, with what to send to override in ``override`` when there is a way."""
    return APIError(detail, code, status.HTTP_409_CONFLICT, **extra)


def bad_gateway(detail, code="provider_unavailable", **extra) -> APIError:
    return APIError(detail, code, status.HTTP_502_BAD_GATEWAY, **extra)


def forbidden(detail, code="permission_denied", **extra) -> APIError:
    return APIError(detail, code, status.HTTP_403_FORBIDDEN, **extra)


def activation_error(err: ActivationError) -> APIError:
    """What the activation flow raised, as the API answers it.

    A refusal is a 409 with the code of the first gate that refused, ``override`` (what to send
    again to go ahead) and ``refusals`` (each gate); 403 when the user may not override one of
    them, 502 when the test call failed. Contention is a 409 ``busy``, a missing permission a 403.
    """
    if isinstance(err, ActivationRefused):
        refusals = [
            {"gate": outcome.key, "code": refusal_code(outcome.key), "detail": visible(outcome.message),
             "permitted": outcome.permitted,
             "override": {override_field(outcome.key): True} if outcome.gate.permission else {}}
            for outcome in err.outcomes
        ]
        extra = {"refusals": refusals}
        excess = next((o.finding.details for o in err.outcomes if o.key == "ceiling"), None)
        if excess:
            extra["excess"] = ExcessSerializer(excess, many=True).data
        if "trial" in err.keys:
            return bad_gateway(str(err), "trial_failed", **extra)
        blocked = [outcome for outcome in err.not_permitted if outcome.gate.permission]
        if blocked:
            return forbidden(str(err), f"{refusal_code(blocked[0].key)}_not_permitted", **extra)
        override = {key: value for refusal in refusals for key, value in refusal["override"].items()}
        return conflict(str(err), refusals[0]["code"], override=override, **extra)
    if isinstance(err, ActivationNotPermitted):
        return forbidden(str(err))
    if isinstance(err, NoEarlierModel):
        return not_found(str(err), "no_previous_model")
    if isinstance(err, ActivationBusy):
        return conflict(str(err), "busy")
    return conflict(gettext("Nothing was changed: %(error)s") % {"error": err}, "activation_failed")


def _flatten(detail, prefix=""):
    """[(field, ErrorDetail)] of a DRF validation detail (nested dicts and lists)."""
    if isinstance(detail, dict):
        return [item for key, value in detail.items() for item in _flatten(value, f"{prefix}{key}.")]
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, prefix)]
    return [(prefix[:-1] or "non_field_errors", detail)]


def _validation_body(detail) -> dict:
    found = _flatten(detail)
    errors = {}
    for field, error in found:
        errors.setdefault(field, []).append({"code": error.code, "detail": visible(error)})
    first_field, first = found[0] if found else ("non_field_errors", exceptions.ErrorDetail(_("Invalid input.")))
    code = first.code if first.code in SPECIFIC_CODES else "invalid"
    where = "" if first_field == "non_field_errors" else f"{first_field}: "
    return {"code": code, "detail": visible(f"{where}{first}"), "errors": errors}


def exception_handler(exc, context):
    """DRF's handler (status, headers such as ``Retry-After``), with our body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    else:
        # DRF turns Django's Http404 and PermissionDenied into its own, with a coded detail.
        detail = response.data.get("detail", "")
        response.data = {"code": getattr(detail, "code", None) or "error", "detail": visible(detail)}
        response.data.update(getattr(exc, "extra", {}))
    return response


@csrf_exempt  # it changes nothing, and a POST there is answered in JSON as a GET is
def unknown_path(request, *args, **kwargs):
    """A path under the API's prefix that names no endpoint: a JSON 404 like the API's others."""
    body = {"code": "not_found", "detail": visible(gettext("No endpoint of this API has the path %(path)s.")
                                                   % {"path": request.path})}
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
