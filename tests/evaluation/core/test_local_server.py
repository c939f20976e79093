"""The local model server: any base model and adapter below its roots, named per request;
concurrent requests batched; a base model's adapters kept loaded side by side."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from evaluation.core.backends import BackendError, Decoding, ModelServerBackend, Request
from evaluation.core.local_server import serve

pytestmark = pytest.mark.slow

GREEDY = Decoding(max_new_tokens=6)


def random_adapter(base, folder, seed):
    """A LoRA adapter of random weights: quick to make, and it changes the answers."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(base),
        LoraConfig(r=4, lora_alpha=64, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    )
    with torch.no_grad():
        for name, weight in model.named_parameters():
            if "lora_B" in name:
                weight.normal_(0, 0.5)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def adapters(tiny_model_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return [random_adapter(tiny_model_dir, root / f"{n}" / "adapter", seed=n) for n in (1, 2)]


@pytest.fixture(scope="module")
def server(tiny_model_dir, adapters):
    server, url = serve(roots=[tiny_model_dir, adapters[0].parent.parent], window=0.05)
    yield server, url
    server.shutdown()


def client(url, tiny_model_dir, adapters):
    return ModelServerBackend(url, tiny_model_dir, {"run-1": str(adapters[0]), "run-2": str(adapters[1])})


def test_alternating_adapters_of_one_base_model_reload_nothing(server, tiny_model_dir, adapters):
    server, url = server
    backend = client(url, tiny_model_dir, adapters)
    asked = "### Instruction:\nTriage: my parcel is late.\n\n### Response:\n"
    first = {a: backend.generate([Request(asked, adapter=a)], GREEDY)[0].text for a in ("", "run-1", "run-2")}
    (loaded,) = server.batcher.pool.backends.values()
    model = loaded._model
    calls = []
    load_adapter = model.load_adapter
    model.load_adapter = lambda *a, **k: calls.append(a) or load_adapter(*a, **k)
    again = {}
    for a in ("run-1", "run-2", "run-1", "", "run-2"):
        again[a] = backend.generate([Request(asked, adapter=a)], GREEDY)[0].text
    assert calls == [] and loaded._model is model and len(loaded.adapters) == 2
    assert again == first  # each answer still comes from its own adapter
    assert len(set(first.values())) == 3  # and the three models differ


def test_concurrent_requests_are_batched_with_the_same_answers(server, tiny_model_dir, adapters):
    server, url = server
    backend = client(url, tiny_model_dir, adapters)
    asked = "### Instruction:\nWhere is my refund?\n\n### Response:\n"
    alone = backend.generate([Request(asked, adapter="run-1")], GREEDY)[0]
    server.batcher.batches.clear()
    with ThreadPoolExecutor(10) as pool:
        together = list(pool.map(lambda _: backend.generate([Request(asked, adapter="run-1")], GREEDY)[0], range(10)))
    assert max(server.batcher.batches) >= 5, server.batcher.batches
    assert {g.text for g in together} == {alone.text}
    assert all(g.completion_tokens == alone.completion_tokens for g in together)


def test_folders_outside_the_roots_are_refused(server, tiny_model_dir, adapters, tmp_path):
    _, url = server
    with pytest.raises(BackendError, match="not below a folder this server serves from"):
        ModelServerBackend(url, "/etc").generate([Request("hi")], GREEDY)
    outside = ModelServerBackend(url, tiny_model_dir, {"run-9": "/etc/../etc"})
    with pytest.raises(BackendError, match="refused: the adapter /etc/../etc is not below"):
        outside.generate([Request("hi", adapter="run-9")], GREEDY)


def test_started_as_make_run_starts_it_it_serves_below_its_roots_on_the_cores_it_may_use(
    tiny_model_dir, adapters, tmp_path
):
    import json
    import os
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[3]
    one_core = sorted(os.sched_getaffinity(0))[:1]
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    process = subprocess.Popen(
        [sys.executable, "-m", "evaluation.core.local_server", "--port", str(port)]
        + ["--root", f"{adapters[0].parent.parent},{tmp_path}", "--root", str(tiny_model_dir)],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.sched_setaffinity(0, one_core),
    )
    try:
        assert "(1 cores;" in process.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        backend = client(url, tiny_model_dir, adapters)
        (g,) = backend.generate([Request("### Instruction:\nHi\n\n### Response:\n", adapter="run-2")], GREEDY)
        assert g.completion_tokens > 0
        info = json.loads(urllib.request.urlopen(f"{url}/info", timeout=10).read())
        assert info["threads"] == 1  # torch's threads follow the cores it may use
        with pytest.raises(BackendError, match="not below a folder"):
            ModelServerBackend(url, tmp_path.parent).generate([Request("hi")], GREEDY)
    finally:
        process.terminate()
        process.wait(timeout=30)
