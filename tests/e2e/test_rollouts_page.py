"""The Rollouts page in a real browser, under the suite's theme (plain admin; Unfold with
AI_MODELS_TEST_THEME=unfold): Promote and Abort are one click each and leave history.
Screenshot: test-artifacts/rollouts-<theme>.png."""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect

from ai_models import activation
from ai_models.activation import history, rollouts
from ai_models.models import AIModel, Rollout
from tests.e2e import admin_login
from tests.factories import catalog_model

THEME = "unfold" if apps.is_installed("unfold") else "plain"


def test_promote_and_abort_are_one_click_each(page, live_server, admin_user, artifacts_dir):
    active = activation.activate(catalog_model("active"), "chat").model
    candidate = activation.save(catalog_model("candidate"), "chat").model
    other = activation.save(catalog_model("other"), "chat").model
    rollouts.start("chat", candidate, admin_user, percent=10)
    admin_login(page, live_server, "admin", "password")
    url = f"{live_server.url}/admin/ai_models/rollout/"

    page.goto(url)
    section = page.locator(".aim-rollout[data-capability=chat]")
    expect(section).to_contain_text("10% of users")
    expect(section.locator(".aim-rollout-candidate")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"rollouts-{THEME}.png", full_page=True)
    section.get_by_role("button", name="Promote").click()
    expect(page.locator(".aim-rollouts")).to_contain_text("No rollout is running.")
    assert AIModel.objects.get(pk=candidate.pk).is_active and not AIModel.objects.get(pk=active.pk).is_active

    rollouts.start("chat", other, admin_user, percent=50)
    page.goto(url)
    page.locator(".aim-rollout[data-capability=chat]").get_by_role("button", name="Abort").click()
    expect(page.locator(".aim-rollouts")).to_contain_text("No rollout is running.")
    assert not Rollout.objects.exists() and AIModel.objects.get(pk=candidate.pk).is_active

    def events(row):
        return [history.facts_of(entry.change_message)["event"]
                for entry in LogEntry.objects.filter(object_id=str(row.pk)).order_by("pk")]

    assert events(candidate) == ["rollout started", "promoted"]
    assert events(other) == ["rollout started", "rollout aborted"]
