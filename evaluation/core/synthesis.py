"""Synthetic candidates in plain Python: what a served model is asked for each recipe, and how its
reply becomes a draft (or is set aside with the reason). Model output is untrusted text: it is
read as data, never run, and every candidate goes through the same checks and review as an
annotator's draft."""

import json
import random
import re

from curation.core.answer_comparison import load_json
from studio.core.records import Record

MAX_FIELD = 20_000  # longer replies are cut off rather than saved whole


class Unusable(ValueError):
    """A reply that makes no candidate; the message says why."""


def _shown(record):
    lines = [f"Instruction: {record.instruction}"]
    if record.input:
        lines.append(f"Input: {record.input}")
    lines.append(f"Output: {record.output}")
    return "\n".join(lines)


def like_prompt(examples, vary, rng):
    """Ask for one new example of the task the `examples` (records) show, varying `vary`."""
    shown = "\n\n".join(f"Example {n}:\n{_shown(r)}" for n, r in enumerate(rng.sample(examples, len(examples)), 1))
    return (
        "Here are examples of one task, each an instruction, an optional input and the expected output.\n\n"
        f"{shown}\n\n"
        "Write one new example of the same task, different from all of these"
        + (f", varying {vary.strip()}" if vary.strip() else "")
        + ". Keep the output in the same format as the examples' outputs.\n"
        'Reply with JSON only: {"instruction": "...", "input": "...", "output": "..."}'
    )


def parse_like(reply):
    """A Record from the JSON object in the reply, or Unusable."""
    text = reply or ""
    start, end = text.find("{"), text.rfind("}")
    value = load_json(text[start : end + 1]) if 0 <= start < end else None
    if not isinstance(value, dict):
        raise Unusable("the reply held no JSON object")
    fields = {k: value.get(k) for k in ("instruction", "input", "output")}
    if not isinstance(fields["instruction"], str) or not fields["instruction"].strip():
        raise Unusable("the reply's JSON has no instruction")
    if not isinstance(fields["output"], str | dict | list) or not fields["output"]:
        raise Unusable("the reply's JSON has no output")
    output = fields["output"]
    if not isinstance(output, str):  # a JSON answer given as an object: keep it as JSON text
        output = json.dumps(output, ensure_ascii=False)
    given = fields["input"] if isinstance(fields["input"], str) else ""
    return Record(fields["instruction"].strip()[:MAX_FIELD], given.strip()[:MAX_FIELD], output.strip()[:MAX_FIELD])


def paraphrase_prompt(instruction):
    return (
        "Rewrite this instruction so that it asks for exactly the same thing in other words. Keep every detail "
        "it names; change only the wording.\n\n"
        f"Instruction: {instruction}\n\n"
        "Reply with the new instruction only."
    )


_LABEL = re.compile(r"^\s*(new instruction|instruction|rewritten|paraphrase)\s*:\s*", re.I)


def parse_paraphrase(reply, original):
    """The new instruction, or Unusable (empty, or the original again)."""
    text = (reply or "").strip().splitlines()[0].strip() if (reply or "").strip() else ""
    text = _LABEL.sub("", text).strip().strip('"“”').strip()
    if not text:
        raise Unusable("the reply was empty")
    if " ".join(text.lower().split()) == " ".join(original.lower().split()):
        raise Unusable("the reply repeated the instruction unchanged")
    return text[:MAX_FIELD]


def parse_answer(reply):
    text = (reply or "").strip()
    if not text:
        raise Unusable("the reply was empty")
    return text[:MAX_FIELD]


def new_inputs(text, most=200):
    """The inputs a lead pasted, one per line (blank lines skipped), at most `most`."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > most:
        raise ValueError(f"{len(lines)} inputs: at most {most} at a time")
    return lines


def samples(records, count, per_prompt, seed):
    """For the "like" recipe: `count` groups of `per_prompt` examples, each drawn afresh (seeded),
    so every candidate is asked with a different handful."""
    rng = random.Random(seed)
    k = min(per_prompt, len(records))
    return [rng.sample(records, k) for _ in range(count)], rng
