"""Settings of the benchmarks: the test settings plus the bench-only ``vanilla`` app.

SQLite in a file (``AI_MODELS_BENCH_SQLITE``, else a fresh one per process in the temp
directory) + locmem by default. ``AI_MODELS_TEST_DB=postgres`` / ``AI_MODELS_TEST_CACHE=redis``
switch to PostgreSQL and Redis as for the tests, but on a database and a Redis db of the
benchmarks' own (``AI_MODELS_BENCH_PGDATABASE``, ``AI_MODELS_BENCH_REDIS_URL``), so a benchmark
never touches what a concurrent test run uses.
"""

import os
import tempfile

from tests.settings import *  # noqa: F403
from tests.settings import CACHE, CACHES, DATABASES, DB, INSTALLED_APPS

DEBUG = False
ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench.vanilla"]
# The sessions of the logged-in benchmark user: the same for every page measured.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # setup speed only


def _redis_db(url: str, db: int) -> str:
    """``url`` with its database number replaced by ``db``."""
    base, _slash, last = url.rpartition("/")
    return f"{base}/{db}" if last.isdigit() and base.count("/") >= 2 else f"{url.rstrip('/')}/{db}"


if DB == "postgres":
    DATABASES = {
        "default": {**DATABASES["default"], "NAME": os.environ.get("AI_MODELS_BENCH_PGDATABASE", "ai_models_bench")}
    }
else:
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "NAME": os.environ.get("AI_MODELS_BENCH_SQLITE")
            or os.path.join(tempfile.gettempdir(), f"ai-models-bench-{os.getpid()}.sqlite3"),
        }
    }

if CACHE == "redis":
    CACHES = {
        "default": {
            **CACHES["default"],
            # Tests use db 15 (and clear it); the benchmarks default to db 14.
            "LOCATION": os.environ.get("AI_MODELS_BENCH_REDIS_URL")
            or _redis_db(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"), 14),
            "KEY_PREFIX": "ai-models-bench",
        }
    }
else:
    # Django's default (300 entries) culls a third of the cache when full: the old-way page's 800
    # cachalot entries would evict the catalog itself, and the measurement with it.
    CACHES = {"default": {**CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 100_000}}}
