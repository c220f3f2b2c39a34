from datetime import datetime, timedelta, timezone

import pytest
from django.conf import settings as django_settings

from ai_models import catalog
from ai_models.catalog import store

from . import fakes


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.moment = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


@pytest.fixture(autouse=True)
def _fresh_fakes():
    fakes.reset()
    catalog.clear_memo()
    yield
    fakes.reset()
    catalog.clear_memo()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(store, "now", clock)
    return clock


@pytest.fixture
def use_fakes(settings):
    """``use_fakes("fake1", "fake2", CATALOG_TTL=60, PROVIDERS={...})``: only these providers enabled."""

    def configure(*provider_ids, **extra):
        settings.AI_MODELS = {
            "ENCRYPTION_KEYS": django_settings.AI_MODELS["ENCRYPTION_KEYS"],
            "PROVIDER_CLASSES": fakes.FAKE_CLASSES,
            "PROVIDERS": {provider_id: {} for provider_id in provider_ids},
            **extra,
        }

    return configure
