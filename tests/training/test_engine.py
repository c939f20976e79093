"""The training engine on the tiny model, on CPU: it learns, it leaves the base alone, it saves
an adapter that loads, it resumes, it stops when asked."""

import hashlib
import json

import pytest

from curation.core.demo_tickets import make_examples
from studio.core.records import Record
from training.core.engine import ConfigError, TrainConfig, diagnose, encode, latest_checkpoint, plan_steps, train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def records():
    return [Record(e.instruction, e.input, e.output) for e in make_examples(n=120)]


def config(tiny_model_dir, **overrides):
    values = {
        "base_model": str(tiny_model_dir),
        "epochs": 2,
        "batch_size": 8,
        "learning_rate": 3e-3,
        "max_length": 512,
        "early_stopping_patience": 0,
    }
    values.update(overrides)
    return TrainConfig(**values)


def run(cfg, records, out, **kwargs):
    events = []
    summary = train(cfg, records[:100], records[100:], out, report=events.append, **kwargs)
    return summary, events


def digest(folder):
    return hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()


def test_lora_learns_and_leaves_the_base_model_alone(tiny_model_dir, records, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    before = digest(tiny_model_dir)
    summary, events = run(config(tiny_model_dir), records, tmp_path / "run")
    losses = [e["loss"] for e in events if e["kind"] == "progress" and e.get("loss") is not None]
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5, losses
    assert any(e.get("eval_loss") is not None for e in events if e["kind"] == "progress")
    # what the run page plots beside the loss: the optimizer, and the tokens seen for comparing runs
    steps = [e for e in events if e["kind"] == "progress" and e.get("loss") is not None]
    assert all(e["grad_norm"] is not None and e["grad_norm"] > 0 for e in steps)
    seen = [e["tokens_seen"] for e in steps]
    assert all(seen) and seen == sorted(seen) and seen[-1] > seen[0]
    assert digest(tiny_model_dir) == before  # the base folder is untouched
    adapter = tmp_path / "run" / "adapter"
    assert (adapter / "adapter_model.safetensors").is_file() and (adapter / "studio_run.json").is_file()
    stored = json.loads((adapter / "studio_run.json").read_text())
    assert (
        stored["template"] == "chat" and "<|im_start|>" in stored["chat_template"] and stored["config"]["lora_r"] == 16
    )

    tokenizer = AutoTokenizer.from_pretrained(adapter)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    ids = tokenizer(records[0].input, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        base_logits = base(ids).logits
        tuned = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), adapter)
        tuned_logits = tuned(ids).logits
        assert not torch.allclose(base_logits, tuned_logits, atol=1e-4)  # the adapter changes the output
        merged = tuned.merge_and_unload()
        assert torch.allclose(merged(ids).logits, tuned_logits, atol=1e-4)


def test_a_run_resumes_from_its_last_checkpoint(tiny_model_dir, records, tmp_path):
    out = tmp_path / "run"
    first, _ = run(config(tiny_model_dir, epochs=1, save_steps=5), records, out)
    assert latest_checkpoint(out).endswith(f"checkpoint-{first['steps']}")
    second, events = run(config(tiny_model_dir, epochs=2, save_steps=5), records, out)
    steps = [e["step"] for e in events if e["kind"] == "progress"]
    assert min(steps) > first["steps"]  # it went on from where it stopped, not from step 1
    assert second["steps"] == plan_steps(100, config(tiny_model_dir, epochs=2))
    assert any("Resuming from checkpoint-" in e.get("message", "") for e in events if e["kind"] == "log")


def test_cancel_stops_within_a_step(tiny_model_dir, records, tmp_path):
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] >= 3

    summary, events = run(config(tiny_model_dir), records, tmp_path / "run", should_stop=should_stop)
    assert summary["steps"] == 3 and summary["stopped_early"]
    assert (tmp_path / "run" / "adapter" / "adapter_model.safetensors").is_file()


def test_settings_that_cannot_work_are_refused(tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match="QLoRA loads the model in 4 bits"):
        config(tiny_model_dir, method="qlora").validate(has_gpu=False)
    with pytest.raises(ConfigError, match="lr_scheduler: must be one of"):
        config(tiny_model_dir, lr_scheduler="sometimes").validate(has_gpu=False)
    with pytest.raises(ConfigError, match="is not a model folder"):
        config(tmp_path).validate(has_gpu=False)
    with pytest.raises(ConfigError, match="colour: not a training setting"):
        TrainConfig.from_dict({"base_model": "x", "colour": "red"})


def test_encode_masks_the_prompt_and_skips_answers_cut_off(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    encoded = encode(
        [Record("Say hi", "", "Hello!"), Record("Summarise", "word " * 400, "Short.")], tokenizer, max_length=64
    )
    (row,) = encoded.rows
    assert row["labels"][0] == -100 and row["labels"][-1] != -100
    assert tokenizer.decode([t for t in row["labels"] if t != -100]) == "Hello!<|im_end|>\n"
    assert encoded.skipped[0][0] == 1 and "after 64 tokens" in encoded.skipped[0][1]


def test_diagnostics_in_plain_words():
    nan = diagnose([{"step": 1, "loss": 2.0}, {"step": 2, "loss": float("nan")}])
    assert nan[0][0] == "nan" and "learning rate" in nan[0][1]
    overfit = [{"step": s, "loss": 3 - s * 0.1} for s in range(1, 20)] + [
        {"step": 5, "eval_loss": 2.0},
        {"step": 10, "eval_loss": 1.5},
        {"step": 15, "eval_loss": 1.8},
        {"step": 19, "eval_loss": 2.1},
    ]
    assert [k for k, _ in diagnose(overfit)] == ["overfitting"]
    flat = [{"step": s, "loss": 5.0 + (s % 2) * 0.01} for s in range(1, 30)]
    assert [k for k, _ in diagnose(flat)] == ["flat"]


def test_packing_learns_too_with_fewer_steps(tiny_model_dir, records, tmp_path):
    summary, events = run(config(tiny_model_dir, packing=True, epochs=3), records, tmp_path / "run")
    losses = [e["loss"] for e in events if e["kind"] == "progress" and e.get("loss") is not None]
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.5, losses
    assert summary["steps"] < plan_steps(100, config(tiny_model_dir, epochs=3))  # bins hold several examples


def test_dpo_continues_a_lora_adapter_and_learns_the_preferred_answers(tiny_model_dir, records, tmp_path):
    """Preference pairs (the standard text form a study exports): the policy starts from the
    supervised adapter and its reward accuracy and margin grow; the adapter is saved alone (not
    trl's frozen reference copy) and loads on the base model."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    sft, _ = run(config(tiny_model_dir, epochs=1), records, tmp_path / "sft")
    rows = [
        {"prompt": f"Triage: {r.input}\n", "chosen": r.output, "rejected": "I cannot help with that."}
        for r in records[:32]
    ]
    events = []
    summary = train(
        config(tiny_model_dir, method="dpo", parent_adapter=sft["final_dir"], epochs=2, learning_rate=5e-4, beta=0.1),
        rows,
        [],
        tmp_path / "dpo",
        report=events.append,
    )
    assert summary["preference_pairs"] == 32 and summary["steps"] == 8
    assert summary["reward_accuracy"]["last"] >= 0.9
    assert summary["reward_margin"]["last"] > summary["reward_margin"]["first"]
    assert [e["step"] for e in events if e["kind"] == "progress"] == list(range(1, 9))
    adapter = tmp_path / "dpo" / "adapter"
    assert (adapter / "adapter_config.json").is_file() and not (adapter / "ref").exists()
    assert json.loads((adapter / "studio_run.json").read_text())["config"]["method"] == "dpo"
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), adapter)
    assert list(model.peft_config) == ["default"]


def test_kto_learns_from_the_same_pairs_each_answer_on_its_own(tiny_model_dir, records, tmp_path):
    """KTO (trl's KTOTrainer) unpairs the rows: each chosen answer is desirable, each rejected one
    not; the reward of the chosen answers rises above the rejected ones' and the adapter serves
    like any other."""
    sft, _ = run(config(tiny_model_dir, epochs=1), records, tmp_path / "sft")
    rows = [
        {"prompt": f"Triage: {r.input}\n", "chosen": r.output, "rejected": "I cannot help with that."}
        for r in records[:32]
    ]
    summary = train(
        config(
            tiny_model_dir,
            method="dpo",
            dpo_loss="kto",
            parent_adapter=sft["final_dir"],
            epochs=1,
            learning_rate=5e-4,
            beta=0.1,
        ),
        rows,
        [],
        tmp_path / "kto",
    )
    assert summary["preference_pairs"] == 32 and summary["steps"] == plan_steps(64, config(tiny_model_dir, epochs=1))
    assert summary["reward_margin"]["last"] > summary["reward_margin"]["first"]
    assert summary["reward_margin"]["last"] > 0
    adapter = tmp_path / "kto" / "adapter"
    assert json.loads((adapter / "studio_run.json").read_text())["config"]["dpo_loss"] == "kto"
    assert (adapter / "adapter_config.json").is_file()


def test_dpo_settings_that_cannot_work_are_refused(tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match="beta: must be above 0"):
        config(tiny_model_dir, method="dpo", beta=0).validate(has_gpu=False)
    with pytest.raises(ConfigError, match="dpo_loss: must be one of sigmoid, ipo, hinge, robust, kto"):
        config(tiny_model_dir, method="dpo", dpo_loss="simpo").validate(has_gpu=False)
    with pytest.raises(ConfigError, match="batch_size: KTO needs at least 2 answers per batch"):
        config(tiny_model_dir, method="dpo", dpo_loss="kto", batch_size=1).validate(has_gpu=False)
    with pytest.raises(ConfigError, match="holds no LoRA adapter"):
        config(tiny_model_dir, method="dpo", parent_adapter=str(tmp_path)).validate(has_gpu=False)
    with pytest.raises(ConfigError, match="no preference pair"):
        train(config(tiny_model_dir, method="dpo"), [{"prompt": "x", "chosen": "", "rejected": "y"}], [], tmp_path)
