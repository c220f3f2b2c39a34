import json


from ai_models import activation
from tests.admin.conftest import make_user
from tests.factories import catalog_model


def test_table_has_every_configured_capability_with_a_dash_when_none(run):
    user = make_user("ops", "ai_models.activate_aimodel")
    activation.activate(catalog_model("openai/gpt-4.1-mini", name="GPT-4.1 mini"), "chat", user)

    result = run("active")

    assert result.code == 0
    header, rule, *rows = result.stdout.splitlines()
    assert [row.split()[0] for row in rows] == ["chat", "content", "image", "audio"]
    chat = rows[0].split()
    assert chat[1:3] == ["snapshot", "openai/gpt-4.1-mini"] and chat[-1] == "ops"
    assert rows[1].split() == ["content", "—", "—"]


def test_json_maps_each_capability_to_its_model_or_null(run, settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": ["chat", "summary"]}
    activation.activate(catalog_model("openai/gpt-4.1-mini", name="GPT-4.1 mini", capabilities=["chat"]), "chat")
    activation.activate(catalog_model("openai/gpt-image-1"), "summary")
    activation.deactivate("summary")

    data = json.loads(run("active", "--json").stdout)

    assert list(data) == ["chat", "summary"]
    assert data["summary"] is None
    assert data["chat"]["provider"] == "snapshot" and data["chat"]["model_id"] == "openai/gpt-4.1-mini"
    assert data["chat"]["input_price"] == "0.40" and data["chat"]["activated_by"] is None
    assert data["chat"]["activated_at"]
