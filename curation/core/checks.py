"""Checks of one example on its own: format, length, repetition, personal data (plain Python).

The pairwise checks (duplicate, contradiction) live in clusters.py, over prompt_comparison.py,
answer_comparison.py and candidate_index.py. The browser (on save), the
whole-dataset scan and the `check_dataset` command all call these same functions.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from curation.core.pii import find_pii
from curation.core.repetition import find_repetition
from curation.core.rules import FormatRules
from curation.core.text import words
from studio.core.records import ROLES

PII_HINT_RE = re.compile(r"[@\d]")
CHECKS = ("duplicate", "contradiction", "format", "length", "quality", "repetition", "pii")
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    check: str  # one of CHECKS
    severity: str  # error or warning
    message: str
    field: str = ""  # instruction, input, output, messages[i]; "" for the whole example
    related: tuple = ()  # keys of the other examples of a pair or cluster

    def as_dict(self):
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
            "related": list(self.related),
        }


def check_chat(messages):
    """Structure of a chat: known roles, user and assistant alternate, the assistant speaks last,
    no empty turns."""
    found = []
    turns = []
    for i, m in enumerate(messages):
        role, content = m.get("role"), m.get("content")
        if role not in ROLES:
            found.append(
                Finding(
                    "format",
                    ERROR,
                    f"turn {i + 1} has the unknown role {role!r}; use system, user or assistant",
                    f"messages[{i}]",
                )
            )
            continue
        if not isinstance(content, str) or not content.strip():
            found.append(Finding("format", ERROR, f"turn {i + 1} ({role}) is empty", f"messages[{i}]"))
        if role == "system":
            if turns:
                found.append(
                    Finding("format", ERROR, f"turn {i + 1}: a system message may only open the chat", f"messages[{i}]")
                )
            continue
        if turns and turns[-1][1] == role:
            found.append(
                Finding(
                    "format",
                    ERROR,
                    f"turn {i + 1}: two {role} turns in a row; user and assistant must alternate",
                    f"messages[{i}]",
                )
            )
        turns.append((i, role))
    if not turns:
        found.append(Finding("format", ERROR, "the chat has no user or assistant turn", "messages"))
    else:
        if turns[0][1] != "user":
            found.append(
                Finding(
                    "format",
                    ERROR,
                    "the chat must start with a user turn (after an optional system message)",
                    f"messages[{turns[0][0]}]",
                )
            )
        if turns[-1][1] != "assistant":
            found.append(
                Finding(
                    "format",
                    ERROR,
                    "the last turn must be the assistant's: it is what the model learns to write",
                    f"messages[{turns[-1][0]}]",
                )
            )
    return found


def check_length(record, rules, count_tokens=None):
    found = []
    if not record.is_chat:
        if not record.instruction.strip():
            found.append(Finding("length", ERROR, "the instruction is empty", "instruction"))
        if not record.output.strip():
            found.append(Finding("length", ERROR, "the output is empty", "output"))
    answer = record.answer()
    if count_tokens is not None and (rules.max_total_tokens or rules.min_output_tokens or rules.max_output_tokens):
        answer_tokens = count_tokens(answer)
        if rules.min_output_tokens and answer_tokens < rules.min_output_tokens:
            found.append(
                Finding(
                    "length",
                    ERROR,
                    f"the answer has {answer_tokens} tokens, fewer than the minimum {rules.min_output_tokens}",
                    "output",
                )
            )
        if rules.max_output_tokens and answer_tokens > rules.max_output_tokens:
            found.append(
                Finding(
                    "length",
                    ERROR,
                    f"the answer has {answer_tokens:,} tokens, more than the maximum {rules.max_output_tokens:,}",
                    "output",
                )
            )
        if rules.max_total_tokens:
            context, query = record.prompt()
            total = answer_tokens + count_tokens("\n".join(t for t in (context, query) if t))
            if total > rules.max_total_tokens:
                found.append(
                    Finding(
                        "length",
                        ERROR,
                        f"{total:,} tokens in all, over the budget of {rules.max_total_tokens:,}: training would cut it off",
                        "",
                    )
                )
    return found


def check_format(record, rules):
    found = []
    if record.is_chat:
        found += check_chat(record.messages)
    elif rules.input_required and not record.input.strip():
        found.append(Finding("format", ERROR, "this project requires an input", "input"))
    answer = record.answer()
    if answer.strip():
        field_name = "output" if not record.is_chat else f"messages[{len(record.messages) - 1}]"
        found += [Finding("format", ERROR, message, field_name) for message in rules.check_output(answer)]
    return found


def check_repetition(record):
    found = []
    for field_name, text in record.texts():
        problem = find_repetition(text)
        if problem:
            found.append(
                Finding("repetition", WARNING, f"degenerate repetition in the {field_name}: {problem}", field_name)
            )
    return found


def check_pii(record):
    texts = record.texts()
    if not any(PII_HINT_RE.search(text) for _, text in texts):
        return []  # no @, no digit, no IBAN-like letters: nothing to look at closely
    found = []
    labels = {
        "email": "an e-mail address",
        "phone": "a phone number",
        "card": "a payment card number",
        "iban": "an IBAN",
    }
    for field_name, text in record.texts():
        for match in find_pii(text):
            found.append(
                Finding(
                    "pii",
                    ERROR,
                    f"the {'rejected answer' if field_name == 'rejected' else field_name} contains "
                    f"{labels[match.kind]} ({match.masked()})",
                    field_name,
                )
            )
    return found


# Words that name no task or topic on their own: an instruction made only of these is vague. By
# kind: requests without an object ("help", "do it", "make it better", "handle this one"),
# references to a context the example does not hold ("same as before", "like last time", "that
# thing we discussed", "the usual", "see above"), hedges and fillers ("idk", "thoughts?", "hmm"),
# and the small words around them.
VAGUE_WORDS = frozenset(
    """help helps please do does did doing done it its this that these those something anything everything
    nothing stuff thing things one ones fix make makes made get got handle redo retry improve better best good
    nice fine right work works working go going proceed continue start begin finish complete deal sort answer
    answers question questions reply respond json yes no ok okay sure tell me explain write give show info
    information what why how who when where which whatever whichever hmm um uh well hi hello hey thanks thank
    you can could would will should shall might may must i we us our my your the a an and or as like so then
    now asap here there task todo below above following previous previously before earlier last usual same
    again next more know knew discuss discussed mention mentioned said say says talked told agreed
    idk dunno maybe perhaps thought thoughts idea ideas opinion think need want pls plz test check look see try
    use just is are was were be been with for on about to of in at from into up out any another ahead rest
    update updates follow yesterday today tomorrow conversation per take care drill deal needful too also
    attached attachment doesn don didn isn won hasn haven wasn weren couldn wouldn shouldn aren other others problem
    problems issue issues""".split()
)
# Words that make an instruction a task when an input says what it applies to ("Answer the
# question.", "Explain.", "Fix this" over a program): with an input, only an instruction without
# one of these, and without any specific word, is vague ("?", "do the usual", "this one too").
INPUT_TASK_WORDS = frozenset(
    """answer answers explain fix improve tell write reply respond json check correct update continue finish
    complete summarise summarize translate classify extract rewrite shorten review""".split()
)
# An opening that points back at a request the example does not hold ("Same but faster", "Do it in
# bash", "Again, shorter", "What about Peru?"): vague in a short instruction, whatever follows.
# "Same" points back on its own or before a word that goes on from it ("same for the orders
# table", "the same as before but in Celsius"), not as a word of the request ("Same-day shipping
# to Canada?", "same sex marriage laws"); "again" when no request of its own follows it ("Again,
# but shorter", "Again, shorter"; not "Again, what year did Rome fall?").
SAME_POINTING = (
    r"(?:do\s+)?(?:the\s+)?same(?![\w'’-])(?=\s*(?:$|[.,!?;:]|(?:again|as|but|thing|for|with|here|please|pls|one"
    r"|question|deal|idea|way|format|style|steps|answer|procedure|except|now|too|in)\b))"
)
OPENING_PREFIX = r"^\W*(?:(?:ok|okay|alright|right|so|great|cool|thanks|hmm|well)\W+)*"
CONTEXT_BACK = re.compile(
    OPENING_PREFIX
    + rf"(?:{SAME_POINTING}|again(?=\s*(?:$|[.!?]|,?\s*(?:but|with|for|please|pls|in|and)\b|,?\s*\w+(?:\s+\w+)?\W*$))"
    r"|ditto|like before|as before)\b",
    re.I,
)
# ... and, in a request without an input, these ("Do it in bash", "What about Peru?"), which over
# an input may name it ("Do it in bash" over a Python script)
CONTEXT_OPENING = re.compile(
    OPENING_PREFIX + r"(?:do (?:it|that|this)(?!\s*:)|like (?:that|the (?:last|previous|other))|(?:what|how) about"
    # "now for two people", "and in kelvin?": the request they change is not here
    r"|(?:(?:and|now|also)\s+)+(?:for|with|in|without|using)"
    # "and the monthly one?", "the other one", "and the other sheet?"
    r"|(?:(?:and|now|also)\s+)*the\s+(?:[\w-]+\s+){0,2}one(?=\W*$)"
    r"|(?:(?:and|now|also)\s+)+the\s+other(?=(?:\s+[\w-]+)?\W*$))\b",
    re.I,
)
CONTEXT_OPENING_MOST_WORDS = 12  # "Same question but for the year 2019 and Germany please" still points back
# Openings that only join a request to a conversation ("Now convert 100 F to Celsius", "And what
# is the capital of Peru?", "OK so: list three fruits"): the rest decides.
JOINING_OPENING = re.compile(
    r"^\W*(?:(?:ok|okay|alright|so|great|cool|thanks|hmm|well|now|and|also)\b[\s,.!:;-]*)+", re.I
)
# Words that point back at an earlier answer in a short request ("Use pandas instead.", "ok now the
# opposite", "Give me another example.", "Still the same problem!!") ...
BACK_RE = re.compile(
    r"\b(?:instead(?! of)|opposite(?! of)|still|another (?:example|one|way|option|version|idea|try)"
    r"|the same (?:problem|issue|thing|error|one|question)|the other way(?: (?:round|around))?|vice versa)\b",
    re.I,
)
# ... unless the request says what it replaces ("I'm out of buttermilk. What can I use instead?")
LACKING_RE = re.compile(
    r"\b(?:out of|r[au]n out|(?:don'?t|do not|doesn'?t) have|no more|allergic|can'?t (?:eat|have|use)|without)\b", re.I
)
# ... and comparisons with nothing to compare with, a request's only content ("Explain more simply.")
BACK_COMPARISONS = frozenset("simply simpler shorter longer clearer easier".split())
# ... and those that do so with an input too ("Same as before but shorter" over a product text)
# A pronoun standing for something the example does not hold ("Is it safe?", "make it faster")
POINTING = frozenset("it its this that them they these those".split())
POINTING_WORDS = 5  # a request of at most this many words whose only thing is a pronoun ("it's making the noise again")
DO_THING_WORDS = 6  # "do the docker thing", "do the lookup": "do" and one thing, nothing said of what to do
DO_OBJECTS = frozenset("the a an my our this that it some".split())
# Tasks that need a text to work on: asked of "my account" or "this" without an input, vague
NEEDS_MATERIAL = frozenset(
    """fix correct review summarise summarize translate rewrite shorten improve update check extract classify
    proofread edit debug""".split()
)
OWNED = frozenset("my our this that it".split())  # not "the": "Summarize the Odyssey" names its text
REPAIRS = frozenset("fix correct debug proofread".split())  # ... but "fix the math" has nothing to repair
COURTESY_WORDS = frozenset("please pls plz thanks thank you".split())
# A follow-up that asks the last request of another thing ("and for last year?", "what about
# Spain?"): it points back whatever input the example gives
ANOTHER_THING_RE = re.compile(r"^\W*(?:and\s+(?:for|in|with|the)\b|(?:and\s+)?(?:what|how)\s+about\b)", re.I)
# With an input, a verb that needs more said of what to do with it, or a format named alone
BARE_TASKS = frozenset("fix edit improve process handle do redo update change clean extract check run go".split())
FORMAT_ONLY = frozenset("json csv yaml xml sql query code table markdown".split())
ARTICLES = frozenset("a an the".split())
CONTEXT_OPENING_WORDS = 7
SINGLE_WORD_REQUEST = 2  # an instruction of at most this many words naming one thing only ("Recipe.", "Plan it.")


# Phrases that point at a context the example does not hold; their words alone are specific.
VAGUE_PHRASES = re.compile(
    r"\b(?:last|next|this|that|same)\s+times?\b|\bas\s+usual\b|\b(?:from|like)\s+(?:earlier|before)\b", re.I
)
# Questions to the assistant about itself: short, and answerable, so never vague.
ABOUT_ITSELF = frozenset(
    ("who are you", "what are you", "what can you do", "what do you do", "how are you", "who made you", "who built you")
)


@lru_cache(maxsize=1 << 15)
def _vague(word):
    """A word in VAGUE_WORDS, or an inflection of one ("handled", "fixing"); a stem must keep three
    letters, so "bed" and "seed" are not forms of "be" and "see"."""
    if word in VAGUE_WORDS:
        return True
    for suffix in ("ing", "ed", "es", "s", "d"):
        stem = word[: -len(suffix)] if word.endswith(suffix) else ""
        if suffix == "d" and not word.endswith("ed"):
            stem = ""  # "used" is a form of "use"; "find" is none of "fine"
        if len(stem) >= 3 and (stem in VAGUE_WORDS or stem + "e" in VAGUE_WORDS):
            return True
        if len(stem) >= 4 and stem[-1] == stem[-2] and stem[:-1] in VAGUE_WORDS:
            return True  # "getting", "doing" is above
    return False


def _specific(instruction):
    """The words of an instruction that name a task or a topic (numbers included: "What's 2+2?",
    "my W-2"), and its compounds of vague words ("check-in", "log-in", "set-up": a thing)."""
    text = VAGUE_PHRASES.sub(" ", instruction)
    found = [w for w in words(text) if (len(w) > 1 or w.isdigit()) and not _vague(w)]
    return found + [c.lower() for c in COMPOUND_RE.findall(text) if all(_vague(w) for w in words(c))]


COMPOUND_RE = re.compile(r"\b[A-Za-z]{2,}-[A-Za-z]{2,}\b")


# A complaint that names nothing it is about: a negated verb alone ("doesn't compile", "still won't
# start", "it can't connect anymore")
BARE_COMPLAINT_RE = re.compile(
    r"^\W*(?:(?:it|this|that|still|but|and|now|so)\s+)*"
    r"(?:doesn[’']?t|does not|won[’']?t|will not|can[’']?t|cannot|isn[’']?t|is not|didn[’']?t|did not)"
    r"\s+\w+(?:\s+(?:anymore|again|now|either|at all))?\W*$",
    re.IGNORECASE,
)


def is_vague(instruction, has_input=False):
    """True when no word of the instruction names a task or a topic ("Help", "Make it better",
    "Same as last time", "idk"), when it points back at a request the example does not hold ("Same
    but faster", "Do it in bash"), or when it is a word or two naming one thing and nothing to do
    with it ("Recipe.", "Plan it."), or a short request whose only thing is a pronoun ("Is it
    safe?"), a word pointing back ("Use pandas instead.", "Give me another example.", "Explain
    more simply.") or a text the example lacks ("fix my account", "Summarize this article"); "Who
    are you?", "What's a HELOC?" and "Tell me a joke" are not vague. With an input (`has_input`)
    the input is what the instruction applies to: only an instruction with no specific word and no
    task word ("?", "do the usual", "this one too") is, or one pointing back at another request
    ("Same as before but shorter")."""
    said = words(instruction)
    if " ".join(said) in ABOUT_ITSELF:
        return False
    if CONTEXT_BACK.match(instruction) and len(said) <= CONTEXT_OPENING_MOST_WORDS:
        return True  # points back at a request the example does not hold, with an input or without
    if not has_input and CONTEXT_OPENING.match(instruction) and len(said) <= CONTEXT_OPENING_WORDS:
        return True
    if has_input and ANOTHER_THING_RE.match(instruction) and len(said) <= CONTEXT_OPENING_WORDS:
        if not any(w in INPUT_TASK_WORDS for w in said):
            return True  # with an input too: "and for last year?", "What about the second paragraph?"
    joined = JOINING_OPENING.match(instruction)
    if joined and joined.end() < len(instruction):
        return is_vague(instruction[joined.end() :], has_input)
    if not has_input and BARE_COMPLAINT_RE.match(instruction):
        return True  # "doesn't compile", "won't start": what does not is not there
    specific = _specific(instruction)
    if has_input:
        asked = [w for w in said if w not in COURTESY_WORDS and w not in POINTING and w not in ARTICLES]
        if asked and len(asked) <= 2 and all(w in BARE_TASKS or w in FORMAT_ONLY for w in asked):
            return True  # "fix it", "Improve.", "Extract it.", "JSON", "sql pls", "do the query": do what with it?
        return not specific and not any(w in INPUT_TASK_WORDS for w in said)
    if not specific:
        return True
    asked = [w for w in said if w not in COURTESY_WORDS]  # "one-liner please" asks two words
    counted = [w for w in asked if len(w) > 1]  # "What's wrong with it?" counts four
    if len(counted) <= CONTEXT_OPENING_WORDS and (
        (BACK_RE.search(instruction) and len(specific) <= 2 and not LACKING_RE.search(instruction))
        or set(specific) <= BACK_COMPARISONS
    ):
        return True  # "Use pandas instead.", "Explain more simply."
    if asked[:1] == ["do"] and len(specific) <= 1 and len(counted) <= DO_THING_WORDS:
        # an order, not a question ("Do vaccines work?")
        if asked[1:2] and asked[1] in DO_OBJECTS and not instruction.rstrip().endswith("?"):
            return True  # "do the docker thing", "do the lookup", "do the thing for my room"
    if len(counted) <= POINTING_WORDS and not any(w.isdigit() for w in specific):
        if len(specific) == 1 and any(w in POINTING for w in counted):
            return True  # "Is it safe?", "make it faster", "it's not working"
        own = [w for w in specific if w not in NEEDS_MATERIAL]
        if (
            asked[0] in NEEDS_MATERIAL
            and len(asked) > 1
            and len(own) <= 1
            and (asked[1] in OWNED or (asked[0] in REPAIRS and asked[1] == "the"))
        ):
            return True  # "fix my account", "Summarize this article", "fix the math": the text is not there
    if len(asked) > SINGLE_WORD_REQUEST or len(specific) != 1 or specific[0].isdigit():
        return False
    # "Explain recursion" says what to do and with what; "Review it." only what to do
    return specific[0] in INPUT_TASK_WORDS or not any(w in INPUT_TASK_WORDS for w in said)


GREETING_WORDS = frozenset(
    "hi hello hey hiya howdy yo good morning afternoon evening day there everyone all greetings thanks thank you".split()
)


def is_greeting(text):
    """True for a turn of greeting words only ("Hi", "Hello there!", "Good morning")."""
    said = words(text)
    return bool(said) and all(w in GREETING_WORDS for w in said)


SYSTEM_DATA_WORDS = 12  # a system message this long, with figures or a list, gives what the chat is about


def _system_gives_data(messages):
    """True when a chat's system message holds what its first request is about, as an input does
    ("Options in Cape Town: The Copper Key (90 EUR/night) ..." before "cheapest one please?"), not
    only a role ("You are a helpful assistant.")."""
    for m in messages:
        if m["role"] == "system":
            text = str(m["content"] or "")
            if len(text.split()) >= SYSTEM_DATA_WORDS and (":" in text or any(c.isdigit() for c in text)):
                return True
    return False


def check_quality(record, rules):
    """Instructions a model cannot learn from: vague ("Help", "Do it", "JSON", "?"), too short or
    too long; and answers too short to teach anything. Warnings, with thresholds the lead sets."""
    found = []
    if record.is_chat:
        # The request is the first user turn (later ones may fairly be "yes"), checked for
        # vagueness only: people chat in short turns. A turn that only greets ("Hi", "Good
        # morning!") opens the chat; the request is the turn after it.
        users = [i for i, m in enumerate(record.messages) if m["role"] == "user"]
        while len(users) > 1 and is_greeting(str(record.messages[users[0]]["content"] or "")):
            users = users[1:]
        instruction = str(record.messages[users[0]]["content"] or "").strip() if users else ""
        field, has_input = (f"messages[{users[0]}]" if users else ""), _system_gives_data(record.messages)
    else:
        instruction, field, has_input = record.instruction.strip(), "instruction", bool(record.input.strip())
    if instruction:
        if is_vague(instruction, has_input):
            found.append(
                Finding(
                    "quality",
                    WARNING,
                    f"{'the request' if record.is_chat else 'the instruction'} is vague (“{instruction[:40]}”): say what to do, and with what",
                    field,
                )
            )
        elif (
            not record.is_chat  # people chat in short turns
            and not has_input
            and rules.min_instruction_chars
            and len(instruction) < rules.min_instruction_chars
        ):
            found.append(
                Finding(
                    "quality",
                    WARNING,
                    f"the instruction is very short ({len(instruction)} characters; the project asks for at least {rules.min_instruction_chars})",
                    field,
                )
            )
        if not record.is_chat and rules.max_instruction_chars and len(instruction) > rules.max_instruction_chars:
            found.append(
                Finding(
                    "quality",
                    WARNING,
                    f"the instruction is very long ({len(instruction):,} characters; the project's limit is {rules.max_instruction_chars:,}): move material into the input",
                    field,
                )
            )
    answer = record.answer().strip()
    if answer and rules.min_answer_chars and len(answer) < rules.min_answer_chars:
        found.append(
            Finding(
                "quality",
                WARNING,
                f"the answer is very short ({len(answer)} characters; the project asks for at least {rules.min_answer_chars})",
                "output" if not record.is_chat else "messages",
            )
        )
    return found


def check_preference(record):
    """A preference pair needs a chosen answer (its output) that differs from the rejected one.
    The format rules apply to the chosen answer only: the rejected one is worse on purpose."""
    if not record.is_preference:
        return []
    if not record.output.strip():
        return [Finding("format", ERROR, "a preference pair needs a chosen answer: the output is empty", "output")]
    if record.output.strip() == record.rejected.strip():
        return [
            Finding(
                "format",
                ERROR,
                "the rejected answer is the same as the chosen one: the pair teaches no preference",
                "rejected",
            )
        ]
    return []


def check_record(record, rules=None, count_tokens=None):
    """Every single-example finding for record, in a stable order."""
    rules = rules or FormatRules()
    return (
        check_preference(record)
        + check_format(record, rules)
        + check_length(record, rules, count_tokens)
        + check_quality(record, rules)
        + check_repetition(record)
        + check_pii(record)
    )
