"""training/core/bnb_export.py: a model folder quantized by bitsandbytes (8-bit and 4-bit) that
loads back with plain transformers as a quantized model answering like the original, and clear
refusals for what it cannot quantize. bitsandbytes' CPU backend does the work here; a GPU worker
runs the same code on CUDA."""

import json
import shutil

import pytest

from training.core.bnb_export import QuantizedExportError, export_bnb, whole_model_folder

ASKED = "<|im_start|>user\nMy parcel #4411 is late, where is it?<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def original(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval(), AutoTokenizer.from_pretrained(tiny_model_dir)


def answer(model, ids):
    import torch

    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=24, do_sample=False)
    return out[0, ids["input_ids"].shape[1] :].tolist()


@pytest.mark.parametrize("kind", ["8bit", "4bit"])
def test_the_quantized_folder_loads_back_quantized_and_answers_like_the_original(
    tiny_model_dir, tmp_path, original, kind
):
    import bitsandbytes as bnb
    import torch
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model, tokenizer = original
    done = []
    folder = export_bnb(tiny_model_dir, tmp_path / "q", kind, name="Acme / run 1", report=lambda d, t: done.append(d))
    assert folder == tmp_path / "q" and not (tmp_path / "q.partial").exists()
    assert done == [0, 1, 2, 3]
    # the quantization travels in config.json: plain from_pretrained gives bitsandbytes layers back
    config = json.loads((folder / "config.json").read_text())["quantization_config"]
    assert config["quant_method"] == "bitsandbytes" and config[f"load_in_{kind}"] is True
    with safe_open(folder / "model.safetensors", "pt") as weights:
        stored = weights.get_tensor("model.layers.0.mlp.down_proj.weight")
    assert stored.dtype in (torch.int8, torch.uint8)  # stored quantized, not float
    loaded = AutoModelForCausalLM.from_pretrained(folder).eval()
    layer = loaded.model.layers[0].mlp.down_proj
    assert isinstance(layer, bnb.nn.Linear8bitLt if kind == "8bit" else bnb.nn.Linear4bit)
    # the tokenizer and chat template travel with it, and a README says how to load it
    reloaded = AutoTokenizer.from_pretrained(folder)
    ids = tokenizer(ASKED, return_tensors="pt")
    assert reloaded(ASKED)["input_ids"] == ids["input_ids"][0].tolist()
    assert "<|im_start|>" in (reloaded.chat_template or "")
    assert (
        "Acme / run 1" in (folder / "README.md").read_text() and "from_pretrained" in (folder / "README.md").read_text()
    )
    with torch.no_grad():
        a, b = model(**ids).logits, loaded(**ids).logits
    agree = float((a.argmax(-1) == b.argmax(-1)).float().mean())
    if kind == "8bit":  # int8 keeps the logits close and the answer's start (a random tiny model has
        # near-ties late in its answer that the CPU's rounding may break either way)
        assert float((a - b).abs().max()) < 0.5 and agree >= 0.95
        assert answer(loaded, ids)[:5] == answer(model, ids)[:5]
    else:  # 4 bits move the logits more; the next-token choice still mostly holds
        assert agree >= 0.8
        assert answer(loaded, ids)[:3] == answer(model, ids)[:3]
    # quantized layers are smaller: the weights file shrinks
    assert (folder / "model.safetensors").stat().st_size < 0.75 * (tiny_model_dir / "model.safetensors").stat().st_size


def test_an_adapter_or_a_broken_folder_is_refused_with_the_reason(tiny_model_dir, tmp_path):
    (tmp_path / "adapter").mkdir()
    (tmp_path / "adapter" / "adapter_config.json").write_text("{}")
    with pytest.raises(QuantizedExportError, match="needs a whole model, not an adapter"):
        export_bnb(tmp_path / "adapter", tmp_path / "q", "8bit")
    with pytest.raises(QuantizedExportError, match="one of 8bit, 4bit"):
        export_bnb(tiny_model_dir, tmp_path / "q", "3bit")
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(QuantizedExportError, match="bitsandbytes could not quantize broken"):
        export_bnb(broken, tmp_path / "q", "4bit")
    assert not (tmp_path / "q").exists() and not (tmp_path / "q.partial").exists()


def test_the_folder_to_quantize_is_the_merged_model_else_the_full_fine_tune(tmp_path):
    assert whole_model_folder(tmp_path) is None
    (tmp_path / "adapter").mkdir()
    (tmp_path / "adapter" / "adapter_config.json").write_text("{}")
    assert whole_model_folder(tmp_path) is None  # an adapter alone is not a whole model
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text('{"model_type": "gpt2"}')
    assert whole_model_folder(tmp_path) == tmp_path / "model"  # any architecture transformers loads
    (tmp_path / "merged").mkdir()
    (tmp_path / "merged" / "config.json").write_text('{"model_type": "llama"}')
    assert whole_model_folder(tmp_path) == tmp_path / "merged"
