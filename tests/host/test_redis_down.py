"""A Redis of our own, frozen then stopped mid-run: ``get_active_model`` answers from the memo and
the database with a logged warning, within the cache's short socket timeout, never raising."""

import logging
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from ai_models import NoActiveModel, activation, active, get_active_model, sharedcache
from tests.factories import catalog_model

pytestmark = [
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary"),
    pytest.mark.django_db(transaction=True),
]

SOCKET_TIMEOUT = 0.3


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.kill()
    process.wait(timeout=10)


def redis_cache(port):
    # Only the AI models cache is this Redis: cachalot's (the default, locmem here) is #19's concern.
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ai": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": SOCKET_TIMEOUT, "SOCKET_TIMEOUT": SOCKET_TIMEOUT},
        }
    }


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_frozen_then_stopped_redis_degrades_to_the_memo_and_the_database(redis_server, caplog, monkeypatch):
    process, port = redis_server
    monkeypatch.setattr(sharedcache, "RETRY_SECONDS", 0.5)
    with override_settings(CACHES=redis_cache(port), AI_MODELS={**settings.AI_MODELS, "CACHE": "ai"}):
        activation.activate(catalog_model("a"), "chat")
        assert get_active_model("chat").model_id == "a"
        assert caches["ai"].get(active.VERSION_KEY) is not None  # the shared path is in use

        process.send_signal(signal.SIGSTOP)  # frozen: connections hang until the socket timeout
        with caplog.at_level(logging.WARNING, logger="ai_models"):
            model, took = timed(lambda: get_active_model("chat"))
        assert model.model_id == "a"
        assert took < SOCKET_TIMEOUT * 2 + 2  # one socket timeout (or two: get, then add), not 5 s per call
        assert "failed" in caplog.text and "TimeoutError" in caplog.text
        _, took = timed(lambda: [get_active_model("chat") for _ in range(50)])
        assert took < 1  # the broken cache is left alone meanwhile

        activation.activate(catalog_model("b"), "chat")  # a change while the cache is frozen
        assert get_active_model("chat").model_id == "b"

        process.send_signal(signal.SIGCONT)
        process.kill()  # down: refused connections
        process.wait(timeout=10)
        time.sleep(0.6)  # past RETRY_SECONDS: the cache is tried again
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="ai_models"):
            assert get_active_model("chat").model_id == "b"
            activation.deactivate("chat")  # the commit's cache write fails quietly too
            with pytest.raises(NoActiveModel):
                get_active_model("chat")
        assert "ConnectionError" in caplog.text
