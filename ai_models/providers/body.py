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
    limit = ai_settings.MAX_RESPONSE_BYTES
    declared = response.headers.get("content-length", "")
    too_large = ProviderResponseError(
        provider_id, _("the response is larger than %(limit)d bytes") % {"limit": limit}, status=response.status_code
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    decoder = _decoder(response, provider_id)
    body, size, received = [], 0, 0
    try:
        for chunk in response.iter_raw():
            received += len(chunk)
            if decoder is not None:
                # Never more than one byte past the cap out of a chunk, however well it compresses.
                chunk = decoder.decompress(chunk, limit - size + 1)
            size += len(chunk)
            if size > limit or received > limit:
                raise too_large
            body.append(chunk)
        if decoder is not None:
            # Every chunk was consumed below the cap, so only zlib's last few bytes remain.
            rest = decoder.flush()
            if size + len(rest) > limit:
                raise too_large
            body.append(rest)
    except zlib.error:
        raise ProviderResponseError(
            provider_id, _("the compressed response could not be decoded"), status=response.status_code
        ) from None
    return b"".join(body)


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
