"""Reading a provider's answer within the size cap, however it is compressed.

httpx undoes every content coding before a caller sees a byte, so ``gzip, gzip`` of a few
kilobytes became gigabytes before any cap could count them. Here the raw bytes are read and
at most one gzip or deflate layer is decoded, chunk by chunk, never more than a byte past
``MAX_RESPONSE_BYTES``; stacked or unknown codings are refused before anything is decoded.
"""

import zlib

import httpx
from django.utils.translation import gettext as _

from ..conf import ai_settings
from ..exceptions import ProviderResponseError

CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def read_body(response: httpx.Response, provider_id: str) -> bytes:
    """The decoded body of a streamed ``response``; ``ProviderResponseError`` past the cap,
    for a refused coding, or for compressed data that does not decode."""
    reader = CappedReader(response, provider_id)
    for chunk in response.iter_raw():
        reader.feed(chunk)
    return reader.finish()


async def aread_body(response: httpx.Response, provider_id: str) -> bytes:
    """``read_body`` for a response streamed by an ``httpx.AsyncClient``."""
    reader = CappedReader(response, provider_id)
    async for chunk in response.aiter_raw():
        reader.feed(chunk)
    return reader.finish()


class CappedReader:
    """The raw chunks of one answer in, its decoded body out, never past ``MAX_RESPONSE_BYTES``
    (the I/O is the caller's, so the sync and async reads share every check)."""

    def __init__(self, response: httpx.Response, provider_id: str):
        self.response, self.provider_id = response, provider_id
        self.limit = ai_settings.MAX_RESPONSE_BYTES
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self.too_large()
        self.decoder = _decoder(response, provider_id)
        self.body, self.size, self.received = [], 0, 0

    def too_large(self) -> ProviderResponseError:
        return ProviderResponseError(
            self.provider_id,
            _("the response is larger than %(limit)d bytes") % {"limit": self.limit},
            status=self.response.status_code,
        )

    def undecodable(self) -> ProviderResponseError:
        return ProviderResponseError(
            self.provider_id, _("the compressed response could not be decoded"), status=self.response.status_code
        )

    def feed(self, chunk: bytes):
        self.received += len(chunk)
        if self.decoder is not None:
            try:
                # Never more than one byte past the cap out of a chunk, however well it compresses.
                chunk = self.decoder.decompress(chunk, self.limit - self.size + 1)
            except zlib.error:
                raise self.undecodable() from None
        self.size += len(chunk)
        if self.size > self.limit or self.received > self.limit:
            raise self.too_large()
        self.body.append(chunk)

    def finish(self) -> bytes:
        if self.decoder is not None:
            # Every chunk was consumed below the cap, so only zlib's last few bytes remain.
            try:
                rest = self.decoder.flush()
            except zlib.error:
                raise self.undecodable() from None
            if self.size + len(rest) > self.limit:
                raise self.too_large()
            self.body.append(rest)
        return b"".join(self.body)


def _decoder(response: httpx.Response, provider_id: str):
    """A zlib decompressor for the answer's one content coding, or ``None`` when it is not encoded."""
    header = response.headers.get("content-encoding", "")
    codings = [coding.strip().lower() for coding in header.split(",") if coding.strip().lower() not in ("", "identity")]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in CODINGS:
        raise ProviderResponseError(
            provider_id,
            _("refused an answer in the content coding %(coding)s: only one layer of gzip or deflate is read")
            % {"coding": ", ".join(codings)},
            status=response.status_code,
        )
    return zlib.decompressobj(CODINGS[codings[0]])
