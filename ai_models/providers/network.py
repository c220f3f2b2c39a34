"""The sockets under every provider request: vetted addresses and one deadline per exchange.

``GuardedNetwork`` is the network backend of the connection pools ``transport`` builds, for our own
httpx clients and for the openai SDK's (httpx, or httpx2 for openai 3.x: ``core`` is the matching
httpcore module, so the errors raised are the ones that library maps). It

- resolves the host itself, within the deadline (``resolver``), and refuses to connect to a
  loopback, private or reserved address unless ``ALLOWED_HTTP_HOSTS`` lists that host and port,
  then connects to the very address it checked: a name cannot resolve to a public address when
  the URL is checked and to an internal one when the request is made;
- bounds every connect, TLS handshake, read and write by the deadline of the exchange in progress
  (``Exchange``, set by the transport around each step of a request), so an answer whose headers
  or body trickle in a byte at a time still ends when the deadline passes.

``AsyncGuardedNetwork`` is the same for async clients: the checks live once in ``Guard``.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from ..validators import address_refusal, literal_address
from .resolver import ResolutionTimedOut, aresolve, resolve


class AddressRefused(Exception):
    """The host resolves to an address no request may be sent to; the message says why."""


class Exchange:
    """One request and its answer: a deadline over all their I/O and, once the headers are in, an
    optional bound on each wait for more of the body (``idle``: the SDK's streams)."""

    def __init__(self, seconds: float | None, idle: float | None = None):
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.idle = idle
        self.reading_body = False

    @property
    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    @contextmanager
    def running(self):
        """Make this the exchange whose deadline bounds the I/O done inside the block."""
        token = CURRENT.set(self)
        try:
            yield self
        finally:
            CURRENT.reset(token)


# The exchange in progress in this thread or task; the connection pool does the I/O of a request
# in its caller's context, so a pooled connection always reads under the right deadline.
CURRENT: ContextVar[Exchange | None] = ContextVar("ai_models_exchange", default=None)


class Guard:
    """What both network backends check: the addresses connected to, and the deadline of the
    exchange in progress bounding all I/O. ``core`` is httpcore or httpcore2."""

    def __init__(self, core):
        self.core = core

    def bound(self, timeout: float | None) -> float | None:
        """``timeout`` cut to what is left of the exchange's deadline; a read timeout once none is."""
        exchange = CURRENT.get()
        if exchange is None:
            return timeout
        if exchange.reading_body and exchange.idle is not None:
            timeout = exchange.idle if timeout is None else min(timeout, exchange.idle)
        if exchange.deadline is None:
            return timeout
        left = exchange.deadline - time.monotonic()
        if left <= 0:
            raise self.core.ReadTimeout("the deadline of the exchange has passed")
        return left if timeout is None else min(timeout, left)

    def vetted(self, host: str, port: int, found: list) -> list:
        """The addresses ``getaddrinfo`` found for ``host`` if every one may be connected to, else
        ``AddressRefused``: a name listing a public and an internal address is refused."""
        addresses = list(dict.fromkeys(literal_address(info[4][0].split("%", 1)[0]) for info in found))
        for address in addresses:
            refusal = address_refusal(host, port, address)
            if refusal:
                raise AddressRefused(refusal)
        return addresses

    def unresolved(self, host: str, err: Exception) -> Exception:
        if isinstance(err, ResolutionTimedOut):
            return self.core.ConnectTimeout(f"{host} was not resolved before the deadline")
        return self.core.ConnectError(f"{host} cannot be resolved")


class GuardedNetwork(Guard):
    """httpcore's sync network backend, connecting only to vetted addresses, all I/O within the deadline."""

    def __init__(self, core):
        super().__init__(core)
        self.inner = core.SyncBackend()

    def addresses(self, host: str, port: int, timeout: float | None) -> list:
        address = literal_address(host)
        if address is not None:
            return self.vetted(host, port, [(0, 0, 0, "", (str(address), port))])
        try:
            found = resolve(host, port, self.bound(timeout))
        except (OSError, UnicodeError, ResolutionTimedOut) as err:
            raise self.unresolved(host, err) from err
        return self.vetted(host, port, found)

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        failure = None
        for address in self.addresses(host, port, timeout):
            try:
                stream = self.inner.connect_tcp(
                    str(address), port, self.bound(timeout), local_address=local_address, socket_options=socket_options
                )
            except self.core.ConnectError as err:
                failure = err
                continue
            return BoundedStream(stream, self)
        raise failure or self.core.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover (never configured)
        raise self.core.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class AsyncGuardedNetwork(Guard):
    """``GuardedNetwork`` for async clients: resolves without blocking the event loop or starting a thread."""

    def __init__(self, core):
        super().__init__(core)
        self.inner = core.AnyIOBackend()

    async def addresses(self, host: str, port: int, timeout: float | None) -> list:
        address = literal_address(host)
        if address is not None:
            return self.vetted(host, port, [(0, 0, 0, "", (str(address), port))])
        try:
            found = await aresolve(host, port, self.bound(timeout))
        except (OSError, UnicodeError, ResolutionTimedOut) as err:
            raise self.unresolved(host, err) from err
        return self.vetted(host, port, found)

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        failure = None
        for address in await self.addresses(host, port, timeout):
            try:
                stream = await self.inner.connect_tcp(
                    str(address), port, self.bound(timeout), local_address=local_address, socket_options=socket_options
                )
            except self.core.ConnectError as err:
                failure = err
                continue
            return AsyncBoundedStream(stream, self)
        raise failure or self.core.ConnectError(f"{host} has no address")

    async def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover (never configured)
        raise self.core.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class BoundedStream:
    """A socket stream whose every operation ends by the deadline of the exchange in progress."""

    def __init__(self, inner, network: Guard):
        self.inner, self.network = inner, network

    def read(self, max_bytes, timeout=None):
        return self.inner.read(max_bytes, self.network.bound(timeout))

    def write(self, buffer, timeout=None):
        return self.inner.write(buffer, self.network.bound(timeout))

    def close(self):
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        tls = self.inner.start_tls(ssl_context, server_hostname, self.network.bound(timeout))
        return BoundedStream(tls, self.network)

    def get_extra_info(self, info):
        return self.inner.get_extra_info(info)


class AsyncBoundedStream:
    """``BoundedStream`` for async clients."""

    def __init__(self, inner, network: Guard):
        self.inner, self.network = inner, network

    async def read(self, max_bytes, timeout=None):
        return await self.inner.read(max_bytes, self.network.bound(timeout))

    async def write(self, buffer, timeout=None):
        return await self.inner.write(buffer, self.network.bound(timeout))

    async def aclose(self):
        await self.inner.aclose()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        tls = await self.inner.start_tls(ssl_context, server_hostname, self.network.bound(timeout))
        return AsyncBoundedStream(tls, self.network)

    def get_extra_info(self, info):
        return self.inner.get_extra_info(info)
