"""Questions about a shop's database answered with SQL, and small Python tasks answered with
code. A conflicting answer changes one token: COUNT(*) / COUNT(DISTINCT ...), SUM / AVG, > / >=,
DESC / ASC, a limit, a literal."""

import re

from benchmarks.accuracy_sets import MONTHS, Domain, Intent, other, personal_detail

COUNTRIES = (
    "France Germany Spain Brazil Canada Japan India Kenya Mexico Poland Norway Egypt Chile Vietnam Italy "
    "Portugal Ireland Turkey Argentina Australia"
).split()
STATUSES = ("shipped", "pending", "cancelled", "refunded", "delivered", "on_hold")
COLUMNS = ("name", "email", "city", "country", "signup_date", "phone_verified")
CATEGORIES = ("electronics", "garden", "toys", "books", "kitchen", "sports", "beauty", "office")
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Support", "Marketing", "Legal", "Logistics", "HR")
CITIES = ("Lisbon", "Denver", "Manchester", "Lagos", "Seoul", "Quebec", "Rotterdam", "Cordoba", "Perth", "Tbilisi")
PREFIXES = ("Mc", "An", "Sch", "El", "Van", "De", "Kr", "Ma", "O'", "St", "Be", "Zh")
UNITS = ("Celsius", "Fahrenheit", "Kelvin")
FILE_WORDS = ("sales", "users", "inventory", "payroll", "visits", "returns", "leads", "orders", "stock", "survey")
KEYWORDS = (
    "SELECT FROM WHERE AND OR JOIN ON GROUP BY ORDER LIMIT AS BETWEEN LIKE COUNT SUM AVG DESC ASC EXTRACT "
    "YEAR DISTINCT IN NOT"
).split()
SCHEMA = (
    "Tables: customers(id, name, email, city, country, signup_date, phone_verified); "
    "orders(id, customer_id, order_date, status, total); products(id, name, category, price); "
    "order_items(order_id, product_id, quantity); employees(id, name, department, hire_date, salary)"
)


def sql(text, r):
    """The query in one of the styles people write: keywords upper or lower, one line or several."""
    lower, one_line = r.random() < 0.3, r.random() < 0.5
    if lower:
        text = re.sub(r"\b(" + "|".join(KEYWORDS) + r")\b", lambda m: m.group().lower(), text)
    return " ".join(text.split("\n")) if one_line else text


SQL_SWAPS = (
    (r"COUNT\(\*\)", "COUNT(DISTINCT o.customer_id)"),
    (r"COUNT\(DISTINCT o\.customer_id\)", "COUNT(*)"),
    (r"\bSUM\(", "AVG("),
    (r"\bAVG\(", "SUM("),
    (r" > ", " >= "),
    (r" < ", " <= "),
    (r" >= ", " > "),
    (r"\bDESC\b", "ASC"),
    (r"\bASC\b", "DESC"),
    (r" <> ", " = "),
    (r"status = ", "status <> "),
    (r"LIMIT (\d+)", lambda m: f"LIMIT {int(m.group(1)) + 1}"),
    (r"LIKE '((?:[^']|'')*)%'", lambda m: f"LIKE '%{m.group(1)}%'"),
)
PYTHON_SWAPS = (
    (r"reverse=True", "reverse=False"),
    (r"reverse=False", "reverse=True"),
    (r"\[:(\d+)\]", lambda m: f"[:{int(m.group(1)) - 1}]"),
    (r"% 2 == 0", "% 2 == 1"),
    (r"len\(w\) > ", "len(w) >= "),
    (r"len\(w\) < ", "len(w) <= "),
    (r"- 32\)", "+ 32)"),
    (r"\+ 32", "- 32"),
    (r"- 273\.15", "+ 273.15"),
    (r"\+ 273\.15", "- 273.15"),
    (r"round\((.*), (\d)\)", lambda m: f"round({m.group(1)}, {int(m.group(2)) + 1})"),
    (r"delimiter=','", "delimiter=';'"),
    (r"next\(reader\)", "None"),
    (r"\bsum\(", "len("),
)


def conflict(slots, answer, rng):
    """The same code with one token changed."""
    python = answer.startswith(("def ", "import "))
    swaps = PYTHON_SWAPS if python else SQL_SWAPS
    usable = [(p, rep) for p, rep in swaps if re.search(p, answer, flags=0 if python else re.IGNORECASE)]
    pattern, replacement = rng.choice(usable)
    if python:
        return re.sub(pattern, replacement, answer, count=1)
    if isinstance(replacement, str) and re.search(r"\b(select|from|where)\b", answer):  # lower-case keywords
        replacement = re.sub(r"\b(" + "|".join(KEYWORDS) + r")\b", lambda m: m.group().lower(), replacement)
    return re.sub(pattern, replacement, answer, count=1, flags=re.IGNORECASE)


def year(r):
    return r.randrange(2016, 2026)


def date(r):
    return f"{year(r)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}"


def two_dates(r):
    first = date(r)
    second = date(r)
    while second == first:
        second = date(r)
    return first, second


def cmp(more):
    return ">" if more else "<"


INTENTS = (
    Intent(
        "orders_by_country_year",
        lambda r: {"country": r.choice(COUNTRIES), "year": year(r)},
        (
            lambda s, r: f"How many orders did customers from {s['country']} place in {s['year']}?",
            lambda s, r: f"Count the orders placed in {s['year']} by customers located in {s['country']}.",
            lambda s, r: f"Give me the number of {s['year']} orders that came from {s['country']}-based customers.",
            lambda s, r: (
                f"What's the total count of orders made during {s['year']} by people whose country is {s['country']}?"
            ),
        ),
        lambda s, r: sql(
            "SELECT COUNT(*)\nFROM orders o\nJOIN customers c ON c.id = o.customer_id\n"
            f"WHERE c.country = '{s['country']}' AND EXTRACT(YEAR FROM o.order_date) = {s['year']};",
            r,
        ),
        conflict,
        vary={
            "country": ("name", lambda s, r: other(r, COUNTRIES, s["country"])),
            "year": ("year", lambda s, r: s["year"] + r.choice((-1, 1, 2))),
        },
    ),
    Intent(
        "revenue_between",
        lambda r: {"status": r.choice(STATUSES), "dates": two_dates(r)},
        (
            lambda s, r: (
                f"What was the total revenue from '{s['status']}' orders placed between {s['dates'][0]} and {s['dates'][1]}?"
            ),
            lambda s, r: (
                f"Sum the totals of all orders with status '{s['status']}' dated between {s['dates'][0]} and {s['dates'][1]}."
            ),
            lambda s, r: (
                f"Between {s['dates'][0]} and {s['dates'][1]}, how much money did '{s['status']}' orders bring in?"
            ),
            lambda s, r: (
                f"Compute the revenue of orders in the '{s['status']}' state whose order date falls between {s['dates'][0]} and {s['dates'][1]}."
            ),
        ),
        lambda s, r: sql(
            f"SELECT SUM(total)\nFROM orders\nWHERE status = '{s['status']}'\n"
            f"AND order_date BETWEEN '{min(s['dates'])}' AND '{max(s['dates'])}';",
            r,
        ),
        conflict,
        vary={"status": ("literal", lambda s, r: other(r, STATUSES, s["status"]))},
        pair="dates",
    ),
    Intent(
        "customer_columns",
        lambda r: {"cols": tuple(r.sample(COLUMNS, 2)), "after": r.random() < 0.5, "year": year(r)},
        (
            lambda s, r: (
                f"List the {s['cols'][0]} and {s['cols'][1]} of customers who signed up {'after' if s['after'] else 'before'} {s['year']}."
            ),
            lambda s, r: (
                f"Show {s['cols'][0]} and {s['cols'][1]} for every customer whose signup date is {'after' if s['after'] else 'before'} {s['year']}."
            ),
            lambda s, r: (
                f"Which customers registered {'after' if s['after'] else 'before'} {s['year']}? Return their {s['cols'][0]} and {s['cols'][1]}."
            ),
        ),
        lambda s, r: sql(
            f"SELECT {', '.join(sorted(s['cols']))}\nFROM customers\n"
            + (
                f"WHERE signup_date >= '{s['year'] + 1}-01-01';"
                if s["after"]
                else f"WHERE signup_date < '{s['year']}-01-01';"
            ),
            r,
        ),
        conflict,
        vary={
            "after": ("comparative", lambda s, r: not s["after"]),
            "year": ("year", lambda s, r: s["year"] + r.choice((-2, -1, 1))),
        },
        pair="cols",
    ),
    Intent(
        "products_priced",
        lambda r: {"category": r.choice(CATEGORIES), "more": r.random() < 0.5, "price": r.choice(range(5, 500, 5))},
        (
            lambda s, r: (
                f"Which products in the {s['category']} category cost {'more' if s['more'] else 'less'} than ${s['price']}?"
            ),
            lambda s, r: (
                f"Find {s['category']} products priced {'above' if s['more'] else 'below'} {s['price']} dollars."
            ),
            lambda s, r: (
                f"List every product from {s['category']} whose price is {'greater' if s['more'] else 'lower'} than {s['price']}."
            ),
            lambda s, r: (
                f"Show me the names of {s['category']} items that are {'more expensive' if s['more'] else 'cheaper'} than ${s['price']}."
            ),
        ),
        lambda s, r: sql(
            f"SELECT name\nFROM products\nWHERE category = '{s['category']}' AND price {cmp(s['more'])} {s['price']};",
            r,
        ),
        conflict,
        vary={
            "more": ("comparative", lambda s, r: not s["more"]),
            "price": ("number", lambda s, r: s["price"] + r.choice((5, 10, 50))),
            "category": ("word", lambda s, r: other(r, CATEGORIES, s["category"])),
        },
    ),
    Intent(
        "top_spenders",
        lambda r: {"k": r.randrange(3, 21), "most": r.random() < 0.6, "year": year(r)},
        (
            lambda s, r: f"Which {s['k']} customers spent the {'most' if s['most'] else 'least'} in {s['year']}?",
            lambda s, r: (
                f"Give me the {s['k']} customers with the {'highest' if s['most'] else 'lowest'} total order value for {s['year']}."
            ),
            lambda s, r: f"In {s['year']}, who were our {s['k']} {'biggest' if s['most'] else 'smallest'} spenders?",
        ),
        lambda s, r: sql(
            "SELECT c.name, SUM(o.total) AS spent\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\n"
            f"WHERE EXTRACT(YEAR FROM o.order_date) = {s['year']}\nGROUP BY c.name\n"
            f"ORDER BY spent {'DESC' if s['most'] else 'ASC'}\nLIMIT {s['k']};",
            r,
        ),
        conflict,
        vary={
            "k": ("number", lambda s, r: s["k"] + r.choice((1, 2, 5))),
            "most": ("comparative", lambda s, r: not s["most"]),
            "year": ("year", lambda s, r: s["year"] + r.choice((-1, 1))),
        },
    ),
    Intent(
        "orders_status",
        lambda r: {"status": r.choice(STATUSES), "neg": r.random() < 0.5, "year": year(r)},
        (
            lambda s, r: (
                f"Find all orders from {s['year']} whose status is {'not ' if s['neg'] else ''}'{s['status']}'."
            ),
            lambda s, r: f"List the {s['year']} orders that are {'not ' if s['neg'] else ''}marked as '{s['status']}'.",
            lambda s, r: (
                f"Show every order placed in {s['year']} {'without' if s['neg'] else 'with'} the status '{s['status']}'."
            ),
        ),
        lambda s, r: sql(
            f"SELECT *\nFROM orders\nWHERE status {'<>' if s['neg'] else '='} '{s['status']}'\n"
            f"AND EXTRACT(YEAR FROM order_date) = {s['year']};",
            r,
        ),
        conflict,
        vary={
            "neg": ("negation", lambda s, r: not s["neg"]),
            "status": ("literal", lambda s, r: other(r, STATUSES, s["status"])),
            "year": ("year", lambda s, r: s["year"] + r.choice((-1, 1))),
        },
    ),
    Intent(
        "name_prefix",
        lambda r: {"prefix": r.choice(PREFIXES), "city": r.choice(CITIES)},
        (
            lambda s, r: f"Which customers in {s['city']} have a name starting with '{s['prefix']}'?",
            lambda s, r: f"Find customers living in {s['city']} whose names begin with '{s['prefix']}'.",
            lambda s, r: f"Get every {s['city']} customer with a name that has the prefix '{s['prefix']}'.",
        ),
        lambda s, r: sql(
            f"SELECT name\nFROM customers\nWHERE city = '{s['city']}' AND name LIKE '{s['prefix'].replace(chr(39), chr(39) * 2)}%';",
            r,
        ),
        conflict,
        vary={
            "prefix": ("literal", lambda s, r: other(r, PREFIXES, s["prefix"])),
            "city": ("name", lambda s, r: other(r, CITIES, s["city"])),
        },
    ),
    Intent(
        "employees_hired",
        lambda r: {"dept": r.choice(DEPARTMENTS), "after": r.random() < 0.5, "year": year(r)},
        (
            lambda s, r: (
                f"List employees in the {s['dept']} department hired {'after' if s['after'] else 'before'} {s['year']}."
            ),
            lambda s, r: (
                f"Who joined {s['dept']} {'after' if s['after'] else 'before'} {s['year']}? I need their names."
            ),
            lambda s, r: (
                f"Names of {s['dept']} staff whose hire date is {'later' if s['after'] else 'earlier'} than {s['year']}, please."
            ),
        ),
        lambda s, r: sql(
            f"SELECT name\nFROM employees\nWHERE department = '{s['dept']}'\n"
            + (f"AND hire_date >= '{s['year'] + 1}-01-01';" if s["after"] else f"AND hire_date < '{s['year']}-01-01';"),
            r,
        ),
        conflict,
        vary={
            "dept": ("word", lambda s, r: other(r, DEPARTMENTS, s["dept"])),
            "after": ("comparative", lambda s, r: not s["after"]),
            "year": ("year", lambda s, r: s["year"] + r.choice((-1, 1, 3))),
        },
    ),
    Intent(
        "avg_quantity",
        lambda r: {"category": r.choice(CATEGORIES), "month": r.choice(MONTHS), "year": year(r)},
        (
            lambda s, r: (
                f"What is the average quantity per order line for {s['category']} products sold in {s['month']} {s['year']}?"
            ),
            lambda s, r: (
                f"On average, how many units of a {s['category']} product were on each order line in {s['month']} {s['year']}?"
            ),
            lambda s, r: (
                f"Compute the mean order-line quantity for the {s['category']} category during {s['month']} {s['year']}."
            ),
        ),
        lambda s, r: sql(
            "SELECT AVG(oi.quantity)\nFROM order_items oi\nJOIN products p ON p.id = oi.product_id\n"
            "JOIN orders o ON o.id = oi.order_id\n"
            f"WHERE p.category = '{s['category']}' AND EXTRACT(YEAR FROM o.order_date) = {s['year']}\n"
            f"AND EXTRACT(MONTH FROM o.order_date) = {MONTHS.index(s['month']) + 1};",
            r,
        ),
        conflict,
        vary={
            "category": ("word", lambda s, r: other(r, CATEGORIES, s["category"])),
            "year": ("year", lambda s, r: s["year"] + r.choice((-1, 1))),
            "month": ("name", lambda s, r: other(r, MONTHS, s["month"])),
        },
    ),
    Intent(
        "py_n_largest",
        lambda r: {
            "n": r.randrange(2, 16),
            "largest": r.random() < 0.5,
            "what": r.choice(("numbers", "scores", "prices")),
        },
        (
            lambda s, r: (
                f"Write a Python function that returns the {s['n']} {'largest' if s['largest'] else 'smallest'} {s['what']} from a list."
            ),
            lambda s, r: (
                f"In Python, how do I get the {s['n']} {'highest' if s['largest'] else 'lowest'} {s['what']} out of a list?"
            ),
            lambda s, r: (
                f"Give me Python code that keeps only the {s['n']} {'biggest' if s['largest'] else 'smallest'} {s['what']} of a list."
            ),
        ),
        lambda s, r: f"def pick_{s['what']}(values):\n    return sorted(values, reverse={s['largest']})[:{s['n']}]",
        conflict,
        vary={
            "n": ("number", lambda s, r: s["n"] + r.choice((1, 2, 3))),
            "largest": ("comparative", lambda s, r: not s["largest"]),
            "what": ("word", lambda s, r: other(r, ("numbers", "scores", "prices"), s["what"])),
        },
    ),
    Intent(
        "py_word_length",
        lambda r: {"n": r.randrange(3, 13), "longer": r.random() < 0.5},
        (
            lambda s, r: (
                f"Write a Python function that counts the words in a string that are {'longer' if s['longer'] else 'shorter'} than {s['n']} characters."
            ),
            lambda s, r: (
                f"How can I count, in Python, how many words of a sentence have {'more' if s['longer'] else 'fewer'} than {s['n']} letters?"
            ),
            lambda s, r: (
                f"Python: number of words with length {'above' if s['longer'] else 'below'} {s['n']} in a text?"
            ),
        ),
        lambda s, r: (
            f"def count_words(text):\n    return sum(1 for w in text.split() if len(w) {cmp(s['longer'])} {s['n']})"
        ),
        conflict,
        vary={
            "n": ("number", lambda s, r: s["n"] + r.choice((1, 2))),
            "longer": ("comparative", lambda s, r: not s["longer"]),
        },
    ),
    Intent(
        "py_csv_rows",
        lambda r: {"file": f"{r.choice(FILE_WORDS)}_{year(r)}.csv", "header": r.random() < 0.5},
        (
            lambda s, r: (
                f"Write Python code that reads the CSV file '{s['file']}' and prints how many data rows it has{' (skip the header line)' if s['header'] else ''}."
            ),
            lambda s, r: (
                f"Using Python's csv module, count the rows in '{s['file']}'{', not counting the header' if s['header'] else ''}."
            ),
            lambda s, r: (
                f"I need a short Python script to print the number of records in '{s['file']}'{' excluding its header row' if s['header'] else ''}."
            ),
        ),
        lambda s, r: (
            f"import csv\n\nwith open('{s['file']}', newline='') as f:\n    reader = csv.reader(f, delimiter=',')\n"
            + ("    next(reader)\n" if s["header"] else "")
            + "    print(sum(1 for _ in reader))"
        ),
        conflict,
        vary={
            "file": (
                "literal",
                lambda s, r: other(r, FILE_WORDS, s["file"].split("_")[0]) + "_" + s["file"].split("_")[1],
            ),
        },
    ),
    Intent(
        "py_temperature",
        lambda r: {"units": tuple(r.sample(UNITS, 2)), "digits": r.randrange(0, 4)},
        (
            lambda s, r: (
                f"Write a Python function that converts a temperature from {s['units'][0]} to {s['units'][1]}, rounded to {s['digits']} decimal places."
            ),
            lambda s, r: (
                f"Python function: take degrees {s['units'][0]}, return degrees {s['units'][1]} rounded to {s['digits']} digits after the point."
            ),
            lambda s, r: (
                f"How would I turn a {s['units'][0]} reading into {s['units'][1]} in Python? Round the result to {s['digits']} decimals."
            ),
        ),
        lambda s, r: (
            f"def to_{s['units'][1].lower()}(degrees):\n    return round({FORMULAS[s['units']]}, {s['digits']})"
        ),
        conflict,
        vary={
            "units": ("direction", lambda s, r: tuple(reversed(s["units"]))),
            "digits": ("number", lambda s, r: other(r, range(0, 5), s["digits"])),
        },
    ),
)
ACCOUNTS = ("checking", "savings", "brokerage", "credit card", "business", "joint")

INTENTS = INTENTS + (
    Intent(
        "transfers",
        lambda r: {"accounts": tuple(r.sample(ACCOUNTS, 2)), "year": year(r)},
        (
            lambda s, r: (
                f"How much money was moved from {s['accounts'][0]} accounts to {s['accounts'][1]} accounts in {s['year']}?"
            ),
            lambda s, r: (
                f"Total the {s['year']} transfers that went from a {s['accounts'][0]} account into a {s['accounts'][1]} account."
            ),
            lambda s, r: (
                f"In {s['year']}, what was the sum of all transfers out of {s['accounts'][0]} and into {s['accounts'][1]} accounts?"
            ),
        ),
        lambda s, r: sql(
            "SELECT SUM(amount)\nFROM transfers\n"
            f"WHERE from_type = '{s['accounts'][0]}' AND to_type = '{s['accounts'][1]}'\n"
            f"AND EXTRACT(YEAR FROM created_at) = {s['year']};",
            r,
        ),
        conflict,
        vary={
            "accounts": ("direction", lambda s, r: tuple(reversed(s["accounts"]))),
            "year": ("year", lambda s, r: s["year"] + r.choice((-1, 1))),
        },
    ),
)

FORMULAS = {
    ("Celsius", "Fahrenheit"): "degrees * 9 / 5 + 32",
    ("Fahrenheit", "Celsius"): "(degrees - 32) * 5 / 9",
    ("Celsius", "Kelvin"): "degrees + 273.15",
    ("Kelvin", "Celsius"): "degrees - 273.15",
    ("Fahrenheit", "Kelvin"): "(degrees - 32) * 5 / 9 + 273.15",
    ("Kelvin", "Fahrenheit"): "(degrees - 273.15) * 9 / 5 + 32",
}


def row(intent, slots, query, answer, rng, vague=None):
    with_schema = rng.random() < 0.4 and not intent.name.startswith("py_")
    if vague is not None:
        return {"instruction": vague, "input": "", "output": answer}
    return {"instruction": query, "input": SCHEMA if with_schema else "", "output": answer}


def pii(answer, rng):
    kind, text = personal_detail(rng)
    if answer.lstrip().lower().startswith("select"):
        return f"-- requested by {text}\n" + answer
    return f"# questions about this script: {text}\n" + answer


DOMAIN = Domain("queries", INTENTS, row, pii)
