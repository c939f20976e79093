"""The slots of a prompt: the parts that make it a different question when they change (plain
Python).

Two prompts can read almost alike and still ask different things: another number or year, another
name, another quoted literal, a negation, a comparative ("more than" / "less than"), or the same
names in another direction ("from Paris to Rome" / "from Rome to Paris"). Sentence embeddings
cannot see this (another year scores 0.94 against its original, a true paraphrase 0.88), so every
candidate pair found by similarity passes this guard too.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from curation.core.prompt_comparison import is_typo
from curation.core.wordlists import NEGATIONS, STOPWORDS

QUOTED_RE = re.compile(r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|`([^`\n]{1,200})`|(?<!\w)'([^'\n]{1,200})'(?!\w)")
NUMBER_RE = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:/]\d+)*%?")
THOUSANDS_RE = re.compile(r"(?<=\d)[,\u202f\u00a0'](?=\d{3}(?!\d))")
TOKEN_RE = re.compile(r"[\w'’-]+|[^\w\s]")
SENTENCE_END = frozenset(".!?:;\n")
NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
# Words that turn a question around: comparatives, superlatives, order and direction.
COMPARATIVES = frozenset(
    """more less fewer greater higher lower larger smaller bigger longer shorter older newer younger
    cheaper pricier faster slower earlier later better worse most least highest lowest largest smallest
    biggest longest shortest oldest newest youngest cheapest fastest slowest earliest latest best worst
    above below exceeding exceeds ascending descending asc desc increase increasing decrease decreasing
    maximum minimum max min top bottom first last before after since until within outside inside
    between""".split()
) - {"between"}
# Words after which a slot's role depends on the order ("from A to B" is not "from B to A").
DIRECTED = frozenset("from to into than before after minus over under by per vs versus against".split())
# A word a person capitalises only for a name: never a slot on its own.
COMMON_CAPITALISED = frozenset("i i'm i've i'd i'll ok okay please hi hello hey thanks dear".split())


def fold(text):
    """Lower case without accents ("Chloé" = "chloe")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass(frozen=True)
class Slots:
    numbers: Counter
    quoted: frozenset
    names: frozenset  # folded
    negated: bool
    comparatives: frozenset
    roles: frozenset  # (directed word, slot) pairs: "from paris"
    words: frozenset  # every folded word, for matching names that one side does not capitalise


def _number(text):
    text = THOUSANDS_RE.sub("", text).replace(",", ".")
    return text.rstrip(".").lstrip("+")


def slots_of(text):
    """The slots of one text."""
    quoted = frozenset(fold(" ".join(next(g for g in m.groups() if g).split())) for m in QUOTED_RE.finditer(text))
    numbers = Counter(_number(m.group()) for m in NUMBER_RE.finditer(text))
    tokens = TOKEN_RE.findall(text)
    names, comparatives, roles, folded_words = set(), set(), set(), set()
    negated = False
    start = True  # at the start of a sentence a capital letter says nothing
    previous = ""
    for token in tokens:
        if token in SENTENCE_END or token == "\n":
            start = True
            previous = ""
            continue
        if not (token[0].isalnum() or token[0] == "_"):
            continue
        word = fold(token)
        folded_words.add(word)
        if word in NUMBER_WORDS:
            numbers[NUMBER_WORDS[word]] += 1
        if word in NEGATIONS or word.endswith(("n't", "n’t")):
            negated = True
        if word in COMPARATIVES:
            comparatives.add(word)
        is_name = (
            (not start and token[0].isupper() and word not in COMMON_CAPITALISED)
            or (len(token) > 1 and token.isupper() and token.isalpha())  # acronyms: NASA, EU
            or (
                "_" in token or any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)
            )  # snake_case, camelCase
        )
        is_slot = is_name or any(c.isdigit() for c in token)
        if is_name and not token.isdigit():
            names.add(word)
        if is_slot and previous in DIRECTED:
            roles.add((previous, word))
        previous = word
        start = False
    return Slots(
        numbers=numbers,
        quoted=quoted,
        names=frozenset(names),
        negated=negated,
        comparatives=frozenset(comparatives),
        roles=frozenset(roles),
        words=frozenset(folded_words),
    )


def _has_word(word, words):
    """word, or a spelling slip of it, among words."""
    return word in words or any(is_typo(word, w) for w in words if abs(len(w) - len(word)) <= 2)


def slot_difference(a, b):
    """ "" when the two Slots ask the same thing, else what differs, for people."""
    if a.numbers != b.numbers:
        only_a = sorted((a.numbers - b.numbers).elements())
        only_b = sorted((b.numbers - a.numbers).elements())
        return f"another number ({', '.join(only_a[:3]) or '–'} / {', '.join(only_b[:3]) or '–'})"
    if a.quoted != b.quoted:
        return "another quoted text"
    if a.negated != b.negated:
        return "one is negated"
    if a.comparatives != b.comparatives:
        return f"another comparison ({', '.join(sorted(a.comparatives ^ b.comparatives)[:3])})"
    for name in a.names:
        if not _has_word(name, b.words):
            return f"another name ({name})"
    for name in b.names:
        if not _has_word(name, a.words):
            return f"another name ({name})"
    roles_a, roles_b = {}, {}
    for marker, word in a.roles:
        roles_a.setdefault(word, set()).add(marker)
    for marker, word in b.roles:
        roles_b.setdefault(word, set()).add(marker)
    for word in roles_a.keys() & roles_b.keys():
        if roles_a[word] != roles_b[word]:
            return f"another direction ({word})"  # "from Paris to Rome" / "from Rome to Paris"
    return ""


def content_words(text):
    """The folded words of text that carry content (no stopwords), lightly stemmed."""
    words = (fold(t) for t in TOKEN_RE.findall(text) if t[0].isalnum())
    return [_stem(NUMBER_WORDS.get(w, w)) for w in words if w not in STOPWORDS]


def _stem(word):
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def swapped_word(a, b):
    """(x, y) when the two texts' content words are the same except that one word x became
    another word y (a sibling: "a poem about cats" / "a poem about dogs"); None otherwise. A
    spelling slip is not a swap."""
    ca, cb = set(content_words(a)), set(content_words(b))
    only_a, only_b = sorted(ca - cb), sorted(cb - ca)
    if len(only_a) == 1 and len(only_b) == 1 and not is_typo(only_a[0], only_b[0]):
        return only_a[0], only_b[0]
    return None
