"""Starting, changing, promoting and aborting a rollout: gates, history, signals, figures, CLI, API."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from ai_models import activation, get_active_model
from ai_models.activation import history, rollouts
from ai_models.models import AIModel, Rollout, Usage
from ai_models.signals import active_model_changed, rollout_ended
from tests.admin.conftest import make_user
from tests.factories import catalog_model

from .conftest import member, simulated


def events(row):
    return [history.facts_of(entry.change_message)["event"]
            for entry in LogEntry.objects.filter(object_id=str(row.pk)).order_by("pk")]


def test_the_candidate_passes_every_gate_as_activation_does(models):
    video = activation.save(catalog_model("openai/sora-2", capabilities=("video",)), "chat").model
    with pytest.raises(activation.ActivationRefused) as refused:
        rollouts.start("chat", video, percent=10)
    assert list(refused.value.keys) == ["kind"]
    assert not Rollout.objects.exists()
    rollouts.start("chat", video, percent=10, overrides={"kind"})
    assert Rollout.objects.get().candidate == video


def test_one_rollout_per_capability_and_clear_errors(models):
    active, candidate = models
    with pytest.raises(activation.ActivationError, match="already the active model"):
        rollouts.start("chat", active, percent=10)
    with pytest.raises(activation.ActivationError, match="0 to 100"):
        rollouts.start("chat", candidate, percent=101)
    with pytest.raises(activation.ActivationError, match="No rollout"):
        rollouts.promote("chat")
    rollouts.start("chat", candidate, percent=10)
    with pytest.raises(activation.ActivationError, match="running already"):
        rollouts.start("chat", candidate, percent=20)
    with pytest.raises(activation.ActivationError, match="another capability"):
        rollouts.start("content", candidate)


def test_a_user_without_the_permission_changes_nothing(models):
    clerk = make_user("clerk")
    with pytest.raises(activation.ActivationNotPermitted):
        rollouts.start("chat", models[1], clerk, percent=10)
    assert not Rollout.objects.exists()


def test_promote_activates_through_the_flow_with_history_and_signals(models, django_capture_on_commit_callbacks):
    active, candidate = models
    boss = make_user("boss", superuser=True)
    rollouts.start("chat", candidate, boss, percent=10)
    rollouts.change("chat", boss, percent=50)
    changed, ended = [], []
    active_model_changed.connect(lambda **kw: changed.append(kw), weak=False, dispatch_uid="t-changed")
    rollout_ended.connect(lambda **kw: ended.append(kw), weak=False, dispatch_uid="t-ended")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            change = rollouts.promote("chat", boss)
    finally:
        active_model_changed.disconnect(dispatch_uid="t-changed")
        rollout_ended.disconnect(dispatch_uid="t-ended")
    assert change.model.pk == candidate.pk and change.replaced.pk == active.pk
    assert AIModel.objects.get(is_active=True, capability="chat").pk == candidate.pk
    assert not Rollout.objects.exists()
    assert get_active_model("chat").pk == candidate.pk
    assert events(candidate) == ["rollout started", "rollout changed", "promoted"]
    assert events(active)[-1] == "replaced"
    assert [kw["current"].pk for kw in changed] == [candidate.pk]
    assert [(kw["outcome"], kw["candidate"].pk) for kw in ended] == [("promoted", candidate.pk)]
    text = history.describe(LogEntry.objects.filter(object_id=str(candidate.pk)).order_by("pk").last().change_message)
    assert "Promoted snapshot:candidate" in text and "It replaced snapshot:active" in text


def test_abort_gives_everyone_the_active_model_again(models, django_capture_on_commit_callbacks):
    active, candidate = models
    boss = make_user("boss", superuser=True)
    rollouts.start("chat", candidate, boss, percent=100)
    assert get_active_model("chat", user=simulated(1)[0]).pk == candidate.pk
    ended = []
    rollout_ended.connect(lambda **kw: ended.append(kw["outcome"]), weak=False, dispatch_uid="t-ended")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rollouts.abort("chat", boss)
    finally:
        rollout_ended.disconnect(dispatch_uid="t-ended")
    assert ended == ["aborted"]
    assert get_active_model("chat", user=simulated(1)[0]).pk == active.pk
    assert events(candidate) == ["rollout started", "rollout aborted"]
    assert AIModel.objects.get(pk=active.pk).is_active


def usage(row, calls, errors=0, cost="0", bucket=3, minutes_ago=0):
    minute = (timezone.now() - timedelta(minutes=minutes_ago)).replace(second=0, microsecond=0)
    latencies = [0] * 25
    latencies[bucket] = calls
    Usage.objects.create(minute=minute, capability="chat", provider=row.provider.slug, model_id=row.model_id,
                         outcome="ok", calls=calls - errors, cost=Decimal(cost), latencies=latencies)
    if errors:
        Usage.objects.create(minute=minute, capability="chat", provider=row.provider.slug, model_id=row.model_id,
                             outcome="ProviderUnavailable", calls=errors)


def test_summaries_compare_candidate_and_active_since_the_start(models):
    active, candidate = models
    usage(active, 50, minutes_ago=90)  # before the rollout: not counted
    rollouts.start("chat", candidate, percent=10, groups=[Group.objects.create(name="beta")])
    usage(active, 90, errors=9, cost="0.9", bucket=2)
    usage(candidate, 10, errors=2, cost="0.5", bucket=6)
    [summary] = rollouts.summaries()
    assert (summary["capability"], summary["percent"], summary["groups"]) == ("chat", 10, ["beta"])
    figures = summary["figures"]
    assert figures["active"]["calls"] == 90 and figures["active"]["errors"] == 9
    assert figures["active"]["p50_ms"] == 20 and figures["active"]["cost_per_call"] == "0.01"
    assert figures["candidate"]["calls"] == 10 and figures["candidate"]["error_rate"] == 0.2
    assert figures["candidate"]["p95_ms"] == 100 and figures["candidate"]["cost_per_call"] == "0.05"
    data = rollouts.summary_as_data(summary)
    assert data["candidate"] == "snapshot:candidate" and data["active"] == "snapshot:active"
    json.dumps(data)


def run_cli(*args):
    out = StringIO()
    call_command("ai_models", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_line_start_change_show_promote(models):
    active, candidate = models
    Group.objects.create(name="beta")
    run_cli("rollout", "start", "--capability", "chat", "--candidate", "snapshot:candidate", "--percent", "10",
            "--group", "beta")
    run_cli("rollout", "change", "--capability", "chat", "--percent", "25")
    [shown] = json.loads(run_cli("rollout", "show", "--json"))
    assert (shown["percent"], shown["groups"], shown["candidate"]) == (25, ["beta"], "snapshot:candidate")
    assert "snapshot:candidate for 25% of users + beta" in run_cli("rollout", "show")
    result = json.loads(run_cli("rollout", "promote", "--capability", "chat", "--json"))
    assert result == {"action": "promote", "capability": "chat", "rollouts": []}
    assert AIModel.objects.get(pk=candidate.pk).is_active


def test_command_line_errors(models):
    with pytest.raises(CommandError, match="No saved model"):
        run_cli("rollout", "start", "--capability", "chat", "--candidate", "snapshot:nope")
    with pytest.raises(CommandError, match="No group 'nope'"):
        run_cli("rollout", "start", "--capability", "chat", "--candidate", "snapshot:candidate", "--group", "nope")
    with pytest.raises(CommandError, match="No rollout"):
        run_cli("rollout", "abort", "--capability", "chat")
    with pytest.raises(CommandError, match="--capability is required"):
        run_cli("rollout", "abort")


@pytest.fixture
def api(client, db):
    client.force_login(make_user("api-boss", superuser=True))
    return client


def test_api_start_change_promote_abort(api, models):
    active, candidate = models
    Group.objects.create(name="beta")
    url = "/api/ai-models/rollouts/chat/"
    response = api.post(url, {"candidate": candidate.pk, "percent": 10, "groups": ["beta"]},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()[0]["percent"] == 10
    response = api.patch(url, {"percent": 30}, content_type="application/json")
    assert response.status_code == 200 and response.json()[0]["percent"] == 30
    assert api.get("/api/ai-models/rollouts/").json()[0]["groups"] == ["beta"]
    assert api.post(url, {"candidate": candidate.pk}, content_type="application/json").status_code == 409
    assert api.post(url + "abort/").json()["aborted"]["id"] == candidate.pk
    api.post(url, {"candidate": candidate.pk, "percent": 5}, content_type="application/json")
    response = api.post(url + "promote/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["replaced"]["id"] == active.pk
    assert response.json()["model"]["id"] == candidate.pk and response.json()["warnings"] == []  # as activate answers
    assert api.post(url + "abort/").status_code in (400, 409)


def test_api_refuses_bad_input_and_users_without_permission(client, models):
    clerk = make_user("clerk")
    client.force_login(clerk)
    url = "/api/ai-models/rollouts/chat/"
    assert client.post(url, {"candidate": models[1].pk}, content_type="application/json").status_code == 403
    client.force_login(make_user("boss", superuser=True))
    assert client.post(url, {"candidate": 999999}, content_type="application/json").status_code == 404
    response = client.post(url, {"candidate": models[1].pk, "percent": 200, "groups": ["nope"]},
                           content_type="application/json")
    assert response.status_code == 400 and "percent" in response.content.decode()
    assert client.post("/api/ai-models/rollouts/telepathy/", {}, content_type="application/json").status_code == 404
    assert member("x")  # nothing was started
    assert not Rollout.objects.exists()


def test_board_gives_each_capability_its_rollout_and_group_models(models):
    active, candidate = models
    third = activation.save(catalog_model("third"), "chat").model
    rollouts.set_group_model("chat", Group.objects.create(name="staff"), third)
    rollouts.set_group_model("chat", Group.objects.create(name="paying"), candidate)
    assert rollouts.board() == {"chat": {"rollout": None, "group_models": [
        {"capability": "chat", "group": "staff", "model": third, "order": 0},
        {"capability": "chat", "group": "paying", "model": candidate, "order": 1},
    ]}}
    rollouts.start("chat", candidate, percent=5)
    board = rollouts.board()
    assert board["chat"]["rollout"]["percent"] == 5 and len(board["chat"]["group_models"]) == 2


def test_the_capability_board_shows_the_rollout_its_figures_and_the_group_models(models, admin_client):
    active, candidate = models
    rollouts.set_group_model("chat", Group.objects.create(name="staff"), active)
    rollouts.start("chat", candidate, percent=10, groups=[Group.objects.create(name="beta")])
    usage(candidate, 10, errors=2, cost="0.5", bucket=6)

    html = admin_client.get("/admin/ai_models/").content.decode()

    assert 'Rollout: <bdi dir="ltr">candidate</bdi> for 10% of users, since' in html
    assert "groups beta" in html and 'href="/admin/ai_models/rollout/"' in html
    assert "candidate: 10 calls, 20.0% errors" in html
    assert 'members of staff: <bdi dir="ltr">active</bdi>' in html
