"""The shared cache (a Redis of the test's own) stops or freezes mid-run.

Browse catalog, the Providers pages and activation then answer 200, never 500: the catalog is
fetched live (the local provider server still answers), a warning says the cache is down and
is logged once, a frozen Redis costs one socket timeout and not one per cache call, and an
activation still succeeds: the active-model memo (``active.py``) then carries changes to the
other processes through the database. When Redis is back, everything is kept again.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from ai_models import get_active_model, activation, sharedcache
from ai_models.models import AIModel, Provider
from tests.factories import catalog_model

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, PROVIDERS_URL, listed, messages_of, panel

REDIS_SERVER = shutil.which("redis-server")
SOCKET_TIMEOUT = 0.5
DOWN = "The shared cache (AI_MODELS['CACHE'] = 'shared') is unavailable"
ACTIVATED = "gpt-image-1 is now the active model for"

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server on a free port of 127.0.0.1, started and stopped (or frozen) by the test."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(5)

    def freeze(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self):
        if self.process.poll() is None:
            self.thaw()
            self.stop()


@pytest.fixture
def redis_cache(settings, server, sleeps):
    """Catalog and active-model token in our own Redis (short socket timeouts, as docs/deployment.md says)."""
    redis = OwnRedis()
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis.port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": SOCKET_TIMEOUT, "SOCKET_TIMEOUT": SOCKET_TIMEOUT},
        },
    }
    settings.AI_MODELS = {**local_settings(server, openai={"API_KEY": API_KEY}), "CACHE": "shared"}
    yield redis
    redis.close()


def activate(client, pk, capability="chat"):
    data = {"action": "activate", "_selected_action": pk, "index": "0", "confirm": "yes", "capability": capability}
    return client.post(CATALOG_URL, data, follow=True)


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_the_admin_degrades_with_a_warning_and_never_500s(admin_client, redis_cache, server, caplog, outage):
    Provider.objects.create(slug="openai", name="OpenAI")
    assert "openai:gpt-4.1-mini" in listed(admin_client.get(CATALOG_URL))
    assert activate(admin_client, "openai:gpt-4.1-mini").status_code == 200
    active = AIModel.objects.get(is_active=True)
    hits = server.hits("/openai/")
    assert admin_client.get(CATALOG_URL).status_code == 200 and server.hits("/openai/") == hits  # kept in Redis

    redis_cache.stop() if outage == "stopped" else redis_cache.freeze()
    caplog.set_level(logging.WARNING, logger="ai_models.sharedcache")
    started = time.monotonic()
    catalog_page = admin_client.get(CATALOG_URL)
    seconds = time.monotonic() - started
    pages = {
        "catalog again": admin_client.get(CATALOG_URL),
        "providers": admin_client.get(PROVIDERS_URL),
        "provider": admin_client.get(f"{PROVIDERS_URL}{Provider.objects.get().pk}/change/"),
        "activation": activate(admin_client, "openai:gpt-image-1", "image"),
        "provider saved": admin_client.post(
            f"{PROVIDERS_URL}{Provider.objects.get().pk}/change/",
            {"name": "OpenAI renamed", "base_url": "", "api_key": "", "is_active": "on"},
            follow=True,
        ),
    }

    assert catalog_page.status_code == 200
    assert "openai:gpt-4.1-mini" in listed(catalog_page)  # fetched live
    assert panel(catalog_page)["OpenAI"][0] == "fresh"
    assert any(message.startswith(DOWN) for message in messages_of(catalog_page))
    assert seconds < 5  # one socket timeout, then the cache is skipped
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert any(m.startswith(DOWN) for m in messages_of(response)) or name.endswith("saved"), name
    assert any(m.startswith(ACTIVATED) for m in messages_of(pages["activation"]))
    image = AIModel.objects.get(capability="image")
    assert image.is_active and AIModel.objects.get(pk=active.pk).is_active  # the chat model is untouched
    assert get_active_model("image") == image  # seen at once, without the cache
    assert Provider.objects.get().name == "OpenAI renamed"  # a provider's change is kept
    warnings = [r for r in caplog.records if r.name == "ai_models.sharedcache"]
    assert len(warnings) == 1 and "The shared cache 'shared' failed" in warnings[0].getMessage()


def test_when_redis_is_back_the_catalog_is_kept_again(admin_client, redis_cache, server):
    redis_cache.freeze()
    assert admin_client.get(CATALOG_URL).status_code == 200
    assert sharedcache.is_unavailable()

    redis_cache.thaw()
    sharedcache.reset()  # as RETRY_SECONDS passing would
    admin_client.get(CATALOG_URL)
    hits = server.hits("/openai/")
    page = admin_client.get(CATALOG_URL)

    assert server.hits("/openai/") == hits  # served from Redis again
    assert not any(message.startswith(DOWN) for message in messages_of(page))
    activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "chat")  # broadcasts again


class Counted:
    """Every call the process makes to the shared cache's client, and those that failed."""

    def __init__(self, monkeypatch, cache):
        self.calls, self.failed = 0, 0
        for name in ("get", "get_many", "set", "add", "delete", "incr", "set_many", "has_key"):
            monkeypatch.setattr(cache, name, self.wrap(getattr(cache, name)))

    def wrap(self, method):
        def call(*args, **kwargs):
            self.calls += 1
            try:
                return method(*args, **kwargs)
            except Exception:
                self.failed += 1
                raise

        return call


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_an_activation_costs_at_most_one_socket_timeout(admin_client, redis_cache, server, monkeypatch, outage):
    from django.core.cache import caches

    Provider.objects.create(slug="openai", name="OpenAI")
    assert "openai:gpt-4.1-mini" in listed(admin_client.get(CATALOG_URL))  # the catalog kept in Redis
    counted = Counted(monkeypatch, caches["shared"])

    redis_cache.stop() if outage == "stopped" else redis_cache.freeze()
    response = activate(admin_client, "openai:gpt-4.1-mini")

    assert response.status_code == 200 and AIModel.objects.get(is_active=True).model_id == "gpt-4.1-mini"
    assert counted.failed == 1, (counted.calls, counted.failed)  # the first, then the guard skips the cache
    assert counted.calls == 1
