"""Follow docs/quickstart.md literally in a new project, in a fresh virtualenv (run by .ci/run).

    python scripts/quickstart-check.py        # KEEP=1 keeps the temporary directory

The commands and snippets are read from the quickstart itself, with this checkout standing for
``/path/to/django-ai-models``: install (step 1), the settings (step 2) appended to a project made
by ``django-admin startproject`` (its ``INSTALLED_APPS`` made a tuple), ``migrate`` and ``check`` (step 3), the terminal activation
(step 5), the ``get_active_model`` one-liner in a new process (step 6), and the pytest plugin in
a layout whose tests are not next to the root ``conftest.py`` (step 7). Any failure exits non-zero.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import venv
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


if __name__ == "__main__":
    main()
