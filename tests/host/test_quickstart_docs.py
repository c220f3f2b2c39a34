"""The quickstart's snippets work as written (defects 7 and 8 of issue 15); the whole walk-through
in a fresh venv is scripts/quickstart-check.py, run by .ci/run."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def quickstart_block(section, language):
    text = (ROOT / "docs" / "quickstart.md").read_text()
    body = re.search(rf"^## {section}\. .*?(?=^## )", text, re.M | re.S).group(0)
    return [code for lang, code in re.findall(r"^```(\w*)\n(.*?)^```$", body, re.M | re.S) if lang == language][0]


def test_the_settings_snippet_runs_with_the_key_variable_unset_or_set(monkeypatch):
    snippet = quickstart_block(2, "python")
    monkeypatch.delenv("AI_MODELS_ENCRYPTION_KEYS", raising=False)
    namespace = {"INSTALLED_APPS": ["django.contrib.admin"]}
    exec(snippet, namespace)
    assert namespace["AI_MODELS"]["ENCRYPTION_KEYS"] == []
    monkeypatch.setenv("AI_MODELS_ENCRYPTION_KEYS", "new-key,old-key")
    namespace = {"INSTALLED_APPS": ("django.contrib.admin",)}  # a tuple, as some projects keep it
    exec(snippet, namespace)
    assert namespace["INSTALLED_APPS"] == ["django.contrib.admin", "ai_models"]
    assert namespace["AI_MODELS"]["ENCRYPTION_KEYS"] == ["new-key", "old-key"]


def test_every_settings_snippet_adding_an_app_works_for_a_list_and_a_tuple():
    """Some hosts keep INSTALLED_APPS as a tuple (healthchecks does): `+= [...]` fails there."""
    for doc in DOCS:
        for code in re.findall(r"^```python\n(.*?)^```$", doc.read_text(), re.M | re.S):
            for line in code.splitlines():
                if not line.lstrip().startswith("INSTALLED_APPS") or "=" not in line:
                    continue
                assert "+=" not in line, (doc.name, line)
                if "*INSTALLED_APPS" in line:
                    statement = line.split("#")[0].strip()
                    for given in (["django.contrib.admin"], ("django.contrib.admin",)):
                        namespace = {"INSTALLED_APPS": given}
                        exec(statement, namespace)
                        assert "django.contrib.admin" in namespace["INSTALLED_APPS"], (doc.name, line)


def test_one_name_for_the_key_variable_and_no_snippet_that_fails_when_it_is_unset():
    for doc in DOCS:
        text = doc.read_text()
        assert not re.search(r"AI_MODELS_ENCRYPTION_KEY\b", text), doc.name
        assert 'os.environ["AI_MODELS_ENCRYPTION_KEYS"]' not in text, doc.name


def test_the_pytest_plugin_line_works_from_a_nested_test_package(tmp_path):
    (tmp_path / "pytest.ini").write_text(
        quickstart_block(7, "ini").replace("mysite.settings", "tests.settings")
    )
    package = tmp_path / "myproject" / "users" / "tests"
    package.mkdir(parents=True)
    for folder in (tmp_path / "myproject", tmp_path / "myproject" / "users", package):
        (folder / "__init__.py").write_text("")
    (package / "conftest.py").write_text("")  # not the root conftest: pytest_plugins would fail here
    (package / "test_pinned.py").write_text(
        "from ai_models import get_active_model\n\n"
        + quickstart_block(7, "python").replace("    ...", "    assert get_active_model('chat').model_id == 'openai/gpt-4.1-mini'")
    )
    # Its own SQLite and locmem: in the PostgreSQL leg, the nested run would otherwise create, then
    # drop, the test database this run is using.
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}", "AI_MODELS_TEST_DB": "sqlite",
           "AI_MODELS_TEST_CACHE": "locmem"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
