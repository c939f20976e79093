"""Examples that share a prompt, grouped by whether their answers agree, and the findings and
pairs that report them (plain Python).

For each pair with the same prompt there is one diagnosis: *duplicate* when the answers agree,
*contradiction* when they conflict.
"""

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from curation.core import semantic
from curation.core.answer_comparison import (
    NEAR_ANSWER,
    UNITS,
    answers_echo_prompts,
    asked_otherwise,
    asked_the_other_way,
    classifies,
    code_tokens,
    compare_records,
    edited_answer,
    is_code,
    label_words,
    load_json,
    negating_edit,
    reworded_alike,
    reworded_view,
)
from curation.core.bucket_keys import answer_edit_keys, answer_reworded_keys
from curation.core.candidate_index import batch_keys, candidate_pairs, exact_groups, prompt_hashes
from curation.core.checks import INPUT_TASK_WORDS as TASK_VERBS
from curation.core.facts import (
    FACT_MEANING,
    FACT_NAMED_MEANING,
    FACT_NAMED_WEIGHTED_MEANING,
    FACT_UNNAMED_MEANING,
    FACT_WEIGHTED_MEANING,
    fact_key,
    fact_of,
    facts_agree,
    facts_disagree,
    named_detail,
)
from curation.core.prompt_comparison import is_typo
from curation.core.prompt_match import (
    CANDIDATE,
    NEAR_WORDING,
    SAME_MEANING,
    STRONG_MEANING,
    PromptView,
    _content_set,
    asked_slots,
    edit_vouched_match,
    labelled_apart,
    main_and_side,
    match,
    may_contradict,
    other_intent,
    plain_text,
    prompt_number_key,
)
from curation.core.slots import (
    GENERIC_VERBS,
    QUOTED_RE,
    UNIT_MARKER,
    content_words,
    filler_swap_content,
    frame_swap,
    literal_slots,
    opposed,
    same_stem,
    same_word,
    slots_of,
    swapped_content,
)
from curation.core.text import normalize, words
from curation.core.wordlists import STOPWORDS

WORDING_CANDIDATE = 0.75  # below this even in weighted meaning, slips of wording are not looked for
NEIGHBOURS = 24  # nearest neighbours looked at per example (chats with one scaffold are all alike)
# Two examples with the same answer, an answer long enough to belong to one request and shared by
# few examples, need less likeness of meaning to ask the same thing: the answer vouches for it
# ("Names of Engineering staff hired later than 2021" / "Who joined Engineering after 2021? I need
# their names", both answered by one SQL query, score 0.64). The slot guard still applies in full.
ANCHOR_MIN_WORDS = 6  # fewer different words in JSON ({"category": "billing"}) make a label, not one answer
ANCHOR_MIN_ID_WORDS = 3  # or as few, one a number of three digits or more ({"intent": "refund", "order": 88230, ...})
ANCHOR_MIN_CODE_TOKENS = 6  # or a pattern or a formula of six different tokens (`^(?:19|20)\d{2}$`, `=EOMONTH(A2,0)`)
ANCHOR_MIN_TEXT_WORDS = 4  # a sentence of four different words ("Milk, ice cream, cream cheese.") is one answer
ANCHOR_MOST = 4  # an answer shared by more examples is a label, not one request's answer
REWORDED_MOST = 8  # an answer said word for word by more is a template's reply: it vouches for no rewording
# A refusal answers many requests alike ("I'm sorry, but I can't help with that."): it never vouches
# that two prompts ask the same thing. Short answers only, and the refusal names what it declines
# (help, assist, comply, that request), so "Sorry, we can't ship to Alaska; ..." still vouches.
REFUSAL_RE = re.compile(
    r"^(?:[^.!?]{0,40}?\b)?(?:i|we)(?: really)?(?:['’]?m| am| are)? ?(?:sorry|afraid|apologi[sz]e|unable|not able"
    r"|can(?:no|['’])?t|cannot|won['’]?t|will not)\b[^.!?]{0,60}?\b(?:help|assist|comply|provide|answer|support"
    r"|do that|with that|this request|that request|fulfil)"
)
REFUSAL_MOST_WORDS = 30


def is_refusal(text):
    """Is this (normalised, lower-case) answer a refusal of the request?"""
    return len(text.split()) <= REFUSAL_MOST_WORDS and REFUSAL_RE.search(text) is not None


ANCHORED_MEANING = 0.65  # at the base threshold SAME_MEANING; it moves with the dataset's threshold
ANCHORED_LONG_MEANING = 0.5  # the same for a long answer in text or code (long_anchor)
ANCHORED_LABEL_MEANING = 0.72  # and for a JSON record of labels (_json_says_enough)
REWORDED_MEANING = 0.6  # for prompts whose answers are one answer reworded (reworded_answer)
ANCHORED_VALUES_MEANING = 0.6  # for a long answer under prompts naming other numbers or quotes (match(values_vouched))
LONG_ANCHOR_WORDS = 8
LONG_ANCHOR_CODE_WORDS = 4  # as many as any shared answer needs (ANCHOR_MIN_TEXT_WORDS)


@dataclass
class Cluster:
    """Examples sharing one prompt, split into groups whose answers agree."""

    members: list
    groups: list = field(default_factory=list)  # lists of member indexes; answers agree within a group
    conflicts: dict = field(default_factory=dict)  # (group i, group j) -> detail
    prompt_notes: dict = field(default_factory=dict)  # frozenset(pair) -> what differs in the prompts
    silenced: set = field(default_factory=set)  # pairs marked as intended variation
    # Word-level matches (equal, a typo, a filler word) hold transitively: they form classes.
    # A match by wording or meaning links two classes directly, not through a third: "between
    # Paris and Rome" may read like "from Paris to Rome", and that like "from Rome to Paris",
    # yet the first and the last are different requests.
    klass: dict = field(default_factory=dict)  # member -> its class
    linked: dict = field(default_factory=dict)  # class -> classes matched directly
    # member -> the example with the very same prompt words that was compared for it (members
    # compared themselves are left out); a note on the representatives' pair holds for theirs
    rep: dict = field(default_factory=dict)
    worded: dict = field(default_factory=dict)  # member -> its answer's words (folded), to say "the same answer"

    def note(self, a, b, default=""):
        """What differs in the prompts of a and b, for people (`default` when nothing was noted)."""
        found = self.prompt_notes.get(frozenset((a, b)))
        if found is None:
            found = self.prompt_notes.get(frozenset((self.rep.get(a, a), self.rep.get(b, b))), default)
        return found

    def related(self, a, b):
        """True when a and b were seen to ask the same thing (not only through a third)."""
        ka, kb = self.klass.get(a, a), self.klass.get(b, b)
        return ka == kb or kb in self.linked.get(ka, ())


def said_words(record):
    """A record's answer as its words (folded), to tell "the same answer" from one that agrees:
    a chat's every answer, since one said otherwise on the way is no same answer."""
    if record.is_chat:
        return tuple(tuple(words(t)) for t in record.turn_answers())
    return tuple(words(record.answer()))


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def semantic_useful(records, sample=2000, seed=0):
    """True when the semantic layer can run here and can tell this dataset's prompts apart,
    judged on a random sample before embedding them all (semantic.meaning_threshold)."""
    if len(records) < 2 or not semantic.available():
        return False
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(records), min(sample, len(records)), replace=False).tolist()
    texts = [main_and_side(records[i])[0] for i in picked]
    return semantic.meaning_threshold(texts, semantic.Idf(texts), SAME_MEANING) <= 1.0


def answer_keys(records):
    """Per record, a stable 64-bit key of its answer (case and spacing folded) when the answer says
    enough to belong to one request (ANCHOR_MIN_WORDS different words in JSON, ANCHOR_MIN_TEXT_WORDS
    in text) and is no label a classifying instruction asks for ("Termination: it sets out when and
    how the agreement ends." under many clauses), else 0."""
    keys = np.zeros(len(records), dtype=np.int64)
    for i in range(len(records)):
        text = normalize(records[i].answer())
        least = ANCHOR_MIN_WORDS if text[:1] in ("{", "[") and load_json(text) is not None else ANCHOR_MIN_TEXT_WORDS
        if (
            len(text) >= 2 * least
            and _says_enough(text, least)
            and not is_refusal(text)
            # a label and its stock reason are shared by design, by the texts it labels: a question
            # with no text to label ("What kind of grass grows best in shade?") answers a fact
            and not (task_shape(records[i]) == "label" and _labels_a_text(records[i]))
        ):
            digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
            keys[i] = int.from_bytes(digest, "little", signed=True) or 1
    return keys


def _labels_a_text(record):
    """True when a record gives a text to label: an input, a chat, or an instruction that quotes
    one or holds it after a colon or on a line of its own ("Classify: 'my card was charged twice'")."""
    return bool(record.input.strip()) or record.is_chat or bool(TEXT_GIVEN_RE.search(record.instruction.strip()))


TEXT_GIVEN_RE = re.compile(r"[:\"“”«»\n]|(?:^|\s)['‘][^'’]+['’](?=[\s.,;:!?]|$)")


def _says_enough(answer, least):
    """True when an answer holds `least` different words, or is a program or a pattern of
    ANCHOR_MIN_CODE_TOKENS different tokens (`^\\d{5}(?:-\\d{4})?$` says little in words)."""
    if len(set(words(answer))) >= least:
        return True
    return load_json(answer) is None and is_code(answer) and len(set(code_tokens(answer))) >= ANCHOR_MIN_CODE_TOKENS


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _json_says_enough(answer):
    """True when a JSON answer's values (its keys aside, true, false and null too) hold
    ANCHOR_MIN_WORDS different words, or ANCHOR_MIN_ID_WORDS with a number of three digits or more
    (an order, an amount); else it is a record of labels ({"team": "tech_support", "priority":
    "low", ...}), shared by tickets that ask other things, which vouches only from
    ANCHORED_LABEL_MEANING."""
    value = load_json(answer)
    said = set(words(" ".join(_leaves(value)) if value is not None else answer))
    if len(said) >= ANCHOR_MIN_WORDS:
        return True
    return len(said) >= ANCHOR_MIN_ID_WORDS and any(w.isdigit() and len(w) >= 3 for w in said)


def anchored_pairs(keys):
    """{(i, j)} of examples sharing an answer key that at most ANCHOR_MOST examples share."""
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    pairs = set()
    start = 0
    for end in range(1, len(ranked) + 1):
        if end == len(ranked) or ranked[end] != ranked[start]:
            if ranked[start] != 0 and 2 <= end - start <= ANCHOR_MOST:
                group = sorted(order[start:end].tolist())
                pairs.update((a, b) for x, a in enumerate(group) for b in group[x + 1 :])
            start = end
    return pairs


EDIT_BUCKET_MOST = 32  # answers sharing an edit key with more are a template's, not one answer's edits


def edit_keys(records, numbers):
    """Per record, its answer's edit keys (bucket_keys.answer_edit_keys) under its prompt's number
    key; none for a preference pair."""
    return [
        []
        if r.is_preference
        else answer_edit_keys(r.answer(), int(n)) + answer_reworded_keys(r.answer(), int(n)) + record_keys(r)
        for r, n in zip(records, numbers.tolist())
    ]


def edit_pairs(keys, members):
    """{(i, j)} of `members` (indexes into keys) sharing an edit key that at most EDIT_BUCKET_MOST
    of them share."""
    owners = [i for i in members.tolist() for _ in keys[i]]
    if not owners:
        return set()
    flat = np.fromiter((k for i in members.tolist() for k in keys[i]), np.int64, len(owners))
    owners = np.asarray(owners)
    order = np.argsort(flat, kind="stable")
    flat, owners = flat[order], owners[order]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    sizes = np.diff(np.r_[starts, len(flat)])
    pairs = set()
    for start, size in zip(
        starts[(sizes >= 2) & (sizes <= EDIT_BUCKET_MOST)].tolist(),
        sizes[(sizes >= 2) & (sizes <= EDIT_BUCKET_MOST)].tolist(),
    ):
        group = sorted(set(owners[start : start + size].tolist()))
        pairs.update((a, b) for x, a in enumerate(group) for b in group[x + 1 :])
    return pairs


def _representatives(records, hashes, word_counts):
    """candidate_index.exact_groups, except that a preference pair is its own representative
    (whether it pairs up with a copy of its prompt depends on the answers)."""
    rep = exact_groups(hashes, word_counts)
    copies = np.flatnonzero(np.bincount(rep, minlength=len(rep))[rep] > 1).tolist()
    # words that read alike may write out other patterns ("DD/MM/YYYY" / "DD.MM.YYYY", "Aa x Aa" /
    # "Aa x aa"): those copies start a group of their own, and match() tells them apart
    literals = {m: _written_out(records[m]) for m in copies}
    split = {}
    for m in copies:
        r = int(rep[m])
        if literals[m] != literals[r]:
            rep[m] = split.setdefault((r, literals[m]), m)
    preferences = {m for m in copies if records[m].is_preference}
    if preferences:
        groups = {}
        for m in copies:
            groups.setdefault(int(rep[m]), []).append(m)
        for members in groups.values():
            plain = [m for m in members if m not in preferences]
            for m in members:
                rep[m] = m if m in preferences else plain[0]
    return rep


def _written_out(record):
    """What a prompt writes out beyond its words: patterns (literal_slots) and quoted symbols
    ("starts with '#'" / "starts with '@'"), which the word-level normaliser drops."""
    text = "\n".join(record.request())
    quoted = {q for q in QUOTED_RE.findall(text) for q in q if q and not any(c.isalnum() for c in q)}
    return literal_slots(text) | {f"quoted {q}" for q in quoted}


def main_vectors(records):
    """Unit embeddings of each record's main part (semantic.py), or None when the semantic layer
    cannot run here (its model is not installed)."""
    if not semantic.available():
        return None
    return semantic.embed([main_and_side(r)[0] for r in records])


class _Mains:
    """The main parts of records, each read when asked for (a checked file's records are parsed
    again on demand: the threshold needs only a sample of them)."""

    def __init__(self, records, swapped=()):
        self.records = records
        self.swapped = swapped  # records whose instruction tells them apart, not their shared input

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        main, side = main_and_side(self.records[i])
        return side if i in self.swapped else main


def neighbour_kept(meaning, length_a, length_b, same_meaning, plain=None):
    """Which nearest-neighbour pairs the pairwise pass looks at (numpy arrays or numbers): those
    alike in meaning, or of plain-text lengths that allow the same wording (a character
    similarity is at most 2 * shorter / both lengths) and alike enough for that, in the plain
    meaning too (`plain`): a typo is a rare word, which the weighted meaning counts much ("Which
    cuontry has a smaller population ...? Cheers." read 0.72 alike its original, 0.82 plain)."""
    wording_possible = 2 * np.minimum(length_a, length_b) >= NEAR_WORDING * (length_a + length_b)
    alike = meaning if plain is None else np.maximum(meaning, plain)
    return (meaning >= same_meaning) | (wording_possible & (alike >= WORDING_CANDIDATE))


def record_value(text):
    """The JSON record an answer holds when it can vouch with its input (record_keys): an object
    of two fields or more, or of one number (`{"tax_rate": 8.875}`); else None."""
    value = load_json(text) if text.lstrip()[:1] == "{" else None
    if not isinstance(value, dict) or not value:
        return None
    if len(value) == 1:
        (only,) = value.values()
        if isinstance(only, bool) or not isinstance(only, (int, float)):
            return None
    return value


INPUT_RECORD_MOST = 8  # more examples with one input and one record are a template's: not proposed


def record_keys(record):
    """[a stable 64-bit key of the example's input, word for word, and its JSON record, however
    the record's keys are ordered or spaced] when it has both (record_value), else []. Two examples
    sharing it ask one thing under instructions worded apart ("Return JSON with the number of cups
    and the carafe type." / "I need JSON: how many cups does this coffee maker brew ...?" over one
    product text, `{"cups": 14, "carafe": "glass"}`) when their prompts name the same numbers and
    comparisons (record_match), whatever the meaning layer says (inputs that all read alike,
    receipts, turn it off). Stored with the answer's edit keys, so that a save finds those
    examples in its one indexed lookup."""
    if record.is_chat or record.is_preference or not record.input.strip():
        return []
    value = record_value(record.output)
    if value is None:
        return []
    canonical = record.input + "\x00" + json.dumps(value, sort_keys=True, ensure_ascii=False)
    digest = hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return [int.from_bytes(digest, "little", signed=True) or 1]


def input_record_pairs(records, members, keys_of=None, most=None):
    """{(i, j)} of `members` (representatives) sharing a record key (record_keys, or the keys
    `keys_of` gives), from groups of at most `most` (INPUT_RECORD_MOST)."""
    most = most or INPUT_RECORD_MOST
    groups = {}
    for k in members.tolist():
        for key in (keys_of or record_keys)(records[k]):
            groups.setdefault(key, []).append(k)
    return {
        (min(a, b), max(a, b))
        for group in groups.values()
        if 2 <= len(group) <= most
        for x, a in enumerate(group)
        for b in group[x + 1 :]
    }


def record_match(view_a, view_b):
    """(same, detail) for two examples sharing a record key (record_keys): the same request unless
    their prompts name other numbers or comparisons."""
    if view_a.hard_slots != view_b.hard_slots or view_a.numbers != view_b.numbers:
        return False, ""
    return True, "the same input and the same JSON record, the instruction in other words"


def _decide_by_record(records, i, j, view_i, view_j, group_of):
    """decide() for two representatives with one input and one record (record_match)."""
    same, detail = record_match(view_i, view_j)
    if not same:
        return None
    joined = [
        (x, y)
        for x in group_of.get(i, (i,))
        for y in group_of.get(j, (j,))
        if compare_records(records[x], records[y])[0] == "agree"
    ]
    return joined, "record", detail


INPUT_TASK_WORDS = 5  # an input of fewer words is no text of its own ("Paris", "order 5512")


def input_keys(record):
    """[a stable 64-bit key of the example's input, its words folded] for an example (not a
    chat or a preference pair) with an instruction and an input of INPUT_TASK_WORDS words or more,
    else []. Examples sharing it do a task on one text (label a clause, pull a product's fields out
    of its description) under instructions that may be worded far apart ("Categorise this
    provision." / "clause type?"); input_task_match decides. Stored with the answer's edit keys,
    so that a save finds those examples in its one indexed lookup."""
    if record.is_chat or record.is_preference or not record.instruction.strip():
        return []
    # its words only: one text copied with a comma dropped or brackets added is the same text
    # ("1 L carton, barista edition" / "1 L carton (barista edition)")
    text = " ".join(KEPT_SIGNS_RE.findall(normalize(record.input)))
    if len(text.split()) < INPUT_TASK_WORDS:
        return []
    digest = hashlib.blake2b(("task\x00" + text).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return [int.from_bytes(digest, "little", signed=True) or 1]


# the words of a text and its signs that say something ("£16" / "€16", "20%"), not its punctuation
KEPT_SIGNS_RE = re.compile(r"\w+|[^\w\s,.;:!?()\[\]{}'\"“”‘’«»\-–—/]")


def input_task_pairs(records, members):
    """{(i, j)} of `members` (representatives) sharing an input key (input_keys), from groups of
    at most INPUT_RECORD_MOST (a table schema under many questions is a shared context)."""
    return input_record_pairs(records, members, input_keys)


# Words of an instruction that say how to answer or where the text is, not what about it is asked
TASK_FORM_WORDS = frozenset(
    """json object field fields key keys format formatted output return give extract pull get list message email
    text input below above following this these record records schema structured data value values only just""".split()
)


def _own_subjects(content, shape):
    """The content words of an instruction that name what it asks about: not the task or its form
    (LABEL_TASK_WORDS, checks.INPUT_TASK_WORDS, TASK_FORM_WORDS), nor a JSON answer's field names."""
    fields = set()
    if isinstance(shape, tuple):
        for name in shape[1]:  # "seat_numbers", "quantityBroken": the words of a field's name
            fields.update(w.lower() for w in re.findall(r"[A-Za-z][a-z]*|[A-Z]+(?![a-z])", str(name)))
    return {
        w
        for w in content
        if w not in TASK_FORM_WORDS
        and w not in LABEL_TASK_WORDS
        and w not in TASK_VERBS
        and not any(same_stem(w, f) for f in fields)
    }


# JSON fields that say nothing of what they hold: under them the instructions name the task
GENERIC_FIELDS = frozenset(
    "label labels category categories class answer result results output value type tag tags prediction score text "
    "response".split()
)


def task_shape(record):
    """What a task on an input answers, for input_task_match: ("JSON", its fields) for a JSON
    object, "label" for a label (label_words) under an instruction that asks for a class, else
    None (free text or code: a shared input does not say two instructions ask one thing)."""
    answer = record.answer()
    if answer.lstrip()[:1] == "{":
        value = load_json(answer)
        return ("JSON", frozenset(value)) if isinstance(value, dict) and value else None
    if label_words(answer) is not None and classifies(record.instruction):
        return "label"
    if len(words(answer)) >= TASK_TEXT_WORDS and answer.lstrip()[:1] != "[":
        return "text"
    return None


TASK_TEXT_WORDS = 4  # a text answer this long or longer (a rewrite, a summary, a program) says what was done


def input_task_match(record_a, record_b, view_a, view_b):
    """("duplicate" | "contradiction", detail) or None for two examples with one input (input_keys)
    under instructions worded apart, which match() compares in meaning and finds too far apart
    ("Return JSON {sentiment, aspects, rating} for the review below." / "Analyze this review.
    Output only JSON."). They do one task when their answers have one shape (task_shape: JSON of
    the same fields, or labels under instructions that ask for a class) and the instructions name
    the same numbers, comparisons and negations and are no frame filled otherwise ("Classify the
    sentiment." / "Classify the topic."): then answers that agree are a duplicate and answers that
    conflict a contradiction. Other shapes ("What is the payment deadline?" answered "45 days"
    beside "Classify the clause." answered "payment terms") are two tasks."""
    if view_a.numbers != view_b.numbers or view_a.asks_nothing or view_b.asks_nothing:
        return None
    shape = task_shape(record_a)
    if shape is None or shape != task_shape(record_b):
        return None
    side_a, side_b = view_a.parts[1], view_b.parts[1]
    slots_a, slots_b = _instruction_slots(side_a), _instruction_slots(side_b)
    if slots_a.comparatives != slots_b.comparatives and (
        # a rewrite's target said as a comparison one instruction alone makes ("Make this more
        # formal." / "Rewrite it in a professional register.", "Shorten this." / "... shorter?")
        shape != "text" or opposed(slots_a.comparatives, slots_b.comparatives)
    ):
        return None
    if slots_a.negated != slots_b.negated and shape in ("label", "text"):
        return None  # "nothing else" in one of two instructions for JSON of the same fields says how, not what
    content_a, content_b = _content_set(side_a), _content_set(side_b)
    # JSON fields of their own name the task ("queue", "urgency"); a label, or one generic field,
    # leaves it to the instructions, which must then be no frame filled otherwise
    if (shape in ("label", "text") or shape[1] <= GENERIC_FIELDS) and (
        swapped_content(content_a, content_b) or filler_swap_content(content_a, content_b) or frame_swap(side_a, side_b)
    ):
        return None
    if shape != "label":
        # each instruction names a part of the text of its own, none the other's: "Who is the
        # account holder? JSON {name}." / "Who placed the order? JSON {name}." over "My husband
        # Mark placed the order, but the account is mine" ask about two people
        held = set(content_words(view_a.parts[0]))  # the input, the main part here
        subjects_a = {w for w in _own_subjects(content_a, shape) if any(same_stem(w, x) for x in held)}
        subjects_b = {w for w in _own_subjects(content_b, shape) if any(same_stem(w, x) for x in held)}
        if subjects_a and subjects_b and not any(same_word(x, y) for x in subjects_a for y in subjects_b):
            return None
    verdict, detail = compare_records(record_a, record_b)
    if shape == "text":
        # A rewrite, a summary or a program of one text: instructions worded apart that are
        # answered word for word alike, or by one answer reworded ("stay" / "remain"), did one task
        # ("Correct any typos in this text." / "Fix the spelling mistakes."); answers one value
        # apart (edited_answer: "10am-4pm" / "10am-6pm", "contact Luis" / "contact Lisa") disagree
        # on it. Other answers may follow what each instruction asks ("more formal" / "shorter").
        answer_a, answer_b = record_a.answer(), record_b.answer()
        if verdict == "agree" and (plain_text(answer_a) == plain_text(answer_b) or reworded_alike(record_a, record_b)):
            return "duplicate", "the same input and an answer that agrees, the instruction in other words"
        if verdict == "conflict" and edited_answer(
            record_a, record_b, view_a.words[0] + view_a.words[1], view_b.words[0] + view_b.words[1], True
        ):
            return "contradiction", detail
        return None
    if shape == "label":
        # what one instruction names and the other does not may be a part of the text ("the
        # sentiment about the battery" / "the overall sentiment"): labels that conflict say so;
        # labels that agree, unless both name a part the text holds ("about the battery" / "about
        # the screen"; "the matching intent label" / "what do they want" name none). Two kinds of
        # label named ("the intent" / "the topic") are two tasks.
        (tasks_a, about_a), (tasks_b, about_b) = _asked_about(side_a), _asked_about(side_b)
        only_a, only_b = about_a - about_b, about_b - about_a
        # a sentiment may be asked of a part the text names otherwise ("toward the food" of "the
        # pasta was cold"): there, labels that conflict are apart by any word one names alone
        if verdict != "conflict" or not (tasks_a | tasks_b) & ASPECT_KINDS:
            held = set(content_words(view_a.parts[0]))  # the input, the main part here
            only_a = {w for w in only_a if any(same_stem(w, x) for x in held)}
            only_b = {w for w in only_b if any(same_stem(w, x) for x in held)}
        if (tasks_a and tasks_b and tasks_a != tasks_b) or (
            (only_a or only_b) if verdict == "conflict" else (only_a and only_b)
        ):
            return None
    if verdict == "agree":
        return "duplicate", "the same input and the same answer, the instruction in other words"
    if verdict == "conflict":
        return "contradiction", detail
    return None


# Words of an instruction that labels a text which name no part of it: the task, the text and
# the asking
LABEL_TASK_WORDS = frozenset(
    """classify classification categorize categorise categorization label labels labelling labeling tag tags tagging
    class category categories type kind assign review reviews reviewer reviewers customer customers guest user users
    author writer text message comment comments passage post tweet email ticket sentence paragraph document clause
    provision statement snippet entry excerpt following below above read tell give say identify determine decide
    output return answer reply respond word words single one only overall whether toward towards express expressed
    expresses convey conveys looking look based please belong belongs fall falls fit fits best describe describes
    describing apply applies choose pick select""".split()
)
# kinds of label an instruction may name, each however it is put
LABEL_KINDS = {
    **dict.fromkeys(
        """sentiment sentiments positive negative neutral mixed favourable unfavourable favorable unfavorable feel feels
        feeling feelings opinion polarity tone mood attitude""".split(),
        "sentiment",
    ),
    **dict.fromkeys("intent intention purpose".split(), "intent"),
    **dict.fromkeys("topic topics subject theme".split(), "topic"),
    **dict.fromkeys("emotion emotions".split(), "emotion"),
    **dict.fromkeys("urgency priority urgent severity".split(), "priority"),
    # who handles it: "Which department should handle this email?", "Which team owns this"
    **dict.fromkeys("department departments team teams queue queues desk route routing owns owner".split(), "routing"),
    **dict.fromkeys("language".split(), "language"),
}


ASPECT_KINDS = frozenset({"sentiment", "emotion"})  # kinds of label asked of a part of a text as often as of all of it


@lru_cache(maxsize=4096)
def _asked_about(instruction):
    """(the kinds of label a labelling instruction names (LABEL_KINDS), its other words, which may
    name what it asks about), LABEL_TASK_WORDS and stopwords left out."""
    said = [
        w for w in re.findall(r"[a-z]{2,}", instruction.lower()) if w not in STOPWORDS and w not in LABEL_TASK_WORDS
    ]
    return frozenset(LABEL_KINDS[w] for w in said if w in LABEL_KINDS), frozenset(
        w for w in said if w not in LABEL_KINDS
    )


# "the review below:", "the text above.": where the input is, not a comparison
POSITIONAL_RE = re.compile(
    r"\b(?:below|above)(?=\s*(?:[.:,;!?)\]]|[-–—]\s|$))"
    r"|\b((?:the|this)\s(?:[a-z-]+\s){0,3}?)(?:below|above)\b(?!\s*(?:[-+$€£\d]|zero|average|the\b))"
    r"|(?:^|(?<=[.!?:]\s))(?:below|above)(?=\s+(?:is|are)\b)"  # "Below is an incoming support chat."
    # how to answer, not what: "one label, nothing else", "no explanation"
    r"|\b(?:nothing else|no (?:other |extra )?(?:text|words|explanation|commentary|reasoning)"
    r"|without (?:any )?(?:explanation|commentary|other text))\b",
    re.I,
)


@lru_cache(maxsize=4096)
def _instruction_slots(instruction):
    """slots_of an instruction, the words that say where its input is and how bare the answer is
    left out (POSITIONAL_RE)."""
    return slots_of(POSITIONAL_RE.sub(lambda m: m.group(1) or " ", instruction))


def _decide_by_task(records, i, j, view_i, view_j, group_of):
    """decide() for two representatives with one input (input_task_match), for their groups: each
    pair of members on its own (their answers may differ)."""
    joined = [
        (x, y)
        for x in group_of.get(i, (i,))
        for y in group_of.get(j, (j,))
        if input_task_match(records[x], records[y], view_i, view_j)
    ]
    return (joined, "task", TASK_NOTE) if joined else None


TASK_NOTE = "the same input, the instruction in other words"


def fact_alike(view_a, view_b, plain, weighted):
    """True when two questions are alike enough in meaning to be one question of fact: from
    FACT_MEANING in plain meaning (and FACT_WEIGHTED_MEANING weighted) when both name something
    (the thing names the question: "the Ottomans ... Constantinople"), from FACT_NAMED_MEANING when
    both name the same things, from FACT_UNNAMED_MEANING
    weighted otherwise (a template asked of "raw chicken" and of "raw ground beef" reads 0.85 alike
    in plain meaning, 0.80 weighted). Two that give one answer word for word ("Fluorine") are
    held to the bar of named ones: siblings of a template rarely share their answer ("Which element
    is the most electronegative?" / "What element has the highest electronegativity of all?" read
    0.80 alike in plain meaning, 0.79 weighted)."""
    if names_alike(view_a, view_b):
        # the same things named ("the Berlin Wall"): "What year did the Berlin Wall fall?" / "When
        # did the Berlin Wall come down?" read 0.76 alike in plain meaning, 0.70 weighted
        return plain >= FACT_NAMED_MEANING and weighted >= FACT_NAMED_WEIGHTED_MEANING
    if plain >= FACT_SHARED_MEANING and shared_values_kept(view_a, view_b):
        return True
    if (view_a.slots.names and view_b.slots.names) or _same_answer(view_a.record, view_b.record):
        return plain >= FACT_MEANING and weighted >= FACT_WEIGHTED_MEANING
    if plain >= FACT_NAMED_MEANING and weighted >= FACT_NAMED_WEIGHTED_MEANING and _polar_opposed(view_a, view_b):
        # one yes-or-no question asked the other way round reads less alike for its opposite
        # words ("Is the towel service free?" / "Is there a charge for towels?": 0.73 plain)
        return True
    if weighted >= FACT_POLAR_MEANING and _polar_kept(view_a, view_b):
        # two yes-or-no questions that keep most of each other's words ("Am I allowed a drink while
        # on metronidazole?" / "Can I drink alcohol while taking metronidazole?": 0.84 weighted)
        return True
    return weighted >= FACT_UNNAMED_MEANING


FACT_POLAR_MEANING = 0.78  # weighted meaning from which two yes-or-no questions keeping each other's words are one


def _polar_kept(view_a, view_b):
    fact_a, fact_b = fact_of(view_a.record), fact_of(view_b.record)
    return (
        fact_a is not None
        and fact_b is not None
        and bool(fact_a.polarity)
        and bool(fact_b.polarity)
        and _words_kept(view_a.derived[1], view_b.derived[1])
    )


def _place_otherwise(slots_a, slots_b):
    """True when two Slots say "from" or "to" of other things ("from the train station" / "from
    the airport"), no slip or other form of one another."""
    for marker in ("from", "to"):
        said_a = {w for m, w in slots_a.roles if m == marker}
        said_b = {w for m, w in slots_b.roles if m == marker}
        if said_a and said_b and not any(same_word(x, y) or is_typo(x, y) for x in said_a for y in said_b):
            return True
    return False


def _swapped_between(frame_a, frame_b):
    """True when two questions' words (folded, in order) hold one word each between the same two
    content words, and those two are no form or slip of one another: one
    slot filled otherwise ("unused volunteer days" / "unused vacation days")."""
    if frame_a is None or frame_b is None:
        return False
    around_b = {}
    for j in range(1, len(frame_b) - 1):
        around_b.setdefault((frame_b[j - 1], frame_b[j + 1]), set()).add(frame_b[j])
    for i in range(1, len(frame_a) - 1):
        before, after = frame_a[i - 1], frame_a[i + 1]
        if not (before.isalpha() and after.isalpha()) or before in STOPWORDS or after in STOPWORDS:
            continue  # "the ... of", "$50 ... cost": too common a frame to say one slot
        x = frame_a[i]
        for y in around_b.get((before, after), ()):
            if (
                x != y
                and x not in STOPWORDS
                and y not in STOPWORDS
                and not (same_word(x, y) or is_typo(x, y) or x in GENERIC_VERBS and y in GENERIC_VERBS)
            ):
                return True
    return False


def _names_shared(slots_a, slots_b):
    """True when two Slots name one thing alike ("Constantinople", "the Ottomans" / "the Ottoman Empire")."""
    return any(same_stem(x, y) for x in slots_a.names for y in slots_b.names)


def _polar_opposed(view_a, view_b):
    """True when two yes-or-no questions ask one thing the other way round with a pair of opposite
    words (answer_comparison.asked_the_other_way: "free" / "charge") and keep most of each other's
    words, those two counted as kept."""
    fact_a, fact_b = fact_of(view_a.record), fact_of(view_b.record)
    if fact_a is None or fact_b is None or not fact_a.polarity or not fact_b.polarity:
        return False
    opposite = set(asked_the_other_way(view_a.record, view_b.record).split("/"))
    if len(opposite) < 2:  # "a question negated": the same words, alike enough as they are
        return False

    def unkept(mine, other):
        return [
            w
            for w in mine - ROLE_WORDS
            if not any(same_stem(w, o) or is_typo(w, o) or (w in opposite and o in opposite) for o in other)
        ]

    # one question says at most one word more ("the towel service"), the other none: a word
    # swapped for another asks of something else ("free for members" / "a charge for guests")
    content_a, content_b = view_a.derived[1], view_b.derived[1]
    more_a, more_b = unkept(content_a, content_b), unkept(content_b, content_a)
    return min(len(more_a), len(more_b)) == 0 and max(len(more_a), len(more_b)) <= 1


def names_alike(view_a, view_b):
    """True when two PromptViews name the same things (slots.names), and those single out what
    is asked: two names or more ("the Berlin Wall"), or an identifier ("wait_time"). One name
    alone ("in Python", "in Excel") is more often a whole dataset's topic."""
    names = view_a.slots.names
    return names == view_b.slots.names and (len(names) >= 2 or any(_identifier(n) for n in names))


def _identifier(name):
    return "_" in name or any(c.isdigit() for c in name)


def fact_floor(view_a, view_b):
    """The plain meaning from which two questions of fact may be one (fact_alike)."""
    if names_alike(view_a, view_b) or _polar_opposed(view_a, view_b):
        return FACT_NAMED_MEANING
    return FACT_SHARED_MEANING if shared_values_kept(view_a, view_b) else FACT_MEANING


FACT_SHARED_MEANING = (
    0.6  # plain meaning from which questions answered with one value, keeping each other's words, are one
)
FACT_KEY_MOST = 4  # a value more examples answer with (a year, a common name) names no one question


def shared_values_kept(view_a, view_b):
    """True when two short questions of fact are answered with the same values in short answers
    (facts.fact_key: "Madrid" / "Madrid", "In 1492." / "1492") and keep most of each other's words,
    said otherwise too ("the highest mountain in Africa" / "Africa's tallest peak"): they may be
    one question worded far apart. A duplicate only: the values agree."""
    key = fact_key(view_a.record)
    if not key or key != fact_key(view_b.record):
        return False
    return _words_kept(view_a.derived[1], view_b.derived[1], same_word)


def fact_key_pairs(records, members):
    """{(i, j)} of `members` (representatives) whose short answers name the same values
    (facts.fact_key), from groups of at most FACT_KEY_MOST."""
    return input_record_pairs(records, members, fact_keys, FACT_KEY_MOST)


def fact_keys(record):
    """[the record's fact key] (facts.fact_key), or []: stored with the edit keys, so that a save
    finds the questions answered with the same values in its one indexed lookup."""
    key = fact_key(record)
    return [key] if key else []


def _same_answer(record_a, record_b):
    answer = plain_text(record_a.answer())
    return bool(answer) and answer == plain_text(record_b.answer())


def fact_match(record_a, record_b, view_a, view_b, cosine):
    """True when two questions of fact (facts.fact_of), alike in meaning (`cosine`: the plain one,
    fact_alike decided the rest) and through every guard of match(), are one question: answers
    that agree naming the same values, or that disagree naming other values of one kind."""
    fact_a, fact_b = fact_of(record_a), fact_of(record_b)
    floor = fact_floor(view_a, view_b)
    if fact_a is None or fact_b is None or cosine < floor:
        return False
    opposite = asked_the_other_way(record_a, record_b) if fact_a.polarity and fact_b.polarity else ""
    if not match(
        view_a,
        view_b,
        cosine,
        None,
        same_meaning=floor,
        words_layer=False,
        asked_opposite=frozenset(opposite.split("/")),
    )[0]:
        return False
    if _other_units(view_a.slots, view_b.slots):
        return False
    if opposite:
        # "Can I keep my number?" answered yes says what "Do I lose my number?" answered no says
        fact_b = dataclasses.replace(fact_b, polarity="no" if fact_b.polarity == "yes" else "yes")
    if compare_records(record_a, record_b)[0] == "agree":
        return facts_agree(fact_a, fact_b)
    # answers that disagree say a question that asks for more asked something else
    if other_intent(view_a, view_b) or not facts_disagree(fact_a, fact_b) or asked_otherwise(record_a, record_b):
        return False
    asked_a, asked_b = asked_slots(view_a, view_b)
    if cosine < STRONG_MEANING and (
        _place_otherwise(asked_a, asked_b)
        or _swapped_between(view_a.derived[2], view_b.derived[2])
        or (
            not _words_kept(
                view_a.derived[1],
                view_b.derived[1],
                lambda x, y: same_word(x, y) or (x in opposite.split("/") and y in opposite.split("/")),
            )
            and not _names_shared(asked_a, asked_b)
            and not asked_a.numbers  # the same numbers (match() saw to it) pin one question too
        )
    ):
        # from or to another place ("from the train station" / "from the airport"), another word
        # between the same two ("unused volunteer days" / "unused vacation days ... next year"), or
        # keeping few of each other's words, with no name or number in common to say they ask of
        # one thing ("carry-on bags ... in Business class" / "checked bags ... with a Business
        # ticket"): two questions, whose answers may differ, unless they read alike throughout
        return False
    # a yes and a no name no values of one kind: the questions must keep most of each other's
    # words ("Can I deposit cash at an ATM?" / "Can I withdraw money from my savings account at an ATM?")
    return (
        not (fact_a.polarity and fact_b.polarity)
        or _words_kept(view_a.derived[1], view_b.derived[1])
        or (bool(opposite) and _polar_opposed(view_a, view_b))
    )


ROLE_WORDS = frozenset({"user", "assistant", "system"})
POLAR_KEPT = 0.5  # of each yes-or-no question's content words, said by the other (fact_match)


def _words_kept(content_a, content_b, alike=None):
    """True when each set of content words has POLAR_KEPT of its words in the other (a stem or a
    slip apart, or as `alike(x, y)` says)."""

    content_a, content_b = content_a - ROLE_WORDS, content_b - ROLE_WORDS  # a chat's "user:" says nothing
    alike = alike or (lambda x, y: same_stem(x, y) or is_typo(x, y))

    def kept(mine, other):
        return sum(any(alike(w, o) for o in other) for w in mine) >= POLAR_KEPT * len(mine)

    return bool(content_a and content_b) and kept(content_a, content_b) and kept(content_b, content_a)


def _other_units(a, b):
    """True when two Slots put another unit after one number ("50 centimetres" / "50 metres"):
    two conversions, whatever else they share."""
    units_a = {marker: UNITS[word] for marker, word in a.roles if marker.endswith(UNIT_MARKER) and word in UNITS}
    units_b = {marker: UNITS[word] for marker, word in b.roles if marker.endswith(UNIT_MARKER) and word in UNITS}
    # only units ("$50 item" / "$50 today", "1.10 USD" / "1.10 dollars" name no other unit)
    return any(units_a[m] != units_b[m] for m in units_a.keys() & units_b.keys())


def _decide_by_fact(records, i, j, view_i, view_j, cosine, group_of):
    """decide() for two representatives that are questions of fact (fact_match), for their groups."""
    joined = [
        (x, y)
        for x in group_of.get(i, (i,))
        for y in group_of.get(j, (j,))
        if fact_match(records[x], records[y], view_i, view_j, cosine)
    ]
    return (joined, "meaning", f"the same question in other words ({cosine:.0%} alike)") if joined else None


def anchored_floor(same_meaning, answer=None, values_differ=False):
    """The meaning from which a shared answer vouches for two prompts: ANCHORED_MEANING at the
    base threshold, moving with the dataset's; ANCHORED_LONG_MEANING for a long `answer` that is
    no JSON record (long_anchor), ANCHORED_VALUES_MEANING when the prompts also name other numbers
    or quotes (`values_differ`), ANCHORED_LABEL_MEANING for a JSON record of labels."""
    floor = ANCHORED_MEANING
    if answer is not None and long_anchor(answer):
        floor = ANCHORED_VALUES_MEANING if values_differ else ANCHORED_LONG_MEANING
    elif answer is not None and values_differ and specific_record(answer):
        floor = ANCHORED_VALUES_MEANING
    elif answer is not None and not text_anchor(answer) and not _json_says_enough(answer):
        floor = ANCHORED_LABEL_MEANING
    return max(floor, same_meaning - (SAME_MEANING - floor))


def text_anchor(answer):
    """True when a shared answer is text or code, not a JSON record: its words are the answer's
    own, where a JSON record's labels ({"category": "billing", "priority": "high", ...}) are
    shared by tickets that ask other things."""
    return load_json(answer) is None


def vouching_anchor(answer):
    """True for a shared answer that vouches for prompts naming other numbers (match(values_vouched)):
    a long text or program (long_anchor), or a JSON record of specific values (specific_record)."""
    return long_anchor(answer) or specific_record(answer)


def specific_record(answer):
    """True for a JSON object of SPECIFIC_RECORD_LEAVES values or more, SPECIFIC_RECORD_NUMBERS of
    them with digits (a number, "0.8 L", "EU 39"): one text's facts ({"servings": 4, "calories_per_serving": 230, "main_ingredient":
    "pears", "cook_time_minutes": 25}), which two texts retold otherwise share, not two recipes."""
    value = load_json(answer)
    if not isinstance(value, dict):
        return False
    leaves = [v for v in _leaves(value) if v not in ("", "null", "None", "true", "false", "True", "False")]
    numbers = [v for v in leaves if NUMBER_LEAF_RE.search(v) and v not in ("0", "1")]  # "0.8 L", "EU 39" too
    return len(leaves) >= SPECIFIC_RECORD_LEAVES and len(numbers) >= SPECIFIC_RECORD_NUMBERS


SPECIFIC_RECORD_LEAVES = 4
SPECIFIC_RECORD_NUMBERS = 2
NUMBER_LEAF_RE = re.compile(r"\d")


def long_anchor(answer):
    """True for a shared answer of LONG_ANCHOR_WORDS different words or more that is text or
    code (LONG_ANCHOR_CODE_WORDS for a program or a command): said word for word in two examples, it vouches for prompts worded far apart ("How fast
    does light travel through empty space?" / "What is the speed of light in a vacuum?", 60%
    alike)."""
    if not text_anchor(answer):
        return False
    said = len(set(words(answer)))
    # a program or a command is precise: fewer of its words say as much (`git checkout -- README.md`)
    if said >= LONG_ANCHOR_WORDS:
        return True
    return is_code(answer) and (
        said >= LONG_ANCHOR_CODE_WORDS or len(set(code_tokens(answer))) >= ANCHOR_MIN_CODE_TOKENS
    )


def reworded_floor(same_meaning):
    """The plain meaning from which two prompts whose answers are one answer reworded
    (reworded_answer) ask one thing: REWORDED_MEANING at the base threshold, moving with the
    dataset's."""
    return max(REWORDED_MEANING, same_meaning - (SAME_MEANING - REWORDED_MEANING))


def edited_candidate(same_meaning):
    """The meaning from which a pair whose answers are one edit apart is looked at without another
    reason (a shared word key or answer): below it, tickets about one product and one plan read
    alike enough that answers differing in a priority are two tickets, not one reworded."""
    return max(WORDING_CANDIDATE, same_meaning - (SAME_MEANING - WORDING_CANDIDATE))


def _edited(a, b, view_a, view_b, cosine, same_meaning, anchored_meaning):
    """(same, detail, layer) of edit_vouched_match() for a pair match() left out that is alike
    enough for an answer to vouch for it (ANCHORED_MEANING) and whose answers are one answer edited
    (edited_answer), else None. The prompts are matched first: it rules out most
    such pairs (a template's siblings, one slot apart, whose answers differ in that slot) for a
    fraction of what comparing the answers costs."""
    if cosine is None or same_meaning > 1.0 or cosine < anchored_meaning:
        return None
    matched = edit_vouched_match(view_a, view_b, cosine, same_meaning, anchored_meaning, a.answer(), b.answer())
    if not matched[0]:
        return None
    if not edited_answer(a, b, view_a.words[0] + view_a.words[1], view_b.words[0] + view_b.words[1], True):
        return None
    return matched


PARALLEL_PAIRS = 20000  # fewer candidate pairs are decided faster than processes start
_pass = {}  # the pairwise pass's function and items, handed to forked workers without pickling them


def _map_slice(bounds):
    start, stop = bounds
    fn, items = _pass["fn"], _pass["items"]
    return [fn(*item) for item in items[start:stop]]


def _in_workers(fn, items, workers):
    """[fn(*item) for each item], in that order: in `workers` forked processes when there are many
    items (each is Python work on one or two prompts: at 100,000 realistic examples about 290,000
    candidate pairs), else here."""
    if workers <= 1 or len(items) < PARALLEL_PAIRS:
        return [fn(*item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(2000, len(items) // (workers * 8))
    slices = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
    _pass.update(fn=fn, items=items)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for part in pool.map(_map_slice, slices) for result in part]
    finally:
        _pass.clear()


SHARED_CONTEXT_MOST = 2000  # the on-save check compares at most this many examples of one shared context


CONTEXT_MIN_INSTRUCTIONS = 3  # an input under fewer instructions is not what a dataset shares


def shared_contexts(records):
    """{index: context number} for the records (not chats) whose main part, the input, is one text
    shared by several records whose instructions are their own (a table schema under many
    questions): the embeddings of those inputs cannot tell the records apart, the instructions
    can. An input under a few instruction templates ("Summarize:", "Answer the question.", each
    used with many inputs) is what varies there: no context."""
    by_context, spread = {}, {}
    for k, record in enumerate(records):
        if record.is_chat:
            continue  # the turns tell chats apart; their system prompt is the shared part
        main, side = main_and_side(record)
        if side.strip() and main.strip():
            main, side = normalize(main), normalize(side)
            by_context.setdefault(main, {}).setdefault(side, []).append(k)
            spread.setdefault(side, set()).add(main)
    context_of = {}
    for n, sides in enumerate(by_context.values()):
        own = [side for side in sides if len(spread[side]) == 1]  # instructions asked of this input only
        if len(sides) >= CONTEXT_MIN_INSTRUCTIONS and 2 * len(own) > len(sides):
            context_of.update((k, n) for ks in sides.values() for k in ks)
    return context_of


def _shared_context_pairs(records, reps, view, numbers, context_of):
    """{(i, j): cosine} for the representatives of one shared context (_shared_contexts),
    compared by their instructions as the meaning layer compares main parts (nearest neighbours
    at the same thresholds, the same numbers asked)."""
    members = [k for k in reps.tolist() if k in context_of]
    if len(members) < 2:
        return {}
    sides = semantic.embed([view(k).parts[1] for k in members])
    left, right, sims = semantic.neighbour_pairs(sides, CANDIDATE, most=NEIGHBOURS)
    found = {}
    for a, b, cosine in zip(left.tolist(), right.tolist(), sims.tolist()):
        i, j = sorted((members[a], members[b]))
        if context_of[i] == context_of[j] and numbers[i] == numbers[j]:
            found[(i, j)] = cosine
    return found


def swapped_view(view):
    """A PromptView of the same record whose instruction is its main part and its input the shared
    one; made once per view (its slots and words are worked out once)."""
    swapped = getattr(view, "swapped", None)
    if swapped is None:
        swapped = view.swapped = PromptView(view.record)
        swapped._parts = tuple(reversed(view.parts))
        swapped._slots, swapped._hard, swapped._numbers = view.slots, view.hard_slots, view.numbers
    return swapped


def context_match(record_a, record_b, view_a, view_b, cosine, same_meaning):
    """(same request?, may the answers contradict?, detail, layer) for two examples whose input is
    one shared context: their instructions take the main part's place (match() compares them in
    meaning, the slot guard reads both parts). The scan and the on-save check both ask this."""
    if view_a.hard_slots != view_b.hard_slots:
        return False, False, "", ""  # what match() would find first
    a, b = swapped_view(view_a), swapped_view(view_b)
    same, detail, layer = match(a, b, cosine, None, same_meaning=same_meaning, words_layer=False)
    words_a, words_b = view_a.words[0] + view_a.words[1], view_b.words[0] + view_b.words[1]
    if not same:
        # answers one edit apart vouch for instructions said in other words, as they do outside a
        # context (_edited): "What's the cheapest product in the Books category?" / "Which Books
        # product is the least expensive?" over one schema, ORDER BY price ASC / DESC
        anchored_meaning = anchored_floor(same_meaning)
        if (
            cosine is None
            or same_meaning > 1.0
            or cosine < anchored_meaning
            or not edited_answer(record_a, record_b, words_a, words_b, True)
        ):
            return False, False, "", ""
        same, detail, layer = edit_vouched_match(
            a, b, cosine, same_meaning, anchored_meaning, record_a.answer(), record_b.answer()
        )
        if not same or other_intent(a, b, answers_edited=not negating_edit(record_a, record_b)):
            return False, False, "", ""
        return True, True, detail, layer
    contradicts = may_contradict(
        layer,
        cosine,
        a,
        b,
        lambda: edited_answer(record_a, record_b, words_a, words_b, True),
        lambda: negating_edit(record_a, record_b),
    )
    return True, contradicts, detail, layer


def _decide_by_context(records, i, j, view_i, view_j, cosine, same_meaning, group_of):
    """decide() for two representatives of one shared context (context_match), for their groups."""
    same, contradicts, detail, layer = context_match(records[i], records[j], view_i, view_j, cosine, same_meaning)
    if not same:
        return None
    joined = []
    for x in group_of.get(i, (i,)):
        for y in group_of.get(j, (j,)):
            verdict = compare_records(records[x], records[y])[0]
            if verdict == "agree" or (verdict == "conflict" and contradicts):
                joined.append((x, y))
    return joined, layer, detail


def _edit_floors(view, left, right, meaning, numbers, same_meaning, looked=None):
    """Per pair, the meaning from which answers one edit apart are looked for: anchored_floor for
    prompts that name the same numbers ("the 13 biggest spenders of 2025") or the same things
    (names_alike: "the wait_time column" / "the median wait_time"), which say much of the request,
    else edited_candidate. Names are compared only where the floor decides (the pairs `looked` at
    whose meaning lies between the two): working out every prompt's slots for it cost 18 s of a
    100,000-row scan."""
    low, high = anchored_floor(same_meaning), edited_candidate(same_meaning)
    floor = np.where(numbers[left] != 0, low, high)
    open_ = (floor > low) & (meaning >= low) & (meaning < high)
    if looked is not None:
        open_ &= looked
    at = np.flatnonzero(open_)
    named = np.fromiter((names_alike(view(int(left[k])), view(int(right[k]))) for k in at.tolist()), bool, len(at))
    floor[at[named]] = low
    return floor


def number_keys(records):
    """prompt_number_key of each record, as an int64 array."""
    return np.fromiter((prompt_number_key(r) for r in records), dtype=np.int64, count=len(records))


def _same_numbers(pairs, numbers):
    """The pairs (a set of (i, j)) whose prompts name the same numbers (number_keys)."""
    if not pairs:
        return set()
    both = np.array(sorted(pairs), dtype=np.int64)
    keep = numbers[both[:, 0]] == numbers[both[:, 1]]
    return set(map(tuple, both[keep].tolist()))


def find_clusters(
    records,
    silenced=frozenset(),
    hashes=None,
    vectors=None,
    idf=None,
    answers=None,
    numbers=None,
    workers=1,
    edits=None,
):
    """Clusters of examples (indexes into records) that share a prompt, with their answer groups.

    `hashes` is prompt_hashes(records), `vectors` main_vectors(records), `idf` the Idf of the
    main parts, `answers` answer_keys(records) and `numbers` number_keys(records) when the caller
    computed them already (in parallel); vectors=False leaves the semantic layer out. Pairs whose
    prompts name other numbers are left out before anything else is compared (match() says no
    to them first): at 100,000 realistic examples they are two thirds of the candidates.
    `silenced` holds frozensets {i, j} of pairs marked as intended variation: they are never
    reported, though each may still be reported with a third example. With `workers` > 1 the
    pairwise pass over many candidates runs in that many forked processes (_in_workers).
    """
    hashes, word_counts = hashes if hashes is not None else prompt_hashes(records)
    keys, owners, positions = batch_keys(hashes, word_counts)
    if vectors is None:
        vectors = main_vectors(records)
    # Examples with the very same prompt words are one request: only one of each group (its
    # representative) goes through the pairwise pass, and the group shares its verdicts. A third
    # of a big real set can be such copies; compared one by one, they cost the square of their
    # number and took every nearest-neighbour place from the paraphrases.
    rep = _representatives(records, hashes, word_counts)
    if numbers is None:
        numbers = number_keys(records)
    reps = np.flatnonzero(rep == np.arange(len(rep)))
    group_of = {}  # representative -> its group, for groups of more than one
    for m in np.flatnonzero(rep != np.arange(len(rep))).tolist():
        group_of.setdefault(int(rep[m]), [int(rep[m])]).append(m)
    keep = rep[owners] == owners
    keys, owners, positions = keys[keep], owners[keep], positions[keep]

    views = {}

    def view(i):
        if i not in views:
            views[i] = PromptView(records[i])
        return views[i]

    def edited_pair(a, b):
        """Answers one edit apart whose prompts each echo their own answer (edited_answer)."""
        view_a, view_b = view(a), view(b)
        return edited_answer(
            records[a], records[b], view_a.words[0] + view_a.words[1], view_b.words[0] + view_b.words[1], True
        ) and answers_echo_prompts(records[a], records[b], view_a.parts[0], view_b.parts[0])

    def removed_word(owner, position):
        context, query = view(owner).words
        return (context + query)[position]

    if answers is None:
        answers = answer_keys(records)
    # how many examples say each answer word for word: one said by many is a template's reply
    # ("Thanks for reaching out, our team ..."), which vouches for no rewording (REWORDED_MOST)
    _, at_key, key_counts = np.unique(answers, return_inverse=True, return_counts=True)
    said_by = np.where(answers == 0, 1, key_counts[at_key])
    cosines = {}
    fact_pairs = {}  # questions of fact alike in plain meaning (facts.fact_of) -> that cosine
    reworded = set()  # pairs whose answers are one answer reworded (reworded_answer): from reworded_floor
    same_meaning = SAME_MEANING
    context_of = shared_contexts(records) if vectors is not None and vectors is not False else {}
    if vectors is not None and vectors is not False and len(records) > 1:
        mains = _Mains(records, context_of)
        if idf is None:
            idf = semantic.Idf(mains[k] for k in range(len(mains)))
        same_meaning = semantic.meaning_threshold(mains, idf, SAME_MEANING)
    if same_meaning <= 1.0 and vectors is not None and vectors is not False and len(records) > 1:
        most = NEIGHBOURS if len(records) <= 20000 else NEIGHBOURS // 3  # bounded work on big sets
        left, right, sims = semantic.neighbour_pairs(vectors[reps], CANDIDATE, most=most, keys=numbers[reps])
        left, right = reps[left], reps[right]
        same_numbers = numbers[left] == numbers[right]
        if context_of:  # two of one context are compared by their instructions (_shared_context_pairs)
            context = np.full(len(records), -1)
            context[list(context_of)] = list(context_of.values())
            same_numbers &= ~((context[left] == context[right]) & (context[left] >= 0))
        left, right, sims = left[same_numbers], right[same_numbers], sims[same_numbers]
        if len(left):
            # The meaning layer decides on vectors whose words are weighed by their rarity in
            # this dataset: a template's frame counts less than what fills it ("instead of
            # butter in a risotto" / "I ran out of honey ... a risotto").
            involved = np.unique(np.concatenate([left, right]))
            at_left, at_right = np.searchsorted(involved, left), np.searchsorted(involved, right)
            weighted = semantic.embed([view(k).parts[0] for k in involved.tolist()], idf)
            meaning = np.minimum(sims, (weighted[at_left] * weighted[at_right]).sum(axis=1))
            # Pairs that can still match: alike in meaning, or of lengths that allow the same
            # wording (a character similarity is at most 2 * shorter / both lengths).
            lengths = np.fromiter((len(plain_text(view(k).parts[0])) for k in involved.tolist()), np.float32)
            keep = neighbour_kept(meaning, lengths[at_left], lengths[at_right], same_meaning, sims)
            # short questions of fact whose answers name a value (facts.fact_of), alike from
            # FACT_MEANING in plain meaning: whether those values agree says if they are one
            # question (fact_match alone decides the pairs no other layer proposes)
            factual = sims >= FACT_NAMED_MEANING  # fact_alike decides from there
            if factual.any():
                has_fact = np.fromiter(
                    # an answer said by many is a template's reply, no one question's fact
                    (said_by[k] <= REWORDED_MOST and fact_of(records[k]) is not None for k in involved.tolist()),
                    bool,
                )
                factual &= has_fact[at_left] & has_fact[at_right]
                for k in np.flatnonzero(factual).tolist():
                    a, b = int(left[k]), int(right[k])
                    if fact_alike(view(a), view(b), float(sims[k]), float(meaning[k])):
                        fact_pairs[(min(a, b), max(a, b))] = float(sims[k])
            # Less alike in meaning, a pair is still looked at when its answers are one answer
            # with a small edit (edited_answer): prompts said in other words whose answers
            # disagree in one value, which no shared answer proposes. Answer lengths rule out most.
            # Prompts that name the same numbers ("the 13 biggest spenders of 2025") or the same
            # things ("the wait_time column") are looked at from the meaning a shared answer needs:
            # those already say much of the request.
            floor = _edit_floors(view, left, right, meaning, numbers, same_meaning, ~keep)
            loose = ~keep & (meaning >= floor)
            if loose.any():
                answer_lengths = np.fromiter((len(records[k].answer()) for k in involved.tolist()), np.float32)
                la, lb = answer_lengths[at_left], answer_lengths[at_right]
                loose &= (np.minimum(la, lb) > 0) & (2 * np.minimum(la, lb) >= NEAR_ANSWER * (la + lb))
                at = np.flatnonzero(loose)
                looked = [(int(left[k]), int(right[k])) for k in at.tolist()]
                keep[at[np.asarray(_in_workers(edited_pair, looked, workers), dtype=bool)]] = True
            # prompts whose answers are one answer reworded, alike from the reworded floor in plain meaning
            near = (meaning < same_meaning) & (sims >= reworded_floor(same_meaning))
            if near.any():  # answers of lengths one rewording apart (at most twice as long)
                answer_lengths = np.fromiter((len(records[k].answer()) for k in involved.tolist()), np.float32)
                la, lb = answer_lengths[at_left], answer_lengths[at_right]
                near &= (np.minimum(la, lb) > 0) & (2 * np.minimum(la, lb) >= np.maximum(la, lb))
            for k in np.flatnonzero(near).tolist():
                a, b = int(left[k]), int(right[k])
                if max(said_by[a], said_by[b]) <= REWORDED_MOST and reworded_alike(records[a], records[b]):
                    keep[k] = True
                    reworded.add((min(a, b), max(a, b)))
            cosines = dict(zip(zip(left[keep].tolist(), right[keep].tolist()), meaning[keep].tolist()))
        # Answers one edit apart, whatever their prompts' nearest neighbours: a template asked
        # about many things fills those places with siblings, and a reworded prompt reads less
        # alike than they do. The same tests as above decide.
        if edits is None:
            edits = edit_keys(records, numbers)
        fresh = sorted(edit_pairs(edits, reps) - set(cosines))
        if context_of:  # two of one context are compared by their instructions (_shared_context_pairs)
            fresh = [(a, b) for a, b in fresh if context_of.get(a, -1) < 0 or context_of.get(a) != context_of.get(b)]
        left = right = np.zeros(0, dtype=np.int64)
        if fresh:
            left, right = np.asarray([p[0] for p in fresh]), np.asarray([p[1] for p in fresh])
            # the plain cosine bounds the meaning from above: pairs under every floor go first,
            # before the weighted vectors are worked out for the rest
            lowest = min(anchored_floor(same_meaning), edited_candidate(same_meaning), reworded_floor(same_meaning))
            near = (vectors[left] * vectors[right]).sum(axis=1) >= lowest
            left, right = left[near], right[near]
        if len(left):
            involved = np.unique(np.concatenate([left, right]))
            at_left, at_right = np.searchsorted(involved, left), np.searchsorted(involved, right)
            weighted = semantic.embed([view(k).parts[0] for k in involved.tolist()], idf)
            sims = (vectors[left] * vectors[right]).sum(axis=1)
            meaning = np.minimum(sims, (weighted[at_left] * weighted[at_right]).sum(axis=1))
            floor = _edit_floors(view, left, right, meaning, numbers, same_meaning)

            def edited_or_reworded(k, a, b):
                """ "edited", "reworded" or None for the fresh pair at k."""
                # free-text answers share reworded keys, not edit keys (bucket_keys): no edit to look for
                free = reworded_view(records[a].answer()) is not None or reworded_view(records[b].answer()) is not None
                if meaning[k] >= floor[k] and not free and edited_pair(a, b):
                    return "edited"
                if (
                    sims[k] >= reworded_floor(same_meaning)
                    and max(said_by[a], said_by[b]) <= REWORDED_MOST
                    and reworded_alike(records[a], records[b])
                ):
                    return "reworded"
                return None

            at = np.flatnonzero((meaning >= floor) | (sims >= reworded_floor(same_meaning))).tolist()
            looked = [(k, int(left[k]), int(right[k])) for k in at]
            for (k, a, b), found in zip(looked, _in_workers(edited_or_reworded, looked, workers)):
                if found:
                    cosines[(a, b)] = float(meaning[k])
                if found == "reworded":
                    reworded.add((a, b))
    by_side = {}
    if same_meaning <= 1.0 and vectors is not None and vectors is not False and len(records) > 1:
        by_side = _shared_context_pairs(records, reps, view, numbers, context_of)
        for pair in by_side:
            cosines.pop(pair, None)  # the shared part's cosine (1.0) says nothing of these two
    by_words = _same_numbers(candidate_pairs(keys, owners, positions, removed_word), numbers)
    shared_answer = {}  # representatives' pair -> an example whose answer both groups say
    for i, j in anchored_pairs(answers):
        a, b = int(rep[i]), int(rep[j])
        if a != b:
            shared_answer.setdefault((min(a, b), max(a, b)), i)
    anchored = _same_numbers(set(shared_answer), numbers)
    # a long answer said word for word vouches for prompts that give other examples (match())
    values_vouched = {p for p in set(shared_answer) - anchored if vouching_anchor(records[shared_answer[p]].answer())}
    anchored |= values_vouched
    anchored_meaning = anchored_floor(same_meaning)
    by_record = input_record_pairs(records, reps)
    by_task = input_task_pairs(records, reps)
    if vectors is not None and vectors is not False and same_meaning <= 1.0:
        # short answers naming the same values, whatever the prompts' neighbours (fact_key)
        for a, b in fact_key_pairs(records, reps) - set(fact_pairs):
            plain = float(vectors[a] @ vectors[b])
            if plain >= FACT_SHARED_MEANING and shared_values_kept(view(a), view(b)):
                fact_pairs[(a, b)] = plain
    others = by_words | set(cosines) | anchored | set(by_side) | by_record
    # no layer proposed these: input_task_match or fact_match alone decides
    task_only = (by_task | set(fact_pairs)) - others
    candidates = others | by_task | set(fact_pairs)

    side_vectors = {}

    def side_cosine(i, j):
        missing = [k for k in (i, j) if k not in side_vectors]
        if missing:
            for k, v in zip(missing, semantic.embed([view(k).parts[1] for k in missing])):
                side_vectors[k] = v
        return float(side_vectors[i] @ side_vectors[j])

    uf = UnionFind()  # every match: the clusters
    words_uf = UnionFind()  # word-level matches only: the classes
    links = []
    notes = {}
    rest = {}  # the meaning of pairs only the word index proposed, measured as for the others
    if idf is not None and same_meaning <= 1.0:
        others = sorted(({(min(p), max(p)) for p in by_words} | anchored) - set(cosines))
        involved = sorted({k for p in others for k in p})
        if involved:
            weighted = dict(zip(involved, semantic.embed([view(k).parts[0] for k in involved], idf)))
            rest = {(i, j): min(float(vectors[i] @ vectors[j]), float(weighted[i] @ weighted[j])) for i, j in others}

    def decide(i, j):
        """None, or (the pairs of examples it joins, layer, detail) for the candidate i < j."""
        view_i, view_j = view(i), view(j)
        if (i, j) in by_record:
            return _decide_by_record(records, i, j, view_i, view_j, group_of)
        words_layer = (i, j) in by_words or (j, i) in by_words
        if (i, j) in by_side and not words_layer and (i, j) not in anchored:
            return _decide_by_context(records, i, j, view_i, view_j, by_side[(i, j)], same_meaning, group_of)
        if (
            not words_layer
            and (i, j) not in anchored
            and (i, j) not in reworded  # one answer reworded vouches as a shared one does: opposites differ
            and view_i.hard_slots != view_j.hard_slots
        ):
            return None  # what match() would find first, for many candidates of a template
        cosine = cosines.get((i, j), rest.get((i, j)))
        if cosine is None and vectors is not None and vectors is not False:
            cosine = float(vectors[i] @ vectors[j])
        shared = records[shared_answer[(i, j)]].answer() if (i, j) in anchored else None
        if shared is not None and (view_i.asks_nothing or view_j.asks_nothing):
            shared = None  # a vague request ("ok go") shares an answer with no rewording of it
        long_answer = shared is not None and vouching_anchor(shared)
        if long_answer and cosine is not None:
            # the plain meaning: rare words weigh more in the other, and two wordings of one
            # request say the rare ones differently ("physician" / "doctor")
            cosine = max(cosine, float(vectors[i] @ vectors[j]))
        same, detail, layer = match(
            view_i,
            view_j,
            cosine,
            (lambda i=i, j=j: side_cosine(i, j)) if cosine is not None else None,
            same_meaning=anchored_floor(same_meaning, shared, (i, j) in values_vouched)
            if shared is not None and same_meaning <= 1.0
            else same_meaning,
            words_layer=words_layer,
            anchored=shared is not None,
            answer_vouches=shared is not None and text_anchor(shared),
            # other numbers where values_vouched has the pair, other quotes in any
            values_vouched="record" if long_answer and specific_record(shared) else long_answer,
        )
        contradicts = same and may_contradict(
            layer,
            cosine,
            view_i,
            view_j,
            lambda: edited_answer(
                records[i], records[j], view_i.words[0] + view_i.words[1], view_j.words[0] + view_j.words[1], True
            ),
            lambda: negating_edit(records[i], records[j]),
        )
        edited = (
            None if same else _edited(records[i], records[j], view_i, view_j, cosine, same_meaning, anchored_meaning)
        )
        if edited:
            # answers one edit apart vouch for prompts said in other words, as a shared answer does
            same, detail, layer = edited
            contradicts = (
                same
                and not (layer == "meaning" and labelled_apart(view_i, view_j))
                and not other_intent(view_i, view_j, answers_edited=not negating_edit(records[i], records[j]))
            )
            if not contradicts:
                return None
        elif (
            not same and (i, j) in reworded and cosine is not None and not (view_i.asks_nothing or view_j.asks_nothing)
        ):
            # one answer reworded vouches for prompts said in other words, on the plain meaning,
            # every guard in place: a duplicate, never a contradiction
            plain = max(cosine, float(vectors[i] @ vectors[j]))
            same, detail, layer = match(
                view_i,
                view_j,
                plain,
                lambda i=i, j=j: side_cosine(i, j),
                reworded_floor(same_meaning),
                False,
                # as a shared answer in text does: a content word said otherwise is rewording
                # ("destroy" / "kill" the nutrients), only opposite comparisons differ
                anchored=True,
                answer_vouches=True,
            )
            contradicts = False
        if not same:
            return None
        if records[i].is_preference or records[j].is_preference or not contradicts:
            # another preference pair for the same prompt is neither a duplicate nor a contradiction;
            # a pair alike only in meaning is a contradiction only when very alike. Both depend on
            # the answers: each example of the two groups on its own.
            joined = []
            for a in group_of.get(i, (i,)):
                for b in group_of.get(j, (j,)):
                    verdict = compare_records(records[a], records[b])[0]
                    if verdict == "agree" or (verdict == "conflict" and contradicts):
                        joined.append((a, b))
        elif compare_records(records[i], records[j])[0] == "other":
            return None  # answers that follow what each prompt names: two requests (_follow_their_prompts)
        else:
            joined = [(i, j)]
        return joined, layer, detail

    def decide_any(i, j):
        """decide(), and for two of one input that it leaves apart, input_task_match."""
        verdict = None if (i, j) in task_only else decide(i, j)
        if (verdict is None or not verdict[0]) and (i, j) in by_task:
            return _decide_by_task(records, i, j, view(i), view(j), group_of)
        if (verdict is None or not verdict[0]) and (i, j) in fact_pairs:
            return _decide_by_fact(records, i, j, view(i), view(j), fact_pairs[(i, j)], group_of)
        return verdict

    pairs = [(min(i, j), max(i, j)) for i, j in candidates]
    for (i, j), verdict in zip(pairs, _in_workers(decide_any, pairs, workers)):
        if verdict is None:
            continue
        joined, layer, detail = verdict
        for a, b in joined:
            uf.union(a, b)
            if layer == "words":
                words_uf.union(a, b)
            else:
                links.append((a, b))
        if detail and joined:
            notes[frozenset((i, j))] = f"a near-identical prompt ({detail})" if layer == "words" else detail
    for r, members in group_of.items():
        for m in members[1:]:
            uf.union(r, m)
            words_uf.union(r, m)
    by_root = {}
    for i in list(uf.parent):
        by_root.setdefault(uf.find(i), []).append(i)
    # each note and silenced pair filed under its cluster once (looking every note up for every
    # cluster cost 2.8 s of 17 at 20,000 realistic examples, and grows with the square)
    notes_of, silenced_of = {}, {}
    for pair, note in notes.items():
        notes_of.setdefault(uf.find(next(iter(pair))), {})[pair] = note
    for pair in silenced:
        ends = list(pair)
        if len(ends) == 2 and ends[0] in uf.parent and ends[1] in uf.parent and uf.find(ends[0]) == uf.find(ends[1]):
            silenced_of.setdefault(uf.find(ends[0]), set()).add(pair)
    clusters = []
    cluster_of = {}
    for root, members in by_root.items():
        if len(members) < 2:
            continue
        members = sorted(members)
        cluster = Cluster(members=members, prompt_notes=notes_of.get(root, {}))
        cluster.rep = {m: int(rep[m]) for m in members if rep[m] != m}
        cluster.klass = {m: words_uf.find(m) for m in members}
        cluster_of.update(dict.fromkeys(members, cluster))
        # a member joins the group whose every answer it agrees with: agreeing with one member
        # only is no agreement with the rest ("... = 8/4 = 2." and "... = 8/4 = 1/2." each agree
        # with a third chat that has another number of turns, and disagree with each other)
        said = []  # per group: the members of distinct answers, the ones compared
        cluster.worded = {m: said_words(records[m]) for m in members}
        for m in members:
            key = _answer_identity(records[m])
            for group, distinct in zip(cluster.groups, said):
                if key in distinct or all(
                    compare_records(records[o], records[m])[0] == "agree" for o in distinct.values()
                ):
                    group.append(m)
                    distinct.setdefault(key, m)
                    break
            else:
                cluster.groups.append([m])
                said.append({key: m})
        for gi in range(len(cluster.groups)):
            for gj in range(len(cluster.groups)):
                if gi != gj:
                    first_i, first_j = records[cluster.groups[gi][0]], records[cluster.groups[gj][0]]
                    cluster.conflicts[(gi, gj)] = named_detail(first_i, first_j, compare_records(first_i, first_j)[1])
        cluster.silenced = silenced_of.get(root, set())
        # two preference pairs for one prompt that neither repeat nor reverse each other (or a
        # pair and a plain example that does not teach its rejected answer) are meant to stand
        # side by side: never reported, like a pair marked as intended variation
        preferences = [m for m in members if records[m].is_preference]
        if preferences:
            cluster.silenced = cluster.silenced | {
                frozenset((p, m))
                for p in preferences
                for m in members
                if m != p and compare_records(records[p], records[m])[0] == "other"
            }
        clusters.append(cluster)
    for i, j in links:
        cluster = cluster_of[i]
        ki, kj = cluster.klass[i], cluster.klass[j]
        cluster.linked.setdefault(ki, set()).add(kj)
        cluster.linked.setdefault(kj, set()).add(ki)
    return clusters


def _answer_identity(record):
    """What two copies of an answer share word for word (a chat's every assistant turn, a
    preference pair's rejected answer too)."""
    if record.is_chat:
        return tuple(record.turn_answers())
    return record.answer(), record.rejected


def cluster_findings(clusters, label, finding_cls):
    """{index: [Finding]} for every example in a cluster. `label(i)` names an example for people
    ("line 12", "#345"); `related` holds the indexes of the other examples."""
    out = {}
    for cluster in clusters:
        silenced = cluster.silenced
        group_of = {m: gi for gi, group in enumerate(cluster.groups) for m in group}
        for m in cluster.members:
            gi = group_of[m]
            dupes = [
                o for o in cluster.groups[gi] if o != m and frozenset((m, o)) not in silenced and cluster.related(m, o)
            ]
            if dupes:
                how = cluster.note(m, dupes[0], "the same prompt")
                out.setdefault(m, []).append(
                    finding_cls(
                        "duplicate",
                        "warning",
                        f"{how} and {_same_or_agreeing(cluster, m, dupes)} {_labels(dupes, label)}",
                        "",
                        tuple(dupes[:MAX_RELATED]),
                    )
                )
            others = [
                o
                for gj, group in enumerate(cluster.groups)
                if gj != gi
                for o in group
                if frozenset((m, o)) not in silenced and cluster.related(m, o)
            ]
            if others:
                gj = group_of[others[0]]
                how = cluster.note(m, others[0], "the same prompt")
                detail = cluster.conflicts[(gi, gj)]  # this example's answer first
                out.setdefault(m, []).append(
                    finding_cls(
                        "contradiction",
                        "error",
                        f"{how} as {_labels(others, label)} but a conflicting answer: {detail}",
                        "output",
                        tuple(others[:MAX_RELATED]),
                    )
                )
    return out


def _same_or_agreeing(cluster, m, dupes):
    """ "the same answer as" when every duplicate's answer says m's words, else "an answer that
    agrees with" ("Paris" / "It is Paris.")."""
    mine = cluster.worded.get(m)
    if mine is None or all(cluster.worded.get(o) == mine for o in dupes[:MAX_RELATED]):
        return "the same answer as"
    return "an answer that agrees with"


MAX_RELATED = 50  # a finding lists at most this many others; its message gives the full count


def _labels(indexes, label, most=5):
    names = [label(i) for i in indexes[:most]]
    more = f" and {len(indexes) - most} more" if len(indexes) > most else ""
    return ", ".join(names) + more


def cluster_pairs(cluster, all_pairs_up_to=50):
    """[(i, j, kind, detail)] for storing a cluster as pairs. Small clusters give every pair; in a
    large one each example is paired with the first example of its own group and of every other
    group, so each still shows its duplicates and contradictions without n² rows."""
    group_of = {m: gi for gi, group in enumerate(cluster.groups) for m in group}
    if len(cluster.members) <= all_pairs_up_to:
        candidates = [(a, b) for x, a in enumerate(cluster.members) for b in cluster.members[x + 1 :]]
    else:
        heads = [group[0] for group in cluster.groups]
        candidates = {tuple(sorted((m, h))) for m in cluster.members for h in heads if m != h}
    out = []
    for a, b in sorted(candidates):
        if frozenset((a, b)) in cluster.silenced or not cluster.related(a, b):
            continue
        ga, gb = group_of[a], group_of[b]
        if ga == gb:
            out.append((a, b, "duplicate", cluster.note(a, b)))
        else:
            out.append((a, b, "contradiction", cluster.conflicts[(ga, gb)]))
    return out
