"""Training runs in the database: launching, following the child process, recording its
outcome. Claiming, heartbeats and picking up runs whose worker vanished are every job's
(studio/jobs.py); a run queued again resumes from its last checkpoint in its folder."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from training.core.engine import ConfigError, TrainConfig, diagnose, latest_checkpoint
from training.models import AdapterMerge, MetricPoint, TrainingRun

LOG_LINES = 200


def runs_dir():
    return Path(settings.VAR_DIR) / "runs"


def launch(project, user, *, name, version, base_model, config_values):
    """Validate and queue a run; raises ConfigError naming the bad setting."""
    config = TrainConfig.from_dict({**config_values, "base_model": base_model.path})
    if config.method == "dpo" or config.parent_adapter:
        raise ConfigError(
            "method: a preference run (DPO) is launched from a closed study's page (Train on the votes), "
            "which gives it its pairs and the run it continues"
        )
    config.validate(has_gpu=True)  # the GPU worker decides about QLoRA; the rest is checked now
    if config.devices > settings.MAX_DEVICES_PER_RUN:
        raise ConfigError(f"devices: at most {settings.MAX_DEVICES_PER_RUN} per run on this installation")
    from training.devices import devices_problem, worker_gpus

    if problem := devices_problem(config.devices):
        raise ConfigError(problem)
    if config.method == "qlora" and worker_gpus() == 0:
        raise ConfigError(
            "method: QLoRA loads the model in 4 bits with bitsandbytes, which needs a GPU, and the training "
            "workers have none; choose LoRA (or set WORKER_GPUS where the workers have GPUs)"
        )
    with transaction.atomic():
        run = TrainingRun.objects.create(
            project=project,
            name=name,
            dataset_version=version,
            base_model=base_model,
            config=config.as_dict(),
            created_by=user,
        )
        run.output_dir = str(runs_dir() / str(run.id))
        run.save(update_fields=["output_dir"])
        shutil.rmtree(run.output_dir, ignore_errors=True)  # a new run never resumes someone else's checkpoints
        run.enqueue()
    return run


PREFERENCES_FILE = "preferences.jsonl"


def has_adapter(run):
    """True for a finished run with a LoRA adapter, which a preference run can continue (a soft
    prompt, from prompt tuning, cannot be trained further by peft once saved)."""
    from studio.core.adapters import peft_type

    return (
        run.status == TrainingRun.Status.SUCCEEDED
        and bool(run.output_dir)
        and peft_type(Path(run.output_dir) / "adapter") == "LORA"
    )


def version_preference_rows(version, base_model):
    """(rows trl's DPO trainer reads, [example ids]) from the preference pairs in a version's
    train split, the prompt in the form `base_model` is trained with (its chat template's
    messages, else the alpaca text). Validation and test pairs stay held out."""
    from studio.core.prompts import RenderError, file_prompt, preference_row

    chat_template = bool((base_model.info or {}).get("has_chat_template", True))
    rows, ids = [], []
    items = version.items.filter(split="train", messages__isnull=True).exclude(rejected="").order_by("id")
    for item in items.iterator(chunk_size=2000):
        record = item.record()
        try:
            prompt = file_prompt(record, chat_template)
        except RenderError:
            continue
        rows.append(preference_row(prompt, record.output, record.rejected))
        ids.append(item.example_id)
    return rows, ids


def launch_preferences(project, user, *, name, parent, rows, config_values, lineage, version=None):
    """Validate and queue a DPO run on preference `rows` (prompt / chosen / rejected), continuing
    the LoRA adapter of the finished run `parent`; `lineage` says where the rows came from (a
    study, or the preference pairs of `version`, which is then the run's dataset version). The
    rows are written into the run's folder, which the worker reads them from."""
    adapter = Path(parent.output_dir or "-") / "adapter"
    if not has_adapter(parent):
        raise ConfigError(
            f"parent: {parent.name} has no LoRA adapter to continue (a finished LoRA run has one; "
            "a soft prompt, a full fine-tune or a run still going does not)"
        )
    if not rows:
        raise ConfigError("no preference pair to learn from")
    values = {**config_values, "method": "dpo", "parent_adapter": str(adapter), "base_model": parent.base_model.path}
    config = TrainConfig.from_dict(values)
    config.validate(has_gpu=True)
    with transaction.atomic():
        run = TrainingRun.objects.create(
            project=project,
            name=name,
            dataset_version=version or parent.dataset_version,
            base_model=parent.base_model,
            config=config.as_dict(),
            created_by=user,
            parent=parent,
            lineage={**lineage, "pairs": len(rows)},
        )
        run.output_dir = str(runs_dir() / str(run.id))
        run.save(update_fields=["output_dir"])
        folder = Path(run.output_dir)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with open(folder / PREFERENCES_FILE, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        run.enqueue()
    return run


def start_merge(run, user):
    """Queue the merge of a finished run's adapter into its base model."""
    with transaction.atomic():
        merge = AdapterMerge.objects.create(run=run, created_by=user)
        TrainingRun.objects.filter(id=run.id).update(summary={**run.summary, "merging": True})
        merge.enqueue()
    return merge


def _write_data(run, folder):
    """The version's train and validation splits as JSONL for the child process."""
    if run.config.get("method") == "dpo":  # the preference pairs written at launch; no held-out split
        (folder / "validation.jsonl").write_text("")
        return {"train": str(folder / PREFERENCES_FILE), "validation": str(folder / "validation.jsonl")}
    files = {}
    for split in ("train", "validation"):
        path = folder / f"{split}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for item in run.dataset_version.items.filter(split=split).order_by("id").iterator():
                f.write(
                    json.dumps(
                        {
                            "instruction": item.instruction,
                            "input": item.input,
                            "output": item.output,
                            "messages": item.messages,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        files[split] = str(path)
    return files


def _append_log(run, message):
    lines = (run.log_tail.splitlines() + [f"{timezone.now():%H:%M:%S} {message}"])[-LOG_LINES:]
    run.log_tail = "\n".join(lines)
    TrainingRun.objects.filter(id=run.id).update(log_tail=run.log_tail)


def _child_command(run, spec_path):
    devices = int(run.config.get("devices", 1))
    if devices > 1:
        return [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={devices}",
            "-m",
            "training.child",
            str(spec_path),
        ]
    return [sys.executable, "-m", "training.child", str(spec_path)]


def _die_with_parent():
    """In the child: get SIGKILL when the worker dies, so no training outlives its worker."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def execute(run):
    """Run a claimed run to its end in a child process; safe against crashes of the child. The
    worker beats for the run while the child lives (loading a large model says nothing for minutes)."""
    run = TrainingRun.objects.select_related("dataset_version", "base_model").get(id=run.id)
    folder = Path(run.output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "STOP").unlink(missing_ok=True)
    files = _write_data(run, folder)
    spec = {
        "config": run.config,
        "output_dir": str(folder),
        "train_file": files["train"],
        "eval_file": files["validation"],
        "metadata": {
            "run_id": run.id,
            "run_name": run.name,
            "dataset_version": run.dataset_version.name,
            "dataset_hash": run.dataset_version.content_hash,
            "base_model": run.base_model.name,
            "base_model_path": run.base_model.path,
            "base_model_info": run.base_model.info,
        },
    }
    spec_path = folder / "spec.json"
    spec_path.write_text(json.dumps(spec, default=str))
    if run.attempts > 1 and run.message:  # why it was queued again, from the reaper
        _append_log(run, run.message)
    _forget_points_after_checkpoint(run)
    _append_log(run, f"Started on {run.worker} (attempt {run.attempts}).")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    child = subprocess.Popen(
        _child_command(run, spec_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        preexec_fn=_die_with_parent,
    )
    stderr_tail = []

    def drain():
        for line in child.stderr:
            stderr_tail.append(line)
            del stderr_tail[:-40]

    threading.Thread(target=drain, daemon=True).start()
    outcome = {"kind": None}
    with run.beating():
        for line in child.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            outcome = _record(run, event) or outcome
            if outcome["kind"] == "lost":
                child.kill()  # the reaper gave the run to another worker: never two trainings in one folder
                break
        code = child.wait()
    if outcome["kind"] != "lost":
        _finish(run, code, outcome, "".join(stderr_tail))


def _forget_points_after_checkpoint(run):
    """The child resumes from the newest checkpoint in the run's folder (the same choice as
    here), so the steps it logged after that checkpoint before its worker died come again:
    their points go, and every step keeps one point. A run that starts afresh keeps none."""
    resume = latest_checkpoint(run.output_dir)
    step = int(Path(resume).name.split("-")[1]) if resume else 0
    run.points.filter(step__gt=step).delete()


def _record(run, event):
    kind = event.get("kind")
    if kind == "progress":
        MetricPoint.objects.create(
            run=run,
            step=event["step"],
            epoch=event.get("epoch"),
            loss=event.get("loss"),
            eval_loss=event.get("eval_loss"),
            learning_rate=event.get("learning_rate"),
            grad_norm=event.get("grad_norm"),
            tokens_seen=event.get("tokens_seen"),
            tokens_per_second=event.get("tokens_per_second"),
        )
        changes = {"done": event["step"], "total": event.get("total") or 0, "eta_seconds": event.get("eta_seconds")}
        if event.get("tokens_per_second"):
            changes["tokens_per_second"] = event["tokens_per_second"]
        if not run.beat(**changes):  # a progress report is a heartbeat
            return {"kind": "lost"}
        if TrainingRun.objects.filter(id=run.id, cancel_requested=True).exists():
            (Path(run.output_dir) / "STOP").touch()
    elif kind == "log":
        _append_log(run, event["message"])
    elif kind == "checkpoint":
        _append_log(run, f"Checkpoint at step {event['step']}.")
    elif kind == "nan":
        _append_log(run, f"NaN loss at step {event['step']}; stopping.")
        return {"kind": "nan", "step": event["step"]}
    elif kind in ("error", "done"):
        return event
    return None


def _finish(run, code, outcome, stderr):
    run.refresh_from_db()
    if outcome.get("kind") == "done" and code == 0:
        summary = outcome["summary"]
        cancelled = outcome.get("cancelled") or run.cancel_requested
        early = not cancelled and summary.get("stopped_early")
        if cancelled:
            message = "Cancelled; the adapter so far is saved."
        elif early:
            patience = (run.config or {}).get("early_stopping_patience")
            message = (
                f"Stopped early at step {summary['steps']} of {summary.get('max_steps', run.total)}: the validation "
                f"loss did not improve for {patience or 'several'} evaluations in a row (early stopping); "
                "the best checkpoint is the one kept."
            )
        else:
            message = f"Finished at step {summary['steps']}."
        _append_log(run, message)
        run.finish(
            message,
            status=TrainingRun.Status.CANCELLED if cancelled else TrainingRun.Status.SUCCEEDED,
            summary=summary,
            eta_seconds=0,
            done=summary["steps"],
            # a finished run reads "step N of N" unless it stopped before its plan (cancel, early stop)
            **({} if cancelled or early else {"total": summary["steps"]}),
        )
    elif outcome.get("kind") == "nan":
        notes = diagnose([{"step": outcome["step"], "loss": float("nan")}])
        run.finish(notes[0][1], failed=True)
    else:
        if outcome.get("kind") == "error":
            reason = outcome["message"]
        elif code < 0:
            reason = f"The training process was killed by signal {-code} ({signal.Signals(-code).name}); if that was SIGKILL, it most likely ran out of memory."
        else:
            reason = f"The training process stopped with exit code {code}."
        tail = stderr.strip().splitlines()[-5:]
        _append_log(
            run, "Failed: " + reason + ("\n" + "\n".join(tail) if tail and outcome.get("kind") != "error" else "")
        )
        run.finish(reason, failed=True)
