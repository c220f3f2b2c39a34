"""Validation of provider base URL overrides (SSRF guard).

A base URL is where the site sends its API keys, so it must be https; plain http is
allowed only to a host and port listed in ``AI_MODELS["ALLOWED_HTTP_HOSTS"]`` (a local
OpenAI-compatible server, say). A base URL may not reach a loopback, private, link-local,
multicast or reserved address unless that host and port are listed there too.

The form and the system check see the URL as the HTTP library parses it (httpx: IDNA, so a
soft hyphen in a name is refused as it would be when sending) and its host as written (an
address in any notation a resolver accepts, a trailing dot, an IPv4 address inside an IPv6 one,
or a ``localhost`` name); the fetch checks every address a name resolves to when it connects
(``address_refusal``), so a name that changes what it resolves to cannot slip through.
Redirects to another host are refused at fetch time.
"""

import ipaddress
import re
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import httpx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .conf import ai_settings

DEFAULT_PORTS = {"http": 80, "https": 443}
# What ``inet_aton`` (and so the system resolver) reads as an IPv4 address: 127.1, 0x7f000001, 2130706433.
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")
# IPv6 prefixes that carry an IPv4 address the packets end up at (RFC 6052 NAT64).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IETF protocol assignments (RFC 6890): not reachable on the internet but for these two.
_IETF_V4 = ipaddress.ip_network("192.0.0.0/24")
_IETF_V4_GLOBAL = {ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10")}


def literal_address(host: str):
    """The IP address ``host`` spells in any notation a resolver accepts (a trailing dot too), or
    ``None`` for a name."""
    host = host.strip("[]").rstrip(".")
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


def embedded_ipv4(address):
    """The IPv4 address an IPv6 one leads to (IPv4-mapped, IPv4-compatible, NAT64, 6to4), or ``None``."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    number = int(address)
    if address in _NAT64 or (number >> 32 == 0 and number > 1):  # ::a.b.c.d, not :: nor ::1
        return ipaddress.IPv4Address(number & 0xFFFFFFFF)
    return None


def is_internal_address(address) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified, also when an IPv6 address
    carries an IPv4 one that is."""
    if address.version == 6:
        embedded = embedded_ipv4(address)
        if embedded is not None and (is_internal_address(embedded) or address.ipv4_mapped is not None):
            return is_internal_address(embedded)
    elif address in _IETF_V4 and address not in _IETF_V4_GLOBAL:
        return True
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
    """Raise ``ValidationError`` unless ``value`` is a safe base URL for a provider, read as the
    HTTP library that sends to it reads it."""
    if not value:
        return
    try:
        parts = httpx.URL(value)
    except httpx.InvalidURL:  # e.g. a name IDNA refuses (a soft hyphen, a zero-width joiner)
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    host = parts.host
    if (parts.port is not None and not 0 < parts.port <= 65535) or "%" in host:  # spaces or escapes in a name
        raise ValidationError(_("Enter a valid URL."), code="invalid")
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    if not host:
        raise ValidationError(_("Enter a valid URL with a host name."), code="invalid")
    if parts.userinfo:
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


@lru_cache(maxsize=256)
def _is_safe(value: str, allowed: tuple) -> bool:
    try:
        validate_base_url(value)
    except ValidationError:
        return False
    return True


def is_safe_base_url(value: str) -> bool:
    """Whether ``validate_base_url(value)`` passes, remembered per URL and ``ALLOWED_HTTP_HOSTS``
    (every call to a model checks its base URL again)."""
    return _is_safe(value, tuple(map(str, ai_settings.ALLOWED_HTTP_HOSTS)))
