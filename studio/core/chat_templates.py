"""A model folder's chat template, rendered as transformers renders it but without loading a
transformers tokenizer (whose configuration classes import torch): what the web process needs to
turn a conversation into a prompt. It stands in for the tokenizer in studio/core/prompts.py's
prompt_for (chat_template, eos_token, apply_chat_template)."""

import json
from functools import lru_cache
from pathlib import Path


class TemplateTokenizer:
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
    special_tokens_map.json), read once per state of those files."""
    folder = Path(path)
    names = ("tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")
    stamp = tuple((folder / n).stat().st_mtime_ns if (folder / n).is_file() else 0 for n in names)
    return _read(str(folder), stamp)


@lru_cache(maxsize=16)
def _read(path, stamp):
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
