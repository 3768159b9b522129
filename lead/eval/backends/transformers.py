"""Generation with transformers: left-padded batches, a KV cache and one seeded RNG per sample.

Every row samples from its own ``torch.Generator`` seeded with the request's seed, so a sample does
not depend on the other rows of its batch; finished rows leave the batch and its cache at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
from transformers import AutoModelForCausalLM, PretrainedConfig, PreTrainedTokenizerBase

from lead.eval.backends.base import FINISH_LENGTH, FINISH_STOP, Completion, GenerationRequest
from lead.eval.backends.memory import free_cached_memory
from lead.eval.protocol import SamplingConfig

CONTEXT_LENGTH_FIELDS = (
    "max_position_embeddings",
    "n_positions",
    "max_seq_len",
    "seq_length",
    "max_sequence_length",
    "max_seq_length",
)
"""Model config fields that give the context length, depending on the architecture."""


def model_context_length(config: PretrainedConfig) -> int | None:
    """The context length a model config declares (the smallest of the fields it sets), or None."""
    text_config = config.get_text_config()
    values = [getattr(text_config, name, None) for name in CONTEXT_LENGTH_FIELDS]
    values = [int(value) for value in values if isinstance(value, int) and value > 0]
    return min(values) if values else None


def resolve_device(device: str) -> torch.device:
    """``auto`` is CUDA when available, else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """``auto`` is bfloat16 on GPU and float32 on CPU."""
    if dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    allowed = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if dtype not in allowed:
        raise ValueError(f"dtype must be one of auto, {', '.join(allowed)}; got {dtype!r}")
    return allowed[dtype]


def sample_next_tokens(
    logits: torch.Tensor, sampling: SamplingConfig, generators: Sequence[torch.Generator]
) -> torch.Tensor:
    """Next token per row from ``logits`` (B, V) with temperature and nucleus (top-p) sampling.

    Returns a (B,) long tensor; temperature 0 is greedy. Top-p keeps the smallest set of most
    likely tokens whose probability mass reaches ``top_p``.
    """
    if sampling.temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.float() / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs
        sorted_probs = sorted_probs.masked_fill(mass_before >= sampling.top_p, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
    rows = [torch.multinomial(probs[i], 1, generator=generators[i]) for i in range(probs.shape[0])]
    return torch.cat(rows)


class TransformersBackend:
    """Batched sampling with a transformers causal LM on CPU or GPU."""

    name = "transformers"

    def __init__(
        self,
        model: str,
        tokenizer: PreTrainedTokenizerBase,
        stop_ids: Sequence[int],
        batch_size: int = 8,
        device: str = "auto",
        dtype: str = "auto",
        max_model_len: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.device = resolve_device(device)
        self.model = AutoModelForCausalLM.from_pretrained(model, dtype=resolve_dtype(dtype, self.device))
        self.model.to(self.device).eval()
        self.context_length = max_model_len or model_context_length(self.model.config)
        self.tokenizer = tokenizer
        self.stop_ids = torch.tensor(sorted(set(stop_ids)), device=self.device)
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop_ids[0]
        self.pad_id = int(pad_id)
        self.batch_size = batch_size

    def generate(
        self, requests: Sequence[GenerationRequest], sampling: SamplingConfig
    ) -> Iterator[tuple[int, Completion]]:
        """Yield ``(request index, completion)`` as rows finish; longest prompts are batched first.

        A row stops at a stop token or after its request's ``max_new_tokens``.
        """
        order = sorted(range(len(requests)), key=lambda i: -len(requests[i].prompt_ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            yield from self._generate_batch(batch, [requests[i] for i in batch], sampling)

    @torch.inference_mode()
    def _generate_batch(
        self, indices: list[int], requests: list[GenerationRequest], sampling: SamplingConfig
    ) -> Iterator[tuple[int, Completion]]:
        width = max(len(r.prompt_ids) for r in requests)
        input_ids = torch.full((len(requests), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(requests), width), dtype=torch.long)
        for row, request in enumerate(requests):
            input_ids[row, width - len(request.prompt_ids) :] = torch.tensor(request.prompt_ids)
            attention_mask[row, width - len(request.prompt_ids) :] = 1
        input_ids, attention_mask = input_ids.to(self.device), attention_mask.to(self.device)
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
        generators = [torch.Generator(self.device).manual_seed(r.seed) for r in requests]
        outputs = self.model(
            input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=True
        )
        cache, next_position = outputs.past_key_values, position_ids[:, -1] + 1
        logits = outputs.logits[:, -1, :]
        active = list(range(len(requests)))
        generated: list[list[int]] = [[] for _ in requests]
        while True:
            tokens = sample_next_tokens(logits, sampling, [generators[row] for row in active])
            stopped = torch.isin(tokens, self.stop_ids).tolist()
            keep = []
            for position, (row, token) in enumerate(zip(active, tokens.tolist(), strict=True)):
                generated[row].append(token)
                if stopped[position] or len(generated[row]) >= requests[row].max_new_tokens:
                    reason = FINISH_STOP if stopped[position] else FINISH_LENGTH
                    yield indices[row], self._completion(generated[row], reason)
                else:
                    keep.append(position)
            if not keep:
                return
            if len(keep) < len(active):
                kept = torch.tensor(keep, device=self.device)
                cache.batch_select_indices(kept)
                attention_mask, next_position, tokens = (
                    attention_mask[kept],
                    next_position[kept],
                    tokens[kept],
                )
                active = [active[p] for p in keep]
            attention_mask = torch.cat([attention_mask, attention_mask.new_ones((len(active), 1))], dim=-1)
            outputs = self.model(
                input_ids=tokens[:, None],
                attention_mask=attention_mask,
                position_ids=next_position[:, None],
                past_key_values=cache,
                use_cache=True,
            )
            cache, next_position = outputs.past_key_values, next_position + 1
            logits = outputs.logits[:, -1, :]

    def close(self) -> None:
        """Drop the model and free the memory it held."""
        self.model = None
        free_cached_memory()

    def _completion(self, token_ids: list[int], finish_reason: str) -> Completion:
        text = self.tokenizer.decode(token_ids, skip_special_tokens=True)
        return Completion(text=text, num_tokens=len(token_ids), finish_reason=finish_reason)
