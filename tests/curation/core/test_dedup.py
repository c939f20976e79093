import json

from curation.core.checks import Finding
from curation.core.dataset import check_jsonl, check_records
from curation.core.dedup import cluster_findings, compare_answers, find_clusters, prompt_words, record_keys, same_prompt
from studio.core.records import Record


def diagnoses(records, silenced=frozenset()):
    """{(i, j): check} for every reported pair (i < j)."""
    out = {}
    for i, found in cluster_findings(find_clusters(records, silenced), str, Finding).items():
        for f in found:
            for j in f.related:
                out[(min(i, j), max(i, j))] = f.check
    return out


def test_formatting_and_typos_make_the_same_prompt():
    a = prompt_words(Record("What is the capital of France?", "", ""))
    for other in [
        "what is the capital of france",
        "What is  the capitol of France?",
        "Please, what is the capital of France?",
    ]:
        assert same_prompt(a, prompt_words(Record(other, "", "")))[0], other
    reset = prompt_words(Record("How do I reset my password?", "", ""))
    assert same_prompt(reset, prompt_words(Record("How can I reset my password?", "", "")))[0]


def test_a_different_word_number_or_negation_makes_another_prompt():
    a = prompt_words(Record("What is the capital of France?", "", ""))
    for other in [
        "What is the capital of Germany?",
        "What is not the capital of France?",
        "What was the capital of France in 1900?",
    ]:
        assert not same_prompt(a, prompt_words(Record(other, "", "")))[0], other
    order_a = prompt_words(Record("Triage", "My order #123 is late", ""))
    order_b = prompt_words(Record("Triage", "My order #124 is late", ""))
    assert not same_prompt(order_a, order_b)[0]


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
    assert compare_answers(a.output, c.output) == ("conflict", "$.priority: “high” vs “low”")


def test_free_text_answers():
    same_gist = (
        "You can return the item within 30 days for a full refund, using the prepaid label.",
        "You may return the item within 30 days for a full refund using our prepaid label.",
    )
    assert compare_answers(*same_gist)[0] == "agree"
    assert (
        compare_answers(
            "You can return the item within 30 days for a full refund.",
            "You can return the item within 14 days for a full refund.",
        )[0]
        == "conflict"
    )
    assert (
        compare_answers(
            "Returns are accepted for unused items in their original box.",
            "Our office is closed on public holidays, sorry.",
        )[0]
        == "conflict"
    )
    assert (
        compare_answers(
            "Yes, the store is open on Sundays from ten.", "No, the store is not open on Sundays from ten."
        )[0]
        == "conflict"
    )


def test_silenced_pairs_are_not_reported():
    records = [Record("Greet the user.", "", "Hello!"), Record("Greet the user.", "", "Good morning to you, friend!")]
    assert diagnoses(records) == {(0, 1): "contradiction"}
    assert diagnoses(records, silenced={frozenset((0, 1))}) == {}


def test_template_heavy_data_does_not_explode():
    """5,000 prompts that differ in one word at the same place share a deletion key."""
    records = [Record("Translate into French:", f"the word {i:05d}x", "mot") for i in range(5000)]
    records.append(Record("Translate into French:", "the word 00001x", "mot"))
    assert diagnoses(records) == {(1, 5000): "duplicate"}


def test_record_keys_match_the_batch_index():
    """The database stores record_keys; the whole-dataset pass uses numpy. They must agree."""
    import numpy as np

    from curation.core.dedup import batch_keys, prompt_hashes

    records = [
        Record("Summarise the text.", "Der Zug fährt um 9 Uhr ab."),
        Record.chat([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]),
    ]
    keys, owners, _ = batch_keys(*prompt_hashes(records))
    for i, record in enumerate(records):
        assert {k for k, _ in record_keys(*prompt_words(record))} == set(keys[owners == i].tolist())
        assert keys.dtype == np.int64


def test_parallel_jsonl_check_equals_the_plain_pass():
    lines = []
    for i in range(6000):
        lines.append(
            json.dumps(
                {
                    "instruction": "Answer briefly.",
                    "input": f"Question {i}: how many legs has animal {i}?",
                    "output": str(i % 7),
                }
            )
        )
    lines.append(
        json.dumps(
            {"instruction": "Answer briefly.", "input": "Question 17: how many legs has animal 17?", "output": "9"}
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
    records = [Record("Answer briefly.", f"Question {i}: how many legs has animal {i}?", str(i % 7)) for i in range(3)]
    assert check_records(records, workers=1) == {}


def test_opposites_and_other_scripts_are_not_typos():
    for a, b in [
        ("Sort the numbers in ascending order.", "Sort the numbers in descending order."),
        ("Should we increase the budget?", "Should we decrease the budget?"),
        ("东京的人口是多少？", "大阪的人口是多少？"),
    ]:
        assert not same_prompt(prompt_words(Record(a, "", "")), prompt_words(Record(b, "", "")))[0], (a, b)


def test_short_answers_that_say_more_agree_and_negations_in_other_languages_conflict():
    assert compare_answers("Paris", "It is Paris.")[0] == "agree"
    assert compare_answers("Yes", "No.")[0] == "conflict"
    de = "Sie können die Bestellung kostenlos stornieren, bitte melden Sie sich beim Kundendienst."
    assert compare_answers(de, de.replace("können", "können nicht"))[0] == "conflict"
    assert (
        compare_answers(
            "The total is 1,000 euros for the whole team this year.",
            "The total is 1000 euros for the whole team this year.",
        )[0]
        == "agree"
    )


def test_lines_with_unusual_unicode_line_breaks_stay_one_example():
    from studio.core.formats import read_rows

    text = json.dumps({"instruction": "Say it", "output": "Line one\u2028line two\u0085end"}, ensure_ascii=False) + "\n"
    rows, errors = read_rows(text.encode("utf-8"), "x.jsonl")
    assert errors == [] and rows[0].record.output == "Line one\u2028line two\u0085end"
