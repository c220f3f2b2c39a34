"""The HTTP half shared by every provider reached over HTTP.

``HTTPProvider`` owns the client (one per fetch, ``trust_env=False``, explicit timeouts,
vetted addresses and one deadline per exchange: see ``network``), the auth header, retries
on 429/5xx honouring ``Retry-After``, a cap on the response size counted as the body is
decoded, same-host-only redirects, JSON decoding and the mapping of every failure to a
``ProviderError`` that names the provider and never contains the key (nor an obvious
transform of it). Provider modules only say where to go and how to parse.
"""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx
from django.core.exceptions import ValidationError

from .. import __version__
from ..conf import ai_settings
from ..exceptions import Told as _  # translated now, told again in each reader's language
from ..exceptions import (
    ProviderAuthError,
    ProviderError,
    ProviderResponseError,
    ProviderUnavailable,
    contains_secret,
    redact,
)
from ..validators import validate_base_url
from . import media
from .body import read_body
from .network import AddressRefused, GuardedNetwork, GuardedTransport
from .base import BaseProvider, Generation

# Looked up at call time so tests patch it (``ai_models.providers.http.sleep``) and never wait.
sleep = time.sleep

MAX_REDIRECTS = 3
MAX_PAGES = 100
EXCERPT_CHARS = 200
BACKOFF_SECONDS = 0.5
USER_AGENT = f"django-ai-models/{__version__}"


@dataclass(frozen=True)
class Reply:
    """A provider's answer, its body read in full (within the size cap)."""

    status: int
    headers: httpx.Headers
    content: bytes
    url: httpx.URL

    @property
    def next_link(self) -> str | None:
        """The ``Link: <...>; rel="next"`` target, if any."""
        header = self.headers.get("link")
        if not header:
            return None
        links = httpx.Response(self.status, headers={"link": header}).links
        return links.get("next", {}).get("url") or None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


class HTTPProvider(BaseProvider):
    """Base of the providers reached over HTTP: owns the client, retries, caps and errors."""

    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"  # "" sends the bare key (Gemini's x-goog-api-key)
    default_options: ClassVar[dict] = {
        "GENERATION_TIMEOUT": 120.0,  # seconds to wait for a model's answer; images are slow
    }
    # OpenAI-style endpoints this provider offers for calling models (None: not offered).
    chat_path: ClassVar[str | None] = None
    embeddings_path: ClassVar[str | None] = None
    images_path: ClassVar[str | None] = None
    speech_path: ClassVar[str | None] = None

    # -- configuration ---------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request; empty when no key is set."""
        if not self.api_key:
            return {}
        value = f"{self.auth_scheme} {self.api_key}" if self.auth_scheme else self.api_key
        return {self.auth_header: value}

    def url(self, path: str) -> str:
        """``path`` under the base URL."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def invocation_headers(self) -> dict[str, str]:
        """Headers that authenticate a call to a model (the listing's by default)."""
        return self.auth_headers()

    def _check_base_url(self) -> httpx.URL:
        # The same rule as the admin form and check E007 (``validate_base_url``), enforced again
        # here because a setting or an allow-list may have changed since the URL was saved.
        if not self.base_url:  # a generic class has no default: the host names its server
            raise ProviderError(
                self.id,
                _("no base URL configured; set AI_MODELS['PROVIDERS'][%(id)r]['BASE_URL'] or add one in the admin")
                % {"id": self.id},
            )
        try:
            validate_base_url(self.base_url)
        except ValidationError as err:
            raise ProviderError(
                self.id, _("the base URL is not allowed: %(reason)s") % {"reason": " ".join(err.messages)}
            ) from None
        return httpx.URL(self.base_url)

    @contextmanager
    def client(self, *, invoking: bool = False) -> Iterator[httpx.Client]:
        """One configured ``httpx.Client`` for one fetch or call. Checks the key and base URL first.

        ``invoking``: for a call to a model, which always needs a key and may take longer
        (``GENERATION_TIMEOUT``) than a list.
        """
        self.require_key(always=invoking)
        self._check_base_url()
        read_timeout = float(self.option("GENERATION_TIMEOUT")) if invoking else ai_settings.READ_TIMEOUT
        timeout = httpx.Timeout(read_timeout, connect=ai_settings.CONNECT_TIMEOUT)
        auth = self.invocation_headers() if invoking else self.auth_headers()
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "gzip, deflate", **auth}
        network = GuardedNetwork()
        with httpx.Client(
            timeout=timeout,
            headers=headers,
            trust_env=False,
            follow_redirects=False,
            transport=GuardedTransport(network),
        ) as client:
            client.network = network  # read by _exchange, which starts each exchange's deadline
            yield client

    # -- requests --------------------------------------------------------------------------

    def request(self, client: httpx.Client, method: str, url: str, **kwargs) -> Reply:
        """Send one request (``params=``, ``json=`` as for httpx), retrying 429/5xx; a 2xx ``Reply``.

        Raises ``ProviderAuthError`` (401/403), ``ProviderUnavailable`` (unreachable, timed out,
        still 429/5xx after ``MAX_RETRIES``) or ``ProviderResponseError`` (anything else).
        """
        attempt = 0
        while True:
            reply = self._send(client, method, url, **kwargs)
            retryable = reply.status == 429 or reply.status >= 500
            if not retryable or attempt >= ai_settings.MAX_RETRIES:
                break
            sleep(self.retry_wait(reply, attempt))
            attempt += 1
        self.check_status(reply, attempts=attempt + 1)
        return reply

    def retry_wait(self, reply: Reply, attempt: int) -> float:
        """Seconds to wait before retry ``attempt``: ``Retry-After`` or exponential backoff, capped."""
        wait = retry_after_seconds(reply.headers.get("retry-after"))
        if wait is None:
            wait = BACKOFF_SECONDS * 2**attempt
        return min(wait, ai_settings.MAX_RETRY_WAIT)

    def _send(self, client: httpx.Client, method: str, url: str, **kwargs) -> Reply:
        try:
            request = client.build_request(method, url, **kwargs)
        except httpx.InvalidURL as err:
            raise ProviderError(self.id, _("cannot build a request to an invalid URL")) from err
        origin = _origin(httpx.URL(self.base_url))
        if _origin(request.url) != origin:
            raise ProviderResponseError(
                self.id, _("refused to follow a link to another host (%(host)s)") % {"host": request.url.host}
            )
        for _hop in range(MAX_REDIRECTS + 1):
            reply, redirect = self._exchange(client, request)
            if reply is not None:
                return reply
            request = redirect.next_request
            if _origin(request.url) != origin:
                raise ProviderResponseError(
                    self.id,
                    _("refused a redirect to another host (%(host)s)") % {"host": request.url.host},
                    status=redirect.status_code,
                )
        raise ProviderResponseError(self.id, _("too many redirects"), status=redirect.status_code)

    def _exchange(self, client: httpx.Client, request: httpx.Request):
        """One round trip: ``(reply, None)``, or ``(None, response)`` for a redirect."""
        # The read timeout bounds each socket read; the deadline bounds the whole exchange
        # (connect, headers, body), so an answer trickling in a byte at a time cannot hold a
        # fetch, or a request thread, past it.
        seconds = (client.timeout.connect or 0) + (client.timeout.read or 0)
        network = getattr(client, "network", None)
        if network is not None:
            network.start(seconds)
        try:
            response = client.send(request, stream=True)
            try:
                if response.next_request is not None:
                    return None, response
                body = read_body(response, self.id)
                return Reply(response.status_code, response.headers, body, request.url), None
            finally:
                response.close()
        except AddressRefused as err:
            raise ProviderError(self.id, _("the base URL is not allowed: %(reason)s") % {"reason": err}) from None
        except httpx.HTTPError as err:
            failure = err
        if network is not None and network.expired:
            raise ProviderUnavailable(
                self.id, _("timed out: no complete answer within %(seconds)g s") % {"seconds": seconds}
            ) from None
        # Raised outside the handler so the httpx error is chained only through _safe(), never as context.
        raise self._transport_error(failure) from self._safe(failure)

    def _transport_error(self, err: httpx.HTTPError) -> ProviderError:
        if isinstance(err, httpx.TimeoutException):
            return ProviderUnavailable(self.id, _("timed out: the provider is unreachable"))
        if isinstance(err, httpx.TransportError):
            return ProviderUnavailable(
                self.id, _("the provider is unreachable (%(error)s)") % {"error": type(err).__name__}
            )
        return ProviderResponseError(self.id, _("the response could not be read"))

    def _safe(self, err: Exception) -> Exception | None:
        # httpx errors carry the request URL; should a key ever get there, drop the chain.
        return None if contains_secret(str(err), self.api_key) else err

    # -- answers ---------------------------------------------------------------------------

    def excerpt(self, content: bytes) -> str:
        """About 200 characters of a body, whitespace collapsed, the key redacted."""
        text = " ".join(content[: EXCERPT_CHARS * 10].decode("utf-8", "replace").split())
        text = redact(text, self.api_key)
        return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rstrip() + "…"

    def check_status(self, reply: Reply, attempts: int = 1):
        """Raise the ``ProviderError`` a non-2xx status means."""
        status = reply.status
        if 200 <= status < 300:
            return
        details = {"status": status, "excerpt": self.excerpt(reply.content)}
        if status in (401, 403):
            if self.api_key:
                message = self._rejected_key_message()
            else:
                message = _("the provider asks for an API key; set %(setting)s or add one in the admin") % {
                    "setting": self.api_key_env or "API_KEY"
                }
            raise ProviderAuthError(self.id, message, **details)
        if status == 429:
            raise ProviderUnavailable(
                self.id, _("rate limited after %(attempts)d attempts") % {"attempts": attempts}, **details
            )
        if status >= 500:
            raise ProviderUnavailable(
                self.id, _("server error after %(attempts)d attempts") % {"attempts": attempts}, **details
            )
        raise ProviderResponseError(self.id, _("the request was refused"), **details)

    def _rejected_key_message(self) -> str:
        if self.key_source == "environment" and self.api_key_env:
            return _("the API key in the environment variable %(env)s was rejected") % {"env": self.api_key_env}
        if self.key_source == "settings":
            return _("the API key in AI_MODELS['PROVIDERS'] was rejected")
        if self.key_source == "database":
            return _("the API key stored in the admin was rejected")
        return _("the API key was rejected")

    def decode_json(self, reply: Reply) -> Any:
        """The body as JSON, or ``ProviderResponseError`` with the status and an excerpt.

        The key, should the provider echo it in any obvious form, is redacted before decoding:
        what it sent then reaches no page, cache or command output.
        """
        try:
            text = reply.content.decode(json.detect_encoding(reply.content))
            return json.loads(redact(text, self.api_key))
        except ValueError as err:
            raise ProviderResponseError(
                self.id,
                _("the answer is not JSON"),
                status=reply.status,
                excerpt=self.excerpt(reply.content),
            ) from err

    def get_json(self, client: httpx.Client, url: str, **kwargs) -> tuple[Any, Reply]:
        reply = self.request(client, "GET", url, **kwargs)
        return self.decode_json(reply), reply

    # -- listing ---------------------------------------------------------------------------

    list_path: ClassVar[str] = "/models"
    list_params: ClassVar[dict] = {}

    def page_items(self, data: Any, reply: Reply) -> list:
        """The model entries of one page; a wrong shape is reported with the status and an excerpt."""
        try:
            return self.payload_items(data)
        except ProviderResponseError as err:
            raise ProviderResponseError(
                self.id,
                _("unexpected answer, expected %(shape)s") % {"shape": self.payload_shape()},
                status=reply.status,
                excerpt=self.excerpt(reply.content),
            ) from err

    def next_page(self, data: Any, reply: Reply, url: str, params: dict) -> tuple[str, dict] | None:
        """``(url, params)`` of the page after this one, or ``None`` on the last page."""
        return None

    def collect_pages(self, client: httpx.Client, url: str, params: dict | None = None, limit: int | None = None):
        """Every entry across pages (at most ``limit``), following ``next_page``."""
        items, params = [], dict(params or {})
        seen = {str(httpx.URL(url).copy_merge_params(params))}
        for _page in range(MAX_PAGES):
            # httpx replaces a URL's query with ``params`` even when empty: a "next" link keeps its own.
            data, reply = self.get_json(client, url, params=params or None)
            items += self.page_items(data, reply)
            self.check_count(len(items))
            if limit is not None and len(items) >= limit:
                return items[:limit]
            following = self.next_page(data, reply, url, params)
            if following is None:
                return items
            url, params = following
            marker = str(httpx.URL(url).copy_merge_params(params))
            if marker in seen:  # a provider pointing back at a page already read
                return items
            seen.add(marker)
        raise ProviderResponseError(self.id, _("more than %(pages)d pages of models") % {"pages": MAX_PAGES})

    def fetch_payload(self) -> Any:
        """All pages of ``list_path``, as ``{items_key: [...]}`` (or a bare list)."""
        with self.client() as client:
            items = self.collect_pages(client, self.url(self.list_path), dict(self.list_params))
        return items if self.items_key is None else {self.items_key: items}

    # -- invocation (OpenAI-style endpoints) -----------------------------------------------

    def post(self, path: str, body: dict, *, accept: str = "application/json") -> Reply:
        """POST ``body`` as JSON to ``path`` with the invocation client; a 2xx ``Reply``."""
        with self.client(invoking=True) as client:
            return self.request(client, "POST", self.url(path), json=body, headers={"Accept": accept})

    def post_json(self, path: str, body: dict) -> tuple[Any, Reply]:
        reply = self.post(path, body)
        data = self.decode_json(reply)
        if not isinstance(data, dict):
            raise self.unusable(reply, _("a JSON object"))
        return data, reply

    def unusable(self, reply: Reply, expected: str) -> ProviderResponseError:
        """The error for an answer that lacks what the call needs."""
        return ProviderResponseError(
            self.id,
            _("unexpected answer, expected %(expected)s") % {"expected": expected},
            status=reply.status,
            excerpt=self.excerpt(reply.content),
        )

    def chat_completion(self, model_id: str, messages: list[dict], **params) -> tuple[dict, dict, Reply]:
        """``(answer, first choice's message, reply)`` from ``POST {chat_path}``."""
        data, reply = self.post_json(self.chat_path, {**params, "model": model_id, "messages": messages})
        try:
            message = data["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            message = None
        if not isinstance(message, dict):
            raise self.unusable(reply, _("a chat completion with a message"))
        return data, message, reply

    def chat(self, model_id: str, messages: list[dict], **params) -> Generation:
        if not self.chat_path:
            return super().chat(model_id, messages, **params)
        data, message, reply = self.chat_completion(model_id, messages, **params)
        content = message.get("content")
        if isinstance(content, list):  # content parts, as some providers answer
            content = "".join(part.get("text") or "" for part in content if isinstance(part, dict))
        if content is not None and not isinstance(content, str):
            raise self.unusable(reply, _("text content"))
        return Generation(
            kind="text", provider=self.id, model_id=model_id, text=content or "", raw=media.without_binary(data)
        )

    def embed(self, model_id: str, texts: list[str]) -> Generation:
        if not self.embeddings_path:
            return super().embed(model_id, texts)
        data, reply = self.post_json(self.embeddings_path, {"model": model_id, "input": list(texts)})
        try:
            rows = sorted(data["data"], key=lambda row: row.get("index", 0))
            vectors = tuple(tuple(float(number) for number in row["embedding"]) for row in rows)
        except (KeyError, TypeError, ValueError, AttributeError):
            vectors = ()
        if len(vectors) != len(texts) or not all(vectors):
            raise self.unusable(reply, _("one embedding per input"))
        return Generation(
            kind="embedding", provider=self.id, model_id=model_id, vectors=vectors, raw={"model": data.get("model")}
        )

    def generate_image(self, model_id: str, prompt: str, *, size: str = "1024x1024") -> Generation:
        if not self.images_path:
            return super().generate_image(model_id, prompt, size=size)
        body = {"model": model_id, "prompt": prompt, "size": size, "n": 1}
        if model_id.rsplit("/", 1)[-1].startswith("dall-e"):
            # GPT Image models always answer in base64 and reject this parameter; DALL·E
            # would otherwise answer with a URL on another host.
            body["response_format"] = "b64_json"
        data, reply = self.post_json(self.images_path, body)
        try:
            image = media.decode_base64(data["data"][0]["b64_json"])
        except (KeyError, IndexError, TypeError, ValueError):
            image = b""
        mime_type = media.sniff_image_type(image)
        if not mime_type:
            raise self.unusable(reply, _("base64 image data"))
        return Generation(
            kind="image",
            provider=self.id,
            model_id=model_id,
            data=image,
            mime_type=mime_type,
            raw=media.without_binary(data),
        )

    def synthesize_speech(
        self, model_id: str, text: str, *, voice: str = "alloy", audio_format: str = "mp3"
    ) -> Generation:
        if not self.speech_path:
            return super().synthesize_speech(model_id, text, voice=voice, audio_format=audio_format)
        body = {"model": model_id, "input": text, "voice": voice, "response_format": audio_format}
        reply = self.post(self.speech_path, body, accept="audio/*")
        declared = reply.headers.get("content-type", "").split(";")[0].strip().lower()
        if not reply.content or declared.startswith(("application/json", "text/")):
            raise self.unusable(reply, _("audio data"))
        mime_type = declared if declared.startswith("audio/") else media.AUDIO_TYPES.get(audio_format, "")
        return Generation(
            kind="audio",
            provider=self.id,
            model_id=model_id,
            data=reply.content,
            mime_type=mime_type or "application/octet-stream",
            raw={"content_type": declared, "bytes": len(reply.content)},
        )
