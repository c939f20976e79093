"""The slots of a prompt: the parts that make it a different question when they change (plain
Python).

Two prompts can read almost alike and still ask different things: another number or year, another
name, another quoted literal, a negation, a comparative ("more than" / "less than"), or the same
names in another direction ("from Paris to Rome" / "from Rome to Paris"). Sentence embeddings
cannot see this (another year scores 0.94 against its original, a true paraphrase 0.88), so every
candidate pair found by similarity passes this guard too.
"""

import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from curation.core.prompt_comparison import is_typo
from curation.core.wordlists import COURTESY, FILLER, NAME_ALIASES, NEGATIONS, REQUEST_VERBS, STOPWORDS

QUOTED_RE = re.compile(r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|`([^`\n]{1,200})`|(?<!\w)'([^'\n]{1,200})'(?!\w)")
NUMBER_RE = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:/]\d+)*%?")
THOUSANDS_RE = re.compile(r"(?<=\d)[,\u202f\u00a0'](?=\d{3}(?!\d))")
TOKEN_RE = re.compile(r"[\w'’-]+|\n|[^\w\s]")
SENTENCE_END = frozenset(".!?:;\n")
NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero - two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
    if w != "-"  # "one" is more often a pronoun ("which one") than a number
} | {"twice": "2", "thrice": "3"}  # "charged twice" = "charged two times" (not "double": "Double billing!!")
NUMBER_WORDS |= {
    w: str(n) for n, w in zip(range(30, 100, 10), "thirty forty fifty sixty seventy eighty ninety".split())
}
NUMBER_WORDS["dozen"] = "12"
NUMBER_WORD_RE = re.compile(
    # "two weeks" and "a two-week trip" name the same number
    r"(?<![\w'’-])(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?![\w'’]|-\d)",
    re.IGNORECASE,
)

# Words that turn a question around: comparatives, superlatives, order and direction.
COMPARATIVES = frozenset(
    """more less fewer greater higher lower larger smaller bigger longer shorter older newer younger
    cheaper pricier faster slower earlier later better worse most least highest lowest largest smallest
    biggest longest shortest oldest newest youngest cheapest fastest slowest earliest latest best worst taller tallest
    above below exceeding exceeds ascending descending asc desc increase increasing decrease decreasing
    maximum minimum max min top bottom first last final within outside inside""".split()
)
# Words that make the same comparison count as one ("more than 375" = "higher than 375", "later
# than 2021" = "after 2021"), so a paraphrase keeps its slots; opposites stay apart.
COMPARATIVE_CLASS = {
    **dict.fromkeys("more greater higher larger bigger above exceeding exceeds longer pricier taller".split(), "more"),
    **dict.fromkeys("less fewer lower smaller below shorter cheaper within".split(), "less"),
    **dict.fromkeys("most highest largest biggest maximum max top longest priciest tallest".split(), "most"),
    **dict.fromkeys("least fewest lowest smallest minimum min bottom shortest cheapest".split(), "least"),
    "later": "after",
    "latest": "latest",
    "newest": "latest",
    "earlier": "before",
    "final": "last",
}
# "the top 10 lines" are the first 10 lines of a file, "the bottom 5 rows" its last 5 rows
POSITIONED = frozenset("line lines row rows record records entry entries byte bytes character characters".split())
TOP_BOTTOM = {"top": "first", "bottom": "last"}


def _position(tokens, n, word):
    """ "first" / "last" for "top" / "bottom" before a number and lines or rows (an order in a file,
    not a ranking: "the top 10 customers by revenue" stays a superlative), else None."""
    if word not in TOP_BOTTOM or n + 2 >= len(tokens):
        return None
    count, what = tokens[n + 1], fold(tokens[n + 2])
    if (count[:1].isdigit() or fold(count) in NUMBER_WORDS) and what in POSITIONED:
        return TOP_BOTTOM[word]
    return None


# Comparisons in time count only before a date or a number ("after 2020", not "after tax").
TEMPORAL = frozenset("before after since until".split())
# Words after which a word's role depends on the order ("from A to B" is not "from B to A";
# "2 gallons in litres" is not "2 litres in gallons").
# "what sets a virus apart from a bacterium", "how is X different from Y": a difference reads both ways
SETTING_APART = frozenset("apart different differ differs differently distinct".split())
DIRECTED = frozenset("from to into than in before after minus per vs versus against not".split())
# "my last invoice", "your first release": which one of someone's things, not an order asked for
# ("the last 5 orders" / "the first 5 orders" stay apart)
OWNED_ORDER = frozenset("last first latest newest oldest earliest".split())
POSSESSIVES = frozenset("my your our his her their its".split())
UNIT_MARKER = " (its unit)"  # a role: the word after a number ("8 metres")
YEAR_RE = re.compile(r"(?:1[89]|20)\d\d$")
DURATIONS = frozenset("minute minutes hour hours day days week weeks month months year years".split())
# Units of measure, each under one name: a request about cups is not one about pints
UNIT_NAMES = {
    form: group.split()[0]
    for group in """cup cups | pint pints | quart quarts | gallon gallons | tablespoon tablespoons tbsp tbs |
    teaspoon teaspoons tsp | ounce ounces oz | pound pounds lb lbs | gram grams g | kilogram kilograms kg kilo kilos |
    millilitre millilitres milliliter milliliters ml | litre litres liter liters | inch inches | foot feet ft |
    yard yards | mile miles | metre metres meter meters | centimetre centimetres centimeter centimeters cm |
    kilometre kilometres kilometer kilometers km | celsius | fahrenheit | kelvin |
    dollar dollars usd | euro euros eur | yen jpy | rupee rupees inr""".split("|")
    for form in group.split()
}
UNIT_NAMES["gbp"] = "pound"  # money said as its code: "GBP 45" is "£45" is "45 pounds"
CURRENCY_SIGNS = {"$": "dollar", "£": "pound", "€": "euro", "¥": "yen", "₹": "rupee"}
FITTING = frozenset("fit fits describe describes match matches suit suits capture captures reflect reflects".split())
OVER_UNDER = {"over": "more", "under": "less"}  # comparisons only before a number
SWITCHING = frozenset("turn turns turning switch switches switching toggle power set".split())  # ... on / off
ARTICLES = frozenset("a an the".split())
COORDINATING = frozenset({"and", "or"})
SIGN_OFFS = frozenset("best cheers regards thanks thank thx sincerely yours".split())
ARROWS = frozenset("→⇒⟶")
SAME_MARKER = {"into": "to", "vs": "versus", "against": "versus"}
# Words that open a message or a line (not any sentence) before its first sentence ("Hi team,", "Hello -", "Dear support,"),
# and the marks that end such a greeting: the word after it starts a sentence, its capital no name.
GREETINGS = frozenset(
    "hi hello hey dear good morning afternoon evening team all there everyone folks support greetings".split()
)
GREETING_END = frozenset(",-–—:!")
# A word a person capitalises only for a name: never a slot on its own.
COMMON_CAPITALISED = frozenset(
    "i i'm i've i'd i'll ok okay please hi hello hey thanks thank dear cheers regards best bye thx ty yours".split()
)


def fold(text):
    """Lower case without accents ("Chloé" = "chloe")."""
    if text.isascii():  # nothing to decompose: 30x faster, and most words of most sets are ASCII
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass(frozen=True)
class Slots:
    numbers: Counter
    quoted: frozenset
    names: frozenset  # folded
    negated: bool
    comparatives: frozenset
    roles: frozenset  # (directed word, the word after it) pairs: "from paris", "to litres"
    words: frozenset  # every folded word, for matching names that one side does not capitalise
    literals: frozenset = frozenset()  # patterns written out: "DD/MM/YYYY", "HH:MM", genotypes "Aa" (literal_slots)
    # words that tell two requests apart only against their opposite, which a rewording may leave
    # out: "first" / "last" before a verb ("first published", "last updated": when it happened),
    # "up" / "down" ("marked up by 30%" / "marked down by 30%", "round up" / "round down")
    opposable: frozenset = frozenset()
    units: frozenset = frozenset()  # units of measure named ("a US cup" / "a US pint"), each under one name
    by_initial: dict = field(default=None, compare=False, hash=False)  # first letter -> words (for _has_word)
    folded: str = field(default="", compare=False, hash=False)  # the whole text folded (for _quotes_said)


def _number(text):
    if ":" in text:  # a time of day: "02:30" is "2:30"
        hours, _, minutes = text.partition(":")
        if hours.isdigit() and len(hours) == 2 and len(minutes) == 2 and minutes.isdigit():
            return f"{int(hours)}:{minutes}"
    text = THOUSANDS_RE.sub("", text).replace(",", ".")
    return text.rstrip(".%").lstrip("+")  # 5% and "5 percent" are one number


# "five numbers: 3, 23, 29, 38, 72": a count among the words just before a colon, and the list after it
COUNTED_LIST_RE = re.compile(r"(?<![\w-])((?:[\w-]{1,30}\s{1,3}){1,3}[\w-]{1,30})\s?:\s?([^\n:;?!]{1,500})")
COUNTED_LIST_MOST = 5000  # characters: longer texts are no short request with a list
LIST_SEPARATOR_RE = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


MULTIPLIERS = {"hundred": 100, "thousand": 1000}
MULTIPLIED_RE = re.compile(r"(?<![\w'’.-])(\d+|" + "|".join(NUMBER_WORDS) + r")\s+(hundred|thousand)\b", re.IGNORECASE)


TENS_UNITS_RE = re.compile(
    r"(?<![\w'’-])(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE,
)
ROMAN_RE = re.compile(r"\b([A-Z][a-z]+) (X{0,3}(?:IX|IV|VI{0,3}|I{1,3})|X{1,3})\b")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _roman(numeral):
    values = [ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < w else v for v, w in zip(values, values[1:] + [0]))


WORLD_WAR_RE = re.compile(r"\b(First|Second)\s+World\s+War\b|\bWW(II|I)\b", re.IGNORECASE)
WW_RE = re.compile(r"\bWW(II|I|2|1)\b")
WW_NUMERALS = {"II": "II", "I": "I", "2": "II", "1": "I"}
WORLD_WARS = {"first": "1", "second": "2", "i": "1", "ii": "2"}
ROMAN_NAMES = frozenset("ii iii iv vi vii viii ix xi xii".split())  # numerals, named by number_slots when after a name
NAME_BEFORE_RE = re.compile(r"\b([A-Z][a-z]+) $")


def _numeral_i(text, m):
    """True when the "I" after a capitalised word is a numeral: after a name of two words ("World
    War I", "Queen Elizabeth I") or before a mark ("Type I?"); not a pronoun ("Notes I write").
    """
    after = text[m.end() : m.end() + 1]
    if not after or after in ".,;:!?)":
        return True
    before = NAME_BEFORE_RE.search(text[: m.start()])
    return before is not None and fold(before.group(1)) not in GREETINGS


FRACTION_WORDS = {"half": "0.5", "quarter": "0.25"}
FRACTION_UNIT_RE = re.compile(
    r"\b(half|quarter)\s+(?:an?\s+)?(?:cups?|tablespoons?|teaspoons?|pounds?|ounces?|litres?|liters?|pints?"
    r"|gallons?|hours?|teaspoon|inch|inches|miles?|kilos?|kilograms?|grams?)\b",
    re.IGNORECASE,
)
ONE_UNIT_RE = re.compile(
    r"(?<![\w.,])1[\s-]*(?:minute|hour|day|week|month|year|second|cup|tablespoon|teaspoon|ounce|pound|gram|kilogram|litre|liter"
    r"|millilitre|milliliter|inch|foot|yard|mile|metre|meter|centimetre|kilometre"
    r"|kg|ml|km|cm|mm|lb|lbs|oz|tbsp|tsp|hr|hrs|min|mins|sec|ft)\b",
    re.IGNORECASE,
)
RATE_ONE_RE = re.compile(r"(?<![\w.,])1\s*(?:[A-Za-z]{1,4}\.?|[$€£¥])\s*=")  # "1 EUR = 0.85 GBP": one unit of a rate


SECONDS = {"ms": 1e-3, "millisecond": 1e-3, "s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60}
SECONDS |= {"h": 3600, "hr": 3600, "hour": 3600}
DURATION_HINT_RE = re.compile(r"\d\s*(?:ms|s|h)\b|(?:second|minute|hour|\bmin|\bsec|\bhr)", re.IGNORECASE)
DURATION_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r"|half)(?:\s+an?)?[\s-]*([a-z]{1,12})\b",
    re.IGNORECASE,
)
TIME_UNITS = ("millisecond", "second", "minute", "hour")


def _time_unit(word):
    """The SECONDS key of a unit of time as written ("mins", "120s", "minuutes"), or ""."""
    unit = word.rstrip("s") if len(word) > 2 else word
    if unit in SECONDS:
        return unit
    if word == "s":
        return "s"
    if len(word) >= 5:  # a slip: "minuutes", "secnods"
        return next((u for u in TIME_UNITS if is_typo(unit, u) or is_typo(word, u + "s")), "")
    return ""


MONTH_NAMES = "january february march april may june july august september october november december".split()
MONTHS = {name[:3]: f"month {k}" for k, name in enumerate(MONTH_NAMES, 1)}
MONTH_RE = re.compile(
    r"\b(" + "|".join(MONTH_NAMES) + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?(?![\w'’-])", re.IGNORECASE
)
MONTH_HINT_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
UNAMBIGUOUS_MONTHS = frozenset("january february april june july september october november december".split())


def _a_month(m, text):
    """True when a month's name is one: a name no other word has ("January"), or one beside a
    number ("may 2018", "5 Mar", "March 3rd"; "you may", "march on", "in August company" are not)."""
    if m.group(1).lower() in UNAMBIGUOUS_MONTHS:
        return True
    before, after = text[max(0, m.start() - 6) : m.start()], text[m.end() : m.end() + 6]
    return bool(re.search(r"\d\s*(?:of\s+)?$", before) or re.match(r"\s*\d", after))


def number_slots(text):
    """The numbers a text names, in digits or in words ("three" = "3"), as a Counter: two regular
    expressions, so that the scan can compare every candidate pair's numbers first. A count that
    only says how long the list after it is ("five numbers: 3, 23, 29, 38, 72") is no number of
    its own: the list says it. (A new Counter each time: one text is read again for every pair
    it is in.)"""
    if len(text) > CACHED_TEXT_MOST:
        return _count_numbers(text)
    return Counter(dict(_number_slots(text)))


CACHED_TEXT_MOST = 2000  # characters: longer texts are worked out each time, not kept in a cache


@lru_cache(maxsize=1 << 15)
def _number_slots(text):
    return tuple(_count_numbers(text).items())


def _count_numbers(text):
    numbers = Counter(_number(m.group()) for m in NUMBER_RE.finditer(text))
    numbers.update(NUMBER_WORDS[m.group().lower()] for m in NUMBER_WORD_RE.finditer(text))
    if "hundred" in text or "thousand" in text:
        for m in MULTIPLIED_RE.finditer(text):  # "five hundred dollars" is $500
            base = NUMBER_WORDS.get(m.group(1).lower()) or _number(m.group(1))
            if base.isdigit() and numbers[base]:
                numbers[base] -= 1
                numbers[str(int(base) * MULTIPLIERS[m.group(2).lower()])] += 1
        numbers = +numbers
    if "ty" in text or "TY" in text or "Ty" in text:  # the tens all end so: twenty ... ninety
        for m in TENS_UNITS_RE.finditer(text):  # "ninety-five theses" are 95, "twenty one" 21
            tens, units = NUMBER_WORDS[m.group(1).lower()], NUMBER_WORDS.get(m.group(2).lower(), "1")
            for part in (tens, units):
                if numbers[part]:
                    numbers[part] -= 1
            numbers[str(int(tens) + int(units))] += 1
        numbers = +numbers
    for m in ROMAN_RE.finditer(text) if " I" in text or " V" in text or " X" in text else ():
        # "World War II", "Nicholas II", "Henry VIII": a numeral after a name, not a sentence's
        # first word ("Can I ...")
        if m.group(2) != "I" or _numeral_i(text, m):
            numbers[str(_roman(m.group(2)))] += 1
    if "orld" in text or "WW" in text:  # the Second World War is World War II, WWII
        numbers.update(WORLD_WARS[(m.group(1) or m.group(2)).lower()] for m in WORLD_WAR_RE.finditer(text))
    # "a quarter cup", "half a cup" is not "a cup" (a "half-life" or "the first quarter" names no amount)
    numbers.update(FRACTION_WORDS[m.group(1).lower()] for m in FRACTION_UNIT_RE.finditer(text))
    if numbers["1"]:
        # "1 minute per 100 g" names the unit as "one minute" and "a minute" do: no number of its own
        numbers["1"] -= len(ONE_UNIT_RE.findall(text))
        numbers = +numbers
    if "=" in text and numbers["1"]:
        # "at 1 EUR = 0.85 GBP" names the rate 0.85, as "at 0.85 pounds per euro" does
        numbers["1"] -= len(RATE_ONE_RE.findall(text))
        numbers = +numbers
    if MONTH_HINT_RE.search(text):  # "in May 2018" / "in January 2018" ask about two months
        numbers.update(MONTHS[m.group(1).lower()[:3]] for m in MONTH_RE.finditer(text) if _a_month(m, text))
    if DURATION_HINT_RE.search(text):
        # a time said in another unit is the same time: "giving up after two minutes" / "a 120
        # second timeout", "1.5 hours" / "90 minutes", "500 ms" / "half a second"
        for m in DURATION_RE.finditer(text):
            said, unit = m.group(1).lower(), _time_unit(m.group(2).lower())
            number = FRACTION_WORDS.get(said) or NUMBER_WORDS.get(said) or _number(said)
            if unit and numbers[number] and number.replace(".", "", 1).isdigit():
                seconds = float(number) * SECONDS[unit]
                numbers[number] -= 1
                numbers[f"{seconds:g}"] += 1
        numbers = +numbers
    if ":" in text and len(text) <= COUNTED_LIST_MOST:
        for m in COUNTED_LIST_RE.finditer(text):
            before = m.group(1).split()[-3:-1]  # "are five numbers": the count comes before the noun
            counts = [NUMBER_WORDS.get(w.lower(), w) for w in before if w.isdigit() or w.lower() in NUMBER_WORDS]
            items = [item for item in LIST_SEPARATOR_RE.split(re.split(r"\.(?:\s|$)", m.group(2))[0].strip()) if item]
            count = counts[-1] if counts else ""
            if count.isdigit() and int(count) >= 2 and len(items) == int(count) and numbers[count]:
                numbers[count] -= 1
                if not numbers[count]:
                    del numbers[count]
    return numbers


def number_key(text):
    """A stable 64-bit key of number_slots(text) (0 for a text without numbers)."""
    numbers = number_slots(text)
    if not numbers:
        return 0
    canonical = "\x00".join(f"{k}\x01{v}" for k, v in sorted(numbers.items()))
    digest = hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1


# A pattern spelled in placeholder letters ("DD/MM/YYYY", "hh:mm", "YYYY-MM-DD"): each part one
# letter said once or more, one part at least twice ("e.g.", "n/a", "km/h" are no pattern).
PLACEHOLDER_RE = re.compile(r"(?<![\w/.:-])([A-Za-z])\1*(?:[/.:-]([A-Za-z])\2*){1,4}(?![\w/:-]|\.\w)")
# A genotype: pairs of one letter whose case tells the alleles apart ("Aa", "AaBb", "aa").
GENOTYPE_RE = re.compile(r"(?<![\w'’-])(?:([A-Za-z])(?i:\1)){1,3}(?![\w'’-])")


def literal_slots(text):
    """The patterns a text writes out, each a request of its own ("dates like DD/MM/YYYY" /
    "... DD.MM.YYYY"; "an Aa x Aa cross" / "an Aa x aa cross"): placeholder patterns in any case
    (a casing slip keeps the pattern), genotypes in their case, and only in a text with a genotype
    of mixed case ("AA batteries" alone is a name)."""
    found = set()
    if "/" in text or ":" in text or "." in text or "-" in text:
        for m in PLACEHOLDER_RE.finditer(text):
            parts = re.split(r"[/.:-]", m.group())
            if any(len(p) >= 2 for p in parts):
                found.add(m.group().lower())
    genotypes = [m.group() for m in GENOTYPE_RE.finditer(text)]
    if any(not g.islower() and not g.isupper() for g in genotypes):
        found.update(f"genotype {g}" for g in genotypes)
    return frozenset(found)


DEGREES_RE = re.compile(r"\s?°\s?([CFK])\b")
DEGREE_SCALES = {"C": "Celsius", "F": "Fahrenheit", "K": "Kelvin"}


def slots_of(text):
    """The slots of one text."""
    if "°" in text:  # "100 °F" names the scale "100 degrees Fahrenheit" names, not a name "F"
        text = DEGREES_RE.sub(lambda m: f" degrees {DEGREE_SCALES[m.group(1)]}", text)
    if "WW" in text:  # "WWII" is "World War II"
        text = WW_RE.sub(lambda m: "World War " + WW_NUMERALS[m.group(1)], text)
    quoted = frozenset(
        fold(" ".join(next(g for g in m.groups() if g).split())).rstrip(".,;:!? ")  # 'the essence.' = 'the essence'
        for m in QUOTED_RE.finditer(text)
    )
    numbers = number_slots(text)
    tokens = TOKEN_RE.findall(text)
    names, comparatives, roles, folded_words, opposable = set(), set(), set(), set(), set()
    owned = False  # the word before was a possessive ("my", "their")
    negated = False
    start = True  # at the start of a sentence a capital letter says nothing
    greeting = True  # only greeting words so far in this sentence ("Hi team", "Good morning")
    previous = directed = ""  # directed: the marker whose object (or list of objects) this is
    before = ""  # the word before previous
    last = max((n for n, t in enumerate(tokens) if t[0].isalnum()), default=-1)
    for n, token in enumerate(tokens):
        if token in SENTENCE_END or token == "\n":
            start = True
            greeting = token == "\n"  # only a line's opening words can be a greeting, not a sentence's
            previous = directed = before = ""
            continue
        if token in GREETING_END and greeting and not start:
            start = True  # "Hi team, Plan change request": the greeting ends, a sentence starts
            continue
        if token in ARROWS or (token == ">" and n and tokens[n - 1] in ("-", "=")):
            previous = "to"  # "Starter -> Pro": the word after the arrow is where it goes
            continue
        if not (token[0].isalnum() or token[0] == "_"):
            continue
        word = fold(token)
        folded_words.add(word)
        if (word in NEGATIONS or word.endswith(("n't", "n’t")) or _free_of(tokens, n, word)) and previous != "or":
            negated = True  # "... a leap year or not?", "whether or not" ask both ways
        if (
            word in COMPARATIVES
            and not (word == "best" and _sign_off(tokens, n))
            # "the recipe below", "the text above:": where it is, no comparison
            and not (word in ("above", "below") and _placed(tokens, n))
            # "the label that best fits": the one that fits, no ranking asked for
            and not (word == "best" and n + 1 < len(tokens) and fold(tokens[n + 1]) in FITTING)
            # "which category fits this product best": the one that fits
            and not (word == "best" and any(fold(t) in FITTING for t in tokens[max(0, n - 4) : n]))
            and not (word == "min" and n and tokens[n - 1][0].isdigit())  # "175 min": minutes
            and not (word in OWNED_ORDER and (previous in POSSESSIVES or owned))  # "my last invoice": the latest one
            and not (
                word in ("first", "last") and n + 1 < len(tokens) and _no_order(fold(tokens[n + 1]), word, opposable)
            )
        ):  # "baking it for the first time", "when was it first published": no order asked for
            if word in ("most", "least") and n + 1 < len(tokens) and fold(tokens[n + 1]) in ("recent", "recently"):
                word = "latest" if word == "most" else "earliest"  # "the 10 most recent orders" are the latest
            comparatives.add(_position(tokens, n, word) or COMPARATIVE_CLASS.get(word, word))
        if word in ("up", "down"):
            opposable.add(word)
        elif PHRASAL_RE.match(word):  # "check-in" / "check-out", "log on" / "log off"
            opposable.add(PHRASAL_RE.match(word).group(1))
        elif word in PARTICLES and previous in PHRASAL_VERBS:
            opposable.add(word)
        elif word in OPPOSED_VERBS:
            opposable.add(OPPOSED_VERBS[word])  # "append to ~/.bashrc" / "overwrite ~/.bashrc"
        if (
            previous in TEMPORAL
            and not owned  # "before my A1C test" names no time
            and (token[0].isdigit() or (token[0].isupper() and word not in COMMON_CAPITALISED))
        ):
            if token[0].isdigit() and (
                (n + 1 < len(tokens) and fold(tokens[n + 1]) in DURATIONS)
                or word.partition("-")[2] in DURATIONS  # "before a 2-week trip": how long the trip is
            ):
                # "after 10 years of saving" / "for 10 years": how long, which a rewording may say
                # otherwise; "after 30 days" / "within 30 days" still differ
                opposable.add(COMPARATIVE_CLASS.get(previous, previous))
            else:
                comparatives.add(COMPARATIVE_CLASS.get(previous, previous))
        if previous in OVER_UNDER and token[0].isdigit():  # "over 13 days" / "under 13 days"
            if (
                previous == "over"
                and n + 1 < len(tokens)
                and fold(tokens[n + 1]) in DURATIONS
                and (n + 2 >= len(tokens) or fold(tokens[n + 2]) != "ago")
            ):
                # "over 48 months": across them, as "for 48 months" says ("over 39 days ago": more)
                opposable.add("more")
            else:
                comparatives.add(OVER_UNDER[previous])
        if word == "off" and previous in SWITCHING:  # "turn off" / "turn on" ("turn on my birthday": an age)
            comparatives.add(word)
        is_name = (
            # a capital mid-sentence, or on the text's last word: a sign-off ("... - Ines", "\n\nPavel")
            (
                (not start or (n == last and word not in STOPWORDS and word not in ASKING_WORDS))
                and token[0].isupper()
                and word not in COMMON_CAPITALISED
            )
            or (len(token) > 1 and token.isupper() and token.isalpha())  # acronyms: NASA, EU
            or (
                "_" in token or any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)
            )  # snake_case, camelCase
            # the word after a sign-off, in any case: "best, ahmed"
            or (n >= 2 and tokens[n - 1] == "," and fold(tokens[n - 2]) in SIGN_OFFS and token.isalpha())
        )
        following = fold(tokens[n + 1]) if n + 1 < len(tokens) else ""
        if is_name and (word in ROMAN_NAMES or (word in WORLD_WARS and following == "world")):
            is_name = not numbers  # "World War II", "the Second World War": a number names it (number_slots)
        if is_name and not token.isdigit():
            name = _possessive(_hyphened_name(token, word))
            name = NAME_ALIASES.get(name, name)
            names.add(name)
            folded_words.add(name)
        if (
            previous in DIRECTED
            and word not in ARTICLES
            and word not in POSSESSIVES  # "before my surgery": the surgery, as in "before surgery"
            and not (previous == "from" and before in SETTING_APART)
        ):
            directed = SAME_MARKER.get(previous, previous)
            if directed == "in" and word[0].isdigit():
                # "feet in 8 metres" names the quantity converted, as "8 metres in feet" does
                # before its "in": another role than the unit after "in" ("2 gallons in litres")
                directed = "in (a quantity)"
            roles.add((directed, word))
        elif directed and previous in COORDINATING and word not in ARTICLES:
            roles.add((directed, word))  # "in january and july": the marker covers both
        elif word not in ARTICLES and word not in COORDINATING:
            directed = ""
        if (
            previous
            and previous[0].isdigit()
            and word.isalpha()
            and word not in STOPWORDS
            and not YEAR_RE.match(previous)
        ):
            # "8 metres in feet" / "8 feet in metres"; a year has no unit ("2023 orders" / "2023 customers")
            roles.add((f"{previous}{UNIT_MARKER}", word))
        owned = word in POSSESSIVES
        if word not in ARTICLES and not (owned and previous in DIRECTED):
            before, previous = previous, word
        start = False
        greeting = greeting and word in GREETINGS
    return Slots(
        numbers=numbers,
        quoted=quoted,
        names=frozenset(names),
        negated=negated,
        comparatives=frozenset(comparatives),
        opposable=frozenset(opposable),
        units=frozenset(UNIT_NAMES[w] for w in folded_words if w in UNIT_NAMES)
        | frozenset(CURRENCY_SIGNS[c] for c in CURRENCY_SIGNS if c in text),
        roles=frozenset(roles),
        words=frozenset(folded_words),
        literals=literal_slots(text),
        by_initial=_by_initial(folded_words),
        folded=fold(text),
    )


def _hyphened_name(token, word):
    """The name in a hyphened word: "Germany-based" -> "germany" (as "customers in Germany" names
    it); a name made of capitalised parts ("Coca-Cola", "Wi-Fi") or with digits ("COVID-19") stays
    whole."""
    if "-" not in token:
        return word
    parts = token.split("-")
    named = [p for p in parts if p[:1].isupper()]
    if named and len(named) < len(parts) and all(p.isalpha() for p in parts):
        return fold("-".join(named))
    return word


def _free_of(tokens, n, word):
    """tokens[n] (folded: `word`) says "without": "free of caffeine", "free from gluten",
    "lactose-free"; not "a free plan" or "free shipping"."""
    if word.endswith("-free") and len(word) > 5:
        return True
    if word != "free":
        return False
    after = tokens[n + 1].lower() if n + 1 < len(tokens) else ""
    return after in ("of", "from") or (n >= 2 and tokens[n - 1] == "-" and tokens[n - 2][0].isalnum())


def _by_initial(words):
    out = {}
    for w in words:
        out.setdefault(w[:1], []).append(w)
    return out


def _sign_off(tokens, n):
    """True when tokens[n] ("Best") closes a message: "Best, Grace" or "Best" alone on its line."""
    after = tokens[n + 1 : n + 3]
    if not after or after[0] == "\n":
        return True
    # "Best, Grace", or in lower case near the end: "best, ahmed thx"
    return after[0] == "," and (len(after) == 1 or after[1] == "\n" or after[1][:1].isupper() or len(tokens) - n <= 5)


def _has_word(word, slots):
    """word, or a spelling slip of it, among the words of slots (a slip keeps the first letter)."""
    if word in slots.words:
        return True
    size = len(word)
    return any(is_typo(word, w) for w in slots.by_initial.get(word[:1], ()) if abs(len(w) - size) <= 2)


# comparisons that turn a request into its opposite, after COMPARATIVE_CLASS
OPPOSED_COMPARISONS = frozenset(
    frozenset(pair.split())
    for pair in """more less, most least, before after, first last, earliest latest, oldest newest, oldest latest,
    oldest youngest,
    older newer, older younger, ascending descending, asc desc, increase decrease, increasing decreasing,
    inside outside, best worst, better worse, faster slower, fastest slowest""".split(",")
)


def _placed(tokens, n):
    """True when "above" or "below" at n says where a text is ("the recipe below into JSON", "as
    above."): nothing it compares follows, a number, a sign or a word that is no stopword
    ("below 10", "above the limit", "below zero")."""
    after = fold(tokens[n + 1]) if n + 1 < len(tokens) else ""
    if not after or after in SENTENCE_END or not (after[0].isalnum() or after[0] in "$£€¥-"):
        return True
    return after in STOPWORDS and after not in ("the", "a", "an", "average")


def _no_order(after, word, opposable):
    """True when `word` ("first" or "last") before `after` asks for no order: "for the first time";
    "first published", "last updated" say when something happened (added to `opposable`)."""
    if after == "time":
        return True
    if len(after) > 4 and after.endswith("ed") and after.isalpha():
        opposable.add(word)
        return True
    return False


def opposed(a, b):
    """True when one set of comparisons holds the opposite of one in the other ("largest" / "smallest")."""
    return any(frozenset((x, y)) in OPPOSED_COMPARISONS for x in a - b for y in b - a)


def slot_difference(a, b, say=True, negation=True, opposites_only=False, values=True):
    """ "" when the two Slots ask the same thing, else what differs, for people (with say=False
    only that something differs: the scan asks this of a few hundred thousand pairs). With
    negation=False a negation on one side only is left to the caller. With opposites_only (two
    prompts one shared answer in text or code vouches for), comparisons differ only when one is
    the other's opposite: "the most recent commit" / "the last commit", "everything inside
    /srv/www" / "/srv/www" ask one thing. With values=False numbers and quoted text are left out
    (two prompts one long answer vouches for, which give other examples of one thing)."""
    if values and a.numbers != b.numbers:
        if not say:
            return "another number"
        only_a = sorted((a.numbers - b.numbers).elements())
        only_b = sorted((b.numbers - a.numbers).elements())
        return f"another number ({', '.join(only_a[:3]) or '–'} / {', '.join(only_b[:3]) or '–'})"
    if values and a.quoted != b.quoted and not _quotes_said(a, b):
        return "another quoted text"
    if values and other_literals(a, b):
        return f"another pattern ({', '.join(sorted(a.literals - b.literals)[:2]) or '–'} / {', '.join(sorted(b.literals - a.literals)[:2]) or '–'})"
    if negation and a.negated != b.negated:
        return "one is negated"
    if a.units - b.units and b.units - a.units:  # "millilitres in a cup" / "millilitres in a pint"
        return f"another unit ({sorted(a.units - b.units)[0]} / {sorted(b.units - a.units)[0]})"
    opposite = next((x for x in a.opposable - b.opposable if OPPOSITE_OF.get(x) in b.opposable - a.opposable), None)
    if opposite:
        return f"another comparison ({opposite} / {OPPOSITE_OF[opposite]})"
    if a.comparatives != b.comparatives and (not opposites_only or opposed(a.comparatives, b.comparatives)):
        return f"another comparison ({', '.join(sorted(a.comparatives ^ b.comparatives)[:3])})"
    quantifiers_a, quantifiers_b = _quantifiers(a), _quantifiers(b)
    if (
        quantifiers_a - quantifiers_b and quantifiers_b - quantifiers_a
    ):  # "ignoring any growth" beside "every month" asks no "any"
        return f"another quantifier ({', '.join(sorted(quantifiers_a ^ quantifiers_b))})"
    # A name swapped for another makes another request; a name one side adds ("my Python code")
    # only says more.
    only_a = _own_names(a, b)
    only_b = _own_names(b, a) if only_a else ()
    if (
        only_a
        and only_b
        and not any(
            _initials_of(x, y) for x, y in ((only_a, only_b), (a.names, only_b), (only_b, only_a), (b.names, only_a))
        )
    ):
        return f"another name ({sorted(only_a)[0]} / {sorted(only_b)[0]})"
    after_a, after_b = {}, {}
    for marker, word in a.roles:
        after_a.setdefault(marker, set()).add(word)
    for marker, word in b.roles:
        after_b.setdefault(marker, set()).add(word)
    # Where one answer vouches, only words that traded roles ("from Paris to Rome" / "from Rome to
    # Paris"): "shoes online from an EU shop" / "from an online shop in the EU" moved a word that has
    # no role in the other text. After "in", which says where as often as what into what, at least
    # one of them: "in a game of ten-pin bowling" / "in ten-pin bowling ... in a single game" moved
    # words that have none.
    roled_a, roled_b = {w for _, w in a.roles}, {w for _, w in b.roles}
    for marker in after_a.keys() & after_b.keys():
        # the words swapped places around the marker: each side's word is in the other text
        moved_a = [w for w in after_a[marker] - after_b[marker] if w in b.words]
        moved_b = [w for w in after_b[marker] - after_a[marker] if w in a.words]
        traded_a, traded_b = any(w in roled_b for w in moved_a), any(w in roled_a for w in moved_b)
        if opposites_only:
            traded = traded_a and traded_b
        else:
            traded = marker != "in" or traded_a or traded_b
        if moved_a and moved_b and traded:
            word = moved_a[0]
            if marker.endswith(UNIT_MARKER):
                number = marker[: -len(UNIT_MARKER)]
                return f"another quantity ({number} {word} / {number} {moved_b[0]})"
            return f"another direction ({marker} {word} / {marker} {moved_b[0]})"
    return ""


def other_literals(a, b):
    """True when both Slots write out patterns and not the same ones (one side saying "day, month
    and year" in words is a rewording)."""
    return bool(a.literals) and bool(b.literals) and a.literals != b.literals


# Words that name what kind of thing a name is ("the Ottoman Empire", "the Amazon River", "Mount
# Everest"): one side adding one says nothing more particular
NAME_KINDS = frozenset(
    """empire kingdom republic dynasty river mount mountain mountains ocean sea lake lakes island islands
    city state province county desert bay gulf strait peninsula valley canyon falls cape university
    college company corporation inc ltd war battle treaty""".split()
)


def added_name(a, b):
    """True when one prompt names something the other does not and not the other way round ("the
    first woman to win a Nobel Prize" / "... the Nobel Peace Prize"): it asks about something more
    particular, so answers that disagree are no contradiction. A word naming the kind of thing
    ("the Ottomans" / "the Ottoman Empire") is no name of its own."""
    own_a = [n for n in _own_names(a, b) if n not in NAME_KINDS]
    own_b = [n for n in _own_names(b, a) if n not in NAME_KINDS]
    return bool(own_a) != bool(own_b)


def _own_names(a, b):
    """The names of Slots a that b does not say, spelling slips and plurals aside ("the Ottomans"
    / "the Ottoman Empire")."""
    return [
        name
        for name in a.names - b.words
        if not _has_word(name, b) and not _plural_said(name, b) and not _abbreviates(name, b)
    ]


def _abbreviates(name, slots):
    """True when a name is a short form of a word of slots ("Vec" / "vector", "Dept" aside)."""
    return len(name) >= 3 and any(
        w.startswith(name) and 0 < len(w) - len(name) <= 4 for w in slots.by_initial.get(name[:1], ())
    )


def _initials_of(names, acronym):
    """True when `acronym` is one short name whose letters are the initials of `names` ("EU" /
    "European Union", "UN" / "United Nations", "NYC" / "New York City"), in any order."""
    if len(acronym) != 1 or not 2 <= len(names) <= 5:
        return False
    (short,) = acronym
    return len(short) == len(names) and sorted(short) == sorted(name[0] for name in names)


def _plural_said(name, slots):
    if name.endswith("s") and name[:-1] in slots.words:
        return True
    return name + "s" in slots.words or name + "es" in slots.words


# Quantifiers that ask other things when each prompt has its own ("true if every number is
# positive" / "... if any number is positive"); one side alone says nothing ("all the orders").
QUANTIFIERS = {"every": "all", "each": "all", "all": "all", "any": "any"}


def _quantifiers(slots):
    return {QUANTIFIERS[w] for w in slots.words if w in QUANTIFIERS}


def _quotes_said(a, b):
    """True when only one side quotes, and what it quotes the other says unquoted ("start with a
    '#'" / "beginning with #", "rename the column 'amt' to 'amount'" / "the amt column ... called
    amount")."""
    only_a, only_b = a.quoted - b.quoted, b.quoted - a.quoted
    if only_a and only_b:
        return False
    quoted, other = (only_a, b) if only_a else (only_b, a)
    return all(re.search(r"(?<!\w)" + re.escape(q) + r"(?!\w)", other.folded) for q in quoted)


def _possessive(word):
    """ "python's" -> "python": a name with its possessive is the same name ("that's" stays)."""
    if len(word) > 3 and word.endswith(("'s", "’s")) and word[:-2] not in STOPWORDS and word[:-2] != "let":
        return word[:-2]
    return word


# Words that ask rather than name, beyond the stopwords: "how many inches" / "convert ... to
# inches", "the number of days between" / "count the days separating".
ASKING_WORDS = frozenset("many much between among".split())
COUNTING_NOUNS = frozenset("number amount".split())  # "the number of days" asks for a count
QUOTING_NOUNS = frozenset("word words term phrase string sentence expression text name".split())
QUOTE_MARKS = "'\"‘“`"


def content_words(text):
    """The folded words of text that carry content (no stopwords), lightly stemmed. A request verb
    ("list", "name", "count") is left out where it asks (a sentence's first word), kept where it
    names something ("the name and signup_date", "the order count")."""
    out, start = [], True
    tokens = TOKEN_RE.findall(text)
    for n, token in enumerate(tokens):
        if token in SENTENCE_END or token == "\n":
            start = True
            continue
        if not token[0].isalnum():
            continue
        word = _spelled_compound(_possessive(fold(token)))
        word = NAME_ALIASES.get(word, word)
        if word.endswith(("'s", "’s")) and word[:-2] in STOPWORDS:
            word = word[:-2]  # "what's", "it's": a stopword and "is"
        if word in COUNTING_NOUNS and n + 1 < len(tokens) and fold(tokens[n + 1]) == "of":
            continue
        if word in QUOTING_NOUNS and n + 1 < len(tokens) and tokens[n + 1][0] in QUOTE_MARKS:
            continue  # "the word 'xylophone'" names what the quote names: "'xylophone'"
        if word == "time" and n and fold(tokens[n - 1]) in ("what", "which"):
            continue  # "What time ...?" asks what "When ...?" asks
        if word not in STOPWORDS and word not in ASKING_WORDS and not (start and word in REQUEST_VERBS):
            out.append(_stem(NUMBER_WORDS.get(word, word)))
        start = start and word in STOPWORDS | FILLER  # "Please list ...", "Can you name ..." still ask
    return out


def _stem(word):
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _forms(verb):
    """A verb and its inflections: "remove", "removes", "removed", "removing"."""
    stem = verb[:-1] if verb.endswith("e") else verb
    doubled = stem + stem[-1] if len(verb) <= 4 and verb[-1] not in "aeiouwy" and verb[-2] in "aeiou" else stem
    return {verb, verb + "s", verb + "es", stem + "ed", stem + "ing", doubled + "ed", doubled + "ing"} | IRREGULAR.get(
        verb, set()
    )


IRREGULAR = {"buy": {"bought"}, "begin": {"began", "begun"}}


# Verbs that ask one thing however they are put ("drop the notes column" / "remove the notes
# column"), each read as the first of its group, inflected or not
SYNONYMS = {
    form: group[0]
    for group in (
        ("remove", "delete", "drop", "eliminate", "erase"),
        ("buy", "purchase"),
        ("start", "begin"),
        ("fix", "repair"),
        ("change", "modify", "alter"),
        ("replace", "substitute"),
        ("end", "finish", "conclude"),
        ("fall", "collapse"),
        ("found", "establish"),
        ("build", "construct"),
        ("latest", "recent", "newest"),  # "the 10 most recent orders" are the latest ten
    )
    for verb in group
    for inflected in _forms(verb)
    for form in (inflected, _stem(inflected))
}


# Verbs that ask the opposite of each other ("append" / "overwrite", "enable" / "disable"), each
# read as its group's first word, inflected or not
OPPOSED_VERB_PAIRS = (
    ("append", "overwrite"),
    ("enable", "disable"),
    ("encrypt", "decrypt"),
    ("compress", "decompress"),
    ("upload", "download"),
    ("import", "export"),
    ("lock", "unlock"),
    ("install", "uninstall"),
    ("mount", "unmount"),
    ("zip", "unzip"),
    ("show", "hide"),
    ("include", "exclude"),
    ("allow", "block"),
    ("deposit", "withdraw"),
    ("encode", "decode"),
    ("serialize", "deserialize"),
    ("subscribe", "unsubscribe"),
    ("follow", "unfollow"),
    ("mute", "unmute"),
    ("pause", "resume"),
    ("expand", "collapse"),
    ("push", "pull"),
)
OPPOSED_VERBS = {form: verb for pair in OPPOSED_VERB_PAIRS for verb in pair for form in _forms(verb)}
# Verbs whose particle says which way ("check in" / "check out", "log on" / "log off"), said with a
# space or a hyphen: the particles differ only against each other (Slots.opposable)
PHRASAL_VERBS = frozenset(
    "check checks checked checking log logs logged logging sign signs signed signing opt opts opted opting "
    "clock clocks clocked clocking switch switches switched switching turn turns turned turning".split()
)
PARTICLES = frozenset("in out on off".split())
PHRASAL_RE = re.compile(r"^(?:" + "|".join(sorted(PHRASAL_VERBS)) + r")-(in|out|on|off)$")
# what differs only against its opposite (Slots.opposable)
OPPOSITE_OF = {
    **{
        x: y
        for pair in OPPOSED_VERB_PAIRS
        + (("first", "last"), ("up", "down"), ("after", "before"), ("more", "less"), ("in", "out"), ("on", "off"))
        for x, y in (pair, pair[::-1])
    },
}


# Irregular forms of common verbs, read as the verb ("frozen" / "freeze"); forms that are other
# words too ("left", "found", "saw", "fell") are left out
IRREGULAR_FORMS = {
    form: forms.split()[0]
    for forms in (
        "freeze froze frozen",
        "write wrote written",
        "take took taken",
        "give gave given",
        "eat ate eaten",
        "drive drove driven",
        "break broke broken",
        "speak spoke spoken",
        "choose chose chosen",
        "steal stole stolen",
        "hide hid hidden",
        "ride rode ridden",
        "rise rose risen",
        "grow grew grown",
        "know knew known",
        "throw threw thrown",
        "draw drew drawn",
        "fly flew flown",
        "go went gone",
        "do did done",
        "begin began begun",
        "drink drank drunk",
        "swim swam swum",
        "sing sang sung",
        "buy bought",
        "bring brought",
        "think thought",
        "teach taught",
        "catch caught",
        "keep kept",
        "sleep slept",
        "lose lost",
        "send sent",
        "spend spent",
        "build built",
        "make made",
        "pay paid",
        "say said",
        "sell sold",
        "tell told",
        "hold held",
        "feel felt",
        "meet met",
        "forget forgot forgotten",
        "get got gotten",
        "shake shook shaken",
        "wake woke woken",
        "bite bit bitten",
    )
    for form in forms.split()
}


def same_stem(x, y):
    """One word in another form: "place" / "placed", "order" / "orders", "reply" / "replies",
    "frozen" / "freeze"."""
    if x == y:
        return True
    if x in IRREGULAR_FORMS and IRREGULAR_FORMS[x] == IRREGULAR_FORMS.get(y):
        return True
    shorter, longer = sorted((x, y), key=len)
    return len(shorter) >= 3 and 1 <= len(longer) - len(shorter) <= 3 and longer.startswith(shorter[:-1])


def swapped_word(a, b):
    """(x, y) when the two texts' content words are the same except that one word x became
    another word y (a sibling: "a poem about cats" / "a poem about dogs"); None otherwise. A
    spelling slip is not a swap."""
    return swapped_content(set(content_words(a)), set(content_words(b)))


def swapped_content(ca, cb):
    """swapped_word on the two texts' sets of content words (computed once per text)."""
    only_a, only_b = sorted(ca - cb), sorted(cb - ca)
    if (
        len(only_a) == 1
        and len(only_b) == 1
        and not is_typo(only_a[0], only_b[0])
        and not same_stem(only_a[0], only_b[0])
        and not _same_comparison(only_a[0], only_b[0])
        and not synonyms(only_a[0], only_b[0])
    ):
        return only_a[0], only_b[0]
    return None


def filler_swap(a, b, share=0.67):
    """(x, y) when most content words are shared (Jaccard at least `share`) and each text has a
    few of its own that are no spelling slip or other form of the other's: one frame with other
    fillers, in whatever order ("more calories, oats or chicken breast" / "more calories, salmon
    or oats"); None otherwise. frame_swap finds the same in word order."""
    return filler_swap_content(set(content_words(a)), set(content_words(b)), share)


def filler_swap_content(ca, cb, share=0.67):
    """filler_swap on the two texts' sets of content words (computed once per text)."""
    if not ca or not cb or len(ca & cb) / len(ca | cb) < share:
        return None
    only_a = [x for x in sorted(ca - cb) if not any(same_word(x, y) for y in cb - ca)]
    only_b = [y for y in sorted(cb - ca) if not any(same_word(x, y) for x in ca - cb)]
    if only_a and only_b and len(only_a) <= FILLER_WORDS and len(only_b) <= FILLER_WORDS:
        return " ".join(only_a), " ".join(only_b)
    return None


def _same_comparison(x, y):
    """ "larger" / "bigger": one comparison (COMPARATIVE_CLASS), said otherwise."""
    return x in COMPARATIVE_CLASS and COMPARATIVE_CLASS[x] == COMPARATIVE_CLASS.get(y)


def same_word(x, y):
    """One word said otherwise: a slip, another form, the same comparison or a synonym."""
    return is_typo(x, y) or same_stem(x, y) or _same_comparison(x, y) or synonyms(x, y)


def synonyms(x, y):
    """True for two words (or their stems) of one SYNONYMS group ("drop" / "removed")."""
    group = SYNONYMS.get(x)
    return group is not None and group == SYNONYMS.get(y)


FRAME_WORDS = STOPWORDS | FILLER | REQUEST_VERBS | ASKING_WORDS | COUNTING_NOUNS  # never what fills a frame
# verbs that say little on their own: one swapped for another fills no frame ("do I need" / "should I
# use"), though each still counts against a word that fills one ("make pancakes" / "store pancakes")
GENERIC_VERBS = frozenset(
    "need needs use uses get gets have has want wants put take require requires come comes".split()
)
FRAME_SHARE = 0.6  # word-sequence similarity from which two texts share one frame
FILLER_WORDS = 3  # what fills a frame is short ("sponge cake"); a reworded clause is longer


def frame_swap(a, b):
    """(x, y) when the two texts are one frame with different fillers: most of their words in the
    same order, and somewhere content words of one replaced by other content words that are not
    spelling slips of them ("substitute for honey in a stew" / "substitute for butter in
    cookies"). A paraphrase rewords the whole; an added word or a typo replaces nothing."""
    lines_a, lines_b = a.splitlines(), b.splitlines()
    if len(lines_a) == len(lines_b) > 1:  # chat turns: the turns that differ, each on its own
        for line_a, line_b in zip(lines_a, lines_b):
            if line_a != line_b and (found := frame_swap(line_a, line_b)):
                return found
        return None
    return frame_swap_words(_cached_frame_words(a), _cached_frame_words(b))


@lru_cache(maxsize=32768)
def _cached_frame_words(text):
    """frame_words, kept for the lines a scan compares again and again (chat turns, answers)."""
    return tuple(frame_words(text))


def frame_words(text):
    """The folded words frame_swap compares (computed once per text by the scan): greetings and
    thanks left out ("Hi there, which has more calories, cheddar or almonds? Thanks in advance"
    is the frame of "Which has more calories, oats or lentils?")."""
    # a word hyphened or spelled without its apostrophe is the same word ("part-time" / "part
    # time", "I'm" / "Im"): its parts are compared; a date or a code (2025-08-15) stays whole
    return [
        w
        for t in TOKEN_RE.findall(text)
        if t[0].isalnum()
        for w in _frame_parts(fold(t))
        if w and w not in FRAME_COURTESY
    ]


# contractions written out or run together are the same words ("I am" / "I'm" / "Im")
CONTRACTIONS = {
    "im": ("i", "am"),
    "youre": ("you", "are"),
    "theyre": ("they", "are"),
    "ive": ("i", "have"),
    "cannot": ("can", "not"),
    "cant": ("can", "not"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "wont": ("will", "not"),
    "whats": ("what", "is"),
    "thats": ("that", "is"),
}


def _spelled_compound(word):
    """A hyphened word opened by a number word, with the number in digits ("four-digit" is
    "4-digit", "two-week" "2-week"): one word however its number is written."""
    head, dash, rest = word.partition("-")
    return f"{NUMBER_WORDS[head]}-{rest}" if dash and head in NUMBER_WORDS else word


def _frame_parts(word):
    word = _spelled_compound(word.replace("'", "").replace("’", ""))
    word = NAME_ALIASES.get(word, word)
    if word in CONTRACTIONS:
        return CONTRACTIONS[word]
    if "-" in word and not any(c.isdigit() for c in word):
        return [COMPARATIVE_CLASS.get(w, w) for w in word.split("-")]
    return (NUMBER_WORDS.get(word, COMPARATIVE_CLASS.get(word, word)),)  # "ten" is 10, "larger" "bigger"


FRAME_COURTESY = (COURTESY | FILLER) - STOPWORDS - {"best", "help", "support", "day", "question", "well", "kind"}


def frame_swap_words(wa, wb):
    """frame_swap on two single-line texts' frame_words."""
    traded = _traded(wa, wb)
    if traded == BOTH_WAYS_TRADE:
        return None  # one-word fillers too ("what sets a virus apart from a bacterium")
    if traded:
        return traded
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    # the quick ratios are upper bounds of ratio(): most pairs stop at them
    if matcher.real_quick_ratio() < FRAME_SHARE or matcher.quick_ratio() < FRAME_SHARE or matcher.ratio() < FRAME_SHARE:
        return None
    opcodes = [op for op in matcher.get_opcodes() if op[0] == "replace"]
    moved = {w for _, i1, i2, j1, j2 in opcodes for w in wa[i1:i2] + wb[j1:j2]}
    for _, i1, i2, j1, j2 in opcodes:
        # an item of a list that only moved within it fills nothing new ("on the iPad or the
        # Kindle" / "on the Kindle or the iPad"); a word that moved anywhere else does ("ordered
        # a fan but received a lamp" / "ordered a lamp but received a fan")
        left = [w for n, w in enumerate(wa[i1:i2], i1) if w not in FRAME_WORDS and not _listed(wa, n, moved, wb)]
        right = [w for n, w in enumerate(wb[j1:j2], j1) if w not in FRAME_WORDS and not _listed(wb, n, moved, wa)]
        left_only = [w for w in left if not any(same_stem(w, x) or is_typo(w, x) or synonyms(w, x) for x in right)]
        right_only = [w for w in right if not any(same_stem(w, x) or is_typo(w, x) or synonyms(w, x) for x in left)]
        if "".join(left_only) == "".join(right_only):
            continue  # one word written as two: "time zone" / "timezone"
        if set(left_only) | set(right_only) <= GENERIC_VERBS:
            continue  # "how much salt do I need" / "... should I use": no filler, the same request
        if left_only and right_only and len(left_only) <= FILLER_WORDS and len(right_only) <= FILLER_WORDS:
            return " ".join(left_only), " ".join(right_only)
    return None


LIST_GLUE = COORDINATING | {"the", "a", "an", "my", "our", "your", "his", "her", "their", "both", "either"}
COPULAS = frozenset({"is", "are", "was", "were"})
TRADED_WORDS = 2 * FILLER_WORDS + 4  # two fillers and what stands between them


def _traded(wa, wb):
    """(x, y) when one word list is the other with two fillers traded places across words that are
    no list's glue ("I ordered a standing fan but received a cast iron pan" / "... a cast iron pan
    but received a standing fan"; "from the kitchen to the garage" / "from the garage to the
    kitchen"), else None: a list said in another order asks the same ("the iPad mini or the Kindle"
    / "the Kindle or the iPad mini"), and so does a relation that reads both ways ("what sets a
    virus apart from a bacterium"): then BOTH_WAYS_TRADE. Fillers of several words make no difflib replacement
    (frame_swap_words): the longer one is aligned as equal, the rest as moved. Words both fillers
    end or start with ("January 4, 2021 and June 2, 2021") may belong to them: every such
    alignment is tried, and any that makes a list is one."""
    shortest = min(len(wa), len(wb))
    start = 0
    while start < shortest and wa[start] == wb[start]:
        start += 1
    end = 0
    while end < shortest - start and wa[-1 - end] == wb[-1 - end]:
        end += 1
    traded = None
    for more_start in range(min(start, 2) + 1):
        for more_end in range(min(end, 2) + 1):
            mid_a = wa[start - more_start : len(wa) - end + more_end]
            mid_b = wb[start - more_start : len(wb) - end + more_end]
            n = len(mid_a)
            if n != len(mid_b) or not 3 <= n <= TRADED_WORDS or sorted(mid_a) != sorted(mid_b):
                continue
            for x in range(1, n - 1):
                for y in range(1, n - x):
                    between = mid_a[x : n - y]
                    if mid_a[:x] != mid_b[n - x :] or mid_a[n - y :] != mid_b[:y] or between != mid_b[y : n - x]:
                        continue
                    if _both_ways(between):
                        return (
                            BOTH_WAYS_TRADE  # a list in another order; "the capital is Seoul" / "Seoul is the capital"
                        )
                    left = [w for w in mid_a[:x] if w not in FRAME_WORDS]
                    right = [w for w in mid_a[n - y :] if w not in FRAME_WORDS]
                    if left and right and traded is None:
                        traded = " ".join(left), " ".join(right)
    return traded


BOTH_WAYS_TRADE = ("", "")  # _traded: the two trade places and say the same
# what stands between two things that can trade places and still say the same
BOTH_WAYS = {("apart", "from"), ("vs",), ("versus",), ("differ", "from"), ("differs", "from"), ("different", "from")}


def _both_ways(between):
    """True when the words between two traded fillers make a relation that reads both ways: a
    list's glue ("and", "or the"), a copula ("is") or a difference ("apart from", "versus")."""
    if all(w in LIST_GLUE or w in COPULAS for w in between):
        return True
    return tuple(w for w in between if w not in ARTICLES) in BOTH_WAYS


def _listed(words, n, moved, other):
    """words[n] is an item of a list ("x and y", "x or the y") whose other item also moved, and
    the other text has it too."""
    if words[n] not in other:
        return False
    for step in (1, -1):
        j, linked = n + step, False
        while 0 <= j < len(words) and (words[j] in LIST_GLUE or words[j] in moved):
            if words[j] in COORDINATING:
                linked = True
            elif linked and words[j] not in LIST_GLUE and words[j] != words[n]:
                return True
            j += step
    return False
