"""ai_models.testing: pinning active models in a host project's tests."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import TestCase, override_settings

from ai_models import NoActiveModel, UnknownCapability, get_active_model, activation
from ai_models.models import AIModel, Provider
from ai_models.providers.base import BaseProvider, CatalogModel
from ai_models.testing import active_models, catalog_entry

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent


class OfflineProvider(BaseProvider):
    """A live-style provider whose catalog must not be fetched by the helper."""

    id = "offline"
    name = "Offline test provider"
    requires_key = False

    def fetch_payload(self):
        raise AssertionError("active_models must not fetch a catalog")


with_offline = override_settings(
    AI_MODELS={
        "PROVIDERS": {"snapshot": {}, "offline": {}},
        "PROVIDER_CLASSES": {"offline": f"{__name__}.OfflineProvider"},
    }
)


def active_pk(capability):
    try:
        return get_active_model(capability).pk
    except NoActiveModel:
        return None


def test_pins_a_snapshot_model_with_its_catalog_entry():
    with active_models({"chat": "snapshot:openai/gpt-4.1-mini"}) as pinned:
        model = get_active_model("chat")
        assert model.pk == pinned["chat"].pk
        assert (model.provider.slug, model.model_id) == ("snapshot", "openai/gpt-4.1-mini")
        assert model.display_name == "OpenAI: GPT-4.1 mini"
        assert model.context_window == 1047576
    with pytest.raises(NoActiveModel):
        get_active_model("chat")


def test_restores_the_previously_active_model():
    before = activation.activate(catalog_entry("snapshot:openai/gpt-4.1-mini", "content"), "content").model
    with active_models(content="snapshot:openai/gpt-image-1", image="snapshot:openai/gpt-image-1"):
        assert get_active_model("content").model_id == "openai/gpt-image-1"
        assert get_active_model("image").model_id == "openai/gpt-image-1"
    assert get_active_model("content").pk == before.pk
    assert AIModel.objects.filter(capability="content", is_active=True).count() == 1
    with pytest.raises(NoActiveModel):
        get_active_model("image")


def test_nested_pins_unwind_in_order():
    outer = active_models(chat="snapshot:openai/gpt-4.1-mini")
    with outer:
        with active_models(chat="snapshot:openai/gpt-4o-mini-tts"):
            assert get_active_model("chat").model_id == "openai/gpt-4o-mini-tts"
        assert get_active_model("chat").model_id == "openai/gpt-4.1-mini"
    assert active_pk("chat") is None


def test_works_as_a_decorator_and_can_be_reused():
    @active_models({"audio": "snapshot:openai/gpt-4o-mini-tts"})
    def speak():
        return get_active_model("audio").model_id

    assert speak() == "openai/gpt-4o-mini-tts"
    assert active_pk("audio") is None
    assert speak() == "openai/gpt-4o-mini-tts"
    assert active_pk("audio") is None


def test_refuses_to_decorate_a_class():
    with pytest.raises(TypeError, match="setUp"):

        @active_models(chat="snapshot:openai/gpt-4.1-mini")
        class Tests:
            pass


@with_offline
def test_a_string_for_another_provider_becomes_a_minimal_entry_without_fetching():
    with active_models({"image": "offline:vendor/model:free"}):
        model = get_active_model("image")
        assert (model.provider.slug, model.model_id) == ("offline", "vendor/model:free")
        assert model.metadata["capabilities"] == ["image"]
        assert Provider.objects.get(slug="offline").name == "Offline test provider"


@with_offline
def test_accepts_catalog_model_objects():
    entry = CatalogModel(provider="offline", model_id="big", name="Big model", context_window=8192)
    with active_models({"content": entry}):
        model = get_active_model("content")
        assert (model.model_id, model.display_name, model.context_window) == ("big", "Big model", 8192)


def test_a_failed_pin_changes_nothing():
    with pytest.raises(UnknownCapability):
        with active_models({"chat": "snapshot:openai/gpt-4.1-mini", "video": "snapshot:openai/gpt-4.1-mini"}):
            pass  # pragma: no cover
    assert active_pk("chat") is None
    assert not AIModel.objects.exists()


@pytest.mark.parametrize("value", ["gpt-4.1-mini", ":gpt-4.1-mini", "snapshot:"])
def test_malformed_strings_are_refused(value):
    with pytest.raises(ValueError, match="provider:model_id"):
        with active_models(chat=value):
            pass  # pragma: no cover


def test_a_model_missing_from_the_snapshot_is_refused():
    with pytest.raises(LookupError, match="openai/gpt-4.1-mini"):
        with active_models(chat="snapshot:no-such-model"):
            pass  # pragma: no cover


HOST_CONFTEST = """
import pytest

from ai_models import NoActiveModel, get_active_model

pytest_plugins = ["ai_models.testing"]


@pytest.fixture(autouse=True)
def restored_after_test(db):
    # Set up before ai_active_models, so torn down after it: sees what its teardown left.
    yield
    with pytest.raises(NoActiveModel):
        get_active_model("chat")
    print("RESTORED")
"""

HOST_TESTS = """
from ai_models import get_active_model


def test_pin(ai_active_models):
    pinned = ai_active_models({"chat": "snapshot:openai/gpt-4.1-mini"})
    assert get_active_model("chat").pk == pinned["chat"].pk
    ai_active_models(chat="snapshot:openai/gpt-4o-mini-tts")
    assert get_active_model("chat").model_id == "openai/gpt-4o-mini-tts"
"""


def test_pytest_plugin_fixture_in_a_host_project(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(HOST_CONFTEST))
    (tmp_path / "test_host.py").write_text(textwrap.dedent(HOST_TESTS))
    # The host project gets its own SQLite and locmem: the outer run may hold a PostgreSQL test database.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(REPO),
        "AI_MODELS_TEST_DB": "sqlite",
        "AI_MODELS_TEST_CACHE": "locmem",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "RESTORED" in result.stdout


class PinnedInSetUp(TestCase):
    """The docs' way for a ``django.test.TestCase``: entered in ``setUp``, undone at cleanup."""

    def setUp(self):
        self.pinned = self.enterContext(active_models({"chat": "snapshot:openai/gpt-4.1-mini"}))

    def test_the_model_is_active_in_the_test(self):
        self.assertEqual(get_active_model("chat").model_id, "openai/gpt-4.1-mini")
        self.assertEqual(self.pinned["chat"].model_id, "openai/gpt-4.1-mini")

    def test_it_is_undone_at_cleanup(self):
        self.doCleanups()  # what unittest runs after tearDown
        with self.assertRaises(NoActiveModel):
            get_active_model("chat")


# --- the SDK clients of a snapshot pin (issue 26 item 7) ---------------------------------------

PINNED_CHAT = {"chat": "snapshot:openai/gpt-4.1-mini"}
MESSAGES = [{"role": "user", "content": "Write a haiku"}]


def demo_reply(model_id="openai/gpt-4.1-mini") -> str:
    from ai_models.providers import build_provider

    return build_provider("snapshot").chat(model_id, MESSAGES).text


@active_models(PINNED_CHAT)
def test_a_snapshot_pin_serves_the_openai_client_in_process_streaming_included(monkeypatch):
    """The docs' streaming recipe runs in a test pinned to a snapshot model: the SDK talks to the
    snapshot's demo answers in process (no socket: opening one fails the test)."""
    pytest.importorskip("openai")
    import socket

    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail("a socket was opened"))
    model = get_active_model("chat")
    client = model.openai_client()

    stream = client.chat.completions.create(**model.chat_kwargs(MESSAGES), stream=True)
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    whole = client.chat.completions.create(**model.chat_kwargs(MESSAGES))
    listed = [item.id for item in client.models.list()]

    assert streamed == whole.choices[0].message.content == demo_reply()
    assert whole.choices[0].finish_reason == "stop"
    assert "openai/gpt-4.1-mini" in listed


@active_models(PINNED_CHAT)
def test_a_snapshot_pin_serves_the_async_openai_client_in_process():
    pytest.importorskip("openai")
    import asyncio

    model = get_active_model("chat")

    async def stream():
        client = model.async_openai_client()
        chunks = await client.chat.completions.create(**model.chat_kwargs(MESSAGES), stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in chunks])
        await client.close()
        return text

    assert asyncio.run(stream()) == demo_reply()


@override_settings(AI_MODELS={"PROVIDERS": {"snapshot": {}}, "CAPABILITIES": ["chat", "embedding"]})
@active_models({"embedding": "snapshot:openai/text-embedding-3-small"})
def test_a_snapshot_pin_answers_embeddings_and_refuses_what_it_does_not_serve():
    openai = pytest.importorskip("openai")
    model = get_active_model("embedding")
    client = model.openai_client()

    vectors = client.embeddings.create(model=model.model_id, input=["a", "b"]).data

    assert [len(vector.embedding) for vector in vectors] == [1536, 1536]
    assert vectors[0].embedding == list(model.get_backend().embed(model.model_id, ["a"]).vectors[0])
    with pytest.raises(openai.NotFoundError):
        client.images.generate(model=model.model_id, prompt="a cat")
