"""The training engine: LoRA (or QLoRA, or full fine-tuning) on prompt/completion examples with
transformers + peft + trl's SFTTrainer. Plain Python, no Django.

Examples are tokenized by studio/core/prompts.py, the code the pre-flight shows, and handed
to the trainer with their labels, so loss falls on answer tokens only, exactly as inspected.
One callable, `report(event)`, is the seam to the outside world (progress, metrics, log lines);
`should_stop()` is polled every step for cancellation.
"""

import json
import logging
import math
import re
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from studio.core.prompts import RenderError, load_tokenizer, render, template_kind, tokenize

# peft imports bitsandbytes when it is installed, and bitsandbytes warns at import that an optional
# CPU kernel package ("kernels") is missing; it falls back to plain torch, so the warning is noise
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)


class ConfigError(ValueError):
    """A setting that cannot be used here; the message says which and why."""


@dataclass(frozen=True)
class TrainConfig:
    base_model: str
    method: str = (
        "lora"  # lora, qlora (4-bit, GPU only), full, prompt_tuning, or dpo (preference pairs, on a LoRA adapter)
    )
    num_virtual_tokens: int = 20  # prompt_tuning: the soft prompt's length, learned; the model stays as it is
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: str = "all-linear"  # or a comma-separated list such as "q_proj,v_proj"
    learning_rate: float = 2e-4
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.1
    epochs: float = 3.0
    batch_size: int = 8
    grad_accum: int = 1
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_length: int = 1024
    packing: bool = False
    seed: int = 0
    eval_steps: int = 0  # 0: evaluate about ten times per run
    save_steps: int = 0  # 0: checkpoint at every evaluation
    early_stopping_patience: int = 3  # evaluations without improvement; 0 switches it off
    devices: int = 1
    parent_adapter: str = ""  # dpo: the LoRA adapter it starts from (the SFT run's); empty: a new one
    beta: float = 0.1  # dpo: how far from the reference the policy may move (lower: further)
    dpo_loss: str = "sigmoid"  # dpo: sigmoid (DPO), ipo, hinge, robust, or kto (trl's KTOTrainer, answers unpaired)

    SCHEDULERS = ("cosine", "linear", "constant", "constant_with_warmup")
    DPO_LOSSES = ("sigmoid", "ipo", "hinge", "robust", "kto")

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{unknown[0]}: not a training setting")
        return cls(**data)

    def as_dict(self):
        return asdict(self)

    def validate(self, has_gpu):
        checks = [
            (
                self.method in ("lora", "qlora", "full", "prompt_tuning", "dpo"),
                "method",
                "must be lora, qlora, full, prompt_tuning or dpo",
            ),
            (1 <= self.num_virtual_tokens <= 512, "num_virtual_tokens", "must be from 1 to 512"),
            (
                self.method != "prompt_tuning" or self.learning_rate >= 1e-3,
                "learning_rate",
                "prompt tuning learns a few embeddings only and needs a rate near 0.03 (0.01 to 0.3); "
                "a LoRA rate such as 2e-4 would barely move them",
            ),
            (self.beta > 0, "beta", "must be above 0 (0.1 is DPO's usual value)"),
            (self.dpo_loss in self.DPO_LOSSES, "dpo_loss", f"must be one of {', '.join(self.DPO_LOSSES)}"),
            (
                self.dpo_loss != "kto" or self.batch_size >= 2,
                "batch_size",
                "KTO needs at least 2 answers per batch (it estimates its KL term from the others in the batch)",
            ),
            (
                not self.parent_adapter or Path(self.parent_adapter, "adapter_config.json").is_file(),
                "parent_adapter",
                f"{self.parent_adapter} holds no LoRA adapter (no adapter_config.json)",
            ),
            (
                self.method != "qlora" or has_gpu,
                "method",
                "QLoRA loads the model in 4 bits with bitsandbytes, which needs a CUDA GPU; this worker has none. Use LoRA, or run on a GPU worker.",
            ),
            (1 <= self.lora_r <= 1024, "lora_r", "must be from 1 to 1024"),
            (self.lora_alpha > 0, "lora_alpha", "must be above 0"),
            (0 <= self.lora_dropout < 1, "lora_dropout", "must be from 0 to below 1"),
            (0 < self.learning_rate < 1, "learning_rate", "must be above 0 and below 1"),
            (self.lr_scheduler in self.SCHEDULERS, "lr_scheduler", f"must be one of {', '.join(self.SCHEDULERS)}"),
            (0 <= self.warmup_ratio < 1, "warmup_ratio", "must be from 0 to below 1"),
            (0 < self.epochs <= 100, "epochs", "must be above 0 and at most 100"),
            (1 <= self.batch_size <= 1024, "batch_size", "must be from 1 to 1024"),
            (1 <= self.grad_accum <= 1024, "grad_accum", "must be from 1 to 1024"),
            (self.weight_decay >= 0, "weight_decay", "must be 0 or more"),
            (self.max_grad_norm > 0, "max_grad_norm", "must be above 0"),
            (16 <= self.max_length <= 131072, "max_length", "must be from 16 to 131072 tokens"),
            (self.eval_steps >= 0 and self.save_steps >= 0, "eval_steps", "must be 0 or more"),
            (self.early_stopping_patience >= 0, "early_stopping_patience", "must be 0 or more"),
            (self.devices >= 1, "devices", "must be 1 or more"),
        ]
        for ok, name, message in checks:
            if not ok:
                raise ConfigError(f"{name}: {message}")
        if not Path(self.base_model, "config.json").is_file():
            raise ConfigError(f"base_model: {self.base_model} is not a model folder (no config.json)")


@dataclass
class Encoded:
    rows: list  # {"input_ids", "labels"}
    tokens: int = 0
    trained_tokens: int = 0
    truncated: int = 0
    skipped: list = field(default_factory=list)  # (index, reason): nothing to learn from


def encode(records, tokenizer, max_length):
    """Rows the trainer takes as they are: token ids and labels (-100 on prompt tokens)."""
    out = Encoded(rows=[])
    for i, record in enumerate(records):
        try:
            t = tokenize(render(record, tokenizer), tokenizer, max_length)
        except RenderError as e:
            out.skipped.append((i, str(e)))
            continue
        if not any(t.completion_mask):
            out.skipped.append((i, f"the answer starts after {max_length} tokens, so nothing of it would be learned"))
            continue
        out.rows.append(
            {"input_ids": t.input_ids, "labels": [tok if m else -100 for tok, m in zip(t.input_ids, t.completion_mask)]}
        )
        out.tokens += len(t.input_ids)
        out.trained_tokens += sum(t.completion_mask)
        out.truncated += t.truncated
    return out


def plan_steps(n_examples, config, devices=1):
    """Optimizer steps for a run (what the estimate and the progress bar use)."""
    per_step = config.batch_size * config.grad_accum * devices
    return (
        max(1, math.ceil(n_examples / per_step) * math.ceil(config.epochs))
        if config.epochs >= 1
        else max(1, math.ceil(n_examples * config.epochs / per_step))
    )


def training_rows(n_examples, n_tokens, config):
    """Rows the trainer steps through: the examples, or with packing the bins of max_length
    tokens they fill (at least tokens / max_length; packing whole examples leaves a little room)."""
    if config.packing and n_tokens:
        return max(1, math.ceil(n_tokens / config.max_length))
    return n_examples


def estimate(n_examples, n_tokens, config, tokens_per_second):
    """{"steps", "tokens", "seconds"}: a rough duration before launch."""
    steps = plan_steps(training_rows(n_examples, n_tokens, config), config, config.devices)
    tokens = int(n_tokens * config.epochs)
    return {"steps": steps, "tokens": tokens, "seconds": int(tokens / max(tokens_per_second, 1))}


def latest_checkpoint(output_dir):
    """The newest checkpoint-N folder in output_dir, or None."""
    found = []
    for path in Path(output_dir).glob("checkpoint-*"):
        m = re.fullmatch(r"checkpoint-(\d+)", path.name)
        if m and (path / "trainer_state.json").is_file():
            found.append((int(m.group(1)), path))
    return str(max(found)[1]) if found else None


class Stopped(Exception):
    """Training stopped early for a reason a person should read (NaN loss, a cancel)."""


def diagnose(history):
    """Plain-words notes on a loss history [{"step", "loss"?, "eval_loss"?}]."""
    notes = []
    train = [(h["step"], h["loss"]) for h in history if h.get("loss") is not None]
    evals = [(h["step"], h["eval_loss"]) for h in history if h.get("eval_loss") is not None]
    if any(math.isnan(v) or math.isinf(v) for _, v in train + evals):
        notes.append(
            (
                "nan",
                "The loss became NaN or infinite, so the run was stopped. The usual causes are a learning rate that is too high, or fp16 overflow; lower the learning rate (try a third of it) or train in bf16/fp32.",
            )
        )
        return notes
    if len(evals) >= 3:
        best_step, best = min(evals, key=lambda e: e[1])
        last_step, last = evals[-1]
        train_after = [v for s, v in train if s > best_step]
        train_before = [v for s, v in train if s <= best_step]
        if last > best * 1.05 and train_after and train_before and min(train_after) < min(train_before):
            notes.append(
                (
                    "overfitting",
                    f"Validation loss rose from {best:.3f} (step {best_step}) to {last:.3f} while training loss kept falling: the model is overfitting. The best checkpoint (step {best_step}) is kept; fewer epochs or more data would help.",
                )
            )
    if len(train) >= 20:
        first = sum(v for _, v in train[:5]) / 5
        recent = sum(v for _, v in train[-5:]) / 5
        if first > 0 and abs(first - recent) / first < 0.02:
            notes.append(
                (
                    "flat",
                    f"Training loss has barely moved ({first:.3f} → {recent:.3f}). The learning rate may be too low; try 2-5 times higher, or check that answers are not all truncated away.",
                )
            )
    return notes


def progress_callback(report, should_stop, output_dir):
    """A transformers callback that reports each logged step, checkpoint and cancellation (for
    supervised and preference runs alike)."""
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def __init__(self):
            self.started = time.monotonic()
            self.start_step = None
            self.tokens_seen = 0

        def on_step_end(self, args, state, control, **kwargs):
            if self.start_step is None:
                self.start_step = state.global_step - 1
            if should_stop():
                control.should_training_stop = True
                report({"kind": "log", "message": f"Stopping at step {state.global_step}: cancelled."})

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            if "train_runtime" in logs:
                return  # the closing summary (average loss over the run), not a point on the curve
            loss = logs.get("loss")
            if loss is not None and (math.isnan(loss) or math.isinf(loss)):
                control.should_training_stop = True
                report({"kind": "nan", "step": state.global_step})
            done = state.global_step - (self.start_step or 0)
            elapsed = max(time.monotonic() - self.started, 1e-6)
            per_step = elapsed / max(done, 1)
            tokens = logs.get("num_tokens") or 0
            report(
                {
                    "kind": "progress",
                    "step": state.global_step,
                    "total": state.max_steps,
                    "epoch": state.epoch,
                    "loss": loss,
                    "eval_loss": logs.get("eval_loss"),
                    "learning_rate": logs.get("learning_rate"),
                    "grad_norm": logs.get("grad_norm"),
                    "tokens_seen": int(tokens) if tokens else None,
                    "tokens_per_second": round(tokens / elapsed, 1) if tokens else None,
                    "eta_seconds": int(per_step * max(state.max_steps - state.global_step, 0)),
                }
            )

        def on_save(self, args, state, control, **kwargs):
            report(
                {
                    "kind": "checkpoint",
                    "step": state.global_step,
                    "path": str(output_dir / f"checkpoint-{state.global_step}"),
                }
            )

    return Progress()


def _has_gpu():
    import torch

    return torch.cuda.is_available()


def _train_resuming(trainer, output_dir, report):
    """Train from the newest checkpoint in output_dir, if any; progress goes through report(), not stdout."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)
    resume = latest_checkpoint(output_dir)
    if resume:
        report({"kind": "log", "message": f"Resuming from {Path(resume).name}."})
    trainer.train(resume_from_checkpoint=resume)


def _save(trainer, tokenizer, final_dir, **kwargs):
    """The trained model (or adapter) and its tokenizer, readable by all: safetensors writes 0600,
    and the web process may be another user."""
    trainer.model.save_pretrained(final_dir, **kwargs)
    tokenizer.save_pretrained(final_dir)
    for path in Path(final_dir).rglob("*"):
        if path.is_file():
            path.chmod(0o644)


PROMPT_TUNING_INIT = "Read the request below and write the answer it asks for."


def train(
    config, train_records, eval_records, output_dir, report=lambda event: None, should_stop=lambda: False, metadata=None
):
    """Train and save; returns a summary dict. Resumes from the newest checkpoint in output_dir.

    Events given to report(): {"kind": "progress", step, total, loss, eval_loss, learning_rate, grad_norm, tokens_seen,
    tokens_per_second, eta_seconds, epoch}, {"kind": "log", "message"}, {"kind": "checkpoint", step, path}.
    """
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, EarlyStoppingCallback
    from trl import SFTConfig, SFTTrainer

    has_gpu = _has_gpu()
    config.validate(has_gpu)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    if config.method == "dpo":
        return train_preferences(config, train_records, eval_records, output_dir, report, should_stop, metadata)

    tokenizer = load_tokenizer(config.base_model, shared=False)  # its own: the pad token is set below
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    train_set = encode(train_records, tokenizer, config.max_length)
    eval_set = encode(eval_records, tokenizer, config.max_length) if eval_records else None
    if not train_set.rows:
        raise ConfigError("no training example has an answer within max_length; nothing to learn")
    report(
        {
            "kind": "log",
            "message": f"{len(train_set.rows)} training examples ({train_set.tokens:,} tokens, {train_set.trained_tokens:,} carry loss); {train_set.truncated} truncated; {len(train_set.skipped)} skipped.",
        }
    )

    load_kwargs = {"local_files_only": True}
    if config.method == "qlora":
        from transformers import BitsAndBytesConfig

        load_kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=torch.bfloat16,
            bnb_4bit_use_double_quant=True,
        )
    elif has_gpu:
        load_kwargs["dtype"] = torch.bfloat16
    model = AutoModelForCausalLM.from_pretrained(config.base_model, **load_kwargs)

    peft_config = None
    if config.method in ("lora", "qlora"):
        from peft import LoraConfig

        targets = (
            config.target_modules
            if config.target_modules == "all-linear"
            else [t.strip() for t in config.target_modules.split(",") if t.strip()]
        )
        peft_config = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=targets,
            task_type="CAUSAL_LM",
        )

    elif config.method == "prompt_tuning":
        from peft import PromptTuningConfig, PromptTuningInit

        # the soft prompt starts as the embeddings of a plain request, not noise: it learns faster
        peft_config = PromptTuningConfig(
            task_type="CAUSAL_LM",
            num_virtual_tokens=config.num_virtual_tokens,
            prompt_tuning_init=PromptTuningInit.TEXT,
            prompt_tuning_init_text=PROMPT_TUNING_INIT,
            tokenizer_name_or_path=config.base_model,
        )

    steps = plan_steps(training_rows(len(train_set.rows), train_set.tokens, config), config, config.devices)
    eval_every = config.eval_steps or config.save_steps or max(1, steps // 10)
    # keeping the best checkpoint needs a checkpoint at evaluations: a multiple of eval_every
    save_every = math.ceil((config.save_steps or eval_every) / eval_every) * eval_every
    use_eval = bool(eval_set and eval_set.rows)
    # Packed bins go through the model one per row, accumulated to batch_size bins per step:
    # trl would flatten a batch of bins into one long sequence, and without a varlen attention
    # kernel (CPU, sdpa) attention then costs (batch x max_length)^2 instead of batch x max_length^2.
    # The optimizer sees the same batch_size bins per step either way.
    per_device, accumulate = (
        (1, config.batch_size * config.grad_accum) if config.packing else (config.batch_size, config.grad_accum)
    )
    args = SFTConfig(
        output_dir=str(output_dir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=per_device,
        per_device_eval_batch_size=per_device,
        gradient_accumulation_steps=accumulate,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        max_length=config.max_length,
        packing=config.packing,
        seed=config.seed,
        logging_steps=1,
        eval_strategy="steps" if use_eval else "no",
        eval_steps=eval_every,
        save_strategy="steps",
        save_steps=save_every,
        save_total_limit=3,
        load_best_model_at_end=use_eval,
        metric_for_best_model="eval_loss" if use_eval else None,
        greater_is_better=False if use_eval else None,
        bf16=has_gpu,
        activation_checkpointing=False,
        use_cpu=not has_gpu,
        report_to=[],
        disable_tqdm=True,
        dataloader_num_workers=0,
        ddp_find_unused_parameters=False if config.devices > 1 else None,
    )

    callbacks = [progress_callback(report, should_stop, output_dir)]
    if use_eval and config.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=config.early_stopping_patience))
    trainer = SFTTrainer(
        model=model,
        args=args,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
        train_dataset=Dataset.from_list(train_set.rows),
        eval_dataset=Dataset.from_list(eval_set.rows) if use_eval else None,
    )
    _train_resuming(trainer, output_dir, report)
    final_dir = output_dir / ("adapter" if peft_config else "model")
    state = trainer.state
    if not trainer.is_world_process_zero():  # under torchrun, the first process writes the results
        return {"steps": state.global_step}
    _save(trainer, tokenizer, final_dir)
    history = [
        {"step": h.get("step"), "loss": h.get("loss"), "eval_loss": h.get("eval_loss")} for h in state.log_history
    ]
    summary = {
        "final_dir": str(final_dir),
        "best_checkpoint": state.best_model_checkpoint,
        "best_eval_loss": state.best_metric,
        "steps": state.global_step,
        "max_steps": state.max_steps,
        "stopped_early": state.global_step < state.max_steps,
        "train_examples": len(train_set.rows),
        "trained_tokens": int(train_set.tokens * (state.epoch or 0)),  # the API job's trained_tokens
        "skipped": len(train_set.skipped),
        "truncated": train_set.truncated,
        "diagnostics": diagnose(history),
        "config": config.as_dict(),
        "template": template_kind(tokenizer),
        "chat_template": getattr(tokenizer, "chat_template", None),
        **(metadata or {}),
    }
    (final_dir / "studio_run.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def train_preferences(
    config, rows, eval_rows, output_dir, report=lambda event: None, should_stop=lambda: False, metadata=None
):
    """DPO with trl on preference rows ({"prompt", "chosen", "rejected"}, text or chat turns, as
    evaluation/core/preferences.py writes them), continuing the LoRA adapter `parent_adapter` (the
    supervised run's) or a new one. The reference is the policy as it starts (trl keeps a frozen
    copy of the adapter). Saves the adapter like a LoRA run, so everything downstream serves it.
    Resumes from the newest checkpoint in output_dir."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig, PeftModel
    from transformers import AutoModelForCausalLM
    from trl import DPOConfig, DPOTrainer, KTOConfig, KTOTrainer

    # KTO judges each answer on its own (desirable or not) against the batch's KL estimate; trl
    # unpairs the rows itself, so the same pairs feed it. Every other loss is DPO's.
    kto = config.dpo_loss == "kto"
    Config, Trainer = (KTOConfig, KTOTrainer) if kto else (DPOConfig, DPOTrainer)
    has_gpu = _has_gpu()
    rows = [r for r in rows if r.get("prompt") and r.get("chosen") and r.get("rejected")]
    if not rows:
        raise ConfigError("no preference pair to learn from (each needs a prompt, a chosen and a rejected answer)")
    report({"kind": "log", "message": f"{len(rows)} preference pairs; beta {config.beta}, loss {config.dpo_loss}."})
    tokenizer = load_tokenizer(config.base_model, shared=False)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    load_kwargs = {"local_files_only": True, **({"dtype": torch.bfloat16} if has_gpu else {})}
    model = AutoModelForCausalLM.from_pretrained(config.base_model, **load_kwargs)
    peft_config = None
    if config.parent_adapter:
        model = PeftModel.from_pretrained(model, config.parent_adapter, is_trainable=True)
        report({"kind": "log", "message": f"Starting from the adapter in {config.parent_adapter}."})
    else:
        peft_config = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=config.target_modules
            if config.target_modules == "all-linear"
            else [t.strip() for t in config.target_modules.split(",") if t.strip()],
            task_type="CAUSAL_LM",
        )
    use_eval = bool(eval_rows)
    steps = plan_steps(len(rows) * (2 if kto else 1), config, config.devices)  # KTO: each answer a row
    every = max(1, steps // 10)
    args = Config(
        output_dir=str(output_dir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        max_length=config.max_length,
        beta=config.beta,
        **({} if kto else {"loss_type": config.dpo_loss}),
        seed=config.seed,
        logging_steps=1,
        eval_strategy="steps" if use_eval else "no",
        eval_steps=every,
        save_strategy="steps",
        save_steps=every,
        save_total_limit=3,
        bf16=has_gpu,
        use_cpu=not has_gpu,
        report_to=[],
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
    trainer = Trainer(
        model=model,
        ref_model=None,
        args=args,
        train_dataset=Dataset.from_list(unpaired(rows) if kto else rows),
        eval_dataset=Dataset.from_list(unpaired(eval_rows) if kto else eval_rows) if use_eval else None,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[progress_callback(report, should_stop, output_dir)],
    )
    _train_resuming(trainer, output_dir, report)
    final_dir = output_dir / "adapter"
    state = trainer.state
    if not trainer.is_world_process_zero():
        return {"steps": state.global_step}
    _save(trainer, tokenizer, final_dir, selected_adapters=["default"])  # not trl's frozen "ref" copy
    logged = [h for h in state.log_history if "rewards/accuracies" in h or "rewards/rejected" in h]
    first, last = (dict(logged[0]), dict(logged[-1])) if logged else ({}, {})
    for h in (first, last):  # KTO logs the two rewards, not their margin
        if "rewards/margins" not in h and "rewards/chosen" in h and "rewards/rejected" in h:
            h["rewards/margins"] = h["rewards/chosen"] - h["rewards/rejected"]
    history = [
        {"step": h.get("step"), "loss": h.get("loss"), "eval_loss": h.get("eval_loss")} for h in state.log_history
    ]
    summary = {
        "final_dir": str(final_dir),
        "steps": state.global_step,
        "max_steps": state.max_steps,
        "stopped_early": state.global_step < state.max_steps,
        "preference_pairs": len(rows),
        "train_examples": len(rows),
        "reward_accuracy": {"first": first.get("rewards/accuracies"), "last": last.get("rewards/accuracies")},
        "reward_margin": {"first": first.get("rewards/margins"), "last": last.get("rewards/margins")},
        "diagnostics": diagnose(history),
        "config": config.as_dict(),
        "template": template_kind(tokenizer),
        "chat_template": getattr(tokenizer, "chat_template", None),
        **(metadata or {}),
    }
    (final_dir / "studio_run.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def unpaired(rows):
    """Preference rows as KTO reads them: each pair's chosen answer (label True) followed by its
    rejected one (False), so that every batch holds both kinds (trl's own unpairing puts all the
    chosen answers first, and a batch of one kind has no margin to learn or to log)."""
    out = []
    for r in rows:
        out.append({"prompt": r["prompt"], "completion": r["chosen"], "label": True})
        out.append({"prompt": r["prompt"], "completion": r["rejected"], "label": False})
    return out


def merge_adapter(base_model, adapter_dir, out_dir):
    """Fold a LoRA adapter into its base model (merge_and_unload) and save a plain model folder
    that vLLM, TGI or transformers load without peft."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    dtype = torch.bfloat16 if _has_gpu() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(base_model, local_files_only=True, dtype=dtype)
    merged = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    out_dir = Path(out_dir)
    merged.save_pretrained(out_dir)
    load_tokenizer(adapter_dir).save_pretrained(out_dir)
    for path in out_dir.iterdir():
        path.chmod(0o644)
    return str(out_dir)
