"""Follow docs/quickstart.md literally in a new project, in a fresh virtualenv (run by .ci/run).

    python scripts/quickstart-check.py        # KEEP=1 keeps the temporary directory

The commands and snippets are read from the quickstart itself, with this checkout standing for
``/path/to/django-ai-models``: install (step 1), the settings (step 2) appended to a project made
by ``django-admin startproject`` (its ``INSTALLED_APPS`` made a tuple), ``migrate`` and ``check`` (step 3), the terminal activation
(step 5), the ``get_active_model`` one-liner in a new process (step 6), and the pytest plugin in
a layout whose tests are not next to the root ``conftest.py`` (step 7). Any failure exits non-zero.

Then, in the same virtualenv, a host as found in the wild (issue 26): the ``rest`` extra, a tuple
``INSTALLED_APPS``, DRF's ``DEFAULT_PERMISSION_CLASSES = [IsAdminUser]``, the HTTP API mounted and
a keyless local OpenAI-compatible server (an Ollama stand-in this script serves on a free port):
a model of it is tested and activated with no key (item 1), a non-staff user holding the app's
permission is refused by the host's default while a staff one is answered (item 2), and DRF's own
``generateschema`` describes the whole site (item 3).
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import venv
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")


def section(number: int) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## )", QUICKSTART, re.M | re.S)
    if not match:
        sys.exit(f"quickstart-check: docs/quickstart.md has no section {number}")
    return match.group(0)


def blocks(number: int, language: str = "") -> list[str]:
    """The fenced code blocks of a section written in ``language`` ("" for plain ones)."""
    fenced = re.findall(r"^```(\w*)\n(.*?)^```$", section(number), re.M | re.S)
    return [body for lang, body in fenced if lang == language]


def commands(number: int, starting: str) -> list[str]:
    return [line.split("#")[0].strip() for block in blocks(number) for line in block.splitlines()
            if line.startswith(starting)]


def say(message):
    print(f"quickstart-check: {message}", flush=True)


def run(command, cwd, env, **kwargs):
    say("$ " + " ".join(command))
    result = subprocess.run(command, cwd=cwd, env=env, text=True, capture_output=True, **kwargs)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n", file=sys.stderr)
        sys.exit(f"quickstart-check: FAILED: {' '.join(command)} (exit {result.returncode})")
    return result.stdout


def main():
    tmp = Path(tempfile.mkdtemp(prefix="ai-models-quickstart."))
    try:
        check(tmp)
    finally:
        if os.environ.get("KEEP") == "1":
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    say("ok")


def check(tmp: Path):
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("AI_MODELS_ENCRYPTION_KEYS", None)  # unset, as on a new machine: the snippet must not need it

    # 1. Install: the first command, this checkout for the path.
    install = commands(1, "pip install")[0].replace("/path/to/django-ai-models", str(ROOT))
    run([str(bin_dir / "python"), "-m", *shlex.split(install)] + ["-q"], tmp, env)

    # A new project, as `django-admin startproject` makes it.
    run([str(bin_dir / "django-admin"), "startproject", "mysite"], tmp, env)
    project = tmp / "mysite"
    settings = project / "mysite" / "settings.py"

    # 2. Settings: the snippet at the end of the file. INSTALLED_APPS is made a tuple first, as some
    # projects keep it (healthchecks does): the snippet must work for a tuple as for a list.
    text = settings.read_text()
    text, made = re.subn(r"INSTALLED_APPS = \[(.*?)\n\]", r"INSTALLED_APPS = (\1\n)", text, count=1, flags=re.S)
    if not made:
        sys.exit("quickstart-check: could not find INSTALLED_APPS in the new project")
    settings.write_text(text + "\n" + blocks(2, "python")[0])

    # 3. Tables (and the check).
    for command in commands(3, "python manage.py"):
        run([str(bin_dir / "python"), *shlex.split(command)[1:]], project, env)
    output = run([str(bin_dir / "python"), "manage.py", "check", "--fail-level", "WARNING"], project, env)
    say(output.strip())

    # 5. Choose a model from a terminal: the command that needs no key.
    activate = [c for c in commands(5, "python manage.py ai_models activate") if "snapshot" in c][0]
    run([str(bin_dir / "python"), *shlex.split(activate)[1:]], project, env)

    # 6. Use it, in a new process.
    one_liner = commands(6, "python manage.py shell")[0]
    printed = run([str(bin_dir / "python"), *shlex.split(one_liner)[1:]], project, env).strip()
    model_id = shlex.split(activate)[5]
    if printed.splitlines()[-1] != model_id:
        sys.exit(f"quickstart-check: get_active_model printed {printed!r}, expected {model_id!r}")

    # 7. The pytest plugin, with the tests in a package of their own and no root conftest.py.
    run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "pytest", "pytest-django"], tmp, env)
    ini = blocks(7, "ini")[0]
    (project / "pytest.ini").write_text(ini)
    tests = project / "mysite" / "tests"
    tests.mkdir()
    (tests / "__init__.py").write_text("")
    (tests / "conftest.py").write_text("")  # a non-root conftest, as cookiecutter layouts have
    test_module = blocks(7, "python")[0].replace("    ...", "    assert client.get('/admin/login/').status_code == 200")
    (tests / "test_quickstart.py").write_text(test_module)
    # Its summary is not echoed: CI reads pytest's closing lines for the suite's own counts.
    run([str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    say("the ai_active_models fixture works from a test package with a non-root conftest.py")

    check_drf_host(tmp, bin_dir, env)


class KeylessServer(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that takes no key, as a local Ollama: one chat model."""

    authorizations: list = []  # the Authorization header of every request (None when absent)

    def answer(self, body):
        self.authorizations.append(self.headers.get("Authorization"))
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server's names)
        self.answer({"object": "list", "data": [{"id": "llama3.2:latest", "object": "model", "owned_by": "library"}]})

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer({"id": "1", "object": "chat.completion", "model": "llama3.2:latest", "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "pong"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    def log_message(self, *args):
        pass


HOST_SETTINGS = """
INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]
REST_FRAMEWORK = {{"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"]}}
AI_MODELS["PROVIDERS"] = {{"ollama": {{"BASE_URL": "http://127.0.0.1:{port}/v1"}}}}
AI_MODELS["ALLOWED_HTTP_HOSTS"] = ["127.0.0.1:{port}"]
"""

# Items 1 and 2, in the host's own process: a call with no key, the host's permission default.
HOST_PROBE = """
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.test.utils import setup_test_environment
from ai_models import get_active_model

setup_test_environment()  # the test client's host name
model = get_active_model("chat")
print("reply", model.get_backend().chat(model.model_id, [{"role": "user", "content": "ping"}]).text)
view = Permission.objects.filter(content_type__app_label="ai_models", codename__in=["view_aimodel"])
for name, staff in (("service", False), ("editor", True)):
    user = User.objects.create_user(name, password="pw", is_staff=staff)
    user.user_permissions.set(view)
    client = Client()
    client.force_login(user)
    print(name, client.get("/api/ai-models/active/").status_code)
"""


def check_drf_host(tmp: Path, bin_dir: Path, env: dict):
    python = str(bin_dir / "python")
    run([python, "-m", "pip", "install", "-q", f"{ROOT}[rest]"], tmp, env)
    run([str(bin_dir / "django-admin"), "startproject", "hostsite"], tmp, env)
    project = tmp / "hostsite"
    settings = project / "hostsite" / "settings.py"
    text = re.sub(r"INSTALLED_APPS = \[(.*?)\n\]", r"INSTALLED_APPS = (\1\n)", settings.read_text(), count=1,
                  flags=re.S)
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeylessServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        settings.write_text(text + "\n" + blocks(2, "python")[0] + HOST_SETTINGS.format(port=port))
        urls = project / "hostsite" / "urls.py"
        urls.write_text(urls.read_text() + '\nfrom django.urls import include  # noqa: E402\n\n'
                        'urlpatterns += [path("api/ai-models/", include("ai_models.api.urls"))]\n')
        run([python, "manage.py", "migrate", "-v", "0"], project, env)
        run([python, "manage.py", "check", "--fail-level", "WARNING"], project, env)
        # 1. A keyless server: listed, tested and activated, then called, with no key at all.
        run([python, "manage.py", "ai_models", "activate", "ollama", "llama3.2:latest", "--capability", "chat",
             "--test"], project, env)
        probe = dict(line.split(" ", 1) for line in run([python, "manage.py", "shell", "-v", "0", "-c", HOST_PROBE],
                                                        project, env).splitlines() if " " in line)
    finally:
        server.shutdown()
    if probe.get("reply") != "pong" or any(KeylessServer.authorizations):
        sys.exit(f"quickstart-check: the keyless server was not called without a key: {probe}, "
                 f"{KeylessServer.authorizations}")
    say("a keyless local server is listed, tested, activated and called without a key")
    # 2. The host's IsAdminUser applies before the app's permission.
    if (probe.get("service"), probe.get("editor")) != ("403", "200"):
        sys.exit(f"quickstart-check: with IsAdminUser as the host's default, expected 403 for a non-staff user "
                 f"and 200 for staff, got {probe}")
    say("the host's IsAdminUser default applies to the API before the app's permissions")
    # 3. DRF's own schema generation of the whole site.
    schema = json.loads(run([python, "manage.py", "generateschema", "--format", "openapi-json"], project, env))
    if "/api/ai-models/active/" not in schema.get("paths", {}):
        sys.exit("quickstart-check: generateschema did not describe the API")
    say("manage.py generateschema describes the whole site, the API included")


if __name__ == "__main__":
    main()
