"""The example's generation pages ask the same login as its JSON API (issue 24.11).

Over a real socket (``live_server``) with an httpx client: an anonymous visitor who opens or posts
to a page is sent to the login page and nothing is generated; once logged in, the same post is
answered.
"""

import re

import httpx
import pytest

from tests.example.test_api_access import PROMPT, logged_in, site  # noqa: F401 (site: a fixture)

PAGES = ["/", "/chat/", "/content/", "/image/", "/audio/"]


@pytest.fixture
def generated(monkeypatch):
    """The capabilities generated for, in order."""
    from generation import views

    calls, generate = [], views.generate
    monkeypatch.setattr(views, "generate", lambda capability, prompt: calls.append(capability) or generate(capability, prompt))
    return calls


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(site, path):
    with httpx.Client(base_url=site) as client:
        response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/login/?next={path}"


def test_an_anonymous_post_generates_nothing_and_a_logged_in_one_is_answered(site, generated):
    with httpx.Client(base_url=site) as anonymous:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', anonymous.get("/admin/login/").text)[1]
        refused = anonymous.post("/chat/", data={**PROMPT, "csrfmiddlewaretoken": token},
                                 headers={"Referer": f"{site}/chat/"})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/admin/login/")
    assert generated == []

    client, token = logged_in(site)
    try:
        answered = client.post("/chat/", data={**PROMPT, "csrfmiddlewaretoken": token},
                               headers={"Referer": f"{site}/chat/"})
    finally:
        client.close()  # no keep-alive connection left to the live server's threads
    assert answered.status_code == 200 and "openai/gpt-4.1-mini" in answered.text
    assert generated == ["chat"]
