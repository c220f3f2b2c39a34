"""`make demo THEME=plain` (DEMO_THEME=plain) and the default Unfold demo, in a real browser.

Each runs the example project's own settings in a server process of its own, on a fresh SQLite
file, as `make demo` does, and is walked in English and Persian. Screenshots:
test-artifacts/demo-<theme>-<lang>.png.
"""

import os
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.example.test_project import MANAGE, demo_env

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["plain", "unfold"])
def demo(request, tmp_path):
    theme = request.param
    if theme == "unfold" and not find_spec("unfold"):
        pytest.skip("django-unfold is not installed")
    env = demo_env(DEMO_THEME=theme, DEMO_SQLITE_PATH=str(tmp_path / "demo.sqlite3"),
                   PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "example_project")]))
    run = lambda *args: subprocess.run([sys.executable, str(MANAGE), *args], env=env, cwd=ROOT,  # noqa: E731
                                       capture_output=True, text=True, timeout=120, check=True)
    run("migrate", "--noinput")
    run("demo_user")
    port = free_port()
    server = subprocess.Popen([sys.executable, str(MANAGE), "runserver", "--noreload", f"127.0.0.1:{port}"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield theme, url
    server.terminate()
    server.wait(10)


def test_the_demo_runs_either_theme_in_english_and_persian(page, demo, artifacts_dir):
    theme, url = demo
    page.goto(f"{url}/admin/login/")  # no ?next=: Unfold's form then went to a 404 at /accounts/profile/
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("[type=submit]")
    page.wait_for_url(f"{url}/admin/ai_models/" if theme == "unfold" else f"{url}/admin/")
    if theme == "unfold":
        expect(page.locator(".aim-board")).to_be_visible()  # the capability board
    unfold_styles = page.locator('link[href*="unfold/css/styles.css"]')
    expect(unfold_styles).to_have_count(1 if theme == "unfold" else 0)
    page.goto(f"{url}/admin/ai_models/catalogentry/")
    expect(page.locator("#result_list")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"demo-{theme}-en.png")

    if theme == "plain":  # the demo's language menu (ai_models/language_switch.html)
        page.locator("select[name=language]").select_option("fa")
        page.wait_for_load_state()
    else:  # Unfold's own menu posts to the same set_language view; the cookie is what it sets
        page.context.add_cookies([{"name": "django_language", "value": "fa", "url": url}])
        page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".aim-panel")).to_contain_text("ارائه‌دهندگان")
    page.screenshot(path=artifacts_dir / f"demo-{theme}-fa.png")
