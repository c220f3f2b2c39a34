"""The processes of the multi-process usage test: ``python -m tests.usage.worker PORT PROCESSES CALLS``.

Sets Django up once and forks ``PROCESSES`` workers, as a preloading server does. Each calls the
active chat model ``CALLS`` times (one in ten async: an async call costs this client about four
times a sync one) against the chat server on ``PORT`` and exits: its counts are flushed at exit,
as a web worker's are. Exits 1 if any worker failed.
"""

import asyncio
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from ai_models import aget_active_model, get_active_model  # noqa: E402

MESSAGES = [{"role": "user", "content": "Hi"}]


def main(port: int, calls: int):
    settings.AI_MODELS = {
        **settings.AI_MODELS,
        "PROVIDERS": {"openai": {"BASE_URL": f"http://127.0.0.1:{port}/v1", "API_KEY": "sk-worker-0123456789abcdef"}},
        "ALLOWED_HTTP_HOSTS": [f"127.0.0.1:{port}"],
    }
    for _ in range(calls - calls // 10):
        model = get_active_model("chat")
        model.get_backend().chat(model.model_id, MESSAGES)

    async def async_calls():
        for _ in range(calls // 10):
            model = await aget_active_model("chat")
            await model.get_backend().achat(model.model_id, MESSAGES)

    asyncio.run(async_calls())


def fork_workers(port: int, processes: int, calls: int) -> int:
    from django.db import connections

    connections.close_all()  # each worker opens its own
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:
            try:
                main(port, calls)
            except BaseException:
                import traceback

                traceback.print_exc()
                os._exit(1)
            sys.exit(0)  # a normal exit: the counts are flushed by the atexit handler
        children.append(pid)
    return max(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children)


if __name__ == "__main__":
    sys.exit(fork_workers(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
