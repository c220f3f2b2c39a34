"""Browser-test harness: Playwright driving Debian's Chromium against pytest-django's ``live_server``.

Every test under tests/e2e is marked ``e2e``. Without Chromium (or Playwright) they are skipped,
unless CI=true, where they fail: CI installs Chromium and must run them.
"""

import os
import shutil
from pathlib import Path

import pytest

# Loopback only, and an address Chromium cannot resolve differently (localhost may mean ::1).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

HERE = Path(__file__).parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("AI_MODELS_CHROMIUM", "/usr/bin/chromium")
# Headless as root, and quiet: this machine has no network, so Chromium's background
# connections (updates, sync, QUIC probes) would only fail and slow it down.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000


def in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable():
    """Why the browser tests cannot run here, or "" when they can."""
    if not shutil.which(CHROMIUM):  # an executable file at that path (or that name on PATH)
        return f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright (pip install playwright; `make test` installs it)"
    return ""


@pytest.hookimpl(tryfirst=True)  # before `-m "not e2e"` deselects by marker
def pytest_collection_modifyitems(config, items):
    reason = "" if in_ci() else unavailable()
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests.

    Package scope, not session: while Playwright's sync API runs, its event loop counts as running
    in the test thread, which would break later tests that call ``asyncio.run``. For the same
    reason Django would refuse ORM calls (SynchronousOnlyOperation) from the tests and fixtures
    meanwhile, so DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that time.
    """
    if reason := unavailable():
        pytest.fail(f"{reason}; required because CI=true", pytrace=False)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir():
    """<repo>/test-artifacts/ (git-ignored): screenshots worth keeping after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and HERE in item.path.parents:
        item.e2e_failed = report.failed  # read by the `page` fixture's teardown
    return report


@pytest.fixture
def page(browser, request, artifacts_dir):
    """A fresh page in its own browser context (no cookies shared between tests).

    When the test fails, a screenshot of the page is left in test-artifacts/.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    if getattr(request.node, "e2e_failed", False):
        page.screenshot(path=artifacts_dir / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()
