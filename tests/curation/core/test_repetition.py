import pytest

from curation.core.repetition import find_repetition


@pytest.mark.parametrize(
    "text",
    [
        "I am sorry. I am sorry. I am sorry. I am sorry.",
        "the the the the end",
        "Thank you thank you thank you thank you",
        "Nooooooooooooo way",
        "Step 1 done\nStep 1 done\nStep 1 done\nfinished now",
        "x y I am sorry I am sorry I am sorry z",
        " ".join(["buy now and save big today"] * 12),
    ],
)
def test_degenerate_text_is_caught(text):
    assert find_repetition(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for your patience, we will get back to you soon.",
        "Please please help",
        "very very very good",
        "The cat and the dog and the bird sat on the mat.",
        "Hello!\n\nYour refund was issued.\n\nBest,\nSupport",
        "a) yes b) no c) maybe",
        "",
    ],
)
def test_ordinary_text_passes(text):
    assert find_repetition(text) == ""
