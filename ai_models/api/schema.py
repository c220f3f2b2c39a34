"""The OpenAPI 3 schema of this API alone, whatever else the host's URLconf holds."""

from drf_spectacular.views import SpectacularAPIView

from .. import __version__
from .permissions import CanViewCatalog
from .views.base import APIBase


def only_this_api(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: keep the endpoints of our views (not the schema itself)."""
    return [endpoint for endpoint in endpoints if _module(endpoint[3]).startswith(__package__ + ".views.")]


def _module(callback) -> str:
    return getattr(getattr(callback, "cls", None), "__module__", "")


class SchemaView(APIBase, SpectacularAPIView):
    """GET: the schema (YAML by default, ``?format=json`` for JSON)."""

    permission_classes = [CanViewCatalog]
    custom_settings = {
        "TITLE": "django-ai-models API",
        "DESCRIPTION": "The live AI-model catalog and the active model per capability. See docs/api-http.md.",
        "VERSION": __version__,
        "PREPROCESSING_HOOKS": ["ai_models.api.schema.only_this_api"],
        "COMPONENT_SPLIT_REQUEST": True,
        "OAS_VERSION": "3.1.0",  # nullable references as JSON Schema says them (oneOf null)
    }
