"""The deletion-key index that finds candidate pairs."""

from curation.core.candidate_index import record_keys
from curation.core.prompt_comparison import prompt_words
from studio.core.records import Record


def test_record_keys_match_the_batch_index():
    """The database stores record_keys; the whole-dataset pass uses numpy. They must agree."""
    import numpy as np

    from curation.core.candidate_index import batch_keys, prompt_hashes

    records = [
        Record("Summarise the text.", "Der Zug fährt um 9 Uhr ab."),
        Record.chat([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]),
    ]
    keys, owners, _ = batch_keys(*prompt_hashes(records))
    for i, record in enumerate(records):
        assert {k for k, _ in record_keys(*prompt_words(record))} == set(keys[owners == i].tolist())
        assert keys.dtype == np.int64


def test_exact_groups_put_copies_together_and_keep_word_order():
    from curation.core.candidate_index import exact_groups, prompt_hashes

    records = [
        Record("List flights from Paris to Rome", ""),
        Record("list  flights from PARIS to rome", ""),  # case and spacing: the same words
        Record("List flights from Rome to Paris", ""),  # the same words in another order
        Record("List flights", "from Paris to Rome"),  # the same words, split another way
        Record("List flights from Paris to Rome", ""),
    ]
    assert exact_groups(*prompt_hashes(records)).tolist() == [0, 0, 2, 3, 0]
