"""The house's layering contract (import-linter, configured in pyproject.toml) holds, and it
catches a reverse import planted inside a function, which is where such imports used to hide."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("studio", "curation", "training", "evaluation", "api", "demo")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(folder):
    return subprocess.run(
        [str(LINT_IMPORTS), str(folder / "pyproject.toml"), "--no-cache"],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def copy_of_the_apps(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_apps_keep_their_layers_and_have_no_import_circles():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_a_reverse_import_inside_a_function_breaks_the_contract(copy_of_the_apps):
    views = copy_of_the_apps / "curation" / "views.py"
    views.write_text(
        views.read_text() + "\n\ndef planted():\n    from evaluation.models import Study\n\n    return Study\n"
    )
    done = lint(copy_of_the_apps)
    assert done.returncode != 0
    assert "curation is not allowed to import evaluation" in done.stdout
    assert "curation.views -> evaluation.models" in done.stdout


def test_an_import_circle_between_modules_of_an_app_breaks_the_contract(copy_of_the_apps):
    tasks = copy_of_the_apps / "training" / "tasks.py"
    runs = copy_of_the_apps / "training" / "runs.py"
    assert "training.tasks" not in runs.read_text()
    runs.write_text(runs.read_text() + "\n\ndef planted():\n    from training import tasks\n\n    return tasks\n")
    assert "training.runs" in tasks.read_text() or "from training import runs" in tasks.read_text()
    done = lint(copy_of_the_apps)
    assert done.returncode != 0
    assert "No cycles are allowed in training" in done.stdout
