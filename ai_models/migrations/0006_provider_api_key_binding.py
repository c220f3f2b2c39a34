"""A stored API key is bound to the provider and base URL it was entered for (``crypto.bind``).

Keys stored before are bound to the base URL they are stored with now. The binding is written
here with frozen code, not the app's, so later changes to ``crypto`` leave this migration as it
ran. A key that cannot be decrypted with ``AI_MODELS["ENCRYPTION_KEYS"]`` stays unbound: it is
withheld until entered again in the admin, as it could not be sent anyway.
"""

import hashlib

from django.conf import settings
from django.db import migrations, models


def bind_stored_keys(apps, schema_editor):
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    keys = (getattr(settings, "AI_MODELS", None) or {}).get("ENCRYPTION_KEYS") or []
    try:
        fernet = MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):  # no keys, or not Fernet keys: nothing can be decrypted
        return
    Provider = apps.get_model("ai_models", "Provider")
    for row in Provider.objects.exclude(api_key_encrypted="").filter(api_key_binding=""):
        try:
            key = fernet.decrypt(row.api_key_encrypted.encode()).decode()
        except InvalidToken:
            continue
        digest = hashlib.sha256(f"{row.slug}\0{row.base_url.rstrip('/')}\0{key}".encode()).hexdigest()
        row.api_key_binding = fernet.encrypt(digest.encode()).decode()
        row.save(update_fields=["api_key_binding"])


class Migration(migrations.Migration):

    dependencies = [
        ("ai_models", "0005_capability_lock"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="api_key_binding",
            field=models.TextField(blank=True, editable=False, verbose_name="API key binding (encrypted)"),
        ),
        migrations.RunPython(bind_stored_keys, migrations.RunPython.noop, elidable=False),
    ]
