"""What a base-model folder holds, read without loading its weights (plain Python, no Django)."""

import json
import struct
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from studio.core.prompts import load_tokenizer


class ModelFolderError(ValueError):
    """A folder that is not a usable causal-LM checkpoint; the message says what is wrong."""


@dataclass(frozen=True)
class ModelInfo:
    architecture: str
    model_type: str
    num_parameters: int
    vocab_size: int
    context_length: int
    has_chat_template: bool
    eos_token: str
    dtype: str

    def as_dict(self):
        return asdict(self)


def count_safetensors_parameters(folder):
    """Parameters stored in a folder's safetensors files, from their headers alone."""
    total = 0
    for path in sorted(Path(folder).glob("*.safetensors")):
        with open(path, "rb") as f:
            (header_len,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(header_len))
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            n = 1
            for dim in entry["shape"]:
                n *= dim
            total += n
    return total


def inspect_model_folder(folder):
    """Read config, tokenizer and weight headers of a local model folder.

    Raises ModelFolderError naming the folder and what is missing or broken.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFolderError(f"{folder}: no such folder")
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise ModelFolderError(f"{folder}: no config.json, so this is not a transformers model folder")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModelFolderError(f"{config_path}: not valid JSON ({e})") from None
    if not list(folder.glob("*.safetensors")):
        raise ModelFolderError(f"{folder}: no *.safetensors weight files")

    try:
        tokenizer = load_tokenizer(folder)
    except Exception as e:  # transformers raises many kinds here; the message is what matters
        raise ModelFolderError(f"{folder}: the tokenizer does not load ({type(e).__name__}: {e})") from None

    text_config = config.get("text_config", config)
    architectures = config.get("architectures") or ["unknown"]
    return ModelInfo(
        architecture=architectures[0],
        model_type=config.get("model_type", "unknown"),
        num_parameters=count_safetensors_parameters(folder),
        vocab_size=int(text_config.get("vocab_size") or len(tokenizer)),
        context_length=int(text_config.get("max_position_embeddings") or tokenizer.model_max_length),
        has_chat_template=bool(getattr(tokenizer, "chat_template", None)),
        eos_token=str(tokenizer.eos_token or ""),
        dtype=str(config.get("dtype") or config.get("torch_dtype") or "unknown"),
    )


RECOMMENDED_FILE = "studio_recommended.json"


def read_recommended(folder):
    """The launch settings a model folder recommends for itself (its studio_recommended.json,
    keys as training/core/engine.py TrainConfig), or {} when it has none.

    Raises ModelFolderError naming the file and the setting that is unknown or out of range."""
    from training.core.engine import ConfigError, TrainConfig

    path = Path(folder) / RECOMMENDED_FILE
    if not path.is_file():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelFolderError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(values, dict):
        raise ModelFolderError(f"{path}: must hold one JSON object of settings, not {type(values).__name__}")
    if "base_model" in values:
        raise ModelFolderError(f"{path}: base_model cannot be recommended (it is the folder itself)")
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    for name, value in values.items():
        want = type(defaults.get(name, value))
        ok = isinstance(value, want) and not (want is not bool and isinstance(value, bool))
        if not ok and not (want is float and isinstance(value, int) and not isinstance(value, bool)):
            raise ModelFolderError(f"{path}: {name} must be {want.__name__}, not {json.dumps(value)}")
    try:
        TrainConfig.from_dict({**values, "base_model": str(folder)}).validate(has_gpu=True)
    except ConfigError as e:
        raise ModelFolderError(f"{path}: {e}") from None
    return values
