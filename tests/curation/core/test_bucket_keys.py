"""Answer edit keys: answers one value apart share them, for prompts naming the same numbers."""

from curation.core.bucket_keys import EDIT_BUCKETS, answer_edit_keys
from curation.core.clusters import edit_keys, edit_pairs, number_keys
from studio.core.records import Record

QUERY = (
    "SELECT COUNT({}) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'Peru' AND o.total > 50;"
)


def test_answers_one_value_apart_share_all_buckets_but_the_two_the_edit_touches():
    star, distinct = answer_edit_keys(QUERY.format("*"), 7), answer_edit_keys(QUERY.format("DISTINCT o.customer_id"), 7)
    assert len(star) == EDIT_BUCKETS and len(set(star) & set(distinct)) >= EDIT_BUCKETS - 2
    # keyword case and a yes turned into a no change no token
    assert answer_edit_keys(QUERY.format("*").lower().replace("'peru'", "'Peru'"), 7) == star
    # another number key (the prompts name other numbers), and nothing is shared
    assert not set(answer_edit_keys(QUERY.format("*"), 8)) & set(star)


def test_only_programs_queries_and_json_get_edit_keys():
    assert answer_edit_keys("The museum opens at nine on weekdays and at ten on Sundays.", 0) == []
    assert answer_edit_keys('{"category": "billing", "priority": "high", "action": "refund"}', 0)
    assert answer_edit_keys("SELECT 1;", 0) == []  # too few tokens to be one value of many


def test_edit_pairs_find_the_answer_one_value_apart_among_a_templates_siblings():
    """Keys every sibling of a big template shares are left out (EDIT_BUCKET_MOST); the bucket that
    holds what names the request (the country) still pairs the two answers one value apart."""
    import numpy as np

    countries = "Peru Chile Ghana Kenya Japan Nepal Italy Spain Egypt Cuba Fiji Oman Laos Mali Chad Iraq Iran".split()
    countries += (
        "Togo Niger Benin Qatar Yemen Malta Korea Tonga Samoa Palau Nauru Haiti Gabon Congo Sudan Gambia".split()
    )
    countries += "Angola Zambia Malawi Uganda Rwanda Burundi Kuwait Jordan Syria Libya Tunisia Guinea Liberia".split()
    records = [Record(f"Orders from {c} over 50?", "", QUERY.format("*").replace("Peru", c)) for c in countries]
    records.append(Record("How many orders over 50 came from Peru?", "", QUERY.format("DISTINCT o.customer_id")))
    records.append(Record("Orders from Peru over 60?", "", QUERY.format("*").replace("50", "60")))
    pairs = edit_pairs(edit_keys(records, number_keys(records)), np.arange(len(records)))
    assert (0, len(records) - 2) in pairs
    assert not any(len(records) - 1 in pair for pair in pairs)  # another number: another key
