"""The HTTP clients kept for the life of the process, so a call reuses connections instead of
building a client (and TLS state) each time.

``kept(key, build)`` gives one client per key; ``kept_for_loop(key, build)`` one per key and
running event loop (an async client's connections belong to the loop that opened them). A client
found closed (``client.close()`` by its user) is built again. At most ``MAX_KEPT`` of each are
kept, the least recently built dropped first. ``close_clients()`` closes them all; it runs when the
process exits. A forked child starts with none: sockets are never shared between processes.
"""

import asyncio
import atexit
import os
import threading
import weakref
from collections import OrderedDict

MAX_KEPT = 64

_lock = threading.Lock()
_clients: OrderedDict = OrderedDict()  # key -> client
_loop_clients: OrderedDict = OrderedDict()  # (key, id(loop)) -> (weak reference to the loop, client)


def is_open(client) -> bool:
    """Whether ``client`` (an httpx client, or an openai one whose ``is_closed`` is a method) is usable."""
    closed = client.is_closed
    return not (closed() if callable(closed) else closed)


def kept(key, build):
    """The client kept under ``key``, built by ``build()`` the first time (or once found closed)."""
    client = _clients.get(key)
    if client is not None and is_open(client):
        return client
    with _lock:
        client = _clients.get(key)
        if client is None or not is_open(client):
            client = _clients[key] = build()
            _clients.move_to_end(key)
            while len(_clients) > MAX_KEPT:
                _clients.popitem(last=False)  # not closed: a call may still be using it
    return client


def kept_for_loop(key, build):
    """The client kept under ``key`` for the running event loop."""
    loop = asyncio.get_running_loop()
    slot = (key, id(loop))
    found = _loop_clients.get(slot)
    if found is not None and found[0]() is loop and is_open(found[1]):
        return found[1]
    with _lock:
        closed_loops = [other for other, (ref, _client) in _loop_clients.items() if _gone(ref())]
        for stale in [slot, *closed_loops]:
            _loop_clients.pop(stale, None)  # their loops are closed: nothing could close them now
        client = build()
        _loop_clients[slot] = (weakref.ref(loop), client)
        while len(_loop_clients) > MAX_KEPT:
            _loop_clients.popitem(last=False)
    return client


def _gone(loop) -> bool:
    return loop is None or loop.is_closed()


def close_clients():
    """Close every kept client: sync ones now, async ones whose loop can still run their closing."""
    with _lock:
        clients, loop_clients = list(_clients.values()), list(_loop_clients.values())
        _clients.clear()
        _loop_clients.clear()
    for client in clients:
        client.close()
    for ref, client in loop_clients:
        loop = ref()
        if not _gone(loop) and not loop.is_running():
            closing = getattr(client, "aclose", None) or client.close
            loop.run_until_complete(closing())


def _forget_in_child():
    global _lock
    _lock = threading.Lock()
    _clients.clear()
    _loop_clients.clear()


atexit.register(close_clients)
os.register_at_fork(after_in_child=_forget_in_child)
