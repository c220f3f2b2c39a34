"""The generic OpenAI-compatible class under ids of the host's choosing, and the presets' payloads."""

import json
from decimal import Decimal

import pytest
import respx

from ai_models.exceptions import ProviderError, ProviderUnsupported
from ai_models.providers.openai_compatible import OpenAICompatibleServer
from ai_models.providers.presets import PRESETS

from .contract import SECRET_KEY, ProviderContract, load_payload

CHAT = {"chat"}


class TestGenericServer(ProviderContract):
    """The shared contract, for an instance named by the host (a vLLM server behind https)."""

    provider_class = OpenAICompatibleServer.serving("vllm-prod", "Production vLLM")
    list_host, list_path = "vllm.internal.example", "/v1/models"
    base_url = "https://vllm.internal.example/v1"
    payload_file = "presets/vllm.json"
    wrong_shape = {"unexpected": True}
    expected = {
        "meta-llama/Llama-3.1-8B-Instruct": CHAT,
        "sql-lora": CHAT,
        "Qwen/Qwen3-Embedding-0.6B": {"embedding"},
    }

    def test_entries_carry_the_instance_id(self):
        assert {model.provider for model in self.fetch()} == {"vllm-prod"}
        assert self.provider().name == "Production vLLM"

    def test_max_model_len_is_the_context_window(self):
        by_id = {model.model_id: model for model in self.fetch()}
        assert by_id["meta-llama/Llama-3.1-8B-Instruct"].context_window == 131072

    def test_without_a_base_url_it_says_which_setting_to_set(self):
        with pytest.raises(ProviderError, match=r"no base URL.*BASE_URL"):
            self.provider_class(api_key=SECRET_KEY).fetch_catalog()
        assert not self.route.called

    def test_chat_and_embeddings_reach_the_server_with_the_optional_key(self):
        chat = self.router.post("https://vllm.internal.example/v1/chat/completions").respond(
            200, json={"choices": [{"message": {"role": "assistant", "content": "pong"}}]}
        )
        embeddings = self.router.post("https://vllm.internal.example/v1/embeddings").respond(
            200, json={"data": [{"index": 0, "embedding": [0.1, 0.2, 0.3]}]}
        )
        backend = self.provider()
        assert backend.chat("meta-llama/Llama-3.1-8B-Instruct", [{"role": "user", "content": "ping"}]).text == "pong"
        assert backend.embed("Qwen/Qwen3-Embedding-0.6B", ["ping"]).vectors == ((0.1, 0.2, 0.3),)
        assert chat.calls[0].request.headers["Authorization"] == f"Bearer {SECRET_KEY}"
        assert json.loads(embeddings.calls[0].request.content) == {"model": "Qwen/Qwen3-Embedding-0.6B", "input": ["ping"]}

    def test_endpoints_the_server_lacks_are_unsupported_without_a_request(self):
        backend = self.provider(ENDPOINTS=("chat",))
        with pytest.raises(ProviderUnsupported, match="does not support image generation"):
            backend.generate_image("flux", "a cat")
        with pytest.raises(ProviderUnsupported, match="does not support embeddings"):
            backend.embed("Qwen/Qwen3-Embedding-0.6B", ["x"])
        assert backend.chat_path == "/chat/completions"


def test_one_class_serves_several_ids_each_its_own_subclass():
    first = OpenAICompatibleServer.serving("ollama", "Local Ollama")
    second = OpenAICompatibleServer.serving("ollama-gpu", "GPU Ollama")
    assert (first.id, first.name, second.id, second.name) == ("ollama", "Local Ollama", "ollama-gpu", "GPU Ollama")
    assert issubclass(first, OpenAICompatibleServer) and first is OpenAICompatibleServer.serving("ollama", "Local Ollama")
    assert OpenAICompatibleServer.serving("openai_compatible") is OpenAICompatibleServer
    payload = load_payload("presets/ollama.json")
    assert {m.provider for m in first.parse_catalog(payload)} == {"ollama"}
    assert {m.provider for m in second.parse_catalog(payload)} == {"ollama-gpu"}


# preset -> (payload, model id -> the kinds it must get)
PRESET_PAYLOADS = {
    "ollama": ("presets/ollama.json", {
        "llama3.2:latest": CHAT, "qwen3:8b": CHAT, "llava:13b": CHAT,
        "hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M": CHAT,
        "nomic-embed-text:latest": {"embedding"}, "mxbai-embed-large:latest": {"embedding"},
        "llama-guard3:8b": {"moderation"},
    }),
    "vllm": ("presets/vllm.json", {
        "meta-llama/Llama-3.1-8B-Instruct": CHAT, "sql-lora": CHAT, "Qwen/Qwen3-Embedding-0.6B": {"embedding"},
    }),
    "lmstudio": ("presets/lmstudio.json", {
        "qwen2.5-7b-instruct": CHAT, "google/gemma-3-12b": CHAT, "text-embedding-nomic-embed-text-v1.5": {"embedding"},
    }),
    "xai": ("presets/xai.json", {
        "grok-4-0709": CHAT, "grok-3-mini": CHAT, "grok-code-fast-1": CHAT, "grok-2-vision-1212": CHAT,
        "grok-2-image-1212": {"image"},
    }),
    "together": ("presets/together.json", {
        "meta-llama/Llama-3.3-70B-Instruct-Turbo": CHAT, "Qwen/Qwen2.5-Coder-32B-Instruct": CHAT,
        "black-forest-labs/FLUX.1-schnell": {"image"}, "cartesia/sonic-2": {"speech"},
        "BAAI/bge-large-en-v1.5": {"embedding"},
        "meta-llama/Llama-Guard-4-12B": {"moderation"},  # Together's type says so; never chat
        "Salesforce/Llama-Rank-V1": {"rerank"}, "openai/whisper-large-v3": {"transcription"},
    }),
    "nvidia": ("presets/nvidia.json", {
        "meta/llama-3.1-8b-instruct": CHAT, "nvidia/llama-3.3-nemotron-super-49b-v1.5": CHAT,
        "nvidia/nv-embedqa-e5-v5": {"embedding"}, "nvidia/llama-3.2-nv-rerankqa-1b-v2": {"rerank"},
        "nvidia/llama-3.1-nemoguard-8b-content-safety": {"moderation"}, "stabilityai/stable-diffusion-3-medium": {"image"},
    }),
    "cerebras": ("presets/cerebras.json", {
        "llama3.1-8b": CHAT, "llama-3.3-70b": CHAT, "qwen-3-235b-a22b-instruct-2507": CHAT, "gpt-oss-120b": CHAT,
    }),
}


def test_every_preset_has_a_payload_test():
    assert set(PRESET_PAYLOADS) == set(PRESETS)


@pytest.mark.parametrize("preset", sorted(PRESET_PAYLOADS))
def test_a_preset_lists_and_classifies_its_servers_payload(preset, settings):
    payload_file, expected = PRESET_PAYLOADS[preset]
    options = PRESETS[preset]
    settings.AI_MODELS = {"ALLOWED_HTTP_HOSTS": [options["BASE_URL"].split("/")[2]]}  # host:port of a local server
    cls = OpenAICompatibleServer.serving(preset, options["NAME"])
    backend = cls(base_url=options["BASE_URL"], options={"ENDPOINTS": options["ENDPOINTS"]})
    with respx.mock() as router:
        route = router.get(f"{options['BASE_URL']}/models").respond(200, json=load_payload(payload_file))
        catalog = backend.fetch_catalog()
    assert route.called and "Authorization" not in route.calls[0].request.headers  # no key set: none sent
    by_id = {model.model_id: model for model in catalog}
    assert set(by_id) == set(expected)
    for model_id, capabilities in expected.items():
        assert by_id[model_id].kinds == frozenset(capabilities), model_id
    assert catalog.skipped == 0


def test_together_types_prices_names_and_context():
    catalog = OpenAICompatibleServer.serving("together").parse_catalog(load_payload("presets/together.json"))
    by_id = {model.model_id: model for model in catalog}
    llama = by_id["meta-llama/Llama-3.3-70B-Instruct-Turbo"]
    assert llama.name == "Meta Llama 3.3 70B Instruct Turbo"
    assert (llama.input_price, llama.output_price, llama.context_window) == (Decimal("0.88"), Decimal("0.88"), 131072)
    assert llama.reasons["chat"] == "model type is chat"
    assert by_id["cartesia/sonic-2"].reasons["speech"] == "model type is audio"


def test_a_server_that_says_output_modalities_is_believed_over_the_id():
    payload = {"data": [{"id": "house-model", "output_modalities": ["text"], "type": "embedding"}, {"id": "studio-1", "type": "image"}]}
    first, second = OpenAICompatibleServer.parse_catalog(payload)
    assert first.reasons == {"chat": "output modalities include text"}
    assert second.kinds == {"image"}


def test_cerebras_unknown_created_is_not_1970():
    (model, *_rest) = OpenAICompatibleServer.parse_catalog(load_payload("presets/cerebras.json"))
    assert model.created is None


def test_an_http_server_must_be_allowed(settings):
    settings.AI_MODELS = {}
    backend = OpenAICompatibleServer.serving("ollama")(base_url=PRESETS["ollama"]["BASE_URL"])
    with respx.mock(assert_all_called=False) as router:
        route = router.get(host="127.0.0.1")
        with pytest.raises(ProviderError, match="ALLOWED_HTTP_HOSTS"):
            backend.fetch_catalog()
    assert not route.called
