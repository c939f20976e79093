import json
import re

import pytest

from training.core.model_info import ModelFolderError, count_safetensors_parameters, inspect_model_folder


def test_tiny_model_loads_like_a_real_checkpoint(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)
    assert model.config.model_type == "llama"
    assert model.config.tie_word_embeddings
    assert 300_000 < model.num_parameters() < 600_000
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Mon écran reste noir 🙁"}], tokenize=False, add_generation_prompt=True
    )
    assert prompt == "<|im_start|>user\nMon écran reste noir 🙁<|im_end|>\n<|im_start|>assistant\n"
    encoded = tokenizer(prompt, return_tensors="pt")
    assert set(encoded) == {"input_ids", "attention_mask"}
    # byte-level BPE: any text, accents and emoji included, round-trips exactly
    assert tokenizer.decode(encoded["input_ids"][0]) == prompt
    with torch.no_grad():
        out = model.generate(**encoded, max_new_tokens=4, do_sample=False)
    assert out.shape[1] == encoded["input_ids"].shape[1] + 4 or tokenizer.eos_token_id in out[0].tolist()


def test_chat_template_marks_the_assistant_turn(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    rendered = tokenizer.apply_chat_template(chat, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    mask = rendered["assistant_masks"]
    trained = tokenizer.decode([t for t, m in zip(rendered["input_ids"], mask) if m])
    assert trained == "Hello!<|im_end|>"


def test_the_build_is_deterministic(tmp_path):
    from training.core.tiny_model import build_tiny_model, default_corpus

    one = build_tiny_model(tmp_path / "one", default_corpus(), pretrain_steps=3)
    two = build_tiny_model(tmp_path / "two", default_corpus(), pretrain_steps=3)
    assert (one / "model.safetensors").read_bytes() == (two / "model.safetensors").read_bytes()
    assert json.loads((one / "tokenizer.json").read_text()) == json.loads((two / "tokenizer.json").read_text())


def test_the_pretraining_corpus_leaves_out_the_demo_tickets_and_the_json_answers():
    from curation.core.demo_tickets import make_examples
    from training.core.tiny_model import pretraining_corpus

    corpus = pretraining_corpus()
    demo = make_examples()
    assert len(corpus) > 2000
    joined = "\n".join(corpus)
    tickets = set()
    for text in corpus:
        if text.startswith("<|im_start|>user\n"):
            user = text[len("<|im_start|>user\n") : text.index("<|im_end|>")]
            tickets.add(user.split("\n\n", 1)[1] if "\n\n" in user else user)
    assert len(tickets) > 2000 and not tickets & {ex.input for ex in demo}
    assert '"category"' not in joined and '"reply"' not in joined and demo[0].instruction not in joined
    assert any(t.startswith("<|im_start|>user") for t in corpus) and any(t.startswith("{") for t in corpus)
    assert pretraining_corpus() == corpus  # seeded


def _reply_loss(model_dir, conversations):
    """Mean loss per token of the agents' replies given the tickets."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    total = count = 0
    for ticket, reply in conversations:
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": ticket}], tokenize=False, add_generation_prompt=True
        )
        ids = tokenizer(prompt + reply, add_special_tokens=False, return_tensors="pt")["input_ids"]
        n_prompt = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
        labels = ids.clone()
        labels[0, :n_prompt] = -100
        with torch.no_grad():
            loss = model(input_ids=ids, labels=labels).loss
        n = int((labels != -100).sum()) - 1
        total, count = total + float(loss) * n, count + n
    return total / count


def test_the_pretrained_model_knows_the_demo_domain_and_a_random_one_does_not(tiny_model_dir, tmp_path):
    from curation.core.demo_tickets import make_examples
    from training.core.tiny_model import build_tiny_model, default_corpus

    random_dir = build_tiny_model(tmp_path / "random", default_corpus(), pretrain_steps=0)
    held_out = [(ex.input, json.loads(ex.output)["reply"]) for ex in make_examples()[:20]]  # the demo's own tickets
    pretrained, random_weights = _reply_loss(tiny_model_dir, held_out), _reply_loss(random_dir, held_out)
    assert pretrained < 2.0 < 6.0 < random_weights


def test_the_model_is_built_once_and_rebuilt_when_its_code_changes(tmp_path, monkeypatch):
    from training.core import tiny_model

    monkeypatch.setitem(tiny_model.PRETRAIN, "steps", 2)
    folder, built = tiny_model.ensure_tiny_model(tmp_path / "tiny")
    assert built and (folder / "model.safetensors").is_file()
    assert json.loads((folder / "studio_recommended.json").read_text()) == tiny_model.RECOMMENDED
    stamp = (tmp_path / "tiny.stamp").read_text()
    (folder / "marker").write_text("kept")
    assert tiny_model.ensure_tiny_model(tmp_path / "tiny") == (folder, False)
    assert (folder / "marker").is_file()
    monkeypatch.setattr(tiny_model, "source_stamp", lambda: "other code")
    assert tiny_model.ensure_tiny_model(tmp_path / "tiny") == (folder, True)
    assert not (folder / "marker").exists() and (tmp_path / "tiny.stamp").read_text() != stamp


def test_recommended_settings_are_read_and_checked(tiny_model_dir, tmp_path):
    import shutil

    from training.core.model_info import read_recommended

    assert read_recommended(tiny_model_dir)["learning_rate"] > 2e-4
    folder = tmp_path / "m"
    shutil.copytree(tiny_model_dir, folder)
    path = folder / "studio_recommended.json"
    path.unlink()
    assert read_recommended(folder) == {}
    for text, message in (
        ("{oops", "not valid JSON"),
        ("[1, 2]", "one JSON object of settings, not list"),
        ('{"learning_rate": "fast"}', 'learning_rate must be float, not "fast"'),
        ('{"lora_r": 8.5}', "lora_r must be int, not 8.5"),
        ('{"packing": 1}', "packing must be bool, not 1"),
        ('{"epochs": 0}', "epochs: must be above 0 and at most 100"),
        ('{"warmup": 0.1}', "warmup: not a training setting"),
        ('{"base_model": "/elsewhere"}', "base_model cannot be recommended"),
    ):
        path.write_text(text)
        with pytest.raises(ModelFolderError, match=f"studio_recommended.json: .*{re.escape(message)}"):
            read_recommended(folder)
    path.write_text('{"learning_rate": 1, "epochs": 2, "packing": true}')
    with pytest.raises(ModelFolderError, match="learning_rate: must be above 0 and below 1"):
        read_recommended(folder)
    path.write_text('{"learning_rate": 0.01, "epochs": 2, "packing": true}')
    assert read_recommended(folder) == {"learning_rate": 0.01, "epochs": 2, "packing": True}


def test_inspect_reads_the_folder_without_loading_weights(tiny_model_dir):
    info = inspect_model_folder(tiny_model_dir)
    assert info.architecture == "LlamaForCausalLM"
    assert info.num_parameters == count_safetensors_parameters(tiny_model_dir)
    assert info.vocab_size == 1024
    assert info.context_length == 2048
    assert info.has_chat_template
    assert info.eos_token == "<|im_end|>"


def test_inspect_names_what_is_wrong(tmp_path, tiny_model_dir):
    with pytest.raises(ModelFolderError, match="no such folder"):
        inspect_model_folder(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelFolderError, match=f"{empty}: no config.json"):
        inspect_model_folder(empty)
    (empty / "config.json").write_text("{not json")
    with pytest.raises(ModelFolderError, match="config.json: not valid JSON"):
        inspect_model_folder(empty)
    (empty / "config.json").write_text((tiny_model_dir / "config.json").read_text())
    with pytest.raises(ModelFolderError, match="no \\*.safetensors weight files"):
        inspect_model_folder(empty)
    (empty / "model.safetensors").write_bytes((tiny_model_dir / "model.safetensors").read_bytes())
    with pytest.raises(ModelFolderError, match="the tokenizer does not load"):
        inspect_model_folder(empty)
