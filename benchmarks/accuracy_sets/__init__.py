"""Planted-fault example sets for benchmarks/check_accuracy.py.

Each domain module (tickets, queries, questions, chats) describes its examples as intents: a
meaning is an intent plus slot values (a country, a year, a quoted status...), a prompt is one of
several differently worded forms of that meaning, and the answer follows from the meaning. The
builder here draws a few hundred distinct meanings per domain (no two clean examples share a
meaning, so none of them is a duplicate of another) and then plants faults next to some of them,
each recorded as a pair of row indexes or a single index:

- exact: the same example again, or the same after a change of case or whitespace;
- multi_edit: two or three small edits at once (casing, an added word, a typo, "Thank you!",
  doubled spaces, an added adjective, a dropped article), same answer;
- paraphrase: the same meaning in another of the intent's forms, same answer;
- reordered: the two parts of a symmetric pair swapped ("between A and B" / "between B and A"),
  same answer;
- contradiction: the same, an edited or a paraphrased prompt with a conflicting answer (one JSON
  field, one SQL token, another fact or number, a changed final assistant turn);
- vague, terse: an instruction that asks nothing clear, an output too short to teach anything;
- pii: an email address, phone number, IBAN or card number in an answer;
- format: invalid JSON where the rules require JSON (the ticket domain).

Hard negatives are pairs that must not be flagged: a sibling of a clean example that differs in
exactly one slot (a number, a year, a name, a quoted literal, a negation, a comparative, a
direction, a content word), rendered with the same form and the same cosmetic choices.
"""

import random
import re
from dataclasses import dataclass, field

PAIR_KINDS = ("exact", "multi_edit", "paraphrase", "reordered", "contradiction")
SINGLE_KINDS = ("vague", "terse", "pii", "format")
CHECK_OF = {
    "exact": "duplicate",
    "multi_edit": "duplicate",
    "paraphrase": "duplicate",
    "reordered": "duplicate",
    "contradiction": "contradiction",
    "vague": "quality",
    "terse": "quality",
    "pii": "pii",
    "format": "format",
}
SLOT_KINDS = ("number", "year", "name", "literal", "negation", "comparative", "direction", "word")


@dataclass
class Intent:
    """One kind of request. `forms` are differently worded prompts for the same slots (each
    `form(slots, rng)` uses rng only for cosmetic choices that do not depend on the slots);
    `answer(slots, rng)` is the right answer; `conflict(slots, answer, rng)` a wrong one that
    reads almost the same. `vary` maps a slot to (its kind, `new_value(slots, rng)`) for hard
    negatives; `pair` names a slot holding two items whose order does not change the meaning."""

    name: str
    draw: object
    forms: tuple
    answer: object
    conflict: object
    vary: dict = field(default_factory=dict)
    pair: str = ""
    extra: object = None  # chats: (slots, rng) -> the turns around the first user turn

    def key(self, slots):
        values = dict(slots)
        if self.pair:
            values[self.pair] = tuple(sorted(values[self.pair], key=str))
        return (self.name, tuple(sorted(values.items())))


@dataclass
class Domain:
    """`row(intent, slots, query, answer, rng)` builds the stored example around the query text;
    `pii(answer, rng)` plants personal data in an answer; `broken(answer, rng)` makes invalid JSON
    (None where the domain has no format rule)."""

    name: str
    intents: tuple
    row: object
    pii: object
    rules: dict = field(default_factory=dict)
    broken: object = None


@dataclass
class Example:
    intent: Intent
    slots: dict
    form: int
    form_seed: int
    row_seed: int
    query: str = ""
    answer: str = ""


@dataclass
class PlantedSet:
    domain: str
    rules: dict
    rows: list
    pairs: dict  # kind -> [(i, j)]
    singles: dict  # kind -> [i]
    hard_negatives: list  # [(i, j, slot kind, slot name)]
    notes: dict  # (i, j) -> what was done, for the tests and for reading failures


# --- small edits ----------------------------------------------------------------------------

KEEP = {
    "cannot",
    "never",
    "without",
    "before",
    "after",
    "more",
    "less",
    "than",
    "between",
    "ascending",
    "descending",
    "highest",
    "lowest",
    "largest",
    "smallest",
    "fewer",
    "least",
    "most",
    "above",
    "below",
    "under",
    "over",
    "older",
    "newer",
    "earlier",
    "later",
}
FILLERS = ("Please ", "Hi, ", "Hello! ", "Quick question: ", "Hey team, ", "Hi there, ", "Sorry to bother you, ")
THANKS = (" Thank you!", " Thanks!", " Thanks in advance.", " Cheers.", " Many thanks!", " thx")
ADJECTIVES = {
    "order": "recent",
    "question": "quick",
    "function": "small",
    "query": "simple",
    "list": "given",
    "table": "whole",
    "account": "personal",
    "problem": "strange",
    "issue": "annoying",
    "error": "weird",
    "script": "little",
    "trip": "upcoming",
    "recipe": "favourite",
    "package": "little",
    "app": "whole",
    "invoice": "latest",
    "plan": "current",
    "code": "short",
    "program": "short",
    "report": "quick",
    "answer": "short",
    "explanation": "short",
    "example": "simple",
}
ARTICLE = re.compile(r"\b(the|a|an) (?=[a-z])")


def protected_words(slots):
    words = set()
    for value in slots.values():
        for part in value if isinstance(value, tuple) else (value,):
            words.update(w.lower() for w in re.findall(r"\w+", str(part)))
    return words


def _typo(text, rng, protect):
    words = [
        m
        for m in re.finditer(r"\b[a-z]{5,}\b", text)
        if m.group().lower() not in protect and m.group().lower() not in KEEP
    ]
    if not words:
        return None
    m = rng.choice(words)
    w = m.group()
    k = rng.randrange(1, len(w) - 2)
    how = rng.randrange(3)
    if how == 0 and w[k] != w[k + 1]:
        new = w[:k] + w[k + 1] + w[k] + w[k + 2 :]  # swapped letters
    elif how == 1:
        new = w[:k] + w[k + 1 :]  # dropped letter
    else:
        new = w[:k] + w[k] + w[k:]  # doubled letter
    return text[: m.start()] + new + text[m.end() :]


def _casing(text, rng, protect):
    choice = rng.randrange(3)
    if choice == 0:
        return text.lower()
    if choice == 1:
        return text[:1].swapcase() + text[1:]
    words = [m for m in re.finditer(r"\b[a-z]{4,}\b", text) if m.group() not in protect]
    if not words:
        return text.lower()
    m = rng.choice(words)
    return text[: m.start()] + m.group().capitalize() + text[m.end() :]


def _filler(text, rng, protect):
    filler = rng.choice(FILLERS)
    first = text[:1]
    rest = text[1:]
    # Keep a capital that starts a name or "I"; lower an ordinary first word.
    head = text.split(" ", 1)[0]
    if first.isupper() and head.lower() not in protect and head != "I" and len(head) > 1 and head[1:].islower():
        first = first.lower()
    return filler + first + rest


def _thanks(text, rng, protect):
    return text.rstrip() + rng.choice(THANKS)


def _spaces(text, rng, protect):
    gaps = [m.start() for m in re.finditer(r" ", text)]
    if not gaps:
        return None
    for pos in sorted(rng.sample(gaps, min(len(gaps), rng.randint(1, 2))), reverse=True):
        text = text[:pos] + "  " + text[pos + 1 :]
    return text


def _adjective(text, rng, protect):
    spots = [m for m in re.finditer(r"\b(the|my|this|a|your) (\w+)\b", text) if m.group(2) in ADJECTIVES]
    if not spots:
        return None
    m = rng.choice(spots)
    noun = m.group(2)
    determiner = "an" if m.group(1) == "a" and ADJECTIVES[noun][0] in "aeiou" else m.group(1)
    return text[: m.start()] + f"{determiner} {ADJECTIVES[noun]} {noun}" + text[m.end() :]


def _drop_article(text, rng, protect):
    spots = list(ARTICLE.finditer(text))
    if not spots:
        return None
    m = rng.choice(spots)
    return text[: m.start()] + text[m.end() :]


EDITS = {
    "casing": _casing,
    "added word": _filler,
    "typo": _typo,
    "thanks": _thanks,
    "doubled spaces": _spaces,
    "added adjective": _adjective,
    "dropped article": _drop_article,
}
COSMETIC = {"casing", "doubled spaces"}


def normal(text):
    return " ".join(text.lower().split())


def multi_edit(text, rng, protect):
    """Two or three edits at once, at least one of them more than case or spacing."""
    for _ in range(50):
        names = rng.sample(sorted(EDITS), rng.choice((2, 2, 3)))
        if set(names) <= COSMETIC:
            continue
        out, done = text, []
        for name in names:
            new = EDITS[name](out, rng, protect)
            if new is not None and new != out:
                out, done = new, done + [name]
        if len(done) >= 2 and normal(out) != normal(text):
            return out, done
    raise ValueError(f"no two edits apply to {text!r}")


def exact_copy(text, rng):
    """The same text, or the same after a change of case or whitespace."""
    how = rng.choice(("identical", "identical", "lower", "upper", "spaces", "trailing"))
    if how == "lower":
        return text.lower(), how
    if how == "upper":
        return text.upper(), how
    if how == "spaces":
        return re.sub(r" ", "  ", text, count=3), how
    if how == "trailing":
        return "  " + text + "\n", how
    return text, how


# --- building a set -------------------------------------------------------------------------

VAGUE = (
    "Help",
    "Do it",
    "JSON",
    "?",
    "fix this",
    "same as before",
    "continue",
    "more",
    "thoughts?",
    "asap",
    "Make it better",
    "you know what to do",
    "see above",
    "the usual",
    "hmm",
    "idk",
    "next",
    "try again",
    "urgent!!",
    "ok go",
    "explain",
    "Answer",
    "pls",
    "like last time",
    "that thing we discussed",
    "Handle this one",
    "redo",
    "why",
    "whatever works",
)
TERSE = ("ok", "n/a", "-", "TBD", "done", "...", "no", "?", "x", "idk")


class Builder:
    def __init__(self, domain, size, seed):
        self.domain = domain
        self.rng = random.Random(f"{domain.name}:{seed}")
        self.size = size
        self.used = set()
        self.rows = []
        self.pairs = {kind: [] for kind in PAIR_KINDS}
        self.singles = {kind: [] for kind in SINGLE_KINDS}
        self.hard = []
        self.notes = {}

    # meanings ---------------------------------------------------------------------------
    def meaning(self, intents=None):
        intents = self.domain.intents if intents is None else intents
        if not intents:
            raise ValueError(f"{self.domain.name}: no intent can carry this fault")
        for _ in range(500):
            intent = self.rng.choice(intents)
            slots = intent.draw(self.rng)
            if intent.key(slots) not in self.used:
                self.used.add(intent.key(slots))
                return intent, slots
        raise ValueError(f"{self.domain.name}: cannot draw a new meaning from {[i.name for i in intents]}")

    def example(self, intent, slots, form=None, form_seed=None, row_seed=None):
        ex = Example(
            intent,
            slots,
            self.rng.randrange(len(intent.forms)) if form is None else form,
            self.rng.randrange(10**9) if form_seed is None else form_seed,
            self.rng.randrange(10**9) if row_seed is None else row_seed,
        )
        ex.query = intent.forms[ex.form](slots, random.Random(ex.form_seed))
        ex.answer = intent.answer(slots, random.Random(ex.row_seed))
        return ex

    def add(self, ex, query=None, answer=None):
        row = self.domain.row(
            ex.intent,
            ex.slots,
            ex.query if query is None else query,
            ex.answer if answer is None else answer,
            random.Random(ex.row_seed),
        )
        self.rows.append(row)
        return len(self.rows) - 1

    def base(self, intents=None):
        ex = self.example(*self.meaning(intents))
        return ex, self.add(ex)

    # planted faults ---------------------------------------------------------------------
    def plant_pair(self, kind, i, j, note):
        self.pairs[kind].append((i, j))
        self.notes[(i, j)] = note

    def exact(self):
        ex, i = self.base()
        query, how = exact_copy(ex.query, self.rng)
        self.plant_pair("exact", i, self.add(ex, query=query), {"how": how})

    def edited(self):
        ex, i = self.base()
        query, done = multi_edit(ex.query, self.rng, protected_words(ex.slots))
        self.plant_pair("multi_edit", i, self.add(ex, query=query), {"edits": done})

    def reworded(self, ex):
        other = self.rng.choice([k for k in range(len(ex.intent.forms)) if k != ex.form])
        return self.example(ex.intent, ex.slots, form=other, row_seed=ex.row_seed)

    def paraphrase(self):
        ex, i = self.base([t for t in self.domain.intents if len(t.forms) > 1])
        twin = self.reworded(ex)
        self.plant_pair("paraphrase", i, self.add(twin, answer=ex.answer), {"forms": (ex.form, twin.form)})

    def reordered(self):
        ex, i = self.base([t for t in self.domain.intents if t.pair])
        slots = dict(ex.slots)
        slots[ex.intent.pair] = tuple(reversed(slots[ex.intent.pair]))
        twin = self.example(ex.intent, slots, form=ex.form, form_seed=ex.form_seed, row_seed=ex.row_seed)
        self.plant_pair("reordered", i, self.add(twin, answer=ex.answer), {"swapped": ex.intent.pair})

    def contradiction(self):
        ex, i = self.base()
        how = self.rng.choice(("same prompt", "same prompt", "edited prompt", "paraphrased prompt"))
        query = ex.query
        if how == "edited prompt":
            query, _ = multi_edit(ex.query, self.rng, protected_words(ex.slots))
        elif how == "paraphrased prompt" and len(ex.intent.forms) > 1:
            query = self.reworded(ex).query
        else:
            how = "same prompt"
        wrong = ex.intent.conflict(ex.slots, ex.answer, self.rng)
        assert wrong != ex.answer, (ex.intent.name, ex.answer)
        self.plant_pair("contradiction", i, self.add(ex, query=query, answer=wrong), {"prompt": how})

    def hard_negative(self, kind):
        intents = [t for t in self.domain.intents if any(k == kind for k, _ in t.vary.values())]
        for _ in range(200):
            intent, slots = self.meaning(intents)
            name = self.rng.choice([s for s, (k, _) in intent.vary.items() if k == kind])
            sibling = dict(slots)
            sibling[name] = intent.vary[name][1](slots, self.rng)
            if sibling[name] == slots[name] or intent.key(sibling) in self.used:
                self.used.discard(intent.key(slots))
                continue
            self.used.add(intent.key(sibling))
            ex = self.example(intent, slots)
            twin = self.example(intent, sibling, form=ex.form, form_seed=ex.form_seed, row_seed=ex.row_seed)
            i, j = self.add(ex), self.add(twin)
            self.hard.append((i, j, kind, name))
            self.notes[(i, j)] = {"intent": intent.name, "slots": (slots, sibling)}
            return
        raise ValueError(f"{self.domain.name}: no sibling of kind {kind}")

    def fresh(self):
        """An example of a meaning used nowhere else, for faults on a single example."""
        return self.example(*self.meaning())

    def vague(self, text):
        ex = self.fresh()
        self.rows.append(self.domain.row(ex.intent, ex.slots, None, ex.answer, random.Random(ex.row_seed), vague=text))
        self.singles["vague"].append(len(self.rows) - 1)

    def terse(self, text):
        ex = self.fresh()
        self.singles["terse"].append(self.add(ex, answer="{}" if self.domain.broken else text))

    def pii(self):
        ex = self.fresh()
        self.singles["pii"].append(self.add(ex, answer=self.domain.pii(ex.answer, self.rng)))

    def format(self):
        ex = self.fresh()
        self.singles["format"].append(self.add(ex, answer=self.domain.broken(ex.answer, self.rng)))

    def build(self):
        per_kind = max(3, self.size // 12)
        singles = max(3, self.size // 25)
        planted = 5 * per_kind + 2 * per_kind  # base examples that get a twin
        if self.size < planted + 10:
            raise ValueError(f"size {self.size} is too small: at least {planted + 10} clean examples")
        # Hard negatives first: some slot kinds live in only one or two intents.
        kinds = [k for k in SLOT_KINDS if any(k == s for t in self.domain.intents for s, _ in t.vary.values())]
        for n in range(2 * per_kind):
            self.hard_negative(kinds[n % len(kinds)])
        jobs = []
        for kind in PAIR_KINDS:
            jobs += [getattr(self, kind if kind != "multi_edit" else "edited")] * per_kind
        self.rng.shuffle(jobs)
        for job in jobs:
            job()
        for _ in range(self.size - planted):
            self.base()
        for text in self.rng.sample(VAGUE, min(singles, len(VAGUE))):
            self.vague(text)
        for n in range(singles):
            self.terse(TERSE[n % len(TERSE)])
            self.pii()
            if self.domain.broken:
                self.format()
        return self.shuffled()

    def shuffled(self):
        order = list(range(len(self.rows)))
        self.rng.shuffle(order)
        where = {old: new for new, old in enumerate(order)}
        return PlantedSet(
            domain=self.domain.name,
            rules=self.domain.rules,
            rows=[self.rows[old] for old in order],
            pairs={k: [(where[i], where[j]) for i, j in v] for k, v in self.pairs.items()},
            singles={k: [where[i] for i in v] for k, v in self.singles.items()},
            hard_negatives=[(where[i], where[j], kind, name) for i, j, kind, name in self.hard],
            notes={(where[i], where[j]): note for (i, j), note in self.notes.items()},
        )


def realistic_rows(n, seed=1):
    """n rows in real words from the four domains, meanings drawn with replacement (so, as in a
    big real project, many prompts ask about the same things, some the very same), for
    benchmarks that need data the meaning layer switches on for. Not planted: no truth kept."""
    from benchmarks.accuracy_sets import chats, queries, questions, tickets

    builders = [Builder(m.DOMAIN, 0, seed) for m in (tickets, queries, questions, chats)]
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        b = rng.choice(builders)
        intent = b.rng.choice(b.domain.intents)
        b.add(b.example(intent, intent.draw(b.rng)))
        rows.append(b.rows.pop())
    return rows


def build_sets(size=400, seed=1):
    from benchmarks.accuracy_sets import chats, queries, questions, tickets

    return [Builder(m.DOMAIN, size, seed).build() for m in (tickets, queries, questions, chats)]


# --- shared vocabularies ----------------------------------------------------------------------

FIRST_NAMES = (
    "Maria Ahmed Chen Olga Tomasz Priya Kwame Sofia Lucas Aiko Diego Fatima Noah Ingrid Ravi Chloe Mateo "
    "Yusuf Hannah Kenji Amara Lars Elena Omar Grace Pavel Leila Jonas Mei Tariq Zoe Bruno Nadia Felix Ines"
).split()
LAST_NAMES = (
    "Lopez Khan Wang Ivanova Nowak Sharma Mensah Rossi Martin Tanaka Garcia Haddad Smith Berg Patel Dubois "
    "Silva Demir Weber Sato Okafor Nielsen Popescu Farouk Kim Novak Moreau Fischer Zhang Ali"
).split()
MONTHS = ("January February March April May June July August September October November December").split()


def _iban(rng):
    country, bank = rng.choice((("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14), ("ES", 20)))
    if country == "GB":
        body = rng.choice(("NWBK", "BARC", "MIDL")) + "".join(str(rng.randrange(10)) for _ in range(14))
    elif country == "NL":
        body = rng.choice(("ABNA", "INGB", "RABO")) + "".join(str(rng.randrange(10)) for _ in range(10))
    else:
        body = "".join(str(rng.randrange(10)) for _ in range(bank))
    digits = "".join(str(int(c, 36)) for c in body + country + "00")
    check = 98 - int(digits) % 97
    iban = f"{country}{check:02d}{body}"
    return " ".join(iban[k : k + 4] for k in range(0, len(iban), 4))


def _card(rng):
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for k, d in enumerate(reversed(digits)):
        d = d * 2 if k % 2 == 0 else d
        total += d - 9 if d > 9 else d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[k : k + 4] for k in range(0, 16, 4))


def personal_detail(rng):
    """(kind, text): an email address, phone number, IBAN or card number of a made-up person."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    kind = rng.choice(("email", "email", "phone", "phone", "iban", "card"))
    if kind == "email":
        domain = rng.choice(("gmail.com", "outlook.com", "yahoo.co.uk", "proton.me", "web.de", "icloud.com"))
        return kind, f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{domain}"
    if kind == "phone":
        n = rng.randrange(10000)
        return kind, rng.choice(
            (
                f"+1 (415) 555-{n:04d}",
                f"+44 7700 900{n % 1000:03d}",
                f"+49 151 2{n:04d} 7{n % 100:02d}",
                f"06 12 {n % 100:02d} {n // 100:02d} 48",
                f"(212) 555-{n:04d}",
            )
        )
    if kind == "iban":
        return kind, _iban(rng)
    return kind, _card(rng)


def greeting(rng):
    return rng.choice(("", "", "Hi, ", "Hello, ", "Hi team, ", "Good morning. ", "Hey - ", "Dear support, "))


def sign_off(rng, name):
    return rng.choice((" Thanks, {n}", " Regards, {n}", " - {n}", "\n\n{n}", " Best, {n}", " Cheers, {n}")).format(
        n=name
    )


def other(rng, pool, value):
    return rng.choice([v for v in pool if v != value])
