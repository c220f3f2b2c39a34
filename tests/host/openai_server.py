"""A small OpenAI-style chat server on 127.0.0.1 for the SDK tests: it records each request and
answers a chat completion, streamed as server-sent events when the request asks for it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    def __init__(self):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "headers": {name.lower(): value for name, value in self.headers.items()}, "body": body})
                if body.get("stream"):
                    self.stream(body["model"])
                else:
                    self.answer(200, completion(body["model"], "Hello from the SDK test server."))

            def answer(self, status, data):
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def stream(self, model):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for word in ("Hello", " streamed", " world"):
                    self.wfile.write(f"data: {json.dumps(chunk(model, word))}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(model, text):
    return {
        "id": "chatcmpl-local", "object": "chat.completion", "created": 1741569952, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 6, "total_tokens": 9},
    }


def chunk(model, text):
    return {
        "id": "chatcmpl-local", "object": "chat.completion.chunk", "created": 1741569952, "model": model,
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
