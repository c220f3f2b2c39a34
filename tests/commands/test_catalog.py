import json
from decimal import Decimal

import pytest

from ai_models import activation
from ai_models.cli.output import clean, table
from ai_models.prices import number as format_price
from ai_models.providers import test as test_provider
from tests.commands.fakes import listed
from tests.factories import catalog_model


def test_table_lists_the_snapshot_catalog_with_prices_and_status_on_stderr(run):
    result = run("catalog")

    assert result.code == 0
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "name", "provider", "capabilities", "context", "in", "$/1M", "out", "$/1M", "state"]
    line = next(row for row in rows if row.startswith("snapshot:openai/gpt-4.1-mini "))
    assert "chat,content" in line and "1,047,576" in line and "0.40" in line and "1.60" in line
    # Status and counts go to stderr so stdout stays a clean table.
    assert "snapshot: fresh" in result.stderr
    assert f"{len(rows)} models listed." in result.stderr


def test_filters_by_capability_search_and_provider(run, providers):
    providers(["snapshot", "fake"])

    images = run("catalog", "--capability", "image", "--json")
    entries = json.loads(images.stdout)["entries"]
    assert entries and all("image" in entry["capabilities"] for entry in entries)
    assert {"snapshot:openai/gpt-image-1", "fake:fake-painter"} <= {f"{e['provider']}:{e['model_id']}" for e in entries}

    found = json.loads(run("catalog", "--search", "painter", "--json").stdout)["entries"]
    assert [entry["model_id"] for entry in found] == ["fake-painter"]

    only_fake = json.loads(run("catalog", "--provider", "fake", "--json").stdout)
    assert {entry["provider"] for entry in only_fake["entries"]} == {"fake"}
    assert [status["provider"] for status in only_fake["providers"]] == ["fake"]


def test_sorts_by_the_chosen_key(run):
    entries = json.loads(run("catalog", "--sort", "input_price", "--desc", "--json").stdout)["entries"]
    prices = [float(entry["input_price"]) for entry in entries if entry["input_price"] is not None]
    assert prices == sorted(prices, reverse=True) and len(prices) > 1


def test_json_has_entries_without_raw_their_state_and_provider_status(run):
    activation.activate(catalog_model("openai/gpt-4.1-mini"), "chat")
    activation.save(catalog_model("openai/gpt-4.1-mini"), "content")

    data = json.loads(run("catalog", "--json").stdout)

    entry = next(entry for entry in data["entries"] if entry["model_id"] == "openai/gpt-4.1-mini")
    assert "raw" not in entry
    assert entry["state"] == {"active_for": ["chat"], "saved_for": ["chat", "content"]}
    assert Decimal(entry["input_price"]) == Decimal("0.40") and entry["context_window"] == 1047576
    other = next(entry for entry in data["entries"] if entry["model_id"] == "openai/gpt-image-1")
    assert other["state"] == {"active_for": [], "saved_for": []}
    (status,) = data["providers"]
    assert status["provider"] == "snapshot" and status["state"] == "fresh" and status["count"] == len(data["entries"])


def test_table_shows_the_saved_and_active_state(run):
    activation.activate(catalog_model("openai/gpt-4.1-mini"), "chat")
    activation.save(catalog_model("openai/gpt-4.1-mini"), "content")

    line = next(row for row in run("catalog").stdout.splitlines() if row.startswith("snapshot:openai/gpt-4.1-mini "))
    assert line.endswith("active: chat; saved: content")


def test_one_failing_provider_is_reported_and_the_others_still_listed(run, providers):
    providers(["fake", "broken"])

    result = run("catalog")
    assert result.code == 0
    assert "fake:fake-chat" in result.stdout
    assert "broken: failed: connection refused" in result.stderr

    data = json.loads(run("catalog", "--json").stdout)
    states = {status["provider"]: status for status in data["providers"]}
    assert states["broken"]["state"] == "failed" and "connection refused" in states["broken"]["error"]
    assert states["fake"]["state"] == "fresh"


def test_every_provider_failing_exits_1_but_still_prints_the_json(run, providers):
    providers(["broken"])

    result = run("catalog", "--json")
    assert result.code == 1
    assert result.error == "Every provider failed; no catalog to list."
    assert json.loads(result.stdout)["providers"][0]["state"] == "failed"


def test_refresh_bypasses_the_cache(run, providers):
    providers(["fake"])
    run("catalog")
    run("catalog")
    assert test_provider.fetches["fake"] == 1
    run("catalog", "--refresh")
    assert test_provider.fetches["fake"] == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--capability", "video"], "Unknown capability 'video'. Valid capabilities: chat, content, image, audio."),
        (["--provider", "nope"], "Unknown provider 'nope'."),
        (["--provider", "fake"], "Provider 'fake' is not enabled. Enabled providers: snapshot"),
    ],
)
def test_unknown_capability_or_provider_exits_2_with_one_line(run, providers, args, message):
    providers(["snapshot"])
    result = run("catalog", *args)
    assert result.code == 2
    assert result.error.startswith(message) and "\n" not in result.error
    assert result.stdout == ""


def test_bad_arguments_are_a_command_error(run):
    result = run("catalog", "--sort", "colour")
    assert result.code != 0 and "invalid choice" in result.error


def test_provider_text_cannot_drive_the_terminal(run, providers, monkeypatch):
    test_provider.script("fake", models=listed({"evil\x1b[2J-model": ("chat",)}))
    providers(["fake"])
    result = run("catalog")
    assert "\x1b" not in result.stdout and "evil [2J-model" in result.stdout


def test_formatting_helpers():
    from decimal import Decimal

    assert [format_price(v) for v in (None, Decimal("0"), Decimal("0.075"), Decimal("40.000000"))] == [
        "—", "0.00", "0.075", "40.00"]
    assert clean("a\nb\tc" + "x" * 50, 10) == "a b cxxxx…"
    assert table(["a", "bb"], [["xyz", "1"]]).splitlines() == ["a    bb", "---  --", "xyz  1"]


def test_status_lines_say_fresh_stale_with_age_or_failed():
    from datetime import timedelta

    from django.utils import timezone

    from ai_models.catalog import ProviderStatus
    from ai_models.cli.output import status_line

    fetched = timezone.now() - timedelta(hours=3, minutes=5)
    status = ProviderStatus("openai", "OpenAI", "stale", fetched, "openai: timed out", 120, 2, "environment")
    assert status_line(status) == (
        "openai: stale, 120 models from 3\xa0hours ago (refresh failed: timed out) (2 malformed entries skipped)"
    )
    failed = ProviderStatus("groq", "Groq", "failed", None, "groq: the API key was rejected (HTTP 401)", 0, 0, "")
    assert status_line(failed) == "groq: failed: the API key was rejected (HTTP 401)"
