"""A provider backend for the example's view tests: answers locally, or fails like a provider."""

from ai_models.exceptions import ProviderAuthError, ProviderUnavailable
from ai_models.providers.base import BaseProvider, CatalogModel, Generation

SECRET = "sk-test-DO-NOT-LEAK-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n fake image bytes"
MP3 = b"ID3\x04 fake audio bytes"

SETTINGS = {
    "PROVIDERS": {"snapshot": {}, "fake": {"API_KEY": SECRET}},
    "PROVIDER_CLASSES": {"fake": f"{__name__}.FakeProvider"},
}


def entry(model_id, name=""):
    """A catalog entry of the fake provider; the model id chooses how it behaves."""
    return CatalogModel(provider="fake", model_id=model_id, name=name or model_id)


class FakeProvider(BaseProvider):
    """Model ``ok`` answers; ``rejected`` fails on the key; ``down`` is unreachable; ``html`` sends HTML as media."""

    id = "fake"
    name = "Fake provider"
    requires_key = False

    def fetch_payload(self):
        return {"data": []}

    def _fail(self, model_id):
        if model_id == "rejected":
            raise ProviderAuthError(self.id, "the API key was rejected", status=401, excerpt='{"error": "invalid key"}')
        if model_id == "down":
            raise ProviderUnavailable(self.id, "timed out after 2 retries")

    def chat(self, model_id, messages, **params):
        self._fail(model_id)
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        text = f"<em>Reply</em> to: {messages[-1]['content']}\n[system: {system}]"
        return Generation(kind="text", provider=self.id, model_id=model_id, text=text)

    def generate_image(self, model_id, prompt, *, size="1024x1024"):
        self._fail(model_id)
        mime = "text/html" if model_id == "html" else "image/png"
        return Generation(kind="image", provider=self.id, model_id=model_id, data=PNG, mime_type=mime)

    def synthesize_speech(self, model_id, text, *, voice="alloy", audio_format="mp3"):
        self._fail(model_id)
        return Generation(kind="audio", provider=self.id, model_id=model_id, data=MP3, mime_type="audio/mpeg")
