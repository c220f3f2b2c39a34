"""Base URLs that reach the site's own network are refused when the form is saved, by the
system check, and when the fetch connects, unless ``ALLOWED_HTTP_HOSTS`` lists host and port.

The fetch resolves the name itself and checks every address it connects to, so a name that
looks public when saved and resolves to 127.0.0.1 later (DNS rebinding) is refused too, and
nothing ever connects: a listener on the port the URL names counts connections. The refusal
is the same whether the port is open or closed, so it cannot be used to map ports.
"""

import socket
import threading

import pytest

from ai_models.checks import check_settings
from ai_models.exceptions import ProviderError
from ai_models.models import Provider
from ai_models.providers import build_provider

from .conftest import API_KEY, local_settings
from .pages import PROVIDERS_URL

CASES = {
    "metadata address": "https://169.254.169.254/latest",
    "private address": "https://10.0.0.1/v1",
    "IPv6 loopback": "https://[::1]:{port}/v1",
    "localhost": "https://localhost:{port}/v1",
    "hex loopback": "https://0x7f000001:{port}/v1",
    "short loopback": "https://127.1:{port}/v1",
    "decimal loopback": "https://2130706433:{port}/v1",
    "IPv4-mapped loopback": "https://[::ffff:127.0.0.1]:{port}/v1",
    # Issue 24: notations the form let through.
    "loopback with a trailing dot": "https://127.0.0.1.:{port}/v1",
    "IPv4-compatible loopback": "https://[::127.0.0.1]:{port}/v1",
    "NAT64 loopback": "https://[64:ff9b::7f00:1]:{port}/v1",
    "6to4 loopback": "https://[2002:7f00:1::]:{port}/v1",
    "IETF protocol address": "https://192.0.0.8:{port}/v1",
    "allowed host, another port": "http://127.0.0.1:{port}/v1",
}
IDS = list(CASES)


class Listener:
    """A TCP port on 127.0.0.1 (and ::1 when there is one) that counts the connections it gets."""

    def __init__(self):
        self.connections = 0
        self.sockets = [socket.create_server(("127.0.0.1", 0))]
        self.port = self.sockets[0].getsockname()[1]
        try:
            self.sockets.append(socket.create_server(("::1", self.port), family=socket.AF_INET6))
        except OSError:
            pass  # no IPv6 loopback here
        for sock in self.sockets:
            sock.settimeout(0.1)
            threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        self.stopped = threading.Event()

    def _accept(self, sock):
        while not getattr(self, "stopped", threading.Event()).is_set():
            try:
                conn, _address = sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stopped.set()
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def listener():
    port = Listener()
    yield port
    port.close()


@pytest.fixture
def configured(settings, server, sleeps):
    """Settings whose allow-list names 127.0.0.1 without a port: 80 and 443 only."""

    def configure(**openai):
        ai = local_settings(server, openai={"API_KEY": API_KEY, **openai})
        ai["ALLOWED_HTTP_HOSTS"] = ["127.0.0.1"]
        settings.AI_MODELS = ai

    configure()
    return configure


@pytest.mark.parametrize("case", IDS)
def test_the_form_refuses_it_and_saves_nothing(admin_client, configured, listener, case):
    url = CASES[case].format(port=listener.port)
    data = {"slug": "openai", "name": "", "base_url": url, "api_key": API_KEY, "is_active": "on"}

    response = admin_client.post(PROVIDERS_URL + "add/", data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["base_url"]
    assert "AI_MODELS['ALLOWED_HTTP_HOSTS']" in " ".join(errors)
    assert not Provider.objects.exists()


@pytest.mark.parametrize("case", IDS)
def test_the_check_refuses_it_in_settings(configured, listener, case):
    configured(BASE_URL=CASES[case].format(port=listener.port))

    errors = [message for message in check_settings() if message.id == "ai_models.E007" and "['openai']" in message.msg]

    assert len(errors) == 1 and "ALLOWED_HTTP_HOSTS" in errors[0].msg


@pytest.mark.parametrize("case", IDS)
def test_the_fetch_refuses_it_without_connecting(db, configured, listener, case):
    row = Provider(slug="openai", base_url=CASES[case].format(port=listener.port))
    row.api_key = API_KEY
    row.save()  # stored before the rules, or straight into the database: no form, no validation

    with pytest.raises(ProviderError, match="openai: the base URL is not allowed: .*ALLOWED_HTTP_HOSTS"):
        build_provider("openai", row).fetch_catalog()

    assert listener.connections == 0


@pytest.fixture
def resolver(monkeypatch):
    """Names of our own, resolved as a hostile DNS server would; other names as usual."""
    names = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in names[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def test_a_name_that_resolves_to_loopback_when_fetched_is_refused_at_connect_time(
    admin_client, configured, listener, resolver
):
    url = f"https://rebind.example:{listener.port}/v1"
    data = {"slug": "openai", "name": "", "base_url": url, "api_key": API_KEY, "is_active": "on"}
    assert admin_client.post(PROVIDERS_URL + "add/", data).status_code == 302  # a name: nothing to see yet
    resolver["rebind.example"] = ["127.0.0.1"]  # ... until it is resolved

    with pytest.raises(ProviderError) as caught:
        build_provider("openai", Provider.objects.get()).fetch_catalog()

    assert str(caught.value) == (
        "openai: the base URL is not allowed: rebind.example resolves to 127.0.0.1, a loopback, private or "
        f"reserved address; add rebind.example:{listener.port} to AI_MODELS['ALLOWED_HTTP_HOSTS'] if this "
        "server is yours."
    )
    assert listener.connections == 0


def test_a_name_with_one_internal_address_among_public_ones_is_refused(db, configured, listener, resolver):
    resolver["mixed.example"] = ["93.184.215.14", "10.1.2.3"]
    configured(BASE_URL=f"https://mixed.example:{listener.port}/v1")

    with pytest.raises(ProviderError, match="mixed.example resolves to 10.1.2.3"):
        build_provider("openai").fetch_catalog()


def test_an_allowed_name_and_port_is_reached_at_its_internal_address(settings, server, sleeps, resolver):
    resolver["llm.lan"] = ["127.0.0.1"]
    ai = local_settings(server, openai={"API_KEY": API_KEY, "BASE_URL": f"http://llm.lan:{server.port}/openai/v1"})
    ai["ALLOWED_HTTP_HOSTS"] = [f"llm.lan:{server.port}"]
    settings.AI_MODELS = ai

    models = build_provider("openai").fetch_catalog()

    assert [model.model_id for model in models] == ["gpt-4.1-mini", "gpt-image-1", "tts-1"]
    assert server.requests[0][1]["Authorization"] == f"Bearer {API_KEY}"


def test_an_open_and_a_closed_port_are_refused_alike(db, configured, listener):
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    said = []
    for port in (listener.port, closed_port):
        row = Provider(slug="openai", base_url=f"https://127.1:{port}/v1")
        row.api_key = API_KEY
        with pytest.raises(ProviderError) as caught:
            build_provider("openai", row).fetch_catalog()
        said.append(str(caught.value).replace(str(port), "PORT"))

    assert said[0] == said[1]
    assert listener.connections == 0
