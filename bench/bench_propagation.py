"""How long an activation takes to reach another process, on PostgreSQL + Redis, with the default
freshness settings (``ACTIVE_MODEL_RECHECK`` 1 s, ``ACTIVE_MODEL_MAX_STALENESS`` 5 s).

A second process (``tests/host/processes.py follow``) shares the benchmark's database and a Redis
started here (``tests/host/servers.py``), which can then be restored from a snapshot: normally, it
serves in a tight loop while this process activates; after a restore, it waits while this process
saves the Redis, activates, and restarts the Redis from its snapshot (the old version token back),
then serves again. Each sample: the wall time from just before the commit to the first answer
naming the new model.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, figure, log, median

NORMAL_SAMPLES, RESTORE_SAMPLES = 5, 3


def bench_propagation() -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from ai_models import activation, sharedcache
    from ai_models.conf import ai_settings
    from tests.factories import catalog_model
    from tests.host.servers import REDIS_SERVER, PrivateRedis
    from tests.host.processes import Follower

    if not REDIS_SERVER:
        note = "not measured: needs the redis-server binary"
        return {"not_measured": note, "figures": []}
    recheck, bound = ai_settings.ACTIVE_MODEL_RECHECK, ai_settings.ACTIVE_MODEL_MAX_STALENESS
    directory = tempfile.mkdtemp(prefix="ai-models-bench-redis-")
    redis = PrivateRedis(Path(directory))
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ai": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis.url,
               "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.3}},
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.host.follower_settings",
        "PYTHONPATH": str(ROOT),
        "AI_MODELS_TEST_DB": "postgres",
        "PGDATABASE": connection.settings_dict["NAME"],
        "AI_MODELS_FOLLOW_REDIS": redis.url,
    }
    normal, restored, follower = [], [], None
    try:
        with override_settings(CACHES=caches, AI_MODELS={**settings.AI_MODELS, "CACHE": "ai"}):

            def activate(model_id) -> float:
                started = time.time()
                activation.activate(catalog_model(model_id), "chat", via="benchmark")
                return started

            activate("bench/propagation-0")
            follower = Follower(env)
            for number in range(1, NORMAL_SAMPLES + 1):
                model_id = f"bench/propagation-{number}"
                follower.poll_until(model_id, bound + 30)
                time.sleep(0.3)  # serving warm before the change
                committed = activate(model_id)
                seen = follower.answer()
                assert seen["seen"] == model_id, seen
                normal.append(seen["at"] - committed)
            log(f"bench: propagation, normal: {[round(value, 3) for value in normal]} s")
            for number in range(1, RESTORE_SAMPLES + 1):
                model_id = f"bench/restored-{number}"
                redis.save()
                committed = activate(model_id)
                redis.restart_from_snapshot()
                sharedcache.reset()  # this process writes there again at once
                seen = follower.until(model_id, bound + 30)
                assert seen["seen"] == model_id, seen
                restored.append(seen["at"] - committed)
            log(f"bench: propagation, after a restore: {[round(value, 3) for value in restored]} s")
    finally:
        if follower is not None:
            follower.stop()
        redis.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return {
        "seconds_normal": [round(value, 3) for value in normal],
        "seconds_after_restore": [round(value, 3) for value in restored],
        "settings": {"ACTIVE_MODEL_RECHECK": recheck, "ACTIVE_MODEL_MAX_STALENESS": bound},
        "figures": [
            figure(
                "PostgreSQL+Redis: an activation reaching a second process ÷ ACTIVE_MODEL_RECHECK",
                max(normal) / recheck,
                1.1,
                how=f"the slowest of {NORMAL_SAMPLES} (median {median(normal):.2f} s): wall time from just before "
                f"the commit to the first answer of a process serving in a loop; RECHECK {recheck:g} s",
            ),
            figure(
                "PostgreSQL+Redis: the same after Redis is restored from an older snapshot ÷ ACTIVE_MODEL_MAX_STALENESS",
                max(restored) / bound,
                1.1,
                how=f"the slowest of {RESTORE_SAMPLES} (median {median(restored):.2f} s): SAVE, activate, Redis "
                f"restarted from its snapshot (the old version token back), then the process serves; "
                f"MAX_STALENESS {bound:g} s",
            ),
        ],
    }


if __name__ == "__main__":  # pragma: no cover - by hand: python -m bench.bench_propagation
    from bench.common import setup

    setup("postgres-redis")
    print(bench_propagation())
    sys.exit(0)
