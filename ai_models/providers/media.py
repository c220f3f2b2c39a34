"""Pure helpers for generated media: decoding what providers send, making the demo's own.

No I/O. The PNG and WAV writers use only the standard library (zlib, struct), so the offline
snapshot answers with real, valid files.
"""

import base64
import binascii
import math
import re
import struct
import zlib
from array import array

AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "ogg": "audio/ogg",
    "mulaw": "audio/basic",
}
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[\w=.+-]+)*;base64,(?P<data>.*)", re.S)
_BINARY_KEYS = {"b64_json", "data"}
_LONG = 1000


def sniff_image_type(data: bytes) -> str:
    """The image MIME type the bytes start with, or "" when they are not an image we know."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return ""


def decode_base64(text: str) -> bytes:
    """Strict base64 (``ValueError`` on anything else)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError("not base64") from err


def decode_data_url(url: str) -> tuple[str, bytes]:
    """``(mime type, bytes)`` of a ``data:<type>;base64,...`` URL (``ValueError`` otherwise)."""
    match = _DATA_URL.fullmatch(url.strip()) if isinstance(url, str) else None
    if not match:
        raise ValueError("not a base64 data: URL")
    return match["mime"].lower(), decode_base64(match["data"])


def without_binary(value):
    """A copy of a JSON answer with base64 payloads and data: URLs replaced by a short note."""
    if isinstance(value, dict):
        return {key: _omitted(item) if _is_binary(key, item) else without_binary(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_binary(item) for item in value]
    return _omitted(value) if _is_binary("", value) else value


def _is_binary(key: str, value) -> bool:
    if not isinstance(value, str):
        return False
    if key == "b64_json" or (value.startswith("data:") and ";base64," in value[:100]):
        return True
    return key in _BINARY_KEYS and len(value) > _LONG  # e.g. audio in a chat answer's message.audio.data


def _omitted(text: str) -> str:
    return f"<{len(text)} characters of binary data omitted>"


# -- the demo's own media ------------------------------------------------------------------


def png(width: int, height: int, rows) -> bytes:
    """A truecolour PNG from ``rows`` (``height`` byte strings of ``width`` RGB pixels)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def identicon_png(seed: bytes, width: int, height: int, cells: int = 8) -> bytes:
    """A symmetric block pattern in two colours chosen by ``seed`` (at least 16 bytes)."""
    # A dark ink on a light paper, so every pattern has contrast.
    ink = bytes(value // 2 for value in seed[0:3])
    paper = bytes(192 + value // 4 for value in seed[3:6])
    half = (cells + 1) // 2
    bits = int.from_bytes(seed[6:16], "big")
    grid = []
    for row in range(cells):
        left = [bool(bits >> (row * half + col) & 1) for col in range(half)]
        grid.append(left + left[: cells - half][::-1])
    edges_x = [width * i // cells for i in range(cells + 1)]
    edges_y = [height * i // cells for i in range(cells + 1)]
    rows = []
    for row in range(cells):
        line = b"".join((ink if on else paper) * (edges_x[i + 1] - edges_x[i]) for i, on in enumerate(grid[row]))
        rows += [line] * (edges_y[row + 1] - edges_y[row])
    return png(width, height, rows)


def wav(samples, rate: int) -> bytes:
    """A 16-bit mono PCM WAV file from integer ``samples``."""
    pcm = array("h", samples)
    if pcm.itemsize != 2:  # pragma: no cover - every platform Python supports has 16-bit shorts
        raise RuntimeError("16-bit samples needed")
    body = pcm.tobytes() if struct.pack("=h", 1) == struct.pack("<h", 1) else _byteswapped(pcm)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(body),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate * 2,
        2,
        16,
        b"data",
        len(body),
    )
    return header + body


def _byteswapped(pcm: array) -> bytes:  # pragma: no cover - big-endian machines only
    swapped = array("h", pcm)
    swapped.byteswap()
    return swapped.tobytes()


def melody_wav(seed: bytes, notes: int, rate: int = 8000, note_seconds: float = 0.18) -> bytes:
    """A short tune: ``notes`` soft tones whose pitches ``seed`` picks from a pentatonic scale."""
    scale = (261.63, 293.66, 329.63, 392.00, 440.00, 523.25, 587.33, 659.25)
    length = int(rate * note_seconds)
    fade = max(1, length // 8)
    samples = []
    for index in range(notes):
        frequency = scale[seed[index % len(seed)] % len(scale)]
        step = 2 * math.pi * frequency / rate
        for n in range(length):
            envelope = min(1.0, n / fade, (length - n) / fade)
            samples.append(int(9000 * envelope * math.sin(step * n)))
    return wav(samples, rate)


def one_second_clip(rate: int = 8000, seconds: float = 1.0) -> bytes:
    """The clip a transcription test call sends: one second of a soft 440 Hz tone, 16 KB."""
    step = 2 * math.pi * 440 / rate
    length = int(rate * seconds)
    fade = rate // 20
    return wav([int(6000 * min(1.0, n / fade, (length - n) / fade) * math.sin(step * n)) for n in range(length)], rate)


def wav_seconds(data: bytes) -> float | None:
    """The length of a PCM WAV file in seconds, or ``None`` when ``data`` is not one this module reads."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    _fmt, _size, _format, channels, rate, byte_rate, _align, _bits = struct.unpack("<4sIHHIIHH", data[12:36])
    return (len(data) - 44) / byte_rate if byte_rate else None
