"""Validation of provider base URL overrides (SSRF guard).

A base URL is where the site sends its API keys, so it must be https; plain http is
allowed only to hosts listed in ``AI_MODELS["ALLOWED_HTTP_HOSTS"]`` (a local
OpenAI-compatible server, say). Redirects to another host are refused at fetch time.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .conf import ai_settings


def validate_base_url(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a safe base URL for a provider."""
    if not value:
        return
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    if not host:
        raise ValidationError(_("Enter a valid URL with a host name."), code="invalid")
    if parts.username or parts.password:
        raise ValidationError(_("The base URL must not contain a user name or password."), code="credentials")
    if parts.query or parts.fragment:
        raise ValidationError(_("The base URL must not contain a query string or fragment."), code="query")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and host.lower() in {h.lower() for h in ai_settings.ALLOWED_HTTP_HOSTS}:
        return
    if parts.scheme == "http":
        raise ValidationError(
            _(
                "Plain http would send the API key unencrypted: use https, or add %(host)s to "
                "AI_MODELS['ALLOWED_HTTP_HOSTS'] for a trusted local server."
            ),
            code="insecure",
            params={"host": host},
        )
    raise ValidationError(_("Only https URLs are allowed."), code="scheme")
