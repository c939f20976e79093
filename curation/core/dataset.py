"""Checking a whole dataset at once: every single-example check plus duplicates and
contradictions across it. The Celery scan and the `check_dataset` command both call this."""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from curation.core import semantic
from curation.core.bucket_keys import stored_keys
from curation.core.candidate_index import prompt_hashes
from curation.core.checks import Finding, check_record
from curation.core.clusters import (
    answer_keys,
    cluster_findings,
    edit_keys,
    find_clusters,
    main_vectors,
    number_keys,
    semantic_useful,
)
from curation.core.prompt_comparison import prompt_words
from curation.core.prompt_match import main_and_side
from curation.core.rules import FormatRules
from studio.core.formats import MAX_EXAMPLE_BYTES

_shared = {}  # records and rules handed to forked workers without pickling them


def _check_slice(bounds):
    """Single-example findings and prompt hashes for records[start:stop] (runs in a worker), and
    their word-index keys when the caller stores them."""
    start, stop = bounds
    records, rules, count_tokens = _shared["records"], _shared["rules"], _shared["count_tokens"]
    found = [(i, f) for i in range(start, stop) if (f := check_record(records[i], rules, count_tokens))]
    keys = _keys(records[start:stop]) if _shared.get("keys") else None
    numbers = number_keys(records[start:stop])
    return (
        found,
        prompt_hashes(records[start:stop]),
        _vectors(records[start:stop]),
        keys,
        answer_keys(records[start:stop]),
        numbers,
        edit_keys(records[start:stop], numbers),
    )


def _keys(records):
    """Each record's word-index keys (bucket_keys.stored_keys), what the on-save check looks up."""
    return [stored_keys(*prompt_words(r)) for r in records]


def _vectors(records):
    """(main-part embeddings as float16 (half the bytes back from a worker), their Idf), or None."""
    vectors = main_vectors(records) if _shared.get("semantic") else None
    if vectors is None:
        return None
    return vectors.astype(np.float16), semantic.Idf(main_and_side(r)[0] for r in records)


def _stack(parts):
    """(vectors, idf) from the workers' parts; (False, None) without the semantic layer."""
    if not parts or any(p is None for p in parts):
        return False, None
    return np.concatenate([v for v, _ in parts]).astype(np.float32), sum((i for _, i in parts), semantic.Idf())


def default_workers():
    """Processes for the per-example checks and the pairwise pass: every core, except inside a
    daemon process (a Celery prefork child may not start children of its own) or a process
    running other threads (gunicorn's gthread workers: a forked child inherits locks other
    threads held, such as the embedding model's, and could wait on them forever)."""
    if (
        multiprocessing.current_process().daemon
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1  # a threaded web process: a fork copies other threads' locks
    ):
        return 1
    return min(4, os.cpu_count() or 1)


def check_records(
    records, rules=None, count_tokens=None, label=lambda i: f"#{i}", silenced=frozenset(), progress=None, workers=None
):
    """{index: [Finding]} for records (a list). `label(i)` names an example in messages;
    `progress(done, total)` is called now and then."""
    return check_all(records, rules, count_tokens, label, silenced, progress, workers)[0]


def check_all(
    records,
    rules=None,
    count_tokens=None,
    label=lambda i: f"#{i}",
    silenced=frozenset(),
    progress=None,
    workers=None,
    vectors=None,
    keys=False,
):
    """({index: [Finding]}, clusters): check_records, plus the clusters of examples that share a
    prompt (for storing them as pairs). `vectors` are the main parts' embeddings when the caller
    has them (False: no semantic layer). With `keys`, four more items: each record's word-index
    keys, worked out with the rest (in parallel where the checks are), its answer key
    (clusters.answer_keys), its prompt's number key (clusters.number_keys) and its answer's edit
    keys (clusters.edit_keys)."""
    rules = rules or FormatRules()
    total = len(records)
    workers = default_workers() if workers is None else workers
    findings = {}
    chunk = max(1000, total // 40)
    slices = [(start, min(start + chunk, total)) for start in range(0, total, chunk)]
    report_total = total + total // 4  # the pairwise pass takes about a fifth of the time
    if workers > 1 and total >= 5000 and count_tokens is None:
        _shared.update(
            records=records,
            rules=rules,
            count_tokens=None,
            semantic=vectors is None and semantic_useful(records),
            keys=keys,
        )
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                hashes, lengths, embedded, record_keys, answer_parts, number_parts, edits = [], [], [], [], [], [], []
                for (_start, stop), (found, (h, n), v, k, a, nk, e) in zip(slices, pool.map(_check_slice, slices)):
                    findings.update(found)
                    hashes.append(h)
                    lengths.append(n)
                    embedded.append(v)
                    record_keys += k or []
                    answer_parts.append(a)
                    number_parts.append(nk)
                    edits += e
                    if progress:
                        progress(stop, report_total)
        finally:
            _shared.clear()
        answers, numbers = np.concatenate(answer_parts), np.concatenate(number_parts)
        clusters = find_clusters(
            records,
            silenced,
            hashes=(np.concatenate(hashes), np.concatenate(lengths)),
            answers=answers,
            numbers=numbers,
            workers=workers,
            edits=edits,
            **(dict(zip(("vectors", "idf"), _stack(embedded))) if vectors is None else {"vectors": vectors}),
        )
    else:
        record_keys = []
        answers, numbers = answer_keys(records), number_keys(records)
        edits = edit_keys(records, numbers)
        for start, stop in slices:
            for i in range(start, stop):
                found = check_record(records[i], rules, count_tokens)
                if found:
                    findings[i] = found
            if keys:
                record_keys += _keys(records[start:stop])
            if progress:
                progress(stop, report_total)
        clusters = find_clusters(records, silenced, vectors=vectors, answers=answers, numbers=numbers, edits=edits)
    for i, found in cluster_findings(clusters, label, Finding).items():
        findings.setdefault(i, []).extend(found)
    if progress:
        progress(report_total, report_total)
    return (findings, clusters, record_keys, answers, numbers, edits) if keys else (findings, clusters)


def _check_jsonl_block(bounds):
    """Parse and check lines[start:stop] of a JSONL file (runs in a worker)."""
    start, stop = bounds
    from studio.core.formats import rows_from_jsonl_lines

    rows, errors = rows_from_jsonl_lines(
        _shared["lines"][start:stop], first_line=start + 1, max_example_bytes=_shared["max_example_bytes"]
    )
    rules, count_tokens = _shared["rules"], _shared["count_tokens"]
    found = [(row.line, f) for row in rows if (f := check_record(row.record, rules, count_tokens))]
    records = [row.record for row in rows]
    numbers = number_keys(records)
    return (
        [row.line for row in rows],
        errors,
        found,
        prompt_hashes(records),
        _vectors(records),
        answer_keys(records),
        numbers,
        edit_keys(records, numbers),
    )


class _LazyRecords:
    """records[i] parsed on demand from the JSONL line it came from (for the few examples the
    pairwise pass needs to look at again)."""

    def __init__(self, lines, line_numbers):
        self.lines, self.line_numbers, self.cache = lines, line_numbers, {}

    def __len__(self):
        return len(self.line_numbers)

    def __getitem__(self, i):
        if i not in self.cache:
            from studio.core.formats import rows_from_jsonl_lines

            line = self.line_numbers[i]
            self.cache[i] = rows_from_jsonl_lines([self.lines[line - 1]], first_line=line)[0][0].record
        return self.cache[i]


def _sample_records(lines, size=2000, seed=0):
    """Records parsed from a random sample of the lines (unreadable ones left out)."""
    import random

    from studio.core.formats import rows_from_jsonl_lines

    picked = random.Random(seed).sample(lines, min(size, len(lines)))
    return [row.record for row in rows_from_jsonl_lines(picked)[0]]


def check_jsonl(text, rules=None, count_tokens=None, workers=None, max_example_bytes=MAX_EXAMPLE_BYTES):
    """Check a whole JSONL text, parsing and checking blocks of lines in parallel. A line that
    cannot be read, or whose example is larger than max_example_bytes, is a line error.

    Returns (line numbers of the examples, line errors, {line: [Finding]}). The findings are
    exactly those of check_records on the same examples; only the work is spread out.
    """
    from studio.core.formats import rows_from_jsonl_lines

    rules = rules or FormatRules()
    from studio.core.formats import split_lines

    lines = split_lines(text)
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(lines) < 5000 or count_tokens is not None:
        rows, errors = rows_from_jsonl_lines(lines, max_example_bytes=max_example_bytes)
        line_numbers = [row.line for row in rows]
        found = check_records(
            [row.record for row in rows], rules, count_tokens, label=lambda i: f"line {line_numbers[i]}", workers=1
        )
        return line_numbers, errors, {line_numbers[i]: f for i, f in found.items()}
    block = max(2000, len(lines) // (workers * 6))
    blocks = [(start, min(start + block, len(lines))) for start in range(0, len(lines), block)]
    _shared.update(
        lines=lines,
        rules=rules,
        count_tokens=None,
        max_example_bytes=max_example_bytes,
        semantic=semantic_useful(_sample_records(lines)),
    )
    line_numbers, errors, findings, hashes, lengths, vectors, answers, numbers, edits = (
        [],
        [],
        {},
        [],
        [],
        [],
        [],
        [],
        [],
    )
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for block_lines, block_errors, found, (h, n), v, a, nk, e in pool.map(_check_jsonl_block, blocks):
                line_numbers += block_lines
                errors += block_errors
                findings.update(found)
                hashes.append(h)
                lengths.append(n)
                vectors.append(v)
                answers.append(a)
                numbers.append(nk)
                edits += e
    finally:
        _shared.clear()
    records = _LazyRecords(lines, line_numbers)
    clusters = find_clusters(
        records,
        hashes=(np.concatenate(hashes), np.concatenate(lengths)),
        answers=np.concatenate(answers),
        numbers=np.concatenate(numbers),
        workers=workers,
        edits=edits,
        **dict(zip(("vectors", "idf"), _stack(vectors))),
    )
    for i, found in cluster_findings(clusters, lambda i: f"line {line_numbers[i]}", Finding).items():
        findings.setdefault(line_numbers[i], []).extend(found)
    return line_numbers, errors, findings
