"""The example's generation API spends the site's keys: only a logged-in user of the site may
call it, with the CSRF token, at a bounded rate. Exercised over a real socket (live_server)
with an httpx client, as a browser or a script on another site would call it.
"""

import re

import httpx
import pytest
from django.contrib.auth import get_user_model

from ai_models import activation
from ai_models.providers import build_provider
from tests.example import example_project

PROMPT = {"prompt": "Hello"}


@pytest.fixture
def site(transactional_db, live_server, settings):
    settings.GENERATION_RATE = (3, 60)
    with example_project():
        entry = next(e for e in build_provider("snapshot").fetch_catalog() if e.model_id == "openai/gpt-4.1-mini")
        activation.activate(entry, "chat")
        yield live_server.url


def logged_in(url) -> tuple[httpx.Client, str]:
    """A client with the session of a logged-in user, and the CSRF token a page of the site gives it."""
    get_user_model().objects.create_user("visitor", password="pw", is_staff=True)  # the demo logs in through the admin
    client = httpx.Client(base_url=url, follow_redirects=False)
    form = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    done = client.post(
        "/admin/login/", data={"username": "visitor", "password": "pw", "csrfmiddlewaretoken": token, "next": "/"}
    )
    assert done.status_code == 302 and "sessionid" in client.cookies
    page = client.get("/chat/")
    return client, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def test_an_anonymous_caller_is_refused_and_nothing_is_generated(site):
    with httpx.Client(base_url=site) as client:
        page = client.get("/admin/login/")  # a CSRF cookie and token, as any visitor gets
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        response = client.post("/api/chat/", json=PROMPT, headers={"X-CSRFToken": token})

    assert response.status_code == 401
    assert response.json()["error"] == "Log in to use the generation API: it spends the site's provider keys."


def test_a_cross_site_post_with_the_visitors_session_but_no_token_is_refused(site):
    client, _token = logged_in(site)

    response = client.post("/api/chat/", json=PROMPT, headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert "CSRF" in response.text


def test_a_logged_in_user_with_the_token_is_answered_until_the_rate_is_spent(site):
    client, token = logged_in(site)
    headers = {"X-CSRFToken": token, "Referer": f"{site}/chat/"}

    answers = [client.post("/api/chat/", json=PROMPT, headers=headers) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[0].json()["model"] == "openai/gpt-4.1-mini"
    assert re.fullmatch(r"Too many generations: try again in \d+ seconds\.", answers[3].json()["error"])
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60


def test_the_pages_share_the_rate(site):
    client, token = logged_in(site)
    data = {**PROMPT, "csrfmiddlewaretoken": token}

    statuses = [client.post("/chat/", data=data, headers={"Referer": f"{site}/chat/"}).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
