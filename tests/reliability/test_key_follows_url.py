"""A key is never sent to a base URL set after it.

An editor with only ``change_provider`` points a provider's base URL at a server of their own
(the trap, also on 127.0.0.1 and allowed, so the address rules do not stop it) and runs Test
connection. The trap must not receive the provider's key, whether it is stored in the admin,
set in settings or in the environment.
"""

import pytest
from django.contrib.auth.models import Permission, User

from ai_models.models import Provider

from .conftest import API_KEY, local_settings
from .pages import PROVIDERS_URL, messages_of

EDITOR_PERMS = ("view_provider", "change_provider")


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="ai_models", codename__in=EDITOR_PERMS))
    client.force_login(user)
    return client


@pytest.fixture
def both_allowed(settings, server, sleeps):
    def configure(openai=None):
        ai = local_settings(server, openai=openai if openai is not None else {})
        ai["ALLOWED_HTTP_HOSTS"] = [f"127.0.0.1:{server.port}", f"127.0.0.1:{server.trap.port}"]
        settings.AI_MODELS = ai
        return ai

    return configure


def change(client, row, **fields):
    data = {"name": row.name, "base_url": row.base_url, "api_key": "", "is_active": "on", **fields}
    return client.post(f"{PROVIDERS_URL}{row.pk}/change/", data)


def run_test_connection(client, row):
    data = {"action": "test_connection", "_selected_action": row.pk, "index": "0"}
    messages = messages_of(client.post(PROVIDERS_URL, data, follow=True))
    return [message for message in messages if message.startswith("OpenAI:")]  # not "... was changed"


def stored(server):
    row = Provider(slug="openai", name="OpenAI", base_url=server.url("/openai/v1"))
    row.api_key = API_KEY
    row.save()
    return Provider.objects.get(pk=row.pk)


def keys_received(server):
    return [headers.get("Authorization") for _path, headers, _fault in server.requests]


def test_changing_the_url_asks_for_the_stored_key_again_and_changes_nothing(editor, both_allowed, server):
    both_allowed()
    row = stored(server)
    before = Provider.objects.values().get()

    response = change(editor, row, base_url=server.trap.url("/openai/v1"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["api_key"]
    assert errors == [
        "The base URL changed: enter the API key to send to the new URL, or clear the stored key. "
        "A stored key is never sent to a URL set after it."
    ]
    assert Provider.objects.values().get() == before
    assert run_test_connection(editor, row)[0].startswith("OpenAI: 3 models listed")
    assert keys_received(server) == [f"Bearer {API_KEY}"] and server.trap.requests == []


def test_with_the_stored_key_cleared_the_new_url_gets_no_key(editor, both_allowed, server):
    both_allowed()
    row = stored(server)

    response = change(editor, row, base_url=server.trap.url("/openai/v1"), clear_api_key="on")
    assert response.status_code == 302

    assert run_test_connection(editor, row) == [
        "OpenAI: the connection test failed: no API key configured; set OPENAI_API_KEY or add one in the admin"
    ]
    assert server.trap.requests == [] and server.requests == []


def test_a_key_entered_with_the_new_url_goes_there(editor, both_allowed, server):
    both_allowed()
    row = stored(server)

    assert change(editor, row, base_url=server.trap.url("/openai/v1"), api_key="sk-the-editors-own-key-0000").status_code == 302

    assert run_test_connection(editor, row)[0].startswith("OpenAI: 3 models listed")
    assert keys_received(server.trap) == ["Bearer sk-the-editors-own-key-0000"]


def test_a_url_changed_outside_the_admin_drops_the_stored_key(db, both_allowed, server):
    both_allowed()
    row = stored(server)

    row.base_url = server.trap.url("/openai/v1")
    row.save(update_fields=["base_url"])

    assert not Provider.objects.get(pk=row.pk).has_stored_key
    renamed = Provider.objects.get(pk=row.pk)
    renamed.name = "Renamed"
    renamed.api_key = API_KEY
    renamed.save()
    assert Provider.objects.get(pk=row.pk).api_key == API_KEY  # a key entered with the URL stays


@pytest.mark.parametrize("source", ["environment", "settings"])
def test_a_key_from_outside_the_database_never_follows_a_url_set_in_the_admin(
    editor, both_allowed, server, monkeypatch, source
):
    if source == "environment":
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
        both_allowed(openai={})
        where = "OPENAI_API_KEY"
    else:
        both_allowed(openai={"API_KEY": API_KEY})
        where = "AI_MODELS['PROVIDERS']"
    row = Provider.objects.create(slug="openai", name="OpenAI")

    assert change(editor, row, base_url=server.trap.url("/openai/v1")).status_code == 302
    trap_url = server.trap.url("/openai/v1")

    assert run_test_connection(editor, row) == [
        f"OpenAI: the connection test failed: the key in {where} is sent only to the provider's own URL "
        f"or the BASE_URL in settings, never to the base URL set in the admin ({trap_url}): store a key for that "
        "URL in the admin, or move the URL to settings"
    ]
    assert server.trap.requests == []
    page = editor.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()
    assert "never to the base URL set in the admin" in page  # "key in use" says why


def test_a_settings_key_goes_to_the_url_in_settings_even_when_the_row_repeats_it(editor, both_allowed, server):
    both_allowed(openai={"API_KEY": API_KEY})  # BASE_URL in settings is the server
    row = Provider.objects.create(slug="openai", name="OpenAI", base_url=server.url("/openai/v1/"))

    assert run_test_connection(editor, row)[0].startswith("OpenAI: 3 models listed")
    assert keys_received(server) == [f"Bearer {API_KEY}"]


# The stored key is bound to the base URL it was entered for (issue 24.10): any path that moves the
# URL without save() leaves the binding behind, and the key is withheld where it is read.

WITHHELD = (
    "OpenAI: the connection test failed: the stored API key is not sent: it was entered for another provider or "
    "base URL than openai at {url}, changed outside the admin's form (or the key was stored by an older release); "
    "enter the key again in the admin"
)


def test_a_url_moved_by_queryset_update_gets_no_key(editor, both_allowed, server):
    both_allowed()
    row = stored(server)
    trap_url = server.trap.url("/openai/v1")

    Provider.objects.filter(pk=row.pk).update(base_url=trap_url)  # no save(), no form

    assert run_test_connection(editor, row) == [WITHHELD.format(url=trap_url)]
    assert server.trap.requests == [] and server.requests == []
    page = editor.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()
    assert "it was entered for another provider or base URL" in page  # "key in use" says why
    Provider.objects.filter(pk=row.pk).update(base_url=server.url("/openai/v1"))  # moved back: sent again
    assert run_test_connection(editor, row)[0].startswith("OpenAI: 3 models listed")
    assert keys_received(server) == [f"Bearer {API_KEY}"]


def test_a_url_moved_by_loaddata_gets_no_key(editor, both_allowed, server, tmp_path):
    import json

    from django.core import serializers
    from django.core.management import call_command

    both_allowed()
    row = stored(server)
    [record] = json.loads(serializers.serialize("json", [row]))
    record["fields"]["base_url"] = server.trap.url("/openai/v1")
    fixture = tmp_path / "moved.json"
    fixture.write_text(json.dumps([record]))

    call_command("loaddata", str(fixture), verbosity=0)

    assert Provider.objects.get().api_key_encrypted == row.api_key_encrypted  # loaded as it was written
    assert run_test_connection(editor, row) == [WITHHELD.format(url=server.trap.url("/openai/v1"))]
    assert server.trap.requests == [] and server.requests == []


def test_a_binding_copied_from_another_row_does_not_fit(db, both_allowed, server):
    from ai_models.exceptions import StoredKeyWithheld
    from ai_models.providers import build_provider

    both_allowed()
    victim = stored(server)
    own = Provider(slug="groq", base_url=server.trap.url("/openai/v1"))
    own.api_key = "sk-the-editors-own-key-0000"
    own.save()

    Provider.objects.filter(pk=victim.pk).update(base_url=own.base_url, api_key_binding=own.api_key_binding)

    with pytest.raises(StoredKeyWithheld):
        _ = Provider.objects.get(pk=victim.pk).api_key
    backend = build_provider("openai", Provider.objects.get(pk=victim.pk))
    assert backend.api_key == "" and "entered for another provider or base URL" in backend.key_error


def test_keys_stored_before_bindings_are_bound_by_the_migration(db, both_allowed, server):
    from importlib import import_module

    from django.apps import apps

    from ai_models.exceptions import StoredKeyWithheld

    both_allowed()
    row = stored(server)
    Provider.objects.filter(pk=row.pk).update(api_key_binding="")  # as an older release stored it
    undecryptable = Provider.objects.create(slug="groq", api_key_encrypted="gAAAAAnot-a-token")
    with pytest.raises(StoredKeyWithheld, match="or the key was stored by an older release"):
        _ = Provider.objects.get(pk=row.pk).api_key

    import_module("ai_models.migrations.0006_provider_api_key_binding").bind_stored_keys(apps, None)

    assert Provider.objects.get(pk=row.pk).api_key == API_KEY
    assert Provider.objects.get(pk=undecryptable.pk).api_key_binding == ""


def test_a_key_moved_to_another_provider_with_its_binding_does_not_fit(db, both_allowed, server):
    from ai_models.providers import build_provider

    both_allowed()
    openai = Provider(slug="openai")  # the provider's own URL: bound to "openai" and ""
    openai.api_key = API_KEY
    openai.save()
    groq = Provider.objects.create(slug="groq")

    Provider.objects.filter(pk=groq.pk).update(api_key_encrypted=openai.api_key_encrypted,
                                               api_key_binding=openai.api_key_binding)

    backend = build_provider("groq", Provider.objects.get(pk=groq.pk))
    assert backend.api_key == "" and "entered for another provider or base URL" in backend.key_error
