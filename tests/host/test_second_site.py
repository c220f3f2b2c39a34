"""The admins registered on a second ``AdminSite``: every page and the Activate action work there,
with links staying on that site."""

import pytest

from ai_models import get_active_model

pytestmark = pytest.mark.urls("tests.host.second_site")

MINI = "snapshot:openai/gpt-4.1-mini"


def test_pages_and_activation_on_a_second_site(admin_client):
    for url in ("/ops/ai_models/catalogentry/", "/ops/ai_models/aimodel/", "/ops/ai_models/provider/"):
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.post("/ops/ai_models/catalogentry/", {"action": "activate", "_selected_action": [MINI]})
    assert page.status_code == 200 and 'name="capability"' in page.content.decode()
    done = admin_client.post(
        "/ops/ai_models/catalogentry/",
        {"action": "activate", "_selected_action": [MINI], "confirm": "yes", "capability": "chat"},
        follow=True,
    )
    assert get_active_model("chat").model_id == "openai/gpt-4.1-mini"
    assert done.redirect_chain[-1][0].startswith("/ops/ai_models/catalogentry/")
    assert "/ops/ai_models/aimodel/" in done.content.decode()  # "View the saved model" stays on this site
