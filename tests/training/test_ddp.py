"""A run that asks for two devices is launched with torchrun (DDP); on CPU the processes talk
over gloo. The same child entry point the worker uses."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from curation.core.demo_tickets import make_examples

pytestmark = pytest.mark.slow


def test_two_processes_train_one_run(tiny_model_dir, tmp_path):
    train = tmp_path / "train.jsonl"
    train.write_text(
        "\n".join(
            json.dumps({"instruction": e.instruction, "input": e.input, "output": e.output})
            for e in make_examples(n=80)
        )
        + "\n"
    )
    spec = {
        "config": {
            "base_model": str(tiny_model_dir),
            "epochs": 1,
            "batch_size": 4,
            "learning_rate": 3e-3,
            "max_length": 384,
            "early_stopping_patience": 0,
            "devices": 2,
        },
        "output_dir": str(tmp_path / "out"),
        "train_file": str(train),
        "eval_file": None,
        "metadata": {},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "-m",
            "training.child",
            str(tmp_path / "spec.json"),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    events = [json.loads(line) for line in result.stdout.splitlines()]
    done = events[-1]
    assert done["kind"] == "done"
    assert done["summary"]["steps"] == 10  # 80 examples / (batch 4 x 2 processes)
    assert sum(e["kind"] == "done" for e in events) == 1  # only the first process reports
    assert (tmp_path / "out" / "adapter" / "adapter_model.safetensors").is_file()
