"""Questions of fact asked in other words (curation.core.facts and clusters.fact_match)."""

from curation.core.answer_comparison import compare_records
from curation.core.checks import Finding
from curation.core.clusters import cluster_findings, find_clusters
from curation.core.facts import fact_of, facts_agree, facts_disagree
from curation.core.slots import slot_difference, slots_of
from studio.core.records import Record


def reported(records):
    """{(i, j): (check, message)} for every reported pair (i < j)."""
    out = {}
    for i, found in cluster_findings(find_clusters(records), str, Finding).items():
        for f in found:
            for j in f.related:
                out[(min(i, j), max(i, j))] = (f.check, f.message)
    return out


def test_the_values_an_answer_names_beyond_its_question():
    fact = fact_of(Record("When did Constantinople fall to the Ottoman Empire?", "", "It fell in 1453."))
    assert fact.numbers == {"1453"} and fact.names == set()
    fact = fact_of(Record("Name the capital city of Australia.", "", "Sydney is the capital of Australia."))
    assert fact.names == {"sydney"}  # Australia is asked, "Sydney" opens the sentence and still names
    # no value, a long answer, an input or a chat: no question of fact
    assert fact_of(Record("Why is the sky blue?", "", "because light scatters")) is None
    assert fact_of(Record("Who wrote Emma?", "Some text to read.", "Jane Austen.")) is None
    assert fact_of(Record("Who wrote Emma?", "", "Jane Austen " + "and more words " * 12)) is None
    one, other, again = (fact_of(Record("Q?", "", a)) for a in ("1453.", "In 1492.", "In the year 1453."))
    assert facts_disagree(one, other) and not facts_disagree(one, again) and facts_agree(one, again)


def test_a_question_of_fact_in_other_words_with_another_value_is_a_contradiction():
    records = [
        Record("In which year did the Ottomans capture Constantinople?", "", "1453."),
        Record(
            "When did Constantinople fall to the Ottoman Empire?", "", "Constantinople fell to the Ottomans in 1492."
        ),
        Record("Who wrote the novel Pride and Prejudice?", "", "Jane Austen wrote Pride and Prejudice."),
        Record("Pride and Prejudice was written by which author?", "", "It was written by Charlotte Bronte."),
        Record("What is the capital of Australia?", "", "It's Canberra."),
        Record("Name the capital city of Australia.", "", "It's Canberra."),
    ]
    found = reported(records)
    assert found[(0, 1)][0] == "contradiction" and "different numbers (1492 vs 1453)" in found[(0, 1)][1]
    assert found[(2, 3)][0] == "contradiction" and "Charlotte Bronte vs Jane Austen" in found[(2, 3)][1]
    assert found[(4, 5)][0] == "duplicate" and "the same question in other words" in found[(4, 5)][1]


def test_answers_that_name_the_same_values_one_a_few_more_are_one_answer():
    records = [
        Record(
            "Roasting a 3 lb beef tenderloin: how hot should the oven be and how long does it need?",
            "",
            "Roast at 425°F for 40 to 50 minutes. Take it out at 130°F for medium-rare.",
        ),
        Record(
            "Give me the oven setting and cook time for roasting a 3 lb beef tenderloin.",
            "",
            "40 to 50 minutes at 425°F works well. Take it out at 130°F for medium-rare.",
        ),
    ]
    # a set of such questions, in which "oven", "temperature" and "how long" are the frame's words
    records += [
        Record(f"How long and at what oven temperature should I bake {thing}?", "", f"{n} minutes at 400°F.")
        for n, thing in enumerate(
            ["salmon", "a whole chicken", "meringues", "baguettes", "a cheesecake", "granola", "potatoes"], start=11
        )
    ]
    found = reported(records)
    assert found[(0, 1)][0] == "duplicate"
    # "for the first time" asks for no order
    assert (
        slot_difference(
            slots_of("Baking banana bread for the first time: how long?"), slots_of("Banana bread: how long?")
        )
        == ""
    )
    assert slot_difference(slots_of("the first 5 rows"), slots_of("the last 5 rows")) != ""
    # an imperative opening a sentence names nothing; a name does
    assert fact_of(Record("Q?", "", "Preheat to 350°F. Aim for 135°F inside.")).names == set()
    assert fact_of(Record("Who painted it?", "", "Leonardo da Vinci.")).names == {"leonardo", "vinci"}


def test_questions_of_fact_about_other_things_stay_apart():
    records = [
        Record("What is the population of Canada?", "", "About 40 million people."),
        Record("What is the area of Canada?", "", "About 9.98 million square kilometres."),
        Record("How many inches are in 50 centimetres?", "", "50 centimetres is about 19.69 inches."),
        Record("Sorry to bother you, how many feet are in 50 metres?", "", "50 metres is about 164.04 feet."),
        Record("Who was the first woman to win a Nobel Prize?", "", "Marie Curie, in 1903."),
        Record("Who was the first woman to win the Nobel Peace Prize?", "", "Bertha von Suttner, in 1905."),
        Record("What is the boiling point of water in Fahrenheit?", "", "212 °F."),
        Record("What is the freezing point of water in Fahrenheit?", "", "32 °F."),
        Record("What is the capital of Austria?", "", "Vienna."),
        Record("What is the capital of Australia?", "", "Canberra."),
        Record("When did Constantinople fall to the Ottomans?", "", "In 1453."),
        Record("How long did the Ottoman siege of Constantinople last?", "", "About 53 days."),
        # one thing, two questions: a year and a height are no two answers to one
        Record("How tall is the Eiffel Tower in Paris?", "", "About 330 metres."),
        Record("When was the Eiffel Tower in Paris completed?", "", "In 1889."),
        # one template asked of two things that no name tells apart
        Record("How long does raw chicken keep in the fridge?", "", "1 to 2 days."),
        Record("Cooked rice in the refrigerator is good for how long?", "", "4 to 6 days."),
        Record("At what temperature should soft dinner rolls bake, and for how long?", "", "375°F for 15 minutes."),
        Record("How many minutes, and at what heat, do I roast carrot sticks?", "", "425°F for 25 minutes."),
    ]
    assert reported(records) == {}


def test_one_short_answer_word_for_word_vouches_for_a_question_in_other_words():
    records = [
        Record("Which element is the most electronegative?", "", "Fluorine"),
        Record("What element has the highest electronegativity of all?", "", "Fluorine"),
        Record("Who is considered the father of modern genetics?", "", "Gregor Mendel"),
        Record("Which scientist is regarded as the founder of modern genetics?", "", "Gregor Mendel"),
        # "first published" says when it happened: the rewording that leaves it out asks the same
        Record("In what year did Darwin publish On the Origin of Species?", "", "1859"),
        Record("When was Charles Darwin's On the Origin of Species first published?", "", "1859"),
        # one answer to two questions is no rewording
        Record("Which gas do plants absorb from the air for photosynthesis?", "", "Carbon dioxide"),
        Record("Which gas do humans breathe out as a waste product?", "", "Carbon dioxide"),
        Record("Which planet is the largest in our solar system?", "", "Jupiter"),
        Record("Which planet has the Great Red Spot?", "", "Jupiter"),
    ]
    assert {pair: check for pair, (check, _) in reported(records).items()} == {
        (0, 1): "duplicate",
        (2, 3): "duplicate",
        (4, 5): "duplicate",
    }


def test_when_something_first_happened_is_no_order_unless_the_other_asks_the_last():
    assert slot_difference(slots_of("When was it first published?"), slots_of("When was it published?")) == ""
    assert slot_difference(
        slots_of("Which element was first discovered?"), slots_of("Which element was last discovered?")
    )
    assert slot_difference(slots_of("Show the first 10 orders"), slots_of("Show the last 10 orders"))


def test_a_yes_or_no_question_in_other_words_answered_both_ways_is_a_contradiction():
    records = [
        Record(
            "Does my debit card work in Canada?", "", "Yes, your debit card works in Canada anywhere Visa is accepted."
        ),
        Record(
            "Will I be able to use my debit card when I'm in Canada?",
            "",
            "No, our debit cards only work inside the United States. Take a credit card or cash to Canada.",
        ),
        # a yes and a no to questions that keep few of each other's words: two questions
        Record("Can I deposit cash at an ATM?", "", "No, our ATMs don't accept cash deposits."),
        Record("Can I withdraw money from my savings account at an ATM?", "", "Yes, if it is linked to your card."),
        # another thing named, another question
        Record("Will my card work in Cuba?", "", "No, US-issued cards do not work in Cuba."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}
    assert "one answer says no, the other yes" in found[(0, 1)][1]
    # a chat that asks one question and answers it is a question of fact too
    chats = [
        Record.chat([{"role": "user", "content": r.instruction}, {"role": "assistant", "content": r.output}])
        for r in records
    ]
    assert {pair: check for pair, (check, _) in reported(chats).items()} == {(0, 1): "contradiction"}


def test_a_long_answer_is_a_fact_only_by_its_yes_or_no():
    long = "No. " + "Dismissing an employee because of pregnancy is unlawful discrimination in many places. " * 4
    fact = fact_of(Record("Can my employer fire me because I'm pregnant?", "", long))
    assert fact.polarity == "no" and not fact.numbers and not fact.names
    assert fact_of(Record("Why can't my employer fire me?", "", long)) is None  # no yes-or-no question
    short = fact_of(Record("Is there a fee for closing my account?", "", "Yes, a $25 fee within 90 days."))
    assert short.polarity == "yes" and short.numbers == {"25", "90"}
    other = fact_of(Record("Do you charge for closing an account?", "", "No, closing is free."))
    assert facts_disagree(short, other) and not facts_agree(short, other)


def test_a_sum_asked_for_is_a_question_of_fact_and_a_word_after_a_number_is_no_unit_of_its_own():
    assert fact_of(Record("Convert 200 euros to US dollars at 1 EUR = 1.10 USD.", "", "200 × 1.10 = 220. That's $220."))
    assert fact_of(Record("The app crashes every time I open it.", "", "Reinstall version 2.3.")) is None
    records = [
        Record(
            "If inflation is 4% a year, what will a $50 item cost in one year?", "", "50 × 1.04 = 52. It will cost $52."
        ),
        Record(
            "With 4% annual inflation, how much will something that costs $50 today cost a year from now?",
            "",
            "50 × 1.08 = 54. It will cost $54.",
        ),
        # another unit after the same number: another question
        Record("How many feet are in 50 metres?", "", "About 164 feet."),
        Record("How many feet are in 50 yards?", "", "150 feet."),
    ]
    assert {pair: check for pair, (check, _) in reported(records).items()} == {(0, 1): "contradiction"}


def test_a_quantity_said_in_words_is_a_value():
    records = [
        Record(
            "How early should I arrive at the airport for a domestic flight in the US?",
            "",
            "Arrive about two hours before a domestic flight in the US. That leaves time for bag drop and security.",
        ),
        Record(
            "For a US domestic flight, how far ahead of departure should I get to the airport?",
            "",
            "Thirty minutes before departure is plenty for a domestic US flight. Security lines are rarely long.",
        ),
        Record("How long should I boil an egg for a soft yolk?", "", "About six minutes."),
        Record("How long should I boil an egg for a hard yolk?", "", "About ten minutes."),
    ]
    assert fact_of(records[2]).numbers == {"6"} and fact_of(records[2]).units == {"time"}
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}
    assert "different numbers" in found[(0, 1)][1]


def test_questions_naming_the_same_things_are_one_question_from_further_off():
    records = [
        Record("What year did the Berlin Wall fall?", "", "1989."),
        Record("When did the Berlin Wall come down?", "", "It came down in 1991."),
        # the same things named, another event asked
        Record("When was the Berlin Wall built?", "", "1961."),
        # other questions of the dataset (what a word weighs depends on how many say it)
        Record("Who painted the Mona Lisa?", "", "Leonardo da Vinci."),
        Record("What is the capital of Canada?", "", "Ottawa."),
        Record("How many players are on a soccer team?", "", "Eleven."),
        Record("Which river flows through Cairo?", "", "The Nile."),
    ]
    assert {pair: check for pair, (check, _) in reported(records).items()} == {(0, 1): "contradiction"}


def test_a_count_said_in_words_answers_a_question_of_how_many():
    moons = Record("How many moons does Mars have?", "", "Mars has two moons, Phobos and Deimos.")
    legs = Record("How many legs does a spider have?", "", "A spider has eight legs.")
    one = Record("How many hearts does an octopus have?", "", "Three: two pump blood to the gills and one to the body.")
    assert fact_of(moons).numbers == {"2"}
    assert fact_of(legs).numbers == {"8"}
    assert fact_of(one).numbers == {"3", "2", "1"}
    # not a count asked for: a number word before no unit names no value
    assert fact_of(Record("Who wrote Two Gentlemen of Verona?", "", "Shakespeare wrote it.")).numbers == frozenset()
    records = [
        Record("How many moons does the planet Mars have?", "", "Mars has two moons, Phobos and Deimos."),
        Record("What is the number of moons orbiting the planet Mars?", "", "Mars has three moons."),
    ]
    assert fact_of(records[1]).numbers == {"3"}
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}


def test_asking_leave_is_asking_whether_one_can():
    records = [
        Record("Can I take a power bank in my checked luggage?", "", "No, carry it in the cabin."),
        Record("Am I allowed to take a power bank in checked luggage?", "", "Yes."),
        Record("Can I take a laptop in my checked luggage?", "", "Yes, but the cabin is safer."),
        Record("Is the Eiffel Tower taller than the Statue of Liberty?", "", "Yes, much taller."),
        Record("Is the Statue of Liberty taller than the Eiffel Tower?", "", "No."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}
    assert "one answer says" in found[(0, 1)][1] and ", the other " in found[(0, 1)][1]


def test_names_said_by_their_initials_and_years_said_otherwise_are_one_question():
    # "the United Kingdom" is "the UK", "the Second World War" is "World War II", "fall" is "collapse"
    assert slot_difference(slots_of("What currency does the United Kingdom use?"), slots_of("The UK's currency?")) == ""
    assert slot_difference(slots_of("When did the Second World War end?"), slots_of("When did WWII end?")) == ""
    # another name stays another name, initials or not
    assert slot_difference(slots_of("How many countries are in Europe?"), slots_of("... in the EU?")) != ""
    assert slot_difference(slots_of("Flights from Los Angeles to Boston"), slots_of("Flights from LA to NYC")) != ""
    assert slot_difference(slots_of("What did the First Amendment say?"), slots_of("The Second Amendment?")) != ""
    records = [
        Record("When did the Western Roman Empire fall?", "", "In 476 AD."),
        Record("In what year did the Western Roman Empire collapse?", "", "1453"),
        Record("When did the Second World War come to an end?", "", "It ended in 1945."),
        Record("In which year did World War II end?", "", "1945"),
        Record("In which year did World War I end?", "", "1918"),
    ]
    assert fact_of(records[0]).units == {"a year"}
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction", (2, 3): "duplicate"}


def test_yes_or_no_questions_keeping_each_others_words_are_one_question_from_further_off():
    records = [
        Record("Am I allowed a drink while on metronidazole?", "", "Yes, a couple of drinks are fine with food."),
        Record(
            "Can I drink alcohol while taking metronidazole?",
            "",
            "No, avoid alcohol completely while taking metronidazole and for 48 hours afterwards.",
        ),
        # another medicine named is another question
        Record("Can I drink alcohol while taking amoxicillin?", "", "Yes, moderate drinking is fine with amoxicillin."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}


def test_a_yes_or_no_question_asked_the_other_way_round_flips_its_answer():
    def chat(question, answer):
        return Record(
            "", "", "", messages=[{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        )

    records = [
        chat("Can I keep my phone number if I move to a SIM-only plan?", "Yes, moving to SIM-only keeps your number."),
        chat("If I switch to SIM-only, do I lose my number?", "No, moving to SIM-only keeps your number."),
        chat("Is a replacement SIM free?", "Yes, replacement SIMs are always free of charge."),
        chat("Do I have to pay for a replacement SIM?", "Yes, a replacement SIM costs £10."),
        # a negation in a clause before the question asks nothing the other way round
        chat("Can I bring my kids along to my appointment?", "Yes, children are welcome in the waiting room."),
        chat(
            "If I have nobody to watch my children, can they come with me to my appointment?", "Yes, they are welcome."
        ),
    ]
    assert compare_records(records[0], records[1])[0] == "agree"
    assert compare_records(records[2], records[3])[0] == "conflict"
    assert compare_records(records[4], records[5])[0] == "agree"
    found = reported(records[:2])
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "duplicate"}
    # one word of the pair said in the other's place, every other word the same: one question
    # asked the other way, not a frame filled otherwise
    same_words = [
        Record("Can I keep my membership price if I pause?", "", "Yes, your price is kept for three months of pause."),
        Record("Will I lose my membership price if I pause?", "", "Yes, pausing resets your plan to the list price."),
    ]
    assert reported(same_words)[(0, 1)][0] == "contradiction"


def test_a_price_answers_whether_something_costs_and_opposite_words_read_less_alike():
    records = [
        Record("Is the towel service free?", "", "Yes, towels are included with every membership."),
        Record("Is there a charge for towels?", "", "$2 per visit."),
        # asked the other way round of something else: a word swapped for another on each side
        Record("Is the sauna free for members?", "", "Yes, members use the sauna at no cost."),
        Record("Is there a charge for the sauna for guests?", "", "Yes, guests pay $10."),
        Record("Can I keep my locker if I cancel?", "", "No, lockers are released on cancellation."),
        Record("Will I lose my locker if I freeze my membership?", "", "No, frozen memberships keep their locker."),
    ]
    assert fact_of(records[1]).polarity == "yes"  # a price says there is a charge
    assert fact_of(Record("Is parking free?", "", "It costs $5 a day.")).polarity == "no"
    assert fact_of(Record("Is parking free?", "", "Free on weekends, $5 on weekdays.")).polarity == ""
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}
    assert "names a price (“$2”)" in found[(0, 1)][1] and "(charge/free)" in found[(0, 1)][1]
    # a price to "is there a charge" agrees with a no to "is it free"
    verdict, detail = compare_records(Record("Is the towel service free?", "", "No."), records[1])
    assert verdict == "agree" and "a yes and a no" in detail


def test_one_value_answering_questions_worded_far_apart_that_keep_their_words_is_one_question():
    records = [
        Record("What is the capital city of Spain?", "", "Madrid"),
        Record("Tell me Spain's capital.", "", "Madrid"),
        # the same value answering another question: the words asked are others
        Record("Which city is home to the Prado museum?", "", "Madrid"),
        Record("What is the highest mountain in Africa?", "", "Kilimanjaro"),
        Record("Name Africa's tallest peak.", "", "Kilimanjaro"),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "duplicate", (3, 4): "duplicate"}


def test_questions_that_ask_another_measure_or_a_yes_against_a_value_are_two_questions():
    records = [
        Record("How far away is the Moon from Earth on average?", "", "About 384,400 km (roughly 238,900 miles)."),
        Record("Is the Moon moving away from Earth?", "", "Yes, by about 3.8 cm per year, because of tides."),
        Record("How big is the Moon compared to Earth?", "", "Its diameter is about 3,474 km, roughly 27% of Earth's."),
        # the same measure asked in other words, another value: one question
        Record("What is the average distance between the Moon and Earth?", "", "About 405,500 km."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 3): "contradiction"}


def _chat(question, answer):
    return Record(
        "",
        "",
        "",
        messages=[
            {"role": "system", "content": "You are the front desk of a small hotel. Answer briefly."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ],
    )


def test_questions_that_ask_another_thing_in_alike_words_are_no_contradiction():
    records = [
        _chat("What time is check-in?", "Check-in starts at 3 pm."),
        _chat("What time do I have to check out?", "Check-out is by 11 am, late check-out until 1 pm costs €40."),
        _chat("How old do you have to be to get a room?", "Guests must be at least 18 to check in."),
        _chat("Is the minibar free?", "No, minibar items are charged to your room at check-out."),
        _chat("Is there a minibar?", "Yes, each room has a minibar; items are charged at check-out."),
        _chat("Can I bring my dog?", "Yes, dogs up to 15 kg are welcome for €30 per night."),
        _chat("Can I bring my dog to the spa?", "I'm sorry, pets aren't allowed in the spa or pool area."),
        Record("Can I carry over unused volunteer days?", "", "No, volunteer days reset every January."),
        Record("Can I carry unused vacation days over to next year?", "", "Yes, up to 5 days, used by March 31."),
        Record("Where can I find the Alder Electrolyte sachets?", "", "Aisle 4, next to the digestive products."),
        Record("How many sachets are in Alder Electrolyte orange?", "", "10 sachets."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items() if check == "contradiction"} == {}


def test_the_same_thing_asked_in_alike_words_still_conflicts():
    records = [
        _chat("What time is check-in?", "Check-in starts at 3 pm."),
        _chat("When does check-in start?", "Check-in starts at 2 pm."),
        Record("What is the minimum spend for free click and collect?", "", "There is no minimum spend; it is free."),
        Record("Is there a minimum spend for free click and collect?", "", "Yes, orders under £10 pay a £1.50 fee."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction", (2, 3): "contradiction"}


def test_one_answer_said_word_for_word_vouches_for_a_question_that_asks_what_kind():
    records = [
        # "What kind of ..." asks no label of a text here: the answer is a fact both questions share
        Record(
            "What kind of grass grows best in shade?",
            "",
            "Fine fescues are the most shade-tolerant cool-season grasses.",
        ),
        Record(
            "My backyard is under big oak trees. Which turf species will actually survive there?",
            "",
            "Fine fescues are the most shade-tolerant cool-season grasses.",
        ),
        _chat("How old do you have to be to get a room?", "Guests must be at least 18 to check in."),
        _chat("What's the check-in age?", "Guests must be at least 18 to check in."),
        # a label given to texts is shared by design: two tickets with one stock label are two tickets
        Record("Classify: 'my card was charged twice'", "", "Billing: a payment problem."),
        Record("Classify: 'the app logs me out every hour'", "", "Billing: a payment problem."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "duplicate", (2, 3): "duplicate"}


def _persona(system, question, answer):
    return Record.chat(
        [
            {"role": "system", "content": system},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    )


def test_chats_under_one_persona_worded_otherwise_are_compared_by_what_the_user_asks():
    short = "You are Brightline Mobile's support assistant. Answer questions about plans, SIMs and roaming briefly."
    friendly = "You are a friendly customer support agent for Brightline Mobile. Keep answers short and accurate."
    other = "You are the front desk of the Harbor View Hotel. Answer politely."
    records = [
        _persona(short, "Is EU roaming included on the Lite plan?", "No, Lite doesn't include EU roaming."),
        _persona(friendly, "Does the Lite plan include roaming in the EU?", "Yes, Lite includes EU roaming."),
        # vague turns under one persona are alike only word for word
        _persona(short, "hi", "Your next bill is due on the 14th."),
        _persona(friendly, "?", "Our chat is open 24/7."),
        # another assistant's question is another question
        _persona(other, "Is breakfast included on the Lite rate?", "Yes, breakfast is included."),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}


def test_one_text_copied_with_other_punctuation_under_another_instruction_is_one_task():
    extract = "Extract the brand, product, size and price from this product description as JSON."
    reworded = "Return a JSON object with brand, product, size and price for the listing below."
    records = [
        Record(
            extract,
            "Hazelbrook oat milk 1 L carton, barista edition, £1.95",
            '{"brand": "Hazelbrook", "size": "1 L", "price": 1.95}',
        ),
        Record(
            reworded,
            "Hazelbrook oat milk 1 L carton (barista edition), £1.95",
            '{"brand": "Hazelbrook", "size": "500 ml", "price": 1.95}',
        ),
        # the same words with another currency sign: another listing
        Record(
            extract,
            "Cove bath mat 50 x 80 cm, navy, €16",
            '{"brand": "Cove", "size": "50 x 80 cm", "price": 16, "currency": "EUR"}',
        ),
        Record(
            reworded,
            "Cove bath mat 50 x 80 cm, navy, £16",
            '{"brand": "Cove", "size": "50 x 80 cm", "price": 16, "currency": "GBP"}',
        ),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "contradiction"}


def test_one_recipe_retold_with_its_record_word_for_word_is_one_example():
    parse = "Parse the recipe below into JSON with servings, calories per serving, main ingredient and cook time."
    card = "From the recipe text, pull out how many it serves, the calories per serving, the main ingredient and the cooking time as JSON."
    pears = '{"servings": 4, "calories_per_serving": 230, "main_ingredient": "pears", "cook_time_minutes": 25}'
    records = [
        Record(
            parse,
            "Poached pears (serves 4). Peel 4 pears and simmer in 500 ml red wine with 100 g sugar for 25 minutes. "
            "About 230 kcal each.",
            pears,
        ),
        Record(
            card,
            "My go-to poached pears: peel the fruit, simmer gently in spiced wine until tender. Takes 25 minutes and "
            "feeds four at roughly 230 kcal a plate. Ingredients: 4 firm pears; 1 cinnamon stick; 2 cloves.",
            pears,
        ),
        # another recipe of the same shape: another record
        Record(
            parse,
            "Baked apples (serves 6). Core 6 apples, fill with oats and honey, bake 40 minutes at 180 C. 180 kcal each.",
            '{"servings": 6, "calories_per_serving": 180, "main_ingredient": "apples", "cook_time_minutes": 40}',
        ),
    ]
    found = reported(records)
    assert {pair: check for pair, (check, _) in found.items()} == {(0, 1): "duplicate"}
