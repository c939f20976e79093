"""A whole model folder (a full fine-tune or a merged model) written quantized by bitsandbytes, as
transformers serialises it: "8bit" (LLM.int8: int8 weights with a scale per row) or "4bit" (NF4
blocks of 64 with double-quantized scales, bfloat16 compute), each with the tokenizer and a short
README on loading it. The folder loads with `AutoModelForCausalLM.from_pretrained(folder)` wherever
bitsandbytes is installed; the quantization settings travel in its config.json.

bitsandbytes quantizes on a CUDA GPU when the worker has one, else on the CPU (its CPU backend,
from 0.47): slower, but the same weights (the 4-bit compute type is bfloat16 on a GPU, float32 on
a CPU, as each runs best). Any architecture transformers loads works; the output head
and the embeddings stay in their original precision, as transformers does by default.
"""

import json
import logging
import shutil
from pathlib import Path

# peft imports bitsandbytes when it is installed, and bitsandbytes warns at import that an optional
# CPU kernel package ("kernels") is missing; it falls back to plain torch, so the warning is noise
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)

KINDS = ("8bit", "4bit")
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "vocab.json",
    "merges.txt",
    "tokenizer.model",
    "added_tokens.json",
)

README = """\
# {name}, {label}

Quantized by bitsandbytes {version} from the model this run trained. Unzip it into a folder
(`unzip {folder}.zip -d {folder}`) and load it with transformers and bitsandbytes installed
(`pip install transformers bitsandbytes accelerate`):

```python
from transformers import AutoModelForCausalLM, AutoTokenizer

model = AutoModelForCausalLM.from_pretrained("{folder}", device_map="auto")
tokenizer = AutoTokenizer.from_pretrained("{folder}")
```

The quantization settings are in config.json (`quantization_config`); a CUDA GPU runs it
fastest, and bitsandbytes 0.47 or later also runs it on a CPU.
"""
LABELS = {"8bit": "8-bit (bitsandbytes LLM.int8)", "4bit": "4-bit (bitsandbytes NF4)"}


class QuantizedExportError(ValueError):
    """Why a folder cannot be quantized, for people."""


def whole_model_folder(output_dir):
    """The folder of a run's output (`output_dir`) to quantize: its merged model, else its fully
    fine-tuned model; None for a run that has only an adapter."""
    for name in ("merged", "model"):
        if (Path(output_dir) / name / "config.json").is_file():
            return Path(output_dir) / name
    return None


def unavailable():
    """Why this worker cannot quantize with bitsandbytes, or "" when it can."""
    try:
        import bitsandbytes  # noqa: F401
    except Exception as e:  # ImportError, or a broken native library
        return f"bitsandbytes cannot be loaded on this worker ({type(e).__name__}: {e}); install it with pip install bitsandbytes"
    return ""


def quantization_config(kind, *, gpu):
    import torch
    from transformers import BitsAndBytesConfig

    if kind == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16 if gpu else torch.float32,
    )


def quantized_layers(model):
    """How many of the model's linear layers bitsandbytes holds quantized."""
    import bitsandbytes as bnb

    return sum(isinstance(m, (bnb.nn.Linear8bitLt, bnb.nn.Linear4bit)) for m in model.modules())


def export_bnb(folder, destination, kind="4bit", *, name="", report=None):
    """Write the model in `folder` quantized (`kind`: one of KINDS) into the folder `destination`,
    built beside it and renamed at the end. `report(done, total)` follows load, save and the
    tokenizer. Returns the destination. Raises QuantizedExportError for what it cannot do."""
    if kind not in KINDS:
        raise QuantizedExportError(f"unknown bitsandbytes type {kind!r}: one of {', '.join(KINDS)}")
    folder, destination = Path(folder), Path(destination)
    report = report or (lambda done, total: None)
    if not (folder / "config.json").is_file():
        raise QuantizedExportError(
            f"{folder} has no config.json: a quantized export needs a whole model, not an adapter"
        )
    if why := unavailable():
        raise QuantizedExportError(why)
    import bitsandbytes
    import torch
    from transformers import AutoModelForCausalLM

    gpu = torch.cuda.is_available()
    report(0, 3)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            folder, quantization_config=quantization_config(kind, gpu=gpu), device_map="cuda:0" if gpu else "cpu"
        )
    except Exception as e:  # unreadable weights, an architecture transformers lacks, out of memory
        raise QuantizedExportError(
            f"bitsandbytes could not quantize {folder.name}: {type(e).__name__}: {str(e).rstrip('.')}"
        ) from e
    if not quantized_layers(model):
        raise QuantizedExportError(f"{folder.name} has no linear layers bitsandbytes can quantize")
    report(1, 3)
    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
        model.save_pretrained(partial, safe_serialization=True)
        report(2, 3)
        for file in TOKENIZER_FILES:
            if (folder / file).is_file():
                shutil.copy2(folder / file, partial / file)
        stamp = {
            "source": folder.name,
            "kind": kind,
            "bitsandbytes": bitsandbytes.__version__,
            "quantized_on": "cuda" if gpu else "cpu",
        }
        (partial / "studio_quantized.json").write_text(json.dumps(stamp, indent=2))
        (partial / "README.md").write_text(
            README.format(
                name=name or folder.name, label=LABELS[kind], version=bitsandbytes.__version__, folder=destination.name
            )
        )
        shutil.rmtree(destination, ignore_errors=True)
        partial.rename(destination)
    except OSError as e:  # a full disk, a folder that cannot be written
        shutil.rmtree(partial, ignore_errors=True)
        raise QuantizedExportError(f"the quantized model could not be written: {e}") from e
    finally:
        del model
        import gc

        gc.collect()
        if gpu:
            torch.cuda.empty_cache()  # a long-lived worker gives the GPU memory back
    report(3, 3)
    return destination
