import json

import pytest

from training.core.model_info import ModelFolderError, count_safetensors_parameters, inspect_model_folder


def test_tiny_model_loads_like_a_real_checkpoint(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)
    assert model.config.model_type == "llama"
    assert model.config.tie_word_embeddings
    assert 100_000 < model.num_parameters() < 200_000
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


def test_the_build_is_deterministic(tiny_model_dir, tmp_path):
    from training.core.tiny_model import build_tiny_model, default_corpus

    again = build_tiny_model(tmp_path / "again", default_corpus())
    assert (again / "model.safetensors").read_bytes() == (tiny_model_dir / "model.safetensors").read_bytes()
    assert json.loads((again / "tokenizer.json").read_text()) == json.loads(
        (tiny_model_dir / "tokenizer.json").read_text()
    )


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
