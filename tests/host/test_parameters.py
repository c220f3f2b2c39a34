"""Per-activation call parameters: validated, kept on the saved model, editable in the admin,
returned by ``get_active_model`` and applied by the backends under each call's own arguments."""

import asyncio
import base64
import json

import pytest
from django.core.exceptions import ValidationError

from ai_models import get_active_model, activation
from ai_models.exceptions import ActivationError
from ai_models.models import AIModel
from ai_models.parameters import validate_parameters
from tests.admin.conftest import CATALOG_URL, SAVED_URL
from tests.factories import catalog_model

from .conftest import CHAT_URL, completion

PARAMETERS = {"temperature": 0.1, "max_tokens": 50, "system_prompt": "Answer in one sentence."}


def test_validation_names_unknown_keys_and_bad_values():
    validate_parameters(PARAMETERS | {"image_size": "512x512", "voice": "nova", "dimensions": 256, "extra": {"x": 1}})
    with pytest.raises(ValidationError) as caught:
        validate_parameters({"temprature": 0.2, "max_tokens": -1, "image_size": "big", "audio_format": "ogg"})
    message = " ".join(caught.value.messages)
    assert "unknown parameters temprature" in message
    assert "max_tokens must be a whole number from 1" in message
    assert "image_size must be a size such as" in message and "audio_format must be one of mp3" in message
    with pytest.raises(ValidationError, match="JSON object"):
        validate_parameters(["temperature", 0.2])


@pytest.mark.parametrize("good", [{"image_quality": "hd"}, {"image_quality": "low"}, {"image_quality": "auto"},
                                  {"image_style": "natural"}, {"speed": 0.25}, {"speed": 4}, {"speed": 1.5}])
def test_image_quality_and_style_and_speech_speed_take_what_openai_documents(good):
    validate_parameters(good)


def test_image_quality_and_style_and_speech_speed_refuse_anything_else():
    with pytest.raises(ValidationError) as caught:
        validate_parameters({"image_quality": "ultra", "image_style": "painterly", "speed": 4.5})
    message = " ".join(caught.value.messages)
    assert "image_quality must be one of auto, low, medium, high" in message
    assert "image_style must be one of vivid, natural" in message
    assert "speed must be a number from 0.25 to 4" in message
    for slow in (0.2, 0, True, "1.0"):
        with pytest.raises(ValidationError, match="speed must be"):
            validate_parameters({"speed": slow})


def test_activation_keeps_them_and_get_active_model_returns_them(db):
    activation.activate(catalog_model("a"), "chat", parameters=PARAMETERS)
    assert get_active_model("chat").parameters == PARAMETERS
    activation.reactivate(AIModel.objects.get(), via="rollback")  # None keeps them
    assert get_active_model("chat").parameters == PARAMETERS
    with pytest.raises(ActivationError, match="temperature must be a number"):
        activation.activate(catalog_model("b"), "chat", parameters={"temperature": 9})
    assert get_active_model("chat").model_id == "a"  # nothing changed


def test_the_backend_applies_them_under_the_calls_own_arguments(db, openai_enabled, api):
    route = api.post(CHAT_URL).respond(200, json=completion())
    model = activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "chat", parameters=PARAMETERS).model
    backend = get_active_model("chat").get_backend()

    backend.chat(model.model_id, [{"role": "user", "content": "Hi"}], temperature=0.9)
    sent = json.loads(route.calls.last.request.content)
    assert sent["messages"] == [{"role": "system", "content": "Answer in one sentence."}, {"role": "user", "content": "Hi"}]
    assert sent["temperature"] == 0.9  # the call's own argument wins
    assert sent["max_completion_tokens"] == 50 and "max_tokens" not in sent  # OpenAI's name for it

    asyncio.run(backend.achat(model.model_id, [{"role": "system", "content": "Mine."}, {"role": "user", "content": "Hi"}]))
    sent = json.loads(route.calls.last.request.content)
    assert sent["messages"][0] == {"role": "system", "content": "Mine."} and len(sent["messages"]) == 2
    assert sent["temperature"] == 0.1


@pytest.fixture
def media(api):
    """OpenAI's images and speech endpoints answering a tiny PNG and an MP3: their routes."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    images = api.post("https://api.openai.com/v1/images/generations").respond(
        200, json={"data": [{"b64_json": base64.b64encode(png).decode()}]}
    )
    speech = api.post("https://api.openai.com/v1/audio/speech").respond(
        200, content=b"ID3\x04" + b"\xff\xfb" * 20, headers={"Content-Type": "audio/mpeg"}
    )
    return images, speech


def test_image_and_speech_defaults(db, openai_enabled, media):
    images, speech = media
    image = activation.activate(catalog_model("dall-e-3", provider="openai", capabilities=["image"]), "image",
                               parameters={"image_size": "1792x1024", "image_quality": "hd",
                                           "image_style": "natural"}).model
    voice = activation.activate(catalog_model("tts-1", provider="openai", capabilities=["audio"]), "audio",
                               parameters={"voice": "nova", "audio_format": "opus", "speed": 1.25}).model
    get_active_model("image").get_backend().generate_image(image.model_id, "a fox")  # as host code calls it
    sent = json.loads(images.calls.last.request.content)
    assert (sent["size"], sent["quality"], sent["style"]) == ("1792x1024", "hd", "natural")
    asyncio.run(get_active_model("audio").get_backend().asynthesize_speech(voice.model_id, "Hello"))
    sent = json.loads(speech.calls.last.request.content)
    assert (sent["voice"], sent["response_format"], sent["speed"]) == ("nova", "opus", 1.25)


def test_image_and_speech_requests_leave_quality_style_and_speed_to_the_provider_when_unset(db, openai_enabled, media):
    images, speech = media
    activation.activate(catalog_model("gpt-image-1", provider="openai", capabilities=["image"]), "image")
    activation.activate(catalog_model("tts-1", provider="openai", capabilities=["audio"]), "audio")
    get_active_model("image").get_backend().generate_image("gpt-image-1", "a fox")
    get_active_model("audio").get_backend().synthesize_speech("tts-1", "Hello")
    assert not {"quality", "style"} & set(json.loads(images.calls.last.request.content))
    assert "speed" not in json.loads(speech.calls.last.request.content)


def test_editable_in_saved_models_with_a_clear_error(admin_client):
    row = activation.activate(catalog_model("a"), "chat").model
    url = f"{SAVED_URL}{row.pk}/change/"
    response = admin_client.post(url, {"display_name": "A", "parameters": '{"temperature": "hot"}'})
    assert response.status_code == 200 and "temperature must be a number from 0 to 2" in response.content.decode()
    row.refresh_from_db()
    assert row.parameters == {}
    response = admin_client.post(url, {"display_name": "A", "parameters": json.dumps(PARAMETERS)})
    assert response.status_code == 302
    assert get_active_model("chat").parameters == PARAMETERS


def test_set_on_the_activate_page(admin_client):
    data = {"action": "activate", "_selected_action": ["snapshot:openai/gpt-4.1-mini"], "confirm": "yes",
            "capability": "chat", "parameters": '{"max_tokens": 300}'}
    page = admin_client.post(CATALOG_URL, {"action": "activate", "_selected_action": data["_selected_action"]})
    assert 'name="parameters"' in page.content.decode()
    admin_client.post(CATALOG_URL, data, follow=True)
    assert get_active_model("chat").parameters == {"max_tokens": 300}
    bad = admin_client.post(CATALOG_URL, {**data, "parameters": '{"max_tokens": 0}'})
    assert "max_tokens must be a whole number" in bad.content.decode()
    assert get_active_model("chat").parameters == {"max_tokens": 300}


def test_embedding_dimensions_sync_and_async(db, openai_enabled, api):
    route = api.post("https://api.openai.com/v1/embeddings").respond(
        200, json={"object": "list", "model": "text-embedding-3-small",
                   "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}]}
    )
    model = activation.activate(
        catalog_model("text-embedding-3-small", provider="openai", capabilities=["chat"]), "chat",
        parameters={"dimensions": 2},
    ).model
    backend = model.get_backend()
    assert backend.embed(model.model_id, ["hello"]).vectors == ((0.1, 0.2),)
    assert asyncio.run(backend.aembed(model.model_id, ["hello"])).vectors == ((0.1, 0.2),)
    assert [json.loads(call.request.content)["dimensions"] for call in route.calls] == [2, 2]


def test_anthropic_applies_them_through_the_messages_api_sync_and_async(api):
    from ai_models.providers.anthropic import AnthropicProvider

    route = api.post("https://api.anthropic.com/v1/messages").respond(
        200, json={"content": [{"type": "text", "text": "ok"}]}
    )
    backend = AnthropicProvider(api_key="sk-ant-test-0123456789", key_source="environment")
    backend.parameters = {"system_prompt": "Be brief.", "max_tokens": 64, "temperature": 0.2}
    assert backend.chat("claude-haiku-4-5", [{"role": "user", "content": "Hi"}]).text == "ok"
    assert asyncio.run(backend.achat("claude-haiku-4-5", [{"role": "user", "content": "Hi"}])).text == "ok"
    for call in route.calls:
        assert json.loads(call.request.content) == {
            "max_tokens": 64, "temperature": 0.2, "model": "claude-haiku-4-5",
            "messages": [{"role": "user", "content": "Hi"}], "system": "Be brief.",
        }
