"""The HTTP API as tools and frontends read it, against the example project (run by .ci/run).

    python scripts/api-check.py [fuzz] [client]      # both by default; KEEP=1 keeps the directory

The directory (reports, server log) is kept too when a step fails, and its path printed.

Serves the example project (a fresh SQLite database, the offline snapshot provider, token
authentication) on a free port of 127.0.0.1, then:

- ``fuzz``: schemathesis runs every operation of ``schema/`` as a superuser and as a view-only
  user: no server error, no status, content type or body the schema does not document.
  Bounded by ``FUZZ_SECONDS`` per user (default 30).
- ``client``: openapi-python-client generates a client from ``schema/`` and a frontend's flow
  runs through it (``scripts/api_client_flow.py``).

The tools come from requirements/api-tools.txt (``make api-check`` installs them in their own
venv, given here as TOOLS_PYTHON); the server runs on this interpreter. Any failure exits non-zero.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_project"
TOOLS_BIN = Path(os.environ.get("TOOLS_PYTHON", sys.executable)).absolute().parent  # not resolved: a venv
FUZZ_SECONDS = int(os.environ.get("FUZZ_SECONDS", "30"))
API = "/api/ai-models/"

# The example's settings, with what a scripted client needs: tokens, a fast password hasher
# (none is checked here, but users are created), a database of the run's own.
SETTINGS = """
from demo.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken"]  # noqa: F405
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
"""

USERS = """
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token

root = User.objects.create_superuser("root", "root@example.com", "pw")
viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
viewer.user_permissions.set(Permission.objects.filter(
    content_type__app_label="ai_models", codename__in=["view_catalogentry", "view_aimodel"]))
for user in (root, viewer):
    print(user.username, Token.objects.create(user=user).key)
"""


def say(message):
    print(f"api-check: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, env, **kwargs):
    say("$ " + " ".join(str(part) for part in command)[:200])
    return subprocess.run(command, env=env, check=True, text=True, **kwargs)


def serve(tmp: Path):
    """Migrate a fresh database, make the users, start the server; (process, base URL, tokens, env)."""
    (tmp / "apicheck_settings.py").write_text(SETTINGS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp), str(EXAMPLE)]),
           "DJANGO_SETTINGS_MODULE": "apicheck_settings", "DEMO_SQLITE_PATH": str(tmp / "db.sqlite3"),
           "DEMO_THEME": "plain"}
    for name in ("OPENROUTER_API_KEY", "OPENAI_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY", "GEMINI_API_KEY",
                 "HF_TOKEN"):
        env.pop(name, None)  # the offline snapshot provider only: no network
    manage = [sys.executable, str(EXAMPLE / "manage.py")]
    run([*manage, "migrate", "--noinput", "-v", "0"], env)
    tokens = dict(line.split() for line in run([*manage, "shell", "-v", "0", "-c", USERS], env, capture_output=True)
                  .stdout.split("\n") if line.strip())
    port = free_port()
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            request = urllib.request.Request(base + API + "active/", headers={"Authorization": f"Token {tokens['root']}"})
            urllib.request.urlopen(request, timeout=5).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("api-check: the example server did not start:\n" + (tmp / "server.log").read_text()[-3000:])
            time.sleep(0.2)
    return server, base, tokens, env


def fuzz(base, tokens, env, tmp) -> float:
    """schemathesis as each user; the seconds it took."""
    started = time.monotonic()
    for user in ("root", "viewer"):
        run([TOOLS_BIN / "schemathesis", "run", f"{base}{API}schema/?format=json",
             "-H", f"Authorization: Token {tokens[user]}",
             "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                         "response_schema_conformance,response_headers_conformance",
             "--phases", "examples,coverage,fuzzing", "--max-time", str(FUZZ_SECONDS), "--workers", "2",
             # Hypothesis's filter_too_much judges the tool's own generation, not the API: it fails an
             # operation when most cases drawn for it early on were rejected by the generator itself.
             # Whether that happens depends on how many cases the operation's share of --max-time lets
             # it draw and on what earlier answers taught the generator, so it came and went between
             # runs (GET catalog/{provider}/{model_id}/, as the view-only user, every case passing
             # every check). An operation nothing can be generated for still fails, as unsatisfiable.
             "--suppress-health-check", "filter_too_much",
             "--seed", "26", "--no-color", "--report", "junit", "--report-dir", str(tmp / f"report-{user}")],
            {**env, "SCHEMATHESIS_HOOKS": ""}, cwd=tmp)
    return time.monotonic() - started


def client_flow(base, tokens, env, tmp) -> float:
    """openapi-python-client's client of schema/, and the frontend's flow through it; the seconds."""
    started = time.monotonic()
    schema = tmp / "schema.json"
    request = urllib.request.Request(base + API + "schema/?format=json", headers={"Authorization": f"Token {tokens['root']}"})
    schema.write_bytes(urllib.request.urlopen(request, timeout=30).read())
    env = {**env, "PATH": f"{TOOLS_BIN}{os.pathsep}{env.get('PATH', '')}"}  # its ruff, for the generated code
    run([TOOLS_BIN / "openapi-python-client", "generate", "--path", str(schema), "--meta", "none",
         "--output-path", str(tmp / "ai_models_client"), "--overwrite"], env, cwd=tmp)
    run([TOOLS_BIN / "python", str(ROOT / "scripts" / "api_client_flow.py"), base, tokens["root"]],
        {**env, "PYTHONPATH": str(tmp)}, cwd=tmp)
    return time.monotonic() - started


def main():
    steps = sys.argv[1:] or ["fuzz", "client"]
    tmp = Path(tempfile.mkdtemp(prefix="ai-models-api-check."))
    server = None
    keep = os.environ.get("KEEP") == "1"
    try:
        server, base, tokens, env = serve(tmp)
        figures = []
        if "fuzz" in steps:
            figures.append(f"schemathesis {fuzz(base, tokens, env, tmp):.0f} s")
        if "client" in steps:
            figures.append(f"client flow {client_flow(base, tokens, env, tmp):.0f} s")
        say("ok: " + ", ".join(figures))
    except subprocess.CalledProcessError as err:
        keep = True  # a failure's reports and server log are what explain it
        sys.exit(f"api-check: FAILED: {' '.join(map(str, err.cmd))} (exit {err.returncode})")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
