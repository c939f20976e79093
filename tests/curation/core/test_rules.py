import pytest

from curation.core.rules import FormatRules, RulesError

SCHEMA = {
    "type": "object",
    "required": ["category", "priority"],
    "properties": {
        "category": {"enum": ["billing", "technical"]},
        "priority": {"enum": ["low", "high"]},
        "contact": {"type": "string", "format": "email"},
    },
}


def test_json_and_schema_errors_name_the_place():
    rules = FormatRules.from_dict({"output_json": True, "json_schema": SCHEMA})
    assert rules.check_output('{"category": "billing", "priority": "low"}') == []
    (problem,) = rules.check_output('{"category": "billing", "priority": "critical"}')
    assert problem.startswith("output breaks the JSON Schema at $.priority: 'critical' is not one of")
    (problem,) = rules.check_output('{"category": "billing",}')
    assert problem.startswith("output is not valid JSON: Expecting property name")


def test_format_keywords_are_checked():
    rules = FormatRules.from_dict({"output_json": True, "json_schema": SCHEMA})
    (problem,) = rules.check_output('{"category": "billing", "priority": "low", "contact": "not-an-address"}')
    assert "$.contact" in problem and "is not a 'email'" in problem


def test_regex_lengths_and_banned_phrases():
    rules = FormatRules.from_dict(
        {"output_regex": r"[A-Z].*\.", "min_output_chars": 5, "max_output_chars": 40, "banned_phrases": "As an AI\n\n"}
    )
    assert rules.check_output("Fine answer.") == []
    problems = rules.check_output("as an ai i cannot")
    assert "output does not match the pattern [A-Z].*\\." in problems
    assert "output contains the banned phrase “As an AI”" in problems
    assert rules.check_output("No.") == ["output has 3 characters, fewer than the minimum 5"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"output_regex": "(unclosed"}, "output_regex"),
        ({"output_json": True, "json_schema": {"type": "nonsense"}}, "json_schema"),
        ({"json_schema": {"type": "object"}}, "json_schema"),
        ({"min_output_chars": -1}, "min_output_chars"),
        ({"min_output_chars": 50, "max_output_chars": 10}, "min_output_chars"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_refused_with_their_field(data, field):
    with pytest.raises(RulesError) as e:
        FormatRules.from_dict(data)
    assert e.value.field == field


def test_rules_round_trip():
    rules = FormatRules.from_dict({"output_json": True, "json_schema": SCHEMA, "banned_phrases": ["x"]})
    assert FormatRules.from_dict(rules.as_dict()) == rules


def test_a_catastrophic_pattern_gives_up_with_a_finding_instead_of_stalling():
    """`(a|aa)+$` on forty a's and a b backtracks for ages (the `regex` engine copes with
    `(a+)+$` itself); the check stops at its time limit and says why."""
    import time

    from curation.core import rules as rules_module
    from curation.core.checks import check_record
    from studio.core.records import Record

    rules = FormatRules.from_dict({"output_regex": "(a|aa)+$"})
    started = time.monotonic()
    (problem,) = rules.check_output("a" * 40 + "b")
    assert time.monotonic() - started < rules_module.REGEX_TIMEOUT_SECONDS + 2
    assert problem.startswith("output could not be checked against the pattern (a|aa)+$")
    assert "simplify the pattern" in problem
    assert rules.check_output("aaaa") == []
    findings = check_record(Record("Say a", "", "a" * 40 + "b"), rules)
    assert any(f.check == "format" and "could not be checked" in f.message for f in findings)


def test_the_same_rules_are_built_once_and_changed_rules_take_effect_at_once():
    stored = {"output_json": True, "json_schema": SCHEMA}
    rules = FormatRules.from_dict(stored)
    assert FormatRules.from_dict({"json_schema": SCHEMA, "output_json": True}) is rules  # the key order is no matter
    stricter = FormatRules.from_dict({**stored, "banned_phrases": ["sorry"]})
    answer = '{"category": "billing", "priority": "low", "note": "Sorry!"}'
    assert rules.check_output(answer) == []
    assert stricter.check_output(answer) == ["output contains the banned phrase “sorry”"]
    for _ in range(2):  # a refused rule set is refused every time, never remembered as valid
        with pytest.raises(RulesError, match="json_schema"):
            FormatRules.from_dict({"output_json": False, "json_schema": SCHEMA})
