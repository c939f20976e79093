"""Answers to the same prompt: agree or conflict."""

from curation.core.answer_comparison import compare_answers, is_code


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


def test_a_negation_added_beside_another_is_a_conflict_and_a_contraction_is_not():
    vet = "Offer fresh water in several places and see a vet within a day if it does not improve."
    no_vet = "Offer fresh water in several places and there is no need to see a vet if it does not improve."
    verdict, detail = compare_answers(vet, no_vet)
    assert verdict == "conflict" and "negated" in detail
    assert (
        compare_answers(
            "The parcel is not insured, so keep the receipt and the tracking number somewhere safe.",
            "The parcel isn't insured, so keep the receipt and the tracking number somewhere safe.",
        )[0]
        == "agree"
    )


def test_a_quoted_answer_in_one_sentence_is_compared_by_what_it_quotes():
    verdict, detail = compare_answers(
        'In Italian you would say: "buongiorno"', 'In Italian you would say: "grazie mille"'
    )
    assert verdict == "conflict" and "buongiorno" in detail
    assert compare_answers('In Italian you would say: "buongiorno"', 'In Italian you would say: "Buongiorno"')[0] == (
        "agree"
    )
    # other sentences around the quotes: left to the other tests (rewording around one quote agrees)
    assert (
        compare_answers(
            'Most Italians greet you in the morning with "buongiorno", which is polite anywhere.',
            'In the morning, "buongiorno" is the polite greeting you will hear from most Italians.',
        )[0]
        == "agree"
    )


def test_words_repeated_from_the_prompt_do_not_make_two_definitions_agree():
    asked = frozenset({"keep", "seeing", "mundane", "articles", "meaning"})
    a, b = "'mundane' means ordinary and not interesting.", "'mundane' means showing great attention to detail."
    assert compare_answers(a, b)[0] == "agree"  # without the prompt, two of six content words are shared
    verdict, detail = compare_answers(a, b, asked)
    assert verdict == "conflict" and "beyond the prompt" in detail
    reworded = "'mundane' means ordinary, everyday and not very interesting."
    assert compare_answers(a, reworded, asked)[0] == "agree"


def test_answers_that_each_follow_what_their_own_prompt_names_are_two_requests():
    from curation.core.answer_comparison import compare_records
    from studio.core.records import Record

    def chat(question, answer):
        return Record.chat([{"role": "user", "content": question}, {"role": "assistant", "content": answer}])

    banana = chat(
        "Which has more calories, banana or dark chocolate?",
        "Dark chocolate has more calories: about 546 kcal per 100 g, against 89 kcal for banana.",
    )
    chicken = chat(
        "Which has more calories, dark chocolate or chicken breast?",
        "Dark chocolate has more calories: about 546 kcal per 100 g, against 165 kcal for chicken breast.",
    )
    assert compare_records(banana, chicken) == ("other", "")
    # each query selects the column its own question names, though both name signup dates
    city = Record(
        "Show city and phone_verified for every customer whose signup date is before 2025.",
        "",
        "SELECT city, phone_verified FROM customers WHERE signup_date < '2025-01-01';",
    )
    signup = Record(
        "List the signup_date and phone_verified of customers who signed up before 2025.",
        "",
        "SELECT signup_date, phone_verified FROM customers WHERE signup_date < '2025-01-01';",
    )
    assert compare_records(city, signup) == ("other", "")
    # one request reworded, two answers: they share what they name, and disagree
    feet = Record("How many feet are in 8 metres?", "", "8 metres is about 26.25 feet.")
    reworded = Record("If something measures 8 metres, what is that in feet?", "", "8 metres is about 28.87 feet.")
    assert compare_records(feet, reworded)[0] == "conflict"
    # a ticket reworded, the answer naming a word only one ticket says: still a conflict
    a = Record("Triage.", "Double billing!! Orbit VPN took $59 twice in June.", '{"category": "billing"}')
    b = Record("Triage.", "I was charged two times for Orbit VPN in June, $59 each.", '{"category": "account"}')
    assert compare_records(a, b)[0] == "conflict"


def test_sentences_that_share_their_letters_but_not_their_words_conflict():
    """Two unrelated sentences of one length share half of their letters in order; what counts is
    their words (definitions, lists of foods), and rewordings of one answer still agree."""
    verdict, detail = compare_answers(
        "It means showing great attention to detail.", "It means using more words than needed."
    )
    assert verdict == "conflict" and "clearly different content" in detail
    assert (
        compare_answers(
            "Oat milk, rice, tofu, apples, olive oil, beans.", "Cream, ice cream, brie, yogurt, butter, beans."
        )[0]
        == "conflict"
    )
    assert (
        compare_answers(
            "Store it in the fridge and eat it within three days.", "Keep it refrigerated and eat it within three days."
        )[0]
        == "agree"
    )
    assert (
        compare_answers(
            "Water the plant once a week and keep it out of direct sun.",
            "Give the plant water weekly, and keep it away from direct sunlight.",
        )[0]
        == "agree"
    )


def test_a_query_in_other_letter_case_is_the_same_query_but_its_quoted_text_is_not():
    upper = "SELECT COUNT(*) FROM Orders o WHERE EXTRACT(YEAR FROM o.order_date) = 2021 AND o.status = 'Shipped';"
    lower = "select count(*) from orders o where extract(year from o.order_date) = 2021 and o.status = 'Shipped';"
    assert compare_answers(upper, lower)[0] == "agree"
    assert compare_answers(upper, lower.replace("'Shipped'", "'shipped'"))[0] == "conflict"
    # outside SQL a name keeps its case
    assert compare_answers("def f(x):\n    return X.total", "def f(x):\n    return x.total")[0] == "conflict"


def test_answers_alike_but_for_the_thing_each_prompt_names_answer_two_requests():
    """ "... thirst in an 11-year-old cat ..." / "... rabbit ..." agree as free text (one common word
    said otherwise), but each answer names what its own prompt asks about: neither a duplicate nor a
    contradiction. The same answers under prompts that do not name them still agree."""
    from curation.core.answer_comparison import compare_records
    from studio.core.records import Record

    said = "More thirst in an 11-year-old {} can point to kidney trouble. Book a vet visit this week."
    cat = Record("My 11-year-old cat drinks a lot of water lately. Should I worry?", "", said.format("cat"))
    rabbit = Record("Lately my rabbit (11 years old) drinks much more water. A problem?", "", said.format("rabbit"))
    assert compare_answers(cat.output, rabbit.output)[0] == "agree"
    assert compare_records(cat, rabbit)[0] == "other"
    pet = Record("My 11-year-old pet drinks a lot of water lately. Should I worry?", "", said.format("rabbit"))
    assert compare_records(cat, pet)[0] == "agree"


def test_a_conflict_in_code_is_shown_as_code_reads():
    verdict, detail = compare_answers(
        "SELECT COUNT(*) FROM invoices i WHERE i.city = 'Lima';",
        "SELECT COUNT(DISTINCT i.client_id) FROM invoices i WHERE i.city = 'Lima';",
    )
    assert detail == "code differs: “count(*)” vs “count(distinct i.client_id)”"
    detail = compare_answers("def f(v):\n    return sorted(v)[:10]", "def f(v):\n    return sorted(v)[:9]")[1]
    assert detail == "code differs: “[:10]” vs “[:9]”"


def test_a_yes_turned_into_a_no_is_named_before_the_numbers_that_follow_from_it():
    verdict, detail = compare_answers(
        "Yes, 2100 is a leap year, so February has 29 days.", "No, 2100 is not a leap year, so February has 28 days."
    )
    assert verdict == "conflict" and detail.startswith("one answer says yes, the other no")


def test_an_answer_that_opens_with_a_yes_conflicts_with_one_that_opens_with_a_no_however_reworded():
    verdict, detail = compare_answers(
        "Usually yes. Peak bloom in Kyoto tends to be in late March to early April, though it shifts each year.",
        "Usually not. Peak bloom in Kyoto tends to be in mid-May.",
    )
    assert (verdict, detail) == ("conflict", "one answer says yes, the other no, compared as free text")
    assert (
        compare_answers(
            "Yes, but the Inca Trail closes every February for maintenance.",
            "No, the whole site closes every February for maintenance.",
        )[0]
        == "conflict"
    )
    # "No problem!" opens an answer of any kind: it is no "no"
    assert (
        compare_answers("No problem! Open Settings and tap Reset.", "Yes, open Settings and tap Reset.")[0] == "agree"
    )
    assert compare_answers("Sure, open Settings and tap Reset.", "Open Settings, then tap Reset.")[0] == "agree"


def test_numbers_spelled_out_are_compared_with_numbers_when_one_replaces_another():
    verdict, detail = compare_answers(
        "The probation period is 90 days, and your manager will hold a review meeting before it ends.",
        "The probation period is six months, and your manager will hold a review meeting before it ends.",
    )
    assert (verdict, detail) == ("conflict", "different numbers (90 vs 6), compared as free text")
    assert (
        compare_answers(
            "Please give at least two weeks' notice; managers are asked to give four weeks.",
            "Please give at least four weeks' notice; managers are asked to give eight weeks.",
        )[0]
        == "conflict"
    )
    # a number said in one answer only is more said, not another number
    assert (
        compare_answers(
            "There are two steps: wait 10 minutes, then restart the router.",
            "Wait 10 minutes, then restart the router.",
        )[0]
        == "agree"
    )
    assert compare_answers("It takes two to three days.", "It takes 2 to 3 days.")[0] == "agree"


def test_a_shell_command_is_compared_as_code_one_flag_or_redirection_apart_is_a_conflict():
    assert is_code("cp -a src/ dest/") and is_code("du -sh * | sort -rh | head -n 10") and is_code("git status")
    assert not is_code("find the file in Settings") and not is_code("make sure you save first")
    assert not is_code("Open a terminal and type git status.")
    assert compare_answers("cp -a src/ dest/", "cp -r src/ dest/") == (
        "conflict",
        "code differs: “cp -a src” vs “cp -r src”",
    )
    verdict, detail = compare_answers("echo 'export EDITOR=vim' >> ~/.bashrc", "echo 'export EDITOR=vim' > ~/.bashrc")
    assert verdict == "conflict" and ">>" in detail
    assert compare_answers("git reset --soft HEAD~1", "git reset  --soft HEAD~1")[0] == "agree"


def test_a_shell_loop_or_test_is_code_and_its_closing_word_alone_is_not():
    rename = 'for f in *.txt; do mv "$f" "${f%.txt}.md"; done'
    assert is_code(rename) and is_code('for f in *.csv; do\n  wc -l "$f"\ndone')
    assert is_code("while read line; do echo $line; done < hosts.txt") and is_code("if [ -f a.yml ]; then echo ok; fi")
    assert compare_answers(rename, 'for f in *.md; do mv "$f" "${f%.md}.txt"; done')[0] == "conflict"
    assert compare_answers(rename, rename.replace("; do ", ";  do "))[0] == "agree"
    assert not is_code("fi") and not is_code("done with it") and not is_code("If it is red, then unplug it.")


def test_the_same_number_in_another_unit_or_a_fraction_is_another_quantity():
    salt = "About {} of kosher salt per 5 lb of turkey, rubbed all over and left in the fridge for 1 to 3 days."
    assert compare_answers(salt.format("1 tablespoon"), salt.format("1 cup")) == (
        "conflict",
        "the same number in another unit (“1 tablespoon” vs “1 cup”), compared as free text",
    )
    terms = compare_answers(
        "It means payment is due 30 business days after the goods are delivered, not from the invoice date.",
        "It means the full invoice amount is due within 30 days of the invoice date.",
    )
    assert terms == (
        "conflict",
        "the same number in another unit (“30 business days” vs “30 days”), compared as free text",
    )
    milk = "Stir {} of lemon juice into 1 cup of milk and let it sit for 5 minutes before you use it."
    assert compare_answers(milk.format("¼ cup"), milk.format("1 tablespoon"))[0] == "conflict"
    # a unit written otherwise is the same unit
    assert (
        compare_answers("Bake for 10 minutes at 200 °C, then rest.", "Bake it for 10 min at 200 °C, then rest.")[0]
        == "agree"
    )
    assert compare_answers("Wait 2 hours, then stir.", "Wait 2 hrs and then stir.")[0] == "agree"


def test_two_lists_of_mostly_other_things_conflict_and_a_list_reordered_or_steps_reworded_agree():
    verdict, detail = compare_answers(
        "Coffee, black tea, cola, dark chocolate.", "Water, rooibos tea, orange juice, dark chocolate."
    )
    assert (verdict, detail) == (
        "conflict",
        "other items (“Coffee, cola” vs “Water, orange juice”), compared as free text",
    )
    assert (
        compare_answers("Coffee, black tea, cola, dark chocolate.", "Dark chocolate, coffee, cola and black tea.")[0]
        == "agree"
    )
    assert (
        compare_answers(
            "Open Settings, tap Privacy, then turn off Location.",
            "Go to Settings, choose Privacy and switch Location off.",
        )[0]
        == "agree"
    )


def test_one_answer_that_follows_what_its_prompt_names_answers_another_request():
    from curation.core.answer_comparison import compare_records
    from studio.core.records import Record

    total = Record(
        "Write a Python function that returns the sum of the digits of an integer.",
        "",
        "def digit_sum(n): return sum(int(d) for d in str(abs(n)))",
    )
    count = Record(
        "Write a Python function that returns the number of digits of an integer.",
        "",
        "def digit_count(n): return len(str(abs(n)))",
    )
    assert compare_records(total, count)[0] == "other"
    # the same request with a wrong answer still conflicts
    wrong = Record(total.instruction, "", "def digit_sum(n): return len(str(abs(n)))")
    assert compare_records(total, wrong)[0] == "conflict"


def test_a_pattern_or_an_expression_of_one_line_is_code_and_a_renamed_local_name_is_one_program():
    for code in ["^[a-z]+$", r"\b(\w+)\s+\1\b", "lst[-3:]", "[x ** 2 for x in nums]", r"^(?:19|20)\d{3}$"]:
        assert is_code(code), code
    for prose in ["Use the [Settings] page.", "Paris (France)", "Yes (about 5%).", "$5-$10 (plus tax)", "10:00-18:00"]:
        assert not is_code(prose), prose
    # one token apart is another program, where the words alone read the same
    assert compare_answers("lst[-3:]", "lst[:3]")[0] == "conflict"
    assert compare_answers("^[A-Z]+$", "^[a-z]+$")[0] == "conflict"
    assert compare_answers("[a for a in ages if a >= 18]", "[a for a in ages if a > 18]")[0] == "conflict"
    # a local name renamed throughout is the same program; a name used once, or renamed in one
    # place only, is not
    sleep = "const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));"
    assert compare_answers(sleep, sleep.replace("resolve", "r"))[0] == "agree"
    assert compare_answers("def f(a, b):\n    return a - b", "def f(b, a):\n    return b - a")[0] == "agree"
    assert compare_answers("[x * 2 for x in nums]", "[x * 2 for x in values]")[0] == "conflict"
    assert compare_answers("def f(a, b):\n    return a - b", "def f(a, b):\n    return b - a")[0] == "conflict"


def test_one_answer_reworded_is_told_from_another_answer_alike_in_words():
    from curation.core.answer_comparison import reworded_answer
    from studio.core.records import Record

    def pair(x, y):
        return reworded_answer(Record("q", "", x), Record("r", "", y))

    spray = "No more than 3 days in a row; using it longer causes rebound congestion."
    assert pair(spray, "No more than 3 days in a row; longer use causes rebound congestion.")
    assert not pair(spray, "No more than 5 days in a row; using it longer causes rebound congestion.")  # a conflict
    assert not pair(spray, "Use it twice a day for up to a week, then stop; see a doctor if it persists.")
    assert not pair(spray, spray + " " + "Saline sprays are safe for longer use and can be used several times a day.")
    assert not pair("SELECT name FROM users WHERE age > 30 ORDER BY name;", "SELECT name FROM users WHERE age > 30;")


def test_ordinals_and_one_thing_are_numbers_of_an_answer():
    assert (
        compare_answers(
            "You can take a full harvest in the first year after planting crowns.",
            "Wait until the third year after planting crowns before taking a full harvest.",
        )[0]
        == "conflict"
    )
    assert (
        compare_answers(
            "In Business Class you can take two cabin bags of up to 8 kg each, plus a personal item.",
            "In Business Class you can take one cabin bag of up to 8 kg, plus a personal item.",
        )[0]
        == "conflict"
    )
    # "one" as a pronoun, "first" as a step: no number replaced
    assert (
        compare_answers(
            "Pick the one you like best, then water it twice a week.",
            "Choose whichever one you like best and water it two times a week.",
        )[0]
        == "agree"
    )
    assert (
        compare_answers(
            "First, open Settings. Then tap Security and turn on two-factor authentication.",
            "Open Settings, tap Security, and enable two-factor authentication.",
        )[0]
        == "agree"
    )


def test_labels_under_classifying_instructions_compare_as_labels():
    from curation.core.answer_comparison import compare_records
    from studio.core.records import Record

    def pair(answer_a, answer_b, instruction_b="What type of message is this?"):
        text = "Your parcel is waiting, pay the 1.99 fee at this link to release it."
        return compare_records(Record("Classify the SMS.", text, answer_a), Record(instruction_b, text, answer_b))

    assert pair("Label: phishing", "It's a phishing message.") == ("agree", "")
    assert pair("phishing", "Category: Phishing") == ("agree", "")
    assert pair("Phishing: it asks for a fee through an unknown link.", "phishing") == ("agree", "")
    assert pair("phishing", "delivery notice") == ("conflict", "labels “phishing” vs “delivery notice”")
    assert pair("spam", "not spam") == ("conflict", "labels “spam” vs “not spam”, one negated")
    # not labels: a question about the text, or answers with numbers
    assert pair("Label: phishing", "It's a phishing message.", "Who sent it?")[0] == "conflict"
    assert pair("1.99", "2.99")[0] == "conflict"
    # a label with its reason after a dash, under instructions that ask where the text belongs
    routed = "Read the note and tell me which team should handle it."
    assert pair("Category: Phishing — asks for a fee through a link.", "phishing", routed) == ("agree", "")
    assert pair("Category: Phishing - a fee link", "Delivery notice", "Decide which policy area this is about.") == (
        "conflict",
        "labels “Phishing” vs “Delivery notice”",
    )
    assert pair("phishing", "delivery notice", "Triage this message: which bucket does it go in?")[0] == "conflict"


def test_a_fraction_written_with_a_slash_is_read_as_its_value():
    slope = "Slope = (5 − 1) / (4 − 0) = 8/4 = {}."
    assert compare_answers(slope.format("2"), slope.format("1/2")) == (
        "conflict",
        "different numbers (“= 2” vs “= 1/2”), compared as free text",
    )
    assert (
        compare_answers("Mix in 1/2 cup of oats, then stir well.", "Stir well after you mix in 1/2 cup of oats.")[0]
        == "agree"
    )
    # a date or a round-the-clock promise is no fraction to read otherwise
    assert (
        compare_answers(
            "The invoice is due on 12/05/2024, before noon.", "The invoice is due on 12/05/2024 before noon, please."
        )[0]
        == "agree"
    )
    assert compare_answers("Support is open 24/7.", "Our support team is open 24/7, all year.")[0] == "agree"


def test_answers_that_say_opposite_ways_of_one_thing_disagree():
    verdict, detail = compare_answers(
        "An enzyme speeds up a reaction by giving it a pathway with a lower activation energy.",
        "An enzyme works by raising the activation energy of the reaction it speeds up.",
    )
    assert verdict == "conflict" and "opposite directions" in detail and "activation" in detail
    assert (
        compare_answers(
            "The premium plan includes weekend delivery at no extra cost.",
            "The premium plan excludes weekend delivery at no extra cost.",
        )[0]
        == "conflict"
    )
    # hard negatives: one direction said twice, or two directions of two things
    assert (
        compare_answers(
            "Regular exercise lowers blood pressure over the years.",
            "Exercising regularly reduces blood pressure over the years.",
        )[0]
        == "agree"
    )
    assert (
        compare_answers(
            "Raising interest rates lowers inflation over time.",
            "Higher interest rates bring inflation down over time.",
        )[0]
        == "agree"
    )


def test_the_same_numbers_counting_other_things_conflict():
    assert compare_answers(
        "Three parts oil to one part vinegar, plus salt.", "One part oil to three parts vinegar."
    ) == (
        "conflict",
        "the numbers count other things (“1 vinegar” vs “1 oil”), compared as free text",
    )
    assert compare_answers("Use 2 cups of flour and 1 cup of sugar.", "Use 1 cup of flour and 2 cups of sugar.")[0] == (
        "conflict"
    )
    assert compare_answers("Use 2 cups of flour and 1 cup of sugar.", "Take 2 cups of flour and 1 cup of sugar.")[
        0
    ] == ("agree")


def test_an_operator_replaced_between_the_same_words_is_another_answer_and_writing_is_not():
    assert compare_answers("p = a * b", "p = a @ b") == (
        "conflict",
        "another operator (“*” vs “@”), compared as short answers",
    )
    assert compare_answers("Use x >= 3 in the filter", "Use x > 3 in the filter")[0] == "conflict"
    # emphasis, a range written with spaces, a symbol left out: the same answer
    assert compare_answers("**Yes**, it is included.", "Yes, it is included.")[0] == "agree"
    assert compare_answers("10-15 minutes", "10 - 15 minutes")[0] == "agree"
    assert compare_answers("Tom & Jerry", "Tom, Jerry")[0] == "agree"


def test_a_number_said_elsewhere_in_the_other_answer_too_is_shown_where_the_two_differ():
    hours = "The gym opens weekdays 6am-10pm and weekends 10am-{}, and clears lockers at closing."
    assert compare_answers(hours.format("4pm"), hours.format("6pm")) == (
        "conflict",
        "different numbers (“weekends 10am-4pm” vs “weekends 10am-6pm”), compared as free text",
    )


def test_a_number_bounded_after_it_is_bounded_as_one_bounded_before_it():
    assert compare_answers("Members under 16.", "Members aged 16 and over.") == (
        "conflict",
        "the same number bounded the other way (“under 16” vs “16 and over”), compared as short answers",
    )
    assert compare_answers("Groups of 3 or fewer.", "Groups of more than 3.")[0] == "conflict"
    assert compare_answers("Anyone 65 or older.", "Anyone over 65.")[0] == "agree"


def test_a_spelled_number_before_another_unit_is_another_quantity():
    assert compare_answers("One month's written notice.", "One week's written notice, for either party.") == (
        "conflict",
        "the same number in another unit (“one month” vs “one week”), compared as free text",
    )
    assert compare_answers("It takes two weeks to ship.", "It takes 2 weeks to ship, tracked.")[0] == "agree"


def test_a_spreadsheet_formula_names_columns_not_local_names():
    xlookup = '=XLOOKUP(H1,B:B,{},"not found")'
    assert compare_answers(xlookup.format("D:D"), xlookup.format("C:C")) == (
        "conflict",
        "code differs: “:B,D:D,” vs “:B,C:C,”",
    )
    # in a program, a local name renamed throughout is still one program
    assert compare_answers("const f = (x) => x * 2;", "const f = (y) => y * 2;")[0] == "agree"


def test_a_yes_or_no_answer_to_one_question_in_another_form_of_its_words_conflicts():
    from curation.core.answer_comparison import compare_records
    from studio.core.records import Record

    frozen = Record("Can raw eggs be frozen in the shell?", "", "Yes, just put the carton straight into the freezer.")
    freeze = Record(
        "Can you freeze raw eggs in their shells?",
        "",
        "No. The contents expand and crack the shell; beat them and freeze them in a container instead.",
    )
    assert compare_records(freeze, frozen)[0] == "conflict"


def test_a_unit_said_by_its_symbol_or_its_name_is_one_unit():
    assert compare_answers("About 746 watts.", "About 746 W.")[0] == "agree"
    assert compare_answers("2 GB", "2 gigabytes")[0] == "agree"
    # another unit after one number is another quantity
    assert compare_answers("Take 500 mg twice a day.", "Take 500 g twice a day.")[0] == "conflict"
    assert compare_answers("It draws 60 W.", "It draws 60 kW.")[0] == "conflict"


def test_if_not_says_otherwise_and_negates_nothing():
    assert (
        compare_answers(
            "Yes, a guitar can travel as your carry-on if it fits in the overhead bin; otherwise book it a seat.",
            "A guitar can be your carry-on item if it fits the overhead bin. If not, buy it a seat.",
        )[0]
        == "agree"
    )
    # a negated claim still conflicts
    assert (
        compare_answers(
            "A guitar can be your carry-on item if it fits the overhead bin.",
            "A guitar can not be your carry-on item even if it fits the overhead bin.",
        )[0]
        == "conflict"
    )
