"""The API's URLs: ``path("api/ai-models/", include("ai_models.api.urls"))``."""

from django.urls import path, re_path, register_converter

from .errors import unknown_path
from .schema import SchemaView
from .views import catalog, choices, rollouts, usage


class AnyText:
    """The rest of the path, whatever it holds: model ids may hold slashes and, from a provider
    that allows it, line breaks (``<path:>`` stops at one, and the answer was Django's HTML 404)."""

    regex = r"[\s\S]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AnyText, "ai_models_any")

app_name = "ai_models_api"

urlpatterns = [
    path("catalog/", catalog.CatalogList.as_view(), name="catalog"),
    path("catalog/refresh/", catalog.CatalogRefresh.as_view(), name="catalog-refresh"),
    # Model ids hold slashes ("openai/gpt-4o"): the rest of the path is the id.
    path("catalog/<str:provider>/<ai_models_any:model_id>/", catalog.CatalogDetail.as_view(), name="catalog-entry"),
    path("providers/", catalog.ProviderList.as_view(), name="providers"),
    path("activations/", choices.Activations.as_view(), name="activations"),
    path("saved/", choices.Saved.as_view(), name="saved"),
    path("saved/bulk/", choices.SavedBulk.as_view(), name="saved-bulk"),
    path("saved/<int:pk>/", choices.SavedOne.as_view(), name="saved-one"),
    path("capabilities/", choices.Capabilities.as_view(), name="capabilities"),
    path("active/", choices.ActiveList.as_view(), name="active"),
    path("active/<str:capability>/deactivate/", choices.Deactivate.as_view(), name="deactivate"),
    path("active/<str:capability>/rollback/", choices.Rollback.as_view(), name="rollback"),
    path("rollouts/", rollouts.RolloutList.as_view(), name="rollouts"),
    path("rollouts/<str:capability>/", rollouts.RolloutOne.as_view(), name="rollout"),
    path("rollouts/<str:capability>/promote/", rollouts.RolloutPromote.as_view(), name="rollout-promote"),
    path("rollouts/<str:capability>/abort/", rollouts.RolloutAbort.as_view(), name="rollout-abort"),
    path("usage/", usage.UsageReport.as_view(), name="usage"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # Every other path under the API's prefix: a JSON 404, never the site's HTML page.
    re_path(r"^[\s\S]*$", unknown_path),
]
