"""Generation services: one small function per capability. Copy them into your project.

Each asks django-ai-models for the model active for its capability, then calls that model
through its provider's backend, which carries the base URL and the key. Whatever staff
activate in the admin is used on the next call; no deploy, no restart.

Each returns an ``ai_models.providers.base.Generation`` (``.text`` for text, ``.data`` and
``.mime_type`` for images and audio) and raises:

- ``ai_models.NoActiveModel`` when no model is active for the capability (its message says
  where to activate one);
- ``ai_models.ProviderError`` when the provider call fails (its message names the provider
  and never contains the key).
"""

from ai_models import get_active_model

CHAT_SYSTEM_PROMPT = "You are a helpful assistant. Answer briefly, in a few sentences at most."

CONTENT_SYSTEM_PROMPT = (
    "You are a skilled writer. Write a well-structured article on the topic the user gives: "
    "a title, a short introduction, three to five sections with headings, and a conclusion. "
    "Use Markdown."
)


def chat_reply(prompt: str):
    """A short conversational reply to ``prompt``."""
    model = get_active_model("chat")
    messages = [
        {"role": "system", "content": CHAT_SYSTEM_PROMPT},
        {"role": "user", "content": prompt},
    ]
    return model.get_backend().chat(model.model_id, messages)


def write_content(topic: str):
    """A long-form, structured article about ``topic``."""
    model = get_active_model("content")
    messages = [
        {"role": "system", "content": CONTENT_SYSTEM_PROMPT},
        {"role": "user", "content": topic},
    ]
    return model.get_backend().chat(model.model_id, messages)


def generate_image(prompt: str):
    """An image drawn from ``prompt``."""
    model = get_active_model("image")
    return model.get_backend().generate_image(model.model_id, prompt)


def synthesize_speech(text: str):
    """``text`` read aloud."""
    model = get_active_model("audio")
    return model.get_backend().synthesize_speech(model.model_id, text)


def moderate(text: str):
    """Whether ``text`` breaks a content policy, as the moderation model says (a ``Moderation``:
    ``flagged``, ``categories``). A moderation endpoint or a guard model, such as Llama Guard."""
    model = get_active_model("moderation")
    return model.get_backend().moderate(model.model_id, text)
