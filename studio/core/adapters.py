"""What kind of peft adapter a folder holds (plain Python): weights inside the model (LoRA), or a
learned soft prompt put before the text (prompt tuning and its kin), which peft keeps apart from
LoRA adapters, cannot merge into the model, and TGI and vLLM do not load."""

import json
from pathlib import Path

PROMPT_LEARNING = frozenset({"PROMPT_TUNING", "P_TUNING", "PREFIX_TUNING", "MULTITASK_PROMPT_TUNING"})


def peft_type(folder):
    """The adapter's peft type ("LORA", "PROMPT_TUNING", ...), or "" when the folder holds none."""
    try:
        return str(json.loads((Path(folder) / "adapter_config.json").read_text()).get("peft_type") or "")
    except (OSError, ValueError, AttributeError):
        return ""


def is_prompt_learning(folder):
    """True for an adapter that learned a soft prompt rather than weights inside the model."""
    return peft_type(folder) in PROMPT_LEARNING
