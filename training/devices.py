"""How many GPUs the training workers have, as the web process can know it without torch: the
WORKER_GPUS setting where the workers run on other machines, else this machine's GPUs as
nvidia-smi lists them (the embedded default runs its workers here), else none."""

import shutil
import subprocess
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def _this_machine():
    exe = shutil.which("nvidia-smi")
    if not exe:
        return 0
    try:
        listed = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in listed.splitlines() if line.startswith("GPU "))


def worker_gpus():
    configured = getattr(settings, "WORKER_GPUS", None)
    return configured if configured is not None else _this_machine()


def devices_problem(devices):
    """Why a run cannot have `devices` processes here, or "". One process always can (on a GPU,
    or on the CPU); more need as many GPUs on one worker."""
    if devices <= 1:
        return ""
    have = worker_gpus()
    if devices <= have:
        return ""
    where = "no GPU (they train on the CPU, one process)" if have == 0 else f"{have} GPU{'s' if have != 1 else ''}"
    return (
        f"devices: {devices} GPUs asked for, but the training workers have {where}. "
        "Ask for fewer, or set WORKER_GPUS where the workers run on machines with more."
    )
