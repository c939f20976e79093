"""The local model server's batcher, without a model: a burst of requests that trickle in is one
batch, a pause starts the next, a steady stream cannot hold a batch back for long, and torch's
threads follow the size of the model that answers."""

import threading
import time

import pytest

from evaluation.core.backends import Decoding, Generation
from evaluation.core.local_server import SMALL_MODEL, Batcher

GREEDY = Decoding(max_new_tokens=4)


class CountingBackend:
    """Answers each prompt with itself and notes the torch threads each generate ran with."""

    def __init__(self, parameters=0):
        self.parameters, self.adapters, self.threads = parameters, {}, []

    def generate(self, requests, decoding):
        import torch

        self.threads.append(torch.get_num_threads())
        return [Generation(r.prompt, "length", 1, 1) for r in requests]


class OnePool:
    def __init__(self, backend):
        self.backend = backend

    def resolve(self, base_model, adapter):
        return self.backend, adapter or ""


def asked_at(batcher, delays):
    """Submit one request after each delay (seconds after the previous one), each from its own
    thread; returns the answers in order."""
    answers, threads = {}, []
    for i, delay in enumerate(delays):
        time.sleep(delay)
        thread = threading.Thread(target=lambda i=i: answers.__setitem__(i, batcher.submit(None, "", f"p{i}", GREEDY)))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=10)
    return [answers[i].text for i in range(len(delays))]


def test_a_burst_that_trickles_in_is_one_batch_and_a_pause_starts_the_next():
    batcher = Batcher(OnePool(CountingBackend()), window=0.05, size=16)
    # 8 requests 10 ms apart: more than a fixed window after the first would have taken
    answers = asked_at(batcher, [0] + [0.01] * 7 + [0.3] + [0.01] * 2)
    assert answers == [f"p{i}" for i in range(11)]  # each request gets its own answer
    assert batcher.batches == [8, 3]


def test_a_steady_stream_is_cut_into_batches_and_no_batch_outgrows_its_size():
    batcher = Batcher(OnePool(CountingBackend()), window=0.02, size=16)
    asked_at(batcher, [0.01] * 30)  # one request every 10 ms, 300 ms: never a pause of 20 ms
    assert sum(batcher.batches) == 30
    assert len(batcher.batches) >= 2  # a batch waits at most 6 windows (120 ms) for more
    small = Batcher(OnePool(CountingBackend()), window=0.05, size=4)
    asked_at(small, [0] * 10)
    assert max(small.batches) == 4 and sum(small.batches) == 10


@pytest.mark.parametrize(("parameters", "threads"), [(SMALL_MODEL // 10, 1), (SMALL_MODEL * 20, 2)])
def test_torch_threads_follow_the_size_of_the_model_that_answers(parameters, threads):
    import torch

    before = torch.get_num_threads()
    backend = CountingBackend(parameters)
    try:
        asked_at(Batcher(OnePool(backend), window=0.01, cores=2), [0])
    finally:
        torch.set_num_threads(before)
    assert backend.threads == [threads]
