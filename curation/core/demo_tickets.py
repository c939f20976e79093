"""Support-ticket triage examples for the demo project (plain Python, deterministic).

Each example asks the model to triage a customer ticket and answer in JSON with a category, a
priority and a short reply. Tickets are assembled from hand-written situations, products and
customer phrasings with a seeded random generator, so the same seed gives the same set.
"""

import json
import random
from dataclasses import dataclass

INSTRUCTION = (
    "Triage this customer support ticket. Answer with JSON only: "
    '{"category": one of billing, technical, account, shipping, returns, feedback; '
    '"priority": one of low, normal, high, urgent; "reply": a short first reply to the customer}.'
)

CATEGORIES = ["billing", "technical", "account", "shipping", "returns", "feedback"]
PRIORITIES = ["low", "normal", "high", "urgent"]

PRODUCTS = [
    "the Aero 3 wireless headphones",
    "the Nimbus smart thermostat",
    "the Trailhead 40L backpack",
    "the Lumen desk lamp",
    "the Quill e-reader",
    "the Brewmaster espresso machine",
    "the Pulse fitness band",
    "the Orbit robot vacuum",
    "the Sable office chair",
    "the Atlas standing desk",
    "the Cirrus air purifier",
    "the Vela phone case",
]
PLANS = ["Starter plan", "Team plan", "Business plan", "annual Pro subscription", "monthly Pro subscription"]
NAMES = [
    "Amira",
    "Ben",
    "Chloé",
    "Dmitri",
    "Esther",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jonas",
    "Kalani",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tove",
    "Umar",
    "Vera",
    "Wen",
    "Yusuf",
    "Zofia",
]
GREETINGS = ["Hi,", "Hello,", "Hi there,", "Good morning,", "Hello support team,", ""]
SIGNOFFS = ["Thanks,", "Thank you,", "Regards,", "Best,", "Cheers,", ""]
ESCALATIONS = [
    "This is the third time I am writing about this.",
    "Our whole team is blocked until this is fixed.",
    "I need this sorted out today, please.",
]
CALM = ["No rush on this.", "Whenever you get a chance.", "Just wanted to let you know."]

# (category, base priority, ticket body, reply). Slots: {product} {plan} {amount} {order} {days} {code}
SITUATIONS = [
    (
        "billing",
        "high",
        "I was charged twice for my {plan} this month, {amount} each time.",
        "Sorry about the double charge on your {plan}. I have flagged the duplicate payment of {amount} for a refund, which usually reaches your account within 5 business days.",
    ),
    (
        "billing",
        "normal",
        "Can you send me an invoice for my last payment of {amount}? Our accounts team needs it.",
        "Of course. You can download every invoice under Settings > Billing, and I have also sent the invoice for {amount} to the address on your account.",
    ),
    (
        "billing",
        "normal",
        "I upgraded to the {plan} but I still see the old price of {amount} on my renewal.",
        "Thanks for pointing this out. Renewals show the old price until the next billing cycle starts; I have checked and your next charge will use the {plan} price.",
    ),
    (
        "billing",
        "low",
        "Do you offer a discount for non-profit organisations on the {plan}?",
        "Thanks for asking. We offer 30% off the {plan} for registered non-profits; reply with your registration document and we will apply it.",
    ),
    (
        "billing",
        "urgent",
        "My card was charged {amount} for a {plan} I cancelled {days} days ago and now my account is overdrawn.",
        "I am very sorry. I can confirm the cancellation and have started an immediate refund of {amount}; I will follow up personally once it is processed.",
    ),
    (
        "technical",
        "high",
        "{product} stopped connecting after the latest update. It shows error {code}.",
        "Sorry for the trouble with {product}. Error {code} usually clears after a reset: hold the power button for 10 seconds, then pair it again. If it persists, tell us and we will escalate it.",
    ),
    (
        "technical",
        "normal",
        "The app keeps logging me out every few minutes since yesterday.",
        "Thanks for reporting this. Please update the app to the newest version and sign in again; if the logouts continue, send us your app version and we will look into it.",
    ),
    (
        "technical",
        "urgent",
        "Our dashboard has been down for {days} hours and shows error {code} for everyone on the {plan}.",
        "I am sorry for the outage. Our engineers are investigating error {code} right now; I will update you within the hour.",
    ),
    (
        "technical",
        "low",
        "Is there a dark mode for the web app? The bright screen is hard on my eyes at night.",
        "Good news: dark mode is available under Settings > Appearance. Let us know if anything looks off.",
    ),
    (
        "technical",
        "normal",
        "{product} makes a clicking noise when it starts up. Is that normal?",
        "Thanks for checking with us. A short click at start-up is normal for {product}; if the noise continues while it runs, please send a short video and we will assess it.",
    ),
    (
        "account",
        "high",
        "I cannot log in: the password reset link says it has expired, and I tried {days} times.",
        "Sorry you are locked out. I have sent a fresh reset link that is valid for 24 hours; please open it in the same browser you request it from.",
    ),
    (
        "account",
        "normal",
        "How do I add two colleagues to our {plan}?",
        "Happy to help. Go to Settings > Team and choose Invite member; each colleague gets an invitation to join your {plan}.",
    ),
    (
        "account",
        "normal",
        "Please change the name on my account, I recently got married.",
        "Congratulations! You can change the name yourself under Settings > Profile; if anything does not update, reply and we will change it for you.",
    ),
    (
        "account",
        "urgent",
        "Someone changed the password on my account and I do not recognise the latest orders.",
        "Thank you for telling us right away. I have locked the account to protect it and our security team will contact you to verify your identity and review the orders.",
    ),
    (
        "account",
        "low",
        "Can I download all my data before I decide whether to keep the account?",
        "Yes. Under Settings > Privacy choose Export data, and we will prepare a download of everything in your account.",
    ),
    (
        "shipping",
        "high",
        "Order {order} was supposed to arrive {days} days ago and tracking has not moved.",
        "Sorry for the delay with order {order}. I have opened an investigation with the carrier and will update you within 2 business days, or send a replacement if it is lost.",
    ),
    (
        "shipping",
        "normal",
        "Can I change the delivery address for order {order}? It has not shipped yet.",
        "Yes, as long as order {order} has not left the warehouse. Reply with the new address and I will update it right away.",
    ),
    (
        "shipping",
        "normal",
        "The box for {product} arrived damaged, although the item seems fine.",
        "Sorry the box arrived damaged. Since {product} works, no action is needed, but keep the packaging for 14 days in case a problem appears.",
    ),
    (
        "shipping",
        "low",
        "Do you ship to Iceland? I could not find it in the country list.",
        "Thanks for asking. We do not ship to Iceland yet, but we are adding countries regularly and will announce it in our newsletter.",
    ),
    (
        "shipping",
        "urgent",
        "Order {order} is a gift for tomorrow and the tracking says it was delivered, but nothing is here.",
        "I am sorry. Please check with neighbours and your building's mailroom; meanwhile I have filed a missing-parcel claim for order {order} and can send a replacement by express today.",
    ),
    (
        "returns",
        "normal",
        "I would like to return {product}; it does not fit my needs.",
        "No problem. You can return {product} within 30 days: start the return under Orders, print the label, and we will refund you once it arrives.",
    ),
    (
        "returns",
        "high",
        "I returned {product} {days} days ago and still have not received my refund of {amount}.",
        "Sorry for the wait. I can see your return of {product}; I have asked our warehouse to confirm receipt so the refund of {amount} can be issued this week.",
    ),
    (
        "returns",
        "normal",
        "{product} arrived with a scratch on the front. Can I get a replacement?",
        "Sorry it arrived scratched. I have arranged a replacement of {product} and a prepaid label to send the damaged one back.",
    ),
    (
        "returns",
        "low",
        "Is the return shipping free for orders over {amount}?",
        "Yes, returns are free for orders over {amount}; the prepaid label is available in your order page.",
    ),
    (
        "returns",
        "high",
        "The replacement {product} has the same defect as the first one.",
        "I am sorry the replacement has the same defect. I will escalate this to our quality team and offer you a full refund or a different model, whichever you prefer.",
    ),
    (
        "feedback",
        "low",
        "Just wanted to say {product} is excellent. Great job!",
        "Thank you so much for the kind words about {product}! I will share them with the team.",
    ),
    (
        "feedback",
        "low",
        "It would be great if the {plan} included more storage.",
        "Thanks for the suggestion. I have passed your request for more storage on the {plan} to our product team.",
    ),
    (
        "feedback",
        "normal",
        "The new checkout page is confusing; I almost ordered the wrong size.",
        "Thank you for the feedback on the checkout page. I have shared it with our design team; please tell us if you ordered the wrong size and we will fix it.",
    ),
    (
        "feedback",
        "low",
        "Your support chat was really helpful yesterday, thanks to the agent I spoke with.",
        "Thank you for letting us know! I will pass your thanks on to the team.",
    ),
]

PRIORITY_UP = {"low": "normal", "normal": "high", "high": "urgent", "urgent": "urgent"}
PRIORITY_DOWN = {"low": "low", "normal": "low", "high": "normal", "urgent": "urgent"}


@dataclass(frozen=True)
class TicketExample:
    instruction: str
    input: str
    output: str


def _fill(template, slots):
    return template.format(**slots)


def _greet(name, reply):
    """'Hi Ana, sorry ...' but 'Hi Ana, I am ...' (the pronoun keeps its capital)."""
    if not reply.startswith("I "):
        reply = reply[0].lower() + reply[1:]
    return f"Hi {name}, {reply}"


def make_examples(n=300, seed=7):
    """n distinct triage examples; the same seed gives the same examples in the same order."""
    rng = random.Random(seed)
    seen = set()
    examples = []
    attempts = 0
    while len(examples) < n:
        attempts += 1
        if attempts > n * 50:
            raise ValueError(f"could not make {n} distinct tickets; raise the variety or lower n")
        category, priority, body, reply = rng.choice(SITUATIONS)
        slots = {
            "product": rng.choice(PRODUCTS),
            "plan": rng.choice(PLANS),
            "amount": f"${rng.choice([9, 12, 19, 29, 49, 79, 99, 149, 249])}.{rng.choice(['00', '99', '50'])}",
            "order": f"#{rng.randint(10000, 99999)}",
            "days": str(rng.randint(2, 12)),
            "code": f"E{rng.randint(100, 999)}",
        }
        mood = rng.random()
        extra = ""
        if mood < 0.18 and priority != "low":
            extra = rng.choice(ESCALATIONS)
            priority = PRIORITY_UP[priority]
        elif mood > 0.88 and category != "feedback":
            extra = rng.choice(CALM)
            priority = PRIORITY_DOWN[priority]
        name = rng.choice(NAMES)
        lines = [rng.choice(GREETINGS), _fill(body, slots), extra, rng.choice(SIGNOFFS), name]
        text = "\n".join(line for line in lines if line)
        key = (text, priority)
        if key in seen:
            continue
        seen.add(key)
        output = json.dumps(
            {"category": category, "priority": priority, "reply": _greet(name, _fill(reply, slots))},
            ensure_ascii=False,
        )
        examples.append(TicketExample(INSTRUCTION, text, output))
    return examples


def planted_faults(examples):
    """Copies of a few demo examples with the mistakes real teams make: a duplicate, two
    contradictions (a different priority, a different category), personal data, a reply that
    breaks the JSON format, and a degenerate repeated reply."""

    def answer(ex):
        return json.loads(ex.output)

    out = []
    a = examples[3]
    out.append(TicketExample(a.instruction, a.input.replace("\n", "\n\n", 1), a.output))
    b = examples[8]
    changed = answer(b)
    changed["priority"] = "low" if changed["priority"] != "low" else "urgent"
    out.append(TicketExample(b.instruction, b.input, json.dumps(changed, ensure_ascii=False)))
    c = examples[15]
    changed = answer(c)
    changed["category"] = "feedback" if changed["category"] != "feedback" else "billing"
    out.append(TicketExample(c.instruction, c.input.lower(), json.dumps(changed, ensure_ascii=False)))
    d = examples[21]
    out.append(
        TicketExample(
            d.instruction,
            d.input + "\nYou can call me back on +1 415 555 2671 or write to dana.fox@example.com.",
            d.output,
        )
    )
    e = examples[30]
    out.append(
        TicketExample(
            e.instruction,
            e.input.replace("Hello", "Hi", 1) + " Thanks.",
            '{"category": "urgent", "priority": "billing", reply: "ok"}',
        )
    )
    f = examples[41]
    changed = answer(f)
    changed["reply"] = "We are sorry. " * 6 + "We will help."
    out.append(TicketExample(f.instruction, f.input + " Please help.", json.dumps(changed)))
    return out
