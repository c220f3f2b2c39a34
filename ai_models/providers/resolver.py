"""Name resolution that a call waits for only until its deadline, on a few threads kept for the process.

``socket.getaddrinfo`` blocks and cannot be interrupted: a resolver that takes 20 s holds its
caller 20 s, and a thread given up on keeps running. Here lookups run on ``THREADS`` daemon
threads kept for the life of the process; a caller (sync or async) waits for its lookup no longer
than its deadline, and callers asking for the same name at once share one lookup. A resolver that
hangs therefore costs each call its deadline and the process at most ``THREADS`` threads, never a
thread per call.
"""

import asyncio
import os
import queue
import socket
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

THREADS = 4


class ResolutionTimedOut(Exception):
    """The lookup did not end before the caller's deadline (it goes on for the next caller)."""


class Resolver:
    """The kept threads and the lookups in progress, by ``(host, port)``."""

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.pending: dict[tuple[str, int], Future] = {}
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def lookup(self, host: str, port: int) -> Future:
        """The future addresses of ``host`` (``getaddrinfo`` answers), shared with callers already waiting."""
        with self.lock:
            future = self.pending.get((host, port))
            if future is None:
                future = self.pending[(host, port)] = Future()
                self.jobs.put((host, port, future))
                if len(self.threads) < THREADS:
                    thread = threading.Thread(target=self.work, name="ai_models-resolver", daemon=True)
                    thread.start()
                    self.threads.append(thread)
        return future

    def work(self):
        while True:
            host, port, future = self.jobs.get()
            try:
                # Looked up at call time, so tests can stand in a resolver of their own.
                result = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except BaseException as err:  # noqa: BLE001 (handed to the waiting callers)
                outcome = (None, err)
            else:
                outcome = (result, None)
            with self.lock:
                self.pending.pop((host, port), None)
            if outcome[1] is None:
                future.set_result(outcome[0])
            else:
                future.set_exception(outcome[1])

    def resolve(self, host: str, port: int, seconds: float | None) -> list:
        """``getaddrinfo`` of ``host``, waited for at most ``seconds``; ``ResolutionTimedOut`` after."""
        try:
            return self.lookup(host, port).result(timeout=seconds)
        except FutureTimeout:
            raise ResolutionTimedOut(host) from None

    async def aresolve(self, host: str, port: int, seconds: float | None) -> list:
        """``resolve`` for asyncio code: the event loop is not blocked and no thread is started per call."""
        future = self.lookup(host, port)
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()

        def settle(done: Future):
            try:
                loop.call_soon_threadsafe(_copy, done, waiter)
            except RuntimeError:  # the loop closed meanwhile: nobody waits any more
                pass

        future.add_done_callback(settle)
        try:
            async with asyncio.timeout(seconds):
                return await waiter
        except TimeoutError:
            raise ResolutionTimedOut(host) from None


def _copy(done: Future, waiter: asyncio.Future):
    if waiter.done():  # the caller gave up at its deadline
        return
    error = done.exception()
    if error is None:
        waiter.set_result(done.result())
    else:
        waiter.set_exception(error)


RESOLVER = Resolver()


def _after_fork():
    # The threads do not survive a fork, and a lookup the parent had pending never ends here.
    global RESOLVER
    RESOLVER = Resolver()


os.register_at_fork(after_in_child=_after_fork)


def resolve(host: str, port: int, seconds: float | None) -> list:
    return RESOLVER.resolve(host, port, seconds)


async def aresolve(host: str, port: int, seconds: float | None) -> list:
    return await RESOLVER.aresolve(host, port, seconds)
