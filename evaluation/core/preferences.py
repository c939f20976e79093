"""Preference pairs from blind A/B votes, in the form trl's DPOTrainer reads, and their card.

Aggregation, one row per (item, pair of systems):
- Each rater counts once per item and pair. A swapped repeat measures the rater's consistency and
  is set aside; their original vote is the one that counts (the repeat only when the original is
  missing).
- Ties and both-bad say neither answer is better: they are no evidence for a pair and are left
  out, so a row is decided by the decisive votes alone.
- The side with more decisive votes is chosen, the other rejected. An item and pair whose
  decisive votes are split evenly is left out, as is one with no decisive vote at all, one whose
  two answers are the same text (nothing to learn from), and one missing an answer or a prompt.
Every exclusion is counted, so the card can say what was left out and why.

Rows carry exactly the columns trl reads (prompt, chosen, rejected); provenance lives in the
card. The form follows how the studio's trainer renders prompts for the study's base model:
- conversational when the model has a chat template: {"prompt": [{"role", "content"}, ...],
  "chosen": [{"role": "assistant", "content"}], "rejected": [...]}; an instruction/input pair
  becomes one user turn, exactly as the studio fine-tunes it, and trl applies the template;
- standard otherwise: {"prompt": str, "chosen": str, "rejected": str} with the prompt rendered
  through the alpaca template the studio trains such models with (trl appends the EOS token).
One file holds one form, as `datasets` needs one type per column.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from evaluation.core.studies import agreement
from studio.core.prompts import preference_row

DECISIVE = ("left", "right")
COUNT_NAMES = (
    "votes",
    "counted",
    "repeats",
    "ties",
    "both_bad",
    "decisive",
    "units",
    "undecided",
    "split",
    "identical",
    "missing",
    "rows",
    "unanimous",
)


@dataclass(frozen=True)
class Decision:
    item: object
    chosen: str  # system key
    rejected: str
    votes_for: int  # decisive votes for the chosen system
    votes_against: int


@dataclass
class Preferences:
    rows: list  # dicts with prompt, chosen, rejected
    decisions: list  # the Decision behind each row, in the same order
    counts: Counter = field(default_factory=Counter)


def one_vote_per_rater(votes):
    """(counted votes, repeats set aside): per (item, pair, rater) the original vote, or the
    repeat when the rater's original is missing. Votes are dicts with rater, item, left, right,
    choice and repeat (True for a swapped repeat)."""
    kept = {}
    for v in sorted(votes, key=lambda v: bool(v.get("repeat"))):  # originals first, order kept otherwise
        key = (v["item"], tuple(sorted((v["left"], v["right"]))), v["rater"])
        kept.setdefault(key, v)
    counted = [v for v in votes if kept[(v["item"], tuple(sorted((v["left"], v["right"]))), v["rater"])] is v]
    return counted, len(votes) - len(counted)


def aggregate(votes):
    """([Decision], Counter) by the rule in this module's docstring, in the order the item
    pairs first appear in `votes`."""
    counts = Counter({name: 0 for name in COUNT_NAMES})
    counts["votes"] = len(votes)
    counted, counts["repeats"] = one_vote_per_rater(votes)
    counts["counted"] = len(counted)
    tallies = defaultdict(Counter)  # (item, (a, b)) -> {system: decisive votes}
    for v in counted:
        unit = (v["item"], tuple(sorted((v["left"], v["right"]))))
        tallies[unit]  # every rated unit is a unit, decisive or not
        if v["choice"] == "tie":
            counts["ties"] += 1
        elif v["choice"] == "both_bad":
            counts["both_bad"] += 1
        elif v["choice"] in DECISIVE:
            counts["decisive"] += 1
            tallies[unit][v[v["choice"]]] += 1
        else:
            raise ValueError(f"unknown choice {v['choice']!r} by {v['rater']} on item {v['item']}")
    decisions = []
    for (item, (a, b)), tally in tallies.items():
        counts["units"] += 1
        if not tally:
            counts["undecided"] += 1
        elif tally[a] == tally[b]:
            counts["split"] += 1
        else:
            chosen, rejected = (a, b) if tally[a] > tally[b] else (b, a)
            decisions.append(Decision(item, chosen, rejected, tally[chosen], tally[rejected]))
    return decisions, counts


def build_preferences(votes, prompts, outputs):
    """Preferences from votes (see aggregate), prompts {item: messages or text} (see file_prompt)
    and outputs {(item, system): text}."""
    decisions, counts = aggregate(votes)
    out = Preferences([], [], counts)
    for d in decisions:
        prompt, chosen, rejected = (
            prompts.get(d.item),
            outputs.get((d.item, d.chosen)),
            outputs.get((d.item, d.rejected)),
        )
        if not prompt or chosen is None or rejected is None:
            counts["missing"] += 1
        elif chosen.strip() == rejected.strip():
            counts["identical"] += 1
        else:
            out.rows.append(preference_row(prompt, chosen, rejected))
            out.decisions.append(d)
            counts["unanimous"] += d.votes_against == 0
    counts["rows"] = len(out.rows)
    if len({"list" if isinstance(r["prompt"], list) else "text" for r in out.rows}) > 1:
        raise ValueError("rows mix conversational and standard prompts; one file must use one form")
    return out


def rater_agreement(votes):
    """Agreement between raters, computed as the study report computes it (originals only)."""
    return agreement([v for v in votes if not v.get("repeat")])


def to_jsonl(rows):
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _percent(x):
    return "–" if x is None else f"{100 * x:.0f}%"


def _number(x):
    return "–" if x is None else f"{x:.2f}"


def _cell(text):
    """Text for a Markdown table cell: a name holding | must not split the row."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def preference_card(meta):
    """README.md for the export, Markdown with a YAML header (the Hugging Face dataset-card
    layout). `meta` holds project, study (id, name, closed_at, created_by, ratings_per_item,
    repeat_share, raters), version (name, content_hash), systems [(key, name)], base_model,
    counts (aggregate's), pairs [(a, b, rows a chosen, rows b chosen)], agreement (as the
    report's), form ("conversational" or "standard") and file."""
    study, counts, version = meta["study"], meta["counts"], meta["version"]
    names = {key: _cell(name) for key, name in meta["systems"]}
    title = f"{meta['project']}: preferences from study “{study['name']}”"
    lines = [
        "---",
        f"pretty_name: {json.dumps(title, ensure_ascii=False)}",
        "tags:",
        "- dpo",
        "- preference",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: {meta['file']}",
        "---",
        "",
        f"# {title}",
        "",
        f"Chosen/rejected pairs from the votes of blind A/B study {study['id']} “{study['name']}”, closed {study['closed_at']} "
        f"(opened by {study['created_by']}). Raters compared answers to the test split of dataset version “{version['name']}” "
        f"(content hash `{version['content_hash']}`) without knowing which model wrote which. Base model: {meta['base_model']}.",
        "",
        "## Systems compared",
        "",
        "| system | model |",
        "| --- | --- |",
    ]
    lines += [f"| `{key}` | {names[key]} |" for key, _ in meta["systems"]]
    lines += [
        "",
        "## Votes and rows",
        "",
        f"{counts['votes']} votes from {study['raters']} rater(s), {study['ratings_per_item']} rating(s) per item, "
        f"{study['repeat_share']:.0%} of each rater's comparisons repeated with the sides swapped.",
        "",
        "| | count |",
        "| --- | ---: |",
        f"| votes given | {counts['votes']} |",
        f"| swapped repeats set aside (each rater counts once per item and pair) | {counts['repeats']} |",
        f"| votes counted | {counts['counted']} |",
        f"| of which tie (left out) | {counts['ties']} |",
        f"| of which both bad (left out) | {counts['both_bad']} |",
        f"| of which decisive | {counts['decisive']} |",
        f"| item and system pairs rated | {counts['units']} |",
        f"| pairs with no decisive vote (left out) | {counts['undecided']} |",
        f"| pairs whose decisive votes split evenly (left out) | {counts['split']} |",
        f"| pairs whose two answers are the same text (left out) | {counts['identical']} |",
        f"| pairs missing an answer or a prompt (left out) | {counts['missing']} |",
        f"| **rows exported** | **{counts['rows']}** |",
        f"| of which every decisive vote agreed | {counts['unanimous']} |",
        "",
        "Each row is one test item and one pair of systems: the answer with more decisive votes is `chosen`, "
        "the other `rejected`. Ties and both-bad votes count for neither side.",
        "",
    ]
    if meta["pairs"]:
        lines += ["| pair | rows | A chosen | B chosen |", "| --- | ---: | ---: | ---: |"]
        for a, b, a_chosen, b_chosen in meta["pairs"]:
            lines.append(
                f"| A {names.get(a, a)} · B {names.get(b, b)} | {a_chosen + b_chosen} | {a_chosen} | {b_chosen} |"
            )
        lines.append("")
    lines += [
        "## Agreement between raters",
        "",
        "Over items rated by two or more raters, swapped repeats left out (as in the study report).",
        "",
        "| | items | raw agreement | Krippendorff's α |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label in (("with_ties", "all votes"), ("without_ties", "ties and both-bad left out")):
        a = meta["agreement"][key]
        lines.append(f"| {label} | {a['units']} | {_percent(a['raw'])} | {_number(a['alpha'])} |")
    if meta["agreement"]["with_ties"]["units"] == 0:
        lines += [
            "",
            "No item was rated by two raters, so agreement cannot be measured: each row rests on one person's judgement.",
        ]
    lines += ["", "## Format", ""]
    if meta["form"] == "conversational":
        lines += [
            "trl's conversational preference form, one JSON object per line:",
            "",
            "```json",
            '{"prompt": [{"role": "user", "content": "..."}], "chosen": [{"role": "assistant", "content": "..."}], "rejected": [{"role": "assistant", "content": "..."}]}',
            "```",
            "",
            "The prompt holds every turn before the answer (system turns included); an instruction/input pair is one user "
            "turn, the instruction and the input separated by a blank line, as the studio fine-tunes it. trl renders the rows "
            "with the tokenizer's chat template.",
        ]
    else:
        lines += [
            "trl's standard preference form, one JSON object per line:",
            "",
            "```json",
            '{"prompt": "...", "chosen": "...", "rejected": "..."}',
            "```",
            "",
            "The base model has no chat template, so the prompt is rendered through the alpaca template the studio "
            "fine-tunes such models with; trl appends the EOS token to both answers.",
        ]
    lines += [
        "",
        "## Training with trl",
        "",
        "```python",
        "from datasets import load_dataset",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        "from trl import DPOConfig, DPOTrainer",
        "",
        f'dataset = load_dataset("json", data_files="{meta["file"]}", split="train")',
        'model = AutoModelForCausalLM.from_pretrained("path/to/the/fine-tuned/model")  # e.g. a run\'s merged model',
        'tokenizer = AutoTokenizer.from_pretrained("path/to/the/fine-tuned/model")',
        'trainer = DPOTrainer(model=model, args=DPOConfig(output_dir="dpo"), train_dataset=dataset, processing_class=tokenizer)',
        "trainer.train()",
        "```",
        "",
        "The rows come from the test split: a model trained on them has seen those prompts, so evaluate it on other data.",
        "",
    ]
    return "\n".join(lines)
