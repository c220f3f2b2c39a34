"""System check of the API's throttle scopes (E016). DRF is imported only when the host's
REST_FRAMEWORK settings name throttle classes: a site without the API never loads it."""

from django.conf import settings
from django.core.checks import Error, register
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from ..checks import TAG

SCOPES = ("ai_models_read", "ai_models_write")


def _scoped(classes) -> bool:
    """Whether one of the throttle ``classes`` (dotted paths or classes) reads a view's scope."""
    from rest_framework.throttling import ScopedRateThrottle

    found = [import_string(cls) if isinstance(cls, str) else cls for cls in classes]
    return any(isinstance(cls, type) and issubclass(cls, ScopedRateThrottle) for cls in found)


def _api_mounted() -> bool:
    try:
        reverse("ai_models_api:active")
    except NoReverseMatch:
        return False
    return True


@register(TAG)
def check_throttle_scopes(app_configs=None, **kwargs):
    """E016: ScopedRateThrottle without a rate for one of the API's scopes raises on every request
    of that scope (an HTML 500); a rate of None is an explicit "no limit"."""
    config = getattr(settings, "REST_FRAMEWORK", None) or {}
    classes = config.get("DEFAULT_THROTTLE_CLASSES") or ()
    if not classes:
        return []
    try:
        if not _scoped(classes):
            return []
    except ImportError:
        return []  # DRF's own check reports a class that does not import
    rates = config.get("DEFAULT_THROTTLE_RATES") or {}
    missing = [scope for scope in SCOPES if scope not in rates]
    if not missing or (len(missing) == len(SCOPES) and not _api_mounted()):
        return []
    return [
        Error(
            "REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for %s: with ScopedRateThrottle, every "
            "request of the ai_models API in that scope would fail with a server error."
            % " and ".join(repr(scope) for scope in missing),
            hint='Give both scopes a rate, e.g. {"ai_models_read": "120/minute", "ai_models_write": "20/minute"} '
            "(None for no limit); see docs/api-http.md.",
            id="ai_models.E016",
        )
    ]
