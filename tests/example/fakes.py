"""The example's views' provider: the shared test provider under the id "fake", answering locally
or failing like a provider by model id: ``rejected`` on the key, ``down`` unreachable."""

from ai_models.providers import test as test_provider
from ai_models.providers.base import CatalogModel
from ai_models.providers.test import TestProvider

SECRET = "sk-test-DO-NOT-LEAK-0123456789abcdef"
PNG, MP3 = test_provider.PNG, test_provider.MP3


def entry(model_id, name=""):
    """A catalog entry of the fake provider; the model id chooses how it behaves."""
    return CatalogModel(provider="fake", model_id=model_id, name=name or model_id)


def reply(messages) -> str:
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    return f"<em>Reply</em> to: {messages[-1]['content']}\n[system: {system}]"


class Fake(TestProvider):
    id, name = "fake", "Fake provider"
    behaviour = {"models": [], "text": reply,
                 "answer": lambda model_id: {"rejected": "reject", "down": "timeout"}.get(model_id, "ok")}


SETTINGS = {
    "PROVIDERS": {"snapshot": {}, "fake": {"API_KEY": SECRET}},
    "PROVIDER_CLASSES": {"fake": f"{__name__}.Fake"},
}
