"""The embedding switch guard: vectors made by one embedding model are not comparable with
another's, so replacing the active model of an embedding capability needs a confirmation."""

from dataclasses import dataclass

from django.utils.translation import gettext

from ..capabilities import EMBEDDING, capability_kind, capability_label


@dataclass(frozen=True)
class EmbeddingSwitch:
    """The active embedding model of a capability and the one about to replace it."""

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

    @property
    def warning(self) -> str:
        """What staff must confirm, translated."""
        values = {
            "capability": capability_label(self.capability),
            "previous": f"{self.previous.provider.slug}:{self.previous.model_id}",
        }
        message = gettext(
            "This replaces %(previous)s, the active model for %(capability)s: vectors made with the old model "
            "are not comparable with the new one's, so stored embeddings must be made again."
        ) % values
        change = self.dimension_change
        return f"{message} ({change})" if change else message

    @property
    def log_note(self) -> str:
        """For the admin history, in English like the rest of its messages."""
        dims = [str(value) if value else "?" for value in (self.old_dimensions, self.new_dimensions)]
        return (f"embedding model switch from {self.previous.provider.slug}:{self.previous.model_id} confirmed "
                f"({' -> '.join(dims)} dimensions)")


def _dimensions(metadata) -> int | None:
    value = (metadata or {}).get("dimensions") if isinstance(metadata, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def embedding_switch(capability: str, provider_id: str, model_id: str, dimensions=None) -> EmbeddingSwitch | None:
    """The switch activating (provider_id, model_id) for ``capability`` would make, or ``None``
    when the capability is not of kind embedding, has no active model, or it is the same one."""
    if capability_kind(capability) != EMBEDDING:
        return None
    from ..models import AIModel

    previous = AIModel.objects.select_related("provider").filter(capability=capability, is_active=True).first()
    if previous is None or (previous.provider.slug, previous.model_id) == (provider_id, model_id):
        return None
    return EmbeddingSwitch(capability, previous, _dimensions(previous.metadata), dimensions)
