"""training/core/gguf_export.py: a model folder as one GGUF file that reads back (through
transformers' GGUF loader) as the same model, and clear refusals for what it cannot write."""

import json
import shutil

import pytest

from training.core.gguf_export import GGUFExportError, export_gguf, source_folder

ASKED = "<|im_start|>user\nMy parcel #4411 is late, where is it?<|im_end|>\n<|im_start|>assistant\n"


def read_back(path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    return model.eval(), AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)


@pytest.mark.parametrize("kind", ["q8_0", "f16", "f32"])
def test_the_file_reads_back_as_the_same_model(tiny_model_dir, tmp_path, kind):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    done = []
    path = export_gguf(tiny_model_dir, tmp_path / "m.gguf", kind, report=lambda d, t: done.append((d, t)))
    assert path.is_file() and not (tmp_path / "m.gguf.partial").exists()
    assert done and done[-1][0] == done[-1][1]
    model, tokenizer = read_back(path)
    original = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    original_tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids = original_tokenizer(ASKED, return_tensors="pt")
    assert tokenizer(ASKED)["input_ids"] == ids["input_ids"][0].tolist()  # the same vocabulary and merges
    assert "<|im_start|>" in (tokenizer.chat_template or "")  # the chat template travels with it
    with torch.no_grad():
        a, b = original(**ids).logits, model(**ids).logits
        greedy = [m.generate(**ids, max_new_tokens=24, do_sample=False).tolist() for m in (original, model)]
    assert float((a - b).abs().max()) <= {"f32": 1e-4, "f16": 0.05, "q8_0": 0.5}[kind]
    assert greedy[0] == greedy[1]  # the same answer, greedy


def test_eight_bits_are_smaller_than_sixteen_and_thirty_two(tiny_model_dir, tmp_path):
    sizes = {k: export_gguf(tiny_model_dir, tmp_path / f"{k}.gguf", k).stat().st_size for k in ("q8_0", "f16", "f32")}
    assert sizes["q8_0"] < 0.6 * sizes["f16"] < 0.6 * sizes["f32"]


def test_what_it_cannot_write_is_refused_with_the_reason(tiny_model_dir, tmp_path):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    with pytest.raises(GGUFExportError, match="has no config.json: GGUF export needs a whole model, not an adapter"):
        export_gguf(adapter, tmp_path / "a.gguf")
    other = tmp_path / "gpt2"
    shutil.copytree(tiny_model_dir, other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "model_type": "gpt2"}))
    with pytest.raises(GGUFExportError, match="this one is gpt2: convert it with llama.cpp's convert_hf_to_gguf.py"):
        export_gguf(other, tmp_path / "b.gguf")
    (other / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 64}))
    with pytest.raises(GGUFExportError, match="config.json gives no num_hidden_layers, num_attention_heads"):
        export_gguf(other, tmp_path / "b.gguf")
    with pytest.raises(GGUFExportError, match="unknown GGUF type 'q2'"):
        export_gguf(tiny_model_dir, tmp_path / "c.gguf", "q2")
    assert not list(tmp_path.glob("*.gguf*"))  # nothing half-written is left


def test_the_source_is_the_merged_model_else_the_fine_tuned_one(tiny_model_dir, tmp_path):
    assert source_folder(tmp_path) is None
    shutil.copytree(tiny_model_dir, tmp_path / "model")
    assert source_folder(tmp_path) == tmp_path / "model"
    shutil.copytree(tiny_model_dir, tmp_path / "merged")
    assert source_folder(tmp_path) == tmp_path / "merged"
    (tmp_path / "merged" / "config.json").write_text(json.dumps({"model_type": "t5"}))
    assert source_folder(tmp_path) is None  # not a model this exporter writes
