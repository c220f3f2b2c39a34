"""Browser tests (marked ``e2e``; see conftest.py for the harness). Helpers shared by them live here."""


def admin_login(page, live_server, username, password):
    """Sign in through the admin login form and wait for the admin index.

    Works under the plain admin and under Unfold (same field ids, a submit button or input).
    """
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page
