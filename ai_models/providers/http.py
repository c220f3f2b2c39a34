"""The HTTP half shared by every provider reached over HTTP.

``HTTPProvider`` owns the requests, sent through the client kept for its provider (``session``, over
the guarded ``transport``: vetted addresses, one deadline per exchange, the body capped and decoded
once), the auth header and timeouts of each request, retries on 429/5xx honouring ``Retry-After``,
same-host-only redirects, JSON decoding (``decoding``: bounded depth, the key redacted from every
string) and the mapping of every failure to a ``ProviderError`` that names the provider and never
contains the key (nor an obvious transform of it), for sync and async calls alike. Calling a model
is ``calls.ModelCalls``. Provider modules only say where to go and how to parse.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, ClassVar

import httpx
from django.core.exceptions import ValidationError

from ..conf import ai_settings
from ..exceptions import Told as _  # translated now, told again in each reader's language
from ..exceptions import (
    ProviderAuthError,
    ProviderError,
    ProviderResponseError,
    ProviderUnavailable,
    contains_secret,
    redact,
)
from ..usage.meter import METER
from ..validators import is_safe_base_url, validate_base_url
from . import decoding
from .base import BaseProvider
from .calls import ModelCalls
from .reply import Reply, retry_after_seconds
from .session import Session, provider_client
from .transport import origin_of, url_origin

# Looked up at call time so tests patch it (``ai_models.providers.http.sleep``) and never wait.
sleep = time.sleep
asleep = asyncio.sleep

MAX_REDIRECTS = 3
MAX_PAGES = 100
EXCERPT_CHARS = 200
BACKOFF_SECONDS = 0.5


class HTTPProvider(ModelCalls, BaseProvider):
    """Base of the providers reached over HTTP: owns the client, retries, caps and errors."""

    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"  # "" sends the bare key (Gemini's x-goog-api-key)
    default_options: ClassVar[dict] = {
        "GENERATION_TIMEOUT": 120.0,  # seconds to wait for a model's answer; images are slow
    }

    # -- configuration ---------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request; empty when no key is set."""
        if not self.api_key:
            return {}
        value = f"{self.auth_scheme} {self.api_key}" if self.auth_scheme else self.api_key
        return {self.auth_header: value}

    def url(self, path: str) -> str:
        """``path`` under the base URL."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def invocation_headers(self) -> dict[str, str]:
        """Headers that authenticate a call to a model (the listing's by default)."""
        return self.auth_headers()

    def _check_base_url(self, url: str | None = None):
        # The same rule as the admin form and check E007 (``validate_base_url``), enforced again
        # here because a setting or an allow-list may have changed since the URL was saved.
        url = self.base_url if url is None else url
        if not url:  # a generic class has no default: the host names its server
            raise ProviderError(
                self.id,
                _("no base URL configured; set AI_MODELS['PROVIDERS'][%(id)r]['BASE_URL'] or add one in the admin")
                % {"id": self.id},
            )
        if is_safe_base_url(url):
            return
        try:
            validate_base_url(url)
        except ValidationError as err:
            raise ProviderError(
                self.id, _("the base URL is not allowed: %(reason)s") % {"reason": " ".join(err.messages)}
            ) from None

    def session_options(self, *, invoking: bool = False) -> tuple[dict, httpx.Timeout]:
        """The headers and timeout of one fetch or call. Checks the key and base URL first.

        ``invoking``: for a call to a model, which always needs a key and may take longer
        (``GENERATION_TIMEOUT``) than a list.
        """
        self.require_key(always=invoking)
        self._check_base_url()
        read_timeout = float(self.option("GENERATION_TIMEOUT")) if invoking else ai_settings.READ_TIMEOUT
        timeout = httpx.Timeout(read_timeout, connect=ai_settings.CONNECT_TIMEOUT)
        return (self.invocation_headers() if invoking else self.auth_headers()), timeout

    @contextmanager
    def client(self, *, invoking: bool = False) -> Iterator[Session]:
        """The session of one fetch or call: this provider's kept ``httpx.Client`` (see
        ``session_options``), connecting only to vetted addresses."""
        headers, timeout = self.session_options(invoking=invoking)
        yield Session(provider_client(self.id, self.base_url), headers, timeout, self.meter if invoking else None)

    @asynccontextmanager
    async def aclient(self, *, invoking: bool = False) -> AsyncIterator[Session]:
        """The same with the ``httpx.AsyncClient`` kept for the running event loop, for the async
        calls (``achat`` ...), under the same guards."""
        headers, timeout = self.session_options(invoking=invoking)
        meter = self.meter if invoking else None
        yield Session(provider_client(self.id, self.base_url, asynchronous=True), headers, timeout, meter)

    # -- requests --------------------------------------------------------------------------

    def request(self, session: Session, method: str, url: str, **kwargs) -> Reply:
        """Send one request (``params=``, ``json=``, ``headers=`` as for httpx), retrying 429/5xx; a
        2xx ``Reply``.

        Raises ``ProviderAuthError`` (401/403), ``ProviderUnavailable`` (unreachable, timed out,
        still 429/5xx after ``MAX_RETRIES``) or ``ProviderResponseError`` (anything else).
        """
        attempt, reply = 0, self._send(session, method, url, **kwargs)
        while (wait := self.retry_wait(reply, attempt)) is not None:
            sleep(wait)
            attempt += 1
            reply = self._send(session, method, url, **kwargs)
        self.check_status(reply, attempts=attempt + 1)
        return reply

    async def arequest(self, session: Session, method: str, url: str, **kwargs) -> Reply:
        """``request`` on an ``httpx.AsyncClient``."""
        attempt, reply = 0, await self._asend(session, method, url, **kwargs)
        while (wait := self.retry_wait(reply, attempt)) is not None:
            await asleep(wait)
            attempt += 1
            reply = await self._asend(session, method, url, **kwargs)
        self.check_status(reply, attempts=attempt + 1)
        return reply

    def retry_wait(self, reply: Reply, attempt: int) -> float | None:
        """Seconds to wait before retry ``attempt`` (``Retry-After`` or exponential backoff, capped),
        or None when ``reply`` is not retried (not a 429/5xx, or ``MAX_RETRIES`` reached)."""
        if not (reply.status == 429 or reply.status >= 500) or attempt >= ai_settings.MAX_RETRIES:
            return None
        wait = retry_after_seconds(reply.headers.get("retry-after"))
        if wait is None:
            wait = BACKOFF_SECONDS * 2**attempt
        return min(wait, ai_settings.MAX_RETRY_WAIT)

    def _first_request(self, session: Session, method: str, url: str, headers=None, **kwargs) -> httpx.Request:
        try:
            request = session.client.build_request(
                method, url, headers={**session.headers, **(headers or {})}, timeout=session.timeout, **kwargs,
                extensions={METER: session.meter} if session.meter is not None else None,
            )
        except httpx.InvalidURL as err:
            raise ProviderError(self.id, _("cannot build a request to an invalid URL")) from err
        if origin_of(request.url) != url_origin(self.base_url):
            raise ProviderResponseError(
                self.id, _("refused to follow a link to another host (%(host)s)") % {"host": request.url.host}
            )
        return request

    def _redirected(self, redirect: httpx.Response, hop: int) -> httpx.Request:
        """The request a redirect asks for, if it stays on the base URL's origin and within the hops."""
        if hop >= MAX_REDIRECTS:
            raise ProviderResponseError(self.id, _("too many redirects"), status=redirect.status_code)
        try:
            request = redirect.next_request
            same_origin = origin_of(request.url) == url_origin(self.base_url)
        except httpx.InvalidURL:
            raise ProviderResponseError(
                self.id, _("refused a redirect to an invalid URL"), status=redirect.status_code
            ) from None
        if not same_origin:
            raise ProviderResponseError(
                self.id,
                _("refused a redirect to another host (%(host)s)") % {"host": request.url.host},
                status=redirect.status_code,
            )
        return request

    def _send(self, session: Session, method: str, url: str, **kwargs) -> Reply:
        request = self._first_request(session, method, url, **kwargs)
        for hop in range(MAX_REDIRECTS + 1):
            reply, redirect = self._exchange(session, request)
            if reply is not None:
                return reply
            request = self._redirected(redirect, hop)

    async def _asend(self, session: Session, method: str, url: str, **kwargs) -> Reply:
        request = self._first_request(session, method, url, **kwargs)
        for hop in range(MAX_REDIRECTS + 1):
            reply, redirect = await self._aexchange(session, request)
            if reply is not None:
                return reply
            request = self._redirected(redirect, hop)

    # The transport bounds each exchange (connect, headers, body) by one deadline of
    # ``session.seconds``, so an answer trickling in a byte at a time cannot hold a fetch, or a
    # request thread, past it; the body arrives decoded and within the cap (``body``).

    def _exchange(self, session: Session, request: httpx.Request):
        """One round trip: ``(reply, None)``, or ``(None, response)`` for a redirect."""
        started = time.monotonic()
        try:
            response = session.client.send(request, stream=True)
            try:
                if response.next_request is not None:
                    return None, response
                body = b"".join(response.iter_raw())
                return Reply(response.status_code, response.headers, body, request.url), None
            finally:
                response.close()
        except (httpx.HTTPError, OSError) as err:  # OSError: a socket or TLS failure no layer mapped
            failure = err
        # Raised outside the handler so the httpx error is chained only through _safe(), never as context.
        raise self._failure(failure, started, session.seconds) from self._safe(failure)

    async def _aexchange(self, session: Session, request: httpx.Request):
        """``_exchange`` on an ``httpx.AsyncClient``."""
        started = time.monotonic()
        try:
            response = await session.client.send(request, stream=True)
            try:
                if response.next_request is not None:
                    return None, response
                body = b"".join([chunk async for chunk in response.aiter_raw()])
                return Reply(response.status_code, response.headers, body, request.url), None
            finally:
                await response.aclose()
        except (httpx.HTTPError, OSError) as err:  # OSError: a socket or TLS failure no layer mapped
            failure = err
        raise self._failure(failure, started, session.seconds) from self._safe(failure)

    def _failure(self, err: Exception, started: float, seconds: float) -> ProviderError:
        """The error an exchange that failed with ``err`` raises: a timeout when its deadline passed."""
        if isinstance(err, httpx.TimeoutException) and time.monotonic() - started >= seconds:
            return ProviderUnavailable(
                self.id, _("timed out: no complete answer within %(seconds)g s") % {"seconds": seconds}
            )
        return self._transport_error(err)

    def _transport_error(self, err: Exception) -> ProviderError:
        if isinstance(err, httpx.TimeoutException):
            return ProviderUnavailable(self.id, _("timed out: the provider is unreachable"))
        if isinstance(err, (httpx.TransportError, OSError)):
            return ProviderUnavailable(
                self.id, _("the provider is unreachable (%(error)s)") % {"error": type(err).__name__}
            )
        return ProviderResponseError(self.id, _("the response could not be read"))

    def _safe(self, err: Exception) -> Exception | None:
        # httpx errors carry the request URL; should a key ever get there, drop the chain.
        return None if contains_secret(str(err), self.api_key) else err

    # -- answers ---------------------------------------------------------------------------

    def excerpt(self, content: bytes) -> str:
        """About 200 characters of a body, whitespace collapsed, the key redacted (also where JSON
        escapes or format characters disguise it: the excerpt is then shown unescaped)."""
        text = " ".join(content[: EXCERPT_CHARS * 10].decode("utf-8", "replace").split())
        text = redact(text, self.api_key)
        if "\\u" in text and contains_secret(decoding.unescaped(text), self.api_key):
            text = redact(decoding.unescaped(text), self.api_key)
        return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"

    def check_status(self, reply: Reply, attempts: int = 1):
        """Raise the ``ProviderError`` a non-2xx status means."""
        status = reply.status
        if 200 <= status < 300:
            return
        details = {"status": status, "excerpt": self.excerpt(reply.content)}
        if status in (401, 403):
            if self.api_key:
                message = self._rejected_key_message()
            else:
                message = _("the provider asks for an API key; set %(setting)s or add one in the admin") % {
                    "setting": self.api_key_env or "API_KEY"
                }
            raise ProviderAuthError(self.id, message, **details)
        if status == 429:
            raise ProviderUnavailable(
                self.id, _("rate limited after %(attempts)d attempts") % {"attempts": attempts}, **details
            )
        if status >= 500:
            raise ProviderUnavailable(
                self.id, _("server error after %(attempts)d attempts") % {"attempts": attempts}, **details
            )
        raise ProviderResponseError(self.id, _("the request was refused"), **details)

    def _rejected_key_message(self) -> str:
        if self.key_source == "environment" and self.api_key_env:
            return _("the API key in the environment variable %(env)s was rejected") % {"env": self.api_key_env}
        if self.key_source == "settings":
            return _("the API key in AI_MODELS['PROVIDERS'] was rejected")
        if self.key_source == "database":
            return _("the API key stored in the admin was rejected")
        return _("the API key was rejected")

    def decode_json(self, reply: Reply) -> Any:
        """The body as JSON, or ``ProviderResponseError`` with the status and an excerpt.

        Nested no deeper than ``decoding.MAX_DEPTH`` (deeper containers are ``None``), and the key,
        should the provider echo it in any obvious form, redacted from every decoded string: what
        it sent then reaches no page, cache or command output.
        """
        try:
            text = reply.content.decode(json.detect_encoding(reply.content))
            return decoding.loads(text, self.api_key)
        except (ValueError, RecursionError) as err:
            raise ProviderResponseError(
                self.id,
                _("the answer is not JSON"),
                status=reply.status,
                excerpt=self.excerpt(reply.content),
            ) from err

    def get_json(self, session: Session, url: str, **kwargs) -> tuple[Any, Reply]:
        reply = self.request(session, "GET", url, **kwargs)
        return self.decode_json(reply), reply

    # -- listing ---------------------------------------------------------------------------

    list_path: ClassVar[str] = "/models"
    list_params: ClassVar[dict] = {}

    def page_items(self, data: Any, reply: Reply) -> list:
        """The model entries of one page; a wrong shape is reported with the status and an excerpt."""
        try:
            return self.payload_items(data)
        except ProviderResponseError as err:
            raise ProviderResponseError(
                self.id,
                _("unexpected answer, expected %(shape)s") % {"shape": self.payload_shape()},
                status=reply.status,
                excerpt=self.excerpt(reply.content),
            ) from err

    def next_page(self, data: Any, reply: Reply, url: str, params: dict) -> tuple[str, dict] | None:
        """``(url, params)`` of the page after this one, or ``None`` on the last page."""
        return None

    def collect_pages(self, session: Session, url: str, params: dict | None = None, limit: int | None = None):
        """Every entry across pages (at most ``limit``), following ``next_page``."""
        items, params = [], dict(params or {})
        seen = {self._page_marker(url, params)}
        for _page in range(MAX_PAGES):
            # httpx replaces a URL's query with ``params`` even when empty: a "next" link keeps its own.
            data, reply = self.get_json(session, url, params=params or None)
            items += self.page_items(data, reply)
            self.check_count(len(items))
            if limit is not None and len(items) >= limit:
                return items[:limit]
            following = self.next_page(data, reply, url, params)
            if following is None:
                return items
            url, params = following
            marker = self._page_marker(url, params)
            if marker in seen:  # a provider pointing back at a page already read
                return items
            seen.add(marker)
        raise ProviderResponseError(self.id, _("more than %(pages)d pages of models") % {"pages": MAX_PAGES})

    def _page_marker(self, url: str, params: dict) -> str:
        try:
            return str(httpx.URL(url).copy_merge_params(params))
        except httpx.InvalidURL:  # a "next" link from the provider
            raise ProviderResponseError(self.id, _("cannot build a request to an invalid URL")) from None

    def fetch_payload(self) -> Any:
        """All pages of ``list_path``, as ``{items_key: [...]}`` (or a bare list)."""
        with self.client() as session:
            items = self.collect_pages(session, self.url(self.list_path), dict(self.list_params))
        return items if self.items_key is None else {self.items_key: items}
