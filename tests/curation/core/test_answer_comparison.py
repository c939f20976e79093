"""Answers to the same prompt: agree or conflict."""

from curation.core.answer_comparison import compare_answers


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
