"""Support tickets triaged into JSON: category, priority, product, next action and the details
that matter for the ticket's kind. The rules require JSON output."""

import json
import re

from benchmarks.accuracy_sets import FIRST_NAMES, MONTHS, Domain, Intent, greeting, other, personal_detail, sign_off

PRODUCTS = (
    "Nimbus Drive",
    "PixelNote",
    "Brightside CRM",
    "Tallyhub",
    "Orbit VPN",
    "Quillpad",
    "Sprout Analytics",
    "Harbor Mail",
    "Lumen Books",
    "Fieldday Scheduler",
)
PLANS = ("Free", "Starter", "Pro", "Business", "Enterprise")
DEVICES = ("iPhone", "iPad", "Android phone", "Windows laptop", "MacBook", "Chromebook", "Linux desktop", "Kindle")
CITIES = ("Leeds", "Lyon", "Porto", "Krakow", "Austin", "Osaka", "Nairobi", "Toronto", "Adelaide", "Ghent", "Bergen")
CODES = (
    "ERR_TOKEN_EXPIRED",
    "AUTH_401",
    "SESSION_MISMATCH",
    "E1042",
    "LOGIN_RATE_LIMITED",
    "SSO_ASSERTION_INVALID",
    "ACCOUNT_LOCKED",
    "E2FA_TIMEOUT",
)
ITEMS = (
    "blue kettle",
    "desk lamp",
    "yoga mat",
    "wireless mouse",
    "phone case",
    "coffee grinder",
    "standing fan",
    "hiking backpack",
    "cast iron pan",
    "USB-C hub",
)
FEATURES = (
    "dark mode",
    "CSV export",
    "two-factor login",
    "offline access",
    "keyboard shortcuts",
    "calendar sync",
    "bulk editing",
    "custom fields",
    "a Linux client",
    "Slack notifications",
)
PAGES = ("dashboard", "reports page", "search", "inbox", "settings page", "billing page")
CATEGORIES = ("billing", "technical", "shipping", "account", "feature_request")
PRIORITIES = ("low", "normal", "high", "urgent")


def name(r):
    return r.choice(FIRST_NAMES)


def order_id(r):
    return r.choice(("A-", "#", "ORD-", "")) + str(r.randrange(10000, 999999))


def price(r):
    return r.choice((9, 12, 15, 19, 24, 29, 39, 49, 59, 79, 99)) + r.choice((0, 0.99, 0.5))


def money(v):
    return f"{v:.2f}" if v % 1 else str(int(v))


def triage(category, priority, product=None, action="", **details):
    out = {"category": category, "priority": priority}
    if product:
        out["product"] = product
    out["action"] = action
    out.update(details)
    return json.dumps(out)


FIELD_POOLS = {
    "category": CATEGORIES,
    "priority": PRIORITIES,
    "action": ("close_ticket", "escalate_to_engineering", "ask_for_details", "refund_in_full"),
    "plan": PLANS,
    "from_plan": PLANS,
    "to_plan": PLANS,
    "city": CITIES,
    "device": DEVICES,
    "expected_item": ITEMS,
    "received_item": ITEMS,
    "error_code": CODES,
    "feature": FEATURES,
    "page": PAGES,
}


def conflict(slots, answer, rng):
    """The same record with one field changed: the category, the priority, the action or a detail."""
    data = json.loads(answer)
    field = rng.choice(["category", "priority"] + [k for k in data if k in FIELD_POOLS or k not in ("product",)])
    value = data[field]
    if field in FIELD_POOLS:
        data[field] = other(rng, FIELD_POOLS[field], value)
    elif isinstance(value, int | float):
        data[field] = value + rng.choice((1, 2, 5, 10))
    elif isinstance(value, list):
        pool = DEVICES if value[0] in DEVICES else MONTHS
        data[field] = value[:-1] + [other(rng, [v for v in pool if v not in value], value[-1])]
    elif field == "order_id":
        data[field] = value[:-1] + str((int(value[-1]) + 1) % 10)
    else:  # period YYYY-MM
        data[field] = str(int(value[:4]) - 1) + value[4:]
    return json.dumps(data)


def g(r, s, text):
    """A ticket: a greeting, the text and a sign-off with the customer's name."""
    return greeting(r) + text + sign_off(r, s["name"])


INTENTS = (
    Intent(
        "double_charge",
        lambda r: {"name": name(r), "product": r.choice(PRODUCTS), "amount": price(r), "month": r.choice(MONTHS)},
        (
            lambda s, r: g(
                r,
                s,
                f"I was charged twice for my {s['product']} subscription in {s['month']}, ${money(s['amount'])} each time. Can you refund one of them?",
            ),
            lambda s, r: g(
                r,
                s,
                f"Looking at my bank statement I see two identical payments of ${money(s['amount'])} to {s['product']} in {s['month']}. Please reverse the duplicate.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Double billing!! {s['product']} took ${money(s['amount'])} from my card two times during {s['month']}. I only have one account.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Your system billed me two times ({money(s['amount'])} USD per charge) for {s['product']} in {s['month']}. I'd like the extra payment returned.",
            ),
        ),
        lambda s, r: triage("billing", "high", s["product"], "refund_duplicate_charge", amount=s["amount"]),
        conflict,
        vary={
            "amount": ("number", lambda s, r: other(r, [price(r) for _ in range(5)], s["amount"])),
            "name": ("name", lambda s, r: other(r, FIRST_NAMES, s["name"])),
            "product": ("name", lambda s, r: other(r, PRODUCTS, s["product"])),
        },
    ),
    Intent(
        "refund_late",
        lambda r: {"name": name(r), "order": order_id(r), "days": r.randrange(3, 40)},
        (
            lambda s, r: g(
                r, s, f"I returned order {s['order']} {s['days']} days ago and still haven't received my refund."
            ),
            lambda s, r: g(
                r,
                s,
                f"It has been {s['days']} days since you confirmed the return of {s['order']}, but the money is not back in my account.",
            ),
            lambda s, r: g(r, s, f"Where is my refund? Order {s['order']}, sent back {s['days']} days ago."),
            lambda s, r: g(
                r,
                s,
                f"My refund for {s['order']} is missing. According to your email the return was processed {s['days']} days ago.",
            ),
        ),
        lambda s, r: triage(
            "billing",
            "high" if s["days"] > 14 else "normal",
            None,
            "check_refund_status",
            order_id=s["order"],
            days_waiting=s["days"],
        ),
        conflict,
        vary={
            "days": ("number", lambda s, r: s["days"] + r.choice((-2, -1, 1, 3, 7))),
            "order": ("number", lambda s, r: order_id(r)),
            "name": ("name", lambda s, r: other(r, FIRST_NAMES, s["name"])),
        },
    ),
    Intent(
        "login_error",
        lambda r: {
            "name": name(r),
            "product": r.choice(PRODUCTS),
            "device": r.choice(DEVICES),
            "code": r.choice(CODES),
        },
        (
            lambda s, r: g(
                r,
                s,
                f"Since this morning I can't sign in to {s['product']} on my {s['device']}. It keeps showing the error '{s['code']}'.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Login fails on my {s['device']} with the message '{s['code']}'. {s['product']} worked fine yesterday.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Every time I try to log into {s['product']} from my {s['device']} I get '{s['code']}' and end up back at the start screen.",
            ),
            lambda s, r: g(
                r,
                s,
                f"'{s['code']}' appears whenever I open {s['product']} on the {s['device']} and enter my password. What does it mean?",
            ),
        ),
        lambda s, r: triage(
            "technical", "high", s["product"], "investigate_login", error_code=s["code"], device=s["device"]
        ),
        conflict,
        vary={
            "code": ("literal", lambda s, r: other(r, CODES, s["code"])),
            "device": ("word", lambda s, r: other(r, DEVICES, s["device"])),
            "product": ("name", lambda s, r: other(r, PRODUCTS, s["product"])),
        },
    ),
    Intent(
        "late_package",
        lambda r: {"name": name(r), "order": order_id(r), "city": r.choice(CITIES), "days": r.randrange(1, 15)},
        (
            lambda s, r: g(
                r,
                s,
                f"My package for order {s['order']} was supposed to arrive in {s['city']} {s['days']} days ago. Tracking hasn't moved.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Order {s['order']} is {s['days']} days late. I'm in {s['city']}, can you check with the courier?",
            ),
            lambda s, r: g(
                r,
                s,
                f"Still waiting on {s['order']} (delivery address in {s['city']}). The estimated date passed {s['days']} days ago.",
            ),
        ),
        lambda s, r: triage(
            "shipping",
            "high" if s["days"] > 5 else "normal",
            None,
            "contact_carrier",
            order_id=s["order"],
            city=s["city"],
        ),
        conflict,
        vary={
            "city": ("name", lambda s, r: other(r, CITIES, s["city"])),
            "days": ("number", lambda s, r: s["days"] + r.choice((1, 2, 4))),
            "name": ("name", lambda s, r: other(r, FIRST_NAMES, s["name"])),
        },
    ),
    Intent(
        "plan_change",
        lambda r: {"name": name(r), "product": r.choice(PRODUCTS), "plans": tuple(r.sample(PLANS, 2))},
        (
            lambda s, r: g(
                r,
                s,
                f"Please move my {s['product']} account from the {s['plans'][0]} plan to the {s['plans'][1]} plan starting next cycle.",
            ),
            lambda s, r: g(
                r, s, f"I'd like to switch from {s['plans'][0]} to {s['plans'][1]} on {s['product']}. How do I do that?"
            ),
            lambda s, r: g(
                r,
                s,
                f"Can you change our {s['product']} subscription? We are currently on {s['plans'][0]} and want {s['plans'][1]} instead.",
            ),
            lambda s, r: g(r, s, f"Plan change request for {s['product']}: {s['plans'][0]} -> {s['plans'][1]}."),
        ),
        lambda s, r: triage(
            "account",
            "normal",
            s["product"],
            "upgrade_plan" if PLANS.index(s["plans"][1]) > PLANS.index(s["plans"][0]) else "downgrade_plan",
            from_plan=s["plans"][0],
            to_plan=s["plans"][1],
        ),
        conflict,
        vary={
            "plans": ("direction", lambda s, r: tuple(reversed(s["plans"]))),
            "product": ("name", lambda s, r: other(r, PRODUCTS, s["product"])),
        },
    ),
    Intent(
        "auto_renew",
        lambda r: {
            "name": name(r),
            "product": r.choice(PRODUCTS),
            "plan": r.choice(PLANS[1:]),
            "renew": r.random() < 0.5,
        },
        (
            lambda s, r: g(
                r,
                s,
                f"Please {'' if s['renew'] else 'do not '}renew my {s['plan']} plan for {s['product']} automatically at the end of the year.",
            ),
            lambda s, r: g(
                r,
                s,
                f"I {'want' if s['renew'] else 'do not want'} my {s['product']} {s['plan']} subscription to auto-renew.",
            ),
            lambda s, r: g(
                r,
                s,
                f"About my {s['plan']} plan on {s['product']}: automatic renewal should {'' if s['renew'] else 'not '}be switched on.",
            ),
        ),
        lambda s, r: triage(
            "account",
            "low",
            s["product"],
            "enable_auto_renew" if s["renew"] else "disable_auto_renew",
            plan=s["plan"],
        ),
        conflict,
        vary={
            "renew": ("negation", lambda s, r: not s["renew"]),
            "plan": ("word", lambda s, r: other(r, PLANS[1:], s["plan"])),
        },
    ),
    Intent(
        "wrong_item",
        lambda r: {"name": name(r), "order": order_id(r), "items": tuple(r.sample(ITEMS, 2))},
        (
            lambda s, r: g(
                r, s, f"I ordered a {s['items'][0]} but received a {s['items'][1]} instead (order {s['order']})."
            ),
            lambda s, r: g(
                r, s, f"Wrong item in order {s['order']}: I got a {s['items'][1]}, not the {s['items'][0]} I paid for."
            ),
            lambda s, r: g(
                r,
                s,
                f"Order {s['order']} arrived with a {s['items'][1]} in the box. What I actually bought was a {s['items'][0]}.",
            ),
        ),
        lambda s, r: triage(
            "shipping",
            "normal",
            None,
            "send_replacement",
            order_id=s["order"],
            expected_item=s["items"][0],
            received_item=s["items"][1],
        ),
        conflict,
        vary={
            "items": ("direction", lambda s, r: tuple(reversed(s["items"]))),
            "order": ("number", lambda s, r: order_id(r)),
        },
    ),
    Intent(
        "feature_request",
        lambda r: {"name": name(r), "product": r.choice(PRODUCTS), "feature": r.choice(FEATURES)},
        (
            lambda s, r: g(r, s, f"It would be great if {s['product']} had {s['feature']}. Any plans for that?"),
            lambda s, r: g(r, s, f"Feature request: {s['feature']} in {s['product']}, please!"),
            lambda s, r: g(r, s, f"Our team keeps asking me whether {s['product']} will ever support {s['feature']}."),
        ),
        lambda s, r: triage("feature_request", "low", s["product"], "log_feature_request", feature=s["feature"]),
        conflict,
        vary={
            "feature": ("word", lambda s, r: other(r, FEATURES, s["feature"])),
            "name": ("name", lambda s, r: other(r, FIRST_NAMES, s["name"])),
        },
    ),
    Intent(
        "price_mismatch",
        lambda r: {
            "name": name(r),
            "product": r.choice(PRODUCTS),
            "plan": r.choice(PLANS[1:]),
            "price": price(r),
            "more": r.random() < 0.5,
        },
        (
            lambda s, r: g(
                r,
                s,
                f"My last invoice for {s['product']} was {'more' if s['more'] else 'less'} than the ${money(s['price'])} shown on your pricing page for {s['plan']}.",
            ),
            lambda s, r: g(
                r,
                s,
                f"The {s['plan']} plan is advertised at ${money(s['price'])}, yet {s['product']} billed me {'more' if s['more'] else 'less'} than that this month.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Why did {s['product']} charge me {'more' if s['more'] else 'less'} than ${money(s['price'])}? That's the {s['plan']} price I signed up for.",
            ),
        ),
        lambda s, r: triage(
            "billing",
            "high" if s["more"] else "low",
            s["product"],
            "review_overcharge" if s["more"] else "review_undercharge",
            plan=s["plan"],
            listed_price=s["price"],
        ),
        conflict,
        vary={
            "more": ("comparative", lambda s, r: not s["more"]),
            "price": ("number", lambda s, r: other(r, [price(r) for _ in range(5)], s["price"])),
        },
    ),
    Intent(
        "slow_page",
        lambda r: {
            "name": name(r),
            "product": r.choice(PRODUCTS),
            "page": r.choice(PAGES),
            "seconds": r.randrange(4, 90),
        },
        (
            lambda s, r: g(r, s, f"The {s['page']} in {s['product']} now takes about {s['seconds']} seconds to load."),
            lambda s, r: g(
                r, s, f"{s['product']} is painfully slow: {s['seconds']} seconds every time I open the {s['page']}."
            ),
            lambda s, r: g(
                r,
                s,
                f"Since your last release, opening the {s['page']} of {s['product']} has taken {s['seconds']}s on every attempt.",
            ),
        ),
        lambda s, r: triage(
            "technical",
            "high" if s["seconds"] >= 20 else "normal",
            s["product"],
            "investigate_performance",
            page=s["page"],
            load_seconds=s["seconds"],
        ),
        conflict,
        vary={
            "seconds": ("number", lambda s, r: s["seconds"] + r.choice((3, 5, 10))),
            "page": ("word", lambda s, r: other(r, PAGES, s["page"])),
        },
    ),
    Intent(
        "invoice_copy",
        lambda r: {
            "name": name(r),
            "product": r.choice(PRODUCTS),
            "month": r.choice(MONTHS),
            "year": r.randrange(2018, 2026),
        },
        (
            lambda s, r: g(
                r,
                s,
                f"Could you send me a copy of the {s['product']} invoice for {s['month']} {s['year']}? Our accountant needs it.",
            ),
            lambda s, r: g(r, s, f"I need the {s['month']} {s['year']} invoice from {s['product']} as a PDF."),
            lambda s, r: g(
                r,
                s,
                f"Please email over the {s['product']} bill covering {s['month']} {s['year']}; I can't find it in the portal.",
            ),
        ),
        lambda s, r: triage(
            "billing",
            "low",
            s["product"],
            "send_invoice",
            period=f"{s['year']}-{MONTHS.index(s['month']) + 1:02d}",
        ),
        conflict,
        vary={
            "year": ("year", lambda s, r: s["year"] + r.choice((-2, -1, 1))),
            "month": ("name", lambda s, r: other(r, MONTHS, s["month"])),
        },
    ),
    Intent(
        "sync_devices",
        lambda r: {"name": name(r), "product": r.choice(PRODUCTS), "devices": tuple(r.sample(DEVICES, 2))},
        (
            lambda s, r: g(
                r,
                s,
                f"Notes I write in {s['product']} don't sync between my {s['devices'][0]} and my {s['devices'][1]}.",
            ),
            lambda s, r: g(
                r,
                s,
                f"{s['product']} sync is broken: changes made on the {s['devices'][0]} or the {s['devices'][1]} never show up on the other one.",
            ),
            lambda s, r: g(
                r, s, f"Nothing syncs across my {s['devices'][0]} and {s['devices'][1]} in {s['product']} anymore."
            ),
        ),
        lambda s, r: triage("technical", "normal", s["product"], "investigate_sync", devices=sorted(s["devices"])),
        conflict,
        vary={"product": ("name", lambda s, r: other(r, PRODUCTS, s["product"]))},
        pair="devices",
    ),
    Intent(
        "charged_after_cancel",
        lambda r: {
            "name": name(r),
            "product": r.choice(PRODUCTS),
            "months": tuple(r.sample(MONTHS, 2)),
        },
        (
            lambda s, r: g(
                r, s, f"I cancelled {s['product']} but was still charged in {s['months'][0]} and {s['months'][1]}."
            ),
            lambda s, r: g(
                r,
                s,
                f"Charges for {s['months'][0]} and {s['months'][1]} showed up after I had cancelled my {s['product']} account.",
            ),
            lambda s, r: g(
                r,
                s,
                f"Why am I still paying? {s['product']} billed me in both {s['months'][0]} and {s['months'][1]} despite the cancellation.",
            ),
        ),
        lambda s, r: triage(
            "billing",
            "high",
            s["product"],
            "refund_after_cancellation",
            months=sorted(s["months"], key=MONTHS.index),
        ),
        conflict,
        vary={
            "product": ("name", lambda s, r: other(r, PRODUCTS, s["product"])),
            "name": ("name", lambda s, r: other(r, FIRST_NAMES, s["name"])),
        },
        pair="months",
    ),
)

INSTRUCTIONS = (
    "Triage the support ticket below. Answer with JSON only.",
    "Classify this customer ticket and return a JSON object with category, priority and the next action.",
    "Read the ticket and produce the triage record as JSON.",
    "You are a support triage assistant. Output a JSON object for the ticket.",
)


def row(intent, slots, query, answer, rng, vague=None):
    instruction = rng.choice(INSTRUCTIONS)
    if vague is not None:
        return {"instruction": vague, "input": "", "output": answer}
    return {"instruction": instruction, "input": query, "output": answer}


def pii(answer, rng):
    kind, text = personal_detail(rng)
    data = json.loads(answer)
    data[
        {"email": "customer_email", "phone": "callback_number", "iban": "refund_iban", "card": "card_number"}[kind]
    ] = text
    return json.dumps(data)


def broken(answer, rng):
    """Invalid JSON of the kinds people and models write."""
    how = rng.randrange(6)
    if how == 0:
        return answer[:-1] + ", }"  # trailing comma
    if how == 1:
        return answer.replace('"', "'")  # single quotes
    if how == 2:
        return answer[: len(answer) * 2 // 3]  # cut off
    if how == 3:
        return re.sub(r'"(\w+)":', r"\1:", answer)  # unquoted keys
    if how == 4:
        return "Here is the triage: " + answer
    return (
        answer.replace('"high"', "High")
        .replace('"low"', "Low")
        .replace('"normal"', "Normal")
        .replace('"urgent"', "Urgent")
    )  # a bare word


DOMAIN = Domain("tickets", INTENTS, row, pii, rules={"output_json": True}, broken=broken)
