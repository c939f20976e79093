"""Leakage between splits: for each test example, its most similar training example."""

from dataclasses import dataclass

from curation.core.bucket_keys import similarity_keys
from curation.core.prompt_comparison import prompt_words
from curation.core.text import words
from curation.core.wordlists import STOPWORDS

LEAK_THRESHOLD = 0.8


@dataclass(frozen=True)
class Leak:
    test: int  # index of the test example
    train: int  # index of its most similar training example, or -1
    similarity: float  # Jaccard of their content words, 0..1


def _content_words(record):
    """Content words of what tells examples apart: the input (or the instruction when there is
    no input). A long shared instruction would make every pair look alike."""
    context, query = record.request()
    return {w for w in words(query or context) if w not in STOPWORDS}


def leakage_report(records, splits, test_split="test", against="train"):
    """[Leak] for every example in test_split, most similar first. Candidates come from MinHash
    bands (examples about the same thing share some); the score is exact."""
    index = {}
    for i, split in enumerate(splits):
        if split == against:
            for key in similarity_keys(*prompt_words(records[i])):
                index.setdefault(key, []).append(i)
    cache = {}

    def content(i):
        if i not in cache:
            cache[i] = _content_words(records[i])
        return cache[i]

    report = []
    for i, split in enumerate(splits):
        if split != test_split:
            continue
        candidates = set()
        for key in similarity_keys(*prompt_words(records[i])):
            candidates.update(index.get(key, ())[:200])
        best, best_score = -1, 0.0
        mine = content(i)
        for j in candidates:
            other = content(j)
            union = mine | other
            score = len(mine & other) / len(union) if union else 0.0
            if score > best_score or (score == best_score and j < best):
                best, best_score = j, score
        report.append(Leak(i, best, round(best_score, 4)))
    report.sort(key=lambda leak: (-leak.similarity, leak.test))
    return report
