"""The OpenAPI 3 schema of this API alone, whatever else the host's URLconf holds."""

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.views import SpectacularAPIView

from ..conf import ai_settings
from ..models import Provider

from .. import __version__
from .permissions import CanViewCatalog
from .views.base import APIBase


def only_this_api(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: keep the endpoints of our views (not the schema itself)."""
    return [endpoint for endpoint in endpoints if _module(endpoint[3]).startswith(__package__ + ".views.")]


def _module(callback) -> str:
    return getattr(getattr(callback, "cls", None), "__module__", "")


def capabilities() -> list:
    return list(ai_settings.CAPABILITIES)


def providers() -> list | None:
    """The enabled providers' ids, or None when the database cannot say (a schema made offline)."""
    try:
        return [backend.id for backend in Provider.objects.backends()]
    except DatabaseError:
        return None


def choices(values: list | None, blank: bool) -> dict:
    if values is None:
        return {"type": "string"}
    return {"type": "string", "enum": [*values, ""] if blank else values}


class CapabilityFieldSchema(OpenApiSerializerFieldExtension):
    """A capability field: an enum of the capabilities configured now (anything else is a 400)."""

    target_class = "ai_models.api.serializers.CapabilityField"

    def map_serializer_field(self, auto_schema, direction):
        return choices(capabilities(), self.target.allow_blank)


class ProviderFieldSchema(OpenApiSerializerFieldExtension):
    """A provider field: an enum of the providers enabled now (anything else is a 400)."""

    target_class = "ai_models.api.serializers.ProviderField"

    def map_serializer_field(self, auto_schema, direction):
        return choices(providers(), self.target.allow_blank)


def path_enums(result, generator, **kwargs):
    """drf-spectacular postprocessing hook: the capability and provider in paths as enums too."""
    values = {"capability": capabilities(), "provider": providers()}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in values:
                    parameter["schema"] = choices(values[parameter["name"]], False)
    return result


class SchemaView(APIBase, SpectacularAPIView):
    """GET: the schema (YAML by default, ``?format=json`` for JSON)."""

    permission_classes = [CanViewCatalog]
    custom_settings = {
        "TITLE": "django-ai-models API",
        "DESCRIPTION": "The live AI-model catalog and the active model per capability. See docs/api-http.md.",
        "VERSION": __version__,
        "PREPROCESSING_HOOKS": ["ai_models.api.schema.only_this_api"],
        "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "ai_models.api.schema.path_enums"],
        "COMPONENT_SPLIT_REQUEST": True,
        "OAS_VERSION": "3.1.0",  # nullable references as JSON Schema says them (oneOf null)
    }
