import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from ai_models.checks import check_settings
from ai_models.models import Provider
from ai_models.validators import validate_base_url


@pytest.mark.parametrize(
    "url",
    ["", "https://api.openai.com/v1", "https://llm.internal.example:8443/v1/"],
)
def test_https_urls_are_accepted(url):
    validate_base_url(url)


@pytest.mark.parametrize(
    "url, code",
    [
        ("http://api.openai.com/v1", "insecure"),
        ("ftp://example.com", "scheme"),
        ("file:///etc/passwd", "invalid"),
        ("https://user:secret@example.com/v1", "credentials"),
        ("https://example.com/v1?redirect=http://evil", "query"),
        ("https://example.com:99999/v1", "invalid"),
    ],
)
def test_unsafe_urls_are_refused_with_a_reason(url, code):
    with pytest.raises(ValidationError) as caught:
        validate_base_url(url)
    assert caught.value.code == code


def test_plain_http_only_to_allowed_hosts_and_ports():
    with override_settings(AI_MODELS={"ALLOWED_HTTP_HOSTS": ["localhost:11434", "llm.lan"]}):
        validate_base_url("http://localhost:11434/v1")
        validate_base_url("http://llm.lan/v1")  # an entry without a port allows the default ports
        for refused in ("http://169.254.169.254/latest", "http://localhost:6379/", "http://llm.lan:8080/v1"):
            with pytest.raises(ValidationError):
                validate_base_url(refused)


def test_model_validation_refuses_an_http_override(db):
    provider = Provider(slug="openai", base_url="http://example.com/v1")
    with pytest.raises(ValidationError) as caught:
        provider.full_clean()
    assert "base_url" in caught.value.message_dict


@override_settings(AI_MODELS={"PROVIDERS": {"openai": {"BASE_URL": "http://example.com/v1"}}})
def test_settings_override_is_checked():
    assert [m.id for m in check_settings() if m.id.startswith("ai_models.E")] == ["ai_models.E007"]
