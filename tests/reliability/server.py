"""A real HTTP server on 127.0.0.1 that misbehaves on demand, for the fault-injection tests.

It serves two OpenAI-style model lists, one per prefix, so real provider classes can be
pointed at it through ``AI_MODELS["PROVIDERS"][id]["BASE_URL"]``:

- ``/openai/v1/models``: OpenAI's shape (ids only)
- ``/openrouter/api/v1/models``: OpenRouter's shape (names, prices, modalities)

``server.fault`` names what every request gets instead of the healthy answer (``FAULTS``);
``server.payloads[prefix]`` replaces a healthy payload. Each request is recorded (path and
headers), so a test can tell which requests reached the server and with what credentials.
"""

import gzip
import json
import socket
import struct
import threading
import zlib
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUGE_BODY = 50 * 1024 * 1024
CHUNK = 64 * 1024
SLOW_SECONDS = 5  # far past the tests' read timeout; released early when the test ends
MOVED = "/moved"  # prefix of the paths a same-host redirect points to
HELD_SECONDS = 60
DRIP_INTERVAL = 0.1  # well inside the read timeout: every read gets a byte in time

OPENAI_MODELS = {
    "object": "list",
    "data": [
        {"id": "gpt-4.1-mini", "object": "model", "created": 1744316542, "owned_by": "system"},
        {"id": "gpt-image-1", "object": "model", "created": 1745517030, "owned_by": "system"},
        {"id": "tts-1", "object": "model", "created": 1681940951, "owned_by": "openai-internal"},
    ],
}

OPENROUTER_MODELS = {
    "data": [
        {
            "id": "acme/chat-large",
            "name": "Acme: Chat Large",
            "description": "A large chat model.",
            "context_length": 131072,
            "created": 1740000000,
            "pricing": {"prompt": "0.0000004", "completion": "0.0000016"},
            "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        },
        {
            "id": "acme/painter",
            "name": "Acme: Painter",
            "description": "Draws pictures.",
            "context_length": 8192,
            "pricing": {"prompt": "0", "completion": "0.00004"},
            "architecture": {"input_modalities": ["text"], "output_modalities": ["image"]},
        },
    ]
}

HEALTHY = {"/openai/v1/models": OPENAI_MODELS, "/openrouter/api/v1/models": OPENROUTER_MODELS}

HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    "<h1>Bad Gateway</h1><script>alert('from the provider')</script></body></html>"
)


def _error_json(handler) -> bytes:
    """An error body that echoes the credentials it was sent, as careless APIs do."""
    auth = handler.headers.get("Authorization", "")
    return json.dumps(
        {"error": {"message": f"Incorrect API key provided: {auth}", "type": "invalid_request_error"}}
    ).encode()


def key_transforms(key: str) -> dict:
    """What a provider might echo the key as: name -> text."""
    import base64
    from urllib.parse import quote

    return {
        "upper case": key.upper(),
        "lower case": key.lower(),
        "reversed": key[::-1],
        "url-encoded": quote(key, safe=""),
        "base64 of the header": base64.b64encode(f"Bearer {key}".encode()).decode(),
        "url-safe base64": base64.urlsafe_b64encode(key.encode()).decode().rstrip("="),
    }


def _echo_transformed(handler) -> bytes:
    """An error body quoting the key sent in every obvious disguise."""
    key = handler.headers.get("Authorization", "").removeprefix("Bearer ")
    said = "; ".join(f"{name}: {text}" for name, text in key_transforms(key).items())
    return json.dumps({"error": {"message": f"bad key ({said})"}}).encode()


def status(code, body=_error_json, content_type="application/json", **headers):
    def respond(handler):
        content = body(handler) if callable(body) else body
        handler.send(code, content, content_type, **headers)

    return respond


def slow(handler):
    """No answer until long past the read timeout."""
    handler.server.owner.released.wait(SLOW_SECONDS)
    handler.send(200, json.dumps(OPENAI_MODELS).encode())


def held(handler):
    """The healthy answer, once the test sets ``server.go`` (or stops the server)."""
    owner = handler.server.owner
    owner.go.wait(HELD_SECONDS)
    handler.send(200, json.dumps(owner.payloads[handler.path.split("?", 1)[0]]).encode())


def reset(handler):
    """Read the request, then drop the connection with a TCP reset."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def huge(declared: bool):
    """A 50 MB body, streamed in chunks; ``declared`` says its length up front."""

    def respond(handler):
        owner = handler.server.owner
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared:
            handler.send_header("Content-Length", str(HUGE_BODY))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b'{"data": [' + b" " * (CHUNK - 10)
        try:
            for _ in range(HUGE_BODY // CHUNK):
                if declared:
                    handler.wfile.write(chunk)
                else:
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                owner.count_sent(len(chunk))
                chunk = b" " * CHUNK
            if not declared:
                handler.wfile.write(b"0\r\n\r\n")
            owner.huge_completed = True
        except OSError:  # the client hung up, as it should
            pass
        handler.close_connection = True

    return respond


def drip(handler):
    """Headers at once, then one byte at a time, each in time for the read timeout, until released."""
    owner = handler.server.owner
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    body = json.dumps(OPENAI_MODELS).encode()
    try:
        handler.wfile.write(b"1\r\n \r\n")
        while not owner.released.wait(DRIP_INTERVAL):
            handler.wfile.write(b"1\r\n \r\n")
        handler.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    except OSError:
        pass
    handler.close_connection = True


@lru_cache(maxsize=None)
def bomb(layers: int, size: int) -> bytes:
    """``size`` zero bytes gzipped ``layers`` times (256 MiB twice gzipped is under 1 KB)."""
    if layers > 1:
        return gzip.compress(bomb(layers - 1, size), 9)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(size // len(zeros))) + packer.flush()


BOMB_SIZE = 256 * 1024 * 1024  # what a fetch decoding it all would hold, above any test's bound


def compressed(layers: int, size: int = BOMB_SIZE, coding: str = ""):
    """A body gzipped ``layers`` times, labelled with as many ``gzip`` codings (or ``coding``)."""

    def respond(handler):
        handler.send(200, bomb(layers, size), **{"Content-Encoding": coding or ", ".join(["gzip"] * layers)})

    respond.prepare = lambda: bomb(layers, size)  # built when the fault is set, not while a client waits
    return respond


def gzipped(handler):
    """The healthy OpenAI list, gzipped once, as many real APIs send it."""
    handler.send(200, gzip.compress(json.dumps(OPENAI_MODELS).encode()), **{"Content-Encoding": "gzip"})


def header_drip(handler):
    """The status line, then the headers one byte at a time, each in time for the read timeout."""
    owner = handler.server.owner
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"x" * 10_000 + b"\r\n\r\n"
    try:
        for byte in head:
            if owner.released.wait(DRIP_INTERVAL):
                break
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
    except OSError:
        pass
    handler.close_connection = True


def redirect_to(target, code=302):
    """A redirect (``code``) to ``target(server)`` followed by the path asked for."""

    def respond(handler):
        handler.send(code, b"", "text/plain", Location=target(handler.server.owner) + handler.path)

    return respond


def event_stream(first_event: bytes, then: bytes):
    """A stream of server-sent events: ``first_event``, then ``then`` every ``DRIP_INTERVAL``
    (nothing at all when empty) until released."""

    def respond(handler):
        owner = handler.server.owner
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(first_event), first_event))
            handler.wfile.flush()
            while not owner.released.wait(DRIP_INTERVAL):
                if then:
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(then), then))
                    handler.wfile.flush()
        except OSError:
            pass
        handler.close_connection = True

    return respond


CHUNK_EVENT = (
    b'data: {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", '
    b'"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": null}]}\n\n'
)

def cookie(handler):
    """The healthy answer, with a cookie the client is asked to send back."""
    payload = handler.server.owner.payloads[handler.path.split("?", 1)[0]]
    handler.send(200, json.dumps(payload).encode(), **{"Set-Cookie": "session=from-the-provider; Path=/"})


FAULTS = {
    "timeout": slow,
    "connection reset": reset,
    "401": status(401, **{"WWW-Authenticate": "Bearer"}),
    "403": status(403),
    "404": status(404),
    "429 with Retry-After": status(429, **{"Retry-After": "3"}),
    "500": status(500),
    "401 echoing the key disguised": status(401, _echo_transformed),
    "502": status(502, HTML_ERROR_PAGE.encode(), "text/html"),
    "503": status(503, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
    "HTML error page": status(200, HTML_ERROR_PAGE.encode(), "text/html"),
    "invalid JSON": status(200, b'{"object": "list", "data": [{"id": "gpt-4'),
    "JSON of the wrong shape": status(200, b'{"object": "list", "models": {"gpt-4.1-mini": {}}}'),
    "50 MB body, streamed": huge(declared=False),
    "50 MB body, length declared": huge(declared=True),
    "redirect to another host": redirect_to(lambda server: f"http://localhost:{server.port}"),
    "redirect to another port": redirect_to(lambda server: f"http://127.0.0.1:{server.trap_port}"),
    "redirect within the host": redirect_to(lambda server: f"http://127.0.0.1:{server.port}{MOVED}"),
    "307 to another port": redirect_to(lambda server: f"http://127.0.0.1:{server.trap_port}", code=307),
    "307 within the host": redirect_to(lambda server: f"http://127.0.0.1:{server.port}{MOVED}", code=307),
    "event stream dripping": event_stream(CHUNK_EVENT + b"data: ", b" "),
    "event stream going silent": event_stream(CHUNK_EVENT, b""),
    "gzip bomb, one layer": compressed(1, 64 * 1024 * 1024),
    "gzip bomb, two layers": compressed(2),
    "gzip bomb, three layers": compressed(3),
    "unknown content coding": compressed(1, 1024, coding="zstd"),
    "brotli": compressed(1, 1024, coding="br"),
    "headers dripping in": header_drip,
    "gzipped": gzipped,
    "drip": drip,
    "held": held,
    "cookie": cookie,
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.owner.connected(self.connection)

    def do_GET(self):
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner.record(self.path, dict(self.headers))
        moved = path.startswith(MOVED)  # where a same-host redirect points: always healthy
        if owner.fault and not moved and self.headers.get("Host", "").startswith("127.0.0.1"):
            FAULTS[owner.fault](self)
            return
        path = path.removeprefix(MOVED)
        payload = owner.payloads.get(path)
        if payload is None:
            self.send(404, b'{"error": "no such path"}')
            return
        self.send(200, payload if isinstance(payload, bytes) else json.dumps(payload).encode())

    def do_POST(self):
        """A call to a model: its body is kept in ``bodies``, then answered as a GET of the path."""
        self.server.owner.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.do_GET()

    def send(self, code, content, content_type="application/json", **headers):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(content)
        except OSError:
            pass

    def log_message(self, format, *args):  # keep the test output clean
        pass


class FaultServer:
    """The server and what it has seen. ``start()`` / ``stop()``; ``url(prefix)`` for a base URL."""

    def __init__(self):
        self._fault = None
        self.payloads = dict(HEALTHY)
        self.requests = []  # (path with query, headers, the fault then in force)
        self.bodies = []  # the bodies of POST requests, as sent
        self.released = threading.Event()
        self.go = threading.Event()
        self.sent = 0
        self.huge_completed = False
        self._lock = threading.Lock()
        self._connections = []  # kept open by clients between requests (HTTP/1.1 keep-alive)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.trap = None  # a second server: what a cross-host redirect would reach
        self._thread = None

    @property
    def fault(self):
        return self._fault

    @fault.setter
    def fault(self, name):
        prepare = getattr(FAULTS.get(name), "prepare", None)
        if prepare is not None:
            prepare()
        self._fault = name

    @property
    def trap_port(self):
        return self.trap.port

    def url(self, prefix: str) -> str:
        return f"http://127.0.0.1:{self.port}{prefix}"

    def record(self, path, headers):
        with self._lock:
            self.requests.append((path, headers, self.fault))

    def connected(self, connection):
        with self._lock:
            self._connections.append(connection)

    def count_sent(self, size):
        with self._lock:
            self.sent += size

    def hits(self, prefix: str, faulty: bool = False) -> int:
        """Requests whose path starts with ``prefix`` (only those met with a fault, if ``faulty``)."""
        return sum(path.startswith(prefix) and bool(fault or not faulty) for path, _headers, fault in self.requests)

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop listening and hang up on the connections clients keep: later requests are refused,
        as by a server that went away. Slow and dripping answers end now."""
        self.released.set()
        self.go.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread = None
        self._httpd.server_close()
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed
                pass
