"""``drift.compare``: the flags of one active model, from its entry at activation and now."""

from datetime import date
from decimal import Decimal

from ai_models.drift import CAPABILITY_LOST, DISAPPEARED, EXPIRING, PRICE, compare

from ..factories import catalog_model

TODAY = date(2026, 3, 1)
ALLOWED = ["chat", "content", "image", "audio"]


def flags(activated, current, listed=True, window=30):
    return compare(activated, current, listed=listed, today=TODAY, window_days=window, allowed=ALLOWED)


def kinds(found):
    return [flag.kind for flag in found]


def test_the_same_entry_has_no_flags():
    entry = catalog_model()
    assert flags(entry, entry) == []


def test_a_model_missing_from_a_good_list_has_disappeared():
    [flag] = flags(catalog_model(), None, listed=True)
    assert flag.kind == DISAPPEARED
    assert flag.message == "no longer in the snapshot catalog"


def test_without_a_list_of_its_provider_a_missing_model_is_not_called_disappeared():
    assert flags(catalog_model(), None, listed=False) == []


def test_an_expiry_date_within_the_window_is_flagged():
    [flag] = flags(catalog_model(), catalog_model(expires=date(2026, 3, 15)))
    assert flag.kind == EXPIRING
    assert flag.message == "expires on 2026-03-15, in 14 days"
    assert flags(catalog_model(), catalog_model(expires=date(2026, 3, 15)), window=7) == []


def test_past_and_same_day_expiry():
    assert [f.message for f in flags(catalog_model(), catalog_model(expires=date(2026, 2, 1)))] == [
        "expired on 2026-02-01"
    ]
    assert [f.message for f in flags(catalog_model(), catalog_model(expires=TODAY))] == ["expires today (2026-03-01)"]


def test_the_expiry_known_at_activation_counts_even_when_the_catalog_is_unknown():
    activated = catalog_model(expires=date(2026, 3, 10))
    assert kinds(flags(activated, None, listed=False)) == [EXPIRING]


def test_a_price_rise_is_flagged_with_both_prices():
    now = catalog_model(input_price=Decimal("0.80"), output_price=Decimal("1.60"))
    [flag] = flags(catalog_model(), now)
    assert flag.kind == PRICE
    assert flag.message == "input price up from $0.40 to $0.80 per 1M tokens"


def test_a_price_fall_is_flagged_too_and_equal_decimals_are_not():
    now = catalog_model(output_price=Decimal("1.2"))
    assert [f.message for f in flags(catalog_model(), now)] == ["output price down from $1.60 to $1.20 per 1M tokens"]
    assert flags(catalog_model(input_price=Decimal("0.400000")), catalog_model()) == []


def test_an_unknown_price_on_either_side_is_no_change():
    assert flags(catalog_model(input_price=None), catalog_model()) == []
    assert flags(catalog_model(), catalog_model(output_price=None)) == []


def test_a_lost_capability_is_flagged_and_a_gained_one_is_not():
    [flag] = flags(catalog_model(capabilities=("chat", "content")), catalog_model(capabilities=("content", "image")))
    assert flag.kind == CAPABILITY_LOST
    assert flag.message == "no longer classified for Chat"


def test_capabilities_no_longer_configured_are_not_compared():
    activated = catalog_model(capabilities=("chat", "summary"))
    assert flags(activated, catalog_model(capabilities=("chat",))) == []


def test_several_flags_at_once():
    now = catalog_model(capabilities=("content",), input_price=Decimal("1"), expires=date(2026, 3, 2))
    assert kinds(flags(catalog_model(), now)) == [EXPIRING, PRICE, CAPABILITY_LOST]


def test_a_deprecation_with_a_named_successor_says_what_to_activate_next():
    now = catalog_model(expires=date(2026, 3, 15), successor="mistral-medium-2508")
    [flag] = flags(catalog_model(), now)
    assert flag.kind == EXPIRING and flag.successor == "mistral-medium-2508"
    assert flag.message == "expires on 2026-03-15, in 14 days; replacement: mistral-medium-2508"


def test_a_model_gone_after_a_deprecation_keeps_the_successor_known_at_activation():
    activated = catalog_model(successor="mistral-medium-2508")
    [flag] = flags(activated, None, listed=True)
    assert flag.kind == DISAPPEARED
    assert flag.message == "no longer in the snapshot catalog; replacement: mistral-medium-2508"


def test_a_successor_alone_raises_no_flag():
    assert flags(catalog_model(), catalog_model(successor="mistral-medium-2508")) == []
