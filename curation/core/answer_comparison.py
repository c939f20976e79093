"""Do two answers to the same prompt agree or conflict? (plain Python)

JSON answers conflict on a differing field value; short answers on a different answer; free text
on clearly divergent content (other numbers, a negation, little shared content).
"""

import difflib
import json
import re
from collections import Counter
from functools import lru_cache

from curation.core.slots import NUMBER_WORDS, frame_swap, same_word, slots_of
from curation.core.text import normalize, words
from curation.core.wordlists import NEGATIONS, STOPWORDS

NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
SHORT_ANSWER_WORDS = 6
# conflicts of free text that say other things, not another value (factual_conflict)
OTHER_CONTENT = ("clearly different content", "the same start, then other content")


def load_json(text):
    """A JSON object or array that `text` holds (spaces around it aside), else None."""
    text = text.strip()
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # nested deeper than the parser goes: not read as JSON
        return None


def _content_words(text):
    return {w for w in words(text) if w not in STOPWORDS}


THOUSANDS_RE = re.compile(r"(?<=\d)[.,\u202f\u00a0'](?=\d{3}(?!\d))")


FRACTIONS = {"¼": "0.25", "½": "0.5", "¾": "0.75", "⅓": "0.33", "⅔": "0.67", "⅛": "0.125"}
FRACTION_RE = re.compile("[" + "".join(FRACTIONS) + "]")


# a fraction written with a slash, not part of a date or a path ("8/4 = 1/2", not "12/05/2024")
SLASH_FRACTION_RE = re.compile(r"(?<![\d/.])(\d{1,4})\s*/\s*(\d{1,4})(?![\d/]|\.\d)")


def _numbers(text):
    """The numbers in text, thousands separators removed (1,000 = 1.000 = 1000), a fraction
    written as one character read as its value (¼ cup = 0.25 cup), and a fraction written with
    a slash read as its value too ("8/4 = 2" / "8/4 = 1/2": 0.5 is said by one answer only)."""
    found = {THOUSANDS_RE.sub("", n).replace(",", ".") for n in NUMBER_RE.findall(text)}
    if "/" in text:
        found |= {f"{int(a) / int(b):g}" for a, b in SLASH_FRACTION_RE.findall(text) if int(b)}
    return found | {FRACTIONS[c] for c in FRACTION_RE.findall(text)} if "¼" <= max(text, default="") else found


# Units after a number, each under one name: "1 tablespoon" / "1 cup" is another quantity, "10
# minutes" / "10 min" the same one. A word like "business" between them is part of the unit.
UNITS = {
    **dict.fromkeys("cup cups".split(), "cup"),
    **dict.fromkeys("tablespoon tablespoons tbsp tbs".split(), "tablespoon"),
    **dict.fromkeys("teaspoon teaspoons tsp".split(), "teaspoon"),
    **dict.fromkeys("g gram grams gr".split(), "g"),
    **dict.fromkeys("kg kilogram kilograms kilo kilos".split(), "kg"),
    **dict.fromkeys("lb lbs pound pounds".split(), "lb"),
    **dict.fromkeys("oz ounce ounces".split(), "oz"),
    **dict.fromkeys("ml millilitre millilitres milliliter milliliters".split(), "ml"),
    **dict.fromkeys("l litre litres liter liters".split(), "l"),
    **dict.fromkeys("second seconds sec secs".split(), "second"),
    **dict.fromkeys("minute minutes min mins".split(), "minute"),
    **dict.fromkeys("hour hours hr hrs h".split(), "hour"),
    **dict.fromkeys("day days".split(), "day"),
    **dict.fromkeys("week weeks wk wks".split(), "week"),
    **dict.fromkeys("month months".split(), "month"),
    **dict.fromkeys("year years yr yrs".split(), "year"),
    **dict.fromkeys("km kilometre kilometres kilometer kilometers".split(), "km"),
    **dict.fromkeys("m metre metres meter meters".split(), "m"),
    **dict.fromkeys("cm centimetre centimetres centimeter centimeters".split(), "cm"),
    **dict.fromkeys("mile miles mi".split(), "mile"),
    **dict.fromkeys("ft foot feet".split(), "ft"),
    **dict.fromkeys("mm millimetre millimetres millimeter millimeters".split(), "mm"),
    **dict.fromkeys("inch inches".split(), "inch"),
    **dict.fromkeys("yd yard yards".split(), "yard"),
    **dict.fromkeys("mg milligram milligrams".split(), "mg"),
    **dict.fromkeys("gal gallon gallons".split(), "gallon"),
    **dict.fromkeys("pt pint pints".split(), "pint"),
    **dict.fromkeys("qt quart quarts".split(), "quart"),
    **dict.fromkeys("w watt watts".split(), "watt"),
    **dict.fromkeys("kw kilowatt kilowatts".split(), "kw"),
    **dict.fromkeys("kwh kilowatt-hour kilowatt-hours".split(), "kwh"),
    **dict.fromkeys("v volt volts".split(), "volt"),
    **dict.fromkeys("hp horsepower".split(), "hp"),
    **dict.fromkeys("mph".split(), "mph"),
    **dict.fromkeys("kph kmh".split(), "kph"),
    **dict.fromkeys("hz hertz".split(), "hz"),
    **dict.fromkeys("khz kilohertz".split(), "khz"),
    **dict.fromkeys("mhz megahertz".split(), "mhz"),
    **dict.fromkeys("ghz gigahertz".split(), "ghz"),
    **dict.fromkeys("kb kilobyte kilobytes".split(), "kb"),
    **dict.fromkeys("mb megabyte megabytes".split(), "mb"),
    **dict.fromkeys("gb gigabyte gigabytes".split(), "gb"),
    **dict.fromkeys("tb terabyte terabytes".split(), "tb"),
    **dict.fromkeys("kcal calorie calories cal".split(), "kcal"),
    **dict.fromkeys("percent %".split(), "%"),
    **dict.fromkeys("times".split(), "times"),
}
UNIT_QUALIFIERS = frozenset("business working calendar school full".split())
QUANTITY_RE = re.compile(r"(\d+(?:[.,]\d+)*|[" + "".join(FRACTIONS) + r"])\s*(?:([a-z]+)\s+)?(%|[a-z]+)", re.IGNORECASE)


# a number spelled out before a unit ("one week's notice", "two cups"): "one" is a number there
SPELLED_UNIT_NUMBERS = {**{w: n for w, n in NUMBER_WORDS.items() if w not in ("twice", "thrice", "dozen")}, "one": "1"}
SPELLED_QUANTITY_RE = re.compile(
    r"\b(" + "|".join(sorted(SPELLED_UNIT_NUMBERS, key=len, reverse=True)) + r")\s+(?:([a-z]+)\s+)?(%|[a-z]+)"
)


def _quantities(text):
    """{number: {unit: the quantity as written}} for the numbers in text followed by a unit (UNITS,
    under its one name), spelled out too ("one week")."""
    out = {}
    text = text.lower()
    for number, qualifier, unit in QUANTITY_RE.findall(text) + SPELLED_QUANTITY_RE.findall(text):
        written = " ".join(w for w in (number, qualifier, unit) if w)
        number = (
            SPELLED_UNIT_NUMBERS.get(number) or FRACTIONS.get(number) or THOUSANDS_RE.sub("", number).replace(",", ".")
        )
        if qualifier and qualifier in UNITS and unit not in UNITS:
            qualifier, unit, written = "", qualifier, written.rsplit(" ", 1)[0]
        if unit not in UNITS or (qualifier and qualifier not in UNIT_QUALIFIERS):
            continue
        out.setdefault(number, {}).setdefault(f"{qualifier} {UNITS[unit]}".strip(), written)
    return out


def _other_unit(a, b):
    """(x, y) as written when one number is said with another unit in each answer ("1 tablespoon
    of salt" / "1 cup of salt", "30 business days" / "30 days"), else None."""
    qa, qb = _quantities(a), _quantities(b)
    for number in sorted(qa.keys() & qb.keys()):
        if not qa[number].keys() & qb[number].keys():
            return qa[number][min(qa[number])], qb[number][min(qb[number])]
    return None


NOT_A_NO = frozenset("problem problems worries worry doubt matter".split())  # "No problem!" says no no


def _negations(tokens):
    """The positions of negations in a word list: not, no, never, ... and the t of don't, isn't or
    can't (words() splits it off). "If not" and "or not" say "otherwise", no claim negated."""
    return {
        i
        for i, w in enumerate(tokens)
        if (
            w in NEGATIONS
            and not (w == "no" and i + 1 < len(tokens) and tokens[i + 1] in NOT_A_NO)
            and not (w == "not" and i and tokens[i - 1] in ("if", "or"))
        )
        or (w == "t" and i and tokens[i - 1].endswith("n"))
    }


def _polarity(tokens):
    return bool(_negations(tokens))


ORDINALS = dict(
    zip("first third fourth fifth sixth seventh eighth ninth tenth twelfth".split(), "1 3 4 5 6 7 8 9 10 12".split())
)
# "one" is a number before a thing ("one cabin bag"), not as a pronoun ("the one you", "one of")
NOT_AFTER_ONE = frozenset("of or and that which who is are was were to at in on you i we more another".split())
NOT_BEFORE_ONE = frozenset("the this that which each every any no another someone anyone".split())


def _spelled_numbers(tokens):
    """The numbers an answer spells out (slots.NUMBER_WORDS: "90 days" / "six months", "two weeks'
    notice" / "four weeks'"), ordinals as their numbers ("the first year" / "the third year"; not
    "second", a unit of time too) and "one" before a thing ("one cabin bag" / "two cabin bags")."""
    found = {NUMBER_WORDS[w] for w in tokens if w in NUMBER_WORDS}
    found |= {ORDINALS[w] for w in tokens if w in ORDINALS}
    for n, w in enumerate(tokens):
        if (
            w == "one"
            and n + 1 < len(tokens)
            and tokens[n + 1].isalpha()
            and tokens[n + 1] not in NOT_AFTER_ONE
            and (n == 0 or tokens[n - 1] not in NOT_BEFORE_ONE)
        ):
            found.add("1")
        elif w == "once" and n + 2 < len(tokens) and tokens[n + 1] in ("a", "an", "per", "every", "each"):
            found.add("1")  # "once a day" / "three times a day"
    return found


# A yes or a no that opens an answer ("Usually yes. ..." / "Usually not. ..."), after words that
# only hedge it; "No problem" and "No worries" open an answer of any kind.
YES_WORDS = frozenset("yes yeah yep yup ja oui sí si".split())
NO_WORDS = frozenset("no nope not never nah nein non".split())
HEDGES = frozenset(
    """usually generally typically normally mostly often probably definitely absolutely certainly technically
    legally actually honestly unfortunately sadly fortunately well oh short answer in the""".split()
)


def leading_polarity(tokens):
    """True for an answer that opens with a yes, False for one that opens with a no, else None."""
    for n, w in enumerate(tokens[:5]):
        if w in YES_WORDS:
            return True
        if w in NO_WORDS:
            return None if n + 1 < len(tokens) and tokens[n + 1] in NOT_A_NO else False
        if w not in HEDGES:
            return None
    return None


def _negated_stretch(wa, wb):
    """(a's words, b's words) around a stretch where one answer adds, drops or replaces words
    with a negation the other lacks there ("see a vet within a day if it does not improve" /
    "there is no need to see a vet if it does not improve": both hold a "not", only one a "no").
    None when every negation has its counterpart ("is not" / "isn't")."""
    marks_a, marks_b = _negations(wa), _negations(wb)
    if not marks_a and not marks_b and not any(w.startswith(NEGATING_PREFIXES) for w in (*wa, *wb)):
        return None
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        negated_a, negated_b = any(i in marks_a for i in range(i1, i2)), any(j in marks_b for j in range(j1, j2))
        # "safe" / "unsafe": a word negated by its prefix
        negated_a = negated_a or _prefix_negated(wa[i1:i2], wb[j1:j2])
        negated_b = negated_b or _prefix_negated(wb[j1:j2], wa[i1:i2])
        if negated_a == negated_b:
            continue
        # a negation said a few words off ("so no air touches it" / "so air can't reach it") or
        # as a prefix ("the dough wasn't chilled" / "the dough went in unchilled") is its counterpart
        if negated_a and _negation_near(marks_b, wb, j1, j2, wa[i1:i2]):
            continue
        if negated_b and _negation_near(marks_a, wa, i1, i2, wb[j1:j2]):
            continue
        return " ".join(wa[max(0, i1 - 2) : i2 + 2]), " ".join(wb[max(0, j1 - 2) : j2 + 2])
    return None


NEGATING_PREFIXES = ("un", "non", "in")


def _prefix_negated(mine, other):
    """True when a word of `mine` is a word of `other` with a negating prefix ("unsafe" / "safe")."""
    other = set(other)
    return any(
        w.startswith(prefix) and len(w) > len(prefix) + 3 and w[len(prefix) :] in other
        for w in mine
        for prefix in NEGATING_PREFIXES
    )


NEGATION_REACH = 3  # words around a stretch where its counterpart's negation may stand


def _negation_near(marks, said, start, stop, negated_stretch):
    """True when the other answer negates near its stretch start:stop, with a negation word or a
    word that is one of the negated stretch's words with a negating prefix (un-, non-, in-)."""
    if any(start - NEGATION_REACH <= k < stop + NEGATION_REACH for k in marks):
        return True
    return _prefix_negated(said[max(0, start - NEGATION_REACH) : stop + NEGATION_REACH], negated_stretch)


QUOTED_RE = re.compile(
    r'"([^"\n]{1,300})"|\u201c([^\u201d\n]{1,300})\u201d|\u00ab([^\u00bb\n]{1,300})\u00bb|`([^`\n]{1,300})`'
)


def _quoted_swap(a, b):
    """(x, y) when two answers are one sentence quoting x in one where the other quotes y ("In
    Italian you would say: "buongiorno"" / "... "grazie mille""): what is quoted is the answer."""
    quoted_a = [next(g for g in m.groups() if g is not None) for m in QUOTED_RE.finditer(a)]
    quoted_b = [next(g for g in m.groups() if g is not None) for m in QUOTED_RE.finditer(b)]
    if not quoted_a or len(quoted_a) != len(quoted_b):
        return None
    if words(QUOTED_RE.sub(" \u2026 ", a)) != words(QUOTED_RE.sub(" \u2026 ", b)):
        return None
    return next(((x, y) for x, y in zip(quoted_a, quoted_b) if normalize(x) != normalize(y)), None)


TOLD_WORDS = 2  # content words beyond the prompt's each answer says before they are compared by those alone


# An operator between two operands ("a * b", "x>=3", "a @ b"); markdown's emphasis ("**Yes**")
# and a hyphen or slash inside a word ("well-known", "and/or") are writing, not operations.
EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
OPERATOR_RE = re.compile(r"(?<=[\w)\]])\s*(==|!=|<=|>=|\*\*|//|>>|<<|&&|\|\||[*@+%^&|<>=~]|\s[-/]\s)\s*(?=[\w(\[])")


def _operators(text):
    return [op.strip() for op in OPERATOR_RE.findall(EMPHASIS_RE.sub(r"\2", text))]


def _other_operators(a, b):
    """The first pair of operators in which two answers of the same words differ, each operator
    replaced by another ("a * b" / "a @ b"), or None; one left out is a way of writing ("10-15" /
    "10 - 15", "A & B" / "A, B")."""
    ops_a, ops_b = _operators(a), _operators(b)
    if len(ops_a) != len(ops_b):
        return None
    return next(((x, y) for x, y in zip(ops_a, ops_b) if x != y), None)


def compare_text(a, b, asked=frozenset()):
    """("agree" | "conflict", detail) for two plain-text answers. `asked`: the content words of the
    prompts (or a function giving them, asked only when needed), which an answer repeats without
    saying anything by them ("'mundane' means ...")."""
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return "agree", ""
    wa, wb = words(a), words(b)
    if wa == wb:
        operators = _other_operators(a, b)
        if operators:  # "p = a * b" / "p = a @ b": one expression, another operation
            return "conflict", f"another operator (“{operators[0]}” vs “{operators[1]}”)"
        return "agree", "punctuation only"
    quoted = _quoted_swap(a, b)
    if quoted:
        return "conflict", f"quotes “{quoted[0][:60]}” where the other quotes “{quoted[1][:60]}”"
    yes_a, yes_b = leading_polarity(wa), leading_polarity(wb)
    if yes_a is not None and yes_b is not None and yes_a != yes_b:
        return "conflict", f"one answer says {'yes' if yes_a else 'no'}, the other {'yes' if yes_b else 'no'}"
    priced = _free_or_priced(a, b)
    if priced:  # "Yes, paper bills are free of charge." / "Yes, paper bills cost £1.50 a month."
        return "conflict", f"one answer says it is free, the other names a price (“{priced}”)"
    bounds = _opposed_bounds(wa, wb)
    if bounds:  # "You must be under 18" / "You must be at least 18"
        return "conflict", f"the same number bounded the other way (“{bounds[0]}” vs “{bounds[1]}”)"
    if max(len(wa), len(wb)) <= SHORT_ANSWER_WORDS:
        # numbers spelled out read as numbers: "two to three days" / "2 to 3 days"
        ca = {NUMBER_WORDS.get(w, UNITS.get(w, w)) for w in _content_words(a)}  # "2 hours" / "2 hrs"
        cb = {NUMBER_WORDS.get(w, UNITS.get(w, w)) for w in _content_words(b)}
        same_polarity = _polarity(wa) == _polarity(wb)
        same_numbers = _numbers(a) | _spelled_numbers(wa) == _numbers(b) | _spelled_numbers(wb)
        if same_polarity and ca and cb and (ca <= cb or cb <= ca) and same_numbers:
            return "agree", "one answer says more"  # "Paris" / "It is Paris."
        return "conflict", f"“{a.strip()[:80]}” vs “{b.strip()[:80]}”"
    ca, cb = _content_words(a), _content_words(b)
    overlap = len(ca & cb) / len(ca | cb) if ca | cb else 1.0
    if overlap >= 0.5 and _polarity(wa) != _polarity(wb) and _negated_stretch(wa, wb):
        # said before the numbers: "Yes, 2100 is a leap year, so February has 29 days" / "No, ...
        # not ..., 28 days" disagree on the yes, the days follow from it
        return "conflict", "one answer is negated"
    other_unit = _other_unit(a, b)
    if other_unit:
        return "conflict", f"the same number in another unit (“{other_unit[0]}” vs “{other_unit[1]}”)"
    if _numbers(a) != _numbers(b) and _numbers(a) and _numbers(b):
        only_a, only_b = sorted(_numbers(a) - _numbers(b)), sorted(_numbers(b) - _numbers(a))
        if not (only_a and only_b):
            # the other number is said elsewhere in the answer too ("6am ... 10am-4pm" / "6am ...
            # 10am-6pm"): where the two differ says it, not "4 vs –"
            stretch = _numbers_stretch(a, b)
            if stretch:
                return "conflict", f"different numbers (“{stretch[0]}” vs “{stretch[1]}”)"
        return "conflict", f"different numbers ({', '.join(only_a[:3]) or '–'} vs {', '.join(only_b[:3]) or '–'})"
    # with the numbers spelled out counted too, a number must be replaced, not only added: "the two
    # steps" / "both steps" is one answer, "90 days" / "six months" two
    spelled_a, spelled_b = _numbers(a) | _spelled_numbers(wa), _numbers(b) | _spelled_numbers(wb)
    if spelled_a - spelled_b and spelled_b - spelled_a:
        only_a, only_b = sorted(spelled_a - spelled_b), sorted(spelled_b - spelled_a)
        return "conflict", f"different numbers ({', '.join(only_a[:3])} vs {', '.join(only_b[:3])})"
    bound = _swapped_numbers(wa, wb)
    if bound:  # "three parts oil to one part vinegar" / "one part oil to three parts vinegar"
        return "conflict", f"the numbers count other things (“{bound[0]}” vs “{bound[1]}”)"
    if overlap >= 0.5:
        negated = _negated_stretch(wa, wb)
        if negated:
            return "conflict", f"negated in one answer only (“{negated[0][:60]}” vs “{negated[1][:60]}”)"
    if overlap >= 0.3:
        opposed = _opposed_direction(wa, wb)
        if opposed:
            return "conflict", f"opposite directions (“{opposed[0]}” vs “{opposed[1]}”)"
    swapped = _swapped_slot(a, b)
    if swapped:  # one frame filled otherwise: "Kenya has the larger population" / "Colombia has ..."
        return "conflict", f"“{swapped[0]}” where the other says “{swapped[1]}”"
    items = _other_items(a, b)
    if items:  # two lists of mostly other things: "Coffee, black tea, cola" / "Water, rooibos tea, juice"
        return "conflict", f"other items (“{items[0][:60]}” vs “{items[1][:60]}”)"
    middles = _differing_middles(wa, wb)
    if middles:  # alike at the start and the end, something else in between
        return "conflict", f"the same start, then other content (“{middles[0]}” vs “{middles[1]}”)"
    if callable(asked):
        asked = asked()
    # what each answer says beyond repeating the prompts; both must say something of their own.
    # Few words in common and few in the same order: other content. Word order, not letters: two
    # unrelated sentences of one length share half their letters in order ("It means showing
    # great attention to detail." / "It means using more words than needed.").
    told_a, told_b = {w for w in ca - asked if len(w) > 1}, {w for w in cb - asked if len(w) > 1}
    told = len(told_a & told_b) / len(told_a | told_b) if min(len(told_a), len(told_b)) >= TOLD_WORDS else 1.0
    if min(overlap, told) < 0.25 and difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio() < 0.5:
        shared = f"{overlap:.0%} of content words shared" + (
            f", {told:.0%} beyond the prompt's" if told < overlap else ""
        )
        return "conflict", f"clearly different content ({shared})"
    return "agree", f"reworded ({overlap:.0%} of content words shared)"


def _numbers_stretch(a, b):
    """(stretch of a, stretch of b): the first place, a word either side, where two answers say
    other words with a digit in them ("weekends 10am-4pm" / "weekends 10am-6pm"), or None."""
    ta, tb = a.split(), b.split()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op != "equal" and any(c.isdigit() for t in ta[i1:i2] + tb[j1:j2] for c in t):
            left = " ".join(ta[max(0, i1 - 1) : i2 + (i1 == i2)]).strip(".,;:!?")
            right = " ".join(tb[max(0, j1 - 1) : j2 + (j1 == j2)]).strip(".,;:!?")
            return left[:60], right[:60]
    return None


FREE_RE = re.compile(
    r"\b(?:free(?: of charge)?|for free|no (?:extra )?(?:charge|cost|fee)|at no (?:extra |additional )?cost"
    r"|complimentary|costs? nothing)\b",
    re.IGNORECASE,
)
PRICE_RE = re.compile(
    r"[$£€¥₹]\s?\d+(?:[.,]\d+)?|\b\d+(?:[.,]\d+)?\s?(?:dollars?|euros?|pounds?|usd|eur|gbp|cents?|pence|p)\b",
    re.IGNORECASE,
)


# A price answering whether something costs: "Is there a charge for towels?" "$2 per visit." says
# yes, "Is the towel service free?" "$2 per visit." says no
PRICE_OPENING_RE = re.compile(
    r"^\W*(?:(?:it|that|this|they|these|those|each|one)(?:'s|’s| is| are| costs?| will cost| would cost)?\s+|\w+ costs?\s+)?"
    r"(?:only\s+|just\s+|about\s+|around\s+)?(?:" + PRICE_RE.pattern + ")",
    re.IGNORECASE,
)
PRICE_ASKED = frozenset("charge charged fee fees cost costs pay paid extra price".split())


def priced_polarity(question, answer):
    """ "yes" or "no" when a yes-or-no question of whether something costs ("Is there a fee ...?",
    "Is it free?") is answered with a price, else ""."""
    if not PRICE_OPENING_RE.match(answer):
        return ""
    asked = set(words(question))
    if asked & PRICE_ASKED and "free" not in asked:
        return "yes"
    return "no" if "free" in asked and not asked & PRICE_ASKED else ""


def _free_or_priced(a, b):
    """The price one answer names where the other says, naming no price, that it is free, else ""."""
    for free, priced in ((a, b), (b, a)):
        if FREE_RE.search(free) and not PRICE_RE.search(free):
            price = PRICE_RE.search(priced)
            if price and not FREE_RE.search(priced[max(0, price.start() - 30) : price.end() + 30]):
                return price.group().strip()
    return ""


# Words that bound the number after them from below or from above ("at least 18", "under 18")
BOUNDS = {
    **dict.fromkeys("over above more greater least exceeding exceeds minimum min older longer".split(), 1),
    **dict.fromkeys("under below less fewer most maximum max within younger shorter".split(), -1),
}
BOUND_REACH = 3  # a bound word this many words or fewer before its number ("more than 3", "under $ 50")
# ... or after it, behind "and" / "or": "16 and over", "65 or older", "3 or fewer"
TRAILING_BOUNDS = {
    **dict.fromkeys("over above more older greater longer higher up upwards".split(), 1),
    **dict.fromkeys("under below less fewer younger shorter lower".split(), -1),
}


def _bounds(said):
    """{number: {sign: (first, last) position of the bound as said}} for the numbers of a text's
    words that a bound word comes shortly before ("at least 18") or after ("16 and over")."""
    found = {}
    for k, w in enumerate(said):
        if not w[:1].isdigit():
            continue
        if said[k + 1 : k + 2] in (("and",), ("or",)) and said[k + 2 : k + 3] and said[k + 2] in TRAILING_BOUNDS:
            found.setdefault(w, {}).setdefault(TRAILING_BOUNDS[said[k + 2]], (k, k + 2))
            continue
        for at in range(k - 1, max(0, k - BOUND_REACH) - 1, -1):
            before = said[at]
            if before[:1].isdigit():
                break
            if before in BOUNDS:
                # "at least 18", "at most 5"; "most 18-year-olds" bounds nothing
                if before not in ("least", "most") or (at and said[at - 1] == "at"):
                    first = at - 1 if before in ("least", "most") else at
                    found.setdefault(w, {}).setdefault(BOUNDS[before], (first, k))
                break
    return found


def _opposed_bounds(wa, wb):
    """(phrase of a, phrase of b) when one number is bounded one way in an answer and the other way
    in the other, each one way only ("under 18" / "at least 18"), else None."""
    bound_words = BOUNDS.keys() | TRAILING_BOUNDS.keys()
    if not (bound_words & set(wa)) or not (bound_words & set(wb)):
        return None
    ba, bb = _bounds(wa), _bounds(wb)
    for number, signs in ba.items():
        other = bb.get(number, {})
        if len(signs) == 1 and len(other) == 1 and signs.keys() != other.keys():
            ((i, j),), ((m, n),) = signs.values(), other.values()
            return " ".join(wa[i : j + 1]), " ".join(wb[m : n + 1])
    return None


PORTION_WORDS = frozenset("part parts piece pieces portion portions measure measures".split())


def _number_bindings(tokens):
    """{number: the words it counts}: for each number (in digits or spelled, "one" too), the first
    word after it that is no stopword, unit or portion ("three parts oil" counts oil)."""
    out = {}
    for n, w in enumerate(tokens):
        number = w if w.isdigit() else "1" if w == "one" else NUMBER_WORDS.get(w)
        if number is None:
            continue
        for after in tokens[n + 1 : n + 4]:
            if after in STOPWORDS or after in UNITS or after in PORTION_WORDS:
                continue
            if after.isalpha():
                out.setdefault(number, set()).add(after)
            break
    return out


def _swapped_numbers(wa, wb):
    """(a's number and thing, b's) when two answers name the same numbers and the same things but
    count other things with them; else None."""
    bound_a, bound_b = _number_bindings(wa), _number_bindings(wb)
    if len(bound_a) < 2 or bound_a.keys() != bound_b.keys():
        return None
    if set().union(*bound_a.values()) != set().union(*bound_b.values()):
        return None
    for number in sorted(bound_a):
        if bound_a[number] != bound_b[number]:
            return f"{number} {min(bound_a[number])}", f"{number} {min(bound_b[number])}"
    return None


def _direction_words(classes):
    """{word: (class, sign)} from {class: (words one way, words the other way)}."""
    out = {}
    for name, (up, down) in classes.items():
        out.update((w, (name, 1)) for w in up.split())
        out.update((w, (name, -1)) for w in down.split())
    return out


# Words that say which way something goes; two answers that say opposite ways of one thing
# ("lowers the activation energy" / "increases the activation energy") disagree.
DIRECTIONS = _direction_words(
    {
        "amount": (
            "increase increases increased increasing raise raises raised raising higher rise rises rising boost "
            "boosts boosted",
            "decrease decreases decreased decreasing lower lowers lowered lowering reduce reduces reduced reducing "
            "drop drops dropped cut cuts",
        ),
        "speed": ("accelerate accelerates accelerated faster quicken quickens", "slow slows slowed slower"),
        "membership": (
            "include includes included including add adds added",
            "exclude excludes excluded excluding remove removes removed",
        ),
        "permission": (
            "allow allows allowed permit permits permitted enable enables enabled",
            "forbid forbids forbidden prohibit prohibits prohibited disable disables disabled block blocks blocked",
        ),
        "acceptance": (
            "accept accepts accepted approve approves approved",
            "reject rejects rejected deny denies denied",
        ),
        "exchange": ("gain gains gained absorb absorbs absorbed", "lose loses lost release releases released"),
        "opening": ("open opens opened", "close closes closed"),
        "strength": ("strengthen strengthens strengthened stronger", "weaken weakens weakened weaker"),
        "continuation": (
            "renew renews renewed renewing extend extends extended extending",
            "cancel cancels cancelled canceled cancelling canceling terminate terminates terminated terminating "
            "discontinue discontinues discontinued",
        ),
    }
)
DIRECTION_REACH = 3  # the thing a direction word is about: the first content word within this many words after it


def _directions(said):
    """{(class, thing): {signs}} for the direction words of a text's words and what each is about
    (the next content word, articles and the like skipped)."""
    found = {}
    for k, w in enumerate(said):
        if w in DIRECTIONS:
            name, sign = DIRECTIONS[w]
            for thing in said[k + 1 : k + 1 + DIRECTION_REACH]:
                if thing not in STOPWORDS and thing not in DIRECTIONS:
                    found.setdefault((name, thing), set()).add(sign)
                    break
    return found


def _opposed_direction(wa, wb):
    """(word of a, word of b) when the two answers say opposite ways of one thing, each one way
    only ("provides a pathway with a lower activation energy" / "increases the activation energy";
    "includes weekends" / "excludes weekends"), else None. "reduces the risk" / "increases the
    protection" are about two things."""
    if not (DIRECTIONS.keys() & set(wa)) or not (DIRECTIONS.keys() & set(wb)):
        return None
    da, db = _directions(wa), _directions(wb)
    for key, signs in da.items():
        other = db.get(key)
        if other and len(signs) == 1 and len(other) == 1 and signs != other:
            name, thing = key
            word_a = next(w for w in wa if DIRECTIONS.get(w) == (name, *signs))
            word_b = next(w for w in wb if DIRECTIONS.get(w) == (name, *other))
            return f"{word_a} … {thing}", f"{word_b} … {thing}"
    return None


LIST_SPLIT_RE = re.compile(r"\s*(?:[,;\n]|\band\b|\bor\b)\s*(?:and\s+|or\s+)?", re.IGNORECASE)
LIST_MIN_ITEMS = 3
LIST_ITEM_WORDS = 4  # an item of a list is a few words ("dark chocolate"); longer parts are sentences


def _list_items(text):
    """The items of an answer that is a list ("Coffee, black tea, cola and dark chocolate."), each
    as (its text, its set of content words), or None for an answer that is no such list."""
    text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", text.strip().rstrip(".!"), flags=re.MULTILINE)
    parts = [p for p in LIST_SPLIT_RE.split(text) if p.strip()]
    if len(parts) < LIST_MIN_ITEMS or any(len(p.split()) > LIST_ITEM_WORDS for p in parts):
        return None
    items = [(" ".join(p.split()), frozenset(_content_words(p))) for p in parts]
    return items if all(words for _, words in items) else None


def _other_items(a, b):
    """(a's items, b's items) when both answers are lists (_list_items) and half of either list's
    items or more share no word with any item of the other, else None. Steps said otherwise ("Open
    Settings, tap Privacy" / "Go to Settings, choose Privacy") keep a word of each."""
    items_a, items_b = _list_items(a), _list_items(b)
    if not items_a or not items_b:
        return None
    only_a = [text for text, x in items_a if not any(x & y for _, y in items_b)]
    only_b = [text for text, y in items_b if not any(x & y for _, x in items_a)]
    if 2 * len(only_a) < len(items_a) and 2 * len(only_b) < len(items_b):
        return None
    return ", ".join(only_a), ", ".join(only_b)


def _swapped_slot(a, b):
    """(x, y) when two answers are one frame with x in one where the other has y, and x and y
    are names or traded places ("Kenya has more people than Colombia" / "Colombia has more people
    than Kenya"); a common word said otherwise ("open Settings" / "go to Settings") is rewording."""
    swapped = frame_swap(a, b)
    if not swapped:
        return None
    x, y = swapped[0].split(), swapped[1].split()
    slots_a, slots_b = slots_of(a), slots_of(b)
    traded = all(w in slots_b.words for w in x) and all(w in slots_a.words for w in y)
    named = any(w in slots_a.names for w in x) and any(w in slots_b.names for w in y)
    return swapped if traded or named else None


MIDDLE_WORDS = 3  # content words each answer must say after a shared start before they can conflict
MIDDLE_SHARE = 0.2  # at most this share of those content words in common: other content


def _differing_middles(wa, wb):
    """(a's middle, b's middle) when two answers (word lists) share their first words and then
    say other things: each what is left after the common start and end holds MIDDLE_WORDS
    content words or more, and they share at most MIDDLE_SHARE of them ("replace the buttermilk
    with milk and lemon juice" / "replace the buttermilk with stock and vinegar"). A rewording
    from the first word on is left to the overlap test."""
    start = 0
    while start < min(len(wa), len(wb)) and wa[start] == wb[start]:
        start += 1
    if start < MIDDLE_WORDS:
        return None
    end = 0
    while end < min(len(wa), len(wb)) - start and wa[-1 - end] == wb[-1 - end]:
        end += 1
    ma, mb = wa[start : len(wa) - end], wb[start : len(wb) - end]
    ca, cb = {w for w in ma if w not in STOPWORDS}, {w for w in mb if w not in STOPWORDS}
    if len(ca) < MIDDLE_WORDS or len(cb) < MIDDLE_WORDS or len(ca & cb) > MIDDLE_SHARE * len(ca | cb):
        return None
    return " ".join(ma[:8]), " ".join(mb[:8])


def _compare_json(a, b, path="$"):
    """The first conflicting path between two JSON values, or ""."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key} is only in one answer"
            found = _compare_json(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} has {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = _compare_json(x, y, f"{path}[{i}]")
            if found:
                return found
        return ""
    if isinstance(a, str) and isinstance(b, str):
        if max(len(a.split()), len(b.split())) > SHORT_ANSWER_WORDS * 2:
            verdict, detail = compare_text(a, b)
            return f"{path}: {detail}" if verdict == "conflict" else ""
        return "" if normalize(a) == normalize(b) else f"{path}: “{a[:60]}” vs “{b[:60]}”"
    if a != b or type(a) is not type(b):
        return f"{path}: {json.dumps(a)[:60]} vs {json.dumps(b)[:60]}"
    return ""


# Code and queries: compared token by token. Keywords are compared without case (SQL's SELECT is
# select); identifiers, literals and operators exactly.
CODE_TOKEN_RE = re.compile(
    r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|(?<![\w)\]])--?[A-Za-z][A-Za-z0-9_-]*|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z_0-9]*|==|!=|<>|<=|>=|->|=>|::|&&|\|\||\*\*|//|>>|<<|[^\sA-Za-z_0-9]"""
)
KEYWORDS = frozenset(
    """select from where group by order having limit offset join inner left right outer full cross on as and or
    not in is null like ilike between distinct count sum avg min max case when then else end union all insert into
    values update set delete create table index view with desc asc exists any returning interval cast true false
    def return if elif else for while in import from as class lambda none and or not is pass break continue try
    except finally raise yield with async await function const let var new this""".split()
)
SQL_START_RE = re.compile(r"^\s*(select|with|insert|update|delete|create|alter|drop)\b", re.IGNORECASE)
CODE_HINT_RE = re.compile(
    r"^\s*(def |class |import |from \w+ import|function |const |let |var |return |#include|package |public |fn |SELECT )"
    r"|[;{}]\s*$|\w\(.*\)|==|=>|->|\b\w+\.\w+\(",
    re.MULTILINE,
)
# A shell command line: a command the shell runs, then its arguments. Commands that are English
# words too ("find", "sort", "make") count only with a flag, a path, a pipe or a redirection.
SHELL_COMMANDS = frozenset(
    """git docker kubectl helm pip pip3 npm npx yarn pnpm sudo apt apt-get brew curl wget chmod chown chgrp mkdir
    rmdir rsync scp ssh tar gzip gunzip zip unzip grep egrep rg sed awk xargs ls cd cp mv rm ln du df ps pgrep pkill
    jq systemctl journalctl echo printf export python python3 node conda venv virtualenv psql mysql sqlite3 redis-cli
    openssl ffmpeg nohup crontab tmux htop lsof netstat ss ping dig nslookup traceroute iptables ufw useradd usermod
    whoami uname hostname cargo javac mvn gradle gcc cmake""".split()
)
WORDLIKE_COMMANDS = frozenset(
    "find cat head tail sort uniq cut wc tr diff comm kill touch date less more tee watch time make source env go java alias".split()
)
SHELL_SIGNAL_RE = re.compile(r"(?:^|\s)--?[A-Za-z]|[|<>~$*]|(?:^|\s)\.{0,2}/|\w/\w")


# a loop or a test of the shell, on one line or opening and closing several:
# `for f in *.txt; do mv "$f" "${f%.txt}.md"; done`, `if [ -f a.yml ]; then`, `done < list.txt`
SHELL_CONTROL_RE = re.compile(
    r"\s*(?:(?:for \w+ in\b|while\b|until\b).*;\s*do\b|if \[\[? .*\]\]?\s*;\s*then\b|(?:done|fi|esac)\s*(?:[<>|;&].*)?$"
    r"|(?:do|then|else)$|case \S+ in$)"
)


SHELL_KEYWORDS = frozenset({"do", "then", "else", "done", "fi", "esac"})  # alone, no program ("fi": Finnish)


def _shell_line(line):
    """True for one line of shell: `cp -a src/ dest/`, `git reset --soft HEAD~1`, `sort -rh | head`."""
    parts = line.strip().removeprefix("$ ").split()
    if not parts:
        return False
    if SHELL_CONTROL_RE.match(line):
        return True
    command = parts[0]
    if command in SHELL_COMMANDS:
        return (
            len(parts) <= 40 and not line.rstrip().endswith((".", "?", "!")) or SHELL_SIGNAL_RE.search(line) is not None
        )
    return command in WORDLIKE_COMMANDS and SHELL_SIGNAL_RE.search(line) is not None


FENCE_RE = re.compile(r"^\s*```[\w+-]*\s*\n?|\n?\s*```\s*$")


# what only code writes: an escape (\d, \b), a character class ([a-z]), an index or a call glued to
# a name (lst[-3:], f(x)), an operator of two characters, an anchored pattern (^...$)
SHORT_CODE_RE = re.compile(
    r"\\[dwsbDWSBn\d.]|\[[^\]\s]*[-:][^\]\s]*\]|\w[\[(]|\[.+ for \w+ in .+\]|\*\*|=>|==|!=|>=|<=|^\^.*\$$"
)
SENTENCE_RE = re.compile(r"[a-z]{2,}[.!?](?:\s|$)|\b[A-Za-z][a-z]{2,} [a-z]{3,} [a-z]{3,} [a-z]{3,}\b")


def _strip_fence(text):
    return FENCE_RE.sub("", text.strip())


@lru_cache(maxsize=8192)
def is_code(text):
    """True for an answer that is a program or a query rather than prose."""
    text = _strip_fence(text)
    if not text:
        return False
    if SQL_START_RE.match(text):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) <= 12 and all(_shell_line(line) or line.lstrip().startswith("#") for line in lines):
        return any(not line.lstrip().startswith("#") and line.strip() not in SHELL_KEYWORDS for line in lines)
    if len(lines) >= 3 and _yaml(lines):
        return True
    hinted = sum(1 for line in lines if CODE_HINT_RE.search(line))
    symbols = sum(text.count(c) for c in "(){}[];=<>")
    prose_words = len(re.findall(r"\b[a-z]{3,}\b", text))
    if hinted >= max(1, len(lines) // 2) and symbols >= 2 and symbols * 4 >= prose_words // 2:
        return True
    # one line of a pattern or an expression: `^[a-z]+$`, `\b(\w+)\s+\1\b`, `lst[-3:]`,
    # `[x ** 2 for x in nums]`; never a sentence ("Use the [Settings] page.")
    if len(lines) != 1 or len(text) > 300 or SENTENCE_RE.search(text) or not SHORT_CODE_RE.search(text):
        return False
    return len(re.findall(r"[()\[\]{}^$\\*+|=<>;:/]", text)) >= max(3, prose_words)


# A line of YAML: a key of one word, then a short value or nothing ("  periodSeconds: 10", "- name: app")
YAML_LINE_RE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*:(?:\s+[^\s].{0,80})?$|^\s*-\s+[^\s:]{1,60}$")


def _yaml(lines):
    """True for lines of nested YAML (Kubernetes manifests, CI files, config): every line a key and
    its value or a list item, and some indented under another; "Pros: cheap" / "Cons: slow" is prose."""
    return all(YAML_LINE_RE.match(line) for line in lines) and any(line[:1] in " \t" for line in lines)


def code_tokens(text):
    """A program's tokens, keywords in lower case. In SQL every bare word is read without case
    (EXTRACT is extract, Orders is orders): only quoted text keeps it."""
    text = _strip_fence(text)
    tokens = CODE_TOKEN_RE.findall(text)
    if SQL_START_RE.match(text):
        out = [t.lower() if t[0].isalpha() or t[0] == "_" else t for t in tokens]
    else:
        out = [t.lower() if t.lower() in KEYWORDS else t for t in tokens]
    while out and out[-1] == ";":
        out.pop()  # a closing semicolon changes nothing
    return out


def compare_code(a, b):
    """("agree" | "conflict", detail): one changed token is a conflict (COUNT(*) vs
    COUNT(DISTINCT x), SUM vs AVG, > vs >=)."""
    ta, tb = code_tokens(a), code_tokens(b)
    # a spreadsheet formula names cells and columns, no local names: "B:B,D:D" / "B:B,C:C" differ
    formula = a.lstrip().startswith("=") or b.lstrip().startswith("=")
    if ta == tb or (not formula and _renamed(ta, tb)):
        return "agree", ""
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op != "equal":
            if formula:  # written without spaces, a range whole: "B:B,D:D," / "B:B,C:C,"
                left, right = "".join(ta[max(0, i1 - 3) : i2 + 3])[:60], "".join(tb[max(0, j1 - 3) : j2 + 3])[:60]
            else:
                left = _code_text(ta[max(0, i1 - 2) : i2 + 1])[:60]
                right = _code_text(tb[max(0, j1 - 2) : j2 + 1])[:60]
            return "conflict", f"code differs: “{left}” vs “{right}”"
    return "agree", ""


IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*$")


def _renamed(ta, tb):
    """True when two token lists are one program with local names renamed throughout (`resolve =>
    setTimeout(resolve, ms)` / `r => setTimeout(r, ms)`): every differing token a name, each name
    used at least twice and always renamed to the same other name. A name used once (SUM / AVG, a
    function called) is another program."""
    if len(ta) != len(tb):
        return False
    renames, back = {}, {}
    for x, y in zip(ta, tb):
        if x != y and (
            not (IDENTIFIER_RE.match(x) and IDENTIFIER_RE.match(y)) or x.lower() in KEYWORDS or y.lower() in KEYWORDS
        ):
            return False
        if IDENTIFIER_RE.match(x) and (renames.setdefault(x, y) != y or back.setdefault(y, x) != x):
            return False  # a name renamed in one place and not in another, or two names made one
    counts = Counter(ta)
    renamed = [x for x, y in renames.items() if x != y]
    return bool(renamed) and all(counts[x] >= 2 for x in renamed)


NO_SPACE_BEFORE = frozenset(")].,;:")
NO_SPACE_AFTER = frozenset("([.")


def _code_text(tokens):
    """Tokens written back as code reads ("count(distinct i.client_id)", not "count ( distinct i .
    client_id )"), for a message."""
    out = ""
    for n, token in enumerate(tokens):
        previous = tokens[n - 1] if n else ""
        glued = (
            not out
            or token in NO_SPACE_BEFORE
            or previous in NO_SPACE_AFTER
            or (token == "(" and (previous[:1].isalnum() or previous[:1] == "_"))  # a call: count(
            or (previous == ":" and n >= 2 and tokens[n - 2] == "[")  # a slice: [:10]
            or (previous in ("+", "-") and n >= 2 and tokens[n - 2][:1] == "-")  # a flag's value: -size +100
        )
        out += token if glued else " " + token
    return out


def answer_kind(a, b):
    """How two answers are compared: "JSON", "code", "short answer" or "free text"."""
    if load_json(a) is not None and load_json(b) is not None:
        return "JSON"
    if is_code(a) or is_code(b):
        return "code"
    if max(len(words(a)), len(words(b))) <= SHORT_ANSWER_WORDS:
        return "short answer"
    return "free text"


def compare_answers(a, b, asked=frozenset()):
    """("agree" | "conflict", detail) for two answers, compared by their kind, which the detail
    names: JSON field by field, code token by token, short answers exactly, free text by content
    (`asked`: the prompts' content words, compare_text)."""
    if a == b:
        return "agree", ""  # one answer written twice (most pairs of a big set's copies): agrees in every kind
    kind = answer_kind(a, b)
    if kind == "JSON":
        conflict = _compare_json(load_json(a), load_json(b))
        return ("conflict", f"JSON {conflict}") if conflict else ("agree", "")
    if kind == "code":
        verdict, detail = compare_code(a, b)
        return verdict, detail
    verdict, detail = compare_text(a, b, asked)
    if verdict == "conflict":  # "different numbers (90 vs 6), compared as free text"
        return verdict, f"{detail}, compared as {'short answers' if kind == 'short answer' else kind}"
    return verdict, detail


SAME_ANSWER = 0.85  # character similarity of two normalised answers that count as one answer in a pair


def _same(a, b):
    """True when two answers are one answer written twice. JSON, code and short answers are
    compared strictly already (a field, a token, a word): agreeing is being the same. Free text
    must also read alike (case, spacing and a few slips aside): compare_answers lets reworded
    free text agree so that only clear conflicts are reported, but in a preference pair the
    rejected answer is often a rewording of the chosen one, and two pairs differ by just that."""
    if compare_answers(a, b)[0] != "agree":
        return False
    if answer_kind(a, b) != "free text":
        return True
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return True
    matcher = difflib.SequenceMatcher(None, na, nb, autojunk=False)
    return (
        matcher.real_quick_ratio() >= SAME_ANSWER
        and matcher.quick_ratio() >= SAME_ANSWER
        and matcher.ratio() >= SAME_ANSWER
    )


@lru_cache(maxsize=16384)
def _content_counts(text):
    """How often text says each content word (_content_words, counted), kept for the texts a scan
    compares again and again (a cluster's groups). Callers must not change the Counter."""
    return Counter(w for w in words(text) if w not in STOPWORDS)


def _asked(record):
    return frozenset(_content_counts(" ".join(record.request())))


SLOT_WORDS = 2


def _follow_their_prompts(a, b):
    """True when each answer says a content word more often than the other answer does, and its own
    prompt says that word more often than the other prompt: the prompts ask about other things,
    which the answers follow ("Which has more calories, banana or dark chocolate?" / "... dark
    chocolate or chicken breast?", each answer naming its own pair; "Show city and phone_verified
    ..." / "List the phone_verified and signup_date ...", each query selecting its own column). Also
    when one answer follows its prompt that way and the prompts differ in a word or two each ("the
    sum of the digits" answered by digit_sum, "the number of digits" by digit_count). Two
    answers that disagree on one request do not part that way."""
    asked_a, asked_b = _content_counts(" ".join(a.request())), _content_counts(" ".join(b.request()))
    said_a, said_b = _content_counts(a.answer()), _content_counts(b.answer())
    own_a, own_b = (asked_a - asked_b).keys(), (asked_b - asked_a).keys()
    # a word the other prompt says in another form is asked by both ("freeze ... shells" / "frozen
    # ... shell")
    own_a, own_b = (
        {w for w in own_a if not any(same_word(w, o) for o in own_b)},
        {w for w in own_b if not any(same_word(w, o) for o in own_a)},
    )
    follows_a, follows_b = bool(own_a & (said_a - said_b).keys()), bool(own_b & (said_b - said_a).keys())
    if follows_a and follows_b:
        return True
    # one answer follows: enough when the prompts differ in a word or two each (one slot), not when
    # one was reworded throughout ("Double billing!!" / "charged two times", answered "billing")
    return (follows_a or follows_b) and 0 < len(own_a) <= SLOT_WORDS and 0 < len(own_b) <= SLOT_WORDS


def _swap_follows_prompts(a, b):
    """True when two answers are one frame with x in one where the other has y (frame_swap), and
    each prompt names its own: "... thirst in an 11-year-old parrot ..." / "... dog ..." answering
    "my parrot" / "my dog". compare_answers lets a common word said otherwise agree ("open
    Settings" / "go to Settings"); one that follows the prompts answers two requests alike."""
    swapped = frame_swap(a.answer(), b.answer())
    if not swapped:
        return False
    asked_a, asked_b = _content_counts(" ".join(a.request())), _content_counts(" ".join(b.request()))
    x, y = swapped[0].split(), swapped[1].split()
    return all(asked_a[w] > asked_b[w] for w in x) and all(asked_b[w] > asked_a[w] for w in y)


# An instruction that asks for a class of its text ("Classify the clause.", "clause type?", "Which
# category ...?", "Tag the ticket."): its answers are labels, compared as labels (compare_labels).
CLASSIFYING_RE = re.compile(
    r"\b(?:classif\w*|categor\w*|label\w*|types?|kinds?|class(?:es)?|tag|tags|tagging|genre|topic|intent|bucket"
    # "which policy area this text is about", "which team should handle it", "route the ticket"
    r"|(?:policy|topic|subject|practice) areas?|which (?:\w+ )?(?:team|department|queue|desk) (?:should|would|will|handles?|owns?)"
    r"|rout(?:e|es|ing) (?:this|it|the)|sort (?:this|it|the|these)(?: \w+)? into|taxonomy"
    # "Which department does the following item belong in?"
    r"|which (?:\w+ )?(?:department|aisle)\b|belongs? (?:in|under)"
    # a sentiment is a class: "positive, negative or neutral", "how does the customer feel about it"
    r"|sentiment|emotions?|polarity|positive,? (?:or )?negative|favou?rable or unfavou?rable|feel(?:s|ing)? about"
    # a priority is a class: "Assign a priority (urgent/high/normal/low)", "How urgent is this?"
    r"|priorit(?:y|ies|ise|ize)|urgency|severity|how urgent)\b",
    re.I,
)
LABEL_PREFIX_RE = re.compile(
    r"^\s*(?:label|category|class|classification|type|tag|answer|prediction|intent|sentiment|topic|genre|emotion|tone)"
    r"\s*[:=-]\s*",
    re.I,
)
LABEL_MOST_WORDS = 20  # a label with its reason ("Warranty: it promises ...") is at most this long
LABEL_HEAD_WORDS = 4  # "Force majeure: ..." names its label before a colon in at most this many words


@lru_cache(maxsize=8192)
def classifies(instruction):
    """True when an instruction asks for a class of its text (CLASSIFYING_RE)."""
    return bool(CLASSIFYING_RE.search(instruction))


def label_words(answer):
    """(content words of the label an answer gives, negated?, the label), or None when the answer is no label
    (longer than LABEL_MOST_WORDS words; with a digit, JSON or code; a bare yes or no). "Label:
    force majeure", "It's an indemnification provision." and "Warranty: it gives a promise ..."
    (the part before the colon) give their labels' words."""
    text = answer.strip()
    if not text or len(text) > 200 or text[0] in "{[":
        return None
    return _label_words(text)


@lru_cache(maxsize=1 << 15)  # one answer is read again for each pair it is in
def _label_words(text):
    if any(c.isdigit() for c in text):
        return None
    if len(text.split()) > LABEL_MOST_WORDS or is_code(text):
        return None
    text = LABEL_PREFIX_RE.sub("", text)
    head, colon, _ = text.partition(":")
    if colon and 0 < len(head.split()) <= LABEL_HEAD_WORDS:
        text = head
    # "Expenses — describes the mileage policy": the label before a dash, its reason after
    parts = re.split(r"\s[—–-]\s", text, maxsplit=1)
    if len(parts) == 2 and 0 < len(parts[0].split()) <= LABEL_HEAD_WORDS:
        text = parts[0]
    text = re.split(r"(?<=[.!?;])\s", text, maxsplit=1)[0]
    said = words(text)
    content = frozenset(w for w in said if w not in STOPWORDS and w not in NEGATIONS)
    if not content:
        return None
    return content, any(w in NEGATIONS for w in said), text.strip().rstrip(".!;")


def labels_its_input(record):
    """True for an example (not a chat) whose answer labels its input: a JSON object, or a label
    (label_words) that its instruction asks for ("Classify the review." over a review)."""
    if record.is_chat or record.is_preference or not record.input.strip():
        return False
    answer = record.answer().lstrip()
    if answer[:1] == "{":
        return isinstance(load_json(answer), dict)
    return label_words(answer) is not None and classifies(record.instruction)


def compare_labels(a, b):
    """("agree" | "conflict", detail) for two examples whose instructions ask for a class of their
    text (classifies) when both answers give a label (label_words), else None. Labels agree when
    one says all the other says ("Label: indemnification" / "It's an indemnification provision.")
    and conflict when they share no word ("termination" / "force majeure") or one is negated ("spam"
    / "not spam"); anything between is left to compare_answers."""
    if a.is_chat or b.is_chat or a.is_preference or b.is_preference:
        return None
    label_a, label_b = label_words(a.answer()), label_words(b.answer())
    if label_a is None or label_b is None or not (classifies(a.instruction) and classifies(b.instruction)):
        return None
    (words_a, negated_a, text_a), (words_b, negated_b, text_b) = label_a, label_b
    said = f"labels “{text_a[:60]}” vs “{text_b[:60]}”"
    if negated_a != negated_b:
        return ("conflict", f"{said}, one negated") if words_a == words_b else None
    if words_a <= words_b or words_b <= words_a:
        return "agree", ""
    if not words_a & words_b:
        return "conflict", said
    return None


def compare_records(a, b):
    """("agree" | "conflict" | "other", detail) for two records whose prompts match, `a`'s side
    first. Plain answers compare as compare_answers does (the prompts' words aside), and two that
    conflict only by following what each prompt names are "other" (_follow_their_prompts). A preference pair (chosen output,
    rejected answer) agrees with a pair that prefers the same answer to the same one, conflicts
    with one that prefers them the other way round, and conflicts with a plain example that
    teaches the answer it rejects; anything else is another pair for the same prompt, which
    preference data holds on purpose ("other": neither a duplicate nor a contradiction)."""
    if not (a.is_preference or b.is_preference):
        labelled = compare_labels(a, b) if a.answer() != b.answer() else None
        if labelled is not None:
            return labelled
        verdict, detail = compare_answers(a.answer(), b.answer(), lambda: _asked(a) | _asked(b))
        inverted = asked_the_other_way(a, b) if verdict in ("agree", "conflict") else None
        if inverted:
            # "Can I keep my number?" / "Do I lose my number?": a yes to one is a no to the other
            yes_a, yes_b = leading_polarity(words(a.answer())), leading_polarity(words(b.answer()))
            # a price answers whether something costs ("Is there a charge ...?" "$2 per visit.")
            priced_a = priced_polarity(_last_question(a), a.answer()) if yes_a is None else ""
            priced_b = priced_polarity(_last_question(b), b.answer()) if yes_b is None else ""
            yes_a = yes_a if not priced_a else priced_a == "yes"
            yes_b = yes_b if not priced_b else priced_b == "yes"
            if yes_a is not None and yes_b is not None:
                if yes_a != yes_b:
                    return "agree", f"a yes and a no to questions asked the other way round ({inverted})"
                if priced_a or priced_b:
                    price = PRICE_RE.search(a.answer() if priced_a else b.answer()).group().strip()
                    return (
                        "conflict",
                        f"one answer names a price (“{price}”), the other says "
                        f"{'yes' if (yes_b if priced_a else yes_a) else 'no'} to the question asked the other way round ({inverted})",
                    )
                return (
                    "conflict",
                    f"the same {'yes' if yes_a else 'no'} to questions asked the other way round ({inverted})",
                )
        if verdict == "conflict" and _follow_their_prompts(a, b):
            return "other", ""
        if verdict == "agree" and a.answer() != b.answer() and _swap_follows_prompts(a, b):
            return "other", ""
        if verdict == "agree" and a.is_chat and b.is_chat:
            turn = earlier_turn_conflict(a, b)
            if turn:
                return "conflict", turn
        return verdict, detail
    if a.is_preference and b.is_preference:
        if _same(a.output, b.output) and _same(a.rejected, b.rejected):
            return "agree", ""
        if _same(a.output, b.rejected) and _same(a.rejected, b.output):
            return (
                "conflict",
                "reversed preference (the answer chosen here is rejected there, and the other way round)",
            )
        return "other", ""
    if a.is_preference:
        if _same(b.answer(), a.rejected):
            return "conflict", "a preference against the answer taught (this pair rejects the other example's output)"
        return "other", ""
    if _same(a.answer(), b.rejected):
        return "conflict", "a preference against the answer taught (the other example's pair rejects this output)"
    return "other", ""


# Words that ask a yes-or-no question the other way round ("Is a replacement SIM free?" / "Do I
# have to pay for a replacement SIM?"), each side of a pair
ASKED_OPPOSITE = (
    ("keep keeps kept", "lose loses lost"),
    ("free", "pay paid charge charged cost costs fee fees extra"),
    ("allowed allow permitted ok okay fine", "forbidden forbid banned ban prohibited"),
    ("included include includes", "excluded exclude extra"),
    ("safe", "unsafe dangerous harmful"),
    ("open", "closed"),
    ("possible", "impossible"),
)
ASKED_OPPOSITE = tuple((frozenset(x.split()), frozenset(y.split())) for x, y in ASKED_OPPOSITE)


def asked_the_other_way(a, b):
    """ "x / y" when two yes-or-no questions (the last user turn of a chat) ask one thing the other
    way round: one says a word of a pair ("keep", "free") and the other its opposite ("lose",
    "pay"), or only one is negated; else ""."""
    qa, qb = _last_question(a), _last_question(b)
    if not qa or not qb:
        return ""
    wa, wb = set(words(qa)), set(words(qb))
    flips, said = 0, ""
    for one, other in ASKED_OPPOSITE:
        if (wa & one and wb & other and not wa & other and not wb & one) or (
            wa & other and wb & one and not wa & one and not wb & other
        ):
            flips += 1
            said = f"{'/'.join(sorted((wa | wb) & (one | other)))}"
    if _question_negated(qa) != _question_negated(qb):
        flips += 1
        said = said or "a question negated"
    return said if flips % 2 else ""


QUESTION_OPENING_RE = re.compile(
    r"(?:^|[.!?,;:]\s*|\s[-–—]\s*)((?:is|are|was|were|do|does|did|can|could|will|would|should|may|must|have|has)"
    r"(?:n't|n’t)?\b[^.!?]*)\?\s*$",
    re.IGNORECASE,
)


def _question_negated(question):
    """True when a yes-or-no question is asked negated in its own clause ("Can't I keep ...?", "Is it
    not free?"); a negation in a clause before it ("If I have nobody to watch them, can they come?")
    says nothing of the question."""
    m = QUESTION_OPENING_RE.search(question)
    said = list(words(m.group(1) if m else question))[:5]
    return bool(_negations(said))


def _last_question(record):
    """The question a yes or a no answers: the instruction, or a chat's last user turn, when it asks
    one (it ends with a question mark)."""
    if record.is_chat:
        asked = [str(m["content"] or "") for m in record.messages if m["role"] == "user"]
        text = asked[-1] if asked else ""
    else:
        text = record.instruction
    return text if text.rstrip().endswith("?") else ""


HOW_RE = re.compile(r"\bhow (\w+)", re.IGNORECASE)
POLAR_OPENING_RE = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|will|would|has|have|had|should|must)(?:n't|n’t)?\b", re.IGNORECASE
)


def asked_otherwise(a, b):
    """True when two questions ask for other things however alike their words: a yes or a no
    against a value ("Is the Moon moving away from Earth?" / "How far away is the Moon from
    Earth?"), another measure ("How far ...?" / "How big ...?", "What time ...?" / "How old
    ...?", "Where ...?" / "How many ...?"), or whether a thing is there against what of it ("Is
    there a minibar?" / "Is the minibar free?")."""
    qa, qb = _last_question(a), _last_question(b)
    if not qa or not qb:
        return False
    polar_a, polar_b = bool(POLAR_OPENING_RE.match(qa)), bool(POLAR_OPENING_RE.match(qb))
    how_a, how_b = HOW_RE.search(qa), HOW_RE.search(qb)
    if polar_a != polar_b and (how_a or how_b):
        return True
    exists_a, exists_b = bool(EXISTS_RE.match(qa)), bool(EXISTS_RE.match(qb))
    if polar_a and polar_b and exists_a != exists_b and not asked_the_other_way(a, b):
        return True  # "Is there a minibar?" / "Is the minibar free?": whether it is there, and what of it
    x, y = _measure(qa), _measure(qb)
    # a count is said of most measures ("How many days before ...?" / "When must I ...?"), of no
    # place or person ("Where can I find the sachets?" / "How many sachets are in a box?")
    if not (x and y) or x == y or {x, y} == {"long", "when"}:  # "How long before ...?" / "When ...?"
        return False
    return "count" not in (x, y) or bool({x, y} & {"place", "person", "method"})


# a question of whether something is there at all ("Is there a gym?", "Do you have parking?"), not
# of what it costs or charges ("Is there a fee for towels?" asks a price)
EXISTS_RE = re.compile(
    r"^\W*(?:(?:is|are)\s+there|(?:do|does)\s+(?:you|they|it|the\s+\w+)\s+(?:have|offer|provide|sell|stock))\s+"
    r"(?!(?:an?\s+|any\s+)?(?:extra\s+|additional\s+|separate\s+)?(?:charge|fee|cost|price|surcharge|deposit)s?\b)",
    re.IGNORECASE,
)
# what a question asks that is no "how" measure: a time or date, an age, a place, a person
ASKED_WHEN_RE = re.compile(
    r"^\W*when\b|\b(?:what|which)\s+(?:time|hour|day|date|year|month|weekday)\b|\bwhat\s+day\s+of\b", re.IGNORECASE
)
ASKED_AGE_RE = re.compile(r"\b(?:what|which)\s+(?:age|is\s+the\s+(?:minimum|maximum)\s+age)\b", re.IGNORECASE)
# "How do I get a PAC code?" asks for steps, "How long does it stay valid?" for a measure
ASKED_METHOD_RE = re.compile(
    r"^\W*how\s+(?:to|(?:do|does|can|could|should|would)\s+(?:i|we|you|one|they)\b)", re.IGNORECASE
)
ASKED_PLACE_RE = re.compile(r"^\W*where\b", re.IGNORECASE)
ASKED_PERSON_RE = re.compile(r"^\W*who\b", re.IGNORECASE)


def _measure(question):
    """What a question asks for: a "how" measure (HOW_MEASURES), "when", "age", "place" or
    "person", "method" (steps: "How do I ...?"), or "" when its words do not say ("What is ...?")."""
    if ASKED_METHOD_RE.search(question):
        return "method"
    how = HOW_RE.search(question)
    if how and how.group(1).lower() in HOW_MEASURES:
        return HOW_MEASURES[how.group(1).lower()]
    for measure, pattern in (
        ("age", ASKED_AGE_RE),
        ("when", ASKED_WHEN_RE),
        ("place", ASKED_PLACE_RE),
        ("person", ASKED_PERSON_RE),
    ):
        if pattern.search(question):
            return measure
    return ""


# "how" words that ask a measure, each of one only: "How far ...?" / "How big ...?" ask two things.
# "long" asks a time or a length, one measure apart from the others; "early", "soon" decide nothing.
HOW_MEASURES = {
    **dict.fromkeys("many much".split(), "count"),
    "far": "distance",
    **dict.fromkeys("big large huge wide".split(), "size"),
    **dict.fromkeys("tall high".split(), "height"),
    "heavy": "weight",
    "old": "age",
    "long": "long",  # a time or a length: against another measure still another thing
    **dict.fromkeys("hot cold warm".split(), "temperature"),
    **dict.fromkeys("fast quickly quick".split(), "speed"),
    **dict.fromkeys("often frequently".split(), "frequency"),
}


REWORDED_SHARE = 0.5  # content words two answers share, of all they say, to be one answer reworded
REWORDED_ORDER = 0.6  # and the share of their words in the same order
REWORDED_WORDS = 8


@lru_cache(maxsize=65536)
def reworded_view(text):
    """(content words, words, numbers, quotes) of a free-text answer of REWORDED_WORDS content
    words or more, else None (JSON, code, a short answer), kept for the answers a scan compares
    again and again."""
    if load_json(text) is not None or is_code(text):
        return None
    content = frozenset(_content_words(text))
    if len(content) < REWORDED_WORDS:
        return None
    # what one answer reworded keeps: its numbers and what it quotes ("no 'user_id' key" / "no
    # 'order_id' key" answer two errors)
    said = words(text)
    return content, said, frozenset(_numbers(text) | _spelled_numbers(said)), frozenset(QUOTED_RE.findall(text))


def reworded_answer(a, b):
    """reworded_alike, and the two answers agree (compare_records)."""
    return reworded_alike(a, b) and compare_records(a, b)[0] == "agree"


def reworded_alike(a, b):
    """True when two records' answers read as one free-text answer said a little otherwise: of
    lengths at most twice apart, both of REWORDED_WORDS content words or more, half of them shared,
    most words in the same order, the same numbers and quotes (whether they agree is
    reworded_answer's to say): "No more than 3 days in a row; using it longer causes rebound
    congestion." / "No more than 3 days in a row; longer use causes rebound congestion." Such
    answers vouch for their prompts asking one thing, as an identical answer does, though less."""
    if a.is_preference or b.is_preference:
        return False
    x, y = a.answer(), b.answer()
    if not x or not y or 2 * min(len(x), len(y)) < max(len(x), len(y)):
        return False  # one answer more than twice as long as the other says more than it reworded
    if labels_its_input(a) and labels_its_input(b):
        # a label and its reason, each following its own input ("Liability - insured's pet damaged
        # a third party's property" / "... tree damaged a third party's vehicle"): two texts labelled
        return False
    view_x, view_y = reworded_view(x), reworded_view(y)
    if view_x is None or view_y is None:
        return False
    (ca, wa, na, qa), (cb, wb, nb, qb) = view_x, view_y
    if na != nb or qa != qb or len(ca & cb) < REWORDED_SHARE * len(ca | cb):
        return False
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    return matcher.quick_ratio() >= REWORDED_ORDER and matcher.ratio() >= REWORDED_ORDER


def factual_conflict(a, b):
    """compare_answers' detail when two answers disagree on a fact (a value, a number, a unit, a
    yes or a no, a negation, a quote, a token of code or JSON), else "". Two answers that only say
    other things, which compare_answers calls a conflict of a final answer, are not one here
    ("Hello! How can I help?" / "Hi there, what can I do for you?"; "Which card?" / "Is it your
    debit card?" after one opening): what an assistant asks or says on the way is worded freely."""
    verdict, detail = compare_answers(a, b)
    if verdict != "conflict":
        return ""
    kind = answer_kind(a, b)
    if kind == "free text":
        return "" if detail.startswith(OTHER_CONTENT) else detail
    if kind == "short answer":
        wa, wb = words(a), words(b)
        numbers_a, numbers_b = _numbers(a) | _spelled_numbers(wa), _numbers(b) | _spelled_numbers(wb)
        shared = _content_words(a) & _content_words(b)  # "the savings account" / "the checking account"
        if not (shared or numbers_a != numbers_b or _polarity(wa) != _polarity(wb)):
            return ""  # "Hello!" / "Hi!"
    return detail


def earlier_turn_conflict(a, b):
    """For two chats that ask the same (their user turns match), what an assistant turn before the
    last says otherwise ("assistant turn 1 of 2: different numbers (3 vs 8)"), else "". Chats
    with another number of assistant turns are compared on their last answers only."""
    turns_a, turns_b = a.turn_answers(), b.turn_answers()
    if len(turns_a) != len(turns_b):
        return ""
    for k, (x, y) in enumerate(zip(turns_a[:-1], turns_b[:-1]), start=1):
        conflict = factual_conflict(x, y)
        if not conflict and _advises(x) and _advises(y):
            # two pieces of advice at one point of one conversation that say other things teach
            # two answers ("... the screen is failing; order a new one." / "Then it's software.
            # Update the display driver ..."); a question on the way is worded freely
            verdict, detail = compare_answers(x, y)
            conflict = detail if verdict == "conflict" else ""
        if conflict:
            return f"assistant turn {k} of {len(turns_a)}: {conflict}"
    return ""


ADVICE_MIN_WORDS = 8  # an assistant turn that advises says at least this much, and asks nothing


def _advises(turn):
    """True for an assistant turn that says something of substance rather than asking on the way
    ("Does it flicker on the startup screen too?") or greeting ("Hello! How can I help?")."""
    text = turn.strip()
    return len(words(text)) >= ADVICE_MIN_WORDS and "?" not in text


NEAR_ANSWER = 0.9  # token similarity from which two conflicting answers are one answer edited
ANSWER_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")  # 26.25 is one token
POLAR_WORDS = frozenset({"yes", "no", "not", "never"})
ONE_VALUE_TOKENS = 5  # an answer of at least this many tokens with one token replaced is one answer edited
OPERATOR_TOKEN_RE = re.compile(r"\w+|[^\w\s]+")


def edited_answer(a, b, prompt_words_a, prompt_words_b, replaced_only=False):
    """True when two records' answers conflict yet read as one answer with a small edit (the same
    query with COUNT(*) for COUNT(DISTINCT x), one JSON field changed), and what the edit changed
    is not something one prompt names and the other does not ('kitchen' / 'sports' in the query
    when the prompts ask about kitchen and sports items). Such a pair is evidence that its
    prompts ask the same thing, said in other words, with one of the answers wrong.
    `replaced_only`: the edit only replaces (a value, an operator), adding and removing nothing;
    an answer that does one step more (`next(reader)` to skip a header) answers a prompt that
    asks for more."""
    if a.is_preference or b.is_preference:
        return False
    answer_a, answer_b = a.answer(), b.answer()
    na, nb = normalize(answer_a), normalize(answer_b)
    if not na or not nb or na == nb or 2 * min(len(na), len(nb)) < NEAR_ANSWER * (len(na) + len(nb)):
        return False  # the lengths alone rule most pairs out
    # Words one prompt says more often than the other: "city" in a question over a schema that
    # lists city too ("Return their signup_date and city" / "... signup_date and email"). An answer
    # that says what its own prompt says more follows its prompt; one that says what the other
    # prompt says more does not, and then the two disagree on one request ("Can you refund one of
    # them?" answered with close_ticket, "I'd like the extra payment returned" with refund_...).
    # Tested first: it rules out a template's siblings (the query for 'France' / for 'Spain'),
    # most of the pairs a big scan asks about, for a fraction of what the token diff costs.
    said_a, said_b = _answer_words(answer_a), _answer_words(answer_b)
    only_a, only_b = said_a - said_b, said_b - said_a
    pa, pb = Counter(prompt_words_a), Counter(prompt_words_b)
    follows = any(pa[w] > pb[w] for w in only_a) or any(pb[w] > pa[w] for w in only_b)
    crossed = any(pb[w] > pa[w] for w in only_a) or any(pa[w] > pb[w] for w in only_b)
    if follows and not crossed:
        return False
    # compared token by token: a character diff of long answers took seconds in a big scan
    # a yes turned into a no, with a "not" added, is one edit: the answer flipped, not extended
    tokens_a, tokens_b = _answer_tokens(na), _answer_tokens(nb)
    matcher = difflib.SequenceMatcher(None, tokens_a, tokens_b, autojunk=False)
    if (
        matcher.real_quick_ratio() < NEAR_ANSWER or matcher.quick_ratio() < NEAR_ANSWER or matcher.ratio() < NEAR_ANSWER
    ) and not _one_value_replaced(matcher, tokens_a, tokens_b):
        return False
    if compare_answers(answer_a, answer_b)[0] != "conflict":
        return False
    if replaced_only:  # operators read whole here: ">" / ">=" is one replaced token
        ta = [t for t in OPERATOR_TOKEN_RE.findall(na) if t not in POLAR_WORDS]
        tb = [t for t in OPERATOR_TOKEN_RE.findall(nb) if t not in POLAR_WORDS]
        opcodes = difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()
        if any(op in ("insert", "delete") for op, *_ in opcodes):
            return False
    return True


@lru_cache(maxsize=65536)
def _answer_tokens(normalized):
    """A normalized answer's tokens (ANSWER_TOKEN_RE), yes/no words left out (a tuple: cached, as
    a big scan asks about one answer against many)."""
    return tuple(t for t in ANSWER_TOKEN_RE.findall(normalized) if t not in POLAR_WORDS)


@lru_cache(maxsize=65536)
def _answer_words(text):
    """An answer's words of more than one letter and its numbers, with the parts of its identifiers (pick_prices;
    "review_overcharge" / "ask_for_details" says no "for")."""
    said = {w for w in words(text) if len(w) > 1 or w.isdigit()}
    return frozenset(
        said | {part for w in said if "_" in w for part in w.split("_") if len(part) > 1 and part not in STOPWORDS}
    )


def _one_value_replaced(matcher, tokens_a, tokens_b):
    """True when a short answer differs from the other in one token only, replaced ("8 metres is
    about 26.25 feet." / "... 28.87 feet."): one edit, however large a share of a short answer."""
    if min(len(tokens_a), len(tokens_b)) < ONE_VALUE_TOKENS or len(tokens_a) != len(tokens_b):
        return False
    changed = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    return len(changed) == 1 and changed[0][0] == "replace" and changed[0][2] - changed[0][1] == 1


NEGATING_TOKENS = NEGATIONS | {"<>", "!=", "!", "false", "true", "except", "exclude", "excluding"}


# values that say the opposite of each other, compared by the parts of an identifier
OPPOSITES = {
    frozenset(pair.split())
    for pair in (
        "enable disable",
        "enabled disabled",
        "on off",
        "yes no",
        "allow deny",
        "allowed denied",
        "accept reject",
        "include exclude",
        "opt_in opt_out",
        "in out",
        "start stop",
        "add remove",
        "activate deactivate",
        "subscribe unsubscribe",
        "lock unlock",
    )
}
NEGATING_PREFIXES = ("un", "dis", "de", "non")


def _opposite(x, y):
    """Two words that say the opposite of each other: a known pair, or one the other with a
    negating prefix ("unlock", "disallow", "deactivate", "nonstop")."""
    return (
        frozenset((x, y)) in OPPOSITES
        or any(len(x) > 2 and (y == p + x or y == p + "_" + x) for p in NEGATING_PREFIXES)
        or any(len(y) > 2 and (x == p + y or x == p + "_" + y) for p in NEGATING_PREFIXES)
    )


# a regular expression's classes and lookarounds and their negations
REGEX_NEGATIONS = (("\\d", "\\D"), ("\\w", "\\W"), ("\\s", "\\S"), ("(?=", "(?!"), ("(?<=", "(?<!"))


def negating_edit(a, b):
    """True when what differs between two records' answers says yes or no (`=` / `<>`, `true` /
    `false`, a "not", "enable_auto_renew" / "disable_auto_renew", `\\d` / `\\D`): answers that differ so follow a
    prompt that is negated, however alike the rest ("orders with the status 'cancelled'" /
    "orders not marked as 'cancelled'"; "I do not want it to auto-renew" / "Please renew it
    automatically")."""
    text_a, text_b = a.answer(), b.answer()
    for said, negated in REGEX_NEGATIONS:  # `^\d+$` / `^\D*$`: "only digits" / "no digit"
        if (text_a.count(said) - text_b.count(said)) * (text_a.count(negated) - text_b.count(negated)) < 0:
            return True
    ta = Counter(OPERATOR_TOKEN_RE.findall(normalize(text_a)))
    tb = Counter(OPERATOR_TOKEN_RE.findall(normalize(text_b)))
    only_a, only_b = ta - tb, tb - ta
    if any(t in NEGATING_TOKENS for t in only_a + only_b):
        return True
    parts_a = {p for t in only_a for p in [t, *t.split("_")] if p}
    parts_b = {p for t in only_b for p in [t, *t.split("_")] if p}
    return any(_opposite(x, y) for x in parts_a - parts_b for y in parts_b - parts_a)


ECHOED_WORDS = 2  # words from the prompts both answers repeat, for answers one edit apart to vouch from further off


def answers_echo_prompts(a, b, main_a, main_b):
    """True when the two records' answers both repeat at least ECHOED_WORDS content words that both
    prompts' main parts (main_a, main_b: prompt_match.main_and_side) say (the product, the plan, the order number, the table, the city): what
    they agree on is this request's, not a label set's ("sentiment", "aspect") that every answer
    of the dataset shares and a shared instruction names."""
    # an identifier counts with its parts, in the prompts as in the answers ("the wait_time column")
    shared = _answer_words(a.answer()) & _answer_words(b.answer()) & _answer_words(main_a) & _answer_words(main_b)
    return len(shared - STOPWORDS) >= ECHOED_WORDS
