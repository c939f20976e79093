"""The process a training run lives in: `python -m training.child SPEC.json`.

The Celery task starts it and reads its stdout, one JSON event per line. Running the engine in
its own process means a crash, an out-of-memory kill or a segfault ends this process only; the
worker notes the reason and lives on. Cancelling is a file named STOP in the run's folder.
No Django here: the spec holds everything (config, data files, output folder).
"""

import json
import os
import sys
import traceback
from pathlib import Path


def emit(event):
    if int(os.environ.get("RANK", "0")) == 0:  # under torchrun only the first process speaks
        sys.stdout.write(json.dumps(event, default=str) + "\n")
        sys.stdout.flush()


def read_records(path):
    from studio.core.records import Record

    records = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            records.append(
                Record.chat(row["messages"])
                if row.get("messages")
                else Record(row.get("instruction", ""), row.get("input", ""), row.get("output", ""))
            )
    return records


def read_rows(path):
    """Preference rows (prompt, chosen, rejected) as the file holds them."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(spec_path):
    spec = json.loads(Path(spec_path).read_text())
    from training.core.engine import ConfigError, TrainConfig, train

    output_dir = Path(spec["output_dir"])
    stop_file = output_dir / "STOP"
    try:
        config = TrainConfig.from_dict(spec["config"])
        read = read_rows if config.method == "dpo" else read_records
        summary = train(
            config,
            read(spec["train_file"]),
            read(spec["eval_file"]) if spec.get("eval_file") else [],
            output_dir,
            report=emit,
            should_stop=stop_file.exists,
            metadata=spec.get("metadata"),
        )
    except ConfigError as e:
        emit({"kind": "error", "message": str(e)})
        return 2
    except Exception as e:  # the worker shows this to the lead
        emit({"kind": "error", "message": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()[-4000:]})
        return 1
    emit({"kind": "done", "summary": summary, "cancelled": stop_file.exists()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
