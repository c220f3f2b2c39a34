"""Two instances of the generic OpenAI-compatible class in a real browser: both listed, a model of
the second one activated, the saved row pointing at that instance.

The two "servers" are one real HTTP server on 127.0.0.1 answering Ollama's ``GET /v1/models``
under two prefixes, so the live server fetches over a socket as it would in production.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from ai_models.models import AIModel
from tests.e2e import admin_login

LISTS = {
    "/laptop/v1/models": {"object": "list", "data": [
        {"id": "llama3.2:latest", "object": "model", "created": 1738920000, "owned_by": "library"},
    ]},
    "/gpu/v1/models": {"object": "list", "data": [
        {"id": "llama3.2:latest", "object": "model", "created": 1738920000, "owned_by": "library"},
        {"id": "qwen3:32b", "object": "model", "created": 1746403200, "owned_by": "library"},
        {"id": "nomic-embed-text:latest", "object": "model", "created": 1733011200, "owned_by": "library"},
    ]},
}


class OllamaLists(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        payload = LISTS.get(self.path)
        body = json.dumps(payload or {"error": "not found"}).encode()
        self.send_response(200 if payload else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def ollama_servers(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), OllamaLists)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.AI_MODELS = {
        **settings.AI_MODELS,
        "ALLOWED_HTTP_HOSTS": [f"127.0.0.1:{server.server_address[1]}"],
        "PROVIDERS": {
            "ollama": {"CLASS": "openai_compatible", "BASE_URL": f"{base}/laptop/v1", "NAME": "Laptop Ollama"},
            "ollama-gpu": {"CLASS": "ollama", "BASE_URL": f"{base}/gpu/v1", "NAME": "GPU Ollama"},
        },
    }
    yield
    server.shutdown()
    server.server_close()


def test_activate_a_model_of_the_second_instance(ollama_servers, page, live_server, admin_user):
    admin_login(page, live_server, "admin", "password")
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/")
    panel = page.locator(".aim-panel")
    expect(panel).to_contain_text("Laptop Ollama")
    expect(panel).to_contain_text("GPU Ollama")
    expect(page.locator('input[name=_selected_action][value="ollama:llama3.2:latest"]')).to_be_attached()
    expect(page.locator('input[name=_selected_action][value="ollama-gpu:llama3.2:latest"]')).to_be_attached()

    choice = page.locator('input[name=_selected_action][value="ollama-gpu:qwen3:32b"]')
    choice.check()
    page.locator("select[name=action]").first.select_option("activate")
    page.locator("button[name=index]").first.click()
    expect(page.locator(".aim-confirm")).to_contain_text("qwen3:32b")
    expect(page.locator(".aim-confirm")).to_contain_text("GPU Ollama · qwen3:32b")  # the instance by its name
    expect(page.locator("select[name=capability]")).to_have_value("chat")
    page.get_by_role("button", name="Yes, activate it").click()

    expect(page.get_by_text("qwen3:32b is now the active model for Chat.")).to_be_visible()
    row = page.locator("#result_list tbody tr", has=page.locator('input[value="ollama-gpu:qwen3:32b"]'))
    expect(row).to_contain_text("active for Chat")
    other = page.locator("#result_list tbody tr", has=page.locator('input[value="ollama:llama3.2:latest"]'))
    expect(other).not_to_contain_text("active for")
    active = AIModel.objects.select_related("provider").get(capability="chat", is_active=True)
    assert (active.provider.slug, active.provider.name, active.model_id) == ("ollama-gpu", "GPU Ollama", "qwen3:32b")
