"""``drift.active_drift``: every active model against its provider's cached catalog, never fetched."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.utils import timezone

from ai_models import catalog, activation
from ai_models.drift import CAPABILITY_LOST, DISAPPEARED, EXPIRING, PRICE, active_drift
from ai_models.models import AIModel, Provider

from .fakes import CHAT, PAINTER

pytestmark = pytest.mark.django_db


def activate(model_id=CHAT, capability="chat"):
    return activation.activate(catalog.get_entry("acme", model_id), capability).model


def only(drifts):
    [drift] = drifts
    return drift


def test_an_unchanged_model_is_ok(acme_provider):
    activate()

    drift = only(active_drift())

    assert (drift.state, drift.flags, drift.checked) == ("ok", [], True)


def test_disappeared_from_a_refreshed_catalog(acme_provider):
    activate()
    del acme_provider.models[CHAT]
    catalog.refresh(["acme"])

    drift = only(active_drift())

    assert [flag.kind for flag in drift.flags] == [DISAPPEARED]
    assert drift.summary == "no longer in the acme catalog"


def test_expiring_within_the_configured_window(acme_provider, settings):
    activate()
    acme_provider.models[CHAT]["expires"] = timezone.localdate() + timedelta(days=20)
    catalog.refresh(["acme"])

    assert [flag.kind for flag in only(active_drift()).flags] == [EXPIRING]
    settings.AI_MODELS = {**settings.AI_MODELS, "DRIFT_EXPIRY_DAYS": 10}
    assert only(active_drift()).flags == []


def test_price_up_since_activation(acme_provider):
    activate()
    acme_provider.models[CHAT]["output_price"] = "6.00"
    catalog.refresh(["acme"])

    [flag] = only(active_drift()).flags

    assert flag.kind == PRICE
    assert flag.message == "output price up from $4.00 to $6.00 per 1M tokens"


def test_capability_lost_since_activation(acme_provider):
    activate()
    acme_provider.models[CHAT]["capabilities"] = ("image",)
    catalog.refresh(["acme"])

    [flag] = only(active_drift()).flags

    assert (flag.kind, flag.message) == (CAPABILITY_LOST, "no longer classified for Chat, Content")


def test_a_provider_never_fetched_is_unknown_not_disappeared(acme_provider):
    activate()
    caches["default"].clear()
    catalog.clear_memo()

    drift = only(active_drift())

    assert (drift.state, drift.flags, drift.checked) == ("unknown", [], False)
    assert acme_provider.fetches == 1  # the fetch that made the activation possible; none since


def test_a_failing_provider_serves_its_last_good_list(acme_provider):
    activate()
    acme_provider.models[CHAT]["input_price"] = "9.00"  # not seen: the refresh fails
    acme_provider.fail = True
    catalog.refresh(["acme"])

    assert only(active_drift()).state == "ok"


def test_a_failed_provider_with_nothing_cached_is_unknown(acme_provider):
    activate()
    caches["default"].clear()
    catalog.clear_memo()
    acme_provider.fail = True
    catalog.refresh(["acme"])

    assert only(active_drift()).state == "unknown"


def test_reading_drift_never_fetches(acme_provider):
    activate()
    acme_provider.fetches = 0
    caches["default"].clear()
    catalog.clear_memo()

    for _ in range(3):
        active_drift()

    assert acme_provider.fetches == 0


def test_every_active_model_in_settings_order_and_only_active_ones(acme_provider):
    activate(PAINTER, "image")
    activate(CHAT, "chat")
    activate(CHAT, "content")
    activation.deactivate("content")

    assert [(d.model.capability, d.model.model_id) for d in active_drift()] == [("chat", CHAT), ("image", PAINTER)]


def test_activating_again_accepts_the_change(acme_provider):
    activate()
    acme_provider.models[CHAT]["input_price"] = "2.00"
    catalog.refresh(["acme"])
    assert only(active_drift()).flags

    activate()

    assert only(active_drift()).flags == []


def test_a_row_without_metadata_is_compared_by_its_prices(acme_provider):
    catalog.refresh(["acme"])
    provider = Provider.objects.create(slug="acme")
    AIModel.objects.create(provider=provider, model_id=CHAT, capability="chat", is_active=True,
                           input_price=Decimal("0.50"), output_price=Decimal("4"))

    [flag] = only(active_drift()).flags

    assert flag.message == "input price up from $0.50 to $1.00 per 1M tokens"


def test_a_cache_that_cannot_be_read_leaves_models_unknown(acme_provider, monkeypatch):
    activate()

    def broken(pairs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(catalog, "cached_entries", broken)

    assert only(active_drift()).state == "unknown"


@pytest.mark.usefixtures("active_clock_stopped")
def test_remembered_until_an_active_model_or_a_catalog_changes(acme_provider, django_assert_num_queries):
    activate()
    first = active_drift()
    with django_assert_num_queries(0):  # every admin page of the app asks: no query when nothing changed
        assert active_drift() is first

    del acme_provider.models[CHAT]
    catalog.refresh(["acme"])  # a new catalog: recomputed
    assert only(active_drift()).flags[0].kind == DISAPPEARED

    activate(PAINTER, "image")  # a new activation: recomputed
    assert {drift.model.capability for drift in active_drift()} == {"chat", "image"}
