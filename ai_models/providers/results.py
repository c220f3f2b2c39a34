"""Typed answers of the calls that are neither generation nor embedding: transcripts, moderation, ranking."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answer:
    """What every answer carries: who answered, whether it was the offline demo, the raw answer."""

    provider: str
    model_id: str
    demo: bool = field(default=False, kw_only=True)  # the offline snapshot answered locally
    raw: dict = field(default_factory=dict, compare=False, kw_only=True)  # the answer, bulky parts left out


@dataclass(frozen=True)
class Transcription(Answer):
    """What was said in a clip."""

    text: str
    language: str = ""


@dataclass(frozen=True)
class Moderation(Answer):
    """Whether a text breaks a policy, and in which categories."""

    flagged: bool
    categories: dict[str, bool] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    """One document's place: its index in the documents given, and its relevance score."""

    index: int
    score: float


@dataclass(frozen=True)
class Ranking(Answer):
    """Documents ordered by relevance to a query, most relevant first."""

    results: list[Ranked]
