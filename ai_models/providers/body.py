"""Reading a provider's answer within the size cap, however it is compressed, and never more
objects than memory allows.

httpx undoes every content coding before a caller sees a byte, so ``gzip, gzip`` of a few
kilobytes became gigabytes before any cap could count them. The guarded transport (``transport``)
hands the raw bytes of every answer to a ``BodyReader``, which decodes at most one gzip or deflate
layer, chunk by chunk, never more than a byte past ``MAX_RESPONSE_BYTES``; stacked or unknown
codings are refused before anything is decoded. The library above then sees a plain body.

Within the cap, 20 MB of ``[{},{},…]`` still becomes gigabytes of Python objects once decoded as
JSON. So the reader also counts, as the bytes go by, what decoding them could build (an estimate
from the brackets, separators and quotes, each priced above what CPython allocates for it) and
refuses an answer whose estimate passes ``OBJECT_BUDGET`` times the cap. Server-sent events (the
SDK's streams) are decoded one event at a time, so there the estimate applies to each event.
"""

import zlib

from ..conf import ai_settings
from ..exceptions import ProviderResponseError
from ..exceptions import Told as _  # translated now, told again in each reader's language

CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
# Bytes an object may take once decoded, by the character that announces it: a dict (with its
# first keys), a list, each further value or key, each string (two quotes).
OBJECT_COST = ((b"{", 200), (b"[", 64), (b",", 40), (b":", 40), (b'"', 16))
# The decoded objects of an answer may take this many times the body cap; with the body itself,
# its decoded text and the bytes read, the whole stays under ten times the cap.
OBJECT_BUDGET = 5
# Answers that are never decoded as JSON: their objects are not counted.
BINARY_TYPES = ("audio/", "image/", "video/", "application/octet-stream")


def object_cost(data: bytes) -> int:
    """What decoding ``data`` as JSON could allocate, in bytes (an upper estimate)."""
    return sum(data.count(char) * cost for char, cost in OBJECT_COST)


class BodyReader:
    """The raw chunks of one answer in, its decoded chunks out, never past ``MAX_RESPONSE_BYTES``
    nor past the object budget (the I/O is the transport's, so sync and async share every check)."""

    def __init__(self, status: int, headers, provider_id: str):
        self.status, self.provider_id = status, provider_id
        self.limit = ai_settings.MAX_RESPONSE_BYTES
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self.too_large()
        self.decoder = _decoder(headers, status, provider_id)
        content_type = headers.get("content-type", "").lower()
        self.counted = not content_type.startswith(BINARY_TYPES)
        self.events = content_type.startswith("text/event-stream")
        self.size = self.received = self.objects = 0

    def too_large(self) -> ProviderResponseError:
        return ProviderResponseError(
            self.provider_id,
            _("the response is larger than %(limit)d bytes") % {"limit": self.limit},
            status=self.status,
        )

    def undecodable(self) -> ProviderResponseError:
        return ProviderResponseError(
            self.provider_id, _("the compressed response could not be decoded"), status=self.status
        )

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of ``chunk``."""
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
        self.count(chunk)
        return chunk

    def finish(self) -> bytes:
        """What the decoder still held once the raw body ended."""
        if self.decoder is None:
            return b""
        # Every chunk was consumed below the cap, so only zlib's last few bytes remain.
        try:
            rest = self.decoder.flush()
        except zlib.error:
            raise self.undecodable() from None
        self.size += len(rest)
        if self.size > self.limit:
            raise self.too_large()
        self.count(rest)
        return rest

    def count(self, chunk: bytes):
        if not self.counted or not chunk:
            return
        if self.events:
            end = max(chunk.rfind(b"\n\n"), chunk.rfind(b"\r\n\r\n"))
            if end >= 0:  # the events ending in this chunk are over: count from the next one
                self.objects += object_cost(chunk[:end])
                self.check_objects()
                self.objects, chunk = 0, chunk[end:]
        self.objects += object_cost(chunk)
        self.check_objects()

    def check_objects(self):
        if self.objects > OBJECT_BUDGET * self.limit:
            raise ProviderResponseError(
                self.provider_id,
                _("the answer holds more values than %(megabytes)d MB of memory can decode")
                % {"megabytes": OBJECT_BUDGET * self.limit // 2**20 or 1},
                status=self.status,
            )


def _decoder(headers, status: int, provider_id: str):
    """A zlib decompressor for the answer's one content coding, or ``None`` when it is not encoded."""
    header = headers.get("content-encoding", "")
    codings = [coding.strip().lower() for coding in header.split(",") if coding.strip().lower() not in ("", "identity")]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in CODINGS:
        raise ProviderResponseError(
            provider_id,
            _("refused an answer in the content coding %(coding)s: only one layer of gzip or deflate is read")
            % {"coding": ", ".join(codings)},
            status=status,
        )
    return zlib.decompressobj(CODINGS[codings[0]])
