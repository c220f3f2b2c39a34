"""What every API view shares: authentication, throttling hooks, errors, the schema."""

from drf_spectacular.openapi import AutoSchema
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from ...exceptions import ActivationError
from ..errors import activation_error, exception_handler
from ..serializers import ErrorSerializer
from ..throttles import Guarded

VIA = "HTTP API"  # how the admin history names changes made here


# What each status means, for every operation that may answer it (the schema's descriptions).
DESCRIBED = {
    200: _("The answer."),
    201: _("Done: what was created or changed."),
    400: _("Invalid input: errors lists each field."),
    401: _("No credentials, when the first authentication class names a scheme (Token, Basic)."),
    403: _("Not authenticated, or without the permission this needs."),
    404: _("Not found: the path names nothing that exists, or the page is past the end."),
    409: _("Refused as asked, or another change was in progress: nothing was changed (code says why)."),
    415: _("The body is not JSON."),
    429: _("Throttled: Retry-After says when to try again."),
    502: _("The provider could not be reached with nothing cached, or the test call failed."),
}
ANY_REQUEST = (401, 403, 429)  # authentication, permissions, throttles: every operation
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description=_("Page number, from 1.")),
    OpenApiParameter("page_size", int, description=_("Rows per page (default 50, at most 500).")),
]


def document(operation_id, ok, errors=(), request=None, parameters=()):
    """drf-spectacular's ``extend_schema`` (its AutoSchema whatever the host's DEFAULT_SCHEMA_CLASS):
    ``ok`` {status: serializer}; every answer described, errors as ``ErrorSerializer``, with the
    statuses any request may get (and 400, 415 for a body)."""
    statuses = {*errors, *ANY_REQUEST, *((400, 415) if request else ())}
    responses = {status: OpenApiResponse(serializer, description=DESCRIBED[status]) for status, serializer in ok.items()}
    responses.update({status: OpenApiResponse(ErrorSerializer, description=DESCRIBED[status])
                      for status in sorted(statuses)})

    def decorator(method):
        method.schema = AutoSchema  # where extend_schema looks first for the class to extend
        return extend_schema(operation_id=operation_id, request=request, responses=responses,
                             parameters=list(parameters))(method)

    return decorator


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 500), 50 rows by default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class APIBase(APIView):
    """An API view: the host's DRF authentication classes plus session auth (with its CSRF check),
    the host's permission classes and then the endpoint's own, the host's throttle classes
    (``ScopedRateThrottle`` reads ``throttle_scope``), our error bodies.

    No ``schema`` attribute: the host's DEFAULT_SCHEMA_CLASS stays in charge of its own schema
    generation (``manage.py generateschema``); ``document`` gives drf-spectacular's to ours.
    """

    throttle_scope = "ai_models_read"
    parser_classes = [JSONParser]  # bodies are JSON (a form is a 415), as the schema says
    # DjangoModelPermissions (a common host default) asks every view for a queryset; these views
    # check the app's own permissions instead, as DRF's API root does.
    _ignore_model_permissions = True

    # Read per request, not at import, so the host's REST_FRAMEWORK settings always apply.
    def get_authenticators(self):
        classes = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
        if not any(issubclass(cls, SessionAuthentication) for cls in classes):
            classes.append(SessionAuthentication)
        return [cls() for cls in classes]

    def get_permissions(self):
        """The host's DEFAULT_PERMISSION_CLASSES, then the endpoint's: a request passes both."""
        return [cls() for cls in api_settings.DEFAULT_PERMISSION_CLASSES] + self.own_permissions()

    def own_permissions(self) -> list:
        return [cls() for cls in self.permission_classes]

    def get_throttles(self):
        return [Guarded(cls()) for cls in api_settings.DEFAULT_THROTTLE_CLASSES]

    def get_exception_handler(self):
        return exception_handler

    def validated(self, serializer_class, data, **context):
        """The validated data of ``data``, or a 400 with every field error."""
        serializer = serializer_class(data=data, context={"request": self.request, **context})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class WriteBase(APIBase):
    """A view that changes what serves a capability, through ``ai_models.activation``; its reads
    (GET of saved/) count against the read rate, everything else against the write rate."""

    def get_throttles(self):
        self.throttle_scope = "ai_models_read" if self.request.method in SAFE_METHODS else "ai_models_write"
        return super().get_throttles()

    def handle_exception(self, exc):
        if isinstance(exc, ActivationError):
            exc = activation_error(exc)
        return super().handle_exception(exc)
