"""A frontend's flow through the client openapi-python-client generates from ``schema/``
(run by scripts/api-check.py, with the generated ``ai_models_client`` package on the path).

    python scripts/api_client_flow.py BASE_URL TOKEN

Lists the chat models of a provider, saves one, bulk-saves 20, activates one, reads ``active/``
and ``capabilities/``, deletes one saved model by id and then every inactive one. Every answer
must parse into the generated models (the schema says what it is); any other exits non-zero.
"""

import sys

from ai_models_client import AuthenticatedClient
from ai_models_client.api.activations import activate
from ai_models_client.api.active import active_list
from ai_models_client.api.capabilities import capabilities_list
from ai_models_client.api.catalog import catalog_list
from ai_models_client.api.saved import save, saved_bulk, saved_delete, saved_delete_one, saved_list
from ai_models_client.models import (
    ActivationRequest,
    BulkResult,
    BulkSaveRequest,
    CapabilitiesEnum,
    CatalogListCapability,
    CatalogListProvider,
    CatalogPage,
    ChoiceResult,
    DeleteResult,
    ProviderEnum,
    SavedPage,
    SaveRequest,
    SaveResult,
)

PROVIDER = "snapshot"


def expect(kind, answer, what):
    """``answer`` (a ``Response``) parsed as ``kind``, or exit saying what came instead."""
    if not isinstance(answer.parsed, kind):
        sys.exit(f"api-client-flow: {what}: HTTP {answer.status_code} {answer.content[:500]!r}")
    print(f"api-client-flow: {what}: HTTP {answer.status_code}", flush=True)
    return answer.parsed


def main(base_url, token):
    client = AuthenticatedClient(base_url=base_url, token=token, prefix="Token", raise_on_unexpected_status=True)
    with client as client:
        listing = expect(CatalogPage, catalog_list.sync_detailed(
            client=client, provider=CatalogListProvider(PROVIDER), capability=CatalogListCapability.CHAT,
            page_size=100), "list the chat models of a provider")
        chat_ids = [entry.model_id for entry in listing.results]
        assert len(chat_ids) > 20 and all(entry.provider == PROVIDER for entry in listing.results), chat_ids

        saved = expect(SaveResult, save.sync_detailed(client=client, body=SaveRequest(
            provider=ProviderEnum(PROVIDER), model_id=chat_ids[0],
            capabilities=[CapabilitiesEnum.CHAT, CapabilitiesEnum.CONTENT])), "save one for chat and content")
        assert [model.capability for model in saved.models] == ["chat", "content"], saved.models

        bulk = expect(BulkResult, saved_bulk.sync_detailed(client=client, body=BulkSaveRequest(
            capability=CapabilitiesEnum.CHAT, provider=ProviderEnum(PROVIDER), limit=20)), "bulk-save 20")
        assert bulk.count == 20 and bulk.activated is None, bulk

        chosen = expect(ChoiceResult, activate.sync_detailed(client=client, body=ActivationRequest(
            provider=ProviderEnum(PROVIDER), model_id=chat_ids[1], capability=CapabilitiesEnum.CHAT)), "activate one")
        assert chosen.model.is_active and chosen.model.model_id == chat_ids[1], chosen

        rows = active_list.sync(client=client)
        assert {row.capability: row.model.model_id if row.model else None for row in rows}["chat"] == chat_ids[1]
        print("api-client-flow: read active/", flush=True)
        board = {capability.name: capability for capability in capabilities_list.sync(client=client)}
        assert board["chat"].active.model_id == chat_ids[1] and board["chat"].label, board["chat"]
        print("api-client-flow: read capabilities/", flush=True)

        content_row = saved.models[1]
        one = expect(DeleteResult, saved_delete_one.sync_detailed(client=client, id=content_row.id),
                     "delete one saved model by id")
        assert one.deleted == 1, one
        cleared = expect(DeleteResult, saved_delete.sync_detailed(client=client), "delete the inactive saved models")
        left = expect(SavedPage, saved_list.sync_detailed(client=client), "list what is left")
        assert cleared.deleted >= 19 and [row.model_id for row in left.results] == [chat_ids[1]], (cleared, left)
    print("api-client-flow: ok", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
