"""The example project mounts the HTTP API: the README's curl call works against it."""

import base64

import pytest

pytest.importorskip("rest_framework", reason="the HTTP API needs the rest extra")


def test_the_readme_curl_call_lists_the_active_models(client, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "admin")
    credentials = base64.b64encode(b"admin:admin").decode()

    response = client.get("/api/ai-models/active/", HTTP_AUTHORIZATION=f"Basic {credentials}")

    assert response.status_code == 200
    assert [row["capability"] for row in response.json()] == ["chat", "content", "image", "audio"]
