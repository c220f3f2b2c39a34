"""`ai_models watch` for cron, and drift in `ai_models active`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ai_models import catalog, activation
from ai_models.models import AIModel, Provider

from ..drift.fakes import CHAT, PAINTER, acme_enabled


class Result:
    def __init__(self, code, stdout, stderr):
        self.code, self.stdout, self.stderr = code, stdout, stderr


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ai_models", *args, stdout=out, stderr=err)
    except CommandError as caught:
        return Result(caught.returncode, out.getvalue(), err.getvalue() + f"CommandError: {caught}")
    return Result(0, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def acme_provider(db):
    with acme_enabled() as provider:
        yield provider


def activate(model_id=CHAT, capability="chat"):
    return activation.activate(catalog.get_entry("acme", model_id), capability).model


def forget_catalogs():
    """A new process with a cold cache, as cron starts one."""
    from django.core.cache import caches

    caches["default"].clear()
    catalog.clear_memo()


def test_nothing_active_nothing_to_report():
    result = run("watch")

    assert result.code == 0 and result.stdout.splitlines()[0].split() == ["capability", "provider", "model", "id",
                                                                          "drift"]


def test_clean_models_exit_zero_after_fetching_a_cold_catalog(acme_provider):
    activate()
    forget_catalogs()
    acme_provider.fetches = 0

    result = run("watch")

    assert result.code == 0, result.stderr
    assert acme_provider.fetches == 1  # cron may fetch
    assert result.stdout.splitlines()[2].split() == ["chat", "acme", CHAT, "ok"]


def test_flags_exit_one_with_each_flag_on_stderr(acme_provider):
    activate()
    activate(PAINTER, "image")
    acme_provider.models[CHAT]["input_price"] = "1.50"
    del acme_provider.models[PAINTER]
    forget_catalogs()

    result = run("watch")

    assert result.code == 1
    rows = [line.split() for line in result.stdout.splitlines()[2:]]
    assert rows == [["chat", "acme", CHAT, "price"], ["image", "acme", PAINTER, "disappeared"]]
    assert f"chat: acme:{CHAT} input price up from $1.00 to $1.50 per 1M tokens" in result.stderr
    assert f"image: acme:{PAINTER} no longer in the acme catalog" in result.stderr
    assert "CommandError: 2 active models are flagged." in result.stderr


def test_json_lists_models_flags_and_provider_status(acme_provider):
    activate()
    acme_provider.models[CHAT]["capabilities"] = ("image",)

    result = run("watch", "--refresh", "--json")

    assert result.code == 1
    data = json.loads(result.stdout)
    assert data["models"] == [
        {
            "capability": "chat",
            "provider": "acme",
            "model_id": CHAT,
            "state": "flagged",
            "successor": "",
            "flags": [{"kind": "capability_lost", "message": "no longer classified for Chat, Content", "successor": ""}],
        }
    ]
    assert [status["provider"] for status in data["providers"]] == ["acme"]


def test_a_provider_that_cannot_be_read_exits_three_not_disappeared(acme_provider):
    activate()
    forget_catalogs()
    acme_provider.fail = True

    result = run("watch")

    assert result.code == 3
    assert result.stdout.splitlines()[2].split() == ["chat", "acme", CHAT, "not", "checked"]
    assert "acme: failed: the test switched it off" in result.stderr
    assert f"Could not check acme:{CHAT}" in result.stderr


def test_a_disabled_provider_is_reported_as_unchecked():
    activate()
    Provider.objects.filter(slug="acme").update(is_active=False)  # switched off in the admin
    forget_catalogs()

    result = run("watch")

    assert result.code == 3 and "acme: not enabled, so its active models cannot be checked." in result.stderr


def test_active_shows_drift_from_the_cache_without_fetching(acme_provider):
    activate()
    acme_provider.models[CHAT]["output_price"] = "5"
    catalog.refresh(["acme"])
    acme_provider.fetches = 0

    table = run("active")
    data = json.loads(run("active", "--json").stdout)

    assert table.code == 0 and acme_provider.fetches == 0
    chat = table.stdout.splitlines()[2].split()
    assert chat[:3] == ["chat", "acme", CHAT] and "price" in chat
    assert f"chat: acme:{CHAT} output price up from $4.00 to $5.00 per 1M tokens" in table.stderr
    assert data["chat"]["drift"] == {
        "state": "flagged",
        "successor": "",
        "flags": [{"kind": "price", "message": "output price up from $4.00 to $5.00 per 1M tokens", "successor": ""}],
    }
    assert data["chat"]["trial"] is None and data["content"] is None


def test_active_says_not_checked_when_the_catalog_is_cold():
    activate()
    forget_catalogs()

    data = json.loads(run("active", "--json").stdout)

    assert data["chat"]["drift"] == {"state": "unknown", "successor": "", "flags": []}


def test_activate_test_calls_first_and_stores_the_result(acme_provider):
    result = run("activate", "acme", CHAT, "--capability", "chat", "--test")

    assert result.code == 0 and "Test call: reply “OK” in" in result.stderr
    assert AIModel.objects.get(is_active=True).trial_result == "reply “OK”"
    assert json.loads(run("active", "--json").stdout)["chat"]["trial"]["result"] == "reply “OK”"


def test_activate_test_failure_changes_nothing(acme_provider):
    acme_provider.call = "error"

    result = run("activate", "acme", CHAT, "--capability", "chat", "--test")

    assert result.code == 1
    assert "The test call failed: acme: server error after 3 attempts (HTTP 503). Nothing was changed." in result.stderr
    assert not AIModel.objects.exists()


def test_a_named_successor_is_in_the_text_and_the_json(acme_provider):
    from datetime import timedelta

    from django.utils import timezone

    activate()
    expires = timezone.localdate() + timedelta(days=5)
    acme_provider.models[CHAT].update(expires=expires, successor="acme/chat-2")

    text = run("watch", "--refresh")
    data = json.loads(run("watch", "--json").stdout)

    assert text.code == 1
    assert f"chat: acme:{CHAT} expires on {expires.isoformat()}, in 5 days; replacement: acme/chat-2" in text.stderr
    [model] = data["models"]
    assert model["successor"] == "acme/chat-2"
    assert model["flags"] == [{"kind": "expiring", "successor": "acme/chat-2",
                               "message": f"expires on {expires.isoformat()}, in 5 days; replacement: acme/chat-2"}]
