"""Requirements against a catalog entry: met, not met, or unknown when the provider does not say."""

from decimal import Decimal

from django.test import override_settings

from ai_models import catalog, requirements
from ai_models.requirements import MET, UNKNOWN, UNMET, check, meets

from ..factories import catalog_model

VISION_TOOLS = {"input_modalities": ["image"], "parameters": ["tools"]}
CAPABILITIES = {
    "chat": "Chat",
    "vision": {"label": "Vision", "kind": "chat", "requires": {"input_modalities": ["image"]}},
}


def states(entry, requires):
    return [(item.key, item.state) for item in check(entry, requires)]


def test_met_not_met_and_unknown():
    vision = catalog_model(input_modalities=("text", "image"), parameters=("tools", "response_format"))
    text_only = catalog_model(input_modalities=("text",), parameters=("tools",))
    silent = catalog_model()  # OpenAI's list says nothing of modalities or parameters
    assert states(vision, VISION_TOOLS) == [("input_modalities", MET), ("parameters", MET)]
    assert states(text_only, VISION_TOOLS) == [("input_modalities", UNMET), ("parameters", MET)]
    assert states(silent, VISION_TOOLS) == [("input_modalities", UNKNOWN), ("parameters", UNKNOWN)]
    assert meets(vision, VISION_TOOLS) and not meets(text_only, VISION_TOOLS) and not meets(silent, VISION_TOOLS)
    assert check(text_only, VISION_TOOLS)[0].message == "input modalities image: lacks image"


def test_structured_output_is_met_by_either_name_providers_use():
    assert meets(catalog_model(parameters=("structured_outputs",)), {"parameters": ["response_format"]})
    assert meets(catalog_model(parameters=("response_format",)), {"parameters": ["structured_output"]})
    assert meets(catalog_model(parameters=("include_reasoning",)), {"parameters": ["reasoning"]})
    assert not meets(catalog_model(parameters=("tools",)), {"parameters": ["reasoning"]})


def test_context_and_price():
    entry = catalog_model(context_window=128_000, input_price=Decimal("2"), output_price=Decimal("8"))
    assert states(entry, {"min_context": 100_000}) == [("min_context", MET)]
    assert states(entry, {"min_context": 200_000}) == [("min_context", UNMET)]
    assert states(catalog_model(context_window=None), {"min_context": 1}) == [("min_context", UNKNOWN)]
    assert states(entry, {"max_price": {"input": "5", "output": "10"}}) == [("max_price", MET)]
    [over] = check(entry, {"max_price": {"output": 5}})
    assert over.state == UNMET and "costs output $8.00" in over.message
    unpriced = catalog_model(input_price=None, output_price=None)
    assert states(unpriced, {"max_price": {"input": 1}}) == [("max_price", UNKNOWN)]


def test_no_requirements_no_checks():
    assert check(catalog_model(), {}) == [] and meets(catalog_model(), {})


def test_the_log_note_names_what_was_overridden():
    checks = check(catalog_model(input_modalities=("text",), parameters=("tools",)), VISION_TOOLS)
    assert requirements.log_note(checks) == "requirements not met, overridden: input_modalities"


def test_the_catalog_filter_by_requirements(settings, db):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": CAPABILITIES}
    entries = catalog.get_catalog().entries
    meeting = catalog.filter_entries(entries, meets="vision")
    assert meeting and all("image" in entry.input_modalities and "vision" in entry.capabilities for entry in meeting)
    as_list = catalog.filter_entries(list(entries), meets="vision")
    assert [entry.pk for entry in as_list] == [entry.pk for entry in meeting]
    changed = {**CAPABILITIES, "vision": {**CAPABILITIES["vision"], "requires": {"input_modalities": ["audio"]}}}
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": changed}):
        again = catalog.filter_entries(catalog.get_catalog().entries, meets="vision")
    assert {entry.pk for entry in again} != {entry.pk for entry in meeting}  # no stale memo
