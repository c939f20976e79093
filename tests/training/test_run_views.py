"""run_list, launch_run, run_detail, cancel_run, download_artifact, compare_runs."""

import json

import pytest
from django.urls import reverse

from curation.core.splits import SplitConfig
from curation.models import Example
from curation.versions import freeze
from training.core.model_info import inspect_model_folder
from training.models import BaseModel, MetricPoint, TrainingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(people, make_example, tiny_model_dir):
    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    base.record_inspection(info=inspect_model_folder(tiny_model_dir))
    for i in range(10):
        make_example(
            input=f"Ticket {i} about a {['lamp', 'fan'][i % 2]} number {i}",
            output=json.dumps({"category": "technical", "priority": "low"}),
            status=Example.Status.APPROVED,
        )
    version = freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(), leakage_override="short")
    return version, base


def url(name, people, *args):
    return reverse(f"training:{name}", args=[people.project.slug, *args])


def form(version, base, **extra):
    data = {
        "name": "first",
        "dataset_version": version.id,
        "base_model": base.id,
        "method": "lora",
        "lora_r": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.05,
        "target_modules": "all-linear",
        "learning_rate": 2e-4,
        "lr_scheduler": "cosine",
        "warmup_ratio": 0.1,
        "epochs": 3,
        "batch_size": 8,
        "grad_accum": 1,
        "weight_decay": 0,
        "max_grad_norm": 1.0,
        "max_length": 1024,
        "seed": 0,
        "eval_steps": 0,
        "early_stopping_patience": 3,
        "devices": 1,
    }
    data.update(extra)
    return data


def test_launch_form_shows_the_guides_defaults(as_user, people, ready):
    page = as_user(people.lead).get(url("launch-run", people)).content.decode()
    for field, value in (
        ("lora_r", "16"),
        ("lora_alpha", "32"),
        ("lora_dropout", "0.05"),
        ("learning_rate", "0.0002"),
        ("epochs", "3"),
        ("warmup_ratio", "0.1"),
    ):
        assert f'name="{field}" value="{value}"' in page, field


def test_estimate_and_the_equivalent_command_line(as_user, people, ready):
    version, base = ready
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="estimate", epochs=2, lora_r=8))
        .content.decode()
    )
    assert f"{version.counts['train']} training examples" in page
    assert "python manage.py launch_run" in page and "--lora-r 8" in page and "--epochs 2.0" in page
    assert not TrainingRun.objects.exists()


def test_launch_queues_a_run_after_commit(as_user, people, ready, django_capture_on_commit_callbacks):
    version, base = ready
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = as_user(people.lead).post(url("launch-run", people), form(version, base, action="launch"))
    run = TrainingRun.objects.get()
    assert response["Location"] == url("run", people, run.id)
    assert len(callbacks) == 1
    assert (run.status, run.config["lora_r"], run.config["base_model"]) == (TrainingRun.Status.QUEUED, 16, base.path)


def test_bad_settings_are_explained(as_user, people, ready):
    version, base = ready
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="launch", devices=20))
        .content.decode()
    )
    assert "at most 8 per run on this installation" in page
    assert not TrainingRun.objects.exists()


def test_launch_without_a_version_says_what_to_do(as_user, people, tiny_model_dir):
    page = as_user(people.lead).get(url("launch-run", people)).content.decode()
    assert "Freeze a dataset version first" in page


def test_launch_outsider_and_wrong_role(as_user, people, ready):
    version, base = ready
    assert as_user(people.outsider).get(url("launch-run", people)).status_code == 404
    for user in (people.annotator, people.reviewer):
        assert as_user(user).post(url("launch-run", people), form(version, base, action="launch")).status_code == 403
    assert not TrainingRun.objects.exists()


@pytest.fixture
def finished_runs(people, ready):
    version, base = ready
    runs = []
    for i, lr in enumerate((2e-4, 1e-3)):
        run = TrainingRun.objects.create(
            project=people.project,
            name=f"r{i}",
            dataset_version=version,
            base_model=base,
            config={"learning_rate": lr, "lora_r": 16},
            status=TrainingRun.Status.SUCCEEDED,
            done=10,
            total=10,
            summary={"best_eval_loss": 1.5 - i * 0.2},
        )
        for step in range(1, 11):
            MetricPoint.objects.create(
                run=run,
                step=step,
                loss=3 - step * 0.1 - i * 0.05,
                eval_loss=(3 - step * 0.09) if step % 5 == 0 else None,
            )
        runs.append(run)
    return runs


def test_run_page_plots_the_loss_and_says_what_it_sees(as_user, people, finished_runs):
    page = as_user(people.reviewer).get(url("run", people, finished_runs[0].id)).content.decode()
    assert page.count("<polyline") == 2  # train and validation
    assert "Best validation loss 2.100 at step 10" in page
    fragment = (
        as_user(people.reviewer).get(url("run", people, finished_runs[0].id), HTTP_HX_REQUEST="true").content.decode()
    )
    assert "<html" not in fragment and "hx-trigger" not in fragment  # finished: no more polling


def test_run_list_and_compare(as_user, people, finished_runs):
    page = as_user(people.annotator).get(url("run-list", people)).content.decode()
    assert "r0" in page and "r1" in page
    page = (
        as_user(people.annotator)
        .get(url("compare-runs", people) + f"?run={finished_runs[0].id}&run={finished_runs[1].id}")
        .content.decode()
    )
    assert page.count("<polyline") == 4
    assert "learning_rate" in page.split("Settings that differ")[1].split("</table>")[0]
    assert "The same in all: lora_r" in page
    response = as_user(people.annotator).get(url("compare-runs", people) + f"?run={finished_runs[0].id}", follow=True)
    assert "Tick two or more runs to compare." in response.content.decode()


def test_cancel_a_queued_run_and_the_roles(as_user, people, ready):
    version, base = ready
    run = TrainingRun.objects.create(
        project=people.project, name="q", dataset_version=version, base_model=base, config={}
    )
    assert as_user(people.outsider).post(url("cancel-run", people, run.id)).status_code == 404
    assert as_user(people.reviewer).post(url("cancel-run", people, run.id)).status_code == 403
    assert TrainingRun.objects.get(id=run.id).status == TrainingRun.Status.QUEUED
    as_user(people.lead).post(url("cancel-run", people, run.id))
    assert TrainingRun.objects.get(id=run.id).status == TrainingRun.Status.CANCELLED


def test_artifact_download_is_a_lead_job_with_the_settings_inside(
    as_user, people, finished_runs, tmp_path, eager_tasks, django_capture_on_commit_callbacks, settings
):
    import io
    import zipfile

    from training.models import ArtifactArchive

    run = finished_runs[0]
    adapter = tmp_path / "out" / "adapter"
    (adapter / "sub").mkdir(parents=True)
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "sub" / "weights.bin").write_bytes(b"w" * 100)
    TrainingRun.objects.filter(id=run.id).update(output_dir=str(tmp_path / "out"), config={"lora_r": 8})
    for someone in (people.reviewer, people.annotator):
        assert as_user(someone).post(url("download-artifact", people, run.id, "adapter")).status_code == 403
    assert as_user(people.reviewer).get(url("run", people, run.id)).content.decode().count("download-artifact") == 0
    assert not ArtifactArchive.objects.exists()
    assert as_user(people.outsider).post(url("download-artifact", people, run.id, "adapter")).status_code == 404
    assert as_user(people.lead).post(url("download-artifact", people, run.id, "model")).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(people.lead).post(url("download-artifact", people, run.id, "adapter"))
    archive = ArtifactArchive.objects.get()
    assert response.status_code == 302 and response["Location"] == url("artifact-archive", people, run.id, archive.id)
    assert archive.status == ArtifactArchive.Status.SUCCEEDED and archive.total == 3, archive.message
    assert archive.file.is_file() and archive.file.is_relative_to(settings.MEDIA_ROOT)
    page = as_user(people.lead).get(response["Location"]).content.decode()
    assert "Download ticket-triage-run" in page or f"-run{run.id}-adapter.zip" in page
    assert url("artifact-archive-file", people, run.id, archive.id) in page
    assert as_user(people.reviewer).get(response["Location"]).status_code == 403

    download = as_user(people.lead).get(url("artifact-archive-file", people, run.id, archive.id))
    assert download["Content-Disposition"].endswith(f'-run{run.id}-adapter.zip"')
    zipped = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(zipped.namelist()) == ["adapter_config.json", "studio_run.json", "sub/weights.bin"]
    stored = json.loads(zipped.read("studio_run.json"))
    assert stored["config"] == {"lora_r": 8} and stored["dataset_hash"] == run.dataset_version.content_hash
    assert as_user(people.reviewer).get(url("artifact-archive-file", people, run.id, archive.id)).status_code == 403

    # a new zip of the same artifact replaces the old one, file and all
    first = archive.file
    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("download-artifact", people, run.id, "adapter"))
    assert not first.exists() and ArtifactArchive.objects.count() == 1
    assert as_user(people.lead).get(url("artifact-archive-file", people, run.id, archive.id)).status_code == 404


def test_archives_older_than_a_day_are_removed(people, finished_runs, tmp_path, settings):
    from datetime import timedelta

    from django.utils import timezone

    from training.models import ArtifactArchive
    from training.tasks import prune_artifact_archives

    run = finished_runs[0]
    folder = settings.MEDIA_ROOT / "archives" / f"run{run.id}"
    folder.mkdir(parents=True, exist_ok=True)
    kept, old = [], []
    for name, age in (("fresh", timedelta(hours=2)), ("old", timedelta(days=2))):
        (folder / f"{name}.zip").write_bytes(b"zip")
        archive = ArtifactArchive.objects.create(
            run=run, artifact="adapter", status="succeeded", path=f"archives/run{run.id}/{name}.zip"
        )
        ArtifactArchive.objects.filter(id=archive.id).update(created_at=timezone.now() - age)
        (old if name == "old" else kept).append(archive)
    orphan = folder / "left-by-a-dead-worker.zip.partial"
    orphan.write_bytes(b"half")
    import os

    stale = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(orphan, (stale, stale))
    prune_artifact_archives()
    assert list(ArtifactArchive.objects.all()) == kept
    assert (folder / "fresh.zip").is_file() and not (folder / "old.zip").exists() and not orphan.exists()


def test_run_pages_are_404_for_outsiders(as_user, people, finished_runs):
    for target in (
        url("run-list", people),
        url("run", people, finished_runs[0].id),
        url("compare-runs", people) + f"?run={finished_runs[0].id}&run={finished_runs[1].id}",
    ):
        assert as_user(people.outsider).get(target).status_code == 404


def test_merge_a_finished_run(as_user, people, ready, tmp_path, django_capture_on_commit_callbacks):
    """The merged model is written by the (eager) task and offered for download."""
    from studio.celery import app as celery_app
    from studio.core.records import Record
    from training.core.engine import TrainConfig, train

    version, base = ready
    out = tmp_path / "run"
    train(
        TrainConfig(base_model=base.path, epochs=1, batch_size=4, max_length=256, early_stopping_patience=0),
        [Record("Say hi", "", "Hello!")] * 8,
        [],
        out,
    )
    run = TrainingRun.objects.create(
        project=people.project,
        name="done",
        dataset_version=version,
        base_model=base,
        config={},
        status=TrainingRun.Status.SUCCEEDED,
        output_dir=str(out),
    )
    assert as_user(people.reviewer).post(url("merge-run", people, run.id)).status_code == 403
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            as_user(people.lead).post(url("merge-run", people, run.id))
    finally:
        celery_app.conf.task_always_eager = False
    run.refresh_from_db()
    assert (out / "merged" / "config.json").is_file() and not run.summary.get("merging")
    page = as_user(people.lead).get(url("run", people, run.id)).content.decode()
    assert "Merged model (base + adapter, for vLLM or TGI)" in page


def test_estimate_gives_a_duration_from_earlier_runs_or_from_the_model_size(
    as_user, people, ready, django_capture_on_commit_callbacks, settings
):
    from curation.models import Job

    settings.WORKER_GPUS = 1  # the workers are GPU machines
    version, base = ready
    Job.objects.create(
        project=people.project,
        kind=Job.Kind.PREFLIGHT,
        status=Job.Status.SUCCEEDED,
        user=people.lead,
        details={"version_id": version.id, "by_split": {"train": {"tokens": 600_000}}},
    )
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="estimate", epochs=1))
        .content.decode()
    )
    assert "about 600,000 tokens" in page and "assumes 400 TFLOP/s GPUs at 40% utilisation" in page
    TrainingRun.objects.create(
        project=people.project,
        name="timed",
        dataset_version=version,
        base_model=base,
        config={},
        status=TrainingRun.Status.SUCCEEDED,
        tokens_per_second=1000,
    )
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="estimate", epochs=1))
        .content.decode()
    )
    assert "roughly 10 minutes of GPU time at 1000 tokens/s" in page and "median of earlier runs" in page


def test_estimate_guesses_tokens_from_characters_before_a_preflight(as_user, people, ready):
    version, base = ready
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="estimate", epochs=1))
        .content.decode()
    )
    assert "Tokens are guessed from the characters" in page
    assert "about " in page and " tokens" in page


def test_launch_form_starts_from_the_models_recommended_settings(as_user, people, ready):
    version, base = ready
    base.recommended = {"learning_rate": 0.003, "epochs": 2.0, "lora_r": 8}
    base.save(update_fields=["recommended"])
    page = as_user(people.lead).get(url("launch-run", people)).content.decode()
    for field, value in (("learning_rate", "0.003"), ("epochs", "2.0"), ("lora_r", "8"), ("lora_alpha", "32")):
        assert f'name="{field}" value="{value}"' in page, field
    assert page.count("Recommended for this model.") == 3
    assert "Starting from the settings recommended for <strong>Tiny</strong>" in page
    # the command line leaves out what launch_run takes from the model by itself
    estimate = as_user(people.lead).post(
        url("launch-run", people), form(version, base, action="estimate", learning_rate=0.003, epochs=2, lora_r=8)
    )
    command = estimate.content.decode().split("python manage.py launch_run", 1)[1].split("</pre>")[0]
    assert "--learning-rate" not in command and "--lora-r" not in command and "--epochs" not in command


def test_launch_form_picks_the_model_from_the_query_but_only_this_projects(as_user, people, ready, tiny_model_dir):
    version, base = ready
    other = BaseModel.objects.create(
        project=people.project, name="Other", path="/models/other", status="ready", recommended={"epochs": 5.0}
    )
    foreign = BaseModel.objects.create(
        project=people.other_project, name="Foreign", path="/models/x", status="ready", recommended={"epochs": 9.0}
    )
    people.project.base_model = base
    people.project.save(update_fields=["base_model"])
    client = as_user(people.lead)
    page = client.get(url("launch-run", people) + f"?base_model={other.id}").content.decode()
    assert 'name="epochs" value="5.0"' in page and "recommended for <strong>Other</strong>" in page
    page = client.get(url("launch-run", people) + f"?base_model={foreign.id}").content.decode()
    assert 'name="epochs" value="3"' in page and "Foreign" not in page
    for junk in ("nonsense", "9" * 30, "-1"):
        assert (
            'name="epochs" value="3"' in client.get(url("launch-run", people) + f"?base_model={junk}").content.decode()
        )


def test_launch_run_command_uses_the_models_recommendations(people, ready):
    from django.core.management import call_command

    version, base = ready
    base.recommended = {"learning_rate": 0.003, "epochs": 2.0}
    base.save(update_fields=["recommended"])
    call_command(
        "launch_run", people.project.slug, "--name", "cli", "--dataset-version", "v1", "--base-model", "Tiny",
        "--epochs", "1.0", stdout=open("/dev/null", "w"),
    )  # fmt: skip
    run = TrainingRun.objects.get(name="cli")
    assert (run.config["learning_rate"], run.config["epochs"], run.config["lora_r"]) == (0.003, 1.0, 16)


def preflighted(people, version, tokens):
    from curation.models import Job

    Job.objects.create(
        project=people.project,
        kind=Job.Kind.PREFLIGHT,
        status=Job.Status.SUCCEEDED,
        user=people.lead,
        details={"version_id": version.id, "by_split": {"train": {"tokens": tokens}}},
    )


def test_on_cpu_workers_the_estimate_says_cpu_time_and_counts_packed_steps(as_user, people, ready, settings):
    settings.WORKER_GPUS = 0
    version, base = ready
    preflighted(people, version, 40_000)
    train = version.counts["train"]

    def estimate(**extra):
        return (
            as_user(people.lead)
            .post(url("launch-run", people), form(version, base, action="estimate", epochs=1, batch_size=4, **extra))
            .content.decode()
        )

    page = estimate()
    assert "the training workers have no GPU, so this runs on the CPU" in page.replace("The", "the")
    assert "TFLOP/s" not in page and f"{-(-train // 4)} optimizer steps" in page
    TrainingRun.objects.create(
        project=people.project,
        name="timed",
        dataset_version=version,
        base_model=base,
        config={},
        status=TrainingRun.Status.SUCCEEDED,
        tokens_per_second=100,
    )
    assert "of CPU time at 100 tokens/s" in estimate()
    # packed: 40,000 tokens fill 40 bins of 1,000 tokens, 10 steps of 4 bins
    assert "10 optimizer steps" in estimate(packing="on", max_length=1000)


def test_more_gpus_than_the_workers_have_are_refused_at_launch(as_user, people, ready, settings):
    version, base = ready
    settings.WORKER_GPUS = 0
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="launch", devices=2))
        .content.decode()
    )
    assert "2 GPUs asked for, but the training workers have no GPU" in page
    assert not TrainingRun.objects.exists()
    settings.WORKER_GPUS = 2
    as_user(people.lead).post(url("launch-run", people), form(version, base, action="launch", devices=2))
    assert TrainingRun.objects.get().config["devices"] == 2


def test_runs_compare_along_epochs_or_tokens_and_show_their_optimizer(as_user, people, ready):
    version, base = ready
    runs = []
    for name, steps in (("unpacked", 20), ("packed", 5)):  # the same data in 20 steps, or packed in 5
        run = TrainingRun.objects.create(
            project=people.project,
            name=name,
            dataset_version=version,
            base_model=base,
            config={"packing": name == "packed"},
            status=TrainingRun.Status.SUCCEEDED,
        )
        for step in range(1, steps + 1):
            MetricPoint.objects.create(
                run=run,
                step=step,
                epoch=step / steps,
                tokens_seen=step * 8000 // steps,
                loss=3 - step / steps,
                learning_rate=1e-3 * (1 - step / steps),
                grad_norm=2.0 / step,
            )
        runs.append(run)
    query = f"?run={runs[0].id}&run={runs[1].id}"
    by_step = as_user(people.reviewer).get(url("compare-runs", people) + query).content.decode()
    assert "Loss by step" in by_step and "compare them along epochs or tokens seen" in by_step
    by_tokens = as_user(people.reviewer).get(url("compare-runs", people) + query + "&by=tokens").content.decode()
    assert 'aria-label="Loss by tokens seen"' in by_tokens and '<option value="tokens" selected>' in by_tokens
    # both runs end at 8,000 tokens: the same place on this axis, where by step one ends at 5, one at 20
    assert by_tokens.count("tokens seen 8000") == 2 or by_tokens.count("tokens seen 8,000") == 2
    assert (
        "Loss by epoch"
        in as_user(people.reviewer).get(url("compare-runs", people) + query + "&by=epoch").content.decode()
    )
    assert (
        "Loss by step"
        in as_user(people.reviewer).get(url("compare-runs", people) + query + "&by=nonsense").content.decode()
    )
    page = as_user(people.reviewer).get(url("run", people, runs[0].id)).content.decode()
    assert "Learning rate by step" in page and "Gradient norm by step" in page


def test_qlora_is_refused_at_launch_when_the_workers_have_no_gpu(as_user, people, ready, settings):
    version, base = ready
    settings.WORKER_GPUS = 0
    page = (
        as_user(people.lead)
        .post(url("launch-run", people), form(version, base, action="launch", method="qlora"))
        .content.decode()
    )
    assert "QLoRA loads the model in 4 bits with bitsandbytes, which needs a GPU" in page
    assert not TrainingRun.objects.exists()
    settings.WORKER_GPUS = 1
    as_user(people.lead).post(url("launch-run", people), form(version, base, action="launch", method="qlora"))
    assert TrainingRun.objects.get().config["method"] == "qlora"


def merged_later(as_user, people, run, tmp_path, tiny_model_dir, artifact, label):
    """A finished run with only an adapter offers no `artifact` of a whole model (`label` is not on
    its page); once it has a merged model, its page (returned) offers it to the lead, a reviewer
    gets 403 and an outsider 404, and nothing has been built yet."""
    import shutil

    from training.models import ArtifactArchive

    (tmp_path / "out" / "adapter").mkdir(parents=True)
    TrainingRun.objects.filter(id=run.id).update(output_dir=str(tmp_path / "out"))
    assert label not in as_user(people.lead).get(url("run", people, run.id)).content.decode()
    assert as_user(people.lead).post(url("download-artifact", people, run.id, artifact)).status_code == 404
    shutil.copytree(tiny_model_dir, tmp_path / "out" / "merged")
    page = as_user(people.lead).get(url("run", people, run.id)).content.decode()
    assert as_user(people.reviewer).post(url("download-artifact", people, run.id, artifact)).status_code == 403
    assert as_user(people.outsider).post(url("download-artifact", people, run.id, artifact)).status_code == 404
    assert not ArtifactArchive.objects.exists()
    return page


def built(as_user, people, run, artifact, django_capture_on_commit_callbacks):
    """The lead asks for `artifact`; the (eager) worker builds it; returns the archive and its zip."""
    import io
    import zipfile

    from training.models import ArtifactArchive

    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("download-artifact", people, run.id, artifact))
    archive = ArtifactArchive.objects.get(artifact=artifact)
    assert archive.status == ArtifactArchive.Status.SUCCEEDED, archive.message
    download = as_user(people.lead).get(url("artifact-archive-file", people, run.id, archive.id))
    assert download["Content-Disposition"].endswith(f'-run{run.id}-{artifact}.zip"')
    return archive, zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def test_a_whole_model_downloads_as_gguf_for_llama_cpp(
    as_user, people, finished_runs, tmp_path, eager_tasks, django_capture_on_commit_callbacks, tiny_model_dir
):

    from training.models import ArtifactArchive

    run = finished_runs[0]
    page = merged_later(as_user, people, run, tmp_path, tiny_model_dir, "gguf-q8_0", "GGUF")
    assert "GGUF, 8-bit (Q8_0), for llama.cpp, Ollama or LM Studio" in page and "GGUF, 16-bit (F16)" in page

    archive, zipped = built(as_user, people, run, "gguf-q8_0", django_capture_on_commit_callbacks)
    assert archive.done == archive.total == 4  # the file's half of the bar, then the zip's: ends full
    gguf = f"{people.project.slug}-run{run.id}-q8_0.gguf"
    assert sorted(zipped.namelist()) == sorted([gguf, "studio_run.json"])
    assert zipped.read(gguf)[:4] == b"GGUF"  # the format's magic

    # a model the exporter cannot write fails with the reason, not a traceback
    (tmp_path / "out" / "merged" / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("download-artifact", people, run.id, "gguf-f16"))
    failed = ArtifactArchive.objects.filter(artifact="gguf-f16").get()
    assert failed.status == ArtifactArchive.Status.FAILED and failed.message.startswith("No GGUF file: ")


def test_a_whole_model_downloads_quantized_by_bitsandbytes(
    as_user, people, finished_runs, tmp_path, eager_tasks, django_capture_on_commit_callbacks, tiny_model_dir
):

    from training.models import ArtifactArchive

    run = finished_runs[0]
    page = merged_later(as_user, people, run, tmp_path, tiny_model_dir, "bnb-4bit", "bitsandbytes")
    assert "8-bit (bitsandbytes LLM.int8)" in page and "4-bit (bitsandbytes NF4)" in page

    archive, zipped = built(as_user, people, run, "bnb-4bit", django_capture_on_commit_callbacks)
    assert archive.done == archive.total  # quantizing fills the first half of the bar, the zip the second
    names = set(zipped.namelist())
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md", "studio_run.json"} <= names
    assert json.loads(zipped.read("config.json"))["quantization_config"]["load_in_4bit"] is True
    assert json.loads(zipped.read("studio_run.json"))["run_id"] == run.id
    assert f"unzip {people.project.slug}-run{run.id}-bnb-4bit.zip" in zipped.read("README.md").decode()

    # weights that cannot be read fail with the reason, not a traceback
    (tmp_path / "out" / "merged" / "model.safetensors").write_bytes(b"not weights")
    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("download-artifact", people, run.id, "bnb-8bit"))
    failed = ArtifactArchive.objects.filter(artifact="bnb-8bit").get()
    assert failed.status == ArtifactArchive.Status.FAILED
    assert failed.message.startswith("No quantized model: bitsandbytes could not quantize merged")
