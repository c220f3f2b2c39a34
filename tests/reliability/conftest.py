"""Fixtures of the reliability tests: a real misbehaving HTTP server and real providers pointed at it."""

import pytest
from django.conf import settings as django_settings
from django.db import connection

from ai_models import catalog
from ai_models.providers import http

from .server import FaultServer

# Distinctive, so finding it anywhere is a leak and not a coincidence.
API_KEY = "sk-rel-LEAKCANARY-7d1e5b9c3a2f"
# A call measured in a process of its own (``measured``) runs on SQLite + locmem whatever the leg's
# database and cache: it runs once, in the SQLite leg.
MEASURED_ONCE = pytest.mark.skipif(connection.vendor != "sqlite", reason="measured on SQLite + locmem in a process of its own")
KEY_ENV = ("OPENAI_API_KEY", "OPENROUTER_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY", "GEMINI_API_KEY", "HF_TOKEN")


@pytest.fixture(autouse=True)
def _no_keys_from_the_machine(monkeypatch):
    """Keys set in the developer's environment must not change what these tests send."""
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    catalog.clear_memo()
    yield
    catalog.clear_memo()


@pytest.fixture
def server():
    """A ``FaultServer`` on an ephemeral port of 127.0.0.1, with a trap server beside it."""
    trap = FaultServer().start()
    main = FaultServer()
    main.trap = trap
    main.start()
    yield main
    main.stop()
    trap.stop()


@pytest.fixture
def sleeps(monkeypatch):
    """Retry waits, recorded instead of slept."""
    waits = []
    monkeypatch.setattr(http, "sleep", waits.append)
    return waits


def local_settings(server, openai=None, openrouter=None, **extra):
    """``AI_MODELS`` with snapshot, OpenAI and OpenRouter, the latter two at ``server``, short timeouts."""
    return {
        "ENCRYPTION_KEYS": django_settings.AI_MODELS["ENCRYPTION_KEYS"],
        "PROVIDERS": {
            "snapshot": {},
            "openai": {"BASE_URL": server.url("/openai/v1"), **(openai or {})},
            "openrouter": {"BASE_URL": server.url("/openrouter/api/v1"), **(openrouter or {})},
        },
        "ALLOWED_HTTP_HOSTS": [f"127.0.0.1:{server.port}"],  # that server only, not its trap
        "CONNECT_TIMEOUT": 0.5,
        "READ_TIMEOUT": 0.5,
        "MAX_RETRIES": 1,
        "MAX_RETRY_WAIT": 5.0,  # sleeps are recorded, not slept (the ``sleeps`` fixture)
        "MAX_RESPONSE_BYTES": 256 * 1024,
        **extra,
    }


@pytest.fixture
def local_providers(settings, server, sleeps):
    """Snapshot + OpenAI (key in settings) + OpenRouter (no key), both HTTP ones at ``server``."""
    settings.AI_MODELS = local_settings(server, openai={"API_KEY": API_KEY})
    return settings.AI_MODELS
