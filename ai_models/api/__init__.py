"""The HTTP JSON API over Django REST framework (the ``rest`` extra).

Mount it with ``path("api/ai-models/", include("ai_models.api.urls"))``. Nothing here is
imported by the rest of the app, so a site that does not include these URLs never imports
DRF. Every endpoint goes through ``ai_models.catalog`` and ``ai_models.activation``, like the
admin and the command line; see docs/api-http.md.
"""
