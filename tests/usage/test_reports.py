"""The usage page, its CSV, the API's ``usage/`` and ``ai_models usage --json`` give the same
numbers; ranges are checked alike; old aggregates are pruned; the board's month summary."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from ai_models.models import Usage
from ai_models.usage import clock, month_summary, record_call, report

from .conftest import saved

pytestmark = pytest.mark.django_db
MARCH_31 = 1774998000.0  # 2026-03-31 23:00 UTC


@pytest.fixture
def calls(frozen_clock):
    """Three days of chat: 2 calls on 03-29, 3 (one failing) on 03-31; one image call."""
    chat = saved()
    image = saved("img-1", capability="image", input_price=None, output_price=None)
    for when, outcome, latency in [
        (MARCH_31 - 2 * 86400, "ok", 0.2), (MARCH_31 - 2 * 86400, "ok", 0.4),
        (MARCH_31, "ok", 0.1), (MARCH_31, "ok", 1.2), (MARCH_31, "server_error", 0.05),
    ]:
        clock.set(when)
        record_call(chat, outcome=outcome, latency=latency, tokens_in=1000 if outcome == "ok" else None,
                    tokens_out=500 if outcome == "ok" else None)
    record_call(image, latency=3.0, units=1)
    clock.set(MARCH_31)
    report.collect()
    return chat, image


def cli(*args) -> str:
    out = io.StringIO()
    call_command("ai_models", "usage", *args, stdout=out)
    return out.getvalue()


def test_the_report_counts_per_day_and_model(calls):
    data = report.as_data(date(2026, 3, 29), date(2026, 3, 31))

    chat = data["capabilities"]["chat"]
    assert chat["total"] == {
        "calls": 5, "errors": 1, "error_rate": 0.2, "p50_ms": 200, "p95_ms": 1500, "tokens_in": 4000,
        "tokens_out": 2000, "units": 0, "cost": "0.024", "calls_of_unknown_cost": 0,
    }
    assert [(day["day"], day["calls"]) for day in chat["days"]] == [
        ("2026-03-29", 2), ("2026-03-30", 0), ("2026-03-31", 3),
    ]
    image = data["capabilities"]["image"]["total"]
    assert (image["calls"], image["units"], image["cost"], image["calls_of_unknown_cost"]) == (1, 1, "0", 1)


def test_the_api_and_the_command_line_give_the_same_numbers(calls, client):
    pytest.importorskip("rest_framework")
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))

    api = client.get("/api/ai-models/usage/", {"start": "2026-03-29", "end": "2026-03-31"})
    command = json.loads(cli("--json", "--start", "2026-03-29", "--end", "2026-03-31"))

    assert api.status_code == 200
    body = api.json()
    body.pop("budgets")
    assert body == command
    assert command["capabilities"]["chat"]["total"]["calls"] == 5


def test_the_api_refuses_a_backwards_range_and_users_without_the_permission(calls, client):
    pytest.importorskip("rest_framework")
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get("/api/ai-models/usage/").status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_usage"))
    refused = client.get("/api/ai-models/usage/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert refused.status_code == 400
    assert "after its end" in refused.content.decode()


def test_the_command_line_table(calls):
    table = cli("--start", "2026-03-29", "--end", "2026-03-31", "--capability", "chat")

    assert "openai    gpt-test  5      1" in table
    assert table.rstrip().endswith("$0.024")
    assert "$0.00 (+1 of unknown cost)" in cli("--start", "2026-03-29", "--end", "2026-03-31", "--capability", "image")


def test_the_usage_page_has_a_chart_a_table_and_a_csv(calls, admin_client):
    url = reverse("admin:ai_models_usage_changelist")
    page = admin_client.get(url, {"start": "2026-03-29", "end": "2026-03-31"}).content.decode()

    assert page.count('<svg class="aim-chart"') == 2  # chat and image
    assert "5 calls, 1 errors, $0.024" in page
    assert "<code>openai:gpt-test</code>" in page

    exported = admin_client.get(reverse("admin:ai_models_usage_export"), {"start": "2026-03-29", "end": "2026-03-31"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(row["day"], row["model_id"], row["calls"], row["cost"]) for row in rows if row["capability"] == "chat"] == [
        ("2026-03-29", "gpt-test", "2", "0.012"), ("2026-03-31", "gpt-test", "3", "0.012"),
    ]


def test_the_usage_page_says_what_is_wrong_with_a_range(admin_client):
    page = admin_client.get(reverse("admin:ai_models_usage_changelist"), {"start": "2024-01-01", "end": "2026-01-01"})

    assert "Choose a range of at most 366 days." in page.content.decode()


def test_staff_without_the_permission_cannot_see_usage(client, calls):
    client.force_login(User.objects.create_user("staff", password="pw", is_staff=True))

    assert client.get(reverse("admin:ai_models_usage_changelist")).status_code == 403


def test_two_models_are_compared_around_a_switch(frozen_clock, admin_client):
    before = saved("old-model", active=False)
    after = saved("new-model", input_price="1", output_price="1", active=False)
    switch = datetime(2026, 3, 20, tzinfo=UTC)
    type(after).objects.filter(pk=after.pk).update(is_active=True, activated_at=switch)
    for model, when, latency in [(before, switch.timestamp() - 86400, 2.0), (after, switch.timestamp() + 86400, 0.3)]:
        clock.set(when)
        record_call(model, latency=latency, tokens_in=1000, tokens_out=1000)
    clock.set(MARCH_31)
    report.collect()

    halves = report.around_switch("chat", report.latest_switch("chat"))
    assert (halves["before"]["model_id"], halves["before"]["line"].p50) == ("old-model", 2000)
    assert (halves["after"]["model_id"], halves["after"]["line"].p50) == ("new-model", 300)
    page = admin_client.get(reverse("admin:ai_models_usage_changelist"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert "the week before and after the switch" in page.content.decode()


def test_the_month_summary_for_the_board(calls):
    summary = month_summary()

    assert summary["chat"]["calls"] == 5 and summary["chat"]["cost"] == "0.024"
    assert summary["chat"]["error_rate"] == 0.2
    assert summary["image"]["calls"] == 1


def test_the_board_shows_this_months_spend_to_those_who_may_view_usage(calls, admin_client, client):
    html = admin_client.get("/admin/ai_models/").content.decode()

    assert "This month" in html
    assert "<bdi>$0.024</bdi>" in html and "5 calls, 20.0% errors" in html
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_aimodel"))
    client.force_login(viewer)
    html = client.get("/admin/ai_models/").content.decode()
    assert "gpt-test" in html and "This month" not in html and "$0.024" not in html


def test_prune_deletes_what_is_older_than_the_retention(calls, settings):
    clock.set(datetime(2027, 5, 15, tzinfo=UTC).timestamp())  # March 2026 is 14 months before May 2027
    settings.AI_MODELS = {**settings.AI_MODELS, "USAGE_RETENTION_MONTHS": 14}
    assert cli("prune", "--dry-run").startswith("0 ")

    settings.AI_MODELS = {**settings.AI_MODELS, "USAGE_RETENTION_MONTHS": 13}
    assert cli("prune", "--dry-run").startswith(f"{Usage.objects.count()} ")
    cli("prune")
    assert Usage.objects.count() == 0


def test_a_spreadsheet_never_runs_a_model_id_as_a_formula(frozen_clock, admin_client):
    model = saved("=HYPERLINK(1)")
    record_call(model, latency=0.1)
    report.collect()

    exported = admin_client.get(reverse("admin:ai_models_usage_export")).content.decode()

    assert "'=HYPERLINK(1)" in exported
    assert Decimal(0) == sum(row.cost for row in Usage.objects.all())


@pytest.mark.parametrize(("args", "said"), [
    (("--capability", "nope"), "Unknown capability 'nope'"),
    (("--start", "2026-03-31", "--end", "2026-03-01"), "The start of the range is after its end."),
])
def test_the_command_line_refuses_what_does_not_exist(args, said):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as refused:
        cli(*args)
    assert refused.value.returncode == 2 and said in str(refused.value)
