"""A Llama-architecture model folder (a full fine-tune or a merged model) as one GGUF file for
llama.cpp, Ollama or LM Studio, written with the `gguf` package (llama.cpp's own Python writer):
the hyperparameters, the byte-level BPE vocabulary with its merges and special tokens, the chat
template, and the weights under llama.cpp's tensor names, the query and key projections permuted
as llama.cpp's converter does. Plain Python plus torch (to read bf16 safetensors); no GPU.

Types: "q8_0" (8-bit blocks of 32, about a quarter of float32's size; llama.cpp's usual 8-bit),
"f16" and "f32". Norms and other 1-D tensors stay float32, and a matrix whose rows are not a
whole number of blocks stays float16, as llama.cpp's converter does. transformers reads the file
back (`from_pretrained(folder, gguf_file=...)`), which is how the tests check a round trip.
"""

import json
from pathlib import Path

TYPES = ("q8_0", "f16", "f32")
ARCHITECTURES = ("llama", "mistral")  # the same tensors and rotary layout in llama.cpp


class GGUFExportError(ValueError):
    """Why a folder cannot be written as GGUF, for people."""


def _config(folder):
    path = Path(folder) / "config.json"
    if not path.is_file():
        raise GGUFExportError(f"{folder} has no config.json: GGUF export needs a whole model, not an adapter")
    config = json.loads(path.read_text())
    kind = config.get("model_type", "")
    if kind not in ARCHITECTURES:
        raise GGUFExportError(
            f"GGUF export handles Llama-architecture models ({', '.join(ARCHITECTURES)}); this one is "
            f"{kind or 'of an unknown type'}: convert it with llama.cpp's convert_hf_to_gguf.py"
        )
    missing = [key for key in NEEDED if not isinstance(config.get(key), int)]
    if missing:
        raise GGUFExportError(f"{path} gives no {', '.join(missing)}")
    return config


NEEDED = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size")


def source_folder(output_dir):
    """The folder of a run's output (`output_dir`) a GGUF file is written from: its merged model,
    else its fully fine-tuned model, when it is of an architecture this module handles; else None."""
    for name in ("merged", "model"):
        config = Path(output_dir) / name / "config.json"
        if config.is_file():
            try:
                kind = json.loads(config.read_text()).get("model_type")
            except (OSError, ValueError):
                return None
            return config.parent if kind in ARCHITECTURES else None
    return None


def _tokenizer(folder):
    path = Path(folder) / "tokenizer.json"
    if not path.is_file():
        raise GGUFExportError(f"{folder} has no tokenizer.json (a fast tokenizer): GGUF needs the vocabulary")
    tokenizer = json.loads(path.read_text(encoding="utf-8"))
    model = tokenizer.get("model", {})
    if model.get("type") != "BPE" or (tokenizer.get("pre_tokenizer") or {}).get("type") not in ("ByteLevel", None):
        raise GGUFExportError(
            "GGUF export handles byte-level BPE vocabularies (GPT-2 style); this tokenizer is "
            f"{model.get('type', 'of an unknown type')}: convert it with llama.cpp's convert_hf_to_gguf.py"
        )
    return tokenizer


def _weights(folder):
    """{name: float32 numpy array} of every safetensors file in the folder."""
    from safetensors import safe_open

    files = sorted(Path(folder).glob("*.safetensors"))
    if not files:
        raise GGUFExportError(f"{folder} has no .safetensors weights")
    out = {}
    for file in files:
        with safe_open(str(file), framework="pt") as f:
            for name in f.keys():
                out[name] = f.get_tensor(name).float().numpy()
    return out


def _permute(weights, heads, kv_heads):
    """llama.cpp's layout of a query or key projection (its rotary embedding pairs dimensions
    differently from transformers')."""
    if kv_heads is not None and heads != kv_heads:
        heads = kv_heads
    return (
        weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def _vocabulary(tokenizer, config):
    """(tokens, types, merges) in id order."""
    from gguf import TokenType

    vocab = dict(tokenizer["model"]["vocab"])
    special = {}
    for added in tokenizer.get("added_tokens", []):
        vocab[added["content"]] = added["id"]
        special[added["id"]] = added.get("special", False)
    size = max(config.get("vocab_size", 0), max(vocab.values()) + 1)
    tokens = [f"[PAD{i}]" for i in range(size)]
    types = [TokenType.UNUSED] * size
    for token, i in vocab.items():
        tokens[i] = token
        types[i] = TokenType.NORMAL
    for i, is_special in special.items():
        types[i] = TokenType.CONTROL if is_special else TokenType.USER_DEFINED
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"].get("merges", [])]
    return tokens, types, merges


def export_gguf(folder, destination, kind="q8_0", name="", report=None):
    """Write the model in `folder` as the GGUF file `destination` (`kind`: one of TYPES), beside
    it first and renamed at the end. `report(done, total)` follows the tensors. Returns the
    destination. Raises GGUFExportError for a folder it cannot write."""
    import os

    import numpy as np
    from gguf import GGML_QUANT_VERSION, MODEL_ARCH, GGMLQuantizationType, GGUFWriter, LlamaFileType, TensorNameMap
    from gguf.quants import quantize

    if kind not in TYPES:
        raise GGUFExportError(f"unknown GGUF type {kind!r}: one of {', '.join(TYPES)}")
    folder, destination = Path(folder), Path(destination)
    config = _config(folder)
    tokenizer = _tokenizer(folder)
    weights = _weights(folder)
    heads, kv_heads = config["num_attention_heads"], config.get("num_key_value_heads", config["num_attention_heads"])
    hidden, layers = config["hidden_size"], config["num_hidden_layers"]
    rope = config.get("rope_parameters") or {}
    if (rope.get("rope_type") or "default") != "default" or config.get("rope_scaling"):
        raise GGUFExportError("GGUF export handles plain rotary embeddings; this model scales them (rope_scaling)")

    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    writer = GGUFWriter(str(partial), "llama")
    writer.add_name(name or folder.name)
    writer.add_context_length(config.get("max_position_embeddings", 2048))
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_dimension_count(config.get("head_dim") or hidden // heads)
    writer.add_rope_freq_base(float(rope.get("rope_theta", config.get("rope_theta", 10000.0))))
    writer.add_layer_norm_rms_eps(float(config.get("rms_norm_eps", 1e-6)))
    writer.add_file_type(
        {"q8_0": LlamaFileType.MOSTLY_Q8_0, "f16": LlamaFileType.MOSTLY_F16, "f32": LlamaFileType.ALL_F32}[kind]
    )
    writer.add_quantization_version(GGML_QUANT_VERSION)

    tokens, types, merges = _vocabulary(tokenizer, config)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    for key, add in (("bos_token_id", writer.add_bos_token_id), ("eos_token_id", writer.add_eos_token_id)):
        value = config.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            add(int(value))
    if config.get("pad_token_id") is not None:
        writer.add_pad_token_id(int(config["pad_token_id"]))
    writer.add_add_bos_token(config.get("bos_token_id") is not None)
    template = folder / "chat_template.jinja"
    if template.is_file():
        writer.add_chat_template(template.read_text(encoding="utf-8"))

    names = TensorNameMap(MODEL_ARCH.LLAMA, layers)
    total = len(weights)
    for done, (hf_name, data) in enumerate(sorted(weights.items()), 1):
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue
        base, suffix = hf_name.rsplit(".", 1) if hf_name.endswith((".weight", ".bias")) else (hf_name, "")
        mapped = names.get_name(base)
        if mapped is None:
            raise GGUFExportError(f"the tensor {hf_name} has no place in a Llama GGUF file")
        if base.endswith("q_proj"):
            data = _permute(data, heads, heads)
        elif base.endswith("k_proj"):
            data = _permute(data, heads, kv_heads)
        gguf_name = f"{mapped}.{suffix}" if suffix else mapped
        if data.ndim == 1 or kind == "f32":
            writer.add_tensor(gguf_name, data.astype(np.float32))
        elif kind == "q8_0" and data.shape[-1] % 32 == 0:
            writer.add_tensor(gguf_name, quantize(data, GGMLQuantizationType.Q8_0), raw_dtype=GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(gguf_name, data.astype(np.float16))
        if report:
            report(done, total)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(partial, destination)
    return destination
