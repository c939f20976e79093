"""Same prompt or not: formatting, typos and filler words make no difference; another word, number
or negation does."""

from curation.core.prompt_comparison import prompt_words, same_prompt
from studio.core.records import Record


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


def test_opposites_and_other_scripts_are_not_typos():
    for a, b in [
        ("Sort the numbers in ascending order.", "Sort the numbers in descending order."),
        ("Should we increase the budget?", "Should we decrease the budget?"),
        ("东京的人口是多少？", "大阪的人口是多少？"),
    ]:
        assert not same_prompt(prompt_words(Record(a, "", "")), prompt_words(Record(b, "", "")))[0], (a, b)


def test_two_words_the_embedding_model_knows_whole_are_no_spelling_slip():
    from curation.core.prompt_comparison import is_typo

    assert not is_typo("slovenia", "slovakia") and not is_typo("austria", "australia")
    assert is_typo("expense", "expesne") and is_typo("receive", "recieve") and is_typo("country", "cuontry")
    assert is_typo("capital", "capitol")  # one slip, even into another word
    # three compounds of one stem, not a slip
    assert not is_typo("ethane", "ethene") and not is_typo("propene", "propyne") and is_typo("ethane", "etane")
