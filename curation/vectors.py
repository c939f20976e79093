"""A project's stored sentence embeddings, kept in memory per process for the on-save check.

The first check in a process loads the project's vectors (100,000 examples: 51 MB, well under a
second on PostgreSQL); later checks fetch only the rows changed since, so a save compares its
example with every other one by one matrix product (a few milliseconds at 100,000). Rows of
deleted examples may linger here; the caller keeps only examples that still exist.

The meaning layer weighs words by their rarity in the project (semantic.Idf). That table is built
from the project's prompts once per process and rebuilt after IDF_SECONDS.
"""

import random
import threading
import time

import numpy as np
from django.utils import timezone

from curation.core import semantic
from curation.core.prompt_match import main_and_side
from curation.models import Example, ExampleVector

IDF_SECONDS = 600
SAMPLE = 2000
_lock = threading.Lock()
_projects = {}  # project id -> _Index
_idf = {}  # project id -> (built at, Idf)


class _Index:
    def __init__(self):
        self.ids = []
        self.row = {}  # example id -> row
        self.matrix = np.zeros((0, semantic.DIMS), dtype=np.float32)
        self.synced = None  # the newest updated_at seen
        self.threshold = None  # (rows when computed, semantic.meaning_threshold)

    def apply(self, rows):
        base = len(self.matrix)
        fresh = []
        for example_id, vector, updated in rows:
            v = np.frombuffer(bytes(vector), dtype=np.float16).astype(np.float32)
            row = self.row.get(example_id)
            if row is None:
                self.row[example_id] = len(self.ids)
                self.ids.append(example_id)
                fresh.append(v)
            elif row < base:
                self.matrix[row] = v
            else:
                fresh[row - base] = v
            if self.synced is None or updated > self.synced:
                self.synced = updated
        if fresh:
            self.matrix = np.concatenate([self.matrix, np.stack(fresh)])


def ready():
    """True when the semantic layer can run in this process without building anything (the web
    process never builds the model: that imports torch)."""
    try:
        return (semantic.model_dir() / "vectors.npy").exists()
    except semantic.EmbeddingsUnavailable:
        return False


def embed_main(records):
    return semantic.embed([main_and_side(r)[0] for r in records])


def store(project_id, example_ids, vectors):
    """Keep the vectors of these examples (replacing older ones), in one statement per batch."""
    now = timezone.now()
    rows = [
        ExampleVector(example_id=e, project_id=project_id, vector=v.astype(np.float16).tobytes(), updated_at=now)
        for e, v in zip(example_ids, vectors)
    ]
    ExampleVector.objects.bulk_create(
        rows, batch_size=5000, update_conflicts=True, unique_fields=["example"], update_fields=["vector", "updated_at"]
    )


def forget(example_ids):
    ExampleVector.objects.filter(example_id__in=example_ids).delete()


def index(project_id):
    """The project's vectors, brought up to date."""
    with _lock:
        idx = _projects.setdefault(project_id, _Index())
        rows = ExampleVector.objects.filter(project_id=project_id)
        if idx.synced is not None:
            rows = rows.filter(updated_at__gte=idx.synced)  # >=: rows written in the same instant
        idx.apply(rows.values_list("example_id", "vector", "updated_at").iterator(chunk_size=5000))
        return idx


def neighbours(project_id, vector, threshold, most, exclude=None):
    """[(example id, cosine)] of the project's stored examples at least `threshold` alike."""
    idx = index(project_id)
    if not idx.ids:
        return []
    sims = idx.matrix @ vector
    if exclude in idx.row:
        sims[idx.row[exclude]] = -1.0
    top = np.flatnonzero(sims >= threshold)
    if len(top) > most:
        top = top[np.argsort(-sims[top])[:most]]
    return [(idx.ids[i], float(sims[i])) for i in top]


def project_idf(project_id):
    """The rarity of words in this project's prompts (cached per process for IDF_SECONDS)."""
    return _project_words(project_id)[1]


def meaning_threshold(project_id, base):
    """semantic.meaning_threshold for the project, on a sample of its prompts (cached with its
    word rarities)."""
    _, idf, thresholds, sample = _project_words(project_id)
    if base not in thresholds:
        thresholds[base] = semantic.meaning_threshold(sample, idf, base)
    return thresholds[base]


def _project_words(project_id):
    """(built at, Idf, {base: threshold}, a sample of 2,000 prompts) for the project."""
    built = _idf.get(project_id)
    if built and time.monotonic() - built[0] < IDF_SECONDS:
        return built
    texts = (
        main_and_side(e.record())[0]
        for e in Example.objects.filter(project_id=project_id, deleted_at=None)
        .only("instruction", "input", "output", "messages")
        .iterator(chunk_size=5000)
    )
    idf, sample, rng = semantic.Idf(), [], random.Random(project_id)
    for n, text in enumerate(texts):  # reservoir sampling: every prompt equally likely
        idf.add(text)
        if len(sample) < SAMPLE:
            sample.append(text)
        elif (k := rng.randrange(n + 1)) < SAMPLE:
            sample[k] = text
    entry = _idf[project_id] = (time.monotonic(), idf, {}, sample)
    return entry


def reset():
    """Forget every cached index (tests that rebuild databases)."""
    with _lock:
        _projects.clear()
        _idf.clear()
