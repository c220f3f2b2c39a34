"""The harness itself: a real browser signs in to the admin served by live_server."""

from playwright.sync_api import expect

from tests.e2e import admin_login


def test_superuser_signs_in_to_admin_index(page, live_server, admin_user, artifacts_dir):
    admin_login(page, live_server, "admin", "password")  # pytest-django's admin_user

    expect(page.locator("#user-tools")).to_contain_text("admin")
    expect(page.get_by_role("link", name="Users")).to_be_visible()
    page.screenshot(path=artifacts_dir / "admin-index.png", full_page=True)
    assert (artifacts_dir / "admin-index.png").stat().st_size > 0


def test_wrong_password_stays_on_login_form(page, live_server, admin_user):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "not-the-password")
    page.click("[type=submit]")

    expect(page.locator(".errornote")).to_be_visible()
    assert "/admin/login/" in page.url
