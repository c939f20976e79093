"""The per-process index of a project's stored vectors (curation/vectors.py): what a check on
save compares with, kept up to date without reading the whole project again."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from curation import vectors
from curation.core import semantic
from curation.models import Example, ExampleVector

pytestmark = pytest.mark.django_db


@pytest.fixture
def examples(people):
    made = Example.objects.bulk_create(
        Example(project=people.project, author=people.annotator, instruction=f"Question {i}", output="x")
        for i in range(vectors.BIG_BATCH + 20)
    )
    return [e.id for e in made]


def unit(seed):
    v = np.random.default_rng(seed).normal(size=semantic.DIMS).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def fetched(monkeypatch):
    """How many rows each bring-up-to-date took in."""
    counts = []
    apply = vectors._Index.apply

    def counting(self, rows):
        rows = list(rows)
        counts.append(len(rows))
        return apply(self, rows)

    monkeypatch.setattr(vectors._Index, "apply", counting)
    return counts


def test_a_scans_batch_is_read_once_then_only_what_changed(people, examples, fetched):
    project = people.project.id
    vectors.store(project, examples, [unit(i) for i in range(len(examples))], [0] * len(examples))  # as a scan does
    matrix, ids, _, _ = vectors.index(project)
    assert len(ids) == len(examples) and fetched == [len(examples)]
    vectors.index(project)
    assert fetched[-1] == 0  # within the look-back, the whole batch is not fetched again
    vectors.store(project, examples[:1], [unit(999)], [0])  # one save
    matrix, ids, row, _ = vectors.index(project)
    assert fetched[-1] == 1
    assert np.allclose(matrix[row[examples[0]]], unit(999), atol=1e-3)
    assert vectors.neighbours(project, unit(999), 0.99, 5) == [(examples[0], pytest.approx(1.0, abs=1e-3))]


def test_a_row_committed_late_with_an_older_stamp_is_still_seen(people, examples, fetched):
    """A slow transaction stamps its rows before it commits: rows stamped before the newest one
    seen, but committed after, must still reach the index (the look-back)."""
    project = people.project.id
    vectors.store(project, examples[:-1], [unit(i) for i in range(len(examples) - 1)], [0] * (len(examples) - 1))
    vectors.index(project)
    late = examples[-1]
    ExampleVector.objects.create(example_id=late, project_id=project, vector=unit(7).astype(np.float16).tobytes())
    ExampleVector.objects.filter(example_id=late).update(updated_at=timezone.now() - timedelta(minutes=5))
    _, ids, _, _ = vectors.index(project)
    assert late in ids
    assert fetched[-1] == 1


def test_a_deleted_example_takes_no_neighbour_place(people, examples):
    """Deleting an example reaches every process's index (its row becomes a zero vector with a
    new stamp), so the next most alike example takes its place among a check's neighbours."""
    project = people.project.id
    query = unit(1)
    closest, next_closest = examples[0], examples[1]
    vectors.store(
        project,
        [closest, next_closest],
        [query, (query + 0.05 * unit(2)) / np.linalg.norm(query + 0.05 * unit(2))],
        [0, 0],
    )
    assert [i for i, _ in vectors.neighbours(project, query, 0.72, 1)] == [closest]
    vectors.forget([closest])
    assert [i for i, _ in vectors.neighbours(project, query, 0.72, 1)] == [next_closest]
    assert [i for i, _ in vectors.neighbours(project, query, 0.72, 5)] == [next_closest]


def test_neighbours_name_the_same_numbers_as_the_prompt(people, examples):
    """A check's neighbour places go to prompts naming the same numbers (the scan's rule): the
    same words with another number never match, and among a template's siblings they would take
    every place from the reworded prompt. A row stored before keys were kept is anyone's neighbour."""
    project = people.project.id
    query = unit(1)
    near = [(query + eps * unit(2)) / np.linalg.norm(query + eps * unit(2)) for eps in (0.01, 0.02, 0.2)]
    sibling, older, reworded = examples[:3]
    vectors.store(project, [sibling, older, reworded], near, [11, 12, 12])
    assert [i for i, _ in vectors.neighbours(project, query, 0.72, 1)] == [sibling]
    assert [i for i, _ in vectors.neighbours(project, query, 0.72, 2, key=12)] == [older, reworded]
    ExampleVector.objects.filter(example_id=sibling).update(number_key=None, updated_at=timezone.now())
    assert [i for i, _ in vectors.neighbours(project, query, 0.72, 1, key=12)] == [sibling]
