"""The usage page in a real browser, in English and Persian, under the suite's theme (plain admin;
Unfold with AI_MODELS_TEST_THEME=unfold): its chart drawn, its table filled, the budget banner.
Screenshots: test-artifacts/usage-<lang>-<theme>.png."""

from decimal import Decimal

import pytest
from django.apps import apps
from playwright.sync_api import expect

from ai_models.models import Budget
from ai_models.usage import clock, record_call, report
from tests.e2e import admin_login
from tests.usage.conftest import saved

THEME = "unfold" if apps.is_installed("unfold") else "plain"
MARCH_31 = 1774998000.0  # 2026-03-31 23:00 UTC


@pytest.fixture
def usage(db):
    chat = saved()
    for days_before, calls in ((3, 2), (1, 4), (0, 3)):
        clock.set(MARCH_31 - days_before * 86400)
        for _ in range(calls):
            record_call(chat, latency=0.4, tokens_in=1000, tokens_out=500)
    report.collect()
    Budget.objects.create(capability="chat", monthly_limit=Decimal("0.05"), warn_at=Decimal("0.5"))
    yield chat
    clock.set(None)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_usage_page_draws_its_chart(page, live_server, admin_user, usage, artifacts_dir, lang):
    admin_login(page, live_server, "admin", "password")
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])

    page.goto(f"{live_server.url}/admin/ai_models/usage/?start=2026-03-25&end=2026-03-31")

    chart = page.locator("svg.aim-chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect.aim-chart-calls").count() == 7  # one bar per day, empty days too
    assert chart.bounding_box()["height"] > 100
    expect(page.locator(".aim-usage-table tbody tr")).to_have_count(3)
    expect(page.locator(".aim-budget-banner")).to_contain_text("$0.054")  # 9 calls × $0.006, over $0.05
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")
    expect(page.locator(".aim-usage-chart h2")).to_have_text("Chat" if lang == "en" else "گفت‌وگو")
    expect(page.locator(".aim-usage-table thead")).to_contain_text("Calls" if lang == "en" else "فراخوانی‌ها")
    page.screenshot(path=artifacts_dir / f"usage-{lang}-{THEME}.png", full_page=True)
