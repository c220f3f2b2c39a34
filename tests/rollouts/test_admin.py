"""The admin's Rollouts page: figures, Promote and Abort in one step each, start and change."""

from django.contrib.auth.models import Group
from django.contrib.admin.models import LogEntry

from ai_models.activation import rollouts
from ai_models.models import AIModel, Rollout
from tests.admin.conftest import make_user

URL = "/admin/ai_models/rollout/"


def test_the_page_shows_each_rollout_with_its_figures(admin_client, models):
    rollouts.start("chat", models[1], percent=10, groups=[Group.objects.create(name="beta")])
    html = admin_client.get(URL).content.decode()
    assert "on 10% of users" in html and "beta" in html and "Promote" in html and "Abort" in html
    assert html.count("aim-rollout-candidate") == 1 and html.count("aim-rollout-active") == 1


def test_promote_and_abort_are_one_step_each(admin_client, models):
    active, candidate = models
    rollouts.start("chat", candidate, percent=10)
    response = admin_client.post(URL, {"action": "abort", "capability": "chat"}, follow=True)
    assert "Aborted the rollout" in response.content.decode() and not Rollout.objects.exists()
    rollouts.start("chat", candidate, percent=10)
    response = admin_client.post(URL, {"action": "promote", "capability": "chat"}, follow=True)
    assert "it is the active model now" in response.content.decode()
    assert AIModel.objects.get(pk=candidate.pk).is_active and not Rollout.objects.exists()
    assert LogEntry.objects.filter(object_id=str(candidate.pk)).count() == 2  # abort, promote (starts: code)


def test_start_and_change_from_the_form(admin_client, models):
    candidate = models[1]
    admin_client.post(URL, {"action": "start", "candidate": candidate.pk, "percent": 20})
    assert Rollout.objects.get().percent == 20
    response = admin_client.post(URL, {"action": "change", "candidate": candidate.pk, "percent": 200}, follow=True)
    assert "Nothing was changed" in response.content.decode() and Rollout.objects.get().percent == 20
    admin_client.post(URL, {"action": "change", "candidate": candidate.pk, "percent": 40})
    assert Rollout.objects.get().percent == 40
    response = admin_client.post(URL, {"action": "start", "candidate": candidate.pk, "percent": 5}, follow=True)
    assert "running already" in response.content.decode()


def test_viewers_see_but_cannot_act(client, models):
    rollouts.start("chat", models[1], percent=10)
    client.force_login(make_user("viewer", "ai_models.view_rollout"))
    html = client.get(URL).content.decode()
    assert "on 10% of users" in html and "Promote" not in html
    assert client.post(URL, {"action": "abort", "capability": "chat"}).status_code == 403
    assert Rollout.objects.exists()
    client.force_login(make_user("nobody"))
    assert client.get(URL).status_code == 403


def test_group_models_are_given_and_removed_from_the_page(admin_client, models):
    from ai_models.models import GroupModel

    active, candidate = models
    staff = Group.objects.create(name="staff")
    response = admin_client.post(URL, {"action": "set_group_model", "group": staff.pk, "model": candidate.pk},
                                 follow=True)
    assert "Members of staff now get" in response.content.decode()
    assert GroupModel.objects.get(group=staff).model == candidate
    html = admin_client.get(URL).content.decode()
    assert '<tr data-group="staff">' in html and "Remove" in html
    response = admin_client.post(URL, {"action": "remove_group_model", "capability": "chat", "group": "staff"},
                                 follow=True)
    assert "Members of staff get the usual model again." in response.content.decode()
    assert not GroupModel.objects.exists()
    assert LogEntry.objects.filter(object_id=str(candidate.pk)).count() == 2  # given, removed


def test_a_viewer_sees_the_group_models_without_the_forms(client, models):
    rollouts.set_group_model("chat", Group.objects.create(name="staff"), models[1])
    client.force_login(make_user("viewer", "ai_models.view_rollout"))
    html = client.get(URL).content.decode()
    assert '<tr data-group="staff">' in html and "remove_group_model" not in html and "set_group_model" not in html
    response = client.post(URL, {"action": "remove_group_model", "capability": "chat", "group": "staff"})
    assert response.status_code == 403
