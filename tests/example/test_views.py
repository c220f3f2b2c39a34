"""The example's generation pages and JSON API, with a fake provider behind them."""

import base64
import html

import pytest
from django.test import Client, override_settings

from ai_models import activation
from ai_models.providers import test as test_provider

from .fakes import MP3, PNG, SECRET, SETTINGS, entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_provider")]


@pytest.fixture
def fake_provider():
    with override_settings(AI_MODELS=SETTINGS):
        yield


@pytest.fixture
def client(visitor):
    """The generation API takes only logged-in users."""
    return visitor


def activate(capability, model_id, name=""):
    return activation.activate(entry(model_id, name), capability).model


def post_json(client, path, data):
    return client.post(path, data, content_type="application/json")


# --- JSON API ---------------------------------------------------------------------------------


def test_chat_answers_through_the_active_model(client):
    activate("chat", "ok")
    response = post_json(client, "/api/chat/", {"prompt": "Hello there"})

    assert response.status_code == 200
    data = response.json()
    assert data["model"] == "ok"
    assert data["provider"] == "fake"
    assert data["demo"] is False
    assert data["text"].startswith("<em>Reply</em> to: Hello there")
    assert "Answer briefly" in data["text"]  # the chat service's system prompt reached the model


def test_content_asks_for_a_structured_article(client):
    activate("content", "ok")
    response = post_json(client, "/api/content/", {"prompt": "Tide pools"})

    assert response.status_code == 200
    assert "Tide pools" in response.json()["text"]
    assert "structured article" in response.json()["text"]


def test_a_form_post_works_like_json(client):
    activate("chat", "ok")
    response = client.post("/api/chat/", {"prompt": "From a form"})

    assert response.status_code == 200
    assert "From a form" in response.json()["text"]


def test_each_capability_uses_its_own_model(client):
    activate("chat", "ok")
    response = post_json(client, "/api/content/", {"prompt": "x"})

    assert response.status_code == 503
    assert "'content'" in response.json()["error"]


def test_image_comes_back_as_base64_with_its_media_type(client):
    activate("image", "ok")
    response = post_json(client, "/api/image/", {"prompt": "a lighthouse at dusk"})

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"model", "provider", "demo", "mime_type", "data"}
    assert data["mime_type"] == "image/png"
    assert base64.b64decode(data["data"]) == PNG


def test_audio_comes_back_as_base64_with_its_media_type(client):
    activate("audio", "ok")
    response = post_json(client, "/api/audio/", {"prompt": "Good morning"})

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"model", "provider", "demo", "mime_type", "data"}
    assert data["mime_type"] == "audio/mpeg"
    assert base64.b64decode(data["data"]) == MP3


@pytest.mark.parametrize("path", ["/api/chat/", "/api/content/", "/api/image/", "/api/audio/"])
def test_no_active_model_is_503_saying_where_to_activate(client, path):
    response = post_json(client, path, {"prompt": "Hello"})

    assert response.status_code == 503
    capability = path.split("/")[2]
    assert response.json()["capability"] == capability
    assert f"No active AI model for capability '{capability}'" in response.json()["error"]
    assert "AI models › Catalog models › Activate the selected model" in response.json()["error"]


@pytest.mark.parametrize(
    "model_id, message",
    [("rejected", "fake: the API key was rejected (HTTP 401)"), ("down", "fake: timed out after 2 retries")],
)
def test_provider_failure_is_502_with_its_error_and_no_key(client, model_id, message):
    activate("chat", model_id)
    response = post_json(client, "/api/chat/", {"prompt": "Hello"})

    assert response.status_code == 502
    assert message in response.json()["error"]
    assert SECRET not in response.content.decode()


def test_unusable_media_from_the_provider_is_502(client):
    test_provider.script("fake", mime_type="text/html")  # an HTML page as the image
    activate("image", "html")
    response = post_json(client, "/api/image/", {"prompt": "x"})

    assert response.status_code == 502
    assert "no usable image data" in response.json()["error"]


@pytest.mark.parametrize("body", [{"prompt": ""}, {"prompt": "   \n "}, {}])
def test_empty_prompt_is_400(client, body):
    activate("chat", "ok")
    response = post_json(client, "/api/chat/", body)

    assert response.status_code == 400
    assert response.json()["error"] == "Enter a prompt."


def test_too_long_prompt_is_400(client):
    activate("chat", "ok")
    response = post_json(client, "/api/chat/", {"prompt": "x" * 4001})

    assert response.status_code == 400
    assert "at most 4000 characters" in response.json()["error"]


@pytest.mark.parametrize("body", ["not json", '["prompt"]'])
def test_body_that_is_not_a_json_object_is_400(client, body):
    response = client.post("/api/chat/", body, content_type="application/json")

    assert response.status_code == 400
    assert "JSON object" in response.json()["error"]


def test_api_only_takes_post(client):
    assert client.get("/api/chat/").status_code == 405


# --- HTML pages -------------------------------------------------------------------------------


def test_index_links_every_page_and_the_admin_and_shows_active_models(client):
    activate("chat", "ok", name="Chatty <b>bold</b>")
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    for href in ("/chat/", "/content/", "/image/", "/audio/", "/admin/"):
        assert f'href="{href}"' in page
    assert "Chatty &lt;b&gt;bold&lt;/b&gt;" in page  # provider text is escaped
    assert "no model active" in page


def test_page_shows_a_form_and_the_model_that_will_answer(client):
    activate("chat", "ok", name="Chatty")
    response = client.get("/chat/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "csrfmiddlewaretoken" in page
    assert 'name="prompt"' in page
    assert "Answered by Chatty (fake)" in page


def test_page_renders_the_reply_escaped(client):
    activate("chat", "ok")
    response = client.post("/chat/", {"prompt": "<script>alert(1)</script>"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<em>Reply</em>" not in page
    assert html.escape("<em>Reply</em> to: <script>alert(1)</script>", quote=True) in page


def test_image_page_shows_the_image_inline(client):
    activate("image", "ok")
    response = client.post("/image/", {"prompt": "a lighthouse"})

    assert response.status_code == 200
    assert f'<img src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in response.content.decode()


def test_audio_page_shows_a_player(client):
    activate("audio", "ok")
    response = client.post("/audio/", {"prompt": "Good morning"})

    assert response.status_code == 200
    assert f'<audio controls src="data:audio/mpeg;base64,{base64.b64encode(MP3).decode()}"' in response.content.decode()


def test_page_without_active_model_is_503_with_the_message(client):
    assert "No model is active for Chat" in client.get("/chat/").content.decode()

    response = client.post("/chat/", {"prompt": "Hello"})
    assert response.status_code == 503
    assert html.escape("No active AI model for capability 'chat'") in response.content.decode()


def test_page_with_provider_failure_is_502_without_the_key(client):
    activate("chat", "rejected")
    response = client.post("/chat/", {"prompt": "Hello"})

    assert response.status_code == 502
    assert "the API key was rejected" in response.content.decode()
    assert SECRET not in response.content.decode()


def test_page_with_empty_prompt_is_400_with_the_form_error(client):
    activate("chat", "ok")
    response = client.post("/chat/", {"prompt": ""})

    assert response.status_code == 400
    assert "Enter a prompt." in response.content.decode()


def test_page_form_is_protected_by_csrf():
    activate("chat", "ok")
    response = Client(enforce_csrf_checks=True).post("/chat/", {"prompt": "Hello"})

    assert response.status_code == 403


@pytest.mark.parametrize("prompt", [["a", "b"], {"text": "hi"}, 42])
def test_a_prompt_that_is_not_a_string_is_400_not_echoed(client, prompt):
    activate("chat", "ok")
    response = post_json(client, "/api/chat/", {"prompt": prompt})

    assert response.status_code == 400
    assert response.json()["error"] == "The prompt must be a string."


def test_get_on_the_api_says_what_to_send(client):
    response = client.get("/api/chat/")

    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response.json() == {
        "error": 'Use POST with a JSON object such as {"prompt": "Hello"}.',
        "capability": "chat",
    }


def test_the_rate_window_starts_at_the_first_request_not_at_the_clocks_minute(client, settings, monkeypatch):
    """Issue 26 item 9: a window keyed by the clock's minute let a fourth request through when the
    three before straddled the minute; the window now opens at the first request."""
    import generation.views

    activate("chat", "ok")
    settings.GENERATION_RATE = (3, 60)
    now = [1_800_000_059.5]  # half a second before a minute ends
    monkeypatch.setattr(generation.views.time, "time", lambda: now[0])
    statuses = []
    for _ in range(4):
        statuses.append(post_json(client, "/api/chat/", {"prompt": "Hi"}).status_code)
        now[0] += 0.4
    refused = post_json(client, "/api/chat/", {"prompt": "Hi"})

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
