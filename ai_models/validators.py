"""Validation of provider base URL overrides (SSRF guard).

A base URL is where the site sends its API keys, so it must be https; plain http is
allowed only to a host and port listed in ``AI_MODELS["ALLOWED_HTTP_HOSTS"]`` (a local
OpenAI-compatible server, say). A base URL may not reach a loopback, private, link-local,
multicast or reserved address unless that host and port are listed there too.

The form and the system check see the URL as written (an address in any notation a
resolver accepts, or a ``localhost`` name); the fetch checks every address a name resolves
to when it connects (``address_refusal``), so a name that changes what it resolves to
cannot slip through. Redirects to another host are refused at fetch time.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .conf import ai_settings

DEFAULT_PORTS = {"http": 80, "https": 443}
# What ``inet_aton`` (and so the system resolver) reads as an IPv4 address: 127.1, 0x7f000001, 2130706433.
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


def literal_address(host: str):
    """The IP address ``host`` spells in any notation a resolver accepts, or ``None`` for a name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_internal_address(address) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified (IPv4-mapped too)."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _is_internal_host(host: str) -> bool:
    address = literal_address(host)
    if address is not None:
        return is_internal_address(address)
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def _same_host(one: str, other: str) -> bool:
    one_address, other_address = literal_address(one), literal_address(other)
    if one_address is not None or other_address is not None:
        return one_address == other_address
    return one.lower().rstrip(".") == other.lower().rstrip(".")


def _allow_entry(entry: str) -> tuple[str, int | None]:
    """``(host, port)`` of an ``ALLOWED_HTTP_HOSTS`` entry: ``host``, ``host:port`` or ``[v6]:port``."""
    if entry.count(":") > 1 and not entry.startswith("["):
        return entry, None  # a bare IPv6 address
    parts = urlsplit(f"//{entry}")
    try:
        return parts.hostname or entry, parts.port
    except ValueError:
        return entry, None


def is_allowed_host(host: str, port: int) -> bool:
    """Whether ``ALLOWED_HTTP_HOSTS`` lists ``host`` at ``port`` (an entry without a port means 80 or 443)."""
    for entry in ai_settings.ALLOWED_HTTP_HOSTS:
        allowed_host, allowed_port = _allow_entry(str(entry))
        ports = DEFAULT_PORTS.values() if allowed_port is None else (allowed_port,)
        if port in ports and _same_host(host, allowed_host):
            return True
    return False


def allow_entry(host: str, port: int) -> str:
    """How to list ``host`` at ``port`` in ``ALLOWED_HTTP_HOSTS``."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port in DEFAULT_PORTS.values() else f"{shown}:{port}"


def address_refusal(host: str, port: int, address) -> str:
    """Why a connection to ``address`` (``host`` resolved) may not be made, or ``""`` when it may."""
    if not is_internal_address(address) or is_allowed_host(host, port):
        return ""
    return _(
        "%(host)s resolves to %(address)s, a loopback, private or reserved address; add %(entry)s to "
        "AI_MODELS['ALLOWED_HTTP_HOSTS'] if this server is yours."
    ) % {"host": host, "address": address, "entry": allow_entry(host, port)}


def validate_base_url(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a safe base URL for a provider."""
    if not value:
        return
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    if not host:
        raise ValidationError(_("Enter a valid URL with a host name."), code="invalid")
    if parts.username or parts.password:
        raise ValidationError(_("The base URL must not contain a user name or password."), code="credentials")
    if parts.query or parts.fragment:
        raise ValidationError(_("The base URL must not contain a query string or fragment."), code="query")
    if parts.scheme not in DEFAULT_PORTS:
        raise ValidationError(_("Only https URLs are allowed."), code="scheme")
    if is_allowed_host(host, port):
        return
    entry = allow_entry(host, port)
    if parts.scheme == "http":
        raise ValidationError(
            _(
                "Plain http would send the API key unencrypted: use https, or add %(host)s to "
                "AI_MODELS['ALLOWED_HTTP_HOSTS'] for a trusted local server."
            ),
            code="insecure",
            params={"host": entry},
        )
    if _is_internal_host(host):
        raise ValidationError(
            _(
                "%(host)s is a loopback, private or reserved address: a base URL may reach it only when "
                "AI_MODELS['ALLOWED_HTTP_HOSTS'] lists %(entry)s."
            ),
            code="internal",
            params={"host": host, "entry": entry},
        )
