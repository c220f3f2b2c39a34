"""What ``dumpdata ai_models`` exports of a stored key, and the documented way to leave it out
(docs/deployment.md, "Backups and dumpdata")."""

import io
import json

from django.core.management import call_command

from ai_models.models import Provider

from .conftest import API_KEY


def dump(*args) -> list:
    out = io.StringIO()
    call_command("dumpdata", *args, stdout=out)
    return json.loads(out.getvalue())


def test_dumpdata_holds_the_ciphertext_and_last_four_never_the_key(db):
    row = Provider(slug="openai", name="OpenAI")
    row.api_key = API_KEY
    row.save()

    [provider] = [item for item in dump("ai_models") if item["model"] == "ai_models.provider"]

    assert provider["fields"]["api_key_encrypted"] == row.api_key_encrypted != API_KEY
    assert provider["fields"]["api_key_last4"] == API_KEY[-4:]
    assert API_KEY not in json.dumps(provider)


def test_excluding_the_provider_model_leaves_no_key_material(db):
    row = Provider(slug="openai", name="OpenAI")
    row.api_key = API_KEY
    row.save()

    text = json.dumps(dump("ai_models", "--exclude", "ai_models.provider"))

    assert row.api_key_encrypted not in text and "api_key_last4" not in text
