"""Test settings. SQLite + locmem by default; environment variables switch parts:

- ``AI_MODELS_TEST_DB=postgres`` (with ``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD``/``PGDATABASE``)
- ``AI_MODELS_TEST_CACHE=redis`` (with ``REDIS_URL``)
- ``AI_MODELS_TEST_THEME=unfold`` puts django-unfold in front of the admin
"""

import os
from importlib.util import find_spec

from cryptography.fernet import Fernet

SECRET_KEY = "tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"

THEME = os.environ.get("AI_MODELS_TEST_THEME", "plain")
DB = os.environ.get("AI_MODELS_TEST_DB", "sqlite")
CACHE = os.environ.get("AI_MODELS_TEST_CACHE", "locmem")

INSTALLED_APPS = [
    *(["unfold"] if THEME == "unfold" else []),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cachalot",
    "ai_models",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

if DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PGDATABASE", "ai_models"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("AI_MODELS_TEST_SQLITE", ":memory:"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            "TEST": {"NAME": os.environ.get("AI_MODELS_TEST_SQLITE") or None},
        }
    }

if CACHE == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
            "KEY_PREFIX": os.environ.get("AI_MODELS_TEST_KEY_PREFIX", "ai-models-tests"),
            # As docs/deployment.md asks (check W008): a frozen Redis must not hold a test for long.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CACHALOT_ONLY_CACHABLE_APPS = ["ai_models"]
CACHALOT_TIMEOUT = 300

AI_MODELS = {
    "PROVIDERS": {"snapshot": {}},
    "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
    # Usage is flushed when a test asks (or a page reads it), never by a thread in the middle of a test.
    "USAGE_FLUSH_INTERVAL": 0,
}

SILENCED_SYSTEM_CHECKS = ["ai_models.W001", "ai_models.W002"]

# Users are created in many tests; the default hasher costs ~0.5 s each.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The HTTP API (the ``rest`` extra): DRF's token auth is one of the host auth classes tested.
if find_spec("rest_framework"):
    INSTALLED_APPS += ["rest_framework", "rest_framework.authtoken"]
