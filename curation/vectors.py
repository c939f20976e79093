"""A project's stored sentence embeddings, kept in memory per process for the on-save check.

The first check in a process loads the project's vectors (100,000 examples: 51 MB, well under a
second on PostgreSQL); later checks fetch only the rows changed since, so a save compares its
example with every other one by one matrix product (a few milliseconds at 100,000). A deleted
example's row becomes a zero vector (forget), so it takes no neighbour place.

The meaning layer weighs words by their rarity in the project (semantic.Idf). That table is built
from the project's prompts once per process and rebuilt after IDF_SECONDS.
"""

import hashlib
import random
import threading
import time
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from curation.core import semantic
from curation.core.clusters import CONTEXT_MIN_INSTRUCTIONS, shared_contexts
from curation.core.prompt_match import main_and_side
from curation.models import Example, ExampleVector
from studio.core.records import Record

IDF_SECONDS = 600
LOOK_BACK = timedelta(minutes=15)
BIG_BATCH = 100  # rows written with one stamp from which a batch is not fetched again
SAMPLE = 2000
_lock = threading.Lock()
_projects = {}  # project id -> _Index
_idf = {}  # project id -> (built at, Idf)


UNKNOWN_KEY = np.iinfo(np.int64).min  # a row stored without its number key: a neighbour of any


class _Index:
    def __init__(self):
        self.ids = []
        self.row = {}  # example id -> row
        self.matrix = np.zeros((0, semantic.DIMS), dtype=np.float32)
        self.keys = np.zeros(0, dtype=np.int64)  # each row's number key
        self.synced = None  # the newest updated_at seen
        self.threshold = None  # (rows when computed, semantic.meaning_threshold)
        self.batches = set()  # stamps of big batches taken in whole (see window)

    def window(self):
        """What to fetch to bring the index up to date: rows stamped since the newest seen, less
        the look-back, leaving out the big batches already taken in. A batch (one `store` call:
        one stamp, one transaction) becomes visible all at once, so once seen it is complete;
        without this, every check for 15 minutes after a scan would fetch its 100,000 rows again."""
        since = self.synced - LOOK_BACK
        self.batches = {b for b in self.batches if b >= since}
        q, lower = Q(), since
        for stamp in sorted(self.batches):
            q |= (
                Q(updated_at__gte=lower, updated_at__lt=stamp)
                if lower == since
                else Q(updated_at__gt=lower, updated_at__lt=stamp)
            )
            lower = stamp
        q |= Q(updated_at__gte=lower) if lower == since else Q(updated_at__gt=lower)
        return q

    def apply(self, rows):
        """Take in (example id, vector bytes, updated_at, number key) rows; all or nothing."""
        ids, row, synced = list(self.ids), dict(self.row), self.synced
        base = len(self.matrix)
        updates, fresh, fresh_keys, stamps = {}, [], [], {}
        for example_id, vector, updated, key in rows:
            stamps[updated] = stamps.get(updated, 0) + 1
            v = np.frombuffer(bytes(vector), dtype=np.float16).astype(np.float32)
            if v.shape != (semantic.DIMS,):
                continue  # written by another version of the model: the next scan replaces it
            key = UNKNOWN_KEY if key is None else key
            at = row.get(example_id)
            if at is None:
                row[example_id] = len(ids)
                ids.append(example_id)
                fresh.append(v)
                fresh_keys.append(key)
            elif at < base:
                updates[at] = (v, key)
            else:
                fresh[at - base], fresh_keys[at - base] = v, key
            if synced is None or updated > synced:
                synced = updated
        matrix = self.matrix.copy() if updates else self.matrix
        keys = self.keys.copy() if updates else self.keys
        for at, (v, key) in updates.items():
            matrix[at], keys[at] = v, key
        if fresh:
            matrix = np.concatenate([matrix, np.stack(fresh)])
            keys = np.concatenate([keys, np.array(fresh_keys, dtype=np.int64)])
        self.ids, self.row, self.synced, self.matrix, self.keys = ids, row, synced, matrix, keys
        self.batches |= {stamp for stamp, n in stamps.items() if n >= BIG_BATCH}


def ready():
    """True when the semantic layer can run in this process without building anything (the web
    process never builds the model: that imports torch)."""
    try:
        return (semantic.model_dir() / "vectors.npy").exists()
    except semantic.EmbeddingsUnavailable:
        return False


def embed_main(records):
    return semantic.embed([main_and_side(r)[0] for r in records])


@transaction.atomic(savepoint=False)  # one stamp, one transaction: readers see a batch whole or not at all (window)
def store(project_id, example_ids, vectors, number_keys):
    """Keep the vectors of these examples (replacing older ones) and their prompts' number keys,
    in one statement per batch."""
    now = timezone.now()
    number_keys = [int(k) for k in number_keys]
    if connection.vendor == "postgresql" and len(example_ids) > 1000:
        # a scan's 100,000 vectors: COPY into a scratch table, then one upsert (bulk_create's
        # upsert took 10-15 s of a 100,000-example scan)
        table = ExampleVector._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS studio_vectors_in")
            cursor.execute(
                "CREATE TEMP TABLE studio_vectors_in (example_id bigint, vector bytea, number_key bigint) ON COMMIT DROP"
            )
            copying = "COPY studio_vectors_in (example_id, vector, number_key) FROM STDIN"
            with cursor.connection.cursor().copy(copying) as copy:
                for e, v, k in zip(example_ids, vectors, number_keys):
                    copy.write_row((e, v.astype(np.float16).tobytes(), k))
            cursor.execute(
                f"INSERT INTO {table} (example_id, project_id, vector, number_key, updated_at) "
                "SELECT example_id, %s, vector, number_key, %s FROM studio_vectors_in "
                "ON CONFLICT (example_id) DO UPDATE SET vector = EXCLUDED.vector, "
                "number_key = EXCLUDED.number_key, updated_at = EXCLUDED.updated_at",
                [project_id, now],
            )
            cursor.execute("DROP TABLE studio_vectors_in")
        return
    rows = [
        ExampleVector(
            example_id=e, project_id=project_id, vector=v.astype(np.float16).tobytes(), number_key=k, updated_at=now
        )
        for e, v, k in zip(example_ids, vectors, number_keys)
    ]
    ExampleVector.objects.bulk_create(
        rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["example"],
        update_fields=["vector", "number_key", "updated_at"],
    )


def forget(example_ids):
    """Deleted examples: their rows become zero vectors with a new stamp rather than going away,
    so every process's index takes the change in (a deleted row would linger there, taking one of
    a check's neighbour places), and no zero vector is ever anyone's neighbour."""
    ExampleVector.objects.filter(example_id__in=example_ids).update(
        vector=np.zeros(semantic.DIMS, dtype=np.float16).tobytes(), updated_at=timezone.now()
    )


def index(project_id):
    """The project's vectors, brought up to date."""
    with _lock:
        idx = _projects.setdefault(project_id, _Index())
        rows = ExampleVector.objects.filter(project_id=project_id)
        if idx.synced is not None:
            # Rows are stamped before their transaction commits: look back far enough that one
            # committed late (a long scan, a slow save) is still seen; taking a row in twice is harmless.
            rows = rows.filter(idx.window())
        idx.apply(rows.values_list("example_id", "vector", "updated_at", "number_key").iterator(chunk_size=5000))
        return idx.matrix, idx.ids, idx.row, idx.keys  # a snapshot: other threads replace, never change, these


def neighbours(project_id, vector, threshold, most, exclude=None, key=None):
    """[(example id, cosine)] of the project's stored examples at least `threshold` alike. With
    `key` (slots.number_key of the prompt), only those whose prompts name the same numbers, as
    the scan looks for them (semantic.neighbour_pairs): others never match, and would take the
    places of a reworded prompt among a template's siblings."""
    matrix, ids, row, keys = index(project_id)
    if not ids:
        return []
    sims = matrix @ vector
    if key is not None:
        sims[(keys != key) & (keys != UNKNOWN_KEY)] = -1.0
    if exclude in row:
        sims[row[exclude]] = -1.0
    top = np.flatnonzero(sims >= threshold)
    if len(top) > most:
        top = top[np.argsort(-sims[top])[:most]]
    return [(ids[i], float(sims[i])) for i in top]


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
    records = [
        Record.chat(messages) if messages else Record(instruction=instruction, input=input_)
        for instruction, input_, messages in Example.objects.filter(project_id=project_id, deleted_at=None)
        .values_list("instruction", "input", "messages")  # the prompt: never the (long) answers
        .iterator(chunk_size=5000)
    ]
    # as the scan reads them: an input shared by several instructions is told apart by those
    context_of = shared_contexts(records)
    texts = (main_and_side(r)[1 if k in context_of else 0] for k, r in enumerate(records))
    idf, sample, rng = semantic.Idf(), [], random.Random(project_id)
    for n, text in enumerate(texts):  # reservoir sampling: every prompt equally likely
        idf.add(text)
        if len(sample) < SAMPLE:
            sample.append(text)
        elif (k := rng.randrange(n + 1)) < SAMPLE:
            sample[k] = text
    entry = _idf[project_id] = (time.monotonic(), idf, {}, sample)
    return entry


CONTEXT_SECONDS = 60  # a shared context's instructions are read and embedded again after this
_contexts = {}  # (project id, digest of the input) -> (built at, last id, ids, instructions, matrix)


def context_instructions(project_id, text, most):
    """(ids, instructions, unit vectors of the instructions) of the project's examples whose input
    is `text` (a schema many questions share), up to `most` of them. Read and embedded once per
    process and CONTEXT_SECONDS; in between, examples created since are added (an instruction
    edited or an example deleted meanwhile is read afresh by the caller, its vector only after
    CONTEXT_SECONDS)."""
    key = (project_id, hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest())
    with _lock:
        cached = _contexts.get(key)
    now = time.monotonic()
    rows = Example.objects.filter(project_id=project_id, deleted_at=None, input=text)
    if cached is None or now - cached[0] > CONTEXT_SECONDS:
        found = list(rows.order_by("id").values_list("id", "instruction")[:most])
        ids, instructions = [i for i, _ in found], [t for _, t in found]
        if not _is_context(project_id, text, instructions):
            ids, instructions = [], []
        matrix = semantic.embed(instructions) if instructions else np.zeros((0, semantic.DIMS), np.float32)
        cached = (now, max(ids, default=0), ids, instructions, matrix)
    else:
        built, last, ids, instructions, matrix = cached
        new = list(rows.filter(id__gt=last).order_by("id").values_list("id", "instruction")[: max(0, most - len(ids))])
        if new:
            ids = ids + [i for i, _ in new]
            instructions = instructions + [t for _, t in new]
            matrix = np.vstack([matrix, semantic.embed([t for _, t in new])])
            cached = (built, ids[-1], ids, instructions, matrix)
    with _lock:
        _contexts[key] = cached
    return cached[2], cached[3], cached[4]


def _is_context(project_id, text, instructions):
    """clusters.shared_contexts' rule for one input: under at least CONTEXT_MIN_INSTRUCTIONS
    instructions, most of them asked of this input only (not templates used with many inputs)."""
    distinct = set(instructions)
    if len(distinct) < CONTEXT_MIN_INSTRUCTIONS:
        return False
    elsewhere = set(
        Example.objects.filter(project_id=project_id, deleted_at=None, instruction__in=list(distinct))
        .exclude(input=text)
        .values_list("instruction", flat=True)
        .distinct()
    )
    return 2 * len(distinct - elsewhere) > len(distinct)


def reset():
    """Forget every cached index (tests that rebuild databases)."""
    with _lock:
        _projects.clear()
        _idf.clear()
        _contexts.clear()
