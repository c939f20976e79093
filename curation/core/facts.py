"""Questions of fact asked in other words (plain Python).

"In which year did the Ottomans capture Constantinople?" and "When did Constantinople fall to the
Ottoman Empire?" read only 0.80 alike in meaning, below what lets a reworded pair's answers
disagree (prompt_match.STRONG_MEANING): there, answers that disagree are as likely to say that the
prompts ask two things. A short question whose short answer names a value (a number, a year, a
name) is different: two such questions that pass every slot guard and name the same things, and
whose answers name other values of one kind ("1453." / "It fell in 1492.", "Canberra." / "Sydney is
the capital."), are one question answered two ways. The same answers naming the same value are one
question asked twice.
"""

import hashlib
import re
from dataclasses import dataclass

from curation.core.answer_comparison import UNITS, _numbers, _quantities, priced_polarity
from curation.core.slots import NUMBER_WORDS, fold, number_slots, same_stem
from curation.core.text import words
from curation.core.wordlists import STOPWORDS

FACT_MEANING = 0.78  # plain cosine from which two questions of fact naming one thing may be one question
FACT_WEIGHTED_MEANING = 0.72  # ... and the meaning with words weighed by their rarity (clusters)
FACT_NAMED_MEANING = 0.72  # plain cosine from which two questions of fact naming the same things may be one question
FACT_NAMED_WEIGHTED_MEANING = 0.65  # ... and the weighted meaning
FACT_UNNAMED_MEANING = 0.85  # that weighted meaning for questions that name nothing ("raw chicken" / "raw ground beef")
# What a unit measures: "2 to 3 tablespoons" and "1/2 cup" of lemon juice answer one question
DIMENSIONS = {
    **dict.fromkeys("cup tablespoon teaspoon ml l".split(), "volume"),
    **dict.fromkeys("g kg lb oz".split(), "mass"),
    **dict.fromkeys("second minute hour day week month year".split(), "time"),
    **dict.fromkeys("km m cm mile ft".split(), "length"),
}
YEAR_RE = re.compile(r"1[0-9]\d\d|20\d\d")
YEAR_MARKED_RE = re.compile(r"\b(\d{1,4})\s*(?:AD|BC|BCE|CE)\b|\bAD\s*(\d{1,4})\b")
YEAR_ASKED_RE = re.compile(r"\b(?:what|which) year\b|\bwhen\b", re.IGNORECASE)
CLOCK_RE = re.compile(r"\b(\d{1,2}(?::\d\d)?)\s*(?:a\.?m\b\.?|p\.?m\b\.?|o'clock\b)", re.IGNORECASE)
FACT_QUESTION_WORDS = 25  # a longer instruction asks for more than a fact
FACT_ANSWER_WORDS = 30  # a longer answer explains more than it names a value
POLAR_ANSWER_WORDS = 80  # ... but its opening yes or no answers a yes-or-no question up to this length
CAPITALISED_RE = re.compile(r"\b[A-Z][\w'’-]*")
# Capitalised words that name no value: a sentence's openings and the answer's own frame
NOT_NAMES = STOPWORDS | frozenset(
    """yes no it it's its the a an there here this that these those they he she we you i in on at by of
    answer approximately about around roughly only just ad bc bce ce""".split()
)


# A question: a question mark, or an opening that asks ("Name the capital city of Australia.")
ASKING_RE = re.compile(
    r"\?|^\W*(?:who|whom|whose|what|which|when|where|why|how|name|list|give|tell|state|identify|in what|in which"
    # a sum asked for: "Convert 200 euros to dollars at 1.10.", "Calculate the interest on ..."
    r"|convert|calculate|compute|work out|figure out|solve|estimate|determine)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    numbers: frozenset  # numbers the answer says that its question does not
    names: frozenset  # capitalised words the answer says that its question does not (folded)
    units: frozenset = frozenset()  # what the units after those numbers measure ("time"), "a year" for a bare year
    polarity: str = ""  # "yes" or "no": how the answer to a yes-or-no question opens


# A yes-or-no question: a sentence that opens with an auxiliary and ends with a question mark
# ("I bought shoes online. Can I return them?", "Is there a fee for ...?")
POLAR_QUESTION_RE = re.compile(
    r"(?:^|[.!?:]\s+|\s[-–—]\s+|,\s+)\W*(?:(?:so|and|ok|okay|also|hi|hello|hey)\W+)*"
    r"(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|may|might|must|have|has|had|am)"
    r"(?:n't|n’t)?\b(?:[^.!?]|\.(?=\w))*\?",  # a dot inside a word is no sentence's end ("df.dropna()")
    re.IGNORECASE,
)
# ... and an answer that opens with its yes or no ("No. Power banks must ...", "Yes, you can ...")
POLAR_ANSWER_RE = re.compile(r"^\W*(yes|no)\s*(?:[,.!;:—–-]|$)", re.IGNORECASE)


def _kept(fn):
    """fn(record), worked out once per record and kept on it (a scan asks it of one record for each
    of the record's candidate pairs; a Record is frozen, its fields never change)."""
    name = f"_kept_{fn.__name__}"

    def kept(record):
        try:
            return record.__dict__[name]
        except KeyError:
            value = fn(record)
            object.__setattr__(record, name, value)
            return value

    kept.__doc__, kept.__name__, kept.__wrapped__ = fn.__doc__, fn.__name__, fn
    return kept


@_kept
def fact_of(record):
    """The values a record's answer names beyond its question, when the record is a short
    question of fact with a short answer naming one, or answering a yes-or-no question with its
    yes or no; else None. A chat of one question and its answer is such a record too."""
    asked = _question_and_answer(record)
    if asked is None:
        return None
    question, answer = asked
    length = len(answer.split())
    if not answer or len(question.split()) > FACT_QUESTION_WORDS or length > POLAR_ANSWER_WORDS:
        return None
    if not ASKING_RE.search(question):
        return None  # "The app crashes every time I open it." reports, it asks no fact
    polar = POLAR_ANSWER_RE.match(answer) if POLAR_QUESTION_RE.search(question) else None
    polarity = polar.group(1).lower() if polar else ""
    if not polarity and POLAR_QUESTION_RE.search(question):
        polarity = priced_polarity(question, answer)
    if length > FACT_ANSWER_WORDS:
        # a longer answer explains more than it names a value: only its yes or no is one
        return Fact(frozenset(), frozenset(), frozenset(), polarity) if polarity else None
    answer = _in_digits(answer, question)
    asked_numbers = set(number_slots(question))
    asked = words(question)
    numbers = frozenset(n for n in _numbers(answer) if n not in asked_numbers)
    names = frozenset(
        name
        for name in _names(answer)
        if len(name) > 1 and name not in NOT_NAMES and not any(same_stem(name, w) for w in asked)
    )
    if not numbers and not names and not polarity:
        return None
    quantities = _quantities(answer)
    units = {DIMENSIONS.get(unit, unit) for n, said in quantities.items() if n in numbers for unit in said}
    # a year: four digits from 1000, one marked as a year ("476 AD", "44 BC"), or any number with
    # no unit answering a question that asks for a year ("In which year ...?" "In 476.")
    years = {n for found in YEAR_MARKED_RE.findall(answer) for n in found if n}
    # a time of day ("2 pm", "10:30") answers "When ...?" and "What time ...?" alike: no year
    clock = {m.group(1) for m in CLOCK_RE.finditer(answer)} & numbers
    if YEAR_ASKED_RE.search(question):
        years |= {n for n in numbers if n not in quantities and n not in clock}
    units |= {"a year"} if any(YEAR_RE.fullmatch(n) or n in years for n in numbers) else set()
    units |= {"a time of day"} if clock else set()
    return Fact(numbers, names, frozenset(units), polarity)


# A number said in words before a unit ("about two hours", "Thirty minutes"): the quantity in digits
WORDED_QUANTITY_RE = re.compile(
    r"\b("
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")\s+(?=(?:"
    + "|".join(sorted((u for u in UNITS if u.isalpha() and len(u) > 2), key=len, reverse=True))
    + r")\b)",
    re.IGNORECASE,
)


# A question that asks for a count ("How many moons does Mars have?"): every number said in words
# in its answer is one ("Mars has two moons" / "Three.")
COUNT_QUESTION_RE = re.compile(r"\bhow many\b|\bnumber of\b", re.IGNORECASE)
COUNT_WORDS = {**NUMBER_WORDS, "one": "1", "a single": "1", "none": "0", "no": "0"}
COUNTED_RE = re.compile(
    r"\b(" + "|".join(sorted((w for w in COUNT_WORDS if w != "no"), key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def _in_digits(answer, question=""):
    """The answer with a number said in words before a unit said in digits ("two hours" -> "2
    hours"), or anywhere when the question asks for a count ("How many moons ...?": "two moons")."""
    answer = WORDED_QUANTITY_RE.sub(lambda m: NUMBER_WORDS[m.group(1).lower()] + " ", answer)
    if COUNT_QUESTION_RE.search(question):
        answer = COUNTED_RE.sub(lambda m: COUNT_WORDS[m.group(1).lower()], answer)
    return answer


def _question_and_answer(record):
    """(question, answer) of a plain example without an input, or of a chat that asks one
    question (a system message aside) and answers it; else None."""
    if record.is_preference:
        return None
    if not record.is_chat:
        return None if record.input.strip() else (record.instruction, record.answer())
    turns = [m for m in record.messages if m["role"] != "system"]
    if len(turns) != 2 or turns[0]["role"] != "user" or turns[1]["role"] != "assistant":
        return None
    return str(turns[0]["content"] or ""), str(turns[1]["content"] or "")


SENTENCE_START_RE = re.compile(r"(?:^|[.!?;:]\s+|\n)\W*$")
COPULA = frozenset("is was are were has had became remains".split())


def _names(answer):
    """The capitalised words of an answer that name something, folded: mid-sentence, or opening a
    sentence as a name does ("Canberra.", "Jane Austen wrote ...", "Sydney is the capital"), not
    as an imperative or a frame does ("Preheat to 350°F", "Take it out at ...")."""
    out = []
    for m in CAPITALISED_RE.finditer(answer):
        word = fold(m.group().rstrip("'’-"))
        if SENTENCE_START_RE.search(answer[: m.start()]):
            after = answer[m.end() :].split(None, 1)
            following = after[0] if after else ""
            short = len(answer.split()) <= 3  # "Canberra.", "Leonardo da Vinci."
            if not (short or following[:1].isupper() or fold(following) in COPULA):
                continue
        out.append(word)
    return out


def facts_disagree(a, b):
    """True when two Facts name other values of one kind: a yes and a no, numbers with none in
    common, or, where neither names a number, names with none in common."""
    if a.polarity and b.polarity:
        return a.polarity != b.polarity
    if not (a.numbers or b.numbers or a.names or b.names):
        return False  # a yes or a no beside an answer that names a value: no two values of one kind
    if a.numbers or b.numbers:
        # numbers of one kind: a year and a height ("1889" / "330 metres") answer two questions
        kinds = a.units == b.units or bool(a.units & b.units)  # "1 1/2 hours ... 135°F" / "40 minutes"
        return bool(a.numbers) and bool(b.numbers) and a.numbers.isdisjoint(b.numbers) and kinds
    return not any(same_stem(x, y) for x in a.names for y in b.names)


ANSWERS_DISAGREE = "the answers say different things"  # what a conflict says when nothing more precise can be named


def fact_detail(record_a, record_b):
    """What two questions of fact's answers name otherwise, for people ("other names (Jane Austen
    vs Charlotte Bronte)"), or "" when they are no two facts that disagree."""
    fact_a, fact_b = fact_of(record_a), fact_of(record_b)
    if fact_a is None or fact_b is None or not facts_disagree(fact_a, fact_b):
        return ""
    if fact_a.polarity and fact_b.polarity:
        return "one answer says yes, the other no"
    if fact_a.numbers:
        return f"different numbers ({', '.join(sorted(fact_a.numbers))} vs {', '.join(sorted(fact_b.numbers))})"

    def said(record, fact):
        return " ".join(
            m.group() for m in CAPITALISED_RE.finditer(record.answer()) if fold(m.group().rstrip("'’-")) in fact.names
        )

    return f"other names ({said(record_a, fact_a)} vs {said(record_b, fact_b)})"


def named_detail(record_a, record_b, detail):
    """A conflict's detail for people: two short answers quoted whole ("“It was written by Charlotte
    Bronte.” vs “Jane Austen wrote ...”") say better what they name otherwise, when they are two
    facts (fact_detail: "other names (Charlotte Bronte vs Jane Austen)"); any other detail as it is,
    and fact_detail or ANSWERS_DISAGREE where there is none."""
    if not detail or (detail.startswith("“") and detail.endswith("compared as short answers")):
        return fact_detail(record_a, record_b) or detail or ANSWERS_DISAGREE
    return detail


def facts_agree(a, b):
    """True when two Facts name the same values, one perhaps a few more ("425°F (220°C) for 40 to
    50 minutes" / "40 to 50 minutes at 425°F"), neither a yes where the other says no."""
    if a.polarity and b.polarity and a.polarity != b.polarity:
        return False
    if not (a.numbers <= b.numbers or b.numbers <= a.numbers) or not (a.names <= b.names or b.names <= a.names):
        return False
    return bool(a.numbers & b.numbers or a.names & b.names)


FACT_KEY_WORDS = 6  # an answer this short that names a value is the value ("Madrid", "In 1492.")


@_kept
def fact_key(record):
    """A stable 64-bit key of the values a short answer to a question of fact names ("Neil
    Armstrong", "In 1492." / "1492"), or 0: examples sharing it may ask one question in words far
    apart ("What is the capital city of Spain?" / "Tell me Spain's capital."), which their
    embeddings read 0.68 alike, below where neighbours are looked for."""
    answer = record.answer() if not record.is_preference else ""
    if not answer or len(answer.split()) > FACT_KEY_WORDS:
        return 0
    fact = fact_of(record)
    if fact is None or not (fact.numbers or fact.names):
        return 0
    said = "\x00".join(sorted(fact.numbers)) + "\x01" + "\x00".join(sorted(fact.names))
    digest = hashlib.blake2b(("fact\x00" + said).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1
