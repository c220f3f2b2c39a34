import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ai_models.models import AIModel, Provider
from ai_models.usage import clock
from tests.json_server import JSONServer, chat_completion

KEY = "sk-usage-0123456789abcdef"
USAGE = {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500}
# 1000 tokens in at $2 per 1M + 500 out at $8 per 1M
CALL_COST = Decimal("0.006")


def completion(text="Hi there", usage=USAGE) -> dict:
    return {**chat_completion(text), "usage": usage}


class StreamServer:
    """Answers every POST with a chat completion streamed as server-sent events, usage in the last chunk."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                events = [
                    {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                     "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
                    for word in ("Hel", "lo")
                ]
                events.append({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                               "choices": [], "usage": USAGE})
                body = "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"
                payload = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url, self.host = f"http://127.0.0.1:{self.port}", f"127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def point_at(settings, server):
    settings.AI_MODELS = {
        **settings.AI_MODELS,
        "PROVIDERS": {"openai": {"BASE_URL": f"{server.url}/v1", "API_KEY": KEY}},
        "ALLOWED_HTTP_HOSTS": [server.host],
        "MAX_RETRIES": 0,
    }


def saved(model_id="gpt-test", *, capability="chat", active=True, fallback_position=None, input_price="2",
          output_price="8") -> AIModel:
    provider, _created = Provider.objects.get_or_create(slug="openai")
    return AIModel.objects.create(
        provider=provider, model_id=model_id, capability=capability, is_active=active,
        fallback_position=fallback_position,
        input_price=None if input_price is None else Decimal(input_price),
        output_price=None if output_price is None else Decimal(output_price),
    )


@pytest.fixture
def server(settings):
    running = JSONServer(completion())
    point_at(settings, running)
    yield running
    running.close()


@pytest.fixture
def stream_server(settings):
    running = StreamServer()
    point_at(settings, running)
    yield running
    running.close()


@pytest.fixture
def frozen_clock():
    """The usage clock fixed at 2026-03-31 23:00 UTC (``clock.set`` moves it)."""
    clock.set(1774998000.0)
    yield clock
    clock.set(None)
