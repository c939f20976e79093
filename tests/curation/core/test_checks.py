from curation.core.checks import check_chat, check_record
from curation.core.rules import FormatRules
from studio.core.records import Record


def checks_of(findings):
    return sorted((f.check, f.severity, f.field) for f in findings)


def test_a_clean_example_has_no_findings():
    assert check_record(Record("Classify the ticket.", "My card was charged twice.", "billing")) == []


def test_empty_and_short_fields():
    found = check_record(Record("", "", ""))
    assert ("length", "error", "instruction") in checks_of(found)
    assert ("length", "error", "output") in checks_of(found)
    assert ("quality", "warning", "instruction") in checks_of(check_record(Record("Hi", "", "Hello there")))


def test_token_budget_uses_the_given_counter():
    rules = FormatRules(max_total_tokens=10, max_output_tokens=3)
    count = lambda text: len(text.split())  # noqa: E731
    found = check_record(Record("one two three four", "five six", "a b c d e f"), rules, count)
    messages = [f.message for f in found]
    assert "the answer has 6 tokens, more than the maximum 3" in messages
    assert "12 tokens in all, over the budget of 10: training would cut it off" in messages


def test_input_required_and_output_rules():
    rules = FormatRules(input_required=True, output_json=True)
    found = check_record(Record("Triage this ticket.", "", "not json"), rules)
    assert checks_of(found) == [("format", "error", "input"), ("format", "error", "output")]


def test_pii_and_repetition_name_the_field():
    found = check_record(Record("Reply to the customer", "From bob@example.com", "Sure sure sure sure"))
    assert ("pii", "error", "input") in checks_of(found)
    assert ("repetition", "warning", "output") in checks_of(found)


def test_chat_structure():
    good = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
    ]
    assert check_chat(good) == []
    bad = [
        {"role": "user", "content": "Hi"},
        {"role": "user", "content": "Anyone?"},
        {"role": "robot", "content": "beep"},
        {"role": "assistant", "content": " "},
        {"role": "system", "content": "late"},
        {"role": "user", "content": "Bye"},
    ]
    messages = [f.message for f in check_chat(bad)]
    assert "turn 2: two user turns in a row; user and assistant must alternate" in messages
    assert "turn 3 has the unknown role 'robot'; use system, user or assistant" in messages
    assert "turn 4 (assistant) is empty" in messages
    assert "turn 5: a system message may only open the chat" in messages
    assert "the last turn must be the assistant's: it is what the model learns to write" in messages


def test_chat_records_check_the_final_assistant_turn():
    chat = Record.chat(
        [{"role": "user", "content": "What is the status of order 1234?"}, {"role": "assistant", "content": "not json"}]
    )
    found = check_record(chat, FormatRules(output_json=True))
    assert [(f.check, f.field) for f in found] == [("format", "messages[1]")]


def test_a_chat_that_opens_with_a_greeting_is_judged_by_its_request():
    from curation.core.checks import check_quality

    def chat(*turns):
        roles = ["user", "assistant"] * len(turns)
        return Record.chat([{"role": r, "content": c} for r, c in zip(roles, turns)])

    greeted = chat(
        "Hi there!", "Hello! How can I help?", "How do I reset my online banking password?", "Tap Forgot ..."
    )
    assert check_quality(greeted, FormatRules()) == []
    vague = chat("Good morning", "Good morning! What can I do for you?", "help", "Sure, with what?")
    (finding,) = check_quality(vague, FormatRules())
    assert "vague (“help”)" in finding.message and finding.field == "messages[2]"


def test_a_request_pointing_at_what_the_example_does_not_hold_is_vague():
    from curation.core.checks import is_vague

    for vague in [
        "And for kids?",
        "What about dogs?",
        "Is it safe?",
        "make it faster",
        "it's not working",
        "one-liner please",
        "Do the same for emails",
        "fix my account",
        "Summarize this article",
        "Translate this",
        "Use pandas instead.",
        "ok now the opposite",
        "Give me another example.",
        "Explain more simply.",
        "It still hasn't happened.",
        "What's wrong with it?",
        "Like the last one but for shade",
    ]:
        assert is_vague(vague), vague
    for clear in [
        "Is aspirin safe for kids?",
        "Is it legal to record a phone call in California?",
        "Reset my password",
        "Summarize the Odyssey",
        "Translate the word cat into German",
        "Check my math: 2+2=5",
        "And gates vs or gates: what is the difference?",
        "Explain recursion",
        "What's a HELOC?",
        "What is the opposite of 'generous'?",
        "Can I use honey instead of sugar in bread?",
        "Name another word for happy",
        "Is butter still good after a month?",
        "When does check-in start?",  # a compound of plain words names a thing
        "How do I log-in?",
    ]:
        assert not is_vague(clear), clear
    # with an input, what it applies to is there: only a request pointing back at another is vague
    assert is_vague("Same as before but shorter", has_input=True) and is_vague("Again, shorter", has_input=True)
    assert not is_vague("Now translate it to French", has_input=True) and not is_vague("Summarize", has_input=True)


def test_a_follow_up_opening_is_vague_only_when_it_points_back():
    from curation.core.checks import is_vague

    for vague in [
        "Same as before but for the other table",
        "Do the same as before but with Celsius",
        "Same question but for the year 2019 and Germany please",
        "Same for the orders table.",
        "Still getting the error",
        "What about the Amazon river?",
        "Again, but shorter",
        # what the request changes is not here
        "now for two people",
        "And in kelvin?",
        "and the monthly one?",
        "Now in French please",
        "fix the math",
        "the other way round",
        "ok now the other way",
    ]:
        assert is_vague(vague), vague
    for clear in [
        # "same" and "again" as words of a request, and openings that only join a conversation
        "Same-day shipping cost to Canada?",
        "Same sex marriage laws in Ireland",
        "The same rules apply to contractors?",
        "Again, what year did Rome fall?",
        "Now explain how photosynthesis works.",
        "And what is the capital of Peru?",
        "Now convert 100 F to Celsius",
        "Still charged twice for March",
        "Do this: reverse a string in Python",
        "Now for something different: list three prime numbers above 100.",
        "Also, with pandas, how do I drop duplicate rows?",
        "For a family of four, plan a week of dinners.",
        "Which one is the largest planet?",
        "fix the leaking kitchen tap",
        "Correct the grammar: me and him goes to school.",
        "Is it the other way around in Australia?",
    ]:
        assert not is_vague(clear), clear
    assert is_vague("Same as before but for the other table", has_input=True)
    assert not is_vague("Now do it in bash", has_input=True)


def test_a_complaint_naming_nothing_it_is_about_is_vague():
    from curation.core.checks import is_vague

    for said in ("doesn't compile", "still won't start", "It can't connect anymore."):
        assert is_vague(said), said
        assert not is_vague(said, has_input=True), said  # the input is what does not
    for said in ("My Rust code doesn't compile", "Isn't Pluto a planet?", "Doesn't compile. Why?"):
        assert not is_vague(said), said


def test_do_and_one_thing_or_the_other_one_alone_is_vague_and_a_question_with_do_is_not():
    from curation.core.checks import is_vague

    for said in ("do the docker thing", "do the lookup", "do the thing for my room", "and the other sheet?"):
        assert is_vague(said), said
    assert is_vague("it's making the noise again")  # a pronoun and "the noise": which?
    for said in (
        "Do vaccines work?",
        "Do you ship to Canada?",
        "Do a SWOT analysis of Tesla",
        "What is the other name for Mars?",
        "The other day my car broke down, what now?",
        "Is it going to rain tomorrow?",
    ):
        assert not is_vague(said), said
