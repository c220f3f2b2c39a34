"""Stored API keys: encrypted at rest, rotated with ``rotate_keys``, and never ciphertext used as a key.

Keys are typed into the admin, as staff would, and checked by what a real OpenAI backend sends
to the local server: after a rotation, the key that arrives is still the one typed.
"""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from ai_models import get_active_model, activation
from ai_models.exceptions import EncryptionError, ProviderAuthError
from ai_models.models import Provider
from ai_models.providers import build_provider
from tests.factories import catalog_model

from .conftest import API_KEY, local_settings
from .pages import CATALOG_URL, PROVIDERS_URL, listed

A, B, C = (Fernet.generate_key().decode() for _ in range(3))
DECRYPT_ERROR = "cannot be decrypted with AI_MODELS[&#x27;ENCRYPTION_KEYS&#x27;]"


@pytest.fixture
def use_keys(settings, server, sleeps):
    """``use_keys(*fernet_keys)``: OpenAI at the local server, key from the database, these encryption keys."""

    def configure(*keys):
        settings.AI_MODELS = {**local_settings(server), "ENCRYPTION_KEYS": list(keys)}

    return configure


@pytest.fixture
def stored(use_keys, admin_client):
    """The canary key typed into the admin under encryption key A; the Provider row."""
    use_keys(A)
    data = {"slug": "openai", "name": "", "base_url": "", "api_key": API_KEY, "is_active": "on"}
    assert admin_client.post(PROVIDERS_URL + "add/", data).status_code == 302
    return Provider.objects.get(slug="openai")


def sent_keys(server):
    return [headers.get("Authorization") for path, headers, _fault in server.requests if path.startswith("/openai/")]


def test_rotation_re_encrypts_and_the_same_key_is_sent_after_the_old_one_is_dropped(use_keys, stored, server):
    token = stored.api_key_encrypted
    assert API_KEY not in token
    use_keys(B, A)
    out = StringIO()
    call_command("ai_models", "rotate_keys", stdout=out)
    assert "Re-encrypted 1 stored API keys" in out.getvalue()
    use_keys(B)  # A dropped

    row = Provider.objects.get(pk=stored.pk)
    assert row.api_key_encrypted != token and API_KEY not in row.api_key_encrypted
    assert [model.model_id for model in build_provider("openai", row).fetch_catalog()][:1] == ["gpt-4.1-mini"]
    assert sent_keys(server) == [f"Bearer {API_KEY}"]
    use_keys(A)  # the old key alone no longer opens it
    with pytest.raises(EncryptionError):
        row.api_key  # noqa: B018


@pytest.mark.parametrize(
    "keys, says",
    [
        ([C], "cannot be decrypted with AI_MODELS['ENCRYPTION_KEYS']"),
        ([], "AI_MODELS['ENCRYPTION_KEYS'] is empty"),
        (["not-a-fernet-key"], "holds a value that is not a Fernet key"),
    ],
    ids=["wrong key", "no key", "malformed key"],
)
def test_a_key_that_cannot_be_decrypted_is_a_clear_error_never_ciphertext(use_keys, stored, server, keys, says):
    use_keys(*keys)
    row = Provider.objects.get(pk=stored.pk)

    with pytest.raises(EncryptionError) as direct:
        row.api_key  # noqa: B018
    backend = build_provider("openai", row)
    with pytest.raises(ProviderAuthError) as fetching:
        backend.fetch_catalog()

    assert backend.api_key == ""  # the ciphertext is never taken for the key
    for err in (direct.value, fetching.value):
        message = str(err)
        assert says in message
        assert stored.api_key_encrypted not in message and API_KEY not in message
        assert all(stored.api_key_encrypted not in str(linked) for linked in (err.__cause__, err.__context__))
    assert sent_keys(server) == []  # refused before any request: nothing was sent as a key


def test_browse_catalog_says_so_and_no_page_shows_the_ciphertext(use_keys, stored, admin_client, server):
    activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "chat")
    use_keys(C)

    pages = [
        admin_client.get(CATALOG_URL),
        admin_client.get(PROVIDERS_URL),
        admin_client.get(f"{PROVIDERS_URL}{stored.pk}/change/"),
    ]

    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert stored.api_key_encrypted not in html and API_KEY not in html
        assert DECRYPT_ERROR in html  # the provider's failed fetch, with the reason
    assert sent_keys(server) == []
    assert get_active_model("chat").model_id == "gpt-4.1-mini"  # serving does not need the key


def test_the_provider_page_says_the_stored_key_cannot_be_decrypted_before_any_fetch(use_keys, stored, admin_client):
    use_keys(C)

    html = admin_client.get(f"{PROVIDERS_URL}{stored.pk}/change/").content.decode()

    assert DECRYPT_ERROR in html


def test_one_undecryptable_key_fails_its_provider_alone(use_keys, stored, admin_client):
    use_keys(C)

    response = admin_client.get(CATALOG_URL)

    pks = listed(response)
    assert "snapshot:openai/gpt-4.1-mini" in pks and "openrouter:acme/chat-large" in pks
    assert not any(pk.startswith("openai:") for pk in pks)
