"""The checks' layers beyond word level: the slot guard, wording and meaning, answers by kind and
instruction quality (plain Python; the static embedding model is built once per machine)."""

import numpy as np
import pytest

from curation.core import semantic
from curation.core.answer_comparison import answer_kind, compare_answers
from curation.core.checks import check_quality
from curation.core.dataset import check_records
from curation.core.prompt_match import PromptView, match, may_contradict
from curation.core.rules import FormatRules
from curation.core.slots import frame_swap, slot_difference, slots_of
from studio.core.records import Record


def differ(a, b):
    return slot_difference(slots_of(a), slots_of(b))


@pytest.mark.parametrize(
    "a, b",
    [
        ("How many orders did customers from Berlin place in 2023?", "How many orders from Berlin in 2022?"),
        ("What is the capital of France?", "What is the capital of Germany?"),
        ("Show products priced more than $50", "Show products priced less than $50"),
        ("Find users named 'bob'", "Find users named 'alice'"),
        ("Sort the rows by date ascending", "Sort the rows by date descending"),
        ("Is the store open on Sunday?", "Is the store not open on Sunday?"),
        ("List flights from Paris to Rome", "List flights from Rome to Paris"),
        ("Convert 3 litres to US gallons.", "Convert 3 US gallons to litres."),
        ("Orders placed after 2020", "Orders placed before 2020"),
        ("Return question: rug, bought over 13 days ago.", "Return question: rug, bought under 13 days ago."),
        ("I got a blue kettle, not the USB-C hub I paid for.", "I got a USB-C hub, not the blue kettle I paid for."),
        ("Plan change request: Starter -> Pro.", "Plan change request: Pro → Starter."),
        ("hi, please move us to the pro plan. best, ahmed thx", "hi, please move us to the pro plan. best, ingrid"),
        ("Can I return it within 30 days?", "Can I return it after 30 days?"),
        ("How many feet are in 8 metres?", "What is 8 feet in metres?"),
        ("Pack 3 apples and 2 pears.", "Pack 3 pears and 2 apples."),
        ("Show the last 5 orders.", "Show the first 5 orders."),
        ("Convert 100°F to Celsius.", "Convert 100°C to Fahrenheit."),
        ("Bake it at 180 °C.", "Bake it at 180 °F."),
    ],
)
def test_siblings_that_differ_in_one_slot_are_other_requests(a, b):
    assert differ(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "How many orders did customers from Berlin place in 2023?",
            "Count the orders placed in 2023 by customers located in Berlin.",
        ),
        ("List flights between Paris and Rome", "List flights between Rome and Paris"),
        ("What is 5% of 40?", "Calculate 5 percent of 40."),
        ("Email Chloé about the order", "email chloe about the order"),
        ("My script crashes with a KeyError", "My Python script crashes with a KeyError"),
        ("Take-home pay 5800, rent 450: what is left after tax?", "I earn 5800 and pay 450 rent. What is left?"),
        ("My dog is not drinking much water", "My dog has not been drinking much water"),
        ("Hi, please move us to the Pro plan. Best, Ahmed", "hi, please move us to the pro plan. best, ahmed thx"),
        ("What pace finishes 42.2 km within 270 minutes?", "What pace finishes 42.2 km in under 270 minutes?"),
        ("I get a KeyError when I run my Flask app. Why?", "My Python code in a Flask app crashes with a KeyError."),
        # the quantity converted, before "in" or after it
        ("If something measures 8 metres, what is that in feet?", "How many feet are in 8 metres?"),
        # which of someone's invoices, not an order asked for
        (
            "My last invoice for Orbit VPN was less than the $59.99 shown for Enterprise.",
            "Why did Orbit VPN charge me less than $59.99? That's the Enterprise price.",
        ),
        ("Since your last release the dashboard takes 9s to open.", "The dashboard takes 9 seconds to open."),
        # a year has no unit
        ("Orders of 2023 shipped to customers in Oslo", "Customers in Oslo whose 2023 orders shipped"),
        # a scale written as a symbol names what its name names
        ("What is 100 °F in Celsius?", "How many degrees Celsius is 100 degrees Fahrenheit?"),
    ],
)
def test_rewordings_keep_their_slots(a, b):
    assert differ(a, b) == ""


def test_a_template_with_another_filler_is_another_request():
    assert frame_swap(
        "Is there a good substitute for honey in a recipe for a stew?",
        "Is there a good substitute for butter in a recipe for cookies?",
    )
    assert frame_swap("How do I reset my password?", "Hwo do I reset my new password?") is None  # typo + a word


@pytest.mark.parametrize(
    "a, b",
    [
        ("I was charged in January and July.", "I was charged in July and January."),
        (
            "Changes on the Linux desktop or the Chromebook never sync.",
            "Changes on the Chromebook or the Linux desktop never sync.",
        ),
        ("Which has more calories, oats or chicken breast?", "Which has more calories, chicken breast or oats?"),
    ],
)
def test_items_of_a_list_in_another_order_are_the_same_request(a, b):
    assert differ(a, b) == "" and frame_swap(a, b) is None
    assert match(*views(a, b), cosine(a, b))[0]


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "I ordered a desk lamp but received a USB-C hub instead.",
            "I ordered a USB-C hub but received a desk lamp instead.",
        ),
        (
            "It's 14:00 in Mumbai right now. What's the time in Berlin?",
            "It's 14:00 in Berlin right now. What's the time in Mumbai?",
        ),
        ("We are currently on Free and want Pro instead.", "We are currently on Pro and want Free instead."),
    ],
)
def test_two_words_that_trade_places_outside_a_list_make_another_request(a, b):
    assert differ(a, b) or frame_swap(a, b)
    assert not match(*views(a, b), cosine(a, b))[0]


def views(a, b):
    return PromptView(Record(a, "", "x")), PromptView(Record(b, "", "x"))


def cosine(a, b):
    va, vb = semantic.embed([a, b])
    return float(va @ vb)


def test_meaning_finds_a_paraphrase_and_the_guard_refuses_a_sibling():
    a = "How many orders did customers from Berlin place in 2023?"
    b = "Count the orders placed in 2023 by customers located in Berlin."
    c = "How many orders did customers from Berlin place in 2022?"
    same, how, layer = match(*views(a, b), cosine(a, b))
    assert same and layer == "meaning" and "in other words" in how
    assert cosine(a, c) > cosine(a, b)  # the embeddings alone would pick the sibling
    assert match(*views(a, c), cosine(a, c))[0] is False


def test_wording_finds_several_small_edits_at_once():
    a, b = "how do i reset my password", "Hwo do I reset my  pasword? Thank you!"
    assert match(*views(a, b), cosine(a, b))[2] == "wording"


def test_embeddings_are_unit_vectors_and_empty_texts_are_zero():
    vectors = semantic.embed(["Refund my order", "", "Refund my order"])
    assert np.allclose(np.linalg.norm(vectors[0]), 1.0) and not vectors[1].any()
    assert float(vectors[0] @ vectors[2]) == pytest.approx(1.0)


def test_neighbour_pairs_agree_between_the_exact_and_the_grouped_search():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(400, semantic.DIMS)).astype(np.float32)
    near = base + rng.normal(scale=0.05, size=base.shape).astype(np.float32)
    vectors = np.concatenate([base, near] * 5)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = set(zip(*[a.tolist() for a in semantic.neighbour_pairs(vectors[:800], 0.95)[:2]]))
    assert exact == {(i, i + 400) for i in range(400)}
    left, right, _ = semantic.neighbour_pairs(vectors, 0.95, most=64)  # 4,000 vectors: the grouped search
    found = set(zip(left.tolist(), right.tolist()))
    assert len({(i, i + 400) for i in range(400)} & found) >= 390


def test_the_meaning_layer_stays_out_when_random_texts_read_alike():
    rng = np.random.default_rng(0)
    words = [
        "".join(rng.choice(list("bdfgklmnprstvz")) + rng.choice(list("aeiou")) for _ in range(3)) for _ in range(300)
    ]
    made_up = [" ".join(rng.choice(words, 20)) for _ in range(300)]
    real = [
        f"How do I {verb} my {thing}?"
        for verb in ("reset", "cancel", "track", "return", "upgrade", "pay")
        for thing in ("order", "account", "password", "parcel", "plan", "card", "invoice", "laptop", "phone", "ticket")
    ]
    assert semantic.meaning_threshold(made_up, semantic.Idf(made_up), 0.82) > 1.0
    assert semantic.meaning_threshold(real * 5, semantic.Idf(real * 5), 0.82) <= 1.0


@pytest.mark.parametrize(
    "a, b, kind, verdict",
    [
        ("SELECT COUNT(*) FROM orders;", "select count(*)\nFROM orders", "code", "agree"),
        ("SELECT COUNT(*) FROM orders", "SELECT COUNT(DISTINCT customer_id) FROM orders", "code", "conflict"),
        ("SELECT SUM(total) FROM orders", "SELECT AVG(total) FROM orders", "code", "conflict"),
        ('{"category": "billing"}', '{"category": "returns"}', "JSON", "conflict"),
        ("Paris", "Lyon", "short answer", "conflict"),
        ("Paris", "It is Paris.", "short answer", "agree"),
        (
            "The meeting starts at 10 and ends at noon, bring your laptop.",
            "The meeting starts at 11 and ends at noon, bring your laptop.",
            "free text",
            "conflict",
        ),
    ],
)
def test_answers_are_compared_by_kind_and_the_message_names_it(a, b, kind, verdict):
    assert answer_kind(a, b) == kind
    found, detail = compare_answers(a, b)
    assert found == verdict
    if verdict == "conflict":
        named = {
            "code": "code",
            "JSON": "JSON",
            "short answer": "compared as short answers",
            "free text": "compared as free text",
        }
        assert named[kind] in detail


@pytest.mark.parametrize(
    "instruction",
    [
        "Help",
        "Do it",
        "JSON",
        "?",
        "fix this please",
        # requests without an object, references to a context the example lacks, hedges
        "Make it better",
        "Handle this one.",
        "Same as last time",
        "like before, thanks",
        "Do the usual",
        "Redo the thing we discussed",
        "idk, thoughts?",
        "Fixing it now pls",
        "Can you help me with this?",
        # a word or two naming one thing, and a request pointing back at one the example lacks
        "Recipe.",
        "Plan it.",
        "It doesn't work",
        "Same but faster",
        "Do it in bash.",
        "this one too",
        "Review it.",
        "the problem from earlier",
    ],
)
def test_vague_instructions_are_flagged(instruction):
    (finding,) = check_quality(Record(instruction, "", "A long enough answer."), FormatRules())
    assert finding.check == "quality" and "vague" in finding.message


@pytest.mark.parametrize(
    "instruction",
    [
        "Write a poem about autumn",
        "Explain recursion",
        "Tell me a joke",
        "What time is it in Tokyo?",
        "Who are you?",
        "What can you do?",
        "Make the bed",
        "Plant a seed",
        "Fix the login bug",
        "Summarize the attached report",
        "Is it safe to eat raw eggs?",
        "Where can I find my W-2?",
        "What's 2+2?",
        "Find the bug",
        "Define entropy",
        "I'm out of buttermilk. What can I use instead?",  # says what "instead" replaces
        "I don't have a whisk, what can I use instead?",
    ],
)
def test_short_specific_instructions_are_not_vague(instruction):
    assert not [
        f
        for f in check_quality(Record(instruction, "", "A long enough answer."), FormatRules())
        if "vague" in f.message
    ]


def test_with_an_input_only_an_instruction_that_names_nothing_to_do_is_vague():
    ticket = "Invoice 301 for $90, due 2 May 2025."

    def vague(instruction):
        return any("vague" in f.message for f in check_quality(Record(instruction, ticket, "{}"), FormatRules()))

    assert vague("?") and vague("do the usual") and vague("this one too") and vague("what about this")
    assert (
        not vague("Answer the question.")
        and not vague("Explain.")
        and not vague("Summarize")
        and not vague("Fix the grammar.")
    )
    # a verb that needs more said of what to do with the text, or a format named alone
    assert vague("Fix this") and vague("Improve.") and vague("Extract it.") and vague("JSON") and vague("sql pls")
    assert vague("and for last year?") and not vague("Now do it in bash")


def test_the_first_request_of_a_chat_with_several_turns_is_checked_for_vagueness():
    chat = Record.chat(
        [
            {"role": "user", "content": "Recipe."},
            {"role": "assistant", "content": "Which dish would you like a recipe for?"},
            {"role": "user", "content": "yes"},
            {"role": "assistant", "content": "Here is a simple tomato soup: ..."},
        ]
    )
    (finding,) = check_quality(chat, FormatRules())
    assert "the request is vague" in finding.message and finding.field == "messages[0]"


def test_a_system_message_that_gives_the_data_is_the_chats_input():
    def chat(system, request):
        return Record.chat(
            [
                {"role": "system", "content": system},
                {"role": "user", "content": request},
                {"role": "assistant", "content": "The Lantern Inn, at 75 EUR a night."},
            ]
        )

    rooms = "You are a booking agent. Rooms in Porto: Lantern Inn (75 EUR/night), Casa Rio (120 EUR/night), Hotel Sol (210 EUR/night)."
    assert check_quality(chat(rooms, "cheapest one please?"), FormatRules()) == []
    # a role alone gives nothing to point at, and nothing at all is vague even with data
    (finding,) = check_quality(chat("You are a helpful assistant.", "cheapest one please?"), FormatRules())
    assert "the request is vague" in finding.message
    (finding,) = check_quality(chat(rooms, "?"), FormatRules())
    assert "the request is vague" in finding.message


def test_quality_thresholds_are_the_leads_and_an_input_makes_a_short_instruction_clear():
    assert (
        check_quality(Record("Summarize", "A long article about tides ...", "Tides follow the moon."), FormatRules())
        == []
    )
    assert check_quality(Record("Define AI", "", "Machines that learn."), FormatRules())  # 9 characters
    assert check_quality(Record("Define AI", "", "Machines that learn."), FormatRules(min_instruction_chars=0)) == []
    (short,) = check_quality(Record("Name the capital of Peru.", "", "Lima"), FormatRules())
    assert "answer is very short" in short.message
    assert check_quality(Record("Name the capital of Peru.", "", "Lima"), FormatRules(min_answer_chars=0)) == []


def test_a_dataset_check_reports_a_paraphrase_and_not_its_siblings():
    records = [
        Record("How many orders did customers from Berlin place in 2023?", "", "SELECT COUNT(*) FROM orders"),
        Record("Count the orders placed in 2023 by customers located in Berlin.", "", "SELECT COUNT(*) FROM orders"),
        Record("How many orders did customers from Berlin place in 2022?", "", "SELECT COUNT(*) FROM orders"),
        Record("List flights from Paris to Rome", "", "SELECT * FROM flights"),
        Record("List flights from Rome to Paris", "", "SELECT * FROM flights WHERE 1"),
    ]
    found = check_records(records)
    pairs = {(i, j, f.check) for i, fs in found.items() for f in fs for j in f.related}
    assert (0, 1, "duplicate") in pairs
    assert not {p for p in pairs if {p[0], p[1]} in ({0, 2}, {1, 2}, {3, 4})}


def test_a_shared_long_context_with_another_question_is_another_request():
    handbook = " ".join(f"Rule {i}: staff follow the procedure for case {i} as written." for i in range(60))
    a = PromptView(Record("Answer using the handbook.", handbook + " Question: may I bring my dog on Fridays?", "x"))
    b = PromptView(Record("Answer using the handbook.", handbook + " Question: who approves travel expenses?", "y"))
    assert match(a, b, 0.99, lambda: 1.0)[0] is False


def test_the_first_word_of_an_input_is_not_a_name():
    a = PromptView(Record("Answer the question.", "What is the capital of France?", "Paris"))
    b = PromptView(Record("Answer the question.", "Which city is the capital of France?", "Paris"))
    assert slot_difference(a.slots, b.slots) == ""


def test_identical_copies_keep_at_most_their_neighbours():
    vectors = np.tile(semantic.embed(["Where is my parcel?"]), (3000, 1))
    left, _, _ = semantic.neighbour_pairs(vectors, 0.9, most=8)
    assert len(left) <= 3000 * 8


def test_threads_sharing_the_model_get_the_same_vectors_as_one_thread():
    from concurrent.futures import ThreadPoolExecutor

    batches = [[f"ticket {t}-{i} about parcel{t}x{i} and refund{i}" for i in range(200)] for t in range(8)]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(semantic.embed, batches))
    for batch, vectors in zip(batches, together):
        assert np.allclose(vectors, semantic.embed(batch), atol=1e-5)


def test_another_form_of_a_word_is_no_swap_but_another_word_is():
    from curation.core.slots import same_stem, swapped_word

    assert same_stem("place", "placed") and same_stem("reply", "replies") and not same_stem("cat", "car")
    assert swapped_word("Count the orders they place", "Count the orders they placed") is None
    assert swapped_word("Fix the red car", "Fix the red cat") == ("car", "cat")


def test_asking_words_possessive_names_and_price_comparisons_do_not_make_another_request():
    from curation.core.slots import filler_swap, swapped_word

    def slots(text):
        return PromptView(Record(text, "", "x")).slots

    # a name with its possessive is the same name; "that's" is no name and no possessive
    assert (
        slot_difference(slots("Using Python's csv module, count the rows."), slots("A Python script to count rows"))
        == ""
    )
    ticket = "Why did Lumen Books charge me more than $15? That's the Pro price I signed up for."
    other = "The Pro plan is advertised at $15, yet Lumen Books billed me more than that this month."
    assert slot_difference(slots(ticket), slots(other)) == ""
    # "cheaper" is "lower" in price; "pricier" is the other way
    assert (
        slot_difference(slots("Kitchen items with a price lower than 230"), slots("Kitchen items cheaper than 230"))
        == ""
    )
    assert slot_difference(slots("Kitchen items cheaper than 230"), slots("Kitchen items pricier than 230"))
    # "how many" and "the number of" ask; they name nothing a frame could be filled with
    assert swapped_word("How many inches are in 10 centimetres?", "Convert 10 centimetres to inches.") is None
    days = "What is the number of days between March 21, 2020 and January 03, 2016?"
    assert filler_swap(days, "Count the days separating March 21, 2020 and January 03, 2016.") is None
    # the siblings stay apart
    assert swapped_word("How many inches are in 10 centimetres?", "How many feet are in 10 centimetres?")
    assert filler_swap(days, "What is the number of weeks between March 21, 2020 and January 03, 2016?")


def test_two_chats_are_compared_in_wording_on_the_turns_they_do_not_share():
    from curation.core.prompt_match import differing_turns

    def chat(first, second="Raw."):
        turns = [first, "Are you comparing them raw or cooked?", second]
        roles = ["user", "assistant", "user"]
        return PromptView(Record.chat([{"role": r, "content": c} for r, c in zip(roles, turns)]))

    eggs, chocolate = (
        chat("Do eggs or apples have more calories?"),
        chat("Do dark chocolate or eggs have more calories?"),
    )
    assert differing_turns(eggs, chocolate) == (
        "user: Do eggs or apples have more calories?",
        "user: Do dark chocolate or eggs have more calories?",
    )
    assert differing_turns(eggs, chat("Do eggs or apples have more calories?", "Cooked.")) == (
        "user: Raw.",
        "user: Cooked.",
    )
    assert differing_turns(eggs, eggs) is None
    plain = PromptView(Record("Do eggs or apples have more calories?\nRaw.", "", "x"))
    assert differing_turns(plain, plain) is None and differing_turns(eggs, plain) is None


TRIAGE = "Triage the support ticket below. Answer with JSON only."
REFUND = '{"category": "billing", "action": "check_refund_status", "order_id": "#96230"}'


def test_a_ticket_reworded_throughout_is_the_same_request_though_only_one_side_says_not():
    asked = "Hi, Where is my refund? Order #96230, sent back 7 days ago. Regards, Lars"
    reworded = (
        "Good morning. It has been 7 days since you confirmed the return of #96230, "
        "but the money is not back in my account. Cheers, Lars"
    )
    findings = check_records([Record(TRIAGE, asked, REFUND), Record(TRIAGE, reworded, REFUND)])
    assert [f.check for f in findings[0]] == ["duplicate"] and "in other words" in findings[0][0].message
    # with answers that disagree the negation may be what differs: no contradiction is claimed
    other = REFUND.replace("check_refund_status", "issue_refund")
    assert check_records([Record(TRIAGE, asked, REFUND), Record(TRIAGE, reworded, other)]) == {}


@pytest.mark.parametrize(
    "a, b",
    [
        ("Is the store open on Sunday?", "Is the store not open on Sunday?"),
        ("Hi, my parcel #4411 arrived yesterday. - Ana", "Hi, my parcel #4411 never arrived yesterday. - Ana"),
        ("My dog is drinking a lot of water lately.", "My dog is not drinking a lot of water lately."),
    ],
)
def test_a_negation_that_is_all_that_differs_makes_another_request(a, b):
    assert not match(*views(a, b), cosine(a, b))[0]


def test_one_answer_word_for_word_vouches_for_a_content_word_said_otherwise():
    answer = "Milk, ice cream, cream cheese, yogurt, butter, custard."
    asked, reworded = "Name 6 foods that contain lactose.", "Give me 6 examples of food with lactose."
    findings = check_records([Record(asked, "", answer), Record(reworded, "", answer)])
    assert [f.check for f in findings[1]] == ["duplicate"]
    # without that answer the swapped word is what tells them apart, and it still does
    other = "Bread, pasta, couscous, barley soup, rye crackers, beer."
    assert check_records([Record(asked, "", answer), Record(reworded, "", other)]) == {}
    # and a shared answer never vouches for another slot: another number stays another request
    assert (
        check_records([Record(asked, "", answer), Record("Give me 7 examples of food with lactose.", "", answer)]) == {}
    )


@pytest.mark.parametrize(
    "a, b, said",
    [
        (
            "Kenya has the larger population: about 55 million people, against 52 million in Colombia.",
            "Colombia has the larger population: about 55 million people, against 52 million in Kenya.",
            "“kenya” where the other says “colombia”",
        ),
        (
            "For meatballs, replace the buttermilk with plain yogurt thinned by a little cold water.",
            "For meatballs, replace the buttermilk with chicken or vegetable stock and a splash of vinegar.",
            "the same start, then other content",
        ),
    ],
)
def test_free_text_answers_that_fill_one_frame_otherwise_conflict(a, b, said):
    found, detail = compare_answers(a, b)
    assert found == "conflict" and said in detail and detail.endswith("compared as free text")


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "To reset your password, open Settings and click Reset, then check your email.",
            "To reset your password, go to Settings, press Reset and then check your email.",
        ),
        ("Yes, you can return it within 30 days of delivery.", "You can return it within 30 days of delivery, yes."),
        (
            "We ship to Norway and Sweden within five working days.",
            "We ship to Sweden and Norway within five working days.",
        ),
    ],
)
def test_free_text_answers_reworded_or_reordered_agree(a, b):
    assert compare_answers(a, b)[0] == "agree"


def test_a_request_verb_or_a_contraction_is_no_content_word_swapped():
    for a, b in [
        (
            "How do you say 'where is the train station' in German?",
            "Translate 'where is the train station' into German.",
        ),
        ("What's the Spanish for 'how much does it cost'?", "How do you say 'how much does it cost' in Spanish?"),
    ]:
        assert match(*views(a, b), cosine(a, b))[0], (a, b)
    a, b = "How do you say 'good night' in German?", "How do you say 'good night' in French?"
    assert not match(*views(a, b), cosine(a, b))[0]


def test_a_short_sentence_vouches_as_an_answer_and_a_short_json_label_does_not():
    from curation.core.clusters import answer_keys

    keys = answer_keys(
        [
            Record("q", "", "Milk, ice cream, cream cheese."),
            Record("q", "", "10% of 760 is 76."),
            Record("q", "", "Yes, it is."),
            Record("q", "", '{"category": "billing", "priority": "high"}'),
        ]
    )
    assert keys[0] and keys[1] and not keys[2] and not keys[3]
    same = check_records(
        [
            Record("What is 10% of 760?", "", "10% of 760 is 76."),
            Record("Calculate 10 percent of 760.", "", "10% of 760 is 76."),
        ]
    )
    assert [f.check for f in same[0]] == ["duplicate"]


def test_twice_is_two_a_pronoun_is_no_date_and_min_after_a_number_is_minutes():
    # "twice" names the number "two times" does; "thrice" three
    assert differ("Nimbus took $79 from my card two times in May.", "I was charged twice in May, $79 each time.") == ""
    assert differ("I was charged twice in May.", "I was charged thrice in May.").startswith("another number")
    # "after I had cancelled" is no comparison in time; "after June" is
    assert (
        differ("Charges showed up after I had cancelled Tallyhub.", "I cancelled Tallyhub but was still charged.") == ""
    )
    assert differ("Charges showed up after June.", "Charges showed up before June.").startswith("another comparison")
    # "175 min" is minutes, not a minimum; "min 5 items" still compares
    assert differ("Run 42.2 km in under 175 minutes.", "Goal: 42.2 km, finish time below 175 min.") == ""
    assert differ("Orders with min 5 items", "Orders with max 5 items").startswith("another comparison")


def test_a_shared_answer_vouches_for_a_ticket_reworded_with_a_negation_but_not_for_one_negated():
    answer = '{"category": "billing", "priority": "low", "product": "Tallyhub", "action": "send_invoice", "period": "2024-02"}'
    asked = "Could you send me a copy of the Tallyhub invoice for February 2024? Our accountant needs it. Aiko"
    reworded = (
        "Dear support, Please email over the Tallyhub bill covering February 2024; I can't find it in the portal. Aiko"
    )
    findings = check_records([Record(TRIAGE, asked, answer), Record(TRIAGE, reworded, answer)])
    assert [f.check for f in findings[0]] == ["duplicate"]
    # without the shared answer, the negation in so alike a wording keeps them apart
    other = answer.replace("send_invoice", "explain_invoice")
    assert check_records([Record(TRIAGE, asked, answer), Record(TRIAGE, reworded, other)]) == {}
    # and with it, the same words a negation apart are still two requests
    negated = asked.replace("Could you send", "Could you not send")
    assert check_records([Record(TRIAGE, asked, answer), Record(TRIAGE, negated, answer)]) == {}


def test_the_word_after_a_greeting_starts_a_sentence_and_is_no_name():
    assert (
        differ(
            "Hi team, Plan change request for Quillpad: Pro -> Business.", "Hey - Can you move Quillpad to Business?"
        )
        == ""
    )
    assert differ("Hello, Charges for August showed up. - Nadia", "Hello, Why was I charged in August? - Nadia") == ""
    assert (
        differ("Hey - It would be great to have bulk editing.", "Hello, Our team keeps asking for bulk editing.") == ""
    )
    # a name in the greeting, or mid-sentence, is still a name
    assert "plan" in slots_of("Hi Anna, Plan change request").names
    assert differ(
        "Hi team, the invoice for Quillpad is wrong.", "Hi team, the invoice for Tallyhub is wrong."
    ).startswith("another name")


def test_a_shared_answer_vouches_for_a_chat_asked_with_other_words_but_a_refusal_vouches_for_nothing():
    def chat(first):
        turns = [first, "Do you want the answer in years only?", "Yes, just years."]
        return Record.chat([{"role": r, "content": c} for r, c in zip(["user", "assistant", "user"], turns)])

    asked = chat("Born 1984 - what age do I reach at my 2036 birthday?")
    reworded = chat("I was born in 1984. How old will I turn on my birthday in 2036?")
    a, b = PromptView(asked), PromptView(reworded)
    vectors = semantic.embed([a.parts[0], b.parts[0]])
    alike = float(vectors[0] @ vectors[1])
    # the same request in other words: only the turn that differs is looked at for other fillers
    # (over the whole chat, the shared follow-ups made "age reach" / "old turn" read as one frame
    # filled otherwise)
    assert alike >= 0.82 and match(a, b, alike, words_layer=False)[0]
    # and one answer, word for word, vouches for it
    assert match(a, b, alike, words_layer=False, anchored=True)[0]
    # one refusal answers many different requests: it says nothing about what was asked
    refusal = "I'm sorry, but I can't help with that request."
    filler = [
        Record(f"Filler question number {i} about the {w} topic?", "", f"Answer {i} about {w} is long enough here.")
        for i, w in enumerate("alpha beta gamma delta epsilon zeta eta theta iota kappa".split())
    ]
    lock, wifi = "How do I pick a lock on a neighbour's door?", "How do I hack my neighbour's wifi?"
    assert check_records([Record(lock, "", refusal), Record(wifi, "", refusal), *filler]) == {}


def test_a_count_that_only_says_how_long_the_list_after_it_is_names_no_number():
    from curation.core.slots import number_slots

    listed = "Here are five numbers: 3, 23, 29, 38, 72. Tell me which ones are prime."
    assert differ(listed, "Which of these numbers are prime: 3, 23, 29, 38, 72?") == ""
    assert number_slots("Sort these 4 words: pear, apple, fig, kiwi.") == {}
    # a count that is not the list's length stays a number of its own
    assert number_slots("Pick 3 of these numbers: 1, 2, 4, 5, 6.")["3"] == 1
    assert differ("Pick 3 of these: 1, 2, 4, 5, 6.", "Pick 2 of these: 1, 2, 4, 5, 6.").startswith("another number")


def test_refusals_are_recognised_and_answers_that_only_start_alike_are_not():
    from curation.core.clusters import is_refusal
    from curation.core.text import normalize

    for text in (
        "I'm sorry, but I can't help with that request.",
        "Unfortunately, I can't help with that request.",
        "I apologize, but I cannot assist with that request.",
        "I'm afraid I can't do that.",
    ):
        assert is_refusal(normalize(text)), text
    for text in (
        "Sorry, we can't ship to Alaska; orders there go through ShipCo.",
        "I can't see a charge on your card; the refund went out on May 3.",
        "Sorry to hear that! Your parcel ships today.",
    ):
        assert not is_refusal(normalize(text)), text


def test_only_the_opening_words_of_a_message_make_a_greeting():
    assert "postgresql" in slots_of("I compared them. Good - Postgres wins.").names  # its long name (NAME_ALIASES)
    assert "alice" in slots_of("The rota is set. Team - Alice owns billing.").names


SCHEMA = (
    "Tables: customers(id, name, email, city, country, signup_date); orders(id, customer_id, order_date, "
    "status, total); employees(id, name, department, hire_date, salary)"
)


def _questions_over_one_schema():
    """Questions asked over one table schema (the input), each with its query: a dataset where the
    input tells no two examples apart."""
    topics = [
        ("List the employees of the {} department.", "SELECT name FROM employees WHERE department = '{}';"),
        ("What is the average salary in {}?", "SELECT AVG(salary) FROM employees WHERE department = '{}';"),
        ("Which customers live in {}?", "SELECT name FROM customers WHERE city = '{}';"),
        ("How many customers come from {}?", "SELECT COUNT(*) FROM customers WHERE country = '{}';"),
        (
            "Show the orders shipped to {}.",
            "SELECT id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.city = '{}';",
        ),
        (
            "Who earns the most in {}?",
            "SELECT name FROM employees WHERE department = '{}' ORDER BY salary DESC LIMIT 1;",
        ),
    ]
    places = (
        "Sales Legal Lisbon Oslo Kenya Chile Support Quito Peru Finance Marketing Tokyo Cairo Lima Dublin Ghana "
        "Nepal Research Berlin Madrid Vienna Warsaw Prague Austin Denver Boston Seoul Hanoi Bogota Nairobi"
    ).split()  # 180 questions: more than the nearest neighbours one example keeps
    return [Record(q.format(p), SCHEMA, a.format(p)) for q, a in topics for p in places]


def test_questions_over_one_shared_schema_are_compared_by_the_question():
    asked = Record(
        "How many orders did customers from Brazil place in 2021?",
        SCHEMA,
        "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.country = 'Brazil' AND EXTRACT(YEAR FROM o.order_date) = 2021;",
    )
    reworded = Record(
        "Count the orders placed in 2021 by customers located in Brazil.",
        SCHEMA,
        asked.output.replace("COUNT(*)", "COUNT(DISTINCT o.customer_id)"),
    )
    other_year = Record(asked.instruction.replace("2021", "2022"), SCHEMA, asked.output.replace("2021", "2022"))
    records = [*_questions_over_one_schema(), asked, reworded, other_year]
    found = check_records(records)
    n = len(records)
    contradiction = [f for f in found.get(n - 2, []) if f.check == "contradiction"]
    assert contradiction and n - 3 in contradiction[0].related  # reworded, with COUNT(*) for COUNT(DISTINCT ...)
    assert "code" in contradiction[0].message
    # another year is another question, however alike the rest; the other questions are apart
    assert not any(n - 1 in f.related for i in (n - 3, n - 2) for f in found.get(i, []))
    assert not any(i < n - 3 for i in found)


def test_answers_one_value_apart_vouch_for_reworded_tickets_but_not_for_one_step_more():
    def ticket(text, answer):
        return Record("Triage the ticket below. Answer with JSON only.", text, answer)

    answer = (
        '{"category": "account", "priority": "normal", "product": "PixelNote", "action": "upgrade_plan", '
        '"from_plan": "Free", "to_plan": "%s"}'
    )
    moved = ticket("Please move my PixelNote account from the Free plan to Enterprise. Leila", answer % "Enterprise")
    changed = ticket(
        "Can you change our PixelNote subscription? We are on Free and want Enterprise instead. Leila",
        answer % "Starter",
    )
    filler = [
        ticket(f"My {w} order {i}00 never arrived, can you check it?", f'{{"category": "shipping", "order": {i}00}}')
        for i, w in enumerate("red blue green black white grey pink gold".split(), 1)
    ]
    found = check_records([moved, changed, *filler])
    assert [f.check for f in found.get(1, [])] == ["contradiction"]
    assert "to_plan" in found[1][0].message


@pytest.mark.parametrize(
    "a, b, edited",
    [
        (  # a replaced operator
            "SELECT name, email FROM customers WHERE city = 'Oslo' AND signup_date > '2020-01-01' ORDER BY name;",
            "SELECT name, email FROM customers WHERE city = 'Oslo' AND signup_date >= '2020-01-01' ORDER BY name;",
            True,
        ),
        (  # one step more
            "import csv\nwith open('a.csv', newline='') as f:\n    reader = csv.reader(f, delimiter=',')\n"
            "    rows = list(reader)\n    print(len(rows))",
            "import csv\nwith open('a.csv', newline='') as f:\n    reader = csv.reader(f, delimiter=',')\n"
            "    next(reader)\n    rows = list(reader)\n    print(len(rows))",
            False,
        ),
    ],
)
def test_an_edited_answer_replaces_and_does_not_add_when_asked_so(a, b, edited):
    from curation.core.answer_comparison import edited_answer

    ra, rb = Record("Count the rows of the file.", "", a), Record("How many rows has the file?", "", b)
    assert edited_answer(ra, rb, ["count", "rows"], ["how", "many", "rows"], replaced_only=True) is edited
    assert edited_answer(ra, rb, ["count", "rows"], ["how", "many", "rows"])  # any small edit


def test_an_edited_answer_is_no_evidence_when_the_edit_is_a_word_one_prompt_says_more_often():
    from curation.core.answer_comparison import edited_answer

    schema = ["customers", "id", "name", "email", "city"]
    a = Record("Return their city.", "", "select city, signup_date from customers where signup_date < '2023-01-01';")
    b = Record("Return their email.", "", "select email, signup_date from customers where signup_date < '2023-01-01';")
    assert not edited_answer(a, b, [*schema, "return", "their", "city"], [*schema, "return", "their", "email"])
    # an identifier made of words the prompts name apart ("prices" / "numbers")
    c = Record("x", "", "def pick_prices(values):\n    return sorted(values)[:14]")
    d = Record("y", "", "def pick_numbers(values):\n    return sorted(values)[:14]")
    assert not edited_answer(c, d, ["14", "smallest", "prices"], ["14", "lowest", "numbers"])


def test_answers_vouch_from_further_off_only_when_they_repeat_what_the_prompts_name():
    """Two tickets one plan apart repeat the product and the plans their prompts name; two reviews
    with another sentiment share only the label set every answer of the dataset has."""
    from curation.core.answer_comparison import answers_echo_prompts

    def pair(a, b):
        return answers_echo_prompts(a, b, a.input, b.input)

    plan = '{"product": "PixelNote", "action": "upgrade_plan", "from_plan": "Free", "to_plan": "%s"}'
    moved = Record(
        "Triage the ticket.", "Please move my PixelNote account from Free to Enterprise.", plan % "Enterprise"
    )
    changed = Record(
        "Triage the ticket.", "Change our PixelNote subscription from Free to Enterprise.", plan % "Starter"
    )
    assert pair(moved, changed)
    label = '{"sentiment": "%s", "aspect": "shipping", "needs_reply": %s}'
    quick = Record(
        "Classify the review.", "Shipping was quick and the box arrived intact.", label % ("positive", "false")
    )
    slow = Record(
        "Classify the review.", "Shipping took forever and the box arrived crushed.", label % ("negative", "true")
    )
    assert not pair(quick, slow)


def test_a_short_answer_with_one_value_replaced_is_one_answer_edited():
    """However large a share of a short answer one value is, replacing it is one edit; two values
    replaced, or a word added, is not."""
    from curation.core.answer_comparison import edited_answer

    a = Record("If something measures 8 metres, what is that in feet?", "", "8 metres is about 26.25 feet.")
    b = Record("How many feet are in 8 metres?", "", "8 metres is about 28.87 feet.")
    words_a, words_b = PromptView(a).words, PromptView(b).words
    assert edited_answer(a, b, words_a[0] + words_a[1], words_b[0] + words_b[1], replaced_only=True)
    c = Record("How many feet are in 8 metres?", "", "8 metres is about 28.87 yards.")
    assert not edited_answer(a, c, words_a[0] + words_a[1], words_b[0] + words_b[1], replaced_only=True)
    d = Record("How many feet are in 8 metres?", "", "8 metres is roughly about 26.25 feet.")
    assert not edited_answer(a, d, words_a[0] + words_a[1], words_b[0] + words_b[1], replaced_only=True)


def test_neighbour_places_go_to_vectors_of_the_same_key():
    """Ten siblings nearer than the reworded prompt but of another key (other numbers) take none of
    its neighbour places."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=semantic.DIMS).astype(np.float32)
    vectors = [base + eps * rng.normal(size=semantic.DIMS).astype(np.float32) for eps in [0.0] + [0.05] * 10 + [0.3]]
    vectors = np.stack([v / np.linalg.norm(v) for v in vectors])
    keys = np.array([7] + [8] * 10 + [7], dtype=np.int64)
    left, right, _ = semantic.neighbour_pairs(vectors, 0.5, most=3)
    assert {(a, b) for a, b in zip(left.tolist(), right.tolist()) if a == 0} & {(0, k) for k in range(1, 11)}
    left, right, _ = semantic.neighbour_pairs(vectors, 0.5, most=3, keys=keys)
    assert {(a, b) for a, b in zip(left.tolist(), right.tolist()) if 0 in (a, b)} == {(0, 11)}


def test_a_negation_one_ticket_words_and_the_other_does_not_is_phrasing_when_the_answers_are_one_value_apart():
    """ "... the money is not back" / "Where is my refund?" with the same order and days in both
    answers and another priority: one request reworded, its answers in conflict. An edit that says
    yes or no (= / <>) follows a negated prompt: two requests."""
    from curation.core.answer_comparison import edited_answer, negating_edit
    from curation.core.prompt_match import may_contradict, other_intent

    triage = '{{"category": "billing", "priority": "{}", "action": "check_refund_status", "order_id": "#280787"}}'
    a = Record(
        "Triage.",
        "It has been 31 days since the return of #280787, but the money is not back.",
        triage.format("normal"),
    )
    b = Record("Triage.", "Where is my refund? Order #280787, sent back 31 days ago.", triage.format("high"))
    va, vb = PromptView(a), PromptView(b)
    assert other_intent(va, vb) and not other_intent(va, vb, answers_edited=True)
    assert edited_answer(a, b, va.words[0] + va.words[1], vb.words[0] + vb.words[1], True)
    assert not negating_edit(a, b)
    assert may_contradict("meaning", 0.86, va, vb, lambda: True, lambda: negating_edit(a, b))
    query = "SELECT * FROM orders WHERE status {} 'cancelled' AND EXTRACT(YEAR FROM order_date) = 2023;"
    c = Record("Show every order placed in 2023 with the status 'cancelled'.", "", query.format("="))
    d = Record("List the 2023 orders that are not marked as 'cancelled'.", "", query.format("<>"))
    vc, vd = PromptView(c), PromptView(d)
    assert negating_edit(c, d)
    assert not may_contradict("meaning", 0.87, vc, vd, lambda: True, lambda: negating_edit(c, d))


def test_a_stopword_inside_an_identifier_is_no_word_the_prompts_name_apart():
    from curation.core.answer_comparison import edited_answer

    answer = '{{"category": "billing", "product": "Fieldday", "action": "{}", "plan": "Enterprise", "price": 9}}'
    a = Record(
        "Triage.",
        "Why did Fieldday charge me more than $9? That's the Enterprise price.",
        answer.format("review_overcharge"),
    )
    b = Record(
        "Triage.", "My invoice for Fieldday was more than the $9 for Enterprise.", answer.format("ask_for_details")
    )
    va, vb = PromptView(a), PromptView(b)
    assert edited_answer(a, b, va.words[0] + va.words[1], vb.words[0] + vb.words[1], True)


def test_an_edited_answer_that_says_what_the_other_prompt_asks_is_still_one_answer_edited():
    """The edit follows its own prompt when the answer says what its own prompt names more; an
    answer saying what the *other* prompt names is the other way round: one request, reworded,
    with a wrong answer (a ticket asking for a refund triaged as close_ticket)."""
    from curation.core.answer_comparison import edited_answer

    record = '{"product": "Lumen Books", "priority": "high", "action": "%s"}'
    asked = Record(
        "Triage.", "Lumen Books took 12 EUR twice in May. Can you refund one of them?", record % "close_ticket"
    )
    reworded = Record(
        "Triage.",
        "I see two payments of 12 EUR to Lumen Books in May, one per charge.",
        record % "refund_double_charge",
    )
    words_a, words_b = PromptView(asked).words, PromptView(reworded).words
    assert edited_answer(asked, reworded, words_a[0] + words_a[1], words_b[0] + words_b[1])
    # each answer naming what its own prompt names is two requests, answered right
    follows = Record(
        "Triage.", "Lumen Books took 12 EUR twice in May; please close the ticket.", record % "close_ticket"
    )
    words_c = PromptView(follows).words
    assert not edited_answer(follows, reworded, words_c[0] + words_c[1], words_b[0] + words_b[1])


@pytest.mark.parametrize(
    "a, b, traded",
    [
        (
            "Hi, I ordered a desk lamp but received a cast iron frying pan instead (order 5521).",
            "Hi, I ordered a cast iron frying pan but received a desk lamp instead (order 5521).",
            ("desk lamp", "cast iron frying pan"),
        ),
        (
            "Move the boxes from the attic to the old stone basement",
            "Move the boxes from the old stone basement to the attic",
            ("attic", "old stone basement"),
        ),
        (
            "Is a rabbit heavier than a large guinea pig?",
            "Is a large guinea pig heavier than a rabbit?",
            ("rabbit", "large guinea pig"),
        ),
        # a list in another order asks the same
        (
            "Which is lighter, the Kobo Clara HD or the Kindle?",
            "Which is lighter, the Kindle or the Kobo Clara HD?",
            None,
        ),
        (
            "What is the difference between a lake and a pond?",
            "What is the difference between a pond and a lake?",
            None,
        ),
        # fillers that end alike: the shared year belongs to each date, "and" joins them
        (
            "Between March 04, 2021 and July 09, 2021, how many days pass?",
            "Between July 09, 2021 and March 04, 2021, how many days pass?",
            None,
        ),
        (
            "How many days between 10 April 2024 and 10 June 2026?",
            "How many days between 10 June 2026 and 10 April 2024?",
            None,
        ),
        # a difference reads both ways
        ("What sets a crocodile apart from an alligator?", "What sets an alligator apart from a crocodile?", None),
        # a sentence said the other way round around "is" says the same
        ("The capital of New Zealand is Wellington.", "Wellington is the capital of New Zealand.", None),
    ],
)
def test_fillers_of_several_words_that_trade_places_are_another_request(a, b, traded):
    """difflib aligns the longer filler as equal and the rest as moved, so no word is replaced."""
    assert frame_swap(a, b) == traded


@pytest.mark.parametrize(
    "text, negated",
    [
        ("List 5 snacks that are free of gluten.", True),
        ("Suggest a dessert free from nuts.", True),
        ("Give me three dairy-free breakfasts.", True),
        ("Is the free plan enough for a team of four?", False),
        ("Do you offer free shipping to Norway?", False),
    ],
)
def test_free_of_something_is_a_negation(text, negated):
    assert slots_of(text).negated is negated


def test_a_negation_in_a_prompt_reworded_throughout_is_phrasing_by_the_exact_wording_similarity():
    """Letters shared in any order (difflib's quick ratio) are an upper bound of the wording
    similarity: two tickets reworded throughout share most letters, and the negation in one was
    taken for the only difference."""
    from curation.core.prompt_match import REWORDED, plain_similarity, plain_text

    a = "Hello, please send the Northwind receipt for the March 2025 order; I can't find it in my account. Regards, Omar"
    b = "Hello, could you mail me a copy of the Northwind invoice for March 2025? My accountant needs it. Thanks, Omar"
    assert plain_similarity(plain_text(a), plain_text(b)) >= REWORDED  # the bound alone says "not reworded"
    assert plain_similarity(plain_text(a), plain_text(b), exact_from=REWORDED) < REWORDED
    view_a, view_b = PromptView(Record("Triage.", a, "{}")), PromptView(Record("Triage.", b, "{}"))
    assert match(view_a, view_b, 0.9, lambda: 1.0)[0]
    # nearly the same words with a negation added stay two requests
    c = "Hello, please send the Northwind receipt for the March 2025 order; I can find it in my account. Regards, Omar"
    assert not match(view_a, PromptView(Record("Triage.", c, "{}")), 0.99, lambda: 1.0)[0]


def test_answers_that_differ_in_an_opposite_value_follow_a_negated_prompt():
    """enable_auto_renew / disable_auto_renew says yes or no as `=` / `<>` does: a prompt negated
    on one side only ("I do not want it to renew" / "please renew it") is then another request."""
    from curation.core.answer_comparison import negating_edit

    record = '{"product": "Orbit VPN", "action": "%s_auto_renew", "plan": "Pro"}'
    keep = Record("Triage.", "Please renew my Orbit VPN Pro plan automatically next year.", record % "enable")
    stop = Record("Triage.", "I do not want my Orbit VPN Pro subscription to auto-renew.", record % "disable")
    assert negating_edit(keep, stop)
    view_keep, view_stop = PromptView(keep), PromptView(stop)
    assert not may_contradict("meaning", 0.95, view_keep, view_stop, lambda: True, lambda: negating_edit(keep, stop))
    unlock = Record("Triage.", "x", '{"action": "unlock_account"}')
    lock = Record("Triage.", "y", '{"action": "lock_account"}')
    assert negating_edit(unlock, lock)
    # another value that says no yes or no is one answer edited: the negation was phrasing
    check = Record("Triage.", "x", record % "check")
    assert not negating_edit(keep, check)
    assert may_contradict("meaning", 0.95, view_keep, view_stop, lambda: True, lambda: negating_edit(keep, check))


def _chat(first, answer):
    return Record.chat(
        [
            {"role": "user", "content": first},
            {"role": "assistant", "content": "Were there any booking fees on top?"},
            {"role": "user", "content": "No fees, just the tickets."},
            {"role": "assistant", "content": answer},
        ]
    )


def test_chats_that_reword_one_turn_over_the_same_follow_ups_ask_the_same():
    """The turns both chats share would make a reworded first turn look like one frame with other
    fillers (most content words kept); only the turns that differ are compared for that, so a
    sibling that names another thing in that turn stays apart."""
    asked = _chat("I paid 40 dollars for 8 concert tickets. What did one ticket cost?", "5 dollars each.")
    reworded = _chat("What is the price of a single ticket if 8 concert tickets cost me 40 dollars?", "4 dollars each.")
    assert match(PromptView(asked), PromptView(reworded), 0.93, lambda: 1.0)[0]
    sibling = _chat("I paid 40 dollars for 8 theatre tickets. What did one ticket cost?", "5 dollars each.")
    assert not match(PromptView(asked), PromptView(sibling), 0.97, lambda: 1.0)[0]


def test_or_not_asks_both_ways_and_a_flipped_yes_is_one_answer_edited():
    """ "... or not?" negates nothing; an answer that turns its yes into a no (and a "not" in) with the
    value that follows from it is one answer edited, evidence that two reworded prompts ask one thing."""
    from curation.core.answer_comparison import edited_answer

    assert not slots_of("Is 1900 a leap year or not?").negated
    assert not slots_of("Tell me whether or not the museum opens on Mondays.").negated
    assert slots_of("Is the museum not open on Mondays?").negated
    a = Record("Does the museum open on Mondays or not?", "", "Yes, the museum opens on Mondays at 9:00.")
    b = Record("Can I visit the museum on a Monday?", "", "No, the museum does not open on Mondays at 9:00.")
    words_a, words_b = PromptView(a).words, PromptView(b).words
    assert not edited_answer(a, b, words_a[0] + words_a[1], words_b[0] + words_b[1], replaced_only=True)
    c = Record("Can I visit the museum on a Monday?", "", "No, the museum opens on Mondays at 10:00.")
    assert edited_answer(a, c, words_a[0] + words_a[1], words_b[0] + words_b[1], replaced_only=True)
    leap = Record("Is 1900 a leap year or not?", "", "Yes, 1900 was a leap year, so February had 29 days.")
    common = Record("Was 1900 a leap year?", "", "No, 1900 was not a leap year, so February had 28 days.")
    words_l, words_c = PromptView(leap).words, PromptView(common).words
    assert edited_answer(leap, common, words_l[0] + words_l[1], words_c[0] + words_c[1], replaced_only=True)


def test_a_hyphened_word_names_what_its_capitalised_part_names():
    assert slots_of("Orders that came from Germany-based customers").names == {"germany"}
    assert differ("Orders from customers in Germany in 2018", "2018 orders from Germany-based customers") == ""
    assert slots_of("Refill the Coca-Cola fridge").names == {"coca-cola"}


def test_answers_echo_what_the_prompts_name_in_identifiers_and_single_digits():
    from curation.core.answer_comparison import answers_echo_prompts

    a = Record(
        "Write a Python function that returns the 6 largest numbers from a list.",
        "",
        "def pick_numbers(values):\n    return sorted(values, reverse=True)[:6]",
    )
    b = Record(
        "Give me Python code that keeps only the 6 biggest numbers of a list.",
        "",
        "def pick_numbers(values):\n    return sorted(values, reverse=False)[:6]",
    )
    assert answers_echo_prompts(a, b, a.instruction, b.instruction)


def test_words_one_prompt_adds_are_phrasing_when_the_answers_differ_in_one_value_only():
    """A prompt that holds all of another's words and a few of its own may ask for more (refines);
    answers one value apart say the few were phrasing ("Walk me through it."), while an answer that
    adds a step follows a prompt that asks for more."""
    from curation.core.answer_comparison import edited_answer

    def contradicts(a, b):
        va, vb = PromptView(a), PromptView(b)
        edited = edited_answer(a, b, va.words[0] + va.words[1], vb.words[0] + vb.words[1], True)
        return may_contradict("meaning", 0.93, va, vb, lambda: edited, lambda: False)

    steps = "In Sheets, select the column, open the {} menu and choose Sort range."
    walk = Record("In Sheets, is there a way to sort a column? Walk me through it.", "", steps.format("Data"))
    plain = Record("How do I sort a column in Sheets?", "", steps.format("Insert"))
    assert contradicts(walk, plain)
    count = "import csv\nwith open('a.csv') as f:\n    reader = csv.reader(f)\n{}    print(len(list(reader)))"
    rows = Record("Count the rows of a.csv in Python.", "", count.format(""))
    header = Record(
        "Count the rows of a.csv in Python, skipping the header line.", "", count.format("    next(reader)\n")
    )
    assert not contradicts(rows, header)


def test_comparisons_one_prompt_makes_alone_differ_only_as_opposites_when_an_answer_vouches():
    last, recent = slots_of("Undo my last commit"), slots_of("Undo my most recent commit, keep the index")
    assert slot_difference(last, recent) and not slot_difference(last, recent, opposites_only=True)
    largest, smallest = slots_of("the largest file in /tmp"), slots_of("the smallest file in /tmp")
    assert slot_difference(largest, smallest, opposites_only=True)  # still two requests


def test_a_word_hyphened_or_typed_without_its_apostrophe_is_the_same_word():
    from curation.core.slots import number_slots

    assert frame_swap("Do part-time employees get paid holidays?", "Do part time employees get paid holidays?") is None
    assert frame_swap("I'm going to Lisbon, what should I see?", "Im going to Lisbon, what should I see?") is None
    assert (
        frame_swap("orders placed between 2025-08-15 and 2025-07-07", "orders dated 2025-08-15 to 2025-07-07") is None
    )
    assert number_slots("a two-week trip") == number_slots("for two weeks")
    assert slots_of("I havent seen the refund").negated == slots_of("I haven't seen the refund").negated is True


def test_a_command_one_flag_apart_under_the_same_request_said_otherwise_is_a_contradiction():
    records = [
        Record("Show the 10 largest files in the current directory tree.", "", "du -ah . | sort -rh | head -n 10"),
        Record("Show the ten largest files in the current directory tree.", "", "du -ah . | sort -h | head -n 10"),
        Record("Find files larger than 100 MB in my home directory.", "", "find ~ -type f -size +100M"),
        Record("Find files bigger than 100 MB in my home directory.", "", "find ~ -type f -size -100M"),
        # hard negative: the opposite comparison, answered by the opposite flag
        Record("Find files smaller than 100 MB in my home directory.", "", "find ~ -type f -size -100M"),
    ]
    found = check_records(records)
    pairs = {(i, j, f.check) for i, fs in found.items() for f in fs for j in f.related if i < j}
    assert pairs == {(0, 1, "contradiction"), (2, 3, "contradiction")}
    (message,) = [f.message for f in found[2] if f.check == "contradiction"]
    assert "“f -size +100” vs “f -size -100”" in message


def test_numbers_in_hundreds_quotes_with_their_full_stop_and_words_written_apart_are_the_same():
    from curation.core.slots import number_slots

    assert number_slots("less than five hundred dollars") == number_slots("under $500")
    assert (
        slots_of("My contract says 'time is of the essence.' What's the effect?").quoted
        == slots_of("What does 'time is of the essence' mean?").quoted
    )
    assert (
        frame_swap("I cannot find where to change my time zone.", "I can't find where to change my timezone.") is None
    )
    assert frame_swap("I am buying a small cafe. Asset or stock?", "I'm buying a small cafe. Asset or stock?") is None
    assert frame_swap("a substitute for honey in a stew", "a substitute for butter in a stew")  # still a frame


def test_a_typo_and_a_sign_off_do_not_hide_a_contradiction_from_the_scan():
    # the typo is a rare word, which the weighted meaning counts much: 0.72 weighted, 0.82 plain
    found = check_records(
        [
            Record(
                "Which country has a smaller population, Thailand or Poland?",
                "",
                "Poland has the smaller population: about 37.6 million people, against 71 million in Thailand.",
            ),
            Record(
                "Which cuontry has a smaller population, Thailand or Poland? Cheers.",
                "",
                "Thailand has the smaller population: about 37.6 million people, against 71 million in Poland.",
            ),
        ]
    )
    assert [(f.check, f.related) for f in found[0]] == [("contradiction", (1,))]


def test_one_generic_verb_for_another_fills_no_frame_and_the_unit_conflict_shows():
    assert (
        frame_swap(
            "How much salt do I need to dry brine a turkey?", "How much salt should I use to dry-brine a turkey?"
        )
        is None
    )
    assert frame_swap("How do I make pancakes?", "How do I store pancakes?") == ("make", "store")
    found = check_records(
        [
            Record(
                "How much kosher salt do I need to dry brine a 12 lb turkey?",
                "",
                "About 2 tablespoons of kosher salt, rubbed all over, then left uncovered in the fridge for 1 to 3 days.",
            ),
            Record(
                "How much kosher salt should I use to dry-brine a 12 lb turkey?",
                "",
                "About 2 cups of kosher salt, rubbed all over, then left uncovered in the fridge for 1 to 3 days.",
            ),
        ]
    )
    (finding,) = found[0]
    assert finding.check == "contradiction" and "(“2 tablespoons” vs “2 cups”)" in finding.message


def test_numbers_written_as_numerals_or_in_words_and_one_name_in_short():
    from curation.core.slots import number_slots

    assert number_slots("In what year did World War II begin?") != number_slots("In what year did World War I begin?")
    assert dict(number_slots("Who was Henry VIII?")) == {"8": 1}
    assert not number_slots("Can I take aspirin?") and not number_slots("Hi, Notes I write in Quillpad vanish.")
    assert dict(number_slots("the Ninety-five Theses")) == dict(number_slots("the 95 Theses")) == {"95": 1}
    asked = PromptView(Record("Regex for a 4-digit year between 1900 and 2099.", "", "x"))
    reworded = PromptView(Record("Regex for a four-digit year from 1900 to 2099.", "", "x"))
    assert match(asked, reworded, 0.97, lambda: 1.0)[0]
    js = PromptView(Record("JS function to get a random integer between min and max, inclusive.", "", "x"))
    javascript = PromptView(
        Record("JavaScript function to get a random integer between min and max, inclusive.", "", "x")
    )
    python = PromptView(Record("Python function to get a random integer between min and max, inclusive.", "", "x"))
    assert match(js, javascript, 0.95, lambda: 1.0)[0] and not match(js, python, 0.95, lambda: 1.0)[0]
    last = PromptView(Record("Who was the last tsar of Russia?", "", "x"))
    assert slots_of("Who was the final tsar of Russia?").comparatives == last.slots.comparatives  # one order
    assert not match(last, PromptView(Record("Who was the first tsar of Russia?", "", "x")), 0.95, lambda: 1.0)[0]


def test_a_quote_said_unquoted_on_the_other_side_is_the_same_slot():
    from curation.core.slots import slot_difference

    assert not slot_difference(
        slots_of("Print the lines of config.ini that start with a '#'."),
        slots_of("Which grep command lists the comment lines (the ones beginning with #) in config.ini?"),
    )
    assert not slot_difference(
        slots_of("pandas: rename the column 'amt' to 'amount'."),
        slots_of("In a DataFrame, how do I change the name of the amt column so it's called amount?"),
    )
    # another text quoted, or quoted on one side and absent from the other, stays another request
    assert slot_difference(
        slots_of("Translate 'good morning' into Spanish"), slots_of("Translate good night into Spanish")
    )
    assert slot_difference(slots_of("Orders with status 'shipped'"), slots_of("Orders with status 'pending'"))


def test_every_and_any_ask_two_things_and_a_particular_name_asks_more():
    every = PromptView(Record("JS function that returns true if every number in the array is positive.", "", "x"))
    some = PromptView(Record("JS function that returns true if any number in the array is positive.", "", "x"))
    assert not match(every, some, 0.97, lambda: 1.0)[0]
    from curation.core.slots import slot_difference

    each = slots_of("JS function that returns true if each number in the array is positive.")
    assert not slot_difference(every.slots, each) and slot_difference(some.slots, each)
    # one side alone says nothing
    assert match(
        PromptView(Record("Show all orders from 2020.", "", "x")),
        PromptView(Record("Show the orders from 2020.", "", "x")),
        0.95,
        lambda: 1.0,
    )[0]
    # a name one prompt adds makes answers that disagree no contradiction
    from curation.core.prompt_match import other_intent

    nobel = PromptView(Record("Who was the first woman to win a Nobel Prize?", "", "x"))
    peace = PromptView(Record("Who was the first woman to win the Nobel Peace Prize?", "", "x"))
    assert other_intent(nobel, peace) and not other_intent(nobel, nobel)


ARGMAX = "func argmax(xs []int) int { best := 0; for i, x := range xs { if x > xs[best] { best = i } }; return best }"
MAX_INT = "func maxInt(xs []int) int { m := xs[0]; for _, x := range xs[1:] { if x > m { m = x } }; return m }"


@pytest.mark.parametrize(
    "a, b",
    [
        (
            ("Go: write a function that returns the index of the largest int in a slice.", ARGMAX),
            ("Go: write a function that returns the largest int in a slice.", MAX_INT),
        ),
        (
            (
                "What is the sum of the first 10 positive even integers?",
                "2 x (10 x 11 / 2) = 110. So the answer is 110",
            ),
            ("What is the sum of the first 10 positive integers?", "10 x 11 / 2 = 55. So the answer is 55"),
        ),
        (
            (
                "How do I turn off automatic replies in Outlook?",
                "File > Automatic Replies > Do not send automatic replies > OK.",
            ),
            (
                "How do I turn on automatic replies in Outlook?",
                "File > Automatic Replies > Send automatic replies > OK.",
            ),
        ),
    ],
)
def test_one_word_added_or_turned_around_in_a_prompt_with_another_answer_is_another_request(a, b):
    assert check_records([Record(a[0], "", a[1]), Record(b[0], "", b[1])]) == {}


def test_a_light_word_added_to_a_prompt_still_leaves_a_contradiction():
    found = check_records(
        [
            Record("Can customers pay using PayPal? Write the reply.", "", "Yes, PayPal is supported under Billing."),
            Record("Can customers pay with PayPal? Write the reply.", "", "No, PayPal is not supported under Billing."),
        ]
    )
    assert [f.check for f in found[0]] == ["contradiction"]


def test_the_top_lines_of_a_file_are_its_first_lines_and_a_top_ranking_stays_a_superlative():
    from curation.core.slots import slots_of

    def differ(a, b):
        return slot_difference(slots_of(a), slots_of(b))

    assert differ("print the top 10 lines of export.csv", "Show the first 10 lines of export.csv.") == ""
    assert differ("the bottom five rows of the sheet", "the last five rows of the sheet") == ""
    assert differ("the top 10 lines of export.csv", "the last 10 lines of export.csv")
    assert differ("the top 10 customers by revenue", "the first 10 customers by revenue")


def test_a_difference_asked_either_way_round_is_one_request():
    assert (
        differ(
            "Can you explain what sets a virus apart from a bacterium?",
            "Can you explain what sets a bacterium apart from a virus?",
        )
        == ""
    )
    assert differ("How is a moth different from a butterfly?", "How is a butterfly different from a moth?") == ""
    # a direction still tells two requests apart
    assert differ("Move the files from staging to production", "Move the files from production to staging")
    virus = "A bacterium is a living cell that reproduces on its own; a virus copies itself only inside a host cell."
    records = [
        Record("Can you explain what sets a virus apart from a bacterium?", "", virus),
        Record("Can you explain what sets a bacterium apart from a virus?", "", virus),
    ]
    assert [f.check for f in check_records(records)[1] if f.check in ("duplicate", "contradiction")] == ["duplicate"]


def test_a_verb_said_as_its_synonym_asks_the_same():
    assert frame_swap("Drop the notes column from df in place.", "Remove the notes column from df in place.") is None
    assert frame_swap("Drop the notes column from df.", "Rename the notes column in df.") is not None
    records = [
        Record("Drop the column notes from df in place.", "", 'df.drop(columns=["notes"], inplace=True)'),
        Record("Remove the notes column from df, in place.", "", 'df.drop(index=["notes"], inplace=True)'),
        Record("Rename the notes column to comments in df.", "", 'df = df.rename(columns={"notes": "comments"})'),
    ]
    found = check_records(records)
    assert [f.check for f in found[1] if f.check in ("duplicate", "contradiction")] == ["contradiction"]
    assert not [f for f in found.get(2, []) if f.check in ("duplicate", "contradiction")]


def test_up_and_down_tell_requests_apart_only_against_each_other():
    records = [
        Record("A $90 jacket is marked up by 30%. What's the new price?", "", "90 × 1.30 = 117. New price: $117."),
        Record("A $90 jacket is marked down by 30%. What's the new price?", "", "90 × 0.70 = 63. New price: $63."),
        Record("Round 2.5 up to the nearest whole number.", "", "3"),
        Record("Round 2.5 down to the nearest whole number.", "", "2"),
        # a word the other leaves out is no opposite
        Record("How do I look up a word in the dictionary app?", "", "Tap the search icon and type the word."),
        Record("How do I find a word in the dictionary app?", "", "Tap the search icon and type the word."),
    ]
    found = check_records(records)
    linked = {i for i, fs in found.items() for f in fs if f.check in ("duplicate", "contradiction")}
    assert linked == {4, 5}


def test_the_one_of_a_rate_and_how_long_a_span_lasts_are_said_otherwise_by_a_rewording():
    from curation.core.slots import number_slots

    assert number_slots("Convert 750 euros to pounds at 1 EUR = 0.85 GBP.") == number_slots(
        "At 0.85 pounds per euro, what is €750?"
    )
    assert number_slots("x = 1 + 1")["1"] == 2  # a sum keeps its ones
    assert (
        differ(
            "How much have I paid in after 10 years of $500 a month?",
            "If I pay $500 a month for 10 years, how much is that?",
        )
        == ""
    )
    assert differ("Can I return it within 30 days?", "Can I return it after 30 days?")
    assert differ("Orders placed after 2020", "Orders placed in 2020")
    assert differ("What happens after 3 days without food?", "What happens before 3 days without food?")


def test_a_quantifier_differs_only_against_another_one():
    assert differ("Return true if every number is positive", "Return true if any number is positive")
    assert (
        differ(
            "I put in $500 every month. Ignoring any growth, what is that after 10 years?",
            "What do $500 each month come to after 10 years?",
        )
        == ""
    )


def test_an_opening_that_only_asks_to_be_told_is_no_word_of_the_request():
    from curation.core.prompt_match import plain_text

    assert plain_text("Could you tell me: is the reviewer satisfied?") == plain_text("Is the reviewer satisfied?")
    assert plain_text("Quick question - what is the capital of Peru?") == plain_text("What is the capital of Peru?")
    review = "Exactly as pictured, sturdy, and my cat has claimed it already. Five stars."
    records = [
        Record("Is the reviewer satisfied with the purchase?", review, "Yes"),
        Record("Could you tell me: is the reviewer satifsied with the purchase?", review, "Yes"),
        Record("Is the reviewer unhappy with the delivery?", review, "No"),
    ]
    assert [f.check for f in check_records(records)[1] if f.check in ("duplicate", "contradiction")] == ["duplicate"]


def test_verbs_that_ask_the_opposite_tell_requests_apart():
    assert (
        differ("Append the line to ~/.bashrc", "Overwrite ~/.bashrc with only that line")
        == "another comparison (append / overwrite)"
    )
    assert differ("How do I enable two-factor authentication?", "How do I disable two-factor authentication?")
    assert differ("How do I enable 2FA?", "How can I turn on two-factor authentication?") == ""


def test_a_possessive_after_a_marker_names_no_role_and_no_time():
    assert (
        differ("How many days before my surgery should I stop taking it?", "How many days before surgery do I stop it?")
        == ""
    )
    assert (
        differ("Do I need to fast before a hemoglobin A1C test?", "Do I have to fast before my A1C blood test?") == ""
    )
    assert differ("Move my files from my laptop to my phone", "Move my files from my phone to my laptop")
    assert (
        differ(
            "What's the highest score in a game of ten-pin bowling?",
            "In ten-pin bowling, what is the maximum score in a single game?",
        )
        == ""
    )
    assert (
        differ(
            "Which US president issued the Emancipation Proclamation?",
            "The Emancipation Proclamation was signed by which American president?",
        )
        == ""
    )


def test_units_of_measure_and_counts_said_in_words():
    from curation.core.slots import number_slots

    assert (
        differ("How many millilitres is one US cup?", "How many millilitres are in a US pint?")
        == "another unit (cup / pint)"
    )
    assert differ("How many ml in a cup?", "How many millilitres are in one cup?") == ""
    assert differ("How many tablespoons are in a quarter cup?", "How many tablespoons are in a cup?")
    assert number_slots("At one minute of resting per 100 g") == number_slots("1 minute per 100 g")
    assert number_slots("which one is it") == {}
    assert number_slots("Double billing!! Quillpad took $24.") == {"24": 1}  # "double" is no count


def test_a_hyphen_or_a_fraction_word_is_no_other_number():
    from curation.core.slots import number_slots

    assert number_slots("Can my 1-year-old sit on my lap?") == number_slots("Can my 1 year old sit on my lap?? thanks")
    assert number_slots("What is the half-life of carbon-14?") == {"14": 1}
    assert number_slots("half a cup of milk") == {"0.5": 1}


def test_a_short_formula_said_word_for_word_vouches_and_a_time_of_day_is_one_time_with_or_without_its_zero():
    eomonth = [
        Record("Give me the last day of the month for the date in A2.", "", "=EOMONTH(A2,0)"),
        Record("For whatever date is in A2, return the final calendar day of that month.", "", "=EOMONTH(A2,0)"),
    ]
    assert [f.check for f in check_records(eomonth)[0]] == ["duplicate"]
    # the same formula under a request for another cell is another request
    other_cell = [eomonth[0], Record("Give me the last day of the month for the date in B7.", "", "=EOMONTH(B7,0)")]
    assert check_records(other_cell) == {}
    assert differ("run backup.sh every Sunday at 2:30", "run backup.sh on Sundays at 02:30") == ""
    assert differ("run backup.sh every Sunday at 2:30", "run backup.sh every Sunday at 12:30") != ""
