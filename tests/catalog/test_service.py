"""The catalog service: cache, stale-on-error, per-provider status, parallel and single-flight fetches."""

import logging
import pickle
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection

from ai_models import catalog, sharedcache
from ai_models.catalog import store
from ai_models.conf import ai_settings
from ai_models.models import Provider
from ai_models.exceptions import ProviderAuthError, ProviderUnavailable, UnknownProvider

from ai_models.providers import test as test_provider

from .conftest import FAKE_IDS

pytestmark = pytest.mark.django_db

SIX_HOURS = 6 * 60 * 60


def ids(listing):
    return [entry.pk for entry in listing.entries]


def status(listing, provider_id):
    return next(s for s in listing.statuses if s.provider == provider_id)


# --- cache ---------------------------------------------------------------------------------


def test_a_cache_hit_fetches_nothing(use_fakes, clock):
    use_fakes("fake1", "fake2")
    first = catalog.get_catalog()
    clock.advance(hours=5)
    second = catalog.get_catalog()
    assert test_provider.fetches == {"fake1": 1, "fake2": 1}
    assert ids(second) == ids(first) == [f"fake{p}:fake{p}-0000{n}" for p in (1, 2) for n in range(3)]
    assert [s.state for s in second.statuses] == ["fresh", "fresh"]
    assert status(second, "fake1").age == timedelta(hours=5)


def test_another_process_reads_the_same_list_from_the_cache(use_fakes):
    use_fakes("fake1")
    test_provider.script("fake1", models=40)
    fetched = catalog.get_catalog().entries
    catalog.clear_memo()  # what another worker sharing the cache starts with
    served = catalog.get_catalog().entries
    assert test_provider.fetches["fake1"] == 1
    assert served is not fetched
    assert list(served) == list(fetched)  # every field survives the compact cached form


def test_expiry_after_the_ttl_refetches(use_fakes, clock):
    use_fakes("fake1", CATALOG_TTL=600)
    catalog.get_catalog()
    clock.advance(seconds=599)
    catalog.get_catalog()
    assert test_provider.fetches["fake1"] == 1
    clock.advance(seconds=1)
    test_provider.script("fake1", models=5)
    listing = catalog.get_catalog()
    assert test_provider.fetches["fake1"] == 2
    assert len(listing.entries) == 5
    assert status(listing, "fake1").state == "fresh"
    assert status(listing, "fake1").fetched_at == clock.moment


def test_a_failed_refresh_serves_the_last_good_list_as_stale_with_its_age_and_error(use_fakes, clock):
    use_fakes("fake1")
    catalog.get_catalog()
    clock.advance(hours=7)
    test_provider.script("fake1", error=ProviderUnavailable('fake1', 'timed out'))
    listing = catalog.get_catalog()
    assert test_provider.fetches["fake1"] == 2
    assert len(listing.entries) == 3
    fake1 = status(listing, "fake1")
    assert (fake1.state, fake1.age, fake1.error, fake1.count) == ("stale", timedelta(hours=7), "fake1: timed out", 3)
    # Every process sees the same status, without fetching.
    catalog.clear_memo()
    [cached] = catalog.provider_statuses()
    assert (cached.state, cached.error, cached.attempted_at) == ("stale", "fake1: timed out", clock.moment)
    assert test_provider.fetches["fake1"] == 2


def test_a_failing_provider_is_not_retried_on_every_request(use_fakes, clock):
    use_fakes("fake1")
    test_provider.script("fake1", error=ProviderUnavailable('fake1', 'down'))
    catalog.get_catalog()
    clock.advance(seconds=30)
    catalog.get_catalog()
    assert test_provider.fetches["fake1"] == 1
    clock.advance(seconds=31)
    test_provider.script("fake1")
    listing = catalog.get_catalog()
    assert test_provider.fetches["fake1"] == 2
    assert status(listing, "fake1").state == "fresh"
    assert status(listing, "fake1").error == ""


def test_with_nothing_cached_a_failing_provider_shows_its_error_and_the_others_still_list(use_fakes):
    use_fakes("fake1", "fake2")
    test_provider.script("fake1", error=ProviderAuthError('fake1', 'invalid API key', status=401))
    listing = catalog.get_catalog()
    assert ids(listing) == ["fake2:fake2-00000", "fake2:fake2-00001", "fake2:fake2-00002"]
    fake1, fake2 = listing.statuses
    assert (fake1.state, fake1.error, fake1.count, fake1.fetched_at) == (
        "failed",
        "fake1: invalid API key (HTTP 401)",
        0,
        None,
    )
    assert fake2.state == "fresh"


def test_an_unexpected_exception_is_logged_and_shown_as_a_generic_message(use_fakes, caplog):
    use_fakes("fake1", "fake2")
    test_provider.script("fake1", error=RuntimeError('internal detail sk-live-secret'))
    with caplog.at_level(logging.ERROR, logger="ai_models.catalog"):
        listing = catalog.get_catalog()
    fake1 = status(listing, "fake1")
    assert fake1.state == "failed"
    assert "RuntimeError" in fake1.error and "server log" in fake1.error
    assert "secret" not in fake1.error
    assert len(listing.entries) == 3
    assert "fake1" in caplog.text and "internal detail" in caplog.text  # the traceback is in the log


def test_the_api_key_never_reaches_the_error_text(use_fakes):
    key = "sk-test-0123456789abcdef"
    use_fakes("fake1", PROVIDERS={"fake1": {"API_KEY": key}})
    test_provider.script("fake1", error=ProviderAuthError('fake1', f'key {key} refused'))
    listing = catalog.get_catalog()
    assert key not in status(listing, "fake1").error
    assert key not in catalog.provider_statuses()[0].error


def test_the_api_key_is_in_no_cache_key_and_a_new_key_fetches_a_new_catalog(use_fakes, monkeypatch):
    key = "sk-test-0123456789abcdef"
    real = caches[ai_settings.CACHE]
    seen = []

    class Recording:
        """Records every key the catalog reads or writes."""

        def __getattr__(self, name):
            method = getattr(real, name)

            def call(keys, *args, **kwargs):
                seen.extend([keys] if isinstance(keys, str) else list(keys))
                return method(keys, *args, **kwargs)

            return call

    monkeypatch.setattr(sharedcache, "caches", {ai_settings.CACHE: Recording()})
    use_fakes("fake1", PROVIDERS={"fake1": {"API_KEY": key}})
    catalog.get_catalog()
    use_fakes("fake1", PROVIDERS={"fake1": {"API_KEY": key + "-rotated"}})
    catalog.get_catalog()
    assert test_provider.fetches["fake1"] == 2
    assert seen and not [k for k in seen if "sk-test" in k or "0123456789" in k]


def test_refresh_bypasses_the_cache_for_the_chosen_providers(use_fakes):
    use_fakes("fake1", "fake2")
    catalog.get_catalog()
    test_provider.script("fake2", models=1)
    listing = catalog.refresh(["fake2"])
    assert test_provider.fetches == {"fake1": 1, "fake2": 2}
    assert ids(listing) == ["fake2:fake2-00000"]
    assert len(catalog.get_catalog().entries) == 4  # the refreshed list is what is cached now
    catalog.refresh()
    assert test_provider.fetches == {"fake1": 2, "fake2": 3}


def test_refresh_retries_a_provider_even_right_after_it_failed(use_fakes):
    use_fakes("fake1")
    test_provider.script("fake1", error=ProviderUnavailable('fake1', 'down'))
    catalog.get_catalog()
    test_provider.script("fake1")
    assert status(catalog.refresh(), "fake1").state == "fresh"
    assert test_provider.fetches["fake1"] == 2


def test_a_model_is_offered_for_every_configured_capability_of_its_kinds_when_served_not_when_cached(use_fakes):
    model = {"model_id": "multi", "capabilities": ["chat", "embedding", "image"]}  # legacy names: kinds
    use_fakes("fake1")
    test_provider.script("fake1", models=[model])
    [entry] = catalog.get_catalog().entries
    assert entry.capabilities == {"chat", "content", "image"}  # content is of kind chat
    assert entry.kinds == {"chat", "embedding", "image"}
    assert entry.reason_for("content") == entry.reasons["chat"]
    use_fakes("fake1", CAPABILITIES={"chat": "Chat", "embedding": "Search vectors",
                                      "summaries": {"label": "Summaries", "kind": "chat"}})
    [entry] = catalog.get_catalog().entries
    assert entry.capabilities == {"chat", "embedding", "summaries"}
    assert test_provider.fetches["fake1"] == 1


def test_provider_statuses_fetch_nothing(use_fakes):
    use_fakes("fake1", "fake2")
    assert [(s.provider, s.name, s.state, s.count) for s in catalog.provider_statuses()] == [
        ("fake1", "Fake one", "never", 0),
        ("fake2", "Fake two", "never", 0),
    ]
    catalog.get_catalog(["fake2"])
    assert [s.state for s in catalog.provider_statuses()] == ["never", "fresh"]
    assert test_provider.fetches == {"fake2": 1}


def test_an_unknown_provider_id_is_an_error(use_fakes):
    use_fakes("fake1")
    with pytest.raises(UnknownProvider):
        catalog.get_catalog(["fake-typo"])


def test_the_skipped_count_is_reported(use_fakes):
    use_fakes("fake1")
    test_provider.script("fake1", models=[{"model_id": "ok"}, {"no": "id"}, "junk"])
    fake1 = catalog.get_catalog().statuses[0]
    assert (fake1.count, fake1.skipped) == (1, 2)


def test_duplicate_model_ids_are_listed_once(use_fakes):
    use_fakes("fake1")
    test_provider.script("fake1", models=[{"model_id": "same", "name": "first"}, {"model_id": "same", "name": "second"}])
    assert [entry.name for entry in catalog.get_catalog().entries] == ["first"]


def test_the_shared_listing_refuses_changes(use_fakes):
    use_fakes("fake1")
    entries = catalog.get_catalog().entries
    with pytest.raises(TypeError):
        entries.append(entries[0])
    with pytest.raises(TypeError):
        entries.sort()
    assert pickle.loads(pickle.dumps(entries)) == list(entries)


def test_the_cached_form_is_smaller_than_the_provider_json(use_fakes):
    import json

    use_fakes("fake1")
    test_provider.script("fake1", models=2000)
    catalog.get_catalog()
    raw_json = len(json.dumps(test_provider.generated(2000, "fake1")).encode())
    backend = Provider.objects.backends()[0]
    stored = pickle.dumps(caches["default"].get(store.cache_key(backend, "list")), pickle.HIGHEST_PROTOCOL)
    assert len(stored) < raw_json


# --- get_entry -----------------------------------------------------------------------------


def test_get_entry_fetches_when_nothing_is_cached_and_carries_the_raw_data(use_fakes):
    use_fakes("fake1", "fake2")
    entry = catalog.get_entry("fake1", "fake1-00001")
    assert entry.pk == "fake1:fake1-00001"
    assert entry.raw == {key: value for key, value in test_provider.generated(3, "fake1")[1].items() if key != "raw"}
    assert entry.capabilities == {"chat", "content"}
    assert test_provider.fetches == {"fake1": 1}
    assert catalog.get_entry("fake1", "fake1-00002").raw["model_id"] == "fake1-00002"
    assert test_provider.fetches == {"fake1": 1}


def test_get_entry_of_an_unlisted_model_or_provider_is_none(use_fakes):
    use_fakes("fake1")
    assert catalog.get_entry("fake1", "no-such-model") is None
    assert catalog.get_entry("fake2", "fake2-00000") is None  # registered, not enabled
    assert catalog.get_entry("nope", "x") is None


# --- parallel and single flight ------------------------------------------------------------


def test_cold_fetches_of_several_providers_run_at_the_same_time(use_fakes):
    # Each fetch waits until all six are in flight: fetched one after another, they would time out.
    use_fakes(*FAKE_IDS)
    barrier = threading.Barrier(6, timeout=10)
    for provider_id in FAKE_IDS:
        test_provider.script(provider_id, before=barrier.wait)
    listing = catalog.refresh()
    assert [s.state for s in listing.statuses] == ["fresh"] * 6
    assert len(listing.entries) == 18


def test_a_cold_refresh_of_six_slow_providers_takes_about_one_latency(use_fakes):
    latency = 0.5
    use_fakes(*FAKE_IDS)
    for provider_id in FAKE_IDS:
        test_provider.script(provider_id, delay=latency)
    started = time.monotonic()
    listing = catalog.refresh()
    elapsed = time.monotonic() - started
    assert [s.state for s in listing.statuses] == ["fresh"] * 6
    assert elapsed < 2 * latency, f"six providers took {elapsed:.2f}s; one takes {latency}s"


def _in_threads(count, function):
    """Run ``function`` in ``count`` threads started together; their results."""
    start = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(n):
        try:
            start.wait()
            results[n] = function()
        except Exception as err:  # reported below
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_on_an_expired_list_make_one_upstream_call(use_fakes, clock):
    use_fakes("fake1")
    catalog.get_catalog()
    clock.advance(hours=7)
    test_provider.script("fake1", delay=0.3, models=4)
    listings = _in_threads(8, catalog.get_catalog)
    assert test_provider.fetches["fake1"] == 2
    assert {len(listing.entries) for listing in listings} <= {3, 4}  # the stale list or the new one
    assert len(catalog.get_catalog().entries) == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_nothing_cached_make_one_upstream_call_and_all_get_it(use_fakes):
    use_fakes("fake1")
    test_provider.script("fake1", delay=0.3)
    listings = _in_threads(8, catalog.get_catalog)
    assert test_provider.fetches["fake1"] == 1
    assert [len(listing.entries) for listing in listings] == [3] * 8
    assert {listing.statuses[0].state for listing in listings} == {"fresh"}


@pytest.mark.django_db(transaction=True)
def test_while_one_request_fetches_the_others_serve_the_stale_list_at_once(use_fakes, clock):
    use_fakes("fake1")
    catalog.get_catalog()
    clock.advance(hours=7)
    release, fetching = threading.Event(), threading.Event()

    def hold():
        fetching.set()
        assert release.wait(10)

    test_provider.script("fake1", before=hold, models=5)
    leader = threading.Thread(target=lambda: (catalog.get_catalog(), connection.close()))
    leader.start()
    try:
        assert fetching.wait(10)
        listing = catalog.get_catalog()  # returns while the leader is still blocked
        assert len(listing.entries) == 3
        assert status(listing, "fake1").state == "stale"
    finally:
        release.set()
        leader.join(10)
    assert test_provider.fetches["fake1"] == 2
    assert len(catalog.get_catalog().entries) == 5


@pytest.mark.django_db(transaction=True)
def test_with_nothing_cached_the_others_wait_for_the_fetch_in_flight(use_fakes):
    use_fakes("fake1")
    release, fetching = threading.Event(), threading.Event()

    def hold():
        fetching.set()
        assert release.wait(10)

    test_provider.script("fake1", before=hold)
    leader = threading.Thread(target=lambda: (catalog.get_catalog(), connection.close()))
    leader.start()
    assert fetching.wait(10)
    threading.Timer(0.2, release.set).start()
    listing = catalog.get_catalog()  # waits for the leader's list instead of fetching again
    leader.join(10)
    assert test_provider.fetches["fake1"] == 1
    assert len(listing.entries) == 3
    assert status(listing, "fake1").state == "fresh"


def test_a_cached_entry_reads_back_every_field(use_fakes):
    from ai_models.catalog.encoding import Cached, encode
    from ai_models.providers.base import CatalogModel

    model = CatalogModel("p", "m", "M", "d", frozenset({"chat"}), {"chat": "why"}, 8, None, None, None, None,
                         ("text",), ("text",), "m-2", ("tools",), 1536)
    [decoded] = Cached("p", encode([model], 0.0)).models
    assert decoded == model  # field by field, in the dataclass's order
