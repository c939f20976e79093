"""curation.report.telling_apart: the lines that tell two prompts apart in a list of pairs."""

from types import SimpleNamespace

from curation.report import telling_apart

TEMPLATE = "Triage this customer support ticket. Answer with JSON only: category, priority and team."


def prompt(text, input_=""):
    return SimpleNamespace(prompt_text=text, input=input_)


def test_a_shared_template_gives_way_to_where_the_prompts_differ():
    a = prompt(TEMPLATE, "My parcel is late and nobody answers the phone.")
    b = prompt(TEMPLATE, "I was charged twice for the same order.")
    first, second = telling_apart(a, b)
    assert first == "…priority and team. My parcel is late and nobody answers the phone."
    assert second == "…priority and team. I was charged twice for the same order."


def test_prompts_that_differ_from_the_start_are_shown_from_the_start_and_cut_long_ones():
    first, second = telling_apart(prompt("Name the capital of Peru."), prompt("What is Lima " + "very " * 40), width=40)
    assert first == "Name the capital of Peru."
    assert second.startswith("What is Lima very") and second.endswith("…") and len(second) == 40


def test_the_very_same_prompt_is_said_once():
    assert telling_apart(prompt(TEMPLATE), prompt(" " + TEMPLATE)) == (TEMPLATE, "(the same prompt)")
