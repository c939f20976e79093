"""Free-text questions and answers: facts, small calculations, definitions and how-to steps. A
conflicting answer states another fact, number or name, or the opposite."""

import datetime

from benchmarks.accuracy_sets import Domain, Intent, other, personal_detail

CAPITALS = {
    "France": "Paris",
    "Canada": "Ottawa",
    "Australia": "Canberra",
    "Brazil": "Brasilia",
    "Kenya": "Nairobi",
    "Japan": "Tokyo",
    "Norway": "Oslo",
    "Peru": "Lima",
    "Egypt": "Cairo",
    "Turkey": "Ankara",
    "Vietnam": "Hanoi",
    "Morocco": "Rabat",
    "Nigeria": "Abuja",
    "Switzerland": "Bern",
    "New Zealand": "Wellington",
    "Pakistan": "Islamabad",
    "Chile": "Santiago",
    "Poland": "Warsaw",
    "Portugal": "Lisbon",
    "Argentina": "Buenos Aires",
    "Ghana": "Accra",
    "Finland": "Helsinki",
    "Thailand": "Bangkok",
    "Colombia": "Bogota",
    "Hungary": "Budapest",
    "Indonesia": "Jakarta",
    "Ireland": "Dublin",
    "Mexico": "Mexico City",
    "South Korea": "Seoul",
    "Ethiopia": "Addis Ababa",
}
POPULATION = {  # millions, rounded
    "France": 68,
    "Canada": 40,
    "Australia": 27,
    "Brazil": 216,
    "Kenya": 55,
    "Japan": 124,
    "Norway": 5.5,
    "Peru": 34,
    "Egypt": 112,
    "Turkey": 85,
    "Vietnam": 99,
    "Morocco": 37,
    "Nigeria": 223,
    "Switzerland": 8.8,
    "Poland": 37.6,
    "Chile": 19.6,
    "Ghana": 34,
    "Thailand": 71,
    "Colombia": 52,
    "Hungary": 9.6,
}
EVENTS = {
    "the Berlin Wall fall": ("The Berlin Wall fell in", 1989),
    "the first Moon landing take place": ("Apollo 11 landed on the Moon in", 1969),
    "the Titanic sink": ("The Titanic sank in", 1912),
    "the World Wide Web go public": ("The World Wide Web was opened to the public in", 1991),
    "the Eiffel Tower open": ("The Eiffel Tower opened in", 1889),
    "the euro enter circulation as cash": ("Euro notes and coins entered circulation in", 2002),
    "Nelson Mandela become president of South Africa": ("Nelson Mandela became president in", 1994),
    "the first iPhone go on sale": ("The first iPhone went on sale in", 2007),
    "the Chernobyl disaster happen": ("The Chernobyl disaster happened in", 1986),
    "Wikipedia launch": ("Wikipedia launched in", 2001),
    "the Panama Canal open": ("The Panama Canal opened in", 1914),
    "the Soviet Union dissolve": ("The Soviet Union dissolved in", 1991),
    "India gain independence": ("India became independent in", 1947),
    "the first Harry Potter book come out": ("The first Harry Potter book was published in", 1997),
    "the Channel Tunnel open": ("The Channel Tunnel opened in", 1994),
    "Sputnik 1 launch": ("Sputnik 1 was launched in", 1957),
}
CONCEPTS = {
    (
        "weather",
        "climate",
    ): "Weather is the short-term state of the atmosphere (today's rain or heat); climate is the average pattern of weather in a region over decades.",
    (
        "TCP",
        "UDP",
    ): "TCP sets up a connection and guarantees ordered, complete delivery with retransmissions; UDP just sends datagrams with no delivery or ordering guarantees, which makes it lighter and faster.",
    (
        "RAM",
        "ROM",
    ): "RAM is fast working memory that is cleared when the power goes off; ROM holds data that survives without power and is rarely or never rewritten, such as firmware.",
    (
        "a virus",
        "a bacterium",
    ): "A bacterium is a living single-celled organism that can reproduce on its own; a virus is much smaller and can only copy itself inside a host cell. Antibiotics work on bacteria, not viruses.",
    (
        "mitosis",
        "meiosis",
    ): "Mitosis makes two identical cells with the full set of chromosomes; meiosis makes four sex cells, each with half the chromosomes and a new mix of genes.",
    (
        "latitude",
        "longitude",
    ): "Latitude measures how far north or south of the equator a place is; longitude measures how far east or west of the Greenwich meridian it is.",
    (
        "a simile",
        "a metaphor",
    ): "A simile compares two things with 'like' or 'as' ('brave as a lion'); a metaphor says one thing is the other ('he is a lion').",
    (
        "stocks",
        "bonds",
    ): "A stock is a share of ownership in a company; a bond is a loan to a company or government that pays interest and returns the principal at maturity.",
    ("speed", "velocity"): "Speed is how fast something moves; velocity is speed with a direction, so it is a vector.",
    (
        "affect",
        "effect",
    ): "'Affect' is usually a verb meaning to influence; 'effect' is usually a noun meaning the result of a change.",
    (
        "an alligator",
        "a crocodile",
    ): "Alligators have a wide U-shaped snout and live mostly in fresh water; crocodiles have a narrower V-shaped snout, show their lower teeth when the mouth is closed and tolerate salt water.",
    (
        "HTTP",
        "HTTPS",
    ): "HTTPS is HTTP sent over an encrypted TLS connection, so the traffic cannot be read or altered in transit; plain HTTP is unencrypted.",
    (
        "baking soda",
        "baking powder",
    ): "Baking soda is pure sodium bicarbonate and needs an acid in the recipe to rise; baking powder already contains the acid, so it works with any wet ingredients.",
    (
        "a hurricane",
        "a typhoon",
    ): "They are the same kind of storm; it is called a hurricane in the Atlantic and north-east Pacific and a typhoon in the north-west Pacific.",
    (
        "an ETF",
        "a mutual fund",
    ): "An ETF trades on an exchange all day at market prices; a mutual fund is bought and sold once a day at its end-of-day net asset value.",
    (
        "a lake",
        "a pond",
    ): "There is no strict rule, but a lake is larger and deep enough that sunlight does not reach the bottom everywhere, while a pond is shallow enough for plants to grow across it.",
}
WORDS = {
    "ephemeral": "lasting for a very short time",
    "ubiquitous": "present or found everywhere",
    "candid": "truthful and straightforward, even when that is uncomfortable",
    "meticulous": "showing great attention to detail",
    "pragmatic": "dealing with things in a practical way rather than by theory",
    "serendipity": "finding something good without looking for it",
    "laconic": "using very few words",
    "benevolent": "kind and well-meaning",
    "obsolete": "no longer in use or out of date",
    "ambiguous": "open to more than one interpretation",
    "resilient": "able to recover quickly from difficulties",
    "frugal": "careful not to spend more money than necessary",
    "verbose": "using more words than needed",
    "tenacious": "holding firmly to a goal and not giving up",
    "lucid": "clear and easy to understand",
    "mundane": "ordinary and not interesting",
    "spurious": "false, though it looks genuine",
    "cogent": "clear, logical and convincing",
    "ardent": "very enthusiastic or passionate",
    "nostalgia": "a sentimental longing for the past",
}
TOOLS = {
    "Excel": "the View tab, then Freeze Panes",
    "Google Sheets": "the View menu, then Freeze",
    "LibreOffice Calc": "the View menu, then Freeze Cells",
    "Numbers": "the Table menu, then Freeze Header Rows",
}
TASKS = {
    "freeze the top row": "open {menu} and choose the option for the top row.",
    "remove duplicate rows": "select the range, open the Data menu and use the remove-duplicates command; pick the columns to compare.",
    "sort a column from A to Z": "select the column, open the Data menu and choose an ascending sort.",
    "add a dropdown list to a cell": "select the cell, open the Data menu, choose data validation and enter the list items.",
    "wrap text in a cell": "select the cell and turn on text wrapping from the format toolbar.",
}
SUBSTANCES = {
    "gluten": (
        ("bread", "pasta", "couscous", "barley soup", "rye crackers", "beer"),
        ("rice", "potatoes", "quinoa", "eggs", "apples", "corn tortillas"),
    ),
    "lactose": (
        ("milk", "ice cream", "cream cheese", "yogurt", "butter", "custard"),
        ("almond milk", "rice", "chicken", "bananas", "olive oil", "lentils"),
    ),
    "caffeine": (
        ("coffee", "black tea", "cola", "dark chocolate", "energy drinks", "matcha"),
        ("water", "rooibos tea", "orange juice", "milk", "chamomile tea", "lemonade"),
    ),
}
UTC_OFFSET = {
    "London": 0,
    "New York": -5,
    "Tokyo": 9,
    "Sydney": 10,
    "Berlin": 1,
    "Chicago": -6,
    "Dubai": 4,
    "Mumbai": 5.5,
}
UNITS = {
    ("kilometres", "miles"): 0.621371,
    ("kilograms", "pounds"): 2.20462,
    ("litres", "US gallons"): 0.264172,
    ("metres", "feet"): 3.28084,
    ("centimetres", "inches"): 0.393701,
}


def unit_factor(pair):
    return UNITS[pair] if pair in UNITS else 1 / UNITS[pair[::-1]]


def fmt_date(d, style):
    return d.strftime(("%d %B %Y", "%B %d, %Y", "%Y-%m-%d")[style]).lstrip("0")


def some_date(r):
    return datetime.date(r.randrange(2015, 2027), r.randrange(1, 13), r.randrange(1, 29))


def clock(hour):
    h = hour % 24
    whole, half = int(h), h % 1
    return f"{whole:02d}:{'30' if half else '00'}"


def number_conflict(value):
    def change(slots, answer, rng):
        new = value(slots) + rng.choice((-3, -2, -1, 1, 2, 5))
        return answer.replace(str(value(slots)), str(new), 1)

    return change


def two_dates(r):
    first = some_date(r)
    second = some_date(r)
    while second == first:
        second = some_date(r)
    return first, second


def how_to_conflict(slots, answer, rng):
    """The steps with one menu or option swapped for a wrong one."""
    for old, new in (
        ("Data menu", "Insert menu"),
        ("View", "Format"),
        ("Table menu", "Format menu"),
        ("format toolbar", "Insert menu"),
    ):
        if old in answer:
            return answer.replace(old, new, 1)
    raise ValueError(answer)


INTENTS = (
    Intent(
        "capital",
        lambda r: {"country": r.choice(sorted(CAPITALS))},
        (
            lambda s, r: f"What is the capital of {s['country']}?",
            lambda s, r: f"Which city is the capital of {s['country']}?",
            lambda s, r: f"Name the capital city of {s['country']}.",
            lambda s, r: f"{s['country']} has its seat of government in which city?",
        ),
        lambda s, r: r.choice(
            (
                "The capital of {c} is {k}.",
                "{k} is the capital of {c}.",
                "It's {k}.",
            )
        ).format(c=s["country"], k=CAPITALS[s["country"]]),
        lambda s, a, r: a.replace(CAPITALS[s["country"]], other(r, sorted(CAPITALS.values()), CAPITALS[s["country"]])),
        vary={"country": ("name", lambda s, r: other(r, sorted(CAPITALS), s["country"]))},
    ),
    Intent(
        "days_between",
        lambda r: {"dates": two_dates(r), "style": r.randrange(3)},
        (
            lambda s, r: (
                f"How many days are there between {fmt_date(s['dates'][0], s['style'])} and {fmt_date(s['dates'][1], s['style'])}?"
            ),
            lambda s, r: (
                f"What is the number of days between {fmt_date(s['dates'][0], s['style'])} and {fmt_date(s['dates'][1], s['style'])}?"
            ),
            lambda s, r: (
                f"Between {fmt_date(s['dates'][0], s['style'])} and {fmt_date(s['dates'][1], s['style'])}, how many days pass?"
            ),
            lambda s, r: (
                f"Count the days separating {fmt_date(s['dates'][0], s['style'])} and {fmt_date(s['dates'][1], s['style'])}."
            ),
        ),
        lambda s, r: f"There are {abs((s['dates'][1] - s['dates'][0]).days)} days between the two dates.",
        number_conflict(lambda s: abs((s["dates"][1] - s["dates"][0]).days)),
        vary={
            "dates": (
                "number",
                lambda s, r: (s["dates"][0], s["dates"][1] + datetime.timedelta(days=r.choice((1, 2, 7)))),
            )
        },
        pair="dates",
    ),
    Intent(
        "convert",
        lambda r: {"units": r.choice(list(UNITS)), "n": r.choice((1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 42, 50, 100))},
        (
            lambda s, r: f"How many {s['units'][1]} are in {s['n']} {s['units'][0]}?",
            lambda s, r: f"Convert {s['n']} {s['units'][0]} to {s['units'][1]}.",
            lambda s, r: f"What is {s['n']} {s['units'][0]} expressed in {s['units'][1]}?",
            lambda s, r: f"If something measures {s['n']} {s['units'][0]}, what is that in {s['units'][1]}?",
        ),
        lambda s, r: f"{s['n']} {s['units'][0]} is about {s['n'] * unit_factor(s['units']):.2f} {s['units'][1]}.",
        lambda s, a, r: a.replace(
            f"{s['n'] * unit_factor(s['units']):.2f}",
            f"{s['n'] * unit_factor(s['units']) * r.choice((0.9, 1.1, 2)):.2f}",
        ),
        vary={
            "units": ("direction", lambda s, r: tuple(reversed(s["units"]))),
            "n": ("number", lambda s, r: other(r, (1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 42, 50, 100), s["n"])),
        },
    ),
    Intent(
        "population",
        lambda r: {"larger": r.random() < 0.6, "countries": tuple(r.sample(sorted(POPULATION), 2))},
        (
            lambda s, r: (
                f"Which country has a {'larger' if s['larger'] else 'smaller'} population, {s['countries'][0]} or {s['countries'][1]}?"
            ),
            lambda s, r: (
                f"Does {s['countries'][0]} or {s['countries'][1]} have {'more' if s['larger'] else 'fewer'} people?"
            ),
            lambda s, r: (
                f"Of {s['countries'][0]} and {s['countries'][1]}, which is {'more' if s['larger'] else 'less'} populous?"
            ),
        ),
        lambda s, r: (
            lambda a, b: (
                f"{a} has the {'larger' if s['larger'] else 'smaller'} population: about {POPULATION[a]} million people, against {POPULATION[b]} million in {b}."
            )
        )(
            *sorted(s["countries"], key=lambda c: -POPULATION[c] if s["larger"] else POPULATION[c]),
        ),
        lambda s, a, r: (lambda win, lose: a.replace(win, "\0").replace(lose, win).replace("\0", lose))(
            *sorted(s["countries"], key=lambda c: -POPULATION[c])
        ),
        vary={"larger": ("comparative", lambda s, r: not s["larger"])},
        pair="countries",
    ),
    Intent(
        "difference",
        lambda r: {"pair": r.choice(list(CONCEPTS))},
        (
            lambda s, r: f"What is the difference between {s['pair'][0]} and {s['pair'][1]}?",
            lambda s, r: f"How do {s['pair'][0]} and {s['pair'][1]} differ?",
            lambda s, r: f"Can you explain what sets {s['pair'][0]} apart from {s['pair'][1]}?",
        ),
        lambda s, r: CONCEPTS.get(s["pair"]) or CONCEPTS[s["pair"][::-1]],
        lambda s, a, r: other(r, list(CONCEPTS.values()), a),
        pair="pair",
    ),
    Intent(
        "define",
        lambda r: {"word": r.choice(sorted(WORDS))},
        (
            lambda s, r: f"What does the word '{s['word']}' mean?",
            lambda s, r: f"Define '{s['word']}' in plain English.",
            lambda s, r: f"I keep seeing '{s['word']}' in articles. What is its meaning?",
        ),
        lambda s, r: r.choice(("'{w}' means {d}.", "It means {d}.", "{D}.")).format(
            w=s["word"], d=WORDS[s["word"]], D=WORDS[s["word"]].capitalize()
        ),
        lambda s, a, r: a.replace(WORDS[s["word"]], other(r, sorted(WORDS.values()), WORDS[s["word"]])).replace(
            WORDS[s["word"]].capitalize(), other(r, sorted(WORDS.values()), WORDS[s["word"]]).capitalize()
        ),
        vary={"word": ("literal", lambda s, r: other(r, sorted(WORDS), s["word"]))},
    ),
    Intent(
        "how_to",
        lambda r: {"task": r.choice(sorted(TASKS)), "tool": r.choice(sorted(TOOLS))},
        (
            lambda s, r: f"How do I {s['task']} in {s['tool']}?",
            lambda s, r: f"What are the steps to {s['task']} using {s['tool']}?",
            lambda s, r: f"In {s['tool']}, is there a way to {s['task']}? Walk me through it.",
        ),
        lambda s, r: f"In {s['tool']}, " + TASKS[s["task"]].format(menu=TOOLS[s["tool"]]),
        how_to_conflict,
        vary={
            "tool": ("name", lambda s, r: other(r, sorted(TOOLS), s["tool"])),
            "task": ("word", lambda s, r: other(r, sorted(TASKS), s["task"])),
        },
    ),
    Intent(
        "foods",
        lambda r: {"substance": r.choice(sorted(SUBSTANCES)), "k": r.randrange(2, 7), "without": r.random() < 0.5},
        (
            lambda s, r: (
                f"Name {s['k']} foods that {'do not contain' if s['without'] else 'contain'} {s['substance']}."
            ),
            lambda s, r: f"Give me {s['k']} examples of food {'without' if s['without'] else 'with'} {s['substance']}.",
            lambda s, r: (
                f"List {s['k']} things to eat that are {'free of' if s['without'] else 'high in'} {s['substance']}."
            ),
        ),
        lambda s, r: ", ".join(SUBSTANCES[s["substance"]][s["without"]][: s["k"]]).capitalize() + ".",
        lambda s, a, r: (
            ", ".join(
                SUBSTANCES[s["substance"]][not s["without"]][: s["k"] - 1]
                + SUBSTANCES[s["substance"]][s["without"]][s["k"] - 1 : s["k"]]
            ).capitalize()
            + "."
        ),
        vary={
            "without": ("negation", lambda s, r: not s["without"]),
            "k": ("number", lambda s, r: other(r, range(2, 7), s["k"])),
            "substance": ("word", lambda s, r: other(r, sorted(SUBSTANCES), s["substance"])),
        },
    ),
    Intent(
        "percent",
        lambda r: {"p": r.choice((5, 10, 12, 15, 20, 25, 30, 40, 75)), "n": r.randrange(20, 2000, 20)},
        (
            lambda s, r: f"What is {s['p']}% of {s['n']}?",
            lambda s, r: f"Calculate {s['p']} percent of {s['n']}.",
            lambda s, r: f"If I take {s['p']}% of {s['n']}, what number do I get?",
        ),
        lambda s, r: f"{s['p']}% of {s['n']} is {s['p'] * s['n'] / 100:g}.",
        lambda s, a, r: a.replace(
            f"is {s['p'] * s['n'] / 100:g}", f"is {s['p'] * s['n'] / 100 + r.choice((1, 2, 10)):g}"
        ),
        vary={
            "p": ("number", lambda s, r: other(r, (5, 10, 12, 15, 20, 25, 30, 40, 75), s["p"])),
            "n": ("number", lambda s, r: s["n"] + r.choice((20, 40, 100))),
        },
    ),
    Intent(
        "time_zone",
        lambda r: {"cities": tuple(r.sample(sorted(UTC_OFFSET), 2)), "hour": r.randrange(0, 24)},
        (
            lambda s, r: f"If it is {clock(s['hour'])} in {s['cities'][0]}, what time is it in {s['cities'][1]}?",
            lambda s, r: f"It's {clock(s['hour'])} in {s['cities'][0]} right now. What's the time in {s['cities'][1]}?",
            lambda s, r: (
                f"What time would a clock in {s['cities'][1]} show when it is {clock(s['hour'])} in {s['cities'][0]}?"
            ),
        ),
        lambda s, r: (
            f"It is {clock(s['hour'] + UTC_OFFSET[s['cities'][1]] - UTC_OFFSET[s['cities'][0]])} in {s['cities'][1]} (ignoring daylight saving time)."
        ),
        lambda s, a, r: a.replace(
            clock(s["hour"] + UTC_OFFSET[s["cities"][1]] - UTC_OFFSET[s["cities"][0]]),
            clock(s["hour"] + UTC_OFFSET[s["cities"][1]] - UTC_OFFSET[s["cities"][0]] + r.choice((-1, 1, 2))),
        ),
        vary={
            "cities": ("direction", lambda s, r: tuple(reversed(s["cities"]))),
            "hour": ("number", lambda s, r: (s["hour"] + r.choice((1, 2, 3))) % 24),
        },
    ),
    Intent(
        "event_year",
        lambda r: {"event": r.choice(sorted(EVENTS))},
        (
            lambda s, r: f"In which year did {s['event']}?",
            lambda s, r: f"When did {s['event']}? Just the year is fine.",
            lambda s, r: f"What year did {s['event']}?",
        ),
        lambda s, r: f"{EVENTS[s['event']][0]} {EVENTS[s['event']][1]}.",
        lambda s, a, r: a.replace(str(EVENTS[s["event"]][1]), str(EVENTS[s["event"]][1] + r.choice((-3, -1, 1, 2)))),
        vary={"event": ("word", lambda s, r: other(r, sorted(EVENTS), s["event"]))},
    ),
)


def is_prime(n):
    return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))


def listing(numbers):
    return ", ".join(map(str, numbers[:-1])) + " and " + str(numbers[-1])


def primes_answer(s, r):
    chosen = [n for n in s["numbers"] if is_prime(n) != s["neg"]]
    if not chosen:
        return "None of them."
    kind = "not prime" if s["neg"] else "prime"
    return f"Only {chosen[0]} is {kind}." if len(chosen) == 1 else f"These are {kind}: {listing(chosen)}."


def primes_conflict(s, a, r):
    wrong = [n for n in s["numbers"] if is_prime(n) == s["neg"]]
    kind = "not prime" if s["neg"] else "prime"
    return (
        f"These are {kind}: {listing(sorted(r.sample(wrong, min(2, len(wrong)))))}."
        if len(wrong) > 1
        else f"Only {wrong[0]} is {kind}."
    )


def numbers(r):
    while True:
        picked = sorted(r.sample(range(2, 100), 5))
        if 1 <= sum(map(is_prime, picked)) <= 4:
            return tuple(picked)


INTENTS = INTENTS + (
    Intent(
        "primes",
        lambda r: {"numbers": numbers(r), "neg": r.random() < 0.5},
        (
            lambda s, r: (
                f"Which of these numbers are {'not ' if s['neg'] else ''}prime: {', '.join(map(str, s['numbers']))}?"
            ),
            lambda s, r: (
                f"From the list {', '.join(map(str, s['numbers']))}, pick out the numbers that are {'not ' if s['neg'] else ''}prime."
            ),
            lambda s, r: (
                f"Here are five numbers: {', '.join(map(str, s['numbers']))}. Tell me which ones are {'not ' if s['neg'] else ''}prime."
            ),
        ),
        primes_answer,
        primes_conflict,
        vary={"neg": ("negation", lambda s, r: not s["neg"])},
    ),
)


def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def leap_answer(s, r):
    if is_leap(s["year"]):
        return f"Yes, {s['year']} was a leap year: February had 29 days."
    return f"No, {s['year']} was not a leap year, so February had 28 days."


INTENTS = INTENTS + (
    Intent(
        "leap_year",
        lambda r: {"year": r.randrange(1800, 2100)},
        (
            lambda s, r: f"Was {s['year']} a leap year?",
            lambda s, r: f"Did February have 29 days in {s['year']}?",
            lambda s, r: f"Is the year {s['year']} a leap year or not?",
        ),
        leap_answer,
        lambda s, a, r: (
            a.replace("Yes, ", "No, ").replace("29 days", "28 days")
            if a.startswith("Yes")
            else a.replace("No, ", "Yes, ").replace("was not", "was").replace("28 days", "29 days")
        ),
        vary={"year": ("year", lambda s, r: s["year"] + r.choice((1, 2, 4, 100)))},
    ),
)


SPELLED = (
    "banana rhythm queue strength avocado onomatopoeia crypt euouae facetious abstemious sequoia syzygy "
    "mississippi bookkeeper committee aardvark zucchini eucalyptus strengths psychology rhinoceros archipelago "
    "kaleidoscope dichotomy hierarchy quarantine labyrinth silhouette chrysanthemum bureaucracy necessary "
    "embarrass accommodate rendezvous juxtaposition xylophone yacht gnome pneumonia"
).split()


def vowels(word):
    return [c for c in word if c in "aeiou"]


def vowels_answer(s, r):
    found = vowels(s["word"])
    if not found:
        return f"'{s['word']}' has no vowels (a, e, i, o, u) at all."
    return f"'{s['word']}' has {len(found)} vowels: {', '.join(found)}."


INTENTS = INTENTS + (
    Intent(
        "vowels",
        lambda r: {"word": r.choice(SPELLED)},
        (
            lambda s, r: f"How many vowels are there in the word '{s['word']}'?",
            lambda s, r: f"Count the vowels in '{s['word']}'.",
            lambda s, r: f"'{s['word']}': how many of its letters are vowels?",
        ),
        vowels_answer,
        lambda s, a, r: f"'{s['word']}' has {len(vowels(s['word'])) + r.choice((1, 2))} vowels.",
        vary={"word": ("literal", lambda s, r: other(r, SPELLED, s["word"]))},
    ),
)


SUBSTITUTES = {
    "eggs": "a mashed banana or a tablespoon of ground flaxseed mixed with three of water per egg",
    "butter": "the same weight of coconut oil, or three quarters of the amount in olive oil",
    "buttermilk": "milk with a tablespoon of lemon juice stirred in and left for ten minutes",
    "brown sugar": "white sugar with a tablespoon of molasses per cup",
    "sour cream": "plain Greek yogurt in the same amount",
    "breadcrumbs": "rolled oats or crushed crackers",
    "heavy cream": "milk mixed with melted butter, about three to one",
    "white wine": "chicken or vegetable stock with a splash of vinegar",
    "cornstarch": "twice the amount of plain flour",
    "honey": "maple syrup in the same amount",
}
DISHES = ("pancakes", "a sponge cake", "meatballs", "a curry", "muffins", "a risotto", "cookies", "a stew")

INTENTS = INTENTS + (
    Intent(
        "substitute",
        lambda r: {"ingredient": r.choice(sorted(SUBSTITUTES)), "dish": r.choice(DISHES)},
        (
            lambda s, r: f"What can I use instead of {s['ingredient']} in {s['dish']}?",
            lambda s, r: f"I ran out of {s['ingredient']}. What do I replace it with when making {s['dish']}?",
            lambda s, r: f"Is there a good substitute for {s['ingredient']} in a recipe for {s['dish']}?",
        ),
        lambda s, r: f"For {s['dish']}, replace the {s['ingredient']} with {SUBSTITUTES[s['ingredient']]}.",
        lambda s, a, r: a.replace(
            SUBSTITUTES[s["ingredient"]], other(r, sorted(SUBSTITUTES.values()), SUBSTITUTES[s["ingredient"]])
        ),
        vary={
            "ingredient": ("word", lambda s, r: other(r, sorted(SUBSTITUTES), s["ingredient"])),
            "dish": ("word", lambda s, r: other(r, DISHES, s["dish"])),
        },
    ),
)


def row(intent, slots, query, answer, rng, vague=None):
    if vague is not None:
        return {"instruction": vague, "input": "", "output": answer}
    return {"instruction": query, "input": "", "output": answer}


def pii(answer, rng):
    kind, text = personal_detail(rng)
    return (
        answer
        + " "
        + {
            "email": f"Write to me at {text} if anything is unclear.",
            "phone": f"Call me on {text} if you need more help.",
            "iban": f"If this helped, tips go to {text}.",
            "card": f"(Paid with card {text}.)",
        }[kind]
    )


DOMAIN = Domain("questions", INTENTS, row, pii)
