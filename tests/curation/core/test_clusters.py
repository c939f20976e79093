"""Whole datasets: examples sharing a prompt, one diagnosis per pair (duplicate or contradiction)."""

import concurrent.futures
import json

from curation.core.answer_comparison import compare_answers
from curation.core.checks import Finding
from curation.core.clusters import cluster_findings, find_clusters
from curation.core.dataset import check_jsonl, check_records
from studio.core.records import Record


def diagnoses(records, silenced=frozenset()):
    """{(i, j): check} for every reported pair (i < j)."""
    out = {}
    for i, found in cluster_findings(find_clusters(records, silenced), str, Finding).items():
        for f in found:
            for j in f.related:
                out[(min(i, j), max(i, j))] = f.check
    return out


def test_shared_instructions_are_normal_the_input_decides():
    records = [
        Record("Classify the sentiment.", f"Review number {word}: it was {word}.", "positive")
        for word in ["great", "awful", "fine", "superb"]
    ]
    assert diagnoses(records) == {}


def test_one_diagnosis_per_pair():
    records = [
        Record("What is the capital of France?", "", "Paris"),
        Record("what is the capital of france", "", "Paris."),
        Record("What is the capitol of France?", "", "Lyon"),
        Record("What is the capital of Germany?", "", "Berlin"),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (0, 2): "contradiction", (1, 2): "contradiction"}


def test_json_answers_conflict_on_a_field_value():
    ticket = "My parcel is two weeks late."
    a = Record("Triage", ticket, json.dumps({"category": "shipping", "priority": "high"}))
    b = Record("Triage", ticket, json.dumps({"priority": "high", "category": "shipping"}))
    c = Record("Triage", ticket, json.dumps({"category": "shipping", "priority": "low"}))
    assert diagnoses([a, b, c]) == {(0, 1): "duplicate", (0, 2): "contradiction", (1, 2): "contradiction"}
    assert compare_answers(a.output, c.output) == ("conflict", "JSON $.priority: “high” vs “low”")


def test_silenced_pairs_are_not_reported():
    records = [Record("Greet the user.", "", "Hello!"), Record("Greet the user.", "", "Good morning to you, friend!")]
    assert diagnoses(records) == {(0, 1): "contradiction"}
    assert diagnoses(records, silenced={frozenset((0, 1))}) == {}


def test_template_heavy_data_does_not_explode():
    """5,000 prompts that differ in one word at the same place share a deletion key."""
    records = [Record("Translate into French:", f"the word {i:05d}x", "mot") for i in range(5000)]
    records.append(Record("Translate into French:", "the word 00001x", "mot"))
    assert diagnoses(records) == {(1, 5000): "duplicate"}


def test_parallel_jsonl_check_equals_the_plain_pass():
    lines = []
    for i in range(6000):
        lines.append(
            json.dumps(
                {
                    "instruction": "Answer briefly.",
                    "input": f"Question {i}: how many legs has animal {i}?",
                    "output": f"{i % 7} legs",
                }
            )
        )
    lines.append(
        json.dumps(
            {"instruction": "Answer briefly.", "input": "Question 17: how many legs has animal 17?", "output": "9 legs"}
        )
    )
    text = "\n".join(lines)
    numbers, errors, parallel = check_jsonl(text, workers=2)
    _, _, single = check_jsonl(text, workers=1)
    assert errors == []
    assert {k: [f.message for f in v] for k, v in parallel.items()} == {
        k: [f.message for f in v] for k, v in single.items()
    }
    assert [f.check for f in parallel[6001]] == ["contradiction"]
    records = [
        Record("Answer briefly.", f"Question {i}: how many legs has animal {i}?", f"{i % 7} legs") for i in range(3)
    ]
    assert check_records(records, workers=1) == {}


def test_the_scans_word_index_keys_are_those_a_save_looks_up():
    """check_all(keys=True) works out each record's word-index keys with the checks (in worker
    processes for big sets); they must be exactly what the on-save check stores and looks up, or
    a save would miss the near-identical prompts a scan indexed."""
    from curation.core.bucket_keys import stored_keys
    from curation.core.clusters import answer_keys, edit_keys
    from curation.core.dataset import check_all
    from curation.core.prompt_comparison import prompt_words

    records = [
        Record("Answer briefly.", f"How many legs has animal {i % 2600}?", f"{i % 7} legs") for i in range(5200)
    ] + [Record.chat([{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello!"}])]
    expected = [stored_keys(*prompt_words(r)) for r in records]
    for workers in (2, 1):
        findings, clusters, keys, answers, numbers, edits = check_all(
            records, workers=workers, vectors=False, keys=True
        )
        assert keys == expected
        assert answers.tolist() == answer_keys(records).tolist()  # what a save stores and looks up too
        assert edits == edit_keys(records, numbers)
        assert clusters  # the repeated questions are found as before
    assert len(check_all(records[:10], workers=1, vectors=False)) == 2  # without keys: as before


def P(instruction, chosen, rejected, input_=""):
    return Record(instruction=instruction, input=input_, output=chosen, rejected=rejected)


def test_preference_pairs_duplicate_reverse_or_stand_beside_each_other():
    ask = "Which plan should a family of four pick for home internet?"
    records = [
        P(ask, "The family plan: 500 Mbit/s for four devices at once.", "The starter plan."),
        P(ask.lower(), "The family plan: 500 Mbit/s for four devices at once.", "The starter plan."),  # the same pair
        P(ask, "The starter plan.", "The family plan: 500 Mbit/s for four devices at once."),  # reversed
        # another pair for the same prompt: preference data holds several on purpose (a hard negative)
        P(ask, "The family plan: 500 Mbit/s for four devices at once.", "Any plan works, they are all the same."),
        P("Which plan should a single student pick for home internet?", "The starter plan.", "The family plan."),
    ]
    assert diagnoses(records) == {
        (0, 1): "duplicate",
        (0, 2): "contradiction",
        (1, 2): "contradiction",
    }
    findings = check_records(records, workers=1)
    reversed_ = next(f for f in findings[2] if f.check == "contradiction")
    assert "reversed preference" in reversed_.message
    assert 3 not in findings and 4 not in findings


def test_a_plain_example_teaching_the_rejected_answer_contradicts_the_pair():
    ask = "Can I return opened headphones?"
    records = [
        P(ask, "Yes, within 30 days, if they are undamaged.", "No, opened items cannot be returned."),
        Record(ask, "", "No, opened items cannot be returned."),  # teaches what the pair rejects
        Record(ask + " ", "", "Yes, within 30 days, if they are undamaged."),  # teaches the chosen one
    ]
    # the pair and the example teaching its chosen answer stand side by side; the two plain
    # examples contradict each other as ever
    assert diagnoses(records) == {(0, 1): "contradiction", (1, 2): "contradiction"}
    message = next(f for f in check_records(records, workers=1)[1] if f.check == "contradiction").message
    assert "rejects this output" in message


def test_a_preference_pair_with_the_same_answer_twice_is_an_error():
    findings = check_records([P("Is 7 prime?", "Yes, 7 is prime.", " Yes, 7 is prime. ")], workers=1)[0]
    assert [(f.check, f.severity, f.field) for f in findings] == [("format", "error", "rejected")]


def test_pii_in_a_rejected_answer_is_found():
    findings = check_records([P("Who handles refunds?", "The billing team.", "Mail jane.doe@example.com")], workers=1)
    assert [f.message for f in findings[0] if f.check == "pii"] == [
        "the rejected answer contains an e-mail address (…@example.com)"
    ]


def test_a_reversed_pair_whose_answers_differ_in_one_token_is_not_a_duplicate():
    """Code answers that differ in one token are two answers (a near miss is what a rejected answer
    often is): the pair the other way round is a contradiction, not the same pair again."""
    ask = "Which customers registered before 2021? Return their signup_date and country."
    right = "SELECT country, signup_date\nFROM customers\nWHERE signup_date < '2021-01-01';"
    wrong = "SELECT country, signup_date\nFROM customers\nWHERE signup_date <= '2021-01-01';"
    assert diagnoses([P(ask, right, wrong), P(ask, wrong, right)]) == {(0, 1): "contradiction"}
    assert diagnoses([P(ask, right, wrong), P(ask.lower(), right, wrong)]) == {(0, 1): "duplicate"}
    # reworded free text is one answer for a contradiction check, but two answers in a pair
    chosen = "Restart the router, then sign in again with the new password from the card."
    assert diagnoses([P(ask, chosen, "Restart it."), P(ask, chosen, "Try turning the router off and on.")]) == {}


def test_the_same_specific_answer_vouches_for_a_paraphrased_prompt():
    """Two prompts in quite other words (cosine 0.64) asking for one SQL query, answered by the same
    query: a duplicate. The answer says enough (many different words) and only they share it."""
    query = "SELECT name FROM employees WHERE department = 'Engineering' AND hire_date >= '2022-01-01';"
    records = [
        Record("Names of Engineering staff whose hire date is later than 2021, please.", "", query),
        Record("Who joined Engineering after 2021? I need their names.", "", query),
        Record(
            "How many orders were placed in March 2021?",
            "",
            "SELECT COUNT(*) FROM orders WHERE order_date >= '2021-03-01' AND order_date < '2021-04-01';",
        ),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate"}


def test_a_shared_label_or_another_slot_does_not_vouch():
    """Hard negatives: a short label answer shared by different tickets says nothing about their
    prompts; the same specific answer under prompts with another year, or another customer
    signing, is still two requests (the slot guard holds in full)."""
    label = '{"category": "shipping", "priority": "high"}'
    tickets = [
        Record("Triage the ticket.", "My parcel never arrived and the tracking page shows nothing.", label),
        Record("Triage the ticket.", "The courier left my parcel in the rain and it is soaked.", label),
    ]
    assert diagnoses(tickets) == {}
    query = "SELECT name FROM employees WHERE department = 'Engineering' AND hire_date >= '2022-01-01';"
    years = [
        Record("Names of Engineering staff hired later than 2021, please.", "", query),
        Record("Who joined Engineering after 2020? I need their names.", "", query),
    ]
    assert diagnoses(years) == {}
    answer = '{"category": "account", "priority": "low", "product": "Harbor Mail", "action": "disable_auto_renew"}'
    signed = [
        Record("Triage the ticket.", "Hi, Please do not renew my Business plan for Harbor Mail.\n\nPavel", answer),
        Record("Triage the ticket.", "About my Business plan on Harbor Mail: renewal should stay off. - Mateo", answer),
    ]
    assert diagnoses(signed) == {}


def test_comparisons_said_in_other_words_are_one_slot_and_opposites_two():
    from curation.core.slots import slot_difference, slots_of

    same = [
        ("products that cost more than $375", "products whose price is higher than 375"),
        ("staff hired later than 2021", "staff hired after 2021"),
        ("the largest order", "the biggest order"),
        ("It stopped syncing. Best, Grace", "It stopped syncing. Cheers, Grace"),
    ]
    for a, b in same:
        assert slot_difference(slots_of(a), slots_of(b)) == "", (a, b)
    for a, b in [
        ("more than 375", "less than 375"),
        ("the largest order", "the smallest order"),
        ("before 2021", "after 2021"),
    ]:
        assert slot_difference(slots_of(a), slots_of(b)).startswith("another comparison"), (a, b)
    assert "another name" in slot_difference(
        slots_of("Reset my password.\n\nPavel"), slots_of("Reset my password.\n\nLucas")
    )


def test_one_frame_with_other_fillers_in_another_order_is_another_request():
    """Embeddings read "oats or chicken breast" and "salmon or oats" as one request (0.92); most
    content words are shared and each side has its own filler, in whatever order: two requests,
    so their different numbers are no contradiction. A rewording is not held back by it."""
    from curation.core.slots import filler_swap

    a = "Which has more calories, oats or chicken breast?\nassistant: Are you comparing them raw or cooked?\nuser: Raw."
    b = "Which has more calories, salmon or oats?\nassistant: Are you comparing them raw or cooked?\nuser: Raw."
    assert filler_swap(a, b) == ("breast chicken", "salmon")
    assert (
        filler_swap(
            "Which products in the office category cost less than $375?",
            "List every product from office whose price is lower than 375.",
        )
        is None
    )
    assert filler_swap("My parcel from Lyon never arrived", "My parcle from Lyon never arived") is None  # slips
    records = [
        Record(
            messages=(
                {"role": "user", "content": "Which has more calories, oats or chicken breast?"},
                {"role": "assistant", "content": "Are you comparing them raw or cooked?"},
                {"role": "user", "content": "Raw."},
                {"role": "assistant", "content": "Oats: about 389 kcal per 100 g, chicken breast 165."},
            )
        ),
        Record(
            messages=(
                {"role": "user", "content": "Which has more calories, salmon or oats?"},
                {"role": "assistant", "content": "Are you comparing them raw or cooked?"},
                {"role": "user", "content": "Raw."},
                {"role": "assistant", "content": "Oats: about 389 kcal per 100 g, salmon 208."},
            )
        ),
    ]
    assert diagnoses(records) == {}


def test_a_request_verb_that_names_a_column_is_content():
    """ "name" asks in "Name 3 foods" but names a column in "List the name and signup_date": two
    prompts that swap it for "country" ask for different columns."""
    from curation.core.slots import content_words, swapped_word

    assert swapped_word(
        "List the name and signup_date of customers who signed up before 2017.",
        "List the country and signup_date of customers who signed up before 2017.",
    ) == ("name", "country")
    assert swapped_word("Name 3 foods that contain lactose.", "List 3 foods that contain lactose.") is None
    assert "name" not in content_words("Please name 3 foods.") and "count" in content_words("Show the order count.")


def test_a_noun_that_introduces_a_quote_is_no_content_word_swapped():
    """ "the word 'xylophone'" names what "'xylophone'" names: a reworded question about one
    quoted word whose answers disagree is a contradiction; another word quoted stays another."""
    from curation.core.slots import content_words, swapped_word

    assert content_words("How many vowels are in the word 'xylophone'?") == ["vowel"]
    assert "word" in content_words("Suggest a word that rhymes with cat.")
    assert swapped_word("'xylophone': how many of its letters are vowels?", "Vowels in the word 'xylophone'?") is None
    assert swapped_word("How many vowels are in 'xylophone'?", "How many consonants are in 'xylophone'?")


def test_copies_of_one_prompt_are_compared_once_and_keep_their_diagnoses(monkeypatch):
    """Many copies of a prompt (a third of a big real set can be copies) go through the pairwise
    comparison as one: comparing them one by one costs the square of their number."""
    from curation.core import clusters

    compared = []
    real_match = clusters.match
    monkeypatch.setattr(clusters, "match", lambda *a, **k: compared.append(1) or real_match(*a, **k))
    parcel = "Where is my parcel? It is order 1234."
    records = (
        [Record(parcel, "", "It ships today.") for _ in range(20)]
        + [Record(parcel.upper(), "", "It was cancelled.") for _ in range(20)]
        + [Record("Where is my parcel? It is order 1235.", "", "It ships today.")]  # another order
        + [Record("Where is my parcell? It is order 1234.", "", "It ships today.")]  # a typo
    )
    found = diagnoses(records)
    assert len(compared) <= 3  # 42 examples, 861 pairs: three distinct prompts
    assert found[(0, 19)] == found[(0, 41)] == found[(20, 39)] == "duplicate"
    assert found[(0, 20)] == found[(20, 41)] == "contradiction"
    assert not [pair for pair in found if 40 in pair]
    notes = {
        f.message.split(" as ")[0].split(" and the same")[0]
        for f in cluster_findings(find_clusters(records), str, Finding)[41]
    }
    assert notes == {"the same wording with small edits"}  # the copies share their representative's note


def test_a_prompt_that_asks_for_more_is_another_request_not_a_contradiction():
    rows = "Write Python code that reads the CSV file 'stock_2018.csv' and prints how many data rows it has"
    plain = "import csv\nwith open('stock_2018.csv') as f:\n    print(sum(1 for _ in csv.reader(f)))"
    skipping = "import csv\nwith open('stock_2018.csv') as f:\n    r = csv.reader(f)\n    next(r)\n    print(sum(1 for _ in r))"
    records = [
        Record(rows + ".", "", plain),
        Record(rows + " (skip the header line).", "", skipping),  # asks for more: another request
        Record("Hello! " + rows.lower() + ". Many thanks!", "", skipping),  # only courtesy added: a contradiction
    ]
    assert diagnoses(records) == {(0, 2): "contradiction", (1, 2): "duplicate"}


def test_one_schema_with_questions_that_fill_one_frame_differently_is_two_requests():
    schema = "Tables: transfers(id, amount, from_type, to_type, created_at)"
    records = [
        Record("How much money was moved from brokerage accounts to savings accounts in 2017?", schema, "SELECT 1"),
        Record("How much money was moved from credit card accounts to savings accounts in 2017?", schema, "SELECT 2"),
        Record("How much money was moved from brokerage acconts to savings accounts in 2017?", schema, "SELECT 3"),
    ]
    assert diagnoses(records) == {(0, 2): "contradiction"}


SPORTS = "SELECT name FROM products WHERE category = 'sports' AND price > 80;"


def test_answers_one_edit_apart_vouch_for_prompts_said_in_other_words():
    records = [
        Record("Show me the names of sports items that are more expensive than $80.", "", SPORTS),
        Record("Which products in the sports category cost more than $80?", "", SPORTS.replace(">", ">=")),
        # the edit is what the prompts name apart: another request, not a wrong answer
        Record("Which products in the kitchen category cost more than $80?", "", SPORTS.replace("sports", "kitchen")),
    ]
    assert diagnoses(records) == {(0, 1): "contradiction"}


def test_the_pairwise_pass_in_forked_processes_finds_what_one_process_finds(monkeypatch):
    from benchmarks.accuracy_sets import realistic_rows
    from benchmarks.check_accuracy import to_record
    from curation.core import clusters

    records = [to_record(row) for row in realistic_rows(3000, seed=4)]
    vectors = clusters.main_vectors(records)

    def summary(found):
        return sorted(
            (tuple(c.members), sorted(map(tuple, c.groups)), sorted((sorted(p), n) for p, n in c.prompt_notes.items()))
            for c in found
        )

    alone = summary(find_clusters(records, vectors=vectors, workers=1))
    monkeypatch.setattr(clusters, "PARALLEL_PAIRS", 0)  # this set has too few pairs to fork for
    pools = []

    class Counted(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    together = summary(find_clusters(records, vectors=vectors, workers=2))
    assert len(alone) > 50 and together == alone
    assert pools and set(pools) == {(2,)}  # decided (and the answer edits looked for) in two forked processes


def test_a_process_running_other_threads_checks_in_itself():
    import threading

    from curation.core.dataset import default_workers

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert default_workers() == 1  # a fork would copy the other thread's locks
    finally:
        stop.set()
        other.join()


def test_a_shared_record_of_labels_vouches_only_for_prompts_much_alike():
    from curation.core.clusters import ANCHORED_LABEL_MEANING, ANCHORED_MEANING, anchored_floor
    from curation.core.prompt_match import SAME_MEANING

    labels = '{"team": "tech_support", "priority": "low", "product_area": "projects", "needs_refund": false}'
    order = '{"intent": "refund", "order_id": "A-8812", "amount": 74.99, "currency": "USD", "urgent": false}'
    assert anchored_floor(SAME_MEANING, labels) == ANCHORED_LABEL_MEANING > ANCHORED_MEANING
    assert anchored_floor(SAME_MEANING, order) == ANCHORED_MEANING


def _bank_chat(*turns):
    roles = ["user", "assistant"] * len(turns)
    return Record.chat([{"role": r, "content": c} for r, c in zip(roles, turns)])


def test_two_chats_asking_the_same_conflict_on_an_earlier_assistant_turn():
    """Every assistant turn is taught, not only the last: the same user turns answered 1 business
    day in one chat and 3 in the other is a contradiction, however equal the last answers."""
    one = _bank_chat(
        "How long does a wire transfer take?",
        "Domestic wires usually arrive within 1 business day.",
        "And is there a fee?",
        "Yes, outgoing domestic wires cost $25.",
    )
    three = _bank_chat(
        "How long does a wire transfer take?",
        "Domestic wires usually arrive within 3 business days.",
        "And is there a fee?",
        "Yes, outgoing domestic wires cost $25.",
    )
    assert diagnoses([one, three]) == {(0, 1): "contradiction"}
    (finding,) = cluster_findings(find_clusters([one, three]), str, Finding)[0]
    assert "assistant turn 1 of 2" in finding.message and "1 vs 3" in finding.message
    frozen = _bank_chat(
        "Can I freeze my card?",
        "Yes, open the app and tap Freeze card.",
        "Will automatic payments still go through?",
        "Recurring payments are declined while the card is frozen.",
    )
    cannot = _bank_chat(
        "Can I freeze my card?",
        "No, you need to call us to freeze it.",
        "Will automatic payments still go through?",
        "Recurring payments are declined while the card is frozen.",
    )
    assert diagnoses([frozen, cannot]) == {(0, 1): "contradiction"}


def test_an_earlier_turn_said_in_other_words_or_another_follow_up_is_no_conflict():
    hello = _bank_chat("Hi", "Hello! How can I help?", "What is the daily ATM limit?", "The daily ATM limit is $500.")
    hi = _bank_chat(
        "Hi", "Hi there, what can I do for you today?", "What is the daily ATM limit?", "The daily ATM limit is $500."
    )
    assert diagnoses([hello, hi]) == {(0, 1): "duplicate"}
    # other user turns after the same opening: two conversations, whatever their first answers
    wire = _bank_chat("Hi", "Hello! How can I help?", "How long does a wire take?", "One business day.")
    assert diagnoses([hello, wire]) == {}
    # the numbers of an assistant turn no longer tell the chats apart: the user turns do
    limit = _bank_chat(
        "What is my card limit?", "Your limit is $2,000.", "Can I raise it to $5,000?", "Yes, in the app."
    )
    other = _bank_chat(
        "What is my card limit?", "Your limit is $2,000.", "Can I raise it to $3,000?", "Yes, in the app."
    )
    assert diagnoses([limit, other]) == {}


def test_a_reply_said_by_many_vouches_for_no_rewording():
    """A canned reply under many different requests is a template's, not one request's answer:
    it links none of them, however alike two read."""
    canned = (
        "Thanks for reaching out! Our support team has received your request and will reply within 24 hours "
        "with next steps."
    )
    asks = [
        "The app crashes every time I open it on my phone.",
        "The app freezes whenever I try to log in on my phone.",
        "I can't upload photos from my gallery.",
        "My invoice shows the wrong company name.",
        "How do I export my notes to PDF?",
        "The dark mode setting does not stick after a restart.",
        "Sync between my laptop and tablet stopped working.",
        "I was charged twice this month.",
        "Where do I change my e-mail address?",
        "Notifications arrive hours late on Android.",
    ]
    assert diagnoses([Record(a, "", canned) for a in asks]) == {}


def test_one_receipt_and_one_record_under_instructions_worded_apart_is_one_request():
    """Receipts all read alike (the meaning layer stays out of such a set); one receipt with one
    JSON record under two instructions is still one request, however the record's keys are
    ordered, and another field of the same receipt or the same fields of another stay apart."""

    def receipt(n, total):
        return f"GREENLEAF MARKET\\n442 Main St, Portland\\n05/0{n}/2023 13:55\\n----\\nApples 3.20\\nBread 4.10\\nTOTAL {total}"

    ask = "Return the grand total and its currency in JSON (keys total, currency)."
    records = [
        Record(ask, receipt(n, f"{10 + n}.50"), f'{{"total": {10 + n}.5, "currency": "USD"}}') for n in range(1, 8)
    ]
    records += [
        Record(
            "As JSON, what was the total amount and in which currency?",
            receipt(1, "11.50"),
            '{ "currency": "USD", "total": 11.5 }',
        ),
        Record(
            "Give me the date and the store name as JSON.",
            receipt(1, "11.50"),
            '{"date": "2023-05-01", "store": "Greenleaf Market"}',
        ),
    ]
    assert diagnoses(records) == {(0, 7): "duplicate"}


# --- one input under instructions worded apart (input_task_match) ------------------------------

TICKET = "Hi, the invoice for March charged us twice and our admin cannot log in since Tuesday."
EMAIL = "Please stop billing me from next month on, I no longer use the service and want to leave."


def test_one_input_with_json_of_the_same_fields_under_reworded_instructions():
    records = [
        Record(
            "Return JSON with the queue and the urgency of this ticket.",
            TICKET,
            '{"queue": "billing", "urgency": "high"}',
        ),
        Record("triage it -> {queue, urgency} as json", TICKET, '{"urgency": "low", "queue": "billing"}'),
        Record(
            "Which team gets the message below, and how urgent is it? JSON only, nothing else.",
            TICKET,
            '{"queue": "billing", "urgency": "high"}',
        ),
    ]
    assert diagnoses(records) == {(0, 1): "contradiction", (0, 2): "duplicate", (1, 2): "contradiction"}


def test_one_input_with_labels_under_classifying_instructions():
    records = [
        Record("What is the intent of this email?", EMAIL, "Intent: cancel subscription"),
        Record("Tag the email with its intent.", EMAIL, "cancel subscription"),
        Record("Classify the message.", EMAIL, "Refund request."),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (0, 2): "contradiction", (1, 2): "contradiction"}


def test_a_sentiment_asked_in_other_words_over_one_review():
    earbuds = "The noise-cancelling on these earbuds is incredible; the subway goes silent."
    risotto = "Three of us got food poisoning after the seafood risotto. Avoid."
    records = [
        Record("Classify the sentiment of this review as Positive, Negative or Neutral.", earbuds, "Positive"),
        Record(
            "Read the earbud review below and tell me whether the customer feels positive, negative or neutral about it.",
            earbuds,
            "Positive",
        ),
        Record("What is the overall sentiment of this restaurant review?", risotto, "Negative"),
        Record("Overall sentiment of the restaurant review below?", risotto, "Positive"),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (2, 3): "contradiction"}


def test_labels_of_one_review_about_other_parts_of_it_are_no_pair():
    meal = "The pasta was cold and bland, but the waiter was charming and quick."
    phone = "Battery lasts two days, though the screen scratches far too easily."
    records = [
        Record("What is the sentiment toward the food in this review?", meal, "Negative"),
        Record("How does the reviewer feel about the staff?", meal, "Positive"),
        Record("How does the reviewer feel about the price?", meal, "Neutral"),
        Record("Classify the sentiment about the battery as positive or negative.", phone, "Positive"),
        Record("Classify the sentiment about the screen as positive or negative.", phone, "Negative"),
        Record("Classify the overall sentiment of this review.", phone, "Mixed"),
        Record("What emotion does the reviewer express about the battery?", phone, "Satisfaction"),
    ]
    assert diagnoses(records) == {}


def test_one_input_under_two_tasks_is_no_pair():
    clause = "Either party may terminate this Agreement with thirty (30) days written notice to the other."
    records = [
        # another dimension of the same text: a frame filled otherwise
        Record(
            "Classify the sentiment of this review.",
            "The strap broke after a week but support replaced it fast.",
            "mixed",
        ),
        Record(
            "Classify the topic of this review.",
            "The strap broke after a week but support replaced it fast.",
            "durability",
        ),
        # a label beside a question about the text: two shapes of answer
        Record("Classify the clause.", clause, "termination"),
        Record("What notice does the clause require?", clause, "Thirty days, in writing."),
        # questions about the text with short answers: no classifying instruction
        Record(
            "Who is the disclosing party?",
            "The Supplier shall keep confidential all data the Customer discloses.",
            "the Customer",
        ),
        Record(
            "Who must keep the data confidential?",
            "The Supplier shall keep confidential all data the Customer discloses.",
            "the Supplier",
        ),
        # JSON of other fields
        Record(
            "Extract brand and color as JSON.",
            "Kestrel trail shoes, moss green, size 44, waterproof.",
            '{"brand": "Kestrel", "color": "moss green"}',
        ),
        Record(
            "Extract brand and size as JSON.",
            "Kestrel trail shoes, moss green, size 44, waterproof.",
            '{"brand": "Kestrel", "size": "44"}',
        ),
    ]
    assert diagnoses(records) == {}


def test_instructions_that_name_another_comparison_or_a_negation_stay_apart():
    review = "Arrived a day late, but the soup was hot and the portions were generous."
    records = [
        Record("Label the review below.", review, "positive"),
        Record("Which category does the text above belong to?", review, "negative"),
        Record("Classify the review, ignoring anything said about delivery.", review, "positive"),
        Record("Classify the review, not ignoring anything said about delivery.", review, "negative"),
    ]
    found = diagnoses(records)
    assert found[(0, 1)] == "contradiction"  # "below" / "above" say where the text is
    assert (2, 3) not in found


def test_two_chats_that_each_agree_with_a_third_but_not_with_each_other_are_a_contradiction():
    def chat(points, answer, greeting=True):
        turns = (
            [
                {"role": "user", "content": "Hi, I have a homework question"},
                {"role": "assistant", "content": "Sure, go ahead."},
            ]
            if greeting
            else []
        )
        turns += [
            {"role": "user", "content": f"What is the slope of the line through {points}?"},
            {"role": "assistant", "content": f"Slope = rise / run = 8/4 = {answer}."},
            {"role": "user", "content": "what does the slope tell me?"},
            {"role": "assistant", "content": "How much y changes for each step of 1 in x."},
        ]
        return Record.chat(turns)

    right = chat("(1, -4) and (5, 4)", "2")
    wrong = chat("(1, -4) and (5, 4)", "1/2")
    # first, a chat with another number of turns, which agrees with each on the last answer
    third = chat("(1, -4) and (5, 4)", "2", greeting=False)
    found = diagnoses([third, right, wrong])
    assert found[(1, 2)] == "contradiction"


def test_a_label_with_its_stock_reason_vouches_for_no_rewording():
    reason = "Termination: it sets out when and how the agreement can be ended by either party."
    records = [
        Record(
            "Classify the clause and give a one-line reason.",
            "Either party may end this Agreement on ninety days written notice.",
            reason,
        ),
        Record(
            "Classify the clause and give a one-line reason.",
            "This Agreement ends automatically if the Supplier becomes insolvent.",
            reason,
        ),
        Record(
            "Classify the clause and give a one-line reason.",
            "The Customer may terminate for convenience with sixty days notice.",
            reason,
        ),
    ]
    assert diagnoses(records) == {}
    # the same answer under a question that is no classification still vouches, as before
    from curation.core.clusters import answer_keys

    keys = answer_keys([records[0], Record("Explain what this clause does.", records[0].input, reason)])
    assert keys[0] == 0 and keys[1] != 0


def test_two_texts_edited_apart_and_labelled_otherwise_may_not_contradict_in_meaning():
    from curation.core.prompt_match import PromptView, labelled_apart, may_contradict

    ask = "Label the review's sentiment and rating as JSON."

    def view(text, sentiment, rating, instruction=ask):
        return PromptView(Record(instruction, text, json.dumps({"sentiment": sentiment, "rating": rating})))

    weak = view("The screen is great but the speakers are weak.", "mixed", 3)
    too = view("The screen is great and the speakers are too.", "positive", 5)
    late = view("The parcel did not come on time but the kettle works well.", "mixed", 4)
    on_time = view("The parcel came on time and the kettle works well.", "positive", 5)
    for a, b in ((weak, too), (late, on_time)):
        assert labelled_apart(a, b) and not may_contradict("meaning", 0.97, a, b)
    # a ticket said otherwise throughout is one text: labels that differ there disagree
    triage = "Triage the ticket as JSON."
    said = view("My parcel is two weeks late and nobody answers the phone.", "negative", 1, triage)
    again = view("Fourteen days on, the package still hasn't shown up; support is silent.", "neutral", 3, triage)
    assert not labelled_apart(said, again) and may_contradict("meaning", 0.97, said, again)
    # not labels: free text about two texts is left to the other rules
    free = PromptView(Record("Reply to the customer.", weak.record.input, "Sorry about the speakers!"))
    other = PromptView(Record("Reply to the customer.", too.record.input, "Glad you like it!"))
    assert not labelled_apart(free, other)


def test_a_duplicate_says_the_same_answer_only_when_the_words_are_the_same():
    found = cluster_findings(
        find_clusters(
            [
                Record("What is the capital of France?", "", "Paris"),
                Record("what is the capital of france", "", "paris"),
                Record("What is the capital of France??", "", "It is Paris."),
            ]
        ),
        lambda i: f"line {i + 1}",
        Finding,
    )
    (first,) = found[0]
    assert "the same prompt and an answer that agrees with line 2, line 3" in first.message
    (second,) = found[1]
    assert "an answer that agrees with line 1, line 3" in second.message
    copies = cluster_findings(
        find_clusters([Record("Name a prime.", "", "Seven"), Record("name a prime", "", "seven")]), str, Finding
    )
    assert "the same answer as 1" in copies[0][0].message


def test_prompts_that_write_out_other_patterns_are_two_requests():
    from curation.core.slots import literal_slots

    assert literal_slots("Match dates like DD/MM/YYYY.") == {"dd/mm/yyyy"}
    assert literal_slots("Use yyyy-mm-dd, e.g. 2024-01-15, n/a otherwise, in km/h.") == {"yyyy-mm-dd"}
    assert literal_slots("AA batteries or a TCP/IP stack") == frozenset()
    records = [
        Record("Write a regular expression that matches dates written as DD/MM/YYYY.", "", r"^\d{2}/\d{2}/\d{4}$"),
        Record("Write a regular expression that matches dates written as DD.MM.YYYY.", "", r"^\d{2}\.\d{2}\.\d{4}$"),
        Record("What fraction of an Aa x Aa cross shows the recessive phenotype?", "", "One quarter (1/4)."),
        Record("What fraction of an Aa x aa cross shows the recessive phenotype?", "", "One half (1/2)."),
        # a casing slip keeps the pattern: still one request, and these answers conflict
        Record("write a regular expression that matches dates written as dd/mm/yyyy", "", r"^\d{2}-\d{2}-\d{4}$"),
        # a quoted symbol, which no word says
        Record("Regex to test whether a string starts with '#'.", "", "const startsWithHash = (s) => /^#/.test(s);"),
        Record("Regex to test whether a string starts with '@'.", "", "const startsWithAt = (s) => /^@/.test(s);"),
    ]
    found = diagnoses(records)
    assert (0, 1) not in found and (2, 3) not in found and (1, 4) not in found and (5, 6) not in found
    assert found[(0, 4)] == "contradiction"


def test_a_thing_asked_to_be_absent_makes_another_request_however_reworded():
    records = [
        Record(
            "Give me 5 examples of food with caffeine.", "", "Coffee, black tea, cola, dark chocolate, energy drinks."
        ),
        Record(
            "List 5 things to eat that are free of caffeine.",
            "",
            "Water, rooibos tea, orange juice, milk, chamomile tea.",
        ),
        Record(
            "List 5 things to eat that are free of caffeine.",
            "",
            "Coffee, black tea, cola, dark chocolate, chamomile tea.",
        ),
        Record("Suggest a gluten-free pasta dish for dinner.", "", "Rice noodles with garlic, chili and spinach."),
        Record("Give me a pasta dish without gluten for dinner.", "", "Rice noodles with garlic, chili and spinach."),
    ]
    from curation.core.prompt_match import PromptView, match

    view = [PromptView(r) for r in records]
    # however alike in meaning: a verb's negation in a reworded text may be phrasing, a thing withheld is not
    assert not match(view[0], view[1], 0.9)[0] and match(view[3], view[4], 0.9)[0]
    found = diagnoses(records)
    assert (0, 1) not in found and (0, 2) not in found
    assert found[(1, 2)] == "contradiction"
    assert found[(3, 4)] == "duplicate"  # both withhold gluten: one request


def test_one_long_answer_vouches_for_a_term_quoted_two_ways_and_a_word_that_moved():
    at_will = (
        "At-will employment means either you or your employer can end the job at any time, for any reason or no"
        " reason, without notice. An employer still cannot fire you for an illegal reason such as discrimination."
    )
    returns = (
        "Under EU consumer law you generally have 14 days from delivery to withdraw from an online purchase"
        " without giving a reason, and the seller must refund you within 14 days of your withdrawal."
    )
    error = (
        "That error means the code asked for something that is not there. Read the traceback from the bottom up"
        " and check the line it names."
    )
    records = [
        Record("What does 'at-will employment' mean?", "", at_will),
        Record("Could you explain what people mean when they say a job is 'at will'?", "", at_will),
        # "online" has no role in the other: no direction turned around
        Record("I bought shoes online from an EU shop. How long do I have to return them?", "", returns),
        Record("What's the return window for shoes I ordered from an online shop based in the EU?", "", returns),
        # two terms quoted: one explanation given to both is a template's
        Record("My code crashes with 'KeyError: 'user_id''. What does it mean?", "", error),
        Record("My code crashes with 'ZeroDivisionError: division by zero'. What does it mean?", "", error),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (2, 3): "duplicate"}


def test_one_answer_reworded_vouches_for_a_prompt_that_asks_for_the_best_in_other_words():
    records = [
        Record(
            "What is the best time of year to visit Japan for cherry blossoms?",
            "",
            "Cherry blossoms usually peak in Tokyo and Kyoto from late March to early April. The season starts earlier"
            " in Okinawa and moves north, reaching Hokkaido in early May. Check the official forecasts before you go.",
        ),
        Record(
            "If I want to see sakura in full bloom, which month should I plan my trip to Japan?",
            "",
            "Cherry blossoms typically peak in Tokyo and Kyoto between late March and early April. The season begins"
            " earlier in Okinawa and moves north, reaching Hokkaido in early May. Check the official forecasts before your trip.",
        ),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate"}


def test_prompts_naming_the_same_identifier_in_other_words_with_code_one_token_apart():
    records = [
        Record("Compute the median of the wait_time column.", "", 'df["wait_time"].median()'),
        Record("What's the median wait_time?", "", 'df["wait_time"].mean()'),
        # a template's siblings: another statistic asked, its own answer
        Record("Compute the mean of the wait_time column.", "", 'df["wait_time"].mean()'),
        Record("Compute the maximum of the wait_time column.", "", 'df["wait_time"].max()'),
        Record(
            "Merge orders and customers on customer_id, keeping only the rows that match in both.",
            "",
            'merged = orders.merge(customers, on="customer_id", how="inner")',
        ),
        Record(
            "Inner-join orders to customers by customer_id.",
            "",
            'merged = orders.merge(customers, on="customer_id", how="outer")',
        ),
        Record(
            "Left-join orders to customers by customer_id.",
            "",
            'merged = orders.merge(customers, on="customer_id", how="left")',
        ),
    ]
    found = diagnoses(records)
    assert found[(0, 1)] == "contradiction" and found[(4, 5)] == "contradiction"
    assert not {pair for pair in found if 3 in pair or 6 in pair}  # the maximum, the left join: other requests


def test_an_intent_asked_in_other_words_over_one_message():
    cancel = "I changed my mind about the bike helmet, please cancel the order before it leaves the warehouse."
    track = "Can you tell me where my package is right now? Order 66120."
    invoice = "I'd like an invoice for order 55410 with our company VAT number on it."
    records = [
        Record("Read the customer's message and output the matching intent label.", cancel, "cancel_order"),
        Record(
            "So this customer wrote in. What do they want us to do? Give me the intent tag only.",
            cancel,
            "cancel_order",
        ),
        Record("Intent classification. Message below; output only the intent.", track, "track_package"),
        Record(
            "Below is an incoming support chat. Which bucket should it be routed to? Only the label.",
            track,
            "track_package",
        ),
        Record("Classify the intent of this customer message.", invoice, "invoice_request"),
        Record("Read this and tell me the request type (one label, nothing else).", invoice, "invoice_request"),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (2, 3): "duplicate", (4, 5): "duplicate"}


def test_a_regex_class_negated_follows_a_request_negated_in_other_words():
    records = [
        Record("A regex that matches a string made only of digits?", "", r"^\d+$"),
        Record("Write a regex that matches lines that do not contain a digit.", "", r"^\D*$"),
    ]
    assert diagnoses(records) == {}


def test_one_input_under_an_instruction_in_other_words_says_so():
    review = "We waited forty minutes for a table we had booked, and nobody apologised. The risotto was lovely though."
    records = [
        Record(
            "Which aspect of the meal is the reviewer unhappy with: food, service, ambience, or price?",
            review,
            "Service",
        ),
        Record("Of food, service, ambience and price, what does this diner complain about?", review, "Service"),
    ]
    found = check_records(records)
    (message,) = [f.message for f in found[1] if f.check == "duplicate"]
    assert message.startswith("the same input, the instruction in other words")


def test_an_intent_label_asked_in_other_words_answered_otherwise_is_a_contradiction():
    package = "Where's my package? It was due on Tuesday and the tracking page shows nothing since it left Memphis."
    plan = "Can I move my team of 12 onto the business plan? We need the admin features."
    records = [
        Record("Read the customer's message and output the matching intent label.", package, "track_package"),
        Record("Which intent does this message express? Answer with a single label.", package, "lost_package"),
        Record("Pick the intent label that best fits this customer's request.", plan, "subscription_upgrade"),
        Record("Give the intent label for the customer's message.", plan, "subscription_cancel"),
    ]
    assert diagnoses(records) == {(0, 1): "contradiction", (2, 3): "contradiction"}


def test_one_text_rewritten_under_instructions_in_other_words_is_one_task():
    note = "can we push the call to 4? something came up"
    notice = "The pharmacy on Elm Street is open from 8 am to 9 pm on weekdays and from 10 am to 6 pm on weekends."
    typos = "Thier recieved the pakage on wensday."
    records = [
        # one rewrite word for word under instructions that share no words: a duplicate
        Record(
            "Rewrite the following in a professional register.",
            note,
            "Would it be possible to move our call to 4 o'clock? Something unexpected has come up.",
        ),
        Record(
            "Make this more formal.",
            note,
            "Would it be possible to move our call to 4 o'clock? Something unexpected has come up.",
        ),
        # one summary with one value replaced: a contradiction
        Record("Can you make this shorter?", notice, "Elm Street pharmacy: weekdays 8am-9pm, weekends 10am-4pm."),
        Record("Shorten this.", notice, "Elm Street pharmacy: weekdays 8am-9pm, weekends 10am-6pm."),
        Record("Correct any typos in this text.", typos, "They received the package on Wednesday."),
        Record("Fix the spelling mistakes.", typos, "They received the package on Wednesday."),
        # the same text under other tasks, answered otherwise: no finding
        Record("Make this sound casual.", note, "hey, can we do 4 instead? something came up"),
        Record("Translate this into French.", typos, "Ils ont reçu le colis mercredi."),
        Record("Make this longer and friendlier.", notice, "Good news! Our Elm Street pharmacy is open 8 am to 9 pm."),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (2, 3): "contradiction", (4, 5): "duplicate"}


def test_one_number_bounded_the_other_way_is_a_conflict():
    assert compare_answers("You must be under 18 when you apply.", "You must be at least 18 when you apply.")[0] == (
        "conflict"
    )
    assert compare_answers("Under 18.", "At least 18.")[0] == "conflict"
    # the same way, or both ways in one answer, or "most" that bounds nothing: no conflict
    assert compare_answers("Bake for at least 30 minutes.", "Bake for more than 30 minutes.")[0] == "agree"
    assert compare_answers("Children under 12 fly free; adults over 12 pay.", "Adults over 12 pay.")[0] == "agree"
    assert compare_answers("Most 18 year olds can vote here.", "Over 18 year olds can vote here.")[0] == "agree"


def test_a_product_sorted_under_instructions_in_other_words_and_a_thanks_mistyped():
    scooter = "Razor A Kick Scooter for Kids"
    balm = "Burt's Bees Beeswax Lip Balm, 4 Pack"
    records = [
        Record("What category is this product?", scooter, "Toys & Games"),
        Record("Which department does the following item belong in?", scooter, "Toys & Games"),
        Record("Which of our categories fits this product best?", balm, "Beauty"),
        Record("Classify the following product by category.", balm, "Beauty"),
        Record("in what year did the french revolution begin? - thhanks in advance", "", "1789"),
        Record("In what year did the French Revolution begin?", "", "1789"),
        # a prompt that is another with a word added asks for more: answers that differ do not conflict
        Record("Can I pay the rent online?", "", "Yes, through the tenant portal."),
        Record("Can I pay the rent?", "", "Yes, on the first of the month."),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate", (2, 3): "duplicate", (4, 5): "duplicate"}


def test_amounts_in_other_currencies_and_people_named_otherwise_in_one_text_are_other_requests():
    order = "My husband Mark placed the order, but the account is mine, Lisa Grant, so please talk to me."
    records = [
        Record(
            "Return the refund amount and currency as JSON.",
            "You still owe me a $45 refund.",
            '{"amount": 45, "currency": "USD"}',
        ),
        Record(
            "Return the refund amount and currency as JSON.",
            "You still owe me a £45 refund.",
            '{"amount": 45, "currency": "GBP"}',
        ),
        Record(
            "Return the refund amount and currency as JSON.",
            "You still owe me a 45 USD refund.",
            '{"amount": 45, "currency": "EUR"}',
        ),
        Record("Who is the account holder? JSON {name}.", order, '{"name": "Lisa Grant"}'),
        Record("Who placed the order? JSON {name}.", order, '{"name": "Mark"}'),
        Record("Whose account is it? Answer as JSON {name}.", order, '{"name": "Mark"}'),
    ]
    # "$45" is "45 USD"; the account holder asked twice, answered otherwise, is a contradiction
    assert diagnoses(records[:4] + records[5:]) == {(0, 2): "contradiction", (3, 4): "contradiction"}
    # who placed the order is another question about the same text
    assert diagnoses(records[3:5]) == {}


def test_yaml_is_compared_token_by_token_and_a_time_in_another_unit_is_the_same_time():
    secret = "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db-creds\n      key: {}"
    assert compare_answers(secret.format("password"), secret.format("username"))[0] == "conflict"
    assert compare_answers("Pros: cheap\nCons: slow\nVerdict: buy it", "Pros: cheap\nCons: slow\nVerdict: buy")[0] == (
        "agree"
    )
    wait = "kubectl wait --for=condition=Ready pod/api-0 --timeout=120s"
    records = [
        Record("Wait until pod api-0 is Ready, giving up after two minutes.", "", wait),
        Record("Block until api-0 reports Ready, with a 120 second timeout.", "", wait),
        Record("Wait until pod api-0 is Ready, giving up after two hours.", "", wait.replace("120s", "7200s")),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate"}


def test_one_answer_reworded_with_its_negations_said_otherwise_agrees():
    guac = [
        "Mix in plenty of lime juice and press plastic wrap directly onto the surface so no air touches it.",
        "Add plenty of lime juice and press plastic wrap right onto the surface so air can't reach it.",
    ]
    assert compare_answers(*guac)[0] == "agree"
    assert (
        compare_answers(
            "Usually the butter is too soft or the dough wasn't chilled. Chill the dough for 30 minutes.",
            "Most often the butter is too soft or the dough went in unchilled. Chill it for 30 minutes.",
        )[0]
        == "agree"
    )
    assert compare_answers("It is safe to refreeze thawed meat.", "It is unsafe to refreeze thawed meat.")[0] == (
        "conflict"
    )
    assert compare_answers("You can return it within 30 days.", "You cannot return it within 30 days.")[0] == (
        "conflict"
    )
    # a content word said otherwise under one answer reworded is rewording ("nutritious" / "nutrients")
    records = [
        Record(
            "Is frozen fruit as nutritious as fresh?",
            "",
            "Yes, often. Fruit is frozen soon after picking, which locks in vitamins that fresh fruit can lose "
            "during transport and storage.",
        ),
        Record(
            "Does frozen fruit have the same nutrients as fresh fruit?",
            "",
            "Generally yes, sometimes more: it's frozen soon after picking, which keeps vitamins that fresh fruit "
            "loses in transport and storage.",
        ),
    ]
    assert diagnoses(records) == {(0, 1): "duplicate"}


def test_an_email_labelled_for_intent_and_for_department_is_two_tasks_and_a_priority_is_a_class():
    kettle = "The kettle I received yesterday (order 45120) doesn't switch on. I'd like a refund please."
    refund = "I returned headphones (order 40877) a month ago. The refund still isn't in my account."
    records = [
        Record("Classify the intent of this email.", kettle, "refund_request"),
        Record("Which department should handle this email?", kettle, "Billing"),
        Record("Which team owns this", kettle, "Returns"),
        Record("Give this email a priority level.", refund, "high"),
        Record("Rate the priority of this email (urgent / high / normal / low).", refund, "high"),
        # one instruction, two texts that differ in a place: labels that differ are no contradiction
        Record(
            "Assign a priority (urgent/high/normal/low).",
            "The VPN is down for everyone in the London office.",
            "urgent",
        ),
        Record(
            "Assign a priority (urgent/high/normal/low).",
            "The VPN is a bit slow for me in the London office, but it works.",
            "low",
        ),
    ]
    assert diagnoses(records) == {(1, 2): "contradiction", (3, 4): "duplicate"}


def test_questions_over_one_schema_in_other_words_with_queries_one_edit_apart_conflict():
    schema = (
        "Tables (PostgreSQL):\nproducts(id INT PRIMARY KEY, name TEXT, category TEXT, price NUMERIC(10,2))\n"
        "orders(id INT PRIMARY KEY, customer_id INT, order_date DATE, status TEXT, total_amount NUMERIC(10,2))"
    )
    latest = "SELECT id, customer_id, order_date, total_amount FROM orders ORDER BY order_date {} LIMIT 10;"
    records = [
        Record("Show the ten latest orders.", schema, latest.format("ASC")),
        Record("List the 10 most recent orders.", schema, latest.format("DESC")),
        Record("Show the ten oldest orders.", schema, latest.format("ASC")),
        Record(
            "What's the cheapest product in the Books category?",
            schema,
            "SELECT name, price FROM products WHERE category = 'Books' ORDER BY price ASC LIMIT 1;",
        ),
        Record(
            "Which Books product is the least expensive?",
            schema,
            "SELECT name, price FROM products WHERE category = 'Books' ORDER BY price DESC LIMIT 1;",
        ),
        # another month is another request, "may" said in lowercase too
        Record(
            "How many orders were placed in may 2018?",
            schema,
            "SELECT COUNT(*) FROM orders WHERE order_date >= '2018-05-01' AND order_date < '2018-06-01';",
        ),
        Record(
            "How many orders were placed in January 2018?",
            schema,
            "SELECT COUNT(*) FROM orders WHERE order_date >= '2018-01-01' AND order_date < '2018-02-01';",
        ),
    ]
    assert diagnoses(records) == {(0, 1): "contradiction", (3, 4): "contradiction"}


def test_free_against_a_price_and_renew_against_cancel_conflict():
    assert compare_answers("Yes, paper bills are free of charge.", "Yes, paper bills cost £1.50 a month.")[0] == (
        "conflict"
    )
    assert (
        compare_answers(
            "FleetCo wants to renew maintenance contract FC-220, expiring 31 July, for two more years.",
            "FleetCo wants to cancel maintenance contract FC-220 when it expires on 31 July.",
        )[0]
        == "conflict"
    )
    # a price beside what is free says what is not
    assert (
        compare_answers("The museum is free on Sundays.", "Tickets cost 12 euros, but the museum is free on Sundays.")[
            0
        ]
        == "agree"
    )


def test_two_chats_that_answer_one_turn_otherwise_are_not_called_the_same_answer():
    def chat(first):
        return Record(
            "",
            "",
            "",
            messages=[
                {"role": "user", "content": "How do I check tread depth with a penny?"},
                {"role": "assistant", "content": first},
                {"role": "user", "content": "And what's a better limit for rain?"},
                {
                    "role": "assistant",
                    "content": "Many experts suggest replacing tires at 4/32 of an inch for wet grip.",
                },
            ],
        )

    one = chat("Put a penny head first into the groove; if you can see all of Lincoln's head, replace the tire.")
    other = chat(
        "Put the penny into the groove head first: seeing Lincoln's whole head means it is time for new tires."
    )
    (finding,) = cluster_findings(find_clusters([one, other]), str, Finding)[0]
    assert finding.check == "duplicate" and "an answer that agrees with 1" in finding.message
    (finding,) = cluster_findings(find_clusters([one, one]), str, Finding)[0]
    assert "the same answer as 1" in finding.message


def test_labels_whose_reasons_follow_two_other_inputs_vouch_for_no_instruction_in_other_words():
    records = [
        Record(
            "Please categorize this insurance claim.",
            "Our dog knocked over a cyclist in the park; his bike and helmet were damaged and he wants compensation.",
            "Category: Liability - insured's pet damaged a third party's property",
        ),
        Record(
            "Please classify this claim.",
            "A limb from my oak fell on the neighbor's car during a storm and they filed against my homeowners policy.",
            "Category: Liability - insured's tree damaged a third party's vehicle",
        ),
    ]
    assert cluster_findings(find_clusters(records), str, Finding) == {}
