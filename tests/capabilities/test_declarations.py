"""Capabilities as jobs: built-in names and kinds, host declarations, and the checks on them."""

from django.test import override_settings

from ai_models.capabilities import allowed, capability_kind, configured, configured_kinds, offered_for
from ai_models.checks import check_settings
from ai_models.conf import ai_settings


def ids(errors):
    return [error.id for error in errors]


def test_the_default_capabilities_stay_the_four_of_before():
    assert list(ai_settings.CAPABILITIES) == ["chat", "content", "image", "audio"]
    assert [capability.kind for capability in configured().values()] == ["chat", "chat", "image", "speech"]


@override_settings(AI_MODELS={"CAPABILITIES": ["chat", "content", "image", "audio", "embedding", "transcription",
                                               "moderation", "rerank", "video"]})
def test_the_other_built_in_capabilities_are_one_name_to_switch_on():
    assert allowed()[4:] == (("embedding", "embedding"), ("transcription", "transcription"),
                             ("moderation", "moderation"), ("rerank", "rerank"), ("video", "video"))
    assert str(ai_settings.CAPABILITIES["transcription"]) == "Transcription"
    assert [error for error in check_settings() if error.is_serious()] == []


@override_settings(AI_MODELS={"CAPABILITIES": {
    "chat": "Talk",
    "summaries": {"label": "Summaries", "kind": "chat", "requires": {"min_context": 32000}},
    "audio": {"label": "Voice"},
}})
def test_a_host_declares_label_kind_and_requirements():
    assert ai_settings.CAPABILITIES == {"chat": "Talk", "summaries": "Summaries", "audio": "Voice"}
    assert capability_kind("summaries") == "chat" and capability_kind("audio") == "speech"  # audio keeps its kind
    assert configured()["summaries"].requires == {"min_context": 32000}
    assert configured_kinds() == {"chat", "speech"}
    assert offered_for({"chat"}, allowed()) == {"chat", "summaries"}
    assert [error for error in check_settings() if error.is_serious()] == []


@override_settings(AI_MODELS={"CAPABILITIES": {"chat": "Chat", "summaries": "Summaries",
                                               "posters": {"label": "Posters", "kind": "picture"}}})
def test_a_capability_without_a_known_kind_is_an_error_naming_the_kinds():
    errors = [error for error in check_settings() if error.id == "ai_models.E012"]
    assert len(errors) == 2
    assert "'summaries'] has no kind" in errors[0].msg
    assert "'posters'] has kind 'picture'" in errors[1].msg
    for error in errors:
        assert "chat, image, speech, transcription, embedding, moderation, rerank, video" in error.msg
    assert configured()["posters"].kind is None  # and nothing is offered for it
    assert offered_for({"image"}, allowed()) == frozenset()


@override_settings(AI_MODELS={"CAPABILITIES": {"chat": {"label": "Chat", "kind": "chat", "requires": {
    "input_modality": ["image"], "parameters": "tools", "min_context": -1, "max_price": {"input": "cheap"},
}}}})
def test_bad_requirements_are_an_error_that_says_what_is_wrong():
    [error] = [error for error in check_settings() if error.id == "ai_models.E013"]
    assert "'input_modality'" in error.msg and "known requirements: input_modalities" in error.msg
    assert "'parameters' must be a list of names" in error.msg
    assert "'min_context' must be a whole number" in error.msg
    assert "'max_price' prices must be non-negative numbers" in error.msg
