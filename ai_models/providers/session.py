"""What ``HTTPProvider`` sends through: the client kept per provider and origin, and the ``Session``
of one fetch or call (that client with the request's headers and timeout).

One ``httpx.Client`` per provider id and base URL origin for the life of the process, one
``httpx.AsyncClient`` per event loop (``kept``), each over the guarded ``transport``: built once,
so a call costs what its HTTP costs. Nothing is kept between calls but connections: the key and
timeouts go with each request, cookies are refused, proxy variables ignored, redirects left to
the provider to follow (or refuse).
"""

from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from .. import __version__
from .kept import kept, kept_for_loop
from .transport import guarded_transport, url_origin

USER_AGENT = f"django-ai-models/{__version__}"
HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json"}  # Accept-Encoding: the transport's


@dataclass(frozen=True)
class Session:
    """A kept client with the headers and timeout of one fetch or call (what ``client()`` yields)."""

    client: httpx.Client | httpx.AsyncClient
    headers: dict
    timeout: httpx.Timeout
    meter: object = None  # the ``usage.Meter`` of a call to a saved model: its exchanges are counted

    @property
    def seconds(self) -> float:
        """The deadline of each exchange: connect + read timeout, over connect, headers and body."""
        return (self.timeout.connect or 0) + (self.timeout.read or 0)


def provider_client(provider_id: str, base_url: str, *, asynchronous: bool = False):
    """The client kept for ``provider_id`` at ``base_url``'s origin (for the running loop, if async)."""
    key = ("ai_models", provider_id, url_origin(base_url))
    client_class = httpx.AsyncClient if asynchronous else httpx.Client

    def build():
        transport = guarded_transport(base_url, provider_id, asynchronous=asynchronous)
        # A kept client serves every call to its provider: nothing one answer sets follows the next.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        return client_class(headers=HEADERS, transport=transport, trust_env=False, follow_redirects=False,
                            cookies=no_cookies)

    return kept_for_loop(key, build) if asynchronous else kept(key, build)
