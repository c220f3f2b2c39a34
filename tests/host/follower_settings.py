"""Settings of a second host process (``tests/host/processes.py``): the test settings with kept
database connections (``CONN_MAX_AGE``, as deployment.md advises), the host views, the AI models
cache on a Redis of the test's own when ``AI_MODELS_FOLLOW_REDIS`` names one, and the freshness
settings from ``AI_MODELS_ACTIVE_MODEL_RECHECK`` / ``AI_MODELS_ACTIVE_MODEL_MAX_STALENESS``."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import AI_MODELS, DATABASES

ROOT_URLCONF = "tests.host.urls"
DATABASES = {"default": {**DATABASES["default"], "CONN_MAX_AGE": 60}}

if os.environ.get("AI_MODELS_FOLLOW_REDIS"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ai": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["AI_MODELS_FOLLOW_REDIS"],
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.3},
        },
    }
    AI_MODELS = {**AI_MODELS, "CACHE": "ai"}

for _name in ("ACTIVE_MODEL_RECHECK", "ACTIVE_MODEL_MAX_STALENESS"):
    if os.environ.get(f"AI_MODELS_{_name}"):
        AI_MODELS = {**AI_MODELS, _name: float(os.environ[f"AI_MODELS_{_name}"])}
