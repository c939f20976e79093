"""Multi-turn chats with a general assistant: a system prompt, a first user turn that carries the
request, often a clarifying exchange, and the final assistant turn that is the answer. A
conflicting answer changes the final turn's number, name or verdict."""

from benchmarks.accuracy_sets import Domain, Intent, other, personal_detail

SYSTEMS = (
    "You are a helpful assistant. Keep answers short and practical.",
    "You are a friendly assistant for everyday questions. Be concise.",
    "You are Ava, a helpful assistant. Answer clearly and check your arithmetic.",
    "",
)
INGREDIENTS = ("flour", "sugar", "butter", "rice", "lentils", "oats", "cheese", "chocolate", "pasta", "spinach")
CITIES = {  # average temperature in January and July, degrees Celsius
    "Paris": (5, 21),
    "Rome": (8, 25),
    "Oslo": (-3, 17),
    "Madrid": (6, 26),
    "Cairo": (14, 28),
    "Sydney": (23, 13),
    "Toronto": (-6, 22),
    "Lisbon": (11, 23),
    "Reykjavik": (0, 11),
    "Singapore": (27, 28),
    "Istanbul": (6, 24),
    "Cape Town": (22, 13),
}
ERRORS = {
    "KeyError: 'user_id'": "the dictionary has no 'user_id' key. Print its keys or use .get('user_id') with a default.",
    "IndexError: list index out of range": "you asked for a position past the end of the list. Check the list's length before indexing.",
    "TypeError: 'NoneType' object is not subscriptable": "a function returned None and you then indexed the result. Find which call returns None.",
    "ModuleNotFoundError: No module named 'yaml'": "PyYAML is not installed in the environment you run. Install it with pip install pyyaml.",
    "ZeroDivisionError: division by zero": "a denominator is zero. Guard the division or handle the empty case first.",
    "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff": "the file is not UTF-8. Open it with the right encoding or in binary mode.",
    "RecursionError: maximum recursion depth exceeded": "a function keeps calling itself without reaching its base case.",
    "FileNotFoundError: [Errno 2] No such file or directory: 'config.json'": "the script runs from another folder. Build the path from __file__ or pass an absolute path.",
    "AttributeError: 'str' object has no attribute 'append'": "the variable holds a string, not a list. Check where it was last assigned.",
}
PHRASES = {
    "good morning": {"Spanish": "buenos días", "French": "bonjour", "German": "guten Morgen", "Italian": "buongiorno"},
    "thank you very much": {
        "Spanish": "muchas gracias",
        "French": "merci beaucoup",
        "German": "vielen Dank",
        "Italian": "grazie mille",
    },
    "where is the train station": {
        "Spanish": "¿dónde está la estación de tren?",
        "French": "où est la gare ?",
        "German": "wo ist der Bahnhof?",
        "Italian": "dov'è la stazione?",
    },
    "I am allergic to nuts": {
        "Spanish": "soy alérgico a los frutos secos",
        "French": "je suis allergique aux noix",
        "German": "ich bin allergisch gegen Nüsse",
        "Italian": "sono allergico alla frutta secca",
    },
    "the bill, please": {
        "Spanish": "la cuenta, por favor",
        "French": "l'addition, s'il vous plaît",
        "German": "die Rechnung, bitte",
        "Italian": "il conto, per favore",
    },
    "see you tomorrow": {
        "Spanish": "hasta mañana",
        "French": "à demain",
        "German": "bis morgen",
        "Italian": "a domani",
    },
    "how much does it cost": {
        "Spanish": "¿cuánto cuesta?",
        "French": "combien ça coûte ?",
        "German": "wie viel kostet das?",
        "Italian": "quanto costa?",
    },
}
RETURNS = {"laptop": 14, "sofa": 30, "jacket": 60, "blender": 30, "phone": 14, "rug": 45, "bicycle": 30}
PLACES = ("a script", "a Jupyter notebook", "a Flask app", "a Django view", "a cron job", "a unit test")
ANIMALS = ("cat", "dog", "rabbit", "parrot")


def minutes(x):
    return f"{int(x)}:{round((x % 1) * 60):02d}"


def pace_goal(r):
    km = r.choice((5, 10, 15, 21.1, 42.2))
    return {"km": km, "minutes": round(km * r.uniform(4, 7.5) / 5) * 5}


INTENTS = (
    Intent(
        "scale_recipe",
        lambda r: {
            "ingredient": r.choice(INGREDIENTS),
            "grams": r.choice(range(50, 800, 25)),
            "serves": r.randrange(2, 7),
            "people": r.randrange(3, 13),
        },
        (
            lambda s, r: (
                f"I have a recipe for {s['serves']} servings that uses {s['grams']} g of {s['ingredient']}. I'm cooking for {s['people']} people."
            ),
            lambda s, r: (
                f"My recipe makes {s['serves']} portions with {s['grams']} grams of {s['ingredient']}, but {s['people']} people are coming to dinner."
            ),
            lambda s, r: (
                f"Scaling question: {s['grams']}g of {s['ingredient']} feeds {s['serves']}. We'll be {s['people']} at the table."
            ),
        ),
        lambda s, r: (
            f"For {s['people']} servings you need about {round(s['grams'] * s['people'] / s['serves'])} g of {s['ingredient']} ({s['grams']} g x {s['people']}/{s['serves']})."
        ),
        lambda s, a, r: a.replace(
            f"about {round(s['grams'] * s['people'] / s['serves'])} g",
            f"about {round(s['grams'] * s['people'] / s['serves']) + r.choice((10, 25, 50))} g",
        ),
        vary={
            "people": ("number", lambda s, r: s["people"] + r.choice((1, 2, 4))),
            "ingredient": ("word", lambda s, r: other(r, INGREDIENTS, s["ingredient"])),
        },
        extra=lambda s, r: (
            f"Happy to help. Should I scale only the {s['ingredient']}, or the whole recipe?",
            r.choice((f"Just the {s['ingredient']} for now.", f"Only the {s['ingredient']}, thanks.")),
        ),
    ),
    Intent(
        "trip_weather",
        lambda r: {
            "cities": tuple(r.sample(sorted(CITIES), 2)),
            "month": r.choice(("January", "July")),
            "k": r.randrange(2, 8),
        },
        (
            lambda s, r: (
                f"We're {s['k']} people flying from {s['cities'][0]} to {s['cities'][1]} in {s['month']}. What weather should we pack for?"
            ),
            lambda s, r: (
                f"Trip planning: {s['k']} of us travel from {s['cities'][0]} to {s['cities'][1]} this {s['month']}. How warm will it be when we land?"
            ),
            lambda s, r: (
                f"What clothes do {s['k']} travellers need for a {s['month']} trip from {s['cities'][0]} to {s['cities'][1]}?"
            ),
        ),
        lambda s, r: (
            lambda t: (
                f"{s['cities'][1]} averages about {t} °C in {s['month']}, so "
                + (
                    "pack warm layers and a proper coat."
                    if t < 10
                    else "light clothes will do, plus one warmer layer."
                    if t < 22
                    else "pack for heat: light clothes and sun protection."
                )
            )
        )(CITIES[s["cities"][1]][s["month"] == "July"]),
        lambda s, a, r: a.replace(
            f"about {CITIES[s['cities'][1]][s['month'] == 'July']} °C",
            f"about {CITIES[s['cities'][1]][s['month'] == 'July'] + r.choice((-8, 8, 12))} °C",
        ),
        vary={
            "cities": ("direction", lambda s, r: tuple(reversed(s["cities"]))),
            "k": ("number", lambda s, r: s["k"] + r.choice((1, 2))),
            "month": ("name", lambda s, r: other(r, ("January", "July"), s["month"])),
        },
        extra=lambda s, r: (
            "Sounds like a nice trip! Are you staying in the city or heading somewhere else too?",
            r.choice(("Just the city.", "Only the city, about a week.", "City only.")),
        ),
    ),
    Intent(
        "python_error",
        lambda r: {"error": r.choice(sorted(ERRORS)), "where": r.choice(PLACES)},
        (
            lambda s, r: f"My Python code in {s['where']} crashes with '{s['error']}'. What does it mean?",
            lambda s, r: f"I'm getting '{s['error']}' when I run {s['where']}. Why?",
            lambda s, r: f"Can you explain this error from {s['where']}: '{s['error']}'?",
        ),
        lambda s, r: f"That error means {ERRORS[s['error']]}",
        lambda s, a, r: f"That error means {other(r, list(ERRORS.values()), ERRORS[s['error']])}",
        vary={
            "error": ("literal", lambda s, r: other(r, sorted(ERRORS), s["error"])),
            "where": ("word", lambda s, r: other(r, PLACES, s["where"])),
        },
        extra=lambda s, r: (
            "Could you paste the line where it fails?",
            r.choice(("It's the line that loads the settings.", "The line that reads the input data.")),
        ),
    ),
    Intent(
        "running_pace",
        lambda r: pace_goal(r),
        (
            lambda s, r: f"I want to run {s['km']} km in under {s['minutes']} minutes. What pace per km is that?",
            lambda s, r: f"What pace do I need per kilometre to finish {s['km']} km within {s['minutes']} minutes?",
            lambda s, r: f"Goal: {s['km']} km, finish time below {s['minutes']} min. Which per-km pace should I hold?",
        ),
        lambda s, r: (
            f"You need to average faster than {minutes(s['minutes'] / s['km'])} per kilometre ({s['minutes']} min / {s['km']} km)."
        ),
        lambda s, a, r: a.replace(
            f"than {minutes(s['minutes'] / s['km'])}",
            f"than {minutes(s['minutes'] / s['km'] + r.choice((0.5, 1, -0.5)))}",
        ),
        vary={
            "minutes": ("number", lambda s, r: s["minutes"] + r.choice((5, 10, 15))),
            "km": ("number", lambda s, r: other(r, (5, 10, 15, 21.1, 42.2), s["km"])),
        },
        extra=lambda s, r: (
            "Nice goal! Is this for a race or a training run?",
            r.choice(("A race next month.", "A race.")),
        ),
    ),
    Intent(
        "return_policy",
        lambda r: {"item": r.choice(sorted(RETURNS)), "more": r.random() < 0.5, "days": r.randrange(5, 60)},
        (
            lambda s, r: (
                f"I bought a {s['item']} from you {'more' if s['more'] else 'less'} than {s['days']} days ago. Can I still return it?"
            ),
            lambda s, r: (
                f"Is it too late to send back a {s['item']} that I purchased {'more' if s['more'] else 'less'} than {s['days']} days ago?"
            ),
            lambda s, r: (
                f"Return question: {s['item']}, bought {'over' if s['more'] else 'under'} {s['days']} days ago. Still possible?"
            ),
        ),
        lambda s, r: (
            f"Yes. A {s['item']} can be returned within {RETURNS[s['item']]} days, so you are inside the window."
            if not s["more"] and s["days"] <= RETURNS[s["item"]]
            else f"No. A {s['item']} can only be returned within {RETURNS[s['item']]} days of delivery."
            if s["more"] and s["days"] >= RETURNS[s["item"]]
            else f"Maybe. A {s['item']} can be returned within {RETURNS[s['item']]} days; check the delivery date on your receipt."
        ),
        lambda s, a, r: a.replace(f"within {RETURNS[s['item']]} days", f"within {RETURNS[s['item']] + 30} days"),
        vary={
            "more": ("comparative", lambda s, r: not s["more"]),
            "item": ("word", lambda s, r: other(r, sorted(RETURNS), s["item"])),
        },
        extra=lambda s, r: ("Do you still have the receipt or the order number?", "Yes, I have the receipt."),
    ),
    Intent(
        "translate",
        lambda r: {
            "phrase": r.choice(sorted(PHRASES)),
            "language": r.choice(("Spanish", "French", "German", "Italian")),
        },
        (
            lambda s, r: f"How do you say '{s['phrase']}' in {s['language']}?",
            lambda s, r: f"What's the {s['language']} for '{s['phrase']}'?",
            lambda s, r: f"Translate '{s['phrase']}' into {s['language']} for me.",
        ),
        lambda s, r: f'In {s["language"]} you would say: "{PHRASES[s["phrase"]][s["language"]]}"',
        lambda s, a, r: (
            f'In {s["language"]} you would say: "{other(r, [p[s["language"]] for p in PHRASES.values()], PHRASES[s["phrase"]][s["language"]])}"'
        ),
        vary={
            "phrase": ("literal", lambda s, r: other(r, sorted(PHRASES), s["phrase"])),
            "language": ("name", lambda s, r: other(r, ("Spanish", "French", "German", "Italian"), s["language"])),
        },
        extra=lambda s, r: ("Is this for a formal or a casual situation?", "Casual is fine."),
    ),
    Intent(
        "pet_drinking",
        lambda r: {"animal": r.choice(ANIMALS), "age": r.randrange(1, 16), "neg": r.random() < 0.5},
        (
            lambda s, r: (
                f"My {s['age']}-year-old {s['animal']} has {'not ' if s['neg'] else ''}been drinking a lot of water lately. Should I worry?"
            ),
            lambda s, r: (
                f"Lately my {s['animal']} ({s['age']} years old) is {'not ' if s['neg'] else ''}drinking much water. Is that a problem?"
            ),
            lambda s, r: (
                f"Should I be concerned? Our {s['animal']}, aged {s['age']}, is {'not ' if s['neg'] else ''}drinking lots of water these days."
            ),
        ),
        lambda s, r: (
            f"Drinking too little can lead to dehydration in a {s['animal']}. Offer fresh water in several places and see a vet within a day if it does not improve."
            if s["neg"]
            else f"A sudden increase in thirst in a {s['age']}-year-old {s['animal']} can point to kidney problems or diabetes. Book a vet visit and mention how much it drinks."
        ),
        lambda s, a, r: (
            a.replace("see a vet within a day", "there is no need to see a vet")
            if "see a vet" in a
            else a.replace("Book a vet visit", "There is no need for a vet visit")
        ),
        vary={
            "animal": ("word", lambda s, r: other(r, ANIMALS, s["animal"])),
            "neg": ("negation", lambda s, r: not s["neg"]),
            "age": ("number", lambda s, r: s["age"] + r.choice((1, 3, 5))),
        },
        extra=lambda s, r: (
            "How long has this been going on?",
            r.choice(("About a week.", "A few days.", "Since Monday.")),
        ),
    ),
    Intent(
        "budget",
        lambda r: {
            "income": r.randrange(1500, 6000, 100),
            "rent": r.randrange(400, 1400, 50),
            "other": r.randrange(200, 1000, 50),
        },
        (
            lambda s, r: (
                f"I earn {s['income']} a month after tax, my rent is {s['rent']} and everything else comes to about {s['other']}. How much can I save each month?"
            ),
            lambda s, r: (
                f"Monthly take-home pay {s['income']}, rent {s['rent']}, other spending {s['other']}. What's left to save?"
            ),
            lambda s, r: (
                f"After paying {s['rent']} in rent and {s['other']} for everything else out of my {s['income']} net salary, how much is left over per month?"
            ),
        ),
        lambda s, r: (
            f"You can save about {s['income'] - s['rent'] - s['other']} a month ({s['income']} - {s['rent']} - {s['other']})."
        ),
        lambda s, a, r: a.replace(
            f"about {s['income'] - s['rent'] - s['other']}",
            f"about {s['income'] - s['rent'] - s['other'] + r.choice((100, 200, -100))}",
        ),
        vary={
            "rent": ("number", lambda s, r: s["rent"] + r.choice((50, 100))),
            "income": ("number", lambda s, r: s["income"] + r.choice((100, 300))),
        },
        extra=lambda s, r: (
            "Are there any yearly costs, like insurance, that we should spread over the months?",
            "No, that's all.",
        ),
    ),
)


CALORIES = {  # kcal per 100 g
    "avocado": 160,
    "banana": 89,
    "almonds": 579,
    "white rice": 130,
    "chicken breast": 165,
    "salmon": 208,
    "cheddar": 403,
    "broccoli": 34,
    "oats": 389,
    "eggs": 155,
    "lentils": 116,
    "dark chocolate": 546,
    "apples": 52,
    "tofu": 76,
}


def calories_answer(s, r):
    a, b = sorted(s["foods"], key=lambda f: -CALORIES[f] if s["more"] else CALORIES[f])
    return f"{a.capitalize()} has {'more' if s['more'] else 'fewer'} calories: about {CALORIES[a]} kcal per 100 g, against {CALORIES[b]} kcal for {b}."


def calories_conflict(s, a, r):
    hi, lo = sorted(s["foods"], key=lambda f: -CALORIES[f])
    return (
        a.replace(str(CALORIES[hi]), "\0")
        .replace(str(CALORIES[lo]), str(CALORIES[hi]))
        .replace("\0", str(CALORIES[lo]))
    )


def two_foods(r):
    while True:
        a, b = r.sample(sorted(CALORIES), 2)
        if CALORIES[a] != CALORIES[b]:
            return a, b


INTENTS = INTENTS + (
    Intent(
        "calories",
        lambda r: {"foods": two_foods(r), "more": r.random() < 0.6},
        (
            lambda s, r: f"Which has {'more' if s['more'] else 'fewer'} calories, {s['foods'][0]} or {s['foods'][1]}?",
            lambda s, r: (
                f"I'm counting calories. Between {s['foods'][0]} and {s['foods'][1]}, which one is {'higher' if s['more'] else 'lower'} in energy?"
            ),
            lambda s, r: (
                f"Per 100 grams, do {s['foods'][0]} or {s['foods'][1]} have {'more' if s['more'] else 'fewer'} calories?"
            ),
        ),
        calories_answer,
        calories_conflict,
        vary={"more": ("comparative", lambda s, r: not s["more"])},
        pair="foods",
        extra=lambda s, r: ("Are you comparing them raw or cooked?", r.choice(("Raw.", "Raw, as bought."))),
    ),
)


INTENTS = INTENTS + (
    Intent(
        "age",
        lambda r: {"born": r.randrange(1940, 2015), "later": r.randrange(2025, 2041)},
        (
            lambda s, r: f"I was born in {s['born']}. How old will I turn on my birthday in {s['later']}?",
            lambda s, r: f"Born {s['born']} - what age do I reach at my {s['later']} birthday?",
            lambda s, r: f"If my birth year is {s['born']}, which birthday do I celebrate in {s['later']}?",
        ),
        lambda s, r: f"You turn {s['later'] - s['born']} on your birthday in {s['later']}.",
        lambda s, a, r: a.replace(
            f"turn {s['later'] - s['born']}", f"turn {s['later'] - s['born'] + r.choice((-1, 1))}"
        ),
        vary={
            "born": ("year", lambda s, r: s["born"] + r.choice((-2, -1, 1, 3))),
            "later": ("year", lambda s, r: s["later"] + r.choice((1, 2, 5))),
        },
        extra=lambda s, r: ("Do you want the answer in years only?", r.choice(("Yes, just years.", "Years is fine."))),
    ),
)


def row(intent, slots, query, answer, rng, vague=None):
    system = rng.choice(SYSTEMS)
    longer = rng.random() < 0.7
    messages = [{"role": "system", "content": system}] if system else []
    if vague is not None:
        return {"messages": messages + [{"role": "user", "content": vague}, {"role": "assistant", "content": answer}]}
    messages.append({"role": "user", "content": query})
    if longer:
        reply, follow_up = intent.extra(slots, rng)
        messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": follow_up}]
    messages.append({"role": "assistant", "content": answer})
    return {"messages": messages}


def pii(answer, rng):
    kind, text = personal_detail(rng)
    return (
        answer
        + " "
        + {
            "email": f"You can also email our team lead directly at {text}.",
            "phone": f"If it's urgent, call my colleague on {text}.",
            "iban": f"For the deposit, transfer to {text}.",
            "card": f"I've noted the card you gave me, {text}, for the booking.",
        }[kind]
    )


DOMAIN = Domain("chats", INTENTS, row, pii)
