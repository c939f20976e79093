"""Training runs in the database: launching, claiming, following the child process, and
picking up runs whose worker vanished."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from training.core.engine import ConfigError, TrainConfig
from training.models import MetricPoint, TrainingRun

HEARTBEAT_SECONDS = 10
STALE_AFTER = timedelta(seconds=90)  # no heartbeat for this long: the worker is gone
MAX_ATTEMPTS = 3
LOG_LINES = 200


def runs_dir():
    return Path(settings.VAR_DIR) / "runs"


def launch(project, user, *, name, version, base_model, config_values):
    """Validate and queue a run; raises ConfigError naming the bad setting."""
    config = TrainConfig.from_dict({**config_values, "base_model": base_model.path})
    config.validate(has_gpu=True)  # the GPU worker decides about QLoRA; the rest is checked now
    if config.devices > settings.MAX_DEVICES_PER_RUN:
        raise ConfigError(f"devices: at most {settings.MAX_DEVICES_PER_RUN} per run on this installation")
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
        import shutil

        shutil.rmtree(run.output_dir, ignore_errors=True)  # a new run never resumes someone else's checkpoints
        enqueue(run)
    return run


def enqueue(run):
    from training.tasks import train_run

    transaction.on_commit(lambda: train_run.delay(run_id=run.id))


def claim(run_id, worker):
    """Take a queued run for this worker; False when another worker has it (a duplicate or
    redelivered task)."""
    now = timezone.now()
    return (
        TrainingRun.objects.filter(id=run_id, status=TrainingRun.Status.QUEUED).update(
            status=TrainingRun.Status.RUNNING,
            worker=worker,
            heartbeat_at=now,
            started_at=now,
            attempts=F("attempts") + 1,
        )
        == 1
    )


def _write_data(run, folder):
    """The version's train and validation splits as JSONL for the child process."""
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


def execute(run_id):
    """Run a claimed run to its end in a child process; safe against crashes of the child."""
    run = TrainingRun.objects.select_related("dataset_version", "base_model").get(id=run_id)
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

    import threading

    def drain():
        for line in child.stderr:
            stderr_tail.append(line)
            del stderr_tail[:-40]

    threading.Thread(target=drain, daemon=True).start()
    outcome = {"kind": None}
    last_beat = 0.0
    for line in child.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        outcome = _record(run, event) or outcome
        if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
            last_beat = time.monotonic()
            TrainingRun.objects.filter(id=run.id).update(heartbeat_at=timezone.now())
            if TrainingRun.objects.filter(id=run.id, cancel_requested=True).exists():
                (folder / "STOP").touch()
    code = child.wait()
    _finish(run, code, outcome, "".join(stderr_tail))


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
            tokens_per_second=event.get("tokens_per_second"),
        )
        changes = {
            "step": event["step"],
            "total_steps": event.get("total") or 0,
            "eta_seconds": event.get("eta_seconds"),
            "heartbeat_at": timezone.now(),
        }
        if event.get("tokens_per_second"):
            changes["tokens_per_second"] = event["tokens_per_second"]
        TrainingRun.objects.filter(id=run.id).update(**changes)
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
    now = timezone.now()
    if outcome.get("kind") == "done" and code == 0:
        summary = outcome["summary"]
        cancelled = outcome.get("cancelled") or run.cancel_requested
        status = TrainingRun.Status.CANCELLED if cancelled else TrainingRun.Status.SUCCEEDED
        _append_log(
            run, "Cancelled; the adapter so far is saved." if cancelled else f"Finished at step {summary['steps']}."
        )
        TrainingRun.objects.filter(id=run.id).update(
            status=status, summary=summary, finished_at=now, eta_seconds=0, step=summary["steps"]
        )
    elif outcome.get("kind") == "nan":
        from training.core.engine import diagnose

        notes = diagnose([{"step": outcome["step"], "loss": float("nan")}])
        TrainingRun.objects.filter(id=run.id).update(
            status=TrainingRun.Status.FAILED, error=notes[0][1], finished_at=now
        )
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
        TrainingRun.objects.filter(id=run.id).update(status=TrainingRun.Status.FAILED, error=reason, finished_at=now)


def reap_stale():
    """Runs whose worker stopped sending heartbeats: queue them again to resume from their last
    checkpoint, or fail them after MAX_ATTEMPTS. Returns the ids it touched."""
    touched = []
    stale = TrainingRun.objects.filter(status=TrainingRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=timezone.now() - STALE_AFTER) | Q(heartbeat_at__isnull=True)
    )
    for run in stale:
        if run.attempts >= MAX_ATTEMPTS:
            updated = TrainingRun.objects.filter(
                id=run.id, status=TrainingRun.Status.RUNNING, heartbeat_at=run.heartbeat_at
            ).update(
                status=TrainingRun.Status.FAILED,
                error=f"The worker vanished {run.attempts} times (last seen {run.heartbeat_at:%H:%M:%S}); giving up.",
                finished_at=timezone.now(),
            )
        else:
            updated = TrainingRun.objects.filter(
                id=run.id, status=TrainingRun.Status.RUNNING, heartbeat_at=run.heartbeat_at
            ).update(status=TrainingRun.Status.QUEUED, worker="")
            if updated:
                _append_log(
                    run,
                    f"The worker ({run.worker}) vanished at step {run.step}; queued again to resume from the last checkpoint.",
                )
                with transaction.atomic():
                    enqueue(run)
        if updated:
            touched.append(run.id)
    return touched


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"
