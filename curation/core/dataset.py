"""Checking a whole dataset at once: every single-example check plus duplicates and
contradictions across it. The Celery scan and the `check_dataset` command both call this."""

from curation.core.checks import Finding, check_record
from curation.core.dedup import cluster_findings, find_clusters
from curation.core.rules import FormatRules


def check_records(records, rules=None, count_tokens=None, label=lambda i: f"#{i}", silenced=frozenset(), progress=None):
    """{index: [Finding]} for records (a list). `label(i)` names an example in messages;
    `progress(done, total)` is called now and then."""
    rules = rules or FormatRules()
    total = len(records)
    findings = {}
    step = max(1, total // 50)
    for i, record in enumerate(records):
        found = check_record(record, rules, count_tokens)
        if found:
            findings[i] = found
        if progress and i % step == 0:
            progress(i, total + total // 4)  # the pairwise pass takes about a fifth of the time
    for i, found in cluster_findings(find_clusters(records, silenced), label, Finding).items():
        findings.setdefault(i, []).extend(found)
    if progress:
        progress(total + total // 4, total + total // 4)
    return findings
