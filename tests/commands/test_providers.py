import json

import httpx
import pytest
import respx

from ai_models.models import Provider

SECRET = "sk-test-very-secret-0123456789abcd"


@pytest.fixture
def openai(providers, monkeypatch):
    """OpenAI enabled with a key from the environment; its /models API is mocked by respx."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setattr("ai_models.providers.http.sleep", lambda seconds: None)
    providers(["snapshot", "openai"])
    with respx.mock(assert_all_mocked=True) as mock:
        yield mock.get("https://api.openai.com/v1/models")


def test_lists_providers_with_the_source_of_their_key_never_the_key(run, providers, monkeypatch, settings):
    monkeypatch.setenv("FAKE_AI_API_KEY", SECRET)
    providers({"snapshot": {}, "fake": {}, "broken": {}, "openai": {}})
    stored = Provider(slug="openai", name="OpenAI")
    stored.api_key = "sk-stored-key-abcdefgh-WXYZ"
    stored.save()
    Provider.objects.create(slug="groq", name="Groq", is_active=False)

    result = run("providers")

    assert result.code == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert list(rows) == ["snapshot", "fake", "broken", "openai", "groq"]
    assert "not needed" in rows["snapshot"]
    assert "environment (FAKE_AI_API_KEY)" in rows["fake"]
    assert "database (set · …WXYZ)" in rows["openai"]
    assert "disabled" in rows["groq"]
    assert "not fetched yet" in rows["fake"]
    assert SECRET not in result.stdout + result.stderr
    assert "sk-stored" not in result.stdout + result.stderr


def test_status_shows_the_last_fetch(run, providers):
    providers(["snapshot", "broken"])
    run("catalog")

    result = run("providers")

    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert "fresh, 3 models" in rows["snapshot"] or "fresh," in rows["snapshot"]
    assert rows["broken"].rstrip().endswith("failed")
    assert "broken: last error: connection refused" in result.stderr


def test_a_missing_required_key_is_called_missing(run, providers, monkeypatch):
    monkeypatch.delenv("FAKE_AI_API_KEY", raising=False)
    providers(["fake"])
    rows = run("providers").stdout.splitlines()[2:]
    assert "missing" in rows[0]


def test_json_report(run, providers, monkeypatch):
    monkeypatch.setenv("FAKE_AI_API_KEY", SECRET)
    providers(["fake"])
    run("catalog")

    (item,) = json.loads(run("providers", "--json").stdout)

    assert item["provider"] == "fake" and item["name"] == "Fake AI" and item["enabled"] is True
    assert item["key_source"] == "environment" and item["key"] == "environment (FAKE_AI_API_KEY)"
    assert item["status"]["state"] == "fresh" and item["status"]["count"] == 2
    assert "test" not in item
    assert SECRET not in json.dumps(item)


def test_connection_test_fetches_each_catalog_live(run, openai):
    openai.respond(200, json={"object": "list", "data": [{"id": "gpt-4o"}, {"id": "dall-e-3"}, {"id": "tts-1"}]})

    result = run("providers", "--test")

    assert result.code == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert "ok: 3 models in" in rows["openai"]
    assert "ok: 3 models in" in rows["snapshot"] or "ok:" in rows["snapshot"]
    assert openai.calls.last.request.headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in result.stdout + result.stderr


def test_a_failed_connection_test_exits_1_and_names_the_provider(run, openai):
    openai.respond(401, json={"error": {"message": "Incorrect API key provided"}})

    result = run("providers", "--test", "--json")

    assert result.code == 1 and result.error == "Connection test failed for: openai."
    report = {item["provider"]: item for item in json.loads(result.stdout)}
    assert report["openai"]["test"]["ok"] is False and "401" in report["openai"]["test"]["error"]
    assert report["snapshot"]["test"]["ok"] is True and report["snapshot"]["test"]["models"] >= 1
    assert SECRET not in result.stdout + result.stderr


def test_a_timeout_is_reported_as_a_failed_test(run, openai):
    openai.mock(side_effect=httpx.ConnectTimeout("timed out"))

    result = run("providers", "--test")

    assert result.code == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("openai "))
    assert "failed: timed out" in row
    assert "openai: connection test failed: timed out: the provider is unreachable" in result.stderr


def test_a_custom_key_variable_is_named(run, providers, monkeypatch):
    monkeypatch.setenv("MY_FAKE_KEY", SECRET)
    providers({"fake": {"API_KEY_ENV": "MY_FAKE_KEY"}})
    result = run("providers")
    assert "environment (MY_FAKE_KEY)" in result.stdout and SECRET not in result.stdout


def test_a_key_in_settings_is_said_to_come_from_settings(run, providers, monkeypatch):
    monkeypatch.delenv("FAKE_AI_API_KEY", raising=False)
    providers({"fake": {"API_KEY": SECRET}})
    result = run("providers", "--json")
    (item,) = json.loads(result.stdout)
    assert item["key"] == "settings" and SECRET not in result.stdout
