from datetime import datetime, timedelta, timezone

import pytest
from django.conf import settings as django_settings

from ai_models import catalog
from ai_models.catalog import store



class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.moment = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


# The providers these tests enable: the shared test provider under six ids (what each lists and how
# it fails is set per test with ``test_provider.script``; the root conftest resets them).
FAKE_NAMES = {"fake1": "Fake one", "fake2": "Fake two", "fake3": "Fake three", "fake4": "Fake four",
              "fake5": "Fake five", "fake6": "Fake six"}
FAKE_IDS = tuple(FAKE_NAMES)
TEST_PROVIDER = "ai_models.providers.test.TestProvider"


@pytest.fixture(autouse=True)
def _fresh_memo():
    catalog.clear_memo()
    yield
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
        given = extra.pop("PROVIDERS", {})
        settings.AI_MODELS = {
            "ENCRYPTION_KEYS": django_settings.AI_MODELS["ENCRYPTION_KEYS"],
            "PROVIDERS": {provider_id: {"CLASS": TEST_PROVIDER, "NAME": FAKE_NAMES[provider_id],
                                        **given.get(provider_id, {})}
                          for provider_id in provider_ids},
            **extra,
        }

    return configure
