"""The API's URLs: ``path("api/ai-models/", include("ai_models.api.urls"))``."""

from django.urls import path

from .schema import SchemaView
from .views import catalog, choices, usage

app_name = "ai_models_api"

urlpatterns = [
    path("catalog/", catalog.CatalogList.as_view(), name="catalog"),
    path("catalog/refresh/", catalog.CatalogRefresh.as_view(), name="catalog-refresh"),
    # Model ids hold slashes ("openai/gpt-4o"): the rest of the path is the id.
    path("catalog/<str:provider>/<path:model_id>/", catalog.CatalogDetail.as_view(), name="catalog-entry"),
    path("providers/", catalog.ProviderList.as_view(), name="providers"),
    path("activations/", choices.Activations.as_view(), name="activations"),
    path("saved/", choices.Saved.as_view(), name="saved"),
    path("saved/bulk/", choices.SavedBulk.as_view(), name="saved-bulk"),
    path("active/", choices.ActiveList.as_view(), name="active"),
    path("active/<str:capability>/deactivate/", choices.Deactivate.as_view(), name="deactivate"),
    path("active/<str:capability>/rollback/", choices.Rollback.as_view(), name="rollback"),
    path("usage/", usage.UsageReport.as_view(), name="usage"),
    path("schema/", SchemaView.as_view(), name="schema"),
]
