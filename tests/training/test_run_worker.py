"""Training runs through a real Celery worker (Redis, PostgreSQL, a child process): a run is
claimed once, a cancel is honoured within a few steps, a crashing child fails the run with its
reason while the worker lives on, and a run whose worker is killed resumes from its last
checkpoint on another worker."""

import os
import signal
from pathlib import Path

import pytest

from curation.core.demo_tickets import make_examples
from curation.core.splits import SplitConfig
from studio.jobs import reap_stale
from tests.conftest import frozen_version, wait_for
from training.models import BaseModel, TrainingRun
from training.runs import launch
from training.tasks import train_run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(people, tiny_model_dir):
    base, version = frozen_version(people, tiny_model_dir, make_examples(n=120), ratios=SplitConfig().ratios)
    return people, version, base


def start_run(setup, **config):
    people, version, base = setup
    values = {"epochs": 1, "batch_size": 8, "learning_rate": 3e-3, "max_length": 384, "early_stopping_patience": 0}
    values.update(config)
    return launch(people.project, people.lead, name="run", version=version, base_model=base, config_values=values)


def status_of(run):
    return TrainingRun.objects.get(id=run.id)


def test_a_run_is_claimed_once_even_when_its_task_arrives_three_times(setup, start_worker):
    process, log = start_worker()
    run = start_run(setup)
    train_run.delay(run_id=run.id)
    train_run.delay(run_id=run.id)
    wait_for(lambda: status_of(run).finished, 120, "the run to finish", log)
    run = status_of(run)
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert run.attempts == 1
    assert Path(run.output_dir, "adapter", "adapter_model.safetensors").is_file()
    steps = list(run.points.exclude(loss=None).values_list("step", flat=True))
    assert len(steps) == len(set(steps))  # one training, not three interleaved


def test_cancel_is_honoured_within_a_few_steps(setup, start_worker, client):
    people = setup[0]
    process, log = start_worker()
    run = start_run(setup, epochs=20)
    wait_for(lambda: status_of(run).done >= 3, 120, "the run to get going", log)
    client.force_login(people.lead)
    client.post(f"/p/{people.project.slug}/runs/{run.id}/cancel/")
    asked_at = status_of(run).done
    wait_for(lambda: status_of(run).finished, 60, "the run to stop", log)
    run = status_of(run)
    assert run.status == TrainingRun.Status.CANCELLED
    assert run.done <= asked_at + 15 < run.total
    assert Path(run.output_dir, "adapter", "adapter_model.safetensors").is_file()  # what it learned is kept


def test_a_crashing_child_fails_the_run_and_the_worker_lives_on(setup, start_worker, tiny_model_dir, tmp_path):
    people, version, good_base = setup
    broken = tmp_path / "broken-model"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (broken / name).write_bytes((Path(tiny_model_dir) / name).read_bytes())
    (broken / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")
    bad_base = BaseModel.objects.create(
        project=people.project, name="Broken", path=str(broken), status=BaseModel.Status.READY
    )
    process, log = start_worker()
    run = launch(
        people.project, people.lead, name="doomed", version=version, base_model=bad_base, config_values={"epochs": 1}
    )
    wait_for(lambda: status_of(run).finished, 120, "the broken run to fail", log)
    run = status_of(run)
    assert run.status == TrainingRun.Status.FAILED
    assert run.error  # the child's reason, in words
    assert process.poll() is None  # the worker is still there
    good = start_run(setup)
    wait_for(lambda: status_of(good).finished, 120, "the next run", log)
    assert status_of(good).status == TrainingRun.Status.SUCCEEDED


def test_a_killed_worker_s_run_resumes_from_its_last_checkpoint_on_another_worker(
    setup, start_worker, settings, client
):
    settings.JOB_STALE_SECONDS = 2  # the reaper sees the lost worker in seconds
    people = setup[0]
    first, log_a = start_worker("a")
    run = start_run(setup, epochs=12, save_steps=5)
    wait_for(lambda: status_of(run).done >= 22 and status_of(run).done % 5 != 0, 180, "a few checkpoints", log_a)
    os.killpg(first.pid, signal.SIGKILL)  # the worker and its training child die at once
    first.wait()
    killed_at = status_of(run).done
    folders = Path(run.output_dir).glob("checkpoint-*/trainer_state.json")  # written last: a whole checkpoint
    checkpoints = sorted(int(p.parent.name.split("-")[1]) for p in folders)
    assert checkpoints and checkpoints[-1] < killed_at  # steps after the checkpoint are trained again
    # the worker is gone: its heartbeat goes stale, and the periodic job queues the run again
    wait_for(lambda: reap_stale() == [("training.TrainingRun", run.id)], 30, "the reaper to see the lost worker")
    assert "queued again, and it resumes from its last checkpoint" in status_of(run).message
    client.force_login(people.lead)
    page = client.get(f"/p/{people.project.slug}/runs/{run.id}/").content.decode()
    assert f"Worker lost at step {killed_at}; resuming." in page
    second, log_b = start_worker("b")
    wait_for(lambda: status_of(run).finished, 240, "the resumed run to finish", log_b)
    run = status_of(run)
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert run.attempts == 2
    assert f"Resuming from checkpoint-{checkpoints[-1]}" in run.log_tail
    steps = list(run.points.exclude(loss=None).values_list("step", flat=True))
    assert len(steps) == len(set(steps))  # one point per step, the steps trained twice included
    assert killed_at in steps and max(steps) == run.total
    assert run.done == run.total


def test_a_killed_worker_s_preference_run_resumes_with_one_point_per_step(
    people, trained, start_worker, settings, client
):
    """A DPO run on a version's preference pairs, its worker killed between two checkpoints: the
    next worker resumes it from the last one, and it ends once, one stored point per step."""
    from tests.training.test_train_on_pairs import with_pairs
    from training.runs import launch_preferences, version_preference_rows

    settings.JOB_STALE_SECONDS = 2
    version = with_pairs(people, n=60)
    rows, ids = version_preference_rows(version, trained.base_model)
    first, log_a = start_worker("a")
    run = launch_preferences(
        people.project,
        people.lead,
        name="dpo",
        parent=trained,
        rows=rows,
        config_values={"epochs": 8, "batch_size": 4, "learning_rate": 5e-5, "early_stopping_patience": 0},
        lineage={"version_id": version.id, "version_name": version.name, "example_ids": ids},
        version=version,
    )
    wait_for(lambda: status_of(run).total and status_of(run).done >= status_of(run).total // 3, 240, "a third", log_a)
    wait_for(lambda: list(Path(run.output_dir).glob("checkpoint-*/trainer_state.json")), 120, "a checkpoint", log_a)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = status_of(run).done
    wait_for(lambda: reap_stale() == [("training.TrainingRun", run.id)], 30, "the reaper to see the lost worker")
    client.force_login(people.lead)
    page = client.get(f"/p/{people.project.slug}/runs/{run.id}/").content.decode()
    assert f"Worker lost at step {killed_at}; resuming." in page
    second, log_b = start_worker("b")
    wait_for(lambda: status_of(run).finished, 300, "the resumed preference run to finish", log_b)
    run = status_of(run)
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert run.attempts == 2 and "Resuming from checkpoint-" in run.log_tail
    steps = list(run.points.exclude(loss=None).values_list("step", flat=True))
    assert len(steps) == len(set(steps)) and max(steps) == run.total  # one point per step
    assert run.summary["preference_pairs"] == len(rows)
    assert (Path(run.output_dir) / "adapter" / "adapter_config.json").is_file()
