"""Generation backends: the local one, and the TGI and OpenAI clients against a local server that
speaks their protocols and serves the tiny model (with a LoRA adapter)."""

import pytest

from evaluation.core.backends import BackendError, Decoding, LocalBackend, OpenAIBackend, Request, TGIBackend
from evaluation.core.local_server import serve

pytestmark = pytest.mark.slow

GREEDY = Decoding(max_new_tokens=12)


@pytest.fixture(scope="module")
def adapter(tiny_model_dir, tmp_path_factory):
    from studio.core.records import Record
    from training.core.engine import TrainConfig, train

    out = tmp_path_factory.mktemp("run")
    train(
        TrainConfig(
            base_model=str(tiny_model_dir),
            epochs=3,
            batch_size=4,
            learning_rate=5e-3,
            max_length=128,
            early_stopping_patience=0,
        ),
        [Record("Say hi", "", "Hello there friend!")] * 16,
        [],
        out,
    )
    return out / "adapter"


@pytest.fixture(scope="module")
def local(tiny_model_dir, adapter):
    return LocalBackend(tiny_model_dir, {"tuned": str(adapter)}, batch_size=4)


@pytest.fixture(scope="module")
def server(local):
    server, url = serve(local, model_name="base")
    yield url
    server.shutdown()


def prompts(local, n=3):
    local._load()
    tok = local.tokenizer
    out = []
    for i in range(n):
        messages = ({"role": "user", "content": f"Say hi to number {i}"},)
        out.append((tok.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True), messages))
    return out


def test_local_backend_batches_and_switches_adapters(local):
    reqs = [Request(prompt=p, messages=m) for p, m in prompts(local)] + [
        Request(prompt=p, messages=m, adapter="tuned") for p, m in prompts(local)
    ]
    out = local.generate(reqs, GREEDY)
    assert len(out) == 6
    assert all(g.finish_reason in ("stop", "length") and g.prompt_tokens > 0 for g in out)
    assert out[3].text != out[0].text  # the adapter changes the answer
    assert out[0].decoding == GREEDY.as_dict()
    one = local.generate([reqs[0]], GREEDY)[0]
    assert one.text == out[0].text  # batching does not change greedy outputs
    with pytest.raises(BackendError, match="no adapter called 'missing'"):
        local.generate([Request(prompt="x", adapter="missing")], GREEDY)


def test_tgi_client_matches_the_local_backend(local, server):
    reqs = [Request(prompt=p, messages=m, adapter="tuned") for p, m in prompts(local)]
    remote = TGIBackend(server).generate(reqs, GREEDY)
    direct = local.generate(reqs, GREEDY)
    assert [g.text for g in remote] == [g.text for g in direct]
    assert [g.completion_tokens for g in remote] == [g.completion_tokens for g in direct]
    assert remote[0].finish_reason == direct[0].finish_reason


def test_openai_client_matches_the_local_backend(local, server):
    reqs = [Request(prompt=p, messages=m) for p, m in prompts(local)]
    remote = OpenAIBackend(server, model="base").generate(reqs, GREEDY)
    direct = local.generate(reqs, GREEDY)
    assert [g.text for g in remote] == [g.text for g in direct]
    assert remote[0].prompt_tokens == direct[0].prompt_tokens


def test_a_server_that_is_down_gives_a_clear_error_not_a_hang():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BackendError, match=f"TGI at http://127.0.0.1:{port}: no answer after 2 tries"):
        TGIBackend(f"http://127.0.0.1:{port}", timeout=2, retries=1).generate([Request(prompt="hi")], GREEDY)


def test_a_slow_server_times_out(local):
    server, url = serve(local, delay=3)
    try:
        with pytest.raises(BackendError, match="no answer after 1 tries"):
            OpenAIBackend(url, model="base", timeout=1, retries=0).generate(
                [Request(prompt="hi", messages=({"role": "user", "content": "hi"},))], GREEDY
            )
    finally:
        server.shutdown()


def test_local_backend_without_adapters(tiny_model_dir):
    plain = LocalBackend(tiny_model_dir, batch_size=2)
    (g,) = plain.generate([Request(prompt="<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")], GREEDY)
    assert g.completion_tokens > 0
