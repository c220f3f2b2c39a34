"""What every API view shares: authentication, throttling hooks, errors, the schema."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from ...exceptions import ActivationError
from ..errors import activation_error, exception_handler
from ..throttles import Guarded

VIA = "HTTP API"  # how the admin history names changes made here


def document(**kwargs):
    """``extend_schema`` built on drf-spectacular's AutoSchema whatever the host's DEFAULT_SCHEMA_CLASS."""

    def decorator(method):
        method.schema = AutoSchema  # where extend_schema looks first for the class to extend
        return extend_schema(**kwargs)(method)

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
    """A view that changes what serves a capability, through ``ai_models.activation``."""

    throttle_scope = "ai_models_write"

    def handle_exception(self, exc):
        if isinstance(exc, ActivationError):
            exc = activation_error(exc)
        return super().handle_exception(exc)
