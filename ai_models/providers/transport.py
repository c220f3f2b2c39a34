"""The guarded transport under every HTTP client we build: our own (httpx) and the openai SDK's
(httpx up to openai 2.x, httpx2 from 3.x: ``Library`` names the pair of modules).

A transport serves one origin (scheme, host, port) and keeps its connections for the life of its
client. Every request through it

- goes only to that origin: a redirect elsewhere (or any other URL) is refused before it is sent;
- runs as one ``network.Exchange``: a deadline of its connect + read timeout over connect, TLS,
  headers and body, and (``idle``, for the SDK's streams) a bound on each wait for more body;
- connects over ``network.GuardedNetwork``: names resolved within the deadline, addresses vetted;
- has its body decoded here (``body.BodyReader``: one gzip/deflate layer, within the cap, objects
  counted), so the library above never decodes anything itself.

The SSL context is built once per process and library, and only for an https origin.
"""

import functools
import importlib
from dataclasses import dataclass
from types import ModuleType

from ..exceptions import ProviderError, ProviderResponseError
from ..exceptions import Told as _  # translated now, told again in each reader's language
from ..usage.recorder import tally
from .body import BodyReader
from .network import AddressRefused, AsyncGuardedNetwork, Exchange, GuardedNetwork

# Every exchange through a transport is counted when its request names a meter (our calls to a model)
# or its transport was built with one (the SDK clients of a saved model): ``ai_models.usage``.

# Connections kept per client (httpx's defaults).
MAX_CONNECTIONS = 100
MAX_KEEPALIVE = 20
KEEPALIVE_SECONDS = 5.0
DROPPED_HEADERS = (b"content-encoding", b"content-length")  # the body is handed on decoded
ACCEPTED_CODINGS = "gzip, deflate"


@dataclass(frozen=True)
class Library:
    """An httpx-like library (``http``) and the httpcore-like module it is built on (``core``)."""

    http: ModuleType
    core: ModuleType


@functools.cache
def library(name: str = "httpx") -> Library:
    """``httpx`` (with httpcore) or ``httpx2`` (with httpcore2)."""
    core = {"httpx": "httpcore", "httpx2": "httpcore2"}[name]
    return Library(importlib.import_module(name), importlib.import_module(core))


@functools.cache
def ssl_context(lib: Library):
    """The one SSL context of the process for ``lib`` (certificates loaded once, not per client or call)."""
    return lib.http.create_ssl_context()


def origin_of(url) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


@functools.lru_cache(maxsize=256)
def url_origin(url: str) -> tuple[str, str, int | None]:
    """``origin_of`` a URL given as text (a base URL: parsed once, not on every call)."""
    return origin_of(library().http.URL(url))


class RequestGuard:
    """What the sync and async transports do around the library's own request handling."""

    def __init__(self, lib: Library, url, provider_id: str, idle: float | None, meter=None):
        self.lib, self.provider_id, self.idle, self.meter = lib, provider_id, idle, meter
        self.origin, self.shown = origin_of(url), f"{url.scheme}://{url.netloc.decode('ascii')}"

    def begin(self, request) -> tuple[Exchange, object]:
        """The exchange of ``request``, once it is known to go to the origin, and its usage ``Tally``
        (None when it is not counted)."""
        if origin_of(request.url) != self.origin:
            raise ProviderResponseError(
                self.provider_id,
                _("refused a request to another host (%(host)s): this client sends only to %(origin)s")
                % {"host": request.url.host, "origin": self.shown},
            )
        request.headers["Accept-Encoding"] = ACCEPTED_CODINGS  # only what ``BodyReader`` decodes
        timeout = request.extensions.get("timeout") or {}
        parts = [timeout.get("connect"), timeout.get("read")]
        seconds = sum(part for part in parts if part) if any(parts) else None
        return Exchange(seconds, idle=self.idle), tally(self.meter, request)

    @staticmethod
    def finish(count, err: BaseException | None = None):
        """Count the end of an exchange (``err``: how it failed) if it is counted; returns ``err``."""
        if count is not None:
            count.finish(err)
        return err

    def refused(self, err: AddressRefused) -> ProviderError:
        return ProviderError(self.provider_id, _("the base URL is not allowed: %(reason)s") % {"reason": err})

    def answer(self, response, exchange: Exchange, body_class, count):
        """``response`` with its body read through a ``BodyReader`` under ``exchange`` (and counted)."""
        if count is not None:
            count.status = response.status_code
        reader = BodyReader(response.status_code, response.headers, self.provider_id)
        exchange.reading_body = True
        headers = response.headers.raw
        if reader.decoder is not None:
            headers = [(name, value) for name, value in headers if name.lower() not in DROPPED_HEADERS]
        return self.lib.http.Response(
            status_code=response.status_code,
            headers=headers,
            stream=body_class(response.stream, reader, exchange, count),
            extensions=response.extensions,
        )


class GuardedBody:
    """The body of a sync answer: raw chunks read under the exchange's deadline, handed on decoded."""

    def __init__(self, inner, reader: BodyReader, exchange: Exchange, count=None):
        self.inner, self.reader, self.exchange, self.count = inner, reader, exchange, count

    def __iter__(self):
        chunks = iter(self.inner)
        try:
            while True:
                with self.exchange.running():
                    chunk = next(chunks, None)
                if chunk is None:
                    break
                if decoded := self.reader.feed(chunk):
                    self.counted(decoded)
                    yield decoded
            if rest := self.reader.finish():
                self.counted(rest)
                yield rest
            RequestGuard.finish(self.count)
        except Exception as err:
            RequestGuard.finish(self.count, err)
            self.close()  # a refused or broken answer hands its connection back at once
            raise

    def counted(self, decoded: bytes):
        if self.count is not None:
            self.count.feed(decoded)

    def close(self):
        RequestGuard.finish(self.count)  # an answer left unread is counted with what came
        with self.exchange.running():
            self.inner.close()


class AsyncGuardedBody:
    """``GuardedBody`` of an async answer."""

    def __init__(self, inner, reader: BodyReader, exchange: Exchange, count=None):
        self.inner, self.reader, self.exchange, self.count = inner, reader, exchange, count

    async def __aiter__(self):
        chunks = aiter(self.inner)
        try:
            while True:
                with self.exchange.running():
                    chunk = await anext(chunks, None)
                if chunk is None:
                    break
                if decoded := self.reader.feed(chunk):
                    self.counted(decoded)
                    yield decoded
            if rest := self.reader.finish():
                self.counted(rest)
                yield rest
            RequestGuard.finish(self.count)
        except Exception as err:
            RequestGuard.finish(self.count, err)
            await self.aclose()
            raise

    counted = GuardedBody.counted

    async def aclose(self):
        RequestGuard.finish(self.count)
        with self.exchange.running():
            await self.inner.aclose()


@functools.cache
def _transport_classes(lib: Library) -> tuple[type, type]:
    """The sync and async guarded transports of ``lib``: its own transports, around our pool."""

    class Body(GuardedBody, lib.http.SyncByteStream):
        pass

    class AsyncBody(AsyncGuardedBody, lib.http.AsyncByteStream):
        pass

    class GuardedTransport(lib.http.HTTPTransport):
        def __init__(self, guard: RequestGuard, pool):
            # Not HTTPTransport.__init__: it would build an SSL context and a pool, both ours here.
            self.guard, self._pool = guard, pool

        def handle_request(self, request):
            exchange, count = self.guard.begin(request)
            try:
                with exchange.running():
                    response = super().handle_request(request)
            except AddressRefused as err:
                raise self.guard.finish(count, self.guard.refused(err)) from None
            except Exception as err:
                self.guard.finish(count, err)
                raise
            try:
                return self.guard.answer(response, exchange, Body, count)
            except Exception as err:  # a refused coding or length: the connection goes back
                self.guard.finish(count, err)
                response.close()
                raise

    class AsyncGuardedTransport(lib.http.AsyncHTTPTransport):
        def __init__(self, guard: RequestGuard, pool):
            self.guard, self._pool = guard, pool

        async def handle_async_request(self, request):
            exchange, count = self.guard.begin(request)
            try:
                with exchange.running():
                    response = await super().handle_async_request(request)
            except AddressRefused as err:
                raise self.guard.finish(count, self.guard.refused(err)) from None
            except Exception as err:
                self.guard.finish(count, err)
                raise
            try:
                return self.guard.answer(response, exchange, AsyncBody, count)
            except Exception as err:
                self.guard.finish(count, err)
                await response.aclose()
                raise

    return GuardedTransport, AsyncGuardedTransport


def guarded_transport(
    base_url: str, provider_id: str, *, asynchronous: bool = False, idle=None, lib=None, meter=None
):
    """A transport to the origin of ``base_url`` only, under every guard (see the module's docstring).

    ``lib``: the ``Library`` of the client it is given to (default httpx); ``idle``: seconds a read of
    the body may wait once the headers are in (default: the request's read timeout); ``meter``: the
    ``usage.Meter`` every exchange is counted for (a saved model's SDK client).
    """
    lib = lib or library()
    url = lib.http.URL(base_url)
    sync_class, async_class = _transport_classes(lib)
    network = (AsyncGuardedNetwork if asynchronous else GuardedNetwork)(lib.core)
    pool_class = lib.core.AsyncConnectionPool if asynchronous else lib.core.ConnectionPool
    pool = pool_class(
        ssl_context=ssl_context(lib) if url.scheme == "https" else None,
        network_backend=network,
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_KEEPALIVE,
        keepalive_expiry=KEEPALIVE_SECONDS,
    )
    guard = RequestGuard(lib, url, provider_id, idle, meter)
    return (async_class if asynchronous else sync_class)(guard, pool)
