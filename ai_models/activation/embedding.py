"""The embedding switch: vectors made by one embedding model are not comparable with another's, so
replacing the active model of an embedding capability (or backing it up with another) needs a
confirmation. The gate is ``gates.check_embedding``; this is what it tells."""

from dataclasses import dataclass

from django.utils.translation import gettext

from ..capabilities import capability_label


@dataclass(frozen=True)
class EmbeddingSwitch:
    """The active embedding model of a capability and the one about to replace (or back up) it."""

    capability: str
    previous: object  # the active AIModel
    old_dimensions: int | None
    new_dimensions: int | None

    @property
    def dimension_change(self) -> str:
        """"1536 → 3072 dimensions", or "" when either side is unknown or they are equal."""
        if self.old_dimensions and self.new_dimensions and self.old_dimensions != self.new_dimensions:
            return gettext("%(old)d → %(new)d dimensions") % {"old": self.old_dimensions, "new": self.new_dimensions}
        return ""

    def _values(self) -> dict:
        return {
            "capability": capability_label(self.capability),
            "previous": f"{self.previous.provider.slug}:{self.previous.model_id}",
        }

    def _with_change(self, message: str) -> str:
        change = self.dimension_change
        return f"{message} ({change})" if change else message

    @property
    def warning(self) -> str:
        """What staff must confirm to replace the active model, translated."""
        return self._with_change(gettext(
            "This replaces %(previous)s, the active model for %(capability)s: vectors made with the old model "
            "are not comparable with the new one's, so stored embeddings must be made again."
        ) % self._values())

    @property
    def fallback_warning(self) -> str:
        """What staff must confirm to make it a fallback of the active model, translated."""
        return self._with_change(gettext(
            "As a fallback, this model would answer for %(capability)s when %(previous)s fails: its vectors are "
            "not comparable with those %(previous)s made."
        ) % self._values())

    @property
    def log_note(self) -> str:
        """For the admin history, in English like the rest of its messages."""
        dims = [str(value) if value else "?" for value in (self.old_dimensions, self.new_dimensions)]
        return (f"embedding model switch from {self.previous.provider.slug}:{self.previous.model_id} confirmed "
                f"({' -> '.join(dims)} dimensions)")


def dimensions_of(metadata) -> int | None:
    """The vector length a saved model's catalog entry gives, or None."""
    value = (metadata or {}).get("dimensions") if isinstance(metadata, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
