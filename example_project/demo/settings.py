"""Settings of the django-ai-models demo: SQLite, locmem cache, cachalot, Unfold.

Runs with no network and no keys: the ``snapshot`` provider serves a catalog shipped with
the package and answers generation calls with local demo output. Each live provider is
switched on when its key is in the environment (``OPENROUTER_API_KEY``, ``OPENAI_API_KEY``,
``GROQ_API_KEY``, ``DEEPSEEK_API_KEY``, ``GEMINI_API_KEY``, ``HF_TOKEN``); ai_models reads
the key from there itself, so it never appears in these settings.

The admin theme: django-unfold when it is installed, the plain Django admin with
``DEMO_THEME=plain`` (``make demo THEME=plain``). English and Persian, with a language switch.

A demo, not a deployment: DEBUG is on and the secrets below have public fallbacks.
"""

import base64
import hashlib
import os
from importlib.util import find_spec
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# "unfold" (the default when django-unfold is installed) or "plain" (Django's own admin).
THEME = os.environ.get("DEMO_THEME") or ("unfold" if find_spec("unfold") else "plain")
if THEME not in ("unfold", "plain"):
    raise ValueError(f'DEMO_THEME must be "unfold" or "plain", not {THEME!r}')

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-ai-models-demo-insecure-secret-key")
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    # Unfold themes the admin (see THEME); ai_models' admin works with or without it.
    *(["unfold"] if THEME == "unfold" else []),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cachalot",
    "ai_models",
    "generation",
    # The HTTP API (pip install "django-ai-models[rest]"); its browsable pages need the app.
    *(["rest_framework"] if find_spec("rest_framework") else []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The plain admin gets a language switch from templates/plain (Unfold has its own menu).
        "DIRS": [BASE_DIR / "demo" / "templates" / "plain"] if THEME == "plain" else [],
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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        # One database per theme: both demos may run at once, and neither shows the other's state.
        "NAME": os.environ.get("DEMO_SQLITE_PATH") or BASE_DIR / f"db-{THEME}.sqlite3",
        # Activation locks the capability's rows. With SQLite's default deferred transactions,
        # two concurrent activations both start as readers and the second one to write fails
        # at once with "database is locked"; IMMEDIATE takes the write lock up front, so it
        # waits its turn instead (up to `timeout` seconds).
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}

# One process, so a process-local cache is enough: activate in the admin and the pages use the
# model at once. It also means the running server does not see an activation made from another
# process (`manage.py ai_models activate`) until it restarts. With several workers, use a
# shared cache (Redis) so activations and cachalot's invalidations reach every worker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHALOT_ONLY_CACHABLE_APPS = ["ai_models"]
CACHALOT_TIMEOUT = 300

# Environment variable holding each live provider's key.
PROVIDER_KEY_ENV = {
    "openrouter": "OPENROUTER_API_KEY",
    "openai": "OPENAI_API_KEY",
    "groq": "GROQ_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "huggingface": "HF_TOKEN",
}


def _encryption_keys():
    """Fernet keys for API keys typed into the admin.

    Production must set its own: ``AI_MODELS_ENCRYPTION_KEYS="new-key,old-key"`` (generate one
    with ``python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'``).
    The demo fallback is derived from SECRET_KEY, so keys stored in the demo database still
    decrypt after a restart; it is public and protects nothing.
    """
    keys = [key.strip() for key in os.environ.get("AI_MODELS_ENCRYPTION_KEYS", "").split(",") if key.strip()]
    return keys or [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]


AI_MODELS = {
    # Every built-in capability, so Browse catalog shows a model of each kind from the snapshot.
    "CAPABILITIES": ["chat", "content", "image", "audio", "transcription", "embedding", "moderation", "rerank", "video"],
    "PROVIDERS": {
        "snapshot": {},
        **{provider: {} for provider, env in PROVIDER_KEY_ENV.items() if os.environ.get(env)},
    },
    "ENCRYPTION_KEYS": _encryption_keys(),
}

UNFOLD = {
    "SITE_TITLE": _("AI models demo"),
    "SITE_HEADER": _("AI models demo"),
    "SHOW_LANGUAGES": True,  # Unfold's own language menu (it posts to set_language, see urls.py)
}

# LocaleMiddleware (above) picks the language from the language cookie, then the browser.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fa", "فارسی")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"
# Where a login without ?next= lands (Unfold's login form has none): the capability board, not
# Django's /accounts/profile/, which this project does not have.
LOGIN_REDIRECT_URL = "/admin/ai_models/"
