"""Synthetic example sets for benchmarks: many distinct examples with a few planted faults.

Texts are built from a pseudo-word vocabulary so 100,000 examples are all different, with the
shapes real sets have: a handful of shared instructions, inputs of 5-60 words, JSON, short and
free-text answers. About 1% are planted near-duplicates (case, spacing, a typo) and 1% planted
contradictions (same prompt, a different answer).
"""

import json
import random

SYLLABLES = "ka lo mi ne ru sa te vo zi pa do fe gu hi ja ke li mo nu po qui ra se ti ul va we xo ya zu".split()
INSTRUCTIONS = [
    "Triage this customer support ticket and answer in JSON.",
    "Summarise the following text in one sentence.",
    "Answer the question briefly.",
    "Classify the sentiment of the review as positive, negative or neutral.",
    "Extract the product name and the problem from the message.",
    "Translate the text into plain English.",
    "Write a polite reply to this customer.",
    "What is the main topic of this paragraph?",
]


def vocabulary(rng, n=6000):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def sentence(rng, vocab, lo, hi):
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(lo, hi))).capitalize() + "."


def make_rows(n, seed=1):
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    rows = []
    planted_count = n // 100
    for i in range(n - 2 * planted_count):
        kind = i % 3
        instruction = rng.choice(INSTRUCTIONS)
        text = sentence(rng, vocab, 5, 60)
        if kind == 0:
            output = json.dumps(
                {
                    "category": rng.choice(["billing", "technical", "shipping"]),
                    "priority": rng.choice(["low", "normal", "high"]),
                    "reply": sentence(rng, vocab, 8, 30),
                }
            )
        elif kind == 1:
            output = rng.choice(vocab).capitalize()
        else:
            output = sentence(rng, vocab, 10, 80)
        rows.append({"instruction": instruction, "input": text, "output": output})
    planted = {"duplicate": [], "contradiction": []}
    base = len(rows)
    for j in range(planted_count):
        src = rng.randrange(base)
        a = dict(rows[src])
        a["input"] = a["input"].upper() if j % 2 else a["input"].replace(" ", "  ", 2)
        rows.append(a)
        planted["duplicate"].append((src, len(rows) - 1))
        src_b = rng.randrange(base)
        b = dict(rows[src_b])
        b["output"] = (
            json.dumps({"category": "billing", "priority": "urgent", "reply": "x"})
            if b["output"].startswith("{")
            else "Something else entirely " + rng.choice(vocab)
        )
        rows.append(b)
        planted["contradiction"].append((src_b, len(rows) - 1))
    return rows, planted


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
