"""``ai_models rotate_keys``: re-encrypt the stored API keys under the first encryption key."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import crypto
from ..exceptions import EncryptionError
from ..models import Provider
from .output import fail


def add_parser(sub):
    sub.add_parser(
        "rotate_keys",
        help=_("Re-encrypt stored API keys under the first key of AI_MODELS['ENCRYPTION_KEYS']."),
    )


def run(out, **options):
    with transaction.atomic():
        count = 0
        for row in Provider.objects.select_for_update().exclude(api_key_encrypted="").order_by("pk"):
            try:
                row.api_key_encrypted = crypto.rotate(row.api_key_encrypted)
                if row.api_key_binding:
                    row.api_key_binding = crypto.rotate(row.api_key_binding)
            except EncryptionError as err:
                # Raising inside atomic() rolls back the keys already rotated.
                raise fail(
                    _("Cannot rotate the stored API key of provider %(provider)s: %(error)s Nothing was changed.")
                    % {"provider": row.slug, "error": err}
                ) from None
            row.save(update_fields=["api_key_encrypted", "api_key_binding", "updated_at"])
            count += 1
    if not count:  # no key to rotate, with or without ENCRYPTION_KEYS: say so, not "re-encrypted 0"
        out.line(_("No API key is stored in the database: nothing to re-encrypt."))
        return
    out.line(
        _("Re-encrypted %(count)s stored API keys under the first key of AI_MODELS['ENCRYPTION_KEYS'].")
        % {"count": count}
    )
