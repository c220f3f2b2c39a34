"""The sockets under every provider request: vetted addresses and one deadline.

``GuardedNetwork`` is the httpcore network backend of ``HTTPProvider``'s client. It

- resolves the host itself and refuses to connect to a loopback, private or reserved
  address unless ``ALLOWED_HTTP_HOSTS`` lists that host and port, then connects to the very
  address it checked: a name cannot resolve to a public address when the URL is checked and
  to an internal one when the request is made;
- bounds every connect, TLS handshake, read and write by one deadline for the whole
  exchange, so an answer whose headers or body trickle in a byte at a time (each read in
  time for the read timeout) still ends when the deadline passes.

``AsyncGuardedNetwork`` is the same for the ``httpx.AsyncClient`` of the async calls (``achat``...):
the checks live once in ``Guard``, the two backends differ only in the I/O they await.
"""

import socket
import time

import anyio
import anyio.to_thread
import httpcore
import httpx

from ..validators import address_refusal, literal_address


class AddressRefused(Exception):
    """The host resolves to an address no request may be sent to; the message says why."""


class DeadlinePassed(httpcore.ReadTimeout):
    """The exchange ran past its deadline (raised as httpx's ``ReadTimeout``)."""


class Guard:
    """What both network backends check: the addresses connected to and the exchange's deadline
    (a ``time.monotonic()`` value) bounding all I/O."""

    deadline: float | None = None

    def start(self, seconds: float):
        """Begin an exchange that must be over within ``seconds``."""
        self.deadline = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed (a read cut short by it then timed out because of it)."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def bound(self, timeout: float | None) -> float | None:
        """``timeout`` cut to what is left of the deadline; ``DeadlinePassed`` once none is."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed("the deadline of the exchange has passed")
        return left if timeout is None else min(timeout, left)

    @staticmethod
    def addresses(host: str, port: int) -> list:
        """The addresses of ``host`` (resolved here, or the literal one) if every one may be
        connected to; else ``AddressRefused``, or ``ConnectError`` when it does not resolve."""
        address = literal_address(host)
        if address is not None:
            addresses = [address]
        else:
            try:
                found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as err:
                raise httpcore.ConnectError(f"{host} cannot be resolved") from err
            addresses = list(dict.fromkeys(literal_address(info[4][0].split("%", 1)[0]) for info in found))
        for address in addresses:
            # Every address, not just the first: a name listing a public and an internal one is refused.
            refusal = address_refusal(host, port, address)
            if refusal:
                raise AddressRefused(refusal)
        return addresses


class GuardedNetwork(Guard, httpcore.NetworkBackend):
    """Connects only to vetted addresses, every operation within the deadline."""

    def __init__(self):
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = self.addresses(host, port)
        failure = None
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    str(address), port, self.bound(timeout), local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as err:
                failure = err
                continue
            return BoundedStream(stream, self)
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover (never configured)
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class AsyncGuardedNetwork(Guard, httpcore.AsyncNetworkBackend):
    """``GuardedNetwork`` for async clients: resolves without blocking the event loop."""

    def __init__(self):
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = await self._addresses(host, port)
        failure = None
        for address in addresses:
            try:
                stream = await self.inner.connect_tcp(
                    str(address), port, self.bound(timeout), local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as err:
                failure = err
                continue
            return AsyncBoundedStream(stream, self)
        raise failure or httpcore.ConnectError(f"{host} has no address")

    async def _addresses(self, host: str, port: int) -> list:
        if literal_address(host) is not None:
            return self.addresses(host, port)
        # The resolver blocks: a worker thread, given up on (not waited for) once the deadline passes.
        try:
            with anyio.fail_after(self.bound(None)):
                return await anyio.to_thread.run_sync(self.addresses, host, port, abandon_on_cancel=True)
        except TimeoutError:
            raise DeadlinePassed("the deadline of the exchange has passed") from None

    async def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover (never configured)
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


class BoundedStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the network's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, network: GuardedNetwork):
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


class AsyncBoundedStream(httpcore.AsyncNetworkStream):
    """``BoundedStream`` for async clients."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, network: AsyncGuardedNetwork):
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


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a ``GuardedNetwork`` (no proxy: clients use ``trust_env=False``)."""

    def __init__(self, network: GuardedNetwork):
        super().__init__()
        # httpx takes no network backend of its own: the pool is rebuilt around ours.
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=network)


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's async transport over an ``AsyncGuardedNetwork``."""

    def __init__(self, network: AsyncGuardedNetwork):
        super().__init__()
        self._pool = httpcore.AsyncConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=network)
