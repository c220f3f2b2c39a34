"""Encryption at rest for API keys stored in the database (MultiFernet).

The first key in ``AI_MODELS["ENCRYPTION_KEYS"]`` encrypts; all of them decrypt, so
keys can be rotated: put the new key first, run ``manage.py ai_models rotate_keys``,
then drop the old one.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.views.decorators.debug import sensitive_variables

from .conf import ai_settings
from .exceptions import EncryptionError


def _fernet() -> MultiFernet:
    keys = ai_settings.ENCRYPTION_KEYS
    if not keys:
        raise EncryptionError(
            "AI_MODELS['ENCRYPTION_KEYS'] is empty: set it to a list of Fernet keys "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') "
            "to store API keys in the database, or give keys through the environment instead."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as err:
        raise EncryptionError(
            "AI_MODELS['ENCRYPTION_KEYS'] holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from err


@sensitive_variables()  # every frame below holds the key in some form: hidden from error reports
def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the first configured key."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt ``token`` with any configured key; raise ``EncryptionError`` if none fits."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise EncryptionError(
            "A stored API key cannot be decrypted with AI_MODELS['ENCRYPTION_KEYS']: "
            "the key that encrypted it was removed or changed."
        ) from None


def _url_digest(plaintext: str, provider_id: str, base_url: str) -> str:
    return hashlib.sha256(f"{provider_id}\0{base_url.rstrip('/')}\0{plaintext}".encode()).hexdigest()


@sensitive_variables()
def bind(plaintext: str, provider_id: str, base_url: str) -> str:
    """The binding of a stored key to the provider and base URL it was entered for (an empty URL is
    the provider's own), kept beside its ciphertext.

    A digest of them and the key, encrypted: it cannot be made for another URL without the
    encryption keys, nor copied from another row (whose key differs)."""
    return encrypt(_url_digest(plaintext, provider_id, base_url))


@sensitive_variables()
def is_bound(binding: str, plaintext: str, provider_id: str, base_url: str) -> bool:
    """Whether ``binding`` binds the key ``plaintext`` to that provider and base URL. Raises
    ``EncryptionError``."""
    return bool(binding) and hmac.compare_digest(decrypt(binding), _url_digest(plaintext, provider_id, base_url))


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the first configured key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise EncryptionError(
            "A stored API key cannot be decrypted with AI_MODELS['ENCRYPTION_KEYS'], so it cannot be rotated."
        ) from None
