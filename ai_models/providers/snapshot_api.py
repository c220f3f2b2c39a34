"""The snapshot's demo answers over the OpenAI API, in process: what ``openai_client()`` and
``async_openai_client()`` of a snapshot model talk to, so host code written for the SDK (the
streaming recipe of docs/api.md included) runs in tests pinned to ``snapshot:`` models and in the
offline demo. An ``httpx.MockTransport``: no socket is opened, nothing leaves the process.

Answers ``GET /models``, ``POST /chat/completions`` (``stream: true`` as server-sent events) and
``POST /embeddings``; anything else is the 404 an OpenAI-compatible server gives.
"""

import json
import time

from ..exceptions import ProviderError

# Where the SDK believes it sends requests: a name that never resolves, so nothing could.
BASE_URL = "http://snapshot.invalid/v1"
STREAM_PIECE = 24  # characters of the reply per streamed chunk


def transport(provider, lib):
    """A transport of ``lib`` (the SDK's HTTP library) answering as an OpenAI server from ``provider``."""

    def handle(request):
        path = request.url.path.removeprefix("/v1")
        try:
            body = json.loads(request.content or b"{}") if request.method == "POST" else {}
            if request.method == "GET" and path == "/models":
                return answer(lib, 200, models(provider))
            if request.method == "POST" and path == "/chat/completions":
                return chat(provider, lib, body)
            if request.method == "POST" and path == "/embeddings":
                return answer(lib, 200, embeddings(provider, body))
        except (ProviderError, ValueError, TypeError, KeyError, AttributeError) as err:
            return answer(lib, 400, {"error": {"message": str(err), "type": "invalid_request_error"}})
        message = f"The offline snapshot answers no {request.method} {request.url.path}."
        return answer(lib, 404, {"error": {"message": message, "type": "not_found"}})

    return lib.http.MockTransport(handle)


def answer(lib, status, body):
    return lib.http.Response(status, json=body)


def models(provider) -> dict:
    listed = [{"id": entry.model_id, "object": "model", "created": 0, "owned_by": provider.id}
              for entry in provider.fetch_catalog()]
    return {"object": "list", "data": listed}


def chat(provider, lib, body):
    model = body["model"]
    text = provider.chat(model, list(body["messages"])).text
    head = {"id": "chatcmpl-snapshot", "created": int(time.time()), "model": model}
    if not body.get("stream"):
        usage = {"prompt_tokens": 0, "completion_tokens": len(text.split()), "total_tokens": len(text.split())}
        return answer(lib, 200, {**head, "object": "chat.completion", "usage": usage, "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]})
    pieces = [text[start:start + STREAM_PIECE] for start in range(0, len(text), STREAM_PIECE)]
    deltas = [{"role": "assistant", "content": ""}, *({"content": piece} for piece in pieces)]
    chunks = [{**head, "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    chunks.append({**head, "object": "chat.completion.chunk",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    events = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return lib.http.Response(200, content=events.encode(), headers={"Content-Type": "text/event-stream"})


def embeddings(provider, body) -> dict:
    texts = [body["input"]] if isinstance(body["input"], str) else list(body["input"])
    vectors = provider.embed(body["model"], [str(text) for text in texts]).vectors
    data = [{"object": "embedding", "index": i, "embedding": list(vector)} for i, vector in enumerate(vectors)]
    return {"object": "list", "model": body["model"], "data": data, "usage": {"prompt_tokens": 0, "total_tokens": 0}}
