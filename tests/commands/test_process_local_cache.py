"""Each command is its own process: with a process-local cache (locmem) it cannot see what the site
or another command fetched, and says so instead of "not fetched yet" / "not checked"."""

import pytest
from django.core.cache import caches

from ai_models import catalog
from ai_models.active import clear_memo
from ai_models.models import AIModel

MINI = "openai/gpt-4.1-mini"


@pytest.fixture
def locmem(settings):
    """The process-local cache these tests are about, whichever cache the test leg runs with."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def new_process():
    """What a new ``manage.py`` process starts with: an empty locmem cache and empty memos."""
    for cache in caches.all():
        cache.clear()
    catalog.clear_memo()
    clear_memo()


def test_providers_after_catalog_in_another_process_explains_the_local_cache(run, providers, locmem):
    providers(["snapshot"])
    assert run("catalog").code == 0
    new_process()

    result = run("providers")

    line = next(line for line in result.stdout.splitlines() if line.startswith("snapshot"))
    assert "not fetched yet in this process (the cache 'default' is private to each process" in line
    assert "or run `providers --test`" in line


def test_providers_test_does_not_ask_to_run_itself(run, providers, locmem):
    providers(["snapshot"])
    new_process()

    result = run("providers", "--test")

    line = next(line for line in result.stdout.splitlines() if line.startswith("snapshot"))
    assert "the test column is a fetch made now" in line and "run `providers --test`" not in line
    assert "ok: " in line


def test_providers_after_catalog_with_a_shared_cache_shows_the_fetch(run, providers, settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path)}}
    providers(["snapshot"])
    assert run("catalog").code == 0
    catalog.clear_memo()

    line = next(line for line in run("providers").stdout.splitlines() if line.startswith("snapshot"))
    assert "fresh" in line and "private" not in line


def test_active_says_why_drift_was_not_checked_with_a_local_cache(run, providers, locmem):
    providers(["snapshot"])
    run("activate", "snapshot", MINI, "--capability", "chat")
    new_process()

    result = run("active")

    assert "this process has no cached catalog" in result.stdout
    assert AIModel.objects.get().activated_via == "command line"
