"""The capability board (the app's landing page) and the choose flow behind it: Browse catalog
narrowed to one capability with a Choose button per row, the Activate page about that capability."""

import json
import re
from html import escape as html_escape

import pytest
from cachalot.api import cachalot_disabled
from django.apps import apps
from django.urls import reverse
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ai_models import activation, catalog, get_active_models
from ai_models.models import AIModel

from ..factories import catalog_model
from .conftest import CATALOG_URL, SAVED_URL, make_user, messages_of, providers

APP_URL = "/admin/ai_models/"
MINI = "snapshot:openai/gpt-4.1-mini"
BUILTIN = ("chat", "content", "image", "audio", "transcription", "embedding", "moderation", "rerank", "video")
TEN = {  # the nine built-in capabilities under their own (translated) labels, and one of the host's
    **dict.fromkeys(BUILTIN),
    "photo": {"label": "Photo assistant", "kind": "chat",
              "requires": {"input_modalities": ["image"], "parameters": ["tools"]}},
}


TITLES = {"image": "Image", "audio": "Audio"}


@pytest.fixture
def ten(settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": TEN}


def rows_of(html):
    return dict(re.findall(r'<tr data-capability="([^"]+)" class="([^"]*)"', html))


def test_the_board_lists_every_capability_and_flags_those_with_nothing_active(ten, admin_client):
    activation.activate(catalog.get_entry("snapshot", "openai/gpt-4.1-mini"), "chat")

    html = admin_client.get(APP_URL).content.decode()

    rows = rows_of(html)
    assert list(rows) == list(TEN)
    assert rows["chat"] == "" and rows["video"] == "aim-unset"
    assert "9 capabilities have no active model" in html
    assert "NoActiveModel" in html
    assert 'accepts <code dir="ltr">image</code> · supports <code dir="ltr">tools</code>' in html  # names as code
    assert 'href="/admin/ai_models/catalogentry/?capability=video"' in html
    assert 'href="/admin/ai_models/catalogentry/?capability=photo&amp;meets=photo"' in html
    assert 'action="/admin/ai_models/aimodel/board/chat/test/"' in html
    assert 'action="/admin/ai_models/aimodel/board/video/test/"' not in html  # nothing to test


def test_a_view_only_user_sees_the_board_without_actions(ten, client, db):
    activation.activate(catalog.get_entry("snapshot", "openai/gpt-4.1-mini"), "chat")
    client.force_login(make_user("viewer", "ai_models.view_aimodel", "ai_models.view_catalogentry"))

    html = client.get(APP_URL).content.decode()

    assert len(rows_of(html)) == 10
    assert "Choose…" not in html and "/board/" not in html and "Actions" not in html
    assert client.post(f"{SAVED_URL}board/chat/deactivate/", {"confirm": "yes"}).status_code == 403
    assert AIModel.objects.get(capability="chat").is_active


def test_the_board_runs_the_same_queries_whatever_the_number_of_saved_models(ten, admin_client, monkeypatch):
    # The drift watch reads the shared version on a timer: keep that read out of the count.
    monkeypatch.setattr("ai_models.drift.current_version", lambda: "fixed")

    def queries():
        admin_client.get(APP_URL)  # warm: the session, the user
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(APP_URL)
        return len(captured)

    activation.activate(catalog_model("vendor/a"), "chat")
    few = queries()
    for number in range(30):
        activation.activate(catalog_model(f"vendor/m{number}"), "chat" if number % 2 else "content")
        activation.save(catalog_model(f"vendor/s{number}"), "chat")
    assert queries() == few


def test_the_board_runs_the_same_queries_whatever_the_size_of_the_catalog(ten, admin_client, monkeypatch):
    """Ten capabilities, each with an active model and fallbacks from the catalog: a catalog ten times
    larger, with more than three times the saved models, runs the same queries (``make bench`` too)."""
    monkeypatch.setattr("ai_models.drift.current_version", lambda: "fixed")

    def queries(count, saved):
        with providers(fake={"COUNT": count}):
            entries = catalog.refresh().entries
            for index, entry in enumerate(entries[AIModel.objects.count():saved]):
                activation.activate(entry, list(TEN)[index % 10], overrides=activation.OVERRIDABLE)
            for name in TEN:  # the models replaced become its fallbacks
                earlier = list(AIModel.objects.filter(capability=name, is_active=False)[:3])
                activation.set_fallbacks(name, earlier, overrides=activation.OVERRIDABLE)
            admin_client.get(APP_URL)  # warm: the session, the user, the listing
            with cachalot_disabled(), CaptureQueriesContext(connection) as captured:
                assert admin_client.get(APP_URL).status_code == 200
        assert AIModel.objects.filter(is_active=True).count() == 10
        return len(captured)

    assert queries(100, 12) == queries(1_000, 40)


def test_test_from_the_board_keeps_the_result_on_the_active_model(ten, admin_client):
    model = activation.activate(catalog.get_entry("snapshot", "openai/gpt-4.1-mini"), "chat").model

    done = admin_client.post(f"{SAVED_URL}board/chat/test/", follow=True)

    assert done.redirect_chain == [(APP_URL, 302)]
    assert messages_of(done)[0].startswith("Test call through")
    model.refresh_from_db()
    assert model.trial_at is not None and model.trial_result and model.is_active
    assert "tested" in done.content.decode()
    assert admin_client.get(f"{SAVED_URL}board/chat/test/").status_code == 405


def test_roll_back_from_the_board_asks_on_the_activate_page(ten, admin_client):
    old = activation.activate(catalog_model("vendor/old", input_price="0.10"), "chat").model
    new = activation.activate(catalog_model("vendor/new", input_price="0.40"), "chat").model

    page = admin_client.post(f"{SAVED_URL}board/chat/rollback/")
    assert page.context["rollback"] == old
    assert [choice["name"] for choice in page.context["capabilities"]] == ["chat"]
    assert "$0.40 → $0.10" in page.content.decode()
    assert AIModel.objects.get(capability="chat", is_active=True) == new

    done = admin_client.post(f"{SAVED_URL}board/chat/rollback/", {"confirm": "yes", "model": old.pk}, follow=True)
    assert done.redirect_chain == [(APP_URL, 302)]
    assert AIModel.objects.get(capability="chat", is_active=True) == old


def test_activate_again_in_saved_models_asks_on_the_same_page_with_the_price_change(ten, admin_client):
    old = activation.activate(catalog_model("vendor/old", input_price="0.10"), "chat").model
    new = activation.activate(catalog_model("vendor/new", input_price="0.40"), "chat").model

    page = admin_client.post(SAVED_URL, {"action": "reactivate", "_selected_action": [old.pk], "index": "0"})

    assert "admin/ai_models/catalogentry/activate.html" in [t.name for t in page.templates]
    assert page.context["rollback"] == old and "$0.40 → $0.10" in page.content.decode()
    assert AIModel.objects.get(capability="chat", is_active=True) == new


def test_deactivate_from_the_board_asks_first(ten, admin_client):
    activation.activate(catalog.get_entry("snapshot", "openai/gpt-4.1-mini"), "chat")

    page = admin_client.post(f"{SAVED_URL}board/chat/deactivate/")
    assert "admin/ai_models/aimodel/deactivate.html" in [t.name for t in page.templates]
    assert "get_active_model" not in page.content.decode()  # staff are not developers
    admin_client.post(f"{SAVED_URL}board/chat/deactivate/", {"confirm": "yes", "action": "deactivate"})

    assert not AIModel.objects.filter(capability="chat", is_active=True).exists()


def test_choose_lists_the_capabilitys_models_each_with_a_choose_button(ten, admin_client):
    page = admin_client.get(CATALOG_URL, {"capability": "photo", "meets": "photo"})

    html = page.content.decode()
    assert "Choose the model for Photo assistant" in html and 'id="aim-choose"' in html
    buttons = re.findall(r'form="aim-choose" name="_selected_action" value="([^"]+)"', html)
    assert buttons and "snapshot:openai/gpt-4.1" in buttons
    assert "snapshot:google/gemma-3-27b-it:free" not in buttons  # lacks tools
    assert "snapshot:google/gemma-3-27b-it:free" not in admin_client.get(CATALOG_URL, {"capability": "photo"}
                                                                          ).content.decode()  # fails them


def choose_rows(html) -> dict:
    """Choose list row by row: the model's pk -> the row's Choose cell (its button and marks)."""
    return dict(re.findall(r'form="aim-choose" name="_selected_action" value="([^"]+)"(.*?)</td>', html, re.S))


def test_the_choose_toggle_shows_every_other_model_of_the_kind_each_marked_with_why(ten, admin_client):
    """The toggle showed only the models whose standing was unknown, never those failing a requirement."""
    from ai_models.models import CatalogRule

    CatalogRule.objects.create(provider="snapshot", pattern="meta-llama/llama-3.3-70b-instruct")  # hidden by staff
    with providers(snapshot={}, fake={"COUNT": 3}):  # fake/model-0000: a chat model its provider says little of
        met = admin_client.get(CATALOG_URL, {"capability": "photo", "meets": "photo"})
        assert "Only models that meet its requirements are listed." in met.content.decode()
        toggle = met.context["choose"]["toggle_url"]
        assert "requirements=any" in toggle and "meets" not in toggle

        everything = admin_client.get(CATALOG_URL + toggle)

    html = everything.content.decode()
    rows = choose_rows(html)
    assert len(rows) == everything.context["cl"].result_count  # one page: every row has its Choose button
    assert "snapshot:openai/gpt-4.1" in rows and "aim-badge" not in rows["snapshot:openai/gpt-4.1"]  # meets them
    gemma = rows["snapshot:google/gemma-3-27b-it:free"]
    assert "requirements not met" in gemma and "supported parameters tools: lacks tools" in gemma
    haiku = rows["snapshot:anthropic/claude-3.5-haiku"]
    assert "requirements not met" in haiku and "input modalities image: lacks image" in haiku
    unknown = rows["fake:fake/model-0000"]
    assert "requirements unknown" in unknown and "requirements not met" not in unknown
    assert "the provider does not list them" in unknown
    assert not {"snapshot:openai/dall-e-3", "snapshot:openai/tts-1", "fake:fake/model-0001"} & set(rows)  # other kinds
    assert "snapshot:meta-llama/llama-3.3-70b-instruct" not in rows  # hidden stays hidden
    assert "snapshot:meta-llama/llama-3.3-70b-instruct:free" in rows
    assert everything.context["choose"]["listing"] == "all" and "Show only those that meet them" in html
    back = everything.context["choose"]["toggle_url"]
    assert "meets=photo" in back and "requirements" not in back


def test_the_choose_toggle_refuses_a_model_failing_the_requirements_without_the_override(ten, admin_client):
    url = f"{CATALOG_URL}?capability=photo&requirements=any"
    data = {"action": "activate", "_selected_action": "snapshot:google/gemma-3-27b-it:free", "confirm": "yes",
            "capability": "photo"}

    page = admin_client.post(url, data)

    assert page.context["selected_refuses"] == ["requirements"] and not AIModel.objects.exists()
    admin_client.post(url, {**data, "override_requirements": "on"})
    assert AIModel.objects.get(is_active=True).model_id == "google/gemma-3-27b-it:free"


def test_capability_badges_and_filter_leave_out_models_failing_the_requirements(ten, admin_client):
    """A text-only model was badged "Photo assistant" and counted in its filter."""
    html = admin_client.get(CATALOG_URL, {"q": "gemma-3-27b"}).content.decode()
    [row] = [row for row in re.findall(r"<tr[^>]*>(?:(?!</tr>).)*</tr>", html, re.S) if "gemma-3-27b-it:free" in row]
    assert ">Chat<" in row and "Photo assistant" not in row

    photo = admin_client.get(CATALOG_URL, {"capability": "photo"}).context["cl"].result_count
    chat = admin_client.get(CATALOG_URL, {"capability": "chat"}).context["cl"].result_count
    assert 0 < photo < chat
    assert 'id="aim-choose"' not in admin_client.get(CATALOG_URL).content.decode()


def test_choose_opens_the_activate_page_of_that_capability_only(ten, admin_client):
    activation.activate(catalog_model("vendor/pixels", capabilities=("image",), input_price="15"), "image")
    url = f"{CATALOG_URL}?capability=chat"

    page = admin_client.post(url, {"action": "activate", "_selected_action": MINI})

    assert [choice["name"] for choice in page.context["capabilities"]] == ["chat"]
    html = page.content.decode()
    assert 'name="capability" value="chat"' in html and "<select name=\"capability\"" not in html
    assert "Image" not in re.search(r'<table class="aim-table">.*?</table>', html, re.S).group(0)
    assert ">null<" not in html  # the call parameters are empty by default
    assert 'name="temperature"' in html and 'name="image_size"' not in html

    done = admin_client.post(url, {"action": "activate", "_selected_action": MINI, "confirm": "yes",
                                   "capability": "chat", "temperature": "0.3", "reasoning_effort": "low"}, follow=True)
    model = AIModel.objects.get(capability="chat", is_active=True)
    assert model.parameters == {"temperature": 0.3, "extra": {"reasoning_effort": "low"}}
    assert "is now the active model for Chat" in messages_of(done)[0]


@pytest.mark.parametrize("capability, model, asked, given, saved", [
    ("image", "snapshot:openai/dall-e-3", ("image_size", "image_quality", "image_style"),
     {"image_size": "1792x1024", "image_quality": "hd", "image_style": "natural"},
     {"image_size": "1792x1024", "image_quality": "hd", "image_style": "natural"}),
    ("audio", "snapshot:openai/tts-1", ("voice", "speed", "audio_format"),
     {"voice": "nova", "speed": "1.5", "audio_format": "opus"},
     {"voice": "nova", "speed": 1.5, "audio_format": "opus"}),
])
def test_the_activate_page_asks_the_call_parameters_of_the_capabilitys_kind(ten, admin_client, capability, model,
                                                                            asked, given, saved):
    """Image quality and style and speech speed were missing from the form."""
    url = f"{CATALOG_URL}?capability={capability}"
    html = admin_client.post(url, {"action": "activate", "_selected_action": model}).content.decode()
    assert all(f'name="{name}"' in html for name in asked) and 'name="temperature"' not in html

    done = admin_client.post(url, {"action": "activate", "_selected_action": model, "confirm": "yes",
                                   "capability": capability, **given}, follow=True)

    assert "is now the active model for %s." % TITLES[capability] in messages_of(done)[0]
    assert AIModel.objects.get(capability=capability, is_active=True).parameters == saved
    board = admin_client.get(APP_URL).content.decode()
    row = re.search(rf'<tr data-capability="{capability}".*?</tr>', board, re.S).group(0)
    assert all(html_escape(f'"{name}": {json.dumps(value)}') in row for name, value in saved.items())


@pytest.mark.parametrize("field, value, error", [("image_quality", "ultra", "Select a valid choice"),
                                                  ("image_style", "painterly", "Select a valid choice"),
                                                  ("speed", "4.5", "less than or equal to 4"),
                                                  ("speed", "0.1", "greater than or equal to 0.25")])
def test_the_activate_page_refuses_a_quality_style_or_speed_the_provider_does_not_take(ten, admin_client, field,
                                                                                      value, error):
    capability = "audio" if field == "speed" else "image"
    model = "snapshot:openai/tts-1" if field == "speed" else "snapshot:openai/dall-e-3"
    page = admin_client.post(f"{CATALOG_URL}?capability={capability}", {
        "action": "activate", "_selected_action": model, "confirm": "yes", "capability": capability, field: value})
    assert error in page.content.decode() and not AIModel.objects.exists()


def test_the_kind_fields_read_in_persian(ten, admin_client):
    with translation.override("fa"):
        html = admin_client.post(f"{CATALOG_URL}?capability=image", {
            "action": "activate", "_selected_action": "snapshot:openai/dall-e-3"}, HTTP_ACCEPT_LANGUAGE="fa"
        ).content.decode()
        expected = [translation.gettext(text) for text in ("Image quality", "Image style", "high definition", "vivid")]
    translation.activate("en")
    assert all(text in html for text in expected) and "Image quality" not in html


def test_a_kind_mismatch_is_refused_without_the_override(ten, admin_client):
    data = {"action": "activate", "_selected_action": MINI, "confirm": "yes", "capability": "image"}

    page = admin_client.post(CATALOG_URL, data)  # the bulk action: the capability is chosen on the page

    assert page.context["selected_refuses"] == ["kind"] and not AIModel.objects.exists()


def test_a_model_leaves_the_fallbacks_when_it_becomes_active(db):
    activation.activate(catalog_model("vendor/a"), "chat")
    backup = activation.save(catalog_model("vendor/b"), "chat").model
    activation.set_fallbacks("chat", [backup])

    activation.activate(catalog_model("vendor/b"), "chat")

    backup.refresh_from_db()
    assert backup.is_active and backup.fallback_position is None


def test_fallback_positions_start_at_one(db):
    activation.activate(catalog_model("vendor/a"), "chat")
    backup = activation.save(catalog_model("vendor/b"), "chat").model

    with pytest.raises(activation.ActivationError, match="start at 1"):
        activation.move_fallback(backup, 0)


@pytest.mark.parametrize("how", ["rollback", "reactivate", "board"])
def test_a_model_rolled_back_to_leaves_the_fallbacks(ten, admin_client, how):
    """The rolled-back model kept fallback position 1 while active."""
    old = activation.activate(catalog_model("vendor/old"), "chat").model
    activation.activate(catalog_model("vendor/new"), "chat")
    other = activation.save(catalog_model("vendor/other"), "chat").model
    activation.set_fallbacks("chat", [old, other])

    if how == "rollback":
        activation.rollback("chat")
    elif how == "reactivate":
        activation.reactivate(AIModel.objects.get(pk=old.pk))
    else:
        admin_client.post(f"{SAVED_URL}board/chat/rollback/", {"confirm": "yes", "model": old.pk})

    old.refresh_from_db()
    assert old.is_active and old.fallback_position is None
    assert [model.model_id for model in get_active_models("chat")] == ["vendor/old", "vendor/other"]


def test_a_taken_fallback_position_names_its_holder(db):
    activation.activate(catalog_model("vendor/a"), "chat")
    holder = activation.save(catalog_model("vendor/b"), "chat").model
    mover = activation.save(catalog_model("vendor/c"), "chat").model
    activation.move_fallback(holder, 1)

    with pytest.raises(activation.ActivationError, match=re.escape(f"{holder} already has fallback position 1: free it first.")):
        activation.move_fallback(mover, 1)

    mover.refresh_from_db()
    assert mover.fallback_position is None


def test_the_board_lists_the_fallbacks_from_position_1_in_the_order_they_are_tried(ten, admin_client):
    activation.activate(catalog_model("vendor/a"), "chat")
    second = activation.save(catalog_model("vendor/b", name="Second"), "chat").model
    first = activation.save(catalog_model("vendor/c", name="First"), "chat").model

    activation.set_fallbacks("chat", [first, second])

    assert [(row.pk, row.fallback_position) for row in AIModel.objects.exclude(fallback_position=None)
            .order_by("fallback_position")] == [(first.pk, 1), (second.pk, 2)]
    row = re.search(r'<tr data-capability="chat".*?</tr>', admin_client.get(APP_URL).content.decode(), re.S).group(0)
    listed = re.findall(r'<li value="(\d+)"><bdi>([^<]+)</bdi></li>', re.search(
        r'<ol class="aim-fallbacks">.*?</ol>', row, re.S).group(0))
    assert listed == [("1", "First"), ("2", "Second")]


def test_saved_models_list_the_fallbacks_in_the_order_they_are_tried(admin_client):
    activation.activate(catalog_model("vendor/a"), "chat")
    second = activation.save(catalog_model("vendor/b"), "chat").model
    first = activation.save(catalog_model("vendor/c"), "chat").model
    activation.set_fallbacks("chat", [first, second])

    listed = [row.model_id for row in admin_client.get(SAVED_URL).context["cl"].result_list]

    assert listed == ["vendor/a", "vendor/c", "vendor/b"]


def test_a_persian_history_names_the_changed_fields_in_persian(admin_client):
    """It read "… و Fallback position تغییر یافتند"."""
    activation.activate(catalog_model("vendor/a"), "chat")
    backup = activation.save(catalog_model("vendor/b"), "chat").model
    admin_client.post(f"{SAVED_URL}{backup.pk}/change/", {"display_name": "B2", "fallback_position": "1"})

    try:
        html = admin_client.get(f"{SAVED_URL}{backup.pk}/history/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    finally:
        translation.activate("en")  # the request left Persian active in this thread

    assert "جایگاه جایگزین" in html and "Fallback position" not in html


def test_the_persian_catalogue_writes_every_number_in_one_digit_system():
    from pathlib import Path

    import ai_models

    po = Path(ai_models.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "django.po"
    assert not re.findall(r"[\u06f0-\u06f9\u0660-\u0669]", po.read_text(encoding="utf-8"))


def test_an_unknown_board_action_is_not_found(ten, admin_client):
    assert admin_client.post(f"{SAVED_URL}board/chat/explode/").status_code == 404
    assert admin_client.post(f"{SAVED_URL}board/nope/test/", follow=True).redirect_chain == [(APP_URL, 302)]


@pytest.mark.skipif(apps.is_installed("unfold"), reason="Unfold draws its own breadcrumbs")
@pytest.mark.parametrize("version, trail", [((5, 2, 9, "final", 0), '<div class="breadcrumbs">'),
                                            ((6, 0, 0, "final", 0), '<ol class="breadcrumbs">')])
def test_the_app_pages_trail_is_the_one_of_the_django_version(ten, admin_client, monkeypatch, version, trail):
    """On Django 5.2 the trail of the confirmation, Usage and Rollouts pages rendered as a numbered
    list outside the header."""
    import django

    monkeypatch.setattr(django, "VERSION", version)
    pages = [
        admin_client.post(f"{CATALOG_URL}?capability=chat", {"action": "activate", "_selected_action": MINI}),
        admin_client.get(reverse("admin:ai_models_usage_changelist")),
        admin_client.get(reverse("admin:ai_models_rollout_changelist")),
    ]
    for response in pages:
        html = response.content.decode()
        assert trail in html
        assert html.count('class="breadcrumbs"') == 1
