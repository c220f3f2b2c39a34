import pytest
from django.core.cache import caches

from ai_models.conf import DEFAULTS
from ai_models.memos import forget_all
from ai_models.providers import test as test_provider
from ai_models.providers.kept import close_clients
from ai_models.usage import clock as usage_clock
from ai_models.usage import recorder as usage_recorder

def pytest_collection_modifyitems(config, items):
    """Skip tests whose service the settings do not use; `make test` runs a leg that uses them."""
    from django.conf import settings

    available = {
        "postgres": settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "redis": "redis" in settings.CACHES["default"]["BACKEND"].lower(),
    }
    for item in items:
        for marker, ok in available.items():
            if item.get_closest_marker(marker) and not ok:
                item.add_marker(pytest.mark.skip(reason=f"needs {marker}: runs in the PostgreSQL + Redis leg of `make test`"))


@pytest.fixture(autouse=True)
def _no_model_facts(monkeypatch):
    """The model facts are off unless a test asks for them (tests/facts/ do): the datasets change
    with every package release, and their deprecation dates pass with the calendar, so a test of
    something else must not depend on them."""
    monkeypatch.setitem(DEFAULTS, "FACTS_SOURCES", [])


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches and nothing memoized."""
    for cache in caches.all():
        cache.clear()
    forget_all()
    test_provider.reset()
    yield
    forget_all()
    test_provider.reset()
    usage_recorder.discard()  # a test's uncounted calls never reach the next test's database
    usage_clock.set(None)
    close_clients()  # connections kept by one test's clients never reach the next test's servers


@pytest.fixture
def active_clock_stopped(monkeypatch):
    """``get_active_model``'s clock stands still, so no recheck falls due during the test: a count
    of queries does not then depend on how long the page took (a check is due every second)."""
    from ai_models import active

    now = active.monotonic()
    monkeypatch.setattr(active, "monotonic", lambda: now)


@pytest.fixture
def index_builds(monkeypatch):
    """The number of models of each catalog search index built during the test, in order."""
    from ai_models.catalog import views

    builds = []

    class Counted(views._SearchIndex):
        def __init__(self, models):
            builds.append(len(models))
            super().__init__(models)

    monkeypatch.setattr(views, "_SearchIndex", Counted)
    return builds
