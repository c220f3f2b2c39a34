"""The API's views: ``catalog`` (listing, one entry, refresh, providers) and ``choices``
(activate, save, bulk save, delete, saved and active models, deactivate, roll back)."""
