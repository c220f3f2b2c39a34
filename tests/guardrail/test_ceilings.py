"""Price ceilings: parsing the setting, finding the prices above it, and check E009."""

from decimal import Decimal

from django.test import override_settings

from ai_models.checks import check_settings
from ai_models.activation.ceilings import Excess, excesses, log_note, parse_ceilings

CAPABILITIES = {"chat": "Chat", "image": "Image"}


def ids(messages):
    return [message.id for message in messages if message.id.startswith("ai_models.E")]


def test_prices_are_parsed_as_decimals():
    ceilings, problems = parse_ceilings({"chat": {"input": "5", "output": 15.5}, "image": {"output": 40}}, CAPABILITIES)

    assert problems == []
    assert ceilings == {"chat": {"input": Decimal("5"), "output": Decimal("15.5")}, "image": {"output": Decimal("40")}}


def test_every_invalid_part_is_named():
    value = {"chat": {"input": "cheap", "outptu": "1", "output": -1}, "video": {"input": 1}, "image": 3}

    ceilings, problems = parse_ceilings(value, CAPABILITIES)

    assert ceilings == {}
    assert problems == [
        "'chat' input ceiling 'cheap' is not a non-negative number",
        "'chat' has 'outptu'; only 'input' and 'output' are read",
        "'chat' output ceiling -1 is not a non-negative number",
        "'video' is not a configured capability",
        "'image' must map 'input' and/or 'output' to a price",
    ]
    assert parse_ceilings(["chat"], CAPABILITIES)[1][0].startswith("must be a dict")


@override_settings(AI_MODELS={"PRICE_CEILINGS": {"chat": {"input": "NaN"}}})
def test_check_reports_an_invalid_ceiling():
    [error] = [m for m in check_settings() if m.id == "ai_models.E009"]
    assert "'chat' input ceiling 'NaN' is not a non-negative number" in error.msg


@override_settings(AI_MODELS={"DRIFT_EXPIRY_DAYS": "soon", "TRIAL_TIMEOUT": 0})
def test_check_reports_invalid_watch_and_trial_settings():
    assert ids(check_settings()) == ["ai_models.E010", "ai_models.E010"]


@override_settings(AI_MODELS={"PRICE_CEILINGS": {"chat": {"input": "5", "output": "15"}}})
def test_only_known_prices_above_the_ceiling_exceed_it():
    assert excesses("chat", Decimal("5"), Decimal("15")) == []
    assert excesses("chat", Decimal("5.01"), None) == [Excess("input", Decimal("5.01"), Decimal("5"))]
    assert excesses("chat", None, Decimal("20")) == [Excess("output", Decimal("20"), Decimal("15"))]
    assert excesses("image", Decimal("500"), Decimal("500")) == []  # no ceiling for images


def test_the_history_note_names_each_price_and_its_ceiling():
    note = log_note([Excess("input", Decimal("8"), Decimal("5")), Excess("output", Decimal("32"), Decimal("15"))])
    assert note == "above the price ceiling (input $8.00 > $5.00, output $32.00 > $15.00 per 1M tokens)"


@override_settings(AI_MODELS={"PRICE_CEILINGS": ["chat", "5"]})
def test_a_malformed_setting_is_reported_not_a_crash():
    assert [m.id for m in check_settings() if m.id == "ai_models.E009"] == ["ai_models.E009"]
    assert excesses("chat", Decimal("100"), Decimal("100")) == []
