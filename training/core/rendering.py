"""How an example becomes the tokens the trainer sees, and which of them carry loss.

The pre-flight page and the trainer both call these functions, so what a lead inspects before
a run is exactly what the run trains on. Plain Python: the tokenizer is passed in.

- A model with a chat template gets the example as a chat (an instruction/input/output pair
  becomes one user turn and one assistant turn). The prompt is everything up to the final
  assistant turn, rendered with add_generation_prompt; the completion is the rest.
- A model without one gets the alpaca template, and the completion ends with the EOS token.
Only completion tokens carry loss; prompt tokens are masked.
"""

from dataclasses import dataclass

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
        from curation.core.records import Record

        record = Record(instruction=turns[0]["content"], output=turns[1]["content"])
    template = ALPACA_WITH_INPUT if record.input else ALPACA_NO_INPUT
    return Rendered(
        template.format(instruction=record.instruction, input=record.input),
        record.output + (tokenizer.eos_token or ""),
        "alpaca",
    )


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


def histogram(lengths, bins=20):
    """[(low, high, count)] over the token lengths, equal-width bins."""
    if not lengths:
        return []
    low, high = min(lengths), max(lengths)
    width = max(1, -(-(high - low + 1) // bins))
    counts = {}
    for n in lengths:
        b = (n - low) // width
        counts[b] = counts.get(b, 0) + 1
    return [(low + b * width, low + (b + 1) * width - 1, counts.get(b, 0)) for b in range((high - low) // width + 1)]
