"""A word-level tokenizer for the demo task, built in code (no download): one token per task word."""

from __future__ import annotations

from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from lead.demo.task import task_words

PAD_TOKEN = "<pad>"
EOS_TOKEN = "<eos>"
UNK_TOKEN = "<unk>"


def build_tokenizer() -> PreTrainedTokenizerFast:
    """The same tokenizer every time: special tokens first, then the task's words in a fixed order."""
    vocab = {token: index for index, token in enumerate([PAD_TOKEN, EOS_TOKEN, UNK_TOKEN, *task_words()])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK_TOKEN))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token=PAD_TOKEN,
        eos_token=EOS_TOKEN,
        unk_token=UNK_TOKEN,
        padding_side="left",
    )
