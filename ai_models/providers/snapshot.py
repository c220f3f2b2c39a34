"""The offline provider: a catalog read from a JSON file instead of an API.

The package ships ``ai_models/snapshot/catalog.json`` (real model ids and published
prices, written by us) so the demo and air-gapped sites have a full catalog with no
network and no keys. ``AI_MODELS["PROVIDERS"]["snapshot"]["PATH"]`` points at another file.

File format: ``{"captured": "YYYY-MM-DD", "models": [{"id", "name", "description",
"capabilities": [...], "context_window", "input_price", "output_price" (USD per 1M tokens,
strings), "created", "expires", "input_modalities", "output_modalities"}]}``.
"""

import json
from pathlib import Path

from ..capabilities import gettext_noop
from ..exceptions import ProviderResponseError
from . import parsing
from .base import BaseProvider, CatalogModel

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "snapshot" / "catalog.json"
LISTED = gettext_noop("listed in the snapshot file")


class SnapshotProvider(BaseProvider):
    """Models listed in a JSON file: the offline, keyless catalog."""

    id = "snapshot"
    name = "Offline snapshot"
    requires_key = False
    items_key = "models"
    default_options = {"PATH": ""}

    @property
    def path(self) -> Path:
        return Path(self.option("PATH") or DEFAULT_PATH)

    def fetch_payload(self):
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as err:
            raise ProviderResponseError(
                self.id,
                parsing.translate("cannot read the snapshot file %(path)s: %(error)s")
                % {"path": self.path, "error": err.strerror},
            ) from err
        try:
            return json.loads(text)
        except ValueError as err:
            raise ProviderResponseError(
                self.id,
                parsing.translate("the snapshot file %(path)s is not valid JSON (%(error)s)")
                % {"path": self.path, "error": err},
            ) from err

    @classmethod
    def parse_model(cls, item: dict) -> CatalogModel:
        model_id = parsing.model_id(item["id"])
        capabilities = item.get("capabilities") or []
        if not isinstance(capabilities, list) or not all(isinstance(name, str) for name in capabilities):
            raise TypeError("capabilities")
        return CatalogModel(
            provider=cls.id,
            model_id=model_id,
            name=parsing.name(item.get("name"), model_id),
            description=parsing.text(item.get("description")),
            capabilities=frozenset(capabilities),
            reasons={name: LISTED for name in capabilities},
            context_window=parsing.context_window(item.get("context_window")),
            input_price=parsing.price(item.get("input_price")),
            output_price=parsing.price(item.get("output_price")),
            created=parsing.timestamp(item.get("created")),
            expires=parsing.day(item.get("expires")),
            input_modalities=parsing.modalities(item.get("input_modalities")) or ("text",),
            output_modalities=parsing.modalities(item.get("output_modalities")) or ("text",),
            raw=item,
        )
