"""Names and fit (issue 25) in a real browser, under the suite's theme (Unfold with
AI_MODELS_TEST_THEME=unfold): pages titled as the app calls them, Browse catalog usable on a phone,
ids and dates left to right inside Persian sentences, no English on a Persian page.
Screenshots: test-artifacts/names-<what>-<lang>-<theme>.png.
"""

import datetime

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from ai_models import activation, catalog
from ai_models.models import AIModel
from tests.e2e import admin_login

THEME = "unfold" if apps.is_installed("unfold") else "plain"
CATALOG = "/admin/ai_models/catalogentry/"
PHONE = {"width": 390, "height": 844}
EXPIRING = "google/gemini-2.0-flash-001"  # its provider retires it on 2026-02-05 (the snapshot)


def speak(page, live_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])


def in_viewport(locator) -> bool:
    """Whether the element's box lies inside the window (after the page or its scroller brought it there)."""
    return locator.evaluate("""el => { const r = el.getBoundingClientRect();
        return r.width > 0 && r.left >= -1 && r.right <= innerWidth + 1 && r.top >= -1 && r.bottom <= innerHeight + 1; }""")


def page_overflow(page) -> int:
    """How far the page itself scrolls sideways, in px (a table may scroll inside its own box)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_browse_catalog_is_titled_so(page, live_server, admin_user, lang):
    admin_login(page, live_server, "admin", "password")
    speak(page, live_server, lang)
    page.goto(live_server.url + CATALOG)
    expect(page.locator("h1.aim-page-title")).to_have_text("مرور کاتالوگ" if lang == "fa" else "Browse catalog")
    assert in_viewport(page.locator("h1.aim-page-title"))


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_browse_catalog_is_usable_on_a_phone(page, live_server, admin_user, artifacts_dir, lang):
    admin_login(page, live_server, "admin", "password")
    speak(page, live_server, lang)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{CATALOG}?capability=chat")
    page.screenshot(path=artifacts_dir / f"names-catalog-390-{lang}-{THEME}.png", full_page=True)
    assert page_overflow(page) <= 1

    # Search.
    search = page.locator("#searchbar")
    search.scroll_into_view_if_needed()
    assert in_viewport(search)
    search.fill("gpt-4.1")
    search.press("Enter")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    assert "q=gpt-4.1" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 3
    assert page_overflow(page) <= 1

    # Each row's Choose button and its prices can be brought into view (the table scrolls in its own box).
    for index in range(rows.count()):
        row = rows.nth(index)
        for cell in (row.locator("button[form=aim-choose]"), row.locator("td.field-input_price_per_1m"),
                     row.locator("td.field-output_price_per_1m")):
            cell.scroll_into_view_if_needed()
            assert in_viewport(cell), (index, cell)
    assert page_overflow(page) <= 1

    # Filter: by price.
    if THEME == "unfold":
        page.locator(".filter-open-button").click()  # Unfold keeps the filters in a sheet
    link = page.locator("a[href*='price=paid']").first
    link.scroll_into_view_if_needed()
    assert in_viewport(link)
    link.click()
    page.wait_for_url("**price=paid**")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    page.screenshot(path=artifacts_dir / f"names-catalog-390-filtered-{lang}-{THEME}.png", full_page=True)
    assert page_overflow(page) <= 1


def reads_left_to_right(locator, text: str) -> bool:
    """Whether ``text``, inside the element, is drawn left to right on screen (its first character left
    of its last) and the element's direction is ltr: checked on the rendered text, not the markup."""
    return locator.evaluate("""(el, text) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(text);
            if (at < 0) continue;
            const box = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                               return r.getBoundingClientRect(); };
            return getComputedStyle(node.parentElement).direction === 'ltr'
                && box(at).left < box(at + text.length - 1).left;
        }
        return null; }""", text)


def test_ids_dates_and_prices_read_left_to_right_inside_persian_sentences(page, live_server, admin_user,
                                                                          artifacts_dir, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 1, 25))
    activation.save(catalog.get_entry("snapshot", "openai/gpt-4o"), "chat")
    admin_login(page, live_server, "admin", "password")
    speak(page, live_server, "fa")
    # Activate a model its provider retires on 2026-02-05, from the catalog, in Persian.
    page.goto(f"{live_server.url}{CATALOG}?capability=chat&q={EXPIRING.split('/')[1]}")
    badge = page.locator("#result_list td.field-state .aim-badge-drift")
    assert reads_left_to_right(badge, "2026-02-05")  # "منقضی می‌شود در 2026-02-05", not "05-02-2026"
    page.locator("#result_list button[form=aim-choose]").first.click()
    expect(page.locator(".aim-confirm")).to_be_visible()
    assert reads_left_to_right(page.locator(".aim-facts"), "2026-02-05")
    page.locator(".aim-actions button.aim-button:not([name])").first.click()
    message = page.locator(".messagelist li, [class*=bg-green]").first
    expect(message).to_be_visible()
    assert reads_left_to_right(message, "Gemini 2.0")  # the model's name inside the Persian sentence

    for where in ("/admin/ai_models/", CATALOG, "/admin/ai_models/aimodel/"):
        page.goto(live_server.url + where)
        banner = page.locator(".aim-banner").first
        assert reads_left_to_right(banner, EXPIRING), where
        assert reads_left_to_right(banner, "2026-02-05"), where
    page.screenshot(path=artifacts_dir / f"names-rtl-banner-fa-{THEME}.png", full_page=True)

    saved = AIModel.objects.get(model_id=EXPIRING)
    page.goto(f"{live_server.url}/admin/ai_models/aimodel/{saved.pk}/change/")
    assert reads_left_to_right(page.locator(".aim-flags").first, "2026-02-05")  # its drift, in detail
    page.goto(f"{live_server.url}/admin/ai_models/aimodel/{saved.pk}/history/")
    history = page.locator("#content table").first
    assert reads_left_to_right(history, f"snapshot:{EXPIRING}")  # "Activated snapshot:google/… for Chat"
    page.screenshot(path=artifacts_dir / f"names-rtl-history-fa-{THEME}.png", full_page=True)


# What may stay as written on a Persian page: code, what is isolated left to right, the theme's icon
# ligatures; provider text (names, ids, descriptions) is taken out by value, with a few proper names.
AS_WRITTEN = ("bdi, code, pre, script, style, [dir=ltr], .material-symbols-outlined, .aim-description, "
              "td.field-shown_model_id, td.field-name")  # the catalog's columns of ids and names
PROPER_NAMES = ["Offline snapshot", "OpenAI: GPT-4.1 mini", "OpenAI: GPT-4o", "openai/gpt-4.1-mini", "openai/gpt-4o",
                "Django", "API", "JSON", "admin"]


def english_on(page, names=PROPER_NAMES) -> list:
    """The Latin words a reader sees on the page (each visible text node, and each visible select's
    chosen option), once what stays as written is taken out; "two digit systems" if Persian and Latin
    digits are mixed."""
    words = page.evaluate("""([selector, names]) => {
        const texts = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (el && !el.closest(selector + ', option') && el.checkVisibility()) texts.push(node.data);
        }
        document.querySelectorAll('select').forEach(s => { if (s.checkVisibility() && s.selectedOptions[0])
                                                                texts.push(s.selectedOptions[0].text); });
        let text = texts.join(' ');
        for (const name of names) text = text.split(name).join(' ');
        return [...(text.match(/[A-Za-z]{2,}/g) || []),
                ...(/[۰-۹٠-٩]/.test(text) && /[0-9]/.test(text) ? ['two digit systems'] : [])]; }""", [AS_WRITTEN, names])
    return sorted(set(words))


def test_no_english_on_persian_pages(page, live_server, admin_user, artifacts_dir):
    activation.activate(catalog.get_entry("snapshot", "openai/gpt-4.1-mini"), "chat")
    saved = AIModel.objects.get(is_active=True)
    admin_login(page, live_server, "admin", "password")
    speak(page, live_server, "fa")
    pages = {
        "board": "/admin/ai_models/",
        "catalog": CATALOG,
        "saved": f"/admin/ai_models/aimodel/{saved.pk}/change/",
    }
    found = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.screenshot(path=artifacts_dir / f"names-english-{name}-fa-{THEME}.png", full_page=True)
        found[name] = english_on(page, [*PROPER_NAMES, saved.description])
    page.goto(f"{live_server.url}{CATALOG}?capability=chat&q=gpt-4o")
    page.locator("#result_list button[form=aim-choose]").first.click()
    expect(page.locator(".aim-confirm")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"names-english-activate-fa-{THEME}.png", full_page=True)
    found["activate"] = english_on(page)
    assert found == {name: [] for name in found}
