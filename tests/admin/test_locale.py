"""The admin in Persian: right-to-left, and the app's own strings translated."""

import re

import pytest
from django.utils import translation

from .conftest import CATALOG_URL, messages_of

MINI = "snapshot:openai/gpt-4.1-mini"


@pytest.fixture
def persian(settings):
    settings.LANGUAGE_CODE = "fa"
    yield
    translation.activate("en")


def test_catalog_renders_right_to_left_in_persian(admin_client, persian):
    response = admin_client.get(CATALOG_URL)

    html = response.content.decode()
    assert 'lang="fa"' in html
    assert 'dir="rtl"' in html
    assert "مرور کاتالوگ" in html  # Browse catalog
    assert "ارائه‌دهندگان" in html  # the provider panel
    assert "تازه‌سازی همه" in html  # Refresh all
    assert "گفت‌وگو" in html  # the Chat capability label
    assert "فعال کردن مدل انتخاب‌شده" in html  # the Activate action


def test_messages_are_translated(admin_client, persian):
    data = {"action": "activate", "_selected_action": MINI, "confirm": "yes", "capability": "chat"}

    response = admin_client.post(CATALOG_URL, data, follow=True)

    assert "اکنون OpenAI: GPT-4.1 mini مدل فعال برای گفت‌وگو است." in messages_of(response)[0]


def test_compiled_persian_catalog_translates_every_message():
    """django.mo is committed: it must be compiled from the current django.po, with nothing left out."""
    import ast
    import gettext
    import re
    from pathlib import Path

    import ai_models

    po = Path(ai_models.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    entries = re.findall(r'^msgid "(.+)"\n(?:msgid_plural "(.+)"\n)?', po.read_text(encoding="utf-8"), re.M)
    assert len(entries) > 100

    def text(quoted):
        return ast.literal_eval(f'"{quoted}"')

    untranslated = [
        text(singular)
        for singular, plural in entries
        if (compiled.ngettext(text(singular), text(plural), 1) if plural else compiled.gettext(text(singular)))
        == text(singular)
    ]
    assert untranslated == []


def test_every_message_of_the_app_is_in_the_persian_catalogue(tmp_path):
    """makemessages over a copy of the app finds no msgid the committed fa catalogue lacks.

    ``providers.parsing.translate`` is gettext for code that may run without Django
    settings; xgettext is told to read it too.
    """
    import shutil
    from pathlib import Path

    from django.core.management import call_command
    from django.core.management.commands import makemessages

    import ai_models

    app = tmp_path / "ai_models"
    shutil.copytree(Path(ai_models.__file__).parent, app, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))

    class Command(makemessages.Command):
        xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=translate"]

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(app)
        call_command(Command(), locale=["fa"], verbosity=0, no_obsolete=True)
    po = (app / "locale" / "fa" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    blocks = po.split("\n\n")[1:]  # the header first
    missing = [block for block in blocks if "#, fuzzy" in block or re.search(r'^msgstr(\[\d\])? ""$(?!\n")', block, re.M)]
    assert missing == []


def test_provider_errors_are_told_in_the_readers_language(admin_client):
    """The catalog is fetched (in worker threads, in English) and its error kept in the shared
    cache; a Persian reader then sees it in Persian, an English one in English."""
    from ai_models import catalog

    from .conftest import providers

    with providers(snapshot={}, unreachable={}), translation.override("en"):
        catalog.refresh()
        english = admin_client.get(CATALOG_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        persian = admin_client.get(CATALOG_URL, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    translation.activate("en")

    assert "failed: the provider is unreachable (ConnectError)" in english
    assert "ارائه‌دهنده در دسترس نیست (ConnectError)" in persian
    assert "the provider is unreachable" not in persian
