import pytest
from cryptography.fernet import Fernet

from ai_models import crypto
from ai_models.models import Provider

OLD, NEW, OTHER = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def stored(settings, db):
    """Two providers with keys encrypted under OLD, one without a key."""
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [OLD]}
    rows = []
    for slug, key in (("openai", "sk-openai-key-000000001234"), ("groq", "gsk-groq-key-00000005678")):
        row = Provider(slug=slug)
        row.api_key = key
        row.save()
        rows.append(row)
    Provider.objects.create(slug="deepseek")
    return rows


def test_re_encrypts_every_stored_key_under_the_first_key(run, settings, stored):
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [NEW, OLD]}

    result = run("rotate_keys")

    assert result.code == 0
    assert result.stdout.strip() == "Re-encrypted 2 stored API keys under the first key of AI_MODELS['ENCRYPTION_KEYS']."
    # The old key can now be dropped.
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [NEW]}
    keys = {row.slug: row.api_key for row in Provider.objects.all()}
    assert keys == {"deepseek": "", "groq": "gsk-groq-key-00000005678", "openai": "sk-openai-key-000000001234"}
    assert "sk-openai" not in result.stdout + result.stderr


def test_a_key_that_cannot_be_decrypted_stops_everything(run, settings, stored):
    # groq's key was encrypted under a key the settings no longer hold.
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [OTHER]}
    groq = Provider.objects.get(slug="groq")
    groq.api_key = "gsk-groq-key-00000005678"
    groq.save()
    before = dict(Provider.objects.values_list("slug", "api_key_encrypted"))
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [NEW, OLD]}

    result = run("rotate_keys")

    assert result.code == 1
    assert result.error.startswith("Cannot rotate the stored API key of provider groq: A stored API key cannot be decrypted")
    assert "Nothing was changed." in result.error and "\n" not in result.error
    assert dict(Provider.objects.values_list("slug", "api_key_encrypted")) == before


def test_without_encryption_keys_stored_keys_are_a_clear_error(run, settings, stored):
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": []}
    result = run("rotate_keys")
    assert result.code == 1 and "ENCRYPTION_KEYS" in result.error


@pytest.mark.parametrize("keys", [[], [OLD]], ids=["without ENCRYPTION_KEYS", "with ENCRYPTION_KEYS"])
def test_nothing_stored_is_nothing_to_do(run, settings, keys):
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": keys}
    result = run("rotate_keys")
    assert result.code == 0
    assert result.stdout.strip() == "No API key is stored in the database: nothing to re-encrypt."


def test_rotated_tokens_decrypt_only_with_the_new_key_list(run, settings, stored):
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [NEW, OLD]}
    run("rotate_keys")
    token = Provider.objects.get(slug="openai").api_key_encrypted
    settings.AI_MODELS = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [OLD]}
    with pytest.raises(crypto.EncryptionError):
        crypto.decrypt(token)
