"""How an example becomes what a model reads: the prompt it is asked, the tokens the trainer
sees and which of them carry loss, and the one loader of tokenizers that every layer uses.

The pre-flight page, the trainer, evaluations, studies, preference exports and the API all call
these functions, so what a lead inspects before a run is exactly what the run trains on and what
the tuned model is asked afterwards. Plain Python: no Django. Three ways to read a model folder's
tokenizer, all here and cached per state of its files: `load_tokenizer` (transformers; workers and
commands), and for the web process, which must not import torch, `token_counter` (the Rust
tokenizer alone) and `template_tokenizer` (the chat template and special tokens alone).

- A model with a chat template gets the example as a chat (an instruction/input/output pair
  becomes one user turn and one assistant turn). The prompt is everything up to the final
  assistant turn, rendered with add_generation_prompt; the completion is the rest.
- A model without one gets the alpaca template, and the completion ends with the EOS token.
Only completion tokens carry loss; prompt tokens are masked.
"""

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from studio.core.records import Record

ALPACA_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"
)
ALPACA_NO_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Response:\n"
)


class RenderError(ValueError):
    """An example the template cannot render as prompt + completion; the message says why."""


@dataclass(frozen=True)
class Rendered:
    prompt: str
    completion: str
    template: str  # "chat" or "alpaca"


@dataclass(frozen=True)
class Tokenized:
    input_ids: list
    completion_mask: list  # 1 where the token carries loss
    n_prompt: int
    length: int  # tokens before truncation
    truncated: bool


def to_messages(record):
    if record.is_chat:
        return [dict(m) for m in record.messages]
    user = record.instruction if not record.input else f"{record.instruction}\n\n{record.input}"
    return [{"role": "user", "content": user}, {"role": "assistant", "content": record.output}]


def template_kind(tokenizer):
    return "chat" if getattr(tokenizer, "chat_template", None) else "alpaca"


def render(record, tokenizer):
    """(prompt, completion) text of record for this tokenizer's template."""
    if template_kind(tokenizer) == "chat":
        messages = to_messages(record)
        if not messages or messages[-1].get("role") != "assistant":
            raise RenderError("the last turn is not the assistant's, so there is nothing to train on")
        try:
            prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
            full = tokenizer.apply_chat_template(messages, tokenize=False)
        except Exception as e:  # templates raise their own errors ("System role not supported", ...)
            raise RenderError(f"the model's chat template refused it: {e}") from None
        if not full.startswith(prompt):
            raise RenderError(
                "the chat template renders the prompt differently with and without the answer, so the answer cannot be told apart"
            )
        return Rendered(prompt, full[len(prompt) :], "chat")
    if record.is_chat:
        turns = [m for m in record.messages if m["role"] != "system"]
        if len(turns) != 2:
            raise RenderError(f"a chat of {len(turns)} turns needs a model with a chat template")
        record = Record(instruction=turns[0]["content"], output=turns[1]["content"])
    return Rendered(alpaca_prompt(record), record.output + (tokenizer.eos_token or ""), "alpaca")


def alpaca_prompt(record):
    """The alpaca prompt of an instruction/input record (its output is not part of it)."""
    template = ALPACA_WITH_INPUT if record.input else ALPACA_NO_INPUT
    return template.format(instruction=record.instruction, input=record.input)


@dataclass(frozen=True)
class Prompt:
    """What a model is asked: the text rendered with its template (for servers that take text, such
    as TGI's generate route) and the same conversation as messages (for chat routes)."""

    text: str
    messages: tuple


def prompt_for(record, tokenizer):
    """The prompt that asks a model for `record`'s answer, exactly as training rendered it: the
    same text as `render(record, tokenizer).prompt` whenever that renders.

    The record's own answer (its output, or a chat's final assistant turn) is left out, so a chat
    that ends on a user turn is a question awaiting its answer (what the API receives). Raises
    RenderError, saying why, for a conversation the model's template cannot express."""
    messages = question(record)
    if not messages or messages[-1].get("role") != "user":
        raise RenderError("the conversation does not end with a user turn, so there is nothing to answer")
    if template_kind(tokenizer) == "chat":
        try:
            text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        except Exception as e:  # templates raise their own errors ("System role not supported", ...)
            raise RenderError(f"the model's chat template refused it: {e}") from None
    elif record.is_chat:
        turns = [m for m in messages if m["role"] != "system"]
        if len(turns) != 1:
            raise RenderError(
                "a conversation of several turns needs a model with a chat template; this one has none and "
                "was trained on single questions: send one user turn"
            )
        text = alpaca_prompt(Record(instruction=turns[0]["content"]))
    else:
        text = alpaca_prompt(record)
    return Prompt(text, tuple(messages))


def question(record):
    """The conversation a model is asked to answer: the record as messages, without its answer."""
    messages = [{"role": m["role"], "content": str(m.get("content") or "")} for m in to_messages(record)]
    if messages and messages[-1]["role"] == "assistant":
        messages = messages[:-1]
    return messages


def _stamp(path):
    """Changes when the tokenizer files in the folder change, so a cached tokenizer is never stale."""
    folder = Path(path)
    names = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")
    return tuple(os.stat(folder / n).st_mtime_ns if (folder / n).is_file() else 0 for n in names)


@lru_cache(maxsize=8)
def _load(path, stamp):
    from transformers import AutoTokenizer  # heavy: only the paths that render or tokenize pay for it

    return AutoTokenizer.from_pretrained(path, local_files_only=True)


def load_tokenizer(path, *, shared=True):
    """The model folder's tokenizer (transformers), loaded once per process and folder state.
    A caller that changes the tokenizer (padding side, pad token) asks for its own copy with
    shared=False."""
    path = str(path)
    if not shared:
        return _load.__wrapped__(path, None)
    return _load(path, _stamp(path))


@lru_cache(maxsize=8)
def _rust_tokenizer(path, stamp):
    from tokenizers import Tokenizer  # the Rust tokenizer alone: no torch, no transformers

    return Tokenizer.from_file(str(Path(path) / "tokenizer.json"))


def token_counter(path):
    """A function counting the tokens of a text with the folder's tokenizer (no special tokens),
    cheap enough for a web request: it reads tokenizer.json without transformers. None when the
    folder has no tokenizer.json."""
    if not (Path(path) / "tokenizer.json").is_file():
        return None
    tokenizer = _rust_tokenizer(str(path), _stamp(path))
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)


class TemplateTokenizer:
    """A model's chat template and special tokens, rendered as transformers renders them."""

    def __init__(self, chat_template, special_tokens):
        self.chat_template = chat_template
        self.special_tokens = special_tokens
        self.eos_token = special_tokens.get("eos_token")
        self.bos_token = special_tokens.get("bos_token")

    def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=False):
        from transformers.utils.chat_template_utils import render_jinja_template  # no torch, unlike tokenizers

        if tokenize:
            raise ValueError("this stand-in only renders text")
        rendered, _ = render_jinja_template(
            conversations=[list(messages)],
            chat_template=self.chat_template,
            add_generation_prompt=add_generation_prompt,
            **self.special_tokens,
        )
        return rendered[0]


def _text(token):
    return token.get("content") if isinstance(token, dict) else token


def template_tokenizer(path):
    """The folder's chat template and special tokens (tokenizer_config.json, chat_template.jinja,
    special_tokens_map.json) as a stand-in for its tokenizer in prompt_for, without transformers'
    tokenizer classes (whose configuration classes import torch): what the web process renders
    chats with. Read once per state of those files."""
    return _read_template(str(path), _stamp(path))


@lru_cache(maxsize=16)
def _read_template(path, stamp):
    folder = Path(path)
    config = {}
    if (folder / "tokenizer_config.json").is_file():
        config = json.loads((folder / "tokenizer_config.json").read_text())
    if (folder / "special_tokens_map.json").is_file():
        config = {**json.loads((folder / "special_tokens_map.json").read_text()), **config}
    template = config.get("chat_template")
    if (folder / "chat_template.jinja").is_file():
        template = (folder / "chat_template.jinja").read_text()
    if isinstance(template, list):  # named templates: the default one
        template = next((t["template"] for t in template if t.get("name") == "default"), None)
    special = {
        key: _text(value)
        for key, value in config.items()
        if key.endswith("_token") and _text(value) is not None and isinstance(_text(value), str)
    }
    extra = config.get("additional_special_tokens") or config.get("extra_special_tokens")
    if isinstance(extra, list) and extra:
        special["additional_special_tokens"] = [_text(t) for t in extra]
    return TemplateTokenizer(template or None, special)


def tokenize(rendered, tokenizer, max_length):
    """Token ids and loss mask of a rendered example, cut to max_length."""
    prompt_ids = tokenizer(rendered.prompt, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(rendered.prompt + rendered.completion, add_special_tokens=False)["input_ids"]
    n_prompt = 0
    for a, b in zip(prompt_ids, full_ids):  # tokens can merge across the seam; trust the common prefix
        if a != b:
            break
        n_prompt += 1
    bos = getattr(tokenizer, "bos_token_id", None)
    if bos is not None and rendered.template == "alpaca" and (not full_ids or full_ids[0] != bos):
        full_ids = [bos] + full_ids
        n_prompt += 1
    mask = [0] * n_prompt + [1] * (len(full_ids) - n_prompt)
    length = len(full_ids)
    return Tokenized(full_ids[:max_length], mask[:max_length], min(n_prompt, max_length), length, length > max_length)


# Preference pairs in the form trl's DPO trainer reads (evaluation/core/preferences.py says why).
WITHOUT_CHAT_TEMPLATE = SimpleNamespace(chat_template=None)  # renders the alpaca prompt


def file_prompt(record, chat_template):
    """What the model was asked, in the form of the file: a list of messages for a model with a
    chat template, else the alpaca prompt text. Raises RenderError for a chat that has no alpaca
    form (more than one exchange)."""
    if chat_template:
        return question(record)
    return prompt_for(record, WITHOUT_CHAT_TEMPLATE).text


def preference_row(prompt, chosen, rejected):
    """One row in trl's preference form: conversational when the prompt is a list of messages,
    standard when it is text."""
    if isinstance(prompt, str):
        return {"prompt": prompt, "chosen": chosen, "rejected": rejected}
    return {
        "prompt": list(prompt),
        "chosen": [{"role": "assistant", "content": chosen}],
        "rejected": [{"role": "assistant", "content": rejected}],
    }
