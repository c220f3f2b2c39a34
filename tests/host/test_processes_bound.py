"""Issue 23's done-when, with real processes: a second host process serves a change within
``ACTIVE_MODEL_MAX_STALENESS`` whatever its Redis did (frozen during the activation, restored from
an older snapshot after it), and PostgreSQL restarted under load gives no 500 from the hot path.

The Redis and the PostgreSQL restarted here are the test's own (``servers.py``), never the shared
ones other test runs use. The same freshness rule on a clock of the test's own: test_freshness.py.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from ai_models import activation, active, sharedcache
from tests.factories import catalog_model

from .processes import Follower
from .servers import REDIS_SERVER, PrivatePostgres, PrivateRedis

ROOT = Path(__file__).resolve().parents[2]
RECHECK, BOUND = 0.5, 2.0  # the second process's settings: shorter than the defaults, for a short test
SLACK = 1.5  # a busy machine's scheduling, and the frozen Redis's socket timeout

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_SERVER, reason="needs the redis-server binary"),
]


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def shares(redis):
    """This process uses the private Redis as its AI models cache (cachalot stays on locmem)."""
    aliases = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ai": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis.url,
               "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.3}},
    }
    with override_settings(CACHES=aliases, AI_MODELS={**settings.AI_MODELS, "CACHE": "ai"}):
        caches["default"].clear()  # cachalot's: locmem outlives the override, and the tables are flushed
        yield
        caches["default"].clear()


def follower_env(**extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.host.follower_settings",
        "PYTHONPATH": str(ROOT),
        "AI_MODELS_ACTIVE_MODEL_RECHECK": str(RECHECK),
        "AI_MODELS_ACTIVE_MODEL_MAX_STALENESS": str(BOUND),
        **extra,
    }


@pytest.fixture
def second(redis, shares):
    """A second process serving "a", activated here, on this test's database and Redis."""
    activate("a")
    env = follower_env(PGDATABASE=connection.settings_dict["NAME"], AI_MODELS_FOLLOW_REDIS=redis.url)
    process = Follower(env)
    assert process.ready == "a"
    yield process
    process.stop()


def cached_version():
    return caches["ai"].get(active.VERSION_KEY)


def activate(model_id) -> float:
    """Activate ``model_id`` here; the wall time just before (the commit is after it)."""
    started = time.time()
    activation.activate(catalog_model(model_id), "chat")
    return started


def test_a_change_reaches_the_second_process_within_the_recheck(second):
    committed = activate("b")
    result = second.until("b", BOUND + 10)
    assert result["seen"] == "b"
    assert result["at"] - committed <= RECHECK + SLACK


def test_redis_frozen_during_the_activation_then_resumed(second, redis):
    second.poll_until("b", BOUND + 10)  # serving all along, as a web process does
    redis.freeze()
    committed = activate("b")  # the commit's cache write times out
    redis.resume()
    result = second.answer()
    assert result["seen"] == "b"
    assert result["at"] - committed <= BOUND + SLACK


def test_redis_restored_from_a_snapshot_older_than_the_activation(second, redis):
    before = cached_version()
    redis.save()
    committed = activate("b")
    assert cached_version() != before
    redis.restart_from_snapshot()
    sharedcache.reset()
    assert cached_version() == before  # the old version token is back
    result = second.until("b", BOUND + 10)
    assert result["seen"] == "b"
    assert result["at"] - committed <= BOUND + SLACK


def test_postgresql_restarted_under_load_gives_no_500():
    reason = PrivatePostgres.available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a PostgreSQL cluster of the test's own: {reason}")
        pytest.skip(reason)
    server = PrivatePostgres()
    try:
        server.create_database("ai_models_restart")
        # A local cache: every check goes to the database, so the restart cannot be missed.
        env = follower_env(AI_MODELS_TEST_CACHE="locmem", AI_MODELS_ACTIVE_MODEL_RECHECK="0.05",
                           AI_MODELS_ACTIVE_MODEL_MAX_STALENESS="0.2", **server.env("ai_models_restart"))

        def run(*args):
            return subprocess.run([sys.executable, "-m", "tests.host.processes", *args], cwd=ROOT, env=env,
                                  check=True, capture_output=True, text=True, timeout=120)

        run("migrate")
        run("activate", "a")
        loader = subprocess.Popen([sys.executable, "-m", "tests.host.processes", "load", "4"], cwd=ROOT, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert loader.stdout.readline().strip() == "loading", loader.stderr.read()
            server.restart()  # every connection of the loaded process is cut
            run("activate", "b")  # after the restart: the loaded process must reconnect to see it
            out, err = loader.communicate("until b 60\n", timeout=120)
        finally:
            loader.kill()
    finally:
        server.stop()
    answers = json.loads(out.strip().splitlines()[-1])
    assert set(answers) == {"200 a", "200 b"}, answers  # no 500, and never "none active"
    assert "The database could not be read for the active AI models (OperationalError" in err  # the outage was met
