"""How the format rules word what they find (issue 16): every message reads as a sentence."""

import json

import pytest

from curation.core.rules import FormatRules
from studio.core.formats import json_error_place
from studio.templatetags.studio_tags import p_value

FIELDS = ("a", "b", "c", "d", "e", "f")


def rules_requiring(n):
    """Rules whose schema needs the first n of FIELDS, each an integer."""
    names = FIELDS[:n]
    schema = {"type": "object", "required": list(names), "properties": {k: {"type": "integer"} for k in names}}
    return FormatRules.from_dict({"output_json": True, "json_schema": schema})


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"reply": "unfinished', "Unterminated string starting at line 1, column 11"),
        ('{"reply": "tab\there"}', "Invalid control character at line 1, column 15"),
        ("", "Expecting value at line 1, column 1"),
        ('{"a": 1}\n{"b": 2}', "Extra data at line 2, column 1"),
    ],
)
def test_a_json_error_names_its_place_once(text, expected):
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    assert json_error_place(caught.value) == expected


def test_an_unterminated_string_in_an_output_is_worded_without_at_at():
    (problem,) = FormatRules.from_dict({"output_json": True}).check_output('{"category": "billing')
    assert problem == "output is not valid JSON: Unterminated string starting at line 1, column 14"


@pytest.mark.parametrize("n", [1, 3, 4])
def test_up_to_four_schema_errors_are_all_shown(n):
    problems = rules_requiring(n).check_output("{}")
    assert len(problems) == n
    assert all(p.startswith("output breaks the JSON Schema at the top level: ") for p in problems)
    assert not any("more schema errors" in p for p in problems)
    assert [p.split("'")[1] for p in problems] == list(FIELDS[:n])  # each missing field named


def test_more_than_four_schema_errors_show_three_and_count_the_rest():
    problems = rules_requiring(6).check_output("{}")
    assert len(problems) == 4
    assert problems[-1] == "… and 3 more schema errors, shown once these are fixed"


@pytest.mark.parametrize(
    "p, shown",
    [(0.0, "< 0.0001"), (0.00004, "< 0.0001"), (0.0001, "0.0001"), (0.03125, "0.0312"), (1.0, "1.0000"), (None, "–")],
)
def test_p_values_never_read_zero(p, shown):
    assert p_value(p) == shown


def test_the_study_page_filter_is_available_to_every_template():
    from django.template import engines

    template = engines["django"].from_string("Sign test p {{ p|p_value }}")
    assert template.render({"p": 1.9e-6}) == "Sign test p &lt; 0.0001"  # "< 0.0001" on the page
